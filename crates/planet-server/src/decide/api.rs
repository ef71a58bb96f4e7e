//! `/api/v1/polls` and `/api/v1/spaces/{id}/polls`: polls for programs. Results and named votes
//! come only when the poll's setting shows them to the caller (`ReadPollResults`), exactly as on
//! the page.

use super::manage::{self, MEETING_TIMES, NewPollForm};
use super::service::{self, Listed, Voted};
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::identity::session::ApiCtx;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use planet_domain::poll::count::Results;
use planet_domain::{MemberId, PollId, SpaceId, TopicId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct OptionDto {
    pub label: String,
    /// Meeting polls: when it starts, and for how many minutes.
    pub starts_at: Option<DateTime<Utc>>,
    pub minutes: u32,
}

#[derive(Serialize, ToSchema)]
pub struct VoteDto {
    #[schema(value_type = String, format = Uuid)]
    pub member: MemberId,
    pub name: String,
    /// One value an option: a choice 1, a score or dots their number, a rank (1 first), a
    /// meeting answer 0 no, 1 if need be, 2 yes.
    pub marks: Vec<u32>,
    pub reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PollDto {
    #[schema(value_type = String, format = Uuid)]
    pub id: PollId,
    #[schema(value_type = String, format = Uuid)]
    pub space: SpaceId,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub topic: Option<TopicId>,
    /// proposal, yes_no, single_choice, multiple_choice, score, dot_vote, ranked, meeting_time.
    pub kind: String,
    pub title: String,
    pub details: String,
    pub options: Vec<OptionDto>,
    /// The limits of the kind (picks, scores, dots, method, seats).
    #[schema(value_type = Object)]
    pub shape: serde_json::Value,
    /// Who sees, who votes, secrecy, when results show.
    #[schema(value_type = Object)]
    pub settings: serde_json::Value,
    /// Quorum and pass rule.
    #[schema(value_type = Object)]
    pub rules: serde_json::Value,
    pub opened_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub open: bool,
    /// How many may vote, and who has voted (never how, in a secret ballot).
    pub eligible: u64,
    pub voters: Vec<String>,
    pub i_may_vote: bool,
    pub i_have_voted: bool,
    /// My own named vote (not in a secret ballot).
    pub my_vote: Option<Vec<u32>>,
    /// The count: absent while the poll's setting hides it from the caller.
    #[schema(value_type = Option<Object>)]
    pub results: Option<Results>,
    /// Named votes, once results show (never in a secret ballot).
    pub votes: Vec<VoteDto>,
    pub outcome: Option<String>,
}

fn json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

async fn dto(state: &AppState, ctx: &crate::identity::session::Ctx, id: &str) -> ApiResult<PollDto> {
    let view = service::view(state, ctx, id).await?;
    let poll = &view.found.poll;
    Ok(Json(PollDto {
        id: poll.id,
        space: poll.space,
        topic: poll.topic,
        kind: poll.shape.kind.as_str().to_owned(),
        title: poll.title.clone(),
        details: poll.details.clone(),
        options: view
            .found
            .options
            .iter()
            .map(|o| OptionDto { label: o.label.clone(), starts_at: o.starts_at, minutes: o.minutes })
            .collect(),
        shape: json(&poll.shape),
        settings: json(&poll.settings),
        rules: json(&poll.rules),
        opened_at: poll.opened_at,
        closes_at: poll.ends_at(),
        open: view.found.open,
        eligible: view.eligible,
        voters: view.voters.iter().map(|(_, name)| name.clone()).collect(),
        i_may_vote: view.may_vote,
        i_have_voted: view.found.voted(),
        my_vote: view.mine.as_ref().map(|v| v.ballot.0.clone()),
        votes: view
            .named
            .iter()
            .map(|v| VoteDto {
                member: v.member,
                name: v.name.clone(),
                marks: v.ballot.0.clone(),
                reason: v.reason.clone(),
            })
            .collect(),
        results: view.results,
        outcome: poll.outcome.clone(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct PollSummaryDto {
    #[schema(value_type = String, format = Uuid)]
    pub id: PollId,
    pub title: String,
    pub kind: String,
    pub space_name: String,
    pub open: bool,
    pub closes_at: DateTime<Utc>,
    /// Whether the caller may vote in it (absent: not on its roll).
    pub on_roll: bool,
    pub voted: bool,
}

fn summary(listed: &Listed) -> PollSummaryDto {
    PollSummaryDto {
        id: listed.poll.id,
        title: listed.poll.title.clone(),
        kind: listed.poll.shape.kind.as_str().to_owned(),
        space_name: listed.space_name.clone(),
        open: listed.open,
        closes_at: listed.poll.ends_at(),
        on_roll: listed.on_roll.is_some(),
        voted: listed.on_roll == Some(true),
    }
}

/// A group's polls, newest first.
#[utoipa::path(get, path = "/api/v1/spaces/{id}/polls", tag = "polls", params(("id" = String, Path, description = "space id")),
    responses((status = 200, body = [PollSummaryDto]), (status = 404, body = ErrorBody)), security(("token" = [])))]
pub async fn list(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> ApiResult<Vec<PollSummaryDto>> {
    let (_, listed, _) = service::in_space(&state, &ctx, &id).await?;
    Ok(Json(listed.iter().map(summary).collect()))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct PollBody {
    /// proposal, yes_no, single_choice, multiple_choice, score, dot_vote, ranked, meeting_time.
    pub kind: String,
    pub title: String,
    /// Markdown.
    pub details: String,
    /// The options (not for proposals and yes/no polls, which have their own).
    pub options: Vec<String>,
    /// Meeting polls: up to eight times on a UK clock, "2026-12-03T19:00".
    pub times: Vec<String>,
    pub minutes: Option<u32>,
    pub min_picks: Option<u32>,
    pub max_picks: Option<u32>,
    pub max_score: Option<u32>,
    pub dots: Option<u32>,
    /// instant_runoff, schulze or stv.
    pub method: String,
    pub seats: Option<u32>,
    /// space or community.
    pub seen_by: String,
    pub voted_by: String,
    pub late_voters: bool,
    pub secret: bool,
    /// live, after_voting or after_closing.
    pub results: String,
    pub quorum_percent: Option<u32>,
    /// none, more_than_half, two_thirds, three_quarters or everyone.
    pub pass_rule: String,
    pub block_stops: Option<bool>,
    /// How many days it stays open (default 7).
    pub days: Option<u32>,
    /// The topic it sits in (default: a new one).
    #[schema(value_type = Option<String>, format = Uuid)]
    pub topic: Option<String>,
}

fn text(value: Option<u32>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn or(value: String, default: String) -> String {
    if value.is_empty() { default } else { value }
}

fn yes(value: bool) -> String {
    if value { "yes".to_owned() } else { String::new() }
}

impl PollBody {
    fn form(self) -> Result<NewPollForm, AppError> {
        if self.options.iter().any(|o| o.contains(['\n', '\r'])) {
            return Err(AppError::invalid("options", "option_invalid", "Each option is one line of text."));
        }
        if self.times.len() > MEETING_TIMES {
            return Err(AppError::invalid("times", "too_many_times", format!("Give at most {MEETING_TIMES} times.")));
        }
        let kind = planet_domain::poll::PollKind::parse(&self.kind).unwrap_or(planet_domain::poll::PollKind::Proposal);
        let defaults = NewPollForm::defaults(kind);
        let mut times = self.times.into_iter();
        let mut next = || times.next().unwrap_or_default();
        Ok(NewPollForm {
            kind: self.kind,
            title: self.title,
            details: self.details,
            options: self.options.join("\n"),
            time1: next(),
            time2: next(),
            time3: next(),
            time4: next(),
            time5: next(),
            time6: next(),
            time7: next(),
            time8: next(),
            minutes: or(text(self.minutes), defaults.minutes),
            min_picks: or(text(self.min_picks), defaults.min_picks),
            max_picks: text(self.max_picks),
            max_score: or(text(self.max_score), defaults.max_score),
            dots: or(text(self.dots), defaults.dots),
            method: or(self.method, defaults.method),
            seats: or(text(self.seats), defaults.seats),
            seen_by: or(self.seen_by, defaults.seen_by),
            voted_by: or(self.voted_by, defaults.voted_by),
            late_voters: yes(self.late_voters),
            secret: yes(self.secret),
            results: or(self.results, if self.secret { "after_closing".to_owned() } else { defaults.results }),
            quorum: or(text(self.quorum_percent), defaults.quorum),
            pass_rule: or(self.pass_rule, defaults.pass_rule),
            block_stops: yes(self.block_stops.unwrap_or(true)),
            days: or(text(self.days), defaults.days),
            topic: self.topic.unwrap_or_default(),
        })
    }
}

/// Open a poll in a group (its members may).
#[utoipa::path(post, path = "/api/v1/spaces/{id}/polls", tag = "polls", params(("id" = String, Path, description = "space id")), request_body = PollBody,
    responses((status = 200, body = PollDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
pub async fn create(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Json(body): Json<PollBody>,
) -> ApiResult<PollDto> {
    let form = body.form()?;
    let (poll, _) = manage::start(&state, &ctx, &id, &form).await?;
    dto(&state, &ctx, &poll.to_string()).await
}

/// A poll, with its results when they show to the caller.
#[utoipa::path(get, path = "/api/v1/polls/{id}", tag = "polls", params(("id" = String, Path, description = "poll id")),
    responses((status = 200, body = PollDto), (status = 404, body = ErrorBody)), security(("token" = [])))]
pub async fn get(State(state): State<AppState>, ApiCtx(ctx): ApiCtx, Path(id): Path<String>) -> ApiResult<PollDto> {
    dto(&state, &ctx, &id).await
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct VoteBody {
    /// One value an option, in order (null or 0 for none): a choice 1, a score or dots their
    /// number, a rank (1 first), a meeting answer 0 no, 1 if need be, 2 yes.
    pub marks: Vec<Option<u32>>,
    pub reason: String,
    /// True to change a vote already cast (not in a secret ballot). Without it, a second vote is
    /// refused (409 `already_voted`), so a request sent twice counts once.
    pub change: bool,
}

/// Vote, or change one's vote (not in a secret ballot).
#[utoipa::path(post, path = "/api/v1/polls/{id}/vote", tag = "polls", params(("id" = String, Path, description = "poll id")), request_body = VoteBody,
    responses((status = 200, body = PollDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
pub async fn vote(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Json(body): Json<VoteBody>,
) -> ApiResult<PollDto> {
    let _: Voted = service::vote(&state, &ctx, &id, &body.marks, &body.reason, body.change).await?;
    dto(&state, &ctx, &id).await
}

/// Close a poll now (its proposer, a coordinator, a steward).
#[utoipa::path(post, path = "/api/v1/polls/{id}/close", tag = "polls", params(("id" = String, Path, description = "poll id")),
    responses((status = 200, body = PollDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)), security(("token" = [])))]
pub async fn close(State(state): State<AppState>, ApiCtx(ctx): ApiCtx, Path(id): Path<String>) -> ApiResult<PollDto> {
    manage::close(&state, &ctx, &id).await?;
    dto(&state, &ctx, &id).await
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct DaysBody {
    pub days: u32,
}

/// Keep an open poll open longer, by so many days.
#[utoipa::path(post, path = "/api/v1/polls/{id}/extend", tag = "polls", params(("id" = String, Path, description = "poll id")), request_body = DaysBody,
    responses((status = 200, body = PollDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
pub async fn extend(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Json(body): Json<DaysBody>,
) -> ApiResult<PollDto> {
    manage::extend(&state, &ctx, &id, &body.days.to_string(), false).await?;
    dto(&state, &ctx, &id).await
}

/// Open a closed poll again, for so many days from now.
#[utoipa::path(post, path = "/api/v1/polls/{id}/reopen", tag = "polls", params(("id" = String, Path, description = "poll id")), request_body = DaysBody,
    responses((status = 200, body = PollDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
pub async fn reopen(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Json(body): Json<DaysBody>,
) -> ApiResult<PollDto> {
    manage::extend(&state, &ctx, &id, &body.days.to_string(), true).await?;
    dto(&state, &ctx, &id).await
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct OutcomeBody {
    /// Markdown: what was decided.
    pub outcome: String,
}

/// Write what was decided, once the poll has closed; it is posted in the poll's topic.
#[utoipa::path(post, path = "/api/v1/polls/{id}/outcome", tag = "polls", params(("id" = String, Path, description = "poll id")), request_body = OutcomeBody,
    responses((status = 200, body = PollDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
pub async fn outcome(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Json(body): Json<OutcomeBody>,
) -> ApiResult<PollDto> {
    manage::write_outcome(&state, &ctx, &id, &body.outcome).await?;
    dto(&state, &ctx, &id).await
}

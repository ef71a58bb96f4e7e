//! The polls' pages: the Commons page, a group's polls, the create-poll pages (choose a kind,
//! then its form), a poll (vote, who has voted, results when they show, managing it), and its
//! files.

use super::export;
use super::manage;
use super::new_pages::{DAY_CHOICES, days_words};
use super::results::{ResultsView, plural, results_view};
use super::service::{self, Listed, PollView, Voted};
use crate::error::{AppError, AppResult};
use crate::identity::session::Ctx;
use crate::state::AppState;
use crate::talk::pages::when;
use crate::web::forms::FormErrors;
use crate::web::layout::Layout;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use planet_domain::clock::uk;
use planet_domain::poll::count::PassRule;
use planet_domain::poll::{Audience, BallotInput, MeetingAnswer, PollKind, RankedMethod, ResultsShown, STANCES};
use planet_store::queries::polls::{Poll, PollOption};
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FlashQuery {
    done: String,
}

fn flash_of(code: &str) -> Option<&'static str> {
    Some(match code {
        "opened" => "Your poll is open. Everyone who can vote has been told.",
        "voted" => "Thank you: your vote has been counted.",
        "changed" => "Your vote has been changed.",
        "closed" => "The poll has closed. The results are below.",
        "extended" => "The poll stays open longer now.",
        "reopened" => "The poll is open again.",
        "outcome" => "The outcome has been written and posted in the conversation.",
        _ => return None,
    })
}

// Lists.

struct PollRow {
    id: String,
    title: String,
    kind: &'static str,
    space: String,
    status: String,
    open: bool,
    /// "You have voted", "You can vote", or nothing.
    mine: &'static str,
}

fn row(listed: &Listed) -> PollRow {
    let poll = &listed.poll;
    PollRow {
        id: poll.id.to_string(),
        title: poll.title.clone(),
        kind: poll.shape.kind.label(),
        space: listed.space_name.clone(),
        status: if listed.open {
            format!("Open until {}", uk::describe(poll.closes_at))
        } else {
            format!("Closed on {}", uk::describe(poll.ends_at()))
        },
        open: listed.open,
        mine: match listed.on_roll {
            Some(true) => "You have voted",
            Some(false) if listed.open => "You can vote",
            _ => "",
        },
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "decide/commons.html")]
struct CommonsPage {
    layout: Layout,
    open: Vec<PollRow>,
    closed: Vec<PollRow>,
    spaces: Vec<(String, String)>,
}

pub async fn commons(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let (listed, startable) = service::commons(&state, &ctx).await?;
    let (open, closed): (Vec<&Listed>, Vec<&Listed>) = listed.iter().partition(|l| l.open);
    Ok(CommonsPage {
        layout: ctx.layout("Commons"),
        open: open.into_iter().map(row).collect(),
        closed: closed.into_iter().map(row).collect(),
        spaces: startable.into_iter().map(|(id, name)| (id.to_string(), name)).collect(),
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "decide/space.html")]
struct SpacePollsPage {
    layout: Layout,
    space_id: String,
    space_name: String,
    open: Vec<PollRow>,
    closed: Vec<PollRow>,
    may_start: bool,
}

pub async fn space_polls(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let (access, listed, may_start) = service::in_space(&state, &ctx, &id).await?;
    let (open, closed): (Vec<&Listed>, Vec<&Listed>) = listed.iter().partition(|l| l.open);
    let name = access.space().name.clone();
    Ok(SpacePollsPage {
        layout: ctx.layout(format!("Polls in {name}")),
        space_id: access.space().id.to_string(),
        space_name: name,
        open: open.into_iter().map(row).collect(),
        closed: closed.into_iter().map(row).collect(),
        may_start,
    }
    .into_response())
}

// A poll.

/// One option on the voting form.
struct VoteOption {
    index: usize,
    label: String,
    help: &'static str,
    /// What the member gave it (their vote, or what they just sent): "1", "3", "".
    value: String,
}

struct NamedRow {
    name: String,
    choice: String,
    reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "decide/poll.html")]
struct PollPage {
    layout: Layout,
    id: String,
    title: String,
    details_html: String,
    kind: &'static str,
    kind_label: &'static str,
    space_id: String,
    space_name: String,
    author: String,
    opened: String,
    closes: String,
    open: bool,
    topic: Option<(String, String)>,
    who_sees: &'static str,
    who_votes: &'static str,
    secret: bool,
    results_when: &'static str,
    rules_words: Vec<String>,
    eligible: u64,
    voters: Vec<(String, String)>,
    may_vote: bool,
    voted: bool,
    /// The voting form.
    options: Vec<VoteOption>,
    ranks: Vec<u32>,
    scores: Vec<u32>,
    dots: u32,
    picks_hint: String,
    answers: Vec<(u32, &'static str)>,
    reason: String,
    errors: FormErrors,
    /// Results, when they show.
    shown: bool,
    hidden_note: String,
    results: ResultsView,
    named: Vec<NamedRow>,
    reasons: Vec<String>,
    may_manage: bool,
    outcome_html: String,
    outcome_by: String,
    outcome_at: String,
    /// What the manager typed as the outcome, shown again with an error.
    outcome_text: String,
    ics: bool,
    day_choices: Vec<(u32, String)>,
}

fn vote_options(poll: &Poll, options: &[PollOption], values: &[u32]) -> Vec<VoteOption> {
    options
        .iter()
        .enumerate()
        .map(|(index, option)| VoteOption {
            index,
            label: option.label.clone(),
            help: if poll.shape.kind == PollKind::Proposal { STANCES.get(index).map_or("", |s| s.help()) } else { "" },
            value: values
                .get(index)
                .filter(|v| **v > 0 || poll.shape.kind == PollKind::MeetingTime || poll.shape.kind == PollKind::Score)
                .map(|v| v.to_string())
                .unwrap_or_default(),
        })
        .collect()
}

fn rules_words(poll: &Poll) -> Vec<String> {
    let mut out = Vec::new();
    match poll.shape.kind {
        PollKind::MultipleChoice => {
            out.push(format!("Choose between {} and {} options.", poll.shape.min_picks, poll.shape.max_picks))
        }
        PollKind::Score => out.push(format!("Score each option from 0 to {}.", poll.shape.max_score)),
        PollKind::DotVote => out.push(format!("Each person has {} dots to spread.", poll.shape.dots)),
        PollKind::Ranked => {
            out.push(format!("Counted by {}.", poll.shape.method.label()));
            if poll.shape.method == RankedMethod::SingleTransferableVote {
                out.push(format!("{} to fill.", plural(u64::from(poll.shape.seats), "place", "places")));
            }
        }
        _ => {}
    }
    if poll.rules.quorum_percent > 0 {
        out.push(format!("At least {}% of those who may vote must vote.", poll.rules.quorum_percent));
    }
    if matches!(poll.shape.kind, PollKind::Proposal | PollKind::YesNo) && poll.rules.pass != PassRule::None {
        out.push(format!("It passes when: {}.", poll.rules.pass.label().to_lowercase()));
        if poll.shape.kind == PollKind::Proposal && poll.rules.block_stops {
            out.push("A single block stops it.".to_owned());
        }
    }
    if poll.settings.late_voters {
        out.push("People who join after it opened may vote too.".to_owned());
    }
    out
}

async fn poll_page(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    sent: Option<(BallotInput, String)>,
    errors: FormErrors,
) -> AppResult<PollPage> {
    let view = service::view(state, ctx, id).await?;
    let PollView {
        found,
        author_name,
        outcome_by,
        topic,
        eligible,
        voters,
        mine,
        may_vote,
        may_manage,
        results,
        named,
        reasons,
    } = view;
    let poll = &found.poll;
    let (values, reason): (Vec<u32>, String) = match (&sent, &mine) {
        (Some((input, reason)), _) => (input.iter().map(|v| v.unwrap_or(0)).collect(), reason.clone()),
        (None, Some(vote)) => (vote.ballot.0.clone(), vote.reason.clone().unwrap_or_default()),
        (None, None) => (Vec::new(), String::new()),
    };
    let kind = poll.shape.kind;
    let n = poll.shape.options as u32;
    let hidden_note = match poll.settings.results {
        ResultsShown::AfterClosing => {
            format!("The results will be shown when the poll closes, on {}.", uk::describe(poll.closes_at))
        }
        ResultsShown::AfterVoting if may_vote => {
            "The results are shown to each person once they have voted.".to_owned()
        }
        ResultsShown::AfterVoting => {
            format!(
                "The results are shown to those who have voted, and to everyone when the poll closes on {}.",
                uk::describe(poll.closes_at)
            )
        }
        ResultsShown::Live => String::new(),
    };
    let mut page = PollPage {
        layout: ctx.layout(poll.title.clone()),
        id: poll.id.to_string(),
        title: poll.title.clone(),
        details_html: poll.details_html.clone(),
        kind: kind.as_str(),
        kind_label: kind.label(),
        space_id: poll.space.to_string(),
        space_name: found.access.space().name.clone(),
        author: author_name,
        opened: when(poll.opened_at),
        closes: uk::describe(poll.ends_at()),
        open: found.open,
        topic: topic.map(|t| (t.id.to_string(), t.title)),
        who_sees: match poll.settings.seen_by {
            Audience::Community => "Everyone in the community",
            Audience::Space if found.access.space().visibility == planet_domain::space::Visibility::Community => {
                "Everyone in the community (the group is open to all)"
            }
            Audience::Space => "Members of the group",
        },
        who_votes: if poll.settings.voted_by == Audience::Community {
            "Everyone in the community"
        } else {
            "Members of the group"
        },
        secret: poll.settings.secret,
        results_when: poll.settings.results.label(),
        rules_words: rules_words(poll),
        eligible,
        voters: voters.into_iter().map(|(id, name)| (id.to_string(), name)).collect(),
        may_vote,
        voted: found.voted(),
        options: vote_options(poll, &found.options, &values),
        ranks: (1..=n).collect(),
        scores: (0..=poll.shape.max_score).collect(),
        dots: poll.shape.dots,
        picks_hint: if poll.shape.min_picks == poll.shape.max_picks {
            format!("Choose {}.", poll.shape.min_picks)
        } else {
            format!("Choose between {} and {}.", poll.shape.min_picks, poll.shape.max_picks)
        },
        answers: MeetingAnswer::ALL.iter().rev().map(|a| (a.value(), a.label())).collect(),
        reason,
        errors,
        shown: results.is_some(),
        hidden_note,
        results: ResultsView::default(),
        named: Vec::new(),
        reasons,
        may_manage,
        outcome_html: poll.outcome_html.clone().unwrap_or_default(),
        outcome_by,
        outcome_at: poll.outcome_at.map(when).unwrap_or_default(),
        outcome_text: String::new(),
        ics: false,
        day_choices: DAY_CHOICES.iter().map(|d| (*d, days_words(*d))).collect(),
    };
    if let Some(results) = &results {
        page.results = results_view(poll, &found.options, results);
        page.ics = kind == PollKind::MeetingTime && !found.open && !results.chosen(kind).is_empty();
    }
    page.named = named
        .iter()
        .map(|vote| NamedRow {
            name: vote.name.clone(),
            choice: choice_words(poll, &found.options, &vote.ballot.0),
            reason: vote.reason.clone().unwrap_or_default(),
        })
        .collect();
    Ok(page)
}

/// A named vote in words: "Agree", "Tea, Coffee", "1. Tea 2. Coffee", "Tea: 3, Coffee: 1".
fn choice_words(poll: &Poll, options: &[PollOption], values: &[u32]) -> String {
    let label = |i: usize| options.get(i).map(|o| o.label.as_str()).unwrap_or("");
    match poll.shape.kind {
        PollKind::Ranked => {
            let ballot = planet_domain::poll::Ballot(values.to_vec());
            ballot
                .ranking()
                .iter()
                .enumerate()
                .map(|(n, i)| format!("{}. {}", n + 1, label(*i)))
                .collect::<Vec<_>>()
                .join("  ")
        }
        PollKind::Score | PollKind::DotVote => values
            .iter()
            .enumerate()
            .filter(|(_, v)| **v > 0 || poll.shape.kind == PollKind::Score)
            .map(|(i, v)| format!("{}: {v}", label(i)))
            .collect::<Vec<_>>()
            .join(", "),
        PollKind::MeetingTime => values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{}: {}", label(i), export::mark_words(PollKind::MeetingTime, *v).to_lowercase()))
            .collect::<Vec<_>>()
            .join("; "),
        _ => values
            .iter()
            .enumerate()
            .filter(|(_, v)| **v > 0)
            .map(|(i, _)| label(i).to_owned())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

pub async fn poll(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    let mut page = poll_page(&state, &ctx, &id, None, FormErrors::none()).await?;
    page.layout = page.layout.with_flash(flash_of(&q.done));
    Ok(page.into_response())
}

/// Reads a voting form: `choice` (one answer), `pick` (ticked options), `o<n>` (a number or an
/// answer for option n), and `reason`. Returns None for a value that is not a number.
pub fn read_ballot(fields: &[(String, String)], options: usize) -> Option<(BallotInput, String)> {
    let mut input: BallotInput = vec![None; options];
    let mut reason = String::new();
    for (name, value) in fields {
        let value = value.trim();
        let index = |text: &str| text.parse::<usize>().ok().filter(|i| *i < options);
        match name.as_str() {
            "reason" => reason = value.to_owned(),
            "change" => {}
            "choice" | "pick" => {
                let i = index(value)?;
                input[i] = Some(input[i].unwrap_or(0) + 1);
            }
            other => {
                let Some(i) = other.strip_prefix('o').and_then(index) else { continue };
                if !value.is_empty() {
                    input[i] = Some(value.parse().ok()?);
                }
            }
        }
    }
    Some((input, reason))
}

pub async fn vote(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let found = service::poll_access(&state, &ctx, &id, planet_domain::policy::Action::ReadPoll).await?;
    let options = found.options.len();
    let Some((input, reason)) = read_ballot(&fields, options) else {
        let errors = vec![crate::error::FieldError::new(
            "ballot",
            "ballot_invalid",
            "Something in the form could not be read. Please choose again.",
        )];
        let page = poll_page(&state, &ctx, &id, None, errors.into()).await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let change = fields.iter().any(|(name, value)| name == "change" && value == "yes");
    match service::vote(&state, &ctx, &id, &input, &reason, change).await {
        Ok(Voted::Cast) => Ok(Redirect::to(&format!("/polls/{id}?done=voted")).into_response()),
        Ok(Voted::Changed) => Ok(Redirect::to(&format!("/polls/{id}?done=changed")).into_response()),
        Err(AppError::Invalid(fields)) => {
            let page = poll_page(&state, &ctx, &id, Some((input, reason)), fields.into()).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other),
    }
}

pub async fn close(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    manage::close(&state, &ctx, &id).await?;
    Ok(Redirect::to(&format!("/polls/{id}?done=closed")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DaysForm {
    days: String,
}

pub async fn extend(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<DaysForm>,
) -> AppResult<Response> {
    manage::extend(&state, &ctx, &id, &form.days, false).await?;
    Ok(Redirect::to(&format!("/polls/{id}?done=extended")).into_response())
}

pub async fn reopen(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<DaysForm>,
) -> AppResult<Response> {
    manage::extend(&state, &ctx, &id, &form.days, true).await?;
    Ok(Redirect::to(&format!("/polls/{id}?done=reopened")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OutcomeForm {
    outcome: String,
}

pub async fn outcome(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<OutcomeForm>,
) -> AppResult<Response> {
    match manage::write_outcome(&state, &ctx, &id, &form.outcome).await {
        Ok(()) => Ok(Redirect::to(&format!("/polls/{id}?done=outcome")).into_response()),
        Err(AppError::Invalid(fields)) => {
            let mut page = poll_page(&state, &ctx, &id, None, fields.into()).await?;
            page.outcome_text = form.outcome;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other),
    }
}

fn download(content_type: &'static str, name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response()
}

pub async fn results_csv(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let (name, body) = export::results_csv(&state, &ctx, &id).await?;
    Ok(download("text/csv; charset=utf-8", &name, body))
}

pub async fn votes_csv(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let (name, body) = export::votes_csv(&state, &ctx, &id).await?;
    Ok(download("text/csv; charset=utf-8", &name, body))
}

pub async fn meeting_ics(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let body = export::meeting_ics(&state, &ctx, &id).await?;
    Ok(download("text/calendar; charset=utf-8", "meeting.ics", body))
}

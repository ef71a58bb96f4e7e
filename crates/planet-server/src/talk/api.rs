//! `/api/v1/…/topics` and `/api/v1/messages`: talk for programs. Live updates are the
//! WebSocket at `/topics/{id}/live` (ARCHITECTURE.md describes its messages).

use super::service::{self, Posted, TopicView};
use crate::error::{ApiResult, ErrorBody};
use crate::identity::session::ApiCtx;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::{DateTime, Utc};
use planet_domain::notification::Follow;
use planet_domain::talk::{MessageState, Reaction};
use planet_domain::{MemberId, MessageId, TopicId};
use planet_store::queries::talk::Message;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct TopicDto {
    #[schema(value_type = String, format = Uuid)]
    pub id: TopicId,
    pub title: String,
    pub author_name: String,
    pub created_at: DateTime<Utc>,
    pub last_message_at: DateTime<Utc>,
    /// The number of its last message (messages are numbered 1, 2, 3…).
    pub last_number: i32,
    /// Messages after my last read one; absent when I have never read it.
    pub unread: Option<i32>,
    /// Whether I follow it (`following`), muted it (`muted`), or neither (`normal`).
    #[schema(value_type = String)]
    pub level: Follow,
    pub pinned: bool,
    pub locked: bool,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct PageParams {
    /// Page of 30 topics, from 0.
    pub page: u64,
}

/// A space's topics, pinned first, then the most recently active.
#[utoipa::path(get, path = "/api/v1/spaces/{id}/topics", tag = "talk", params(("id" = String, Path, description = "space id"), PageParams),
    responses((status = 200, body = Vec<TopicDto>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("token" = [])))]
pub async fn topics(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Query(params): Query<PageParams>,
) -> ApiResult<Vec<TopicDto>> {
    let list = service::topics(&state, &ctx, &id, params.page).await?;
    Ok(Json(
        list.topics
            .into_iter()
            .map(|t| TopicDto {
                id: t.topic.id,
                title: t.topic.title,
                author_name: t.author_name,
                created_at: t.topic.created_at,
                last_message_at: t.topic.last_message_at,
                last_number: t.topic.last_number,
                unread: t.unread,
                level: t.level,
                pinned: t.topic.pinned,
                locked: t.topic.locked,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct NewTopicBody {
    pub title: String,
    /// The first message (Markdown).
    pub body: String,
}

#[derive(Serialize, ToSchema)]
pub struct PostedDto {
    #[schema(value_type = String, format = Uuid)]
    pub topic_id: TopicId,
    pub number: i32,
    /// It waits for a coordinator's approval (a new member's first messages).
    pub pending: bool,
}

impl From<Posted> for PostedDto {
    fn from(p: Posted) -> Self {
        Self { topic_id: p.topic, number: p.number, pending: p.pending }
    }
}

/// Start a topic with its first message.
#[utoipa::path(post, path = "/api/v1/spaces/{id}/topics", tag = "talk", params(("id" = String, Path, description = "space id")), request_body = NewTopicBody,
    responses((status = 200, body = PostedDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)), security(("token" = [])))]
pub async fn start(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Json(body): Json<NewTopicBody>,
) -> ApiResult<PostedDto> {
    Ok(Json(service::start_topic(&state, &ctx, &id, &body.title, &body.body, Ok(None)).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct ReactionDto {
    /// `like`, `heart`, `thanks`, `laugh`, `celebrate` or `seedling`.
    pub reaction: &'static str,
    pub count: u32,
    /// I gave it.
    pub mine: bool,
}

#[derive(Serialize, ToSchema)]
pub struct MessageDto {
    #[schema(value_type = String, format = Uuid)]
    pub id: MessageId,
    pub number: i32,
    #[schema(value_type = String, format = Uuid)]
    pub author_id: MemberId,
    pub author_name: String,
    /// `published`, `pending` (waits for approval), `hidden` (by moderators) or `deleted`.
    #[schema(value_type = String)]
    pub state: MessageState,
    /// The Markdown text, when I may read it.
    pub body: Option<String>,
    /// The same, as sanitised HTML.
    pub html: Option<String>,
    pub reply_to: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub reactions: Vec<ReactionDto>,
}

#[derive(Serialize, ToSchema)]
pub struct MessagesDto {
    #[schema(value_type = String, format = Uuid)]
    pub topic_id: TopicId,
    pub title: String,
    pub last_number: i32,
    /// The number of the last message I have read (0: none).
    pub last_read: i32,
    pub messages: Vec<MessageDto>,
}

fn message_dto(m: Message, reactions: &[(Reaction, u32, bool)], me: MemberId, moderator: bool) -> MessageDto {
    let state = MessageState::of(m.deleted_at.is_some(), m.hidden_at.is_some(), m.pending);
    let shown = state.text_shown(m.author == me, moderator);
    MessageDto {
        id: m.id,
        number: m.number,
        author_id: m.author,
        author_name: m.author_name,
        state,
        html: shown.then_some(m.html),
        body: shown.then_some(m.body),
        reply_to: m.reply_to,
        created_at: m.created_at,
        edited_at: m.edited_at,
        reactions: reactions
            .iter()
            .map(|(kind, count, mine)| ReactionDto { reaction: kind.as_str(), count: *count, mine: *mine })
            .collect(),
    }
}

fn messages_dto(view: TopicView, me: MemberId, moderator: bool) -> MessagesDto {
    let TopicView { topic, messages, reactions, last_read, .. } = view;
    MessagesDto {
        topic_id: topic.id,
        title: topic.title,
        last_number: topic.last_number,
        last_read: last_read.unwrap_or(0),
        messages: messages
            .into_iter()
            .map(|m| {
                let r = reactions.get(&m.id).cloned().unwrap_or_default();
                message_dto(m, &r, me, moderator)
            })
            .collect(),
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct MessagesParams {
    /// The 50 messages after this number; without it, the latest 50.
    pub after: Option<i32>,
}

/// A topic's messages (50 at a time). Reading them here does not mark them read: say so with
/// `POST /api/v1/topics/{id}/read`.
#[utoipa::path(get, path = "/api/v1/topics/{id}/messages", tag = "talk", params(("id" = String, Path, description = "topic id"), MessagesParams),
    responses((status = 200, body = MessagesDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("token" = [])))]
pub async fn messages(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Query(params): Query<MessagesParams>,
) -> ApiResult<MessagesDto> {
    let view = service::read_topic(&state, &ctx, &id, None, params.after).await?;
    let moderator = view.place.is_moderator(&ctx);
    Ok(Json(messages_dto(view, ctx.member()?.id, moderator)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct MessageBody {
    /// Markdown.
    pub body: String,
    /// The number of the message this answers.
    pub reply_to: Option<i32>,
}

/// Write in a topic.
#[utoipa::path(post, path = "/api/v1/topics/{id}/messages", tag = "talk", params(("id" = String, Path, description = "topic id")), request_body = MessageBody,
    responses((status = 200, body = PostedDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)), security(("token" = [])))]
pub async fn post(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Json(body): Json<MessageBody>,
) -> ApiResult<PostedDto> {
    Ok(Json(service::post(&state, &ctx, &id, &body.body, body.reply_to, Ok(None)).await?.into()))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ReadBody {
    /// The number of the last message read.
    pub number: i32,
}

#[derive(Serialize, ToSchema)]
pub struct ReadDto {
    pub last_read: i32,
}

/// Say how far I have read a topic (it never moves back).
#[utoipa::path(post, path = "/api/v1/topics/{id}/read", tag = "talk", params(("id" = String, Path, description = "topic id")), request_body = ReadBody,
    responses((status = 200, body = ReadDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("token" = [])))]
pub async fn read(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Json(body): Json<ReadBody>,
) -> ApiResult<ReadDto> {
    Ok(Json(ReadDto { last_read: service::mark_read(&state, &ctx, &id, body.number).await? }))
}

#[derive(Serialize, ToSchema)]
pub struct Done {
    pub ok: bool,
}

/// Change my message (moderators can see earlier versions).
#[utoipa::path(post, path = "/api/v1/messages/{id}", tag = "talk", params(("id" = String, Path, description = "message id")), request_body = MessageBody,
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
pub async fn edit(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Json(body): Json<MessageBody>,
) -> ApiResult<Done> {
    service::edit(&state, &ctx, &id, &body.body).await?;
    Ok(Json(Done { ok: true }))
}

/// Delete my message ("message deleted" stays in its place).
#[utoipa::path(post, path = "/api/v1/messages/{id}/delete", tag = "talk", params(("id" = String, Path, description = "message id")),
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 410, body = ErrorBody)), security(("token" = [])))]
pub async fn delete(State(state): State<AppState>, ApiCtx(ctx): ApiCtx, Path(id): Path<String>) -> ApiResult<Done> {
    service::delete(&state, &ctx, &id).await?;
    Ok(Json(Done { ok: true }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ReactionBody {
    /// `like`, `heart`, `thanks`, `laugh`, `celebrate` or `seedling`.
    pub reaction: String,
    /// `true` to give it, `false` to take it back.
    pub on: bool,
}

/// React to a message, or take a reaction back.
#[utoipa::path(post, path = "/api/v1/messages/{id}/reactions", tag = "talk", params(("id" = String, Path, description = "message id")), request_body = ReactionBody,
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
pub async fn react(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Json(body): Json<ReactionBody>,
) -> ApiResult<Done> {
    service::react(&state, &ctx, &id, &body.reaction, Some(body.on)).await?;
    Ok(Json(Done { ok: true }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ReportBody {
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReportedDto {
    /// Enough members have reported it: it is hidden until a moderator looks.
    pub hidden: bool,
}

/// Report a message to the moderators.
#[utoipa::path(post, path = "/api/v1/messages/{id}/report", tag = "talk", params(("id" = String, Path, description = "message id")), request_body = ReportBody,
    responses((status = 200, body = ReportedDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
pub async fn report(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Json(body): Json<ReportBody>,
) -> ApiResult<ReportedDto> {
    Ok(Json(ReportedDto { hidden: service::report(&state, &ctx, &id, &body.reason).await?.1 }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct FollowBody {
    /// `following` (told about everything new), `normal` (mentions and replies only) or `muted`.
    pub level: String,
}

#[derive(Serialize, ToSchema)]
pub struct FollowDto {
    #[schema(value_type = String)]
    pub level: Follow,
}

/// Follow or mute a topic, or go back to normal.
#[utoipa::path(post, path = "/api/v1/topics/{id}/follow", tag = "talk", params(("id" = String, Path, description = "topic id")), request_body = FollowBody,
    responses((status = 200, body = FollowDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
pub async fn follow_topic(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Json(body): Json<FollowBody>,
) -> ApiResult<FollowDto> {
    let (_, level) = super::follow::service::follow_topic(&state, &ctx, &id, &body.level).await?;
    Ok(Json(FollowDto { level }))
}

/// Follow a group (told of every new topic) or mute it, or go back to normal.
#[utoipa::path(post, path = "/api/v1/spaces/{id}/follow", tag = "talk", params(("id" = String, Path, description = "space id")), request_body = FollowBody,
    responses((status = 200, body = FollowDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
pub async fn follow_space(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Json(body): Json<FollowBody>,
) -> ApiResult<FollowDto> {
    let (_, level) = super::follow::service::follow_space(&state, &ctx, &id, &body.level).await?;
    Ok(Json(FollowDto { level }))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct SearchParams {
    /// The words to look for (each matches the start of a word).
    pub q: String,
    /// Only in this space (its id); every space I can see by default.
    pub space: String,
    /// Page of 20 messages, newest first, from 0.
    pub page: u64,
}

#[derive(Serialize, ToSchema)]
pub struct FoundDto {
    #[schema(value_type = String, format = Uuid)]
    pub topic_id: TopicId,
    pub topic_title: String,
    #[schema(value_type = String, format = Uuid)]
    pub space_id: planet_domain::SpaceId,
    pub number: i32,
    pub author_name: String,
    pub created_at: DateTime<Utc>,
    /// The Markdown text.
    pub body: String,
}

#[derive(Serialize, ToSchema)]
pub struct SearchDto {
    /// Topics whose titles hold every word (first page only).
    pub topics: Vec<TopicDto>,
    pub messages: Vec<FoundDto>,
    /// Whether there is another page of messages.
    pub more: bool,
}

/// Search the topics and messages I may see.
#[utoipa::path(get, path = "/api/v1/talk/search", tag = "talk", params(SearchParams),
    responses((status = 200, body = SearchDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("token" = [])))]
pub async fn search(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(params): Query<SearchParams>,
) -> ApiResult<SearchDto> {
    let results = super::search::service::search(&state, &ctx, &params.q, &params.space, params.page).await?;
    Ok(Json(SearchDto {
        topics: results
            .topics
            .into_iter()
            .map(|t| TopicDto {
                id: t.id,
                title: t.title,
                author_name: String::new(),
                created_at: t.created_at,
                last_message_at: t.last_message_at,
                last_number: t.last_number,
                unread: None,
                level: Follow::Normal,
                pinned: t.pinned,
                locked: t.locked,
            })
            .collect(),
        messages: results
            .messages
            .into_iter()
            .map(|f| FoundDto {
                topic_id: f.topic.id,
                topic_title: f.topic.title,
                space_id: f.topic.space,
                number: f.message.number,
                author_name: f.message.author_name,
                created_at: f.message.created_at,
                body: f.message.body,
            })
            .collect(),
        more: results.more,
    }))
}

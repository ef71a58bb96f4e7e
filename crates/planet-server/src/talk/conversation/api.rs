//! `/api/v1/conversations`: private conversations for programs. Their messages are read and
//! written through the topic endpoints (`/api/v1/topics/{id}/messages`), like any topic's.

use super::service;
use crate::error::{ApiResult, ErrorBody};
use crate::identity::session::ApiCtx;
use crate::state::AppState;
use crate::talk::api::{PageParams, PostedDto};
use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::{DateTime, Utc};
use planet_domain::{MemberId, TopicId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct ConversationDto {
    #[schema(value_type = String, format = Uuid)]
    pub id: TopicId,
    pub title: String,
    /// The names of the others taking part.
    pub with: Vec<String>,
    pub last_message_at: DateTime<Utc>,
    pub last_number: i32,
    /// Messages after my last read one; absent when I have never read it.
    pub unread: Option<i32>,
}

/// My private conversations, the most recently active first.
#[utoipa::path(get, path = "/api/v1/conversations", tag = "talk", params(PageParams),
    responses((status = 200, body = Vec<ConversationDto>), (status = 403, body = ErrorBody)), security(("token" = [])))]
pub async fn list(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(params): Query<PageParams>,
) -> ApiResult<Vec<ConversationDto>> {
    let list = service::list(&state, &ctx, params.page).await?;
    Ok(Json(
        list.items
            .into_iter()
            .map(|c| ConversationDto {
                id: c.summary.topic.id,
                title: c.summary.topic.title,
                with: c.others,
                last_message_at: c.summary.topic.last_message_at,
                last_number: c.summary.topic.last_number,
                unread: c.summary.unread,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct NewConversationBody {
    /// The members to write to (ids).
    #[schema(value_type = Vec<String>)]
    pub with: Vec<String>,
    /// Optional: without it, the start of the message is the subject.
    pub subject: String,
    /// The first message (Markdown).
    pub body: String,
}

/// Start a private conversation with some members.
#[utoipa::path(post, path = "/api/v1/conversations", tag = "talk", request_body = NewConversationBody,
    responses((status = 200, body = PostedDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)), security(("token" = [])))]
pub async fn start(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Json(body): Json<NewConversationBody>,
) -> ApiResult<PostedDto> {
    Ok(Json(service::start(&state, &ctx, &body.with, &body.subject, &body.body).await?.into()))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct AddBody {
    #[schema(value_type = String, format = Uuid)]
    pub member: String,
}

#[derive(Serialize, ToSchema)]
pub struct AddedDto {
    #[schema(value_type = String, format = Uuid)]
    pub member_id: MemberId,
    pub name: String,
}

/// Add someone to a conversation I take part in.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/people", tag = "talk", params(("id" = String, Path, description = "conversation (topic) id")), request_body = AddBody,
    responses((status = 200, body = AddedDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
pub async fn add(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Json(body): Json<AddBody>,
) -> ApiResult<AddedDto> {
    let (_, member) = service::add(&state, &ctx, &id, &body.member).await?;
    Ok(Json(AddedDto { member_id: member.id, name: member.name }))
}

#[derive(Serialize, ToSchema)]
pub struct LeftDto {
    pub left: bool,
}

/// Leave a conversation.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/leave", tag = "talk", params(("id" = String, Path, description = "conversation (topic) id")),
    responses((status = 200, body = LeftDto), (status = 404, body = ErrorBody)), security(("token" = [])))]
pub async fn leave(State(state): State<AppState>, ApiCtx(ctx): ApiCtx, Path(id): Path<String>) -> ApiResult<LeftDto> {
    service::leave(&state, &ctx, &id).await?;
    Ok(Json(LeftDto { left: true }))
}

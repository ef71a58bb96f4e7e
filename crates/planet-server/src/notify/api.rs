//! `/api/v1/notifications`: a member's notifications for programs. The count also comes live
//! over the WebSocket `/notifications/live` (`{"kind":"bell","unread":n}`).

use super::service;
use crate::error::{ApiResult, ErrorBody};
use crate::identity::session::ApiCtx;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::{DateTime, Utc};
use planet_domain::{NotificationId, TopicId};
use planet_store::queries::notifications::Notification;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct NotificationDto {
    #[schema(value_type = String, format = Uuid)]
    pub id: NotificationId,
    /// Why: `mention`, `reply`, `message` (a followed topic) or `topic` (a followed group).
    pub kind: String,
    /// In plain words, like "Ann Baker replied to you in “Apple day”".
    pub headline: String,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub topic_id: Option<TopicId>,
    /// The number of the message it is about.
    pub number: Option<i32>,
    /// How many messages it stands for.
    pub count: i32,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl From<&Notification> for NotificationDto {
    fn from(n: &Notification) -> Self {
        Self {
            id: n.id,
            kind: n.kind.as_str().to_owned(),
            headline: service::describe(n),
            topic_id: n.topic,
            number: n.number,
            count: n.count,
            created_at: n.created_at,
            read_at: n.read_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct NotificationsDto {
    pub unread: u64,
    pub total: u64,
    pub notifications: Vec<NotificationDto>,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct PageParams {
    /// Page of 30, newest first, from 0.
    pub page: u64,
}

/// My notifications, newest first, with how many are unread.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(PageParams),
    responses((status = 200, body = NotificationsDto), (status = 403, body = ErrorBody)), security(("token" = [])))]
pub async fn list(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(params): Query<PageParams>,
) -> ApiResult<NotificationsDto> {
    let list = service::list(&state, &ctx, params.page).await?;
    Ok(Json(NotificationsDto {
        unread: list.unread,
        total: list.total,
        notifications: list.items.iter().map(NotificationDto::from).collect(),
    }))
}

/// Mark one of my notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications", params(("id" = String, Path, description = "notification id")),
    responses((status = 200, body = NotificationDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("token" = [])))]
pub async fn mark_read(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> ApiResult<NotificationDto> {
    let mut notification = service::mark_read(&state, &ctx, &id).await?;
    notification.read_at = notification.read_at.or(Some(ctx.now));
    Ok(Json(NotificationDto::from(&notification)))
}

#[derive(Serialize, ToSchema)]
pub struct MarkedDto {
    /// How many were unread and are now read.
    pub marked: u64,
}

/// Mark all my notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "notifications",
    responses((status = 200, body = MarkedDto), (status = 403, body = ErrorBody)), security(("token" = [])))]
pub async fn mark_all_read(State(state): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<MarkedDto> {
    Ok(Json(MarkedDto { marked: service::mark_all_read(&state, &ctx).await? }))
}

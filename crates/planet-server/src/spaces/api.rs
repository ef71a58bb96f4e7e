//! `/api/v1/spaces`.

use super::service::{self, SpaceInput};
use crate::access::{parse_space_id, require_space};
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::identity::session::ApiCtx;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use planet_domain::policy::Action;
use planet_domain::space::Role;
use planet_store::queries::spaces::{self, Space};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct SpaceDto {
    #[schema(value_type = String, format = Uuid)]
    pub id: planet_domain::SpaceId,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub parent_id: Option<planet_domain::SpaceId>,
    pub name: String,
    /// Markdown.
    pub description: String,
    /// `community`, `members` or `secret`.
    pub visibility: &'static str,
    /// `open`, `by_request` or `by_invitation`.
    pub join_policy: &'static str,
    /// My role here: `member`, `coordinator`, or absent.
    pub role: Option<&'static str>,
    pub members: u64,
}

fn dto(space: &Space, role: Option<Role>, members: u64) -> SpaceDto {
    SpaceDto {
        id: space.id,
        parent_id: space.parent_id,
        name: space.name.clone(),
        description: space.description.clone(),
        visibility: space.visibility.as_str(),
        join_policy: space.join_policy.as_str(),
        role: role.map(Role::as_str),
        members,
    }
}

/// Every space I may know of, parents before children.
#[utoipa::path(get, path = "/api/v1/spaces", tag = "spaces",
    responses((status = 200, body = Vec<SpaceDto>), (status = 401, body = ErrorBody)), security(("token" = [])))]
pub async fn list(State(state): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Vec<SpaceDto>> {
    let entries = service::visible_spaces(&state, &ctx).await?;
    Ok(Json(entries.iter().map(|e| dto(&e.space, e.role, e.members)).collect()))
}

/// One space.
#[utoipa::path(get, path = "/api/v1/spaces/{id}", tag = "spaces", params(("id" = String, Path, description = "space id")),
    responses((status = 200, body = SpaceDto), (status = 404, body = ErrorBody)), security(("token" = [])))]
pub async fn get(State(state): State<AppState>, ApiCtx(ctx): ApiCtx, Path(id): Path<String>) -> ApiResult<SpaceDto> {
    let access = require_space(state.db(), &ctx, Action::SeeSpace, parse_space_id(&id)?).await?;
    let members = spaces::count_members(state.db(), access.space().id).await?;
    Ok(Json(dto(access.space(), access.role(), members)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct NewSpaceBody {
    /// The space to create it in.
    pub parent_id: String,
    pub name: String,
    pub description: String,
    /// `community`, `members` or `secret`.
    pub visibility: String,
    /// `open`, `by_request` or `by_invitation`.
    pub join_policy: String,
}

/// Start a group inside another; I become its coordinator.
#[utoipa::path(post, path = "/api/v1/spaces", tag = "spaces", request_body = NewSpaceBody,
    responses((status = 200, body = SpaceDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
pub async fn create(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Json(body): Json<NewSpaceBody>,
) -> ApiResult<SpaceDto> {
    let input = SpaceInput {
        name: &body.name,
        description: &body.description,
        visibility: &body.visibility,
        join_policy: &body.join_policy,
    };
    let id = service::create(&state, &ctx, &body.parent_id, input).await?;
    let space = spaces::space(state.db(), id).await?.ok_or_else(AppError::not_found)?;
    Ok(Json(dto(&space, Some(Role::Coordinator), 1)))
}

/// Join a space (open, or I was invited).
#[utoipa::path(post, path = "/api/v1/spaces/{id}/join", tag = "spaces", params(("id" = String, Path, description = "space id")),
    responses((status = 200, body = SpaceDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("token" = [])))]
pub async fn join(State(state): State<AppState>, ApiCtx(ctx): ApiCtx, Path(id): Path<String>) -> ApiResult<SpaceDto> {
    let access = service::join(&state, &ctx, &id).await?;
    let members = spaces::count_members(state.db(), access.space().id).await?;
    Ok(Json(dto(access.space(), Some(Role::Member), members)))
}

#[derive(Serialize, ToSchema)]
pub struct Done {
    pub ok: bool,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct JoinRequestBody {
    pub message: String,
}

/// Ask to join a space whose coordinators decide.
#[utoipa::path(post, path = "/api/v1/spaces/{id}/requests", tag = "spaces", params(("id" = String, Path, description = "space id")), request_body = JoinRequestBody,
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)), security(("token" = [])))]
pub async fn request(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Json(body): Json<JoinRequestBody>,
) -> ApiResult<Done> {
    service::request_to_join(&state, &ctx, &id, &body.message).await?;
    Ok(Json(Done { ok: true }))
}

/// Leave a space.
#[utoipa::path(post, path = "/api/v1/spaces/{id}/leave", tag = "spaces", params(("id" = String, Path, description = "space id")),
    responses((status = 200, body = Done), (status = 403, body = ErrorBody)), security(("token" = [])))]
pub async fn leave(State(state): State<AppState>, ApiCtx(ctx): ApiCtx, Path(id): Path<String>) -> ApiResult<Done> {
    service::leave(&state, &ctx, &id).await?;
    Ok(Json(Done { ok: true }))
}

#[derive(Serialize, ToSchema)]
pub struct MembershipDto {
    #[schema(value_type = String, format = Uuid)]
    pub member_id: planet_domain::MemberId,
    pub name: String,
    /// `member` or `coordinator`.
    pub role: &'static str,
    pub joined_at: chrono::DateTime<chrono::Utc>,
}

/// A space's members (for those who may see inside it).
#[utoipa::path(get, path = "/api/v1/spaces/{id}/members", tag = "spaces", params(("id" = String, Path, description = "space id")),
    responses((status = 200, body = Vec<MembershipDto>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("token" = [])))]
pub async fn members(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> ApiResult<Vec<MembershipDto>> {
    let access = require_space(state.db(), &ctx, Action::ViewSpaceContent, parse_space_id(&id)?).await?;
    let members = spaces::members_of(state.db(), access.space().id).await?;
    Ok(Json(
        members
            .into_iter()
            .map(|m| MembershipDto {
                member_id: m.member.id,
                name: m.member.name,
                role: m.role.as_str(),
                joined_at: m.joined_at,
            })
            .collect(),
    ))
}

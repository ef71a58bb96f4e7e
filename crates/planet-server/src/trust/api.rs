//! `/api/v1/trust`: my statements, and making one.

use super::service::{self, StatementInput};
use crate::error::{ApiResult, ErrorBody};
use crate::identity::session::ApiCtx;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use planet_store::queries::trust::Statement;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct StatementDto {
    #[schema(value_type = String, format = Uuid)]
    pub id: planet_domain::StatementId,
    #[schema(value_type = String, format = Uuid)]
    pub subject: planet_domain::ProfileId,
    pub subject_name: String,
    /// `vouch`, `trust` or `customer`.
    pub kind: &'static str,
    /// `members`, `paths` or `private`.
    pub visibility: &'static str,
    pub note: String,
    pub met_in_person: bool,
    pub made_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

fn dto(s: &Statement) -> StatementDto {
    StatementDto {
        id: s.id,
        subject: s.subject,
        subject_name: s.subject_name.clone(),
        kind: s.kind.as_str(),
        visibility: s.visibility.as_str(),
        note: s.note.clone(),
        met_in_person: s.met_in_person,
        made_at: s.made_at,
        expires_at: s.expires_at,
    }
}

/// The statements I have made and not withdrawn.
#[utoipa::path(get, path = "/api/v1/trust", tag = "trust",
    responses((status = 200, body = Vec<StatementDto>), (status = 401, body = ErrorBody)), security(("token" = [])))]
pub async fn mine(State(state): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Vec<StatementDto>> {
    Ok(Json(service::my_trust(&state, &ctx).await?.made.iter().map(dto).collect()))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct NewStatementBody {
    /// `vouch`, `trust` or `customer`.
    pub kind: String,
    /// `members`, `paths` or `private`.
    pub visibility: String,
    pub note: String,
    pub met_in_person: bool,
}

#[derive(Serialize, ToSchema)]
pub struct MadeDto {
    /// Whether this vouch admitted an applicant.
    pub admitted: bool,
}

/// Vouch for, trust, or say I am a regular customer of a directory entry.
#[utoipa::path(post, path = "/api/v1/people/{id}/statements", tag = "trust", params(("id" = String, Path)),
    request_body = NewStatementBody,
    responses((status = 200, body = MadeDto), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("token" = [])))]
pub async fn make(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Json(body): Json<NewStatementBody>,
) -> ApiResult<MadeDto> {
    let input = StatementInput {
        kind: &body.kind,
        visibility: &body.visibility,
        note: &body.note,
        met_in_person: body.met_in_person,
    };
    Ok(Json(MadeDto { admitted: service::make_statement(&state, &ctx, &id, input).await? }))
}

/// Withdraw one of my statements.
#[utoipa::path(post, path = "/api/v1/trust/{id}/withdraw", tag = "trust", params(("id" = String, Path)),
    responses((status = 200, body = StatementDto), (status = 404, body = ErrorBody)), security(("token" = [])))]
pub async fn withdraw(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> ApiResult<StatementDto> {
    let statement = service::revoke(&state, &ctx, &id).await?;
    Ok(Json(dto(&statement)))
}

/// Renew one of my statements for another two years.
#[utoipa::path(post, path = "/api/v1/trust/{id}/renew", tag = "trust", params(("id" = String, Path)),
    responses((status = 200, body = StatementDto), (status = 404, body = ErrorBody)), security(("token" = [])))]
pub async fn renew(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> ApiResult<StatementDto> {
    let statement = service::renew(&state, &ctx, &id).await?;
    Ok(Json(dto(&statement)))
}

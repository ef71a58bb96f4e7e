//! `/api/v1/me`.

use super::session::ApiCtx;
use crate::error::{ApiResult, ErrorBody};
use axum::Json;
use planet_domain::policy::Action;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct MeDto {
    #[schema(value_type = String, format = Uuid)]
    pub id: planet_domain::MemberId,
    pub name: String,
    pub email: String,
    /// `member`, `applicant`, `suspended` or `declined`.
    pub status: &'static str,
    pub steward: bool,
}

/// Who the token (or session) belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "identity",
    responses((status = 200, body = MeDto), (status = 401, body = ErrorBody)),
    security(("token" = [])))]
pub async fn me(ApiCtx(ctx): ApiCtx) -> ApiResult<MeDto> {
    ctx.require(Action::ViewOwnApplication)?;
    let member = ctx.member()?;
    Ok(Json(MeDto {
        id: member.id,
        name: member.name.clone(),
        email: member.email.clone(),
        status: member.status.as_str(),
        steward: member.steward,
    }))
}

//! `/api/v1/invitations`.

use super::service;
use crate::error::{ApiResult, ErrorBody};
use crate::identity::session::ApiCtx;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use planet_domain::admission::{InvitationState, invitation_state};
use planet_store::queries::admission::Invitation;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct InvitationDto {
    #[schema(value_type = String, format = Uuid)]
    pub id: planet_domain::InvitationId,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// `usable`, `used`, `expired` or `revoked`.
    pub state: &'static str,
}

fn dto(invitation: &Invitation, now: DateTime<Utc>) -> InvitationDto {
    InvitationDto {
        id: invitation.id,
        note: invitation.note.clone(),
        created_at: invitation.created_at,
        expires_at: invitation.expires_at,
        state: match invitation_state(invitation.facts(), now) {
            InvitationState::Usable => "usable",
            InvitationState::Used => "used",
            InvitationState::Expired => "expired",
            InvitationState::Revoked => "revoked",
        },
    }
}

#[derive(Serialize, ToSchema)]
pub struct NewInvitationDto {
    pub invitation: InvitationDto,
    /// The link to give the invitee. Shown only this once.
    pub link: String,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct NewInvitationBody {
    /// Who it is for (only the inviter sees this).
    pub note: String,
}

/// The invitations I have made.
#[utoipa::path(get, path = "/api/v1/invitations", tag = "admission",
    responses((status = 200, body = Vec<InvitationDto>), (status = 401, body = ErrorBody)), security(("token" = [])))]
pub async fn list(State(state): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Vec<InvitationDto>> {
    let now = state.now();
    Ok(Json(service::my_invitations(&state, &ctx).await?.iter().map(|i| dto(i, now)).collect()))
}

/// Make an invitation link (single use, 14 days).
#[utoipa::path(post, path = "/api/v1/invitations", tag = "admission", request_body = NewInvitationBody,
    responses((status = 200, body = NewInvitationDto), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)), security(("token" = [])))]
pub async fn create(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Json(body): Json<NewInvitationBody>,
) -> ApiResult<NewInvitationDto> {
    let new = service::invite(&state, &ctx, &body.note).await?;
    Ok(Json(NewInvitationDto { invitation: dto(&new.invitation, state.now()), link: new.link }))
}

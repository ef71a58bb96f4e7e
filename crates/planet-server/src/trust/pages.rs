//! "My trust", and withdrawing or renewing a statement.

use super::service;
use crate::admission::pages::day;
use crate::error::AppResult;
use crate::identity::session::Ctx;
use crate::people::pages::{StatementView, statement_view};
use crate::state::AppState;
use crate::web::layout::Layout;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use planet_domain::trust::{StatementState, statement_state};

pub struct MadeView {
    statement: StatementView,
    subject: String,
    subject_id: String,
    expires: String,
    state: &'static str,
}

pub struct MightKnowView {
    id: String,
    name: String,
    reason: String,
    applied: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "trust/mine.html")]
struct MinePage {
    layout: Layout,
    made: Vec<MadeView>,
    near_expiry: Vec<MadeView>,
    received: Vec<StatementView>,
    anonymous: usize,
    might_know: Vec<MightKnowView>,
    my_id: String,
}

fn made_view(s: &planet_store::queries::trust::Statement, now: chrono::DateTime<chrono::Utc>) -> MadeView {
    MadeView {
        statement: statement_view(s),
        subject: s.subject_name.clone(),
        subject_id: s.subject.to_string(),
        expires: day(s.expires_at),
        state: match statement_state(s.expires_at, s.revoked_at.is_some(), now) {
            StatementState::Active => "Standing",
            StatementState::NearExpiry => "Ends soon",
            StatementState::Expired => "Ended",
            StatementState::Revoked => "Withdrawn",
        },
    }
}

pub async fn mine(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let mine = service::my_trust(&state, &ctx).await?;
    let now = state.now();
    Ok(MinePage {
        layout: ctx.layout("My trust"),
        made: mine.made.iter().map(|s| made_view(s, now)).collect(),
        near_expiry: mine.near_expiry.iter().map(|s| made_view(s, now)).collect(),
        received: mine.received.open.iter().map(statement_view).collect(),
        anonymous: mine.received.anonymous,
        might_know: mine
            .might_know
            .into_iter()
            .map(|m| MightKnowView {
                id: m.profile.to_string(),
                name: m.name,
                reason: m.reason,
                applied: day(m.applied),
            })
            .collect(),
        my_id: ctx.member()?.id.to_string(),
    }
    .into_response())
}

pub async fn withdraw(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    service::revoke(&state, &ctx, &id).await?;
    Ok(Redirect::to("/trust?done=statement_withdrawn").into_response())
}

pub async fn renew(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    service::renew(&state, &ctx, &id).await?;
    Ok(Redirect::to("/trust?done=statement_renewed").into_response())
}

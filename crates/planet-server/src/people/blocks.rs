//! Blocking a member: their messages are folded away for the blocker, and nothing they write
//! makes the blocker hear of it (mentions, replies, followed topics). They are not told.

use crate::error::{AppError, AppResult};
use crate::identity::session::Ctx;
use crate::state::AppState;
use crate::web::layout::Layout;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use planet_domain::MemberId;
use planet_domain::policy::Action;
use planet_store::queries::blocks;

/// The member behind a person's entry, if the actor may block them.
async fn blockable(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<MemberId> {
    // Whoever's page one may not see (removed, suspended…) is not there to block either.
    let subject = crate::trust::service::subject(state, ctx, id).await?;
    let Some(member) = subject.profile.member else {
        return Err(AppError::refused("not_a_person", "Only people can be blocked, not businesses or organisations."));
    };
    if member == ctx.member()?.id {
        return Err(AppError::refused("block_self", "You cannot block yourself."));
    }
    Ok(member)
}

/// Whether the viewer has blocked the member behind an entry (None: not someone they could block).
pub async fn state_of(state: &AppState, ctx: &Ctx, member: Option<MemberId>) -> AppResult<Option<bool>> {
    let me = ctx.member()?.id;
    match member {
        Some(member) if member != me => Ok(Some(blocks::blocked_by(state.db(), me).await?.contains(&member))),
        _ => Ok(None),
    }
}

pub async fn block(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let member = blockable(&state, &ctx, &id).await?;
    blocks::block(state.db(), ctx.member()?.id, member, state.now()).await?;
    state.changed();
    Ok(Redirect::to(&format!("/people/{id}?done=blocked#blocking")).into_response())
}

pub async fn unblock(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let member = blockable(&state, &ctx, &id).await?;
    blocks::unblock(state.db(), ctx.member()?.id, member).await?;
    state.changed();
    Ok(Redirect::to(&format!("/people/{id}?done=unblocked#blocking")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "people/blocked.html")]
struct BlockedPage {
    layout: Layout,
    blocked: Vec<(String, String)>,
}

/// Whom I have blocked.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ViewDirectory)?;
    let blocked = blocks::blocked_with_names(state.db(), ctx.member()?.id).await?;
    Ok(BlockedPage {
        layout: ctx.layout("People you have blocked"),
        blocked: blocked.into_iter().map(|(id, name)| (id.to_string(), name)).collect(),
    }
    .into_response())
}

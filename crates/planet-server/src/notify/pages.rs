//! The member's notifications, marking them read, and how often to email.

use super::service;
use crate::error::AppResult;
use crate::identity::session::Ctx;
use crate::state::AppState;
use crate::talk::pages::when;
use crate::web::layout::Layout;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use planet_domain::notification::EmailFrequency;
use serde::Deserialize;

pub struct NotificationView {
    id: String,
    headline: String,
    excerpt: String,
    link: String,
    when: String,
    unread: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "notify/list.html")]
struct ListPage {
    layout: Layout,
    items: Vec<NotificationView>,
    unread: u64,
    email: &'static str,
    page: u64,
    more: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    page: u64,
}

pub async fn list(State(state): State<AppState>, ctx: Ctx, Query(query): Query<PageQuery>) -> AppResult<Response> {
    let list = service::list(&state, &ctx, query.page).await?;
    let mut layout = ctx.layout("Your notifications");
    // The page itself is the latest word on the count.
    layout.nav.unread = list.unread;
    Ok(ListPage {
        layout,
        items: list
            .items
            .iter()
            .map(|n| NotificationView {
                id: n.id.to_string(),
                headline: service::describe(n),
                excerpt: n.excerpt.clone(),
                link: service::link(n),
                when: when(n.created_at),
                unread: n.read_at.is_none(),
            })
            .collect(),
        unread: list.unread,
        email: match list.email {
            EmailFrequency::AtOnce => "an email for each notification",
            EmailFrequency::Daily => "one email a day at most, with everything new",
            EmailFrequency::Never => "none",
        },
        page: query.page,
        more: (query.page + 1) * service::PAGE_SIZE < list.total,
    }
    .into_response())
}

pub async fn mark_read(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    service::mark_read(&state, &ctx, &id).await?;
    Ok(Redirect::to("/notifications").into_response())
}

pub async fn mark_all_read(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    service::mark_all_read(&state, &ctx).await?;
    Ok(Redirect::to("/notifications?done=all_read").into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "notify/settings.html")]
struct SettingsPage {
    layout: Layout,
    choices: Vec<(&'static str, &'static str)>,
    current: &'static str,
}

fn settings_page(ctx: &Ctx, current: EmailFrequency) -> SettingsPage {
    SettingsPage {
        layout: ctx.layout("Email about your notifications"),
        choices: EmailFrequency::ALL.iter().map(|f| (f.as_str(), f.label())).collect(),
        current: current.as_str(),
    }
}

pub async fn settings(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let current = service::settings(&state, &ctx).await?;
    Ok(settings_page(&ctx, current).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SettingsForm {
    email: String,
}

pub async fn save_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<SettingsForm>,
) -> AppResult<Response> {
    service::save_settings(&state, &ctx, &form.email).await?;
    Ok(Redirect::to("/notifications/settings?done=notification_settings").into_response())
}

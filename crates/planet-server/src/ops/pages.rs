//! The stewards' pages, and `/healthz`.

use super::service;
use crate::error::AppResult;
use crate::identity::session::Ctx;
use crate::state::AppState;
use crate::web::forms::FormErrors;
use crate::web::layout::Layout;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use planet_domain::policy::Action;
use planet_domain::space::AccountStatus;
use planet_store::queries::admission;
use serde::Deserialize;

fn when(time: chrono::DateTime<chrono::Utc>) -> String {
    time.format("%-d %b %Y, %H:%M").to_string()
}

pub async fn healthz(State(state): State<AppState>) -> Response {
    match planet_store::queries::community::get(state.db()).await {
        Ok(_) => "ok".into_response(),
        Err(err) => {
            tracing::error!(%err, "health check failed");
            (axum::http::StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "ops/admin.html")]
struct AdminPage {
    layout: Layout,
    waiting: u64,
    mail_configured: bool,
}

pub async fn admin(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::DecideApplications)?;
    Ok(AdminPage {
        layout: ctx.layout("Stewards' pages"),
        waiting: admission::count_waiting(state.db()).await?,
        mail_configured: state.config().smtp.is_some(),
    }
    .into_response())
}

pub struct MemberRow {
    id: String,
    name: String,
    email: String,
    status: &'static str,
    steward: bool,
    suspended: bool,
    removed: bool,
    me: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "ops/members.html")]
struct MembersPage {
    layout: Layout,
    q: String,
    members: Vec<MemberRow>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SearchQuery {
    q: String,
}

pub async fn members(State(state): State<AppState>, ctx: Ctx, Query(query): Query<SearchQuery>) -> AppResult<Response> {
    let me = ctx.member()?.id;
    let q: String = query.q.chars().take(100).collect();
    let members = service::members(&state, &ctx, &q)
        .await?
        .into_iter()
        .map(|m| MemberRow {
            id: m.id.to_string(),
            status: m.status.label(),
            suspended: m.status == AccountStatus::Suspended,
            removed: m.status == AccountStatus::Removed,
            me: m.id == me,
            steward: m.steward,
            name: m.name,
            email: m.email,
        })
        .collect();
    Ok(MembersPage { layout: ctx.layout("Members"), q, members }.into_response())
}

pub async fn suspend(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    service::suspend(&state, &ctx, &id).await?;
    Ok(Redirect::to("/admin/members?done=suspended").into_response())
}

pub async fn restore(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    service::restore(&state, &ctx, &id).await?;
    Ok(Redirect::to("/admin/members?done=restored").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StewardForm {
    steward: String,
}

pub async fn set_steward(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<StewardForm>,
) -> AppResult<Response> {
    service::set_steward(&state, &ctx, &id, &form.steward).await?;
    Ok(Redirect::to("/admin/members?done=steward").into_response())
}

pub struct MessageRow {
    id: String,
    to: String,
    subject: String,
    when: String,
    state: String,
}

fn message_state(sent: bool, attempts: i32, error: &Option<String>, configured: bool) -> String {
    match (sent, error) {
        (true, _) => "Sent".to_owned(),
        (false, Some(err)) => format!("Not sent after {attempts} tries: {err}"),
        (false, None) if configured => "Waiting to be sent".to_owned(),
        (false, None) => "Not sent (no mail server)".to_owned(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "ops/outbox.html")]
struct OutboxPage {
    layout: Layout,
    mail_configured: bool,
    messages: Vec<MessageRow>,
}

pub async fn outbox(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let configured = state.config().smtp.is_some();
    let messages = service::outbox(&state, &ctx)
        .await?
        .into_iter()
        .map(|m| MessageRow {
            id: m.id.to_string(),
            state: message_state(m.sent_at.is_some(), m.attempts, &m.last_error, configured),
            to: m.to_address,
            subject: m.subject,
            when: when(m.created_at),
        })
        .collect();
    Ok(OutboxPage { layout: ctx.layout("Outbox"), mail_configured: configured, messages }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "ops/outbox_message.html")]
struct OutboxMessagePage {
    layout: Layout,
    to: String,
    subject: String,
    when: String,
    state: String,
    body: String,
}

pub async fn outbox_message(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let m = service::outbox_message(&state, &ctx, &id).await?;
    Ok(OutboxMessagePage {
        layout: ctx.layout(m.subject.clone()),
        state: message_state(m.sent_at.is_some(), m.attempts, &m.last_error, state.config().smtp.is_some()),
        to: m.to_address,
        subject: m.subject,
        when: when(m.created_at),
        body: m.body,
    }
    .into_response())
}

pub struct AuditRow {
    when: String,
    who: String,
    action: String,
    subject: String,
    detail: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "ops/audit.html")]
struct AuditPage {
    layout: Layout,
    entries: Vec<AuditRow>,
    page: u64,
    more: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    page: u64,
}

pub async fn audit(State(state): State<AppState>, ctx: Ctx, Query(query): Query<PageQuery>) -> AppResult<Response> {
    let page = query.page.min(10_000);
    let (entries, total) = service::audit_log(&state, &ctx, page).await?;
    let more = (page + 1) * 100 < total;
    let entries = entries
        .into_iter()
        .map(|(e, who)| AuditRow {
            when: when(e.created_at),
            who,
            action: e.action,
            subject: e.subject,
            detail: e.detail,
        })
        .collect();
    Ok(AuditPage { layout: ctx.layout("Audit log"), entries, page, more }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "ops/remove.html")]
struct RemovePage {
    layout: Layout,
    id: String,
    name: String,
    vouchers: Vec<(String, String)>,
    errors: FormErrors,
}

async fn remove_page(state: &AppState, ctx: &Ctx, id: &str, errors: FormErrors) -> AppResult<RemovePage> {
    let removal = service::removal(state, ctx, id).await?;
    Ok(RemovePage {
        layout: ctx.layout(format!("Remove {}", removal.member.name)),
        id: removal.member.id.to_string(),
        name: removal.member.name,
        vouchers: removal.vouchers.into_iter().map(|(id, name)| (id.to_string(), name)).collect(),
        errors,
    })
}

pub async fn remove_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    Ok(remove_page(&state, &ctx, &id, FormErrors::none()).await?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RemoveForm {
    reason: String,
}

pub async fn remove(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<RemoveForm>,
) -> AppResult<Response> {
    match service::remove(&state, &ctx, &id, &form.reason).await {
        Ok(_) => Ok(Redirect::to("/admin/review?done=removed").into_response()),
        Err(err) => {
            let page = remove_page(&state, &ctx, &id, FormErrors::none()).await?;
            crate::web::forms::form_again(err, |errors| RemovePage { errors, ..page })
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "ops/review.html")]
struct ReviewPage {
    layout: Layout,
    people: Vec<(String, String, String, String)>,
}

pub async fn review(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let people = service::to_review(&state, &ctx)
        .await?
        .into_iter()
        .map(|r| {
            let status = AccountStatus::parse(&r.status).map(AccountStatus::label).unwrap_or("").to_owned();
            (r.member.to_string(), r.name, status, r.removed_voucher)
        })
        .collect();
    Ok(ReviewPage { layout: ctx.layout("Members to review"), people }.into_response())
}

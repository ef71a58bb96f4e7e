//! The moderators' pages: the queue, decisions on messages and topics, member actions,
//! settings, earlier versions of a message, and the log members read.

use super::service;
use crate::error::{AppError, AppResult};
use crate::identity::session::Ctx;
use crate::state::AppState;
use crate::talk::pages::{back_to, when};
use crate::web::forms::FormErrors;
use crate::web::layout::Layout;
use crate::web::markdown;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use planet_domain::talk::ModerationKind;
use planet_store::queries::talk::{self};
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ModerateForm {
    action: String,
    to: String,
    back: String,
}

pub async fn moderate_message(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<ModerateForm>,
) -> AppResult<Response> {
    let (message, _) = service::moderate_message(&state, &ctx, &id, &form.action).await?;
    if form.back == "queue" {
        let topic = talk::topic(state.db(), message.topic).await?.ok_or_else(AppError::not_found)?;
        return Ok(Redirect::to(&format!("/spaces/{}/moderation?done=moderated", topic.space)).into_response());
    }
    Ok(back_to(message.topic, message.number, "moderated").into_response())
}

pub async fn moderate_topic(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<ModerateForm>,
) -> AppResult<Response> {
    let topic = service::moderate_topic(&state, &ctx, &id, &form.action, &form.to).await?;
    Ok(Redirect::to(&format!("/topics/{}?done=moderated", topic.id)).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "talk/history.html")]
struct HistoryPage {
    layout: Layout,
    topic_id: String,
    number: i32,
    author: String,
    now_html: String,
    earlier: Vec<(String, String)>,
}

pub async fn history(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let (message, topic, edits) = service::history(&state, &ctx, &id).await?;
    Ok(HistoryPage {
        layout: ctx.layout("Earlier versions of a message"),
        topic_id: topic.id.to_string(),
        number: message.number,
        author: message.author_name.clone(),
        now_html: message.html.clone(),
        earlier: edits.iter().map(|(body, at)| (when(*at), markdown::render(body))).collect(),
    }
    .into_response())
}

pub struct QueueView {
    message_id: String,
    topic_id: String,
    topic_title: String,
    /// From a private conversation: only this message is shown, and no link into it.
    private: bool,
    number: i32,
    author: String,
    when: String,
    body_html: String,
    pending: bool,
    hidden: bool,
    reports: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "talk/queue.html")]
struct QueuePage {
    layout: Layout,
    space_id: String,
    space_name: String,
    items: Vec<QueueView>,
    members: Vec<(String, String)>,
    threshold: u32,
    first_messages: u32,
    errors: FormErrors,
    member_errors: FormErrors,
}

async fn queue_page(
    state: &AppState,
    ctx: &Ctx,
    space: &str,
    errors: FormErrors,
    member_errors: FormErrors,
) -> AppResult<QueuePage> {
    let queue = service::queue(state, ctx, space).await?;
    let place = &queue.place;
    Ok(QueuePage {
        layout: ctx.layout(format!("Moderation in {}", place.access.space().name)),
        space_id: place.space_id().to_string(),
        space_name: place.access.space().name.clone(),
        items: queue
            .items
            .iter()
            .map(|item| QueueView {
                message_id: item.message.id.to_string(),
                topic_id: item.topic.id.to_string(),
                topic_title: item.topic.title.clone(),
                private: item.topic.private,
                number: item.message.number,
                author: item.message.author_name.clone(),
                when: when(item.message.created_at),
                body_html: item.message.html.clone(),
                pending: item.message.pending && item.message.hidden_at.is_none(),
                hidden: item.message.hidden_at.is_some(),
                reports: item.reports.iter().map(|r| (r.reporter_name.clone(), r.reason.clone())).collect(),
            })
            .collect(),
        members: queue.members.iter().map(|(id, name)| (id.to_string(), name.clone())).collect(),
        threshold: place.rules.report_threshold,
        first_messages: place.rules.first_messages_to_approve,
        errors,
        member_errors,
    })
}

pub async fn queue(State(state): State<AppState>, ctx: Ctx, Path(space): Path<String>) -> AppResult<Response> {
    Ok(queue_page(&state, &ctx, &space, FormErrors::none(), FormErrors::none()).await?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MemberActionForm {
    member: String,
    action: String,
    days: String,
    note: String,
}

pub async fn moderate_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Form(form): Form<MemberActionForm>,
) -> AppResult<Response> {
    match service::moderate_member(&state, &ctx, &space, &form.member, &form.action, &form.days, &form.note).await {
        Ok(_) => Ok(Redirect::to(&format!("/spaces/{space}/moderation?done=member_moderated")).into_response()),
        Err(AppError::Invalid(fields)) => {
            let page = queue_page(&state, &ctx, &space, FormErrors::none(), fields.into()).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(err) => Err(err),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RulesForm {
    report_threshold: String,
    first_messages: String,
}

pub async fn save_rules(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Form(form): Form<RulesForm>,
) -> AppResult<Response> {
    match service::save_rules(&state, &ctx, &space, &form.report_threshold, &form.first_messages).await {
        Ok(()) => Ok(Redirect::to(&format!("/spaces/{space}/moderation?done=rules_saved")).into_response()),
        Err(AppError::Invalid(fields)) => {
            let page = queue_page(&state, &ctx, &space, fields.into(), FormErrors::none()).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(err) => Err(err),
    }
}

pub struct LogRow {
    when: String,
    what: &'static str,
    moderator: String,
    member: String,
    topic: Option<String>,
    note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "talk/log.html")]
struct LogPage {
    layout: Layout,
    space_id: String,
    space_name: String,
    rows: Vec<LogRow>,
}

pub async fn log(State(state): State<AppState>, ctx: Ctx, Path(space): Path<String>) -> AppResult<Response> {
    let (place, entries) = service::log(&state, &ctx, &space).await?;
    Ok(LogPage {
        layout: ctx.layout(format!("Moderation log of {}", place.access.space().name)),
        space_id: place.space_id().to_string(),
        space_name: place.access.space().name.clone(),
        rows: entries
            .into_iter()
            .map(|e| LogRow {
                when: when(e.created_at),
                what: e.kind.label(),
                moderator: e.moderator_name.unwrap_or_else(|| {
                    if e.kind == ModerationKind::AutoHide { "Members' reports".to_owned() } else { String::new() }
                }),
                member: e.member_name.unwrap_or_default(),
                topic: e.topic.map(|t| t.to_string()),
                note: e.note,
            })
            .collect(),
    }
    .into_response())
}

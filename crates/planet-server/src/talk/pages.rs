//! Talk pages: a space's topics, a topic with its messages and the reply form, editing,
//! reporting, the moderation queue and log, and the live WebSocket.

use super::live::Subscription;
use super::service::{self, Posted, TalkPlace};
use crate::access::SpaceAccess;
use crate::error::{AppError, AppResult};
use crate::identity::session::Ctx;
use crate::state::AppState;
use crate::web::forms::{FormErrors, form_again};
use crate::web::layout::Layout;
use crate::web::markdown;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use planet_domain::policy::Action;
use planet_domain::talk::{MessageState, ModerationKind, Reaction};
use planet_domain::{MemberId, TopicId};
use planet_store::queries::talk::{self, Message, Topic};
use serde::Deserialize;

/// "28 November 2026 at 14:05" (UTC, like the rest of the site).
pub fn when(time: DateTime<Utc>) -> String {
    time.format("%-d %B %Y at %H:%M").to_string()
}

pub struct ReactionView {
    kind: &'static str,
    emoji: &'static str,
    label: &'static str,
    count: u32,
    mine: bool,
}

/// A message as a page shows it. Built for one viewer, or for nobody in particular (live
/// updates: the page's script shows the author's own buttons).
pub struct MessageView {
    id: String,
    topic_id: String,
    /// Rendered for nobody in particular: the author's and others' buttons are both there, and
    /// the page's script shows the right ones.
    live: bool,
    number: i32,
    author_id: String,
    author_name: String,
    when: String,
    iso: String,
    edited: bool,
    state: &'static str,
    body_html: String,
    reply_to: Option<i32>,
    reactions: Vec<ReactionView>,
    palette: Vec<ReactionView>,
    own: bool,
    moderator: bool,
    can_react: bool,
    new_line: bool,
}

struct Viewer {
    member: Option<MemberId>,
    moderator: bool,
    can_react: bool,
}

fn message_view(m: &Message, reactions: &[(Reaction, u32, bool)], viewer: &Viewer) -> MessageView {
    let state = MessageState::of(m.deleted_at.is_some(), m.hidden_at.is_some(), m.pending);
    let own = viewer.member == Some(m.author);
    let shown = state.text_shown(own, viewer.moderator);
    let view = |(kind, count, mine): &(Reaction, u32, bool)| ReactionView {
        kind: kind.as_str(),
        emoji: kind.emoji(),
        label: kind.label(),
        count: *count,
        mine: *mine,
    };
    MessageView {
        id: m.id.to_string(),
        topic_id: m.topic.to_string(),
        live: viewer.member.is_none(),
        number: m.number,
        author_id: m.author.to_string(),
        author_name: m.author_name.clone(),
        when: when(m.created_at),
        iso: m.created_at.to_rfc3339(),
        edited: m.edited_at.is_some() && state != MessageState::Deleted,
        state: match state {
            MessageState::Published => "published",
            MessageState::Pending => "pending",
            MessageState::Hidden => "hidden",
            MessageState::Deleted => "deleted",
        },
        body_html: if shown { m.html.clone() } else { String::new() },
        reply_to: m.reply_to,
        reactions: if state == MessageState::Published { reactions.iter().map(view).collect() } else { Vec::new() },
        palette: if state == MessageState::Published {
            Reaction::ALL
                .iter()
                .map(|kind| {
                    reactions.iter().find(|(k, _, _)| k == kind).map(view).unwrap_or(ReactionView {
                        kind: kind.as_str(),
                        emoji: kind.emoji(),
                        label: kind.label(),
                        count: 0,
                        mine: false,
                    })
                })
                .collect()
        } else {
            Vec::new()
        },
        own,
        moderator: viewer.moderator,
        can_react: viewer.can_react && state == MessageState::Published,
        new_line: false,
    }
}

#[derive(Template)]
#[template(path = "talk/fragment.html")]
struct Fragment {
    m: MessageView,
}

/// One message rendered for nobody in particular (live updates). `None` when it is waiting
/// for approval (nobody else may see it yet).
pub async fn live_fragment(state: &AppState, topic: TopicId, number: i32) -> AppResult<Option<String>> {
    let Some(message) = talk::message_by_number(state.db(), topic, number).await? else {
        return Ok(None);
    };
    // Waiting for approval (or not approved): never sent to pages.
    if message.pending {
        return Ok(None);
    }
    let nobody = MemberId::from_uuid(uuid::Uuid::nil());
    let reactions = talk::reactions(state.db(), &[message.id], nobody).await?;
    let viewer = Viewer { member: None, moderator: false, can_react: true };
    let view = message_view(&message, reactions.get(&message.id).map(Vec::as_slice).unwrap_or(&[]), &viewer);
    Fragment { m: view }.render().map(Some).map_err(|e| AppError::Internal(e.to_string()))
}

fn crumbs(access: &SpaceAccess) -> Vec<(String, String)> {
    access.chain.iter().map(|s| (s.id.to_string(), s.name.clone())).collect()
}

pub struct TopicRow {
    id: String,
    title: String,
    author: String,
    last: String,
    messages: i32,
    unread: Option<i32>,
    pinned: bool,
    locked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "talk/topics.html")]
struct TopicsPage {
    layout: Layout,
    space_id: String,
    space_name: String,
    crumbs: Vec<(String, String)>,
    topics: Vec<TopicRow>,
    total: u64,
    page: u64,
    more: bool,
    can_start: bool,
    why_not: &'static str,
    moderator: bool,
    waiting: u64,
    errors: FormErrors,
    title: String,
    body: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    page: u64,
}

fn why_cannot_write(place: &TalkPlace) -> &'static str {
    if place.muted {
        "A moderator has paused your messages in this group for a while."
    } else if place.access.role().is_none() {
        "Join the group to take part in its conversations."
    } else {
        "You cannot write here."
    }
}

async fn topics_page(
    state: &AppState,
    ctx: &Ctx,
    space: &str,
    page: u64,
    errors: FormErrors,
    title: String,
    body: String,
) -> AppResult<TopicsPage> {
    let list = service::topics(state, ctx, space, page).await?;
    let place = &list.place;
    let moderator = place.is_moderator(ctx);
    let waiting = if moderator { talk::queue_length(state.db(), &[place.space_id()]).await? } else { 0 };
    Ok(TopicsPage {
        layout: ctx.layout(format!("Conversations in {}", place.access.space().name)),
        space_id: place.space_id().to_string(),
        space_name: place.access.space().name.clone(),
        crumbs: crumbs(&place.access),
        topics: list
            .topics
            .iter()
            .map(|t| TopicRow {
                id: t.topic.id.to_string(),
                title: t.topic.title.clone(),
                author: t.author_name.clone(),
                last: when(t.topic.last_message_at),
                messages: t.topic.last_number,
                unread: t.unread,
                pinned: t.topic.pinned,
                locked: t.topic.locked,
            })
            .collect(),
        total: list.total,
        page,
        more: (page + 1) * 30 < list.total,
        can_start: place.allows(ctx, Action::StartTopic, false, false),
        why_not: why_cannot_write(place),
        moderator,
        waiting,
        errors,
        title,
        body,
    })
}

pub async fn topics(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    Ok(topics_page(&state, &ctx, &space, query.page, FormErrors::none(), String::new(), String::new())
        .await?
        .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TopicForm {
    title: String,
    body: String,
}

fn after_posting(posted: Posted) -> Redirect {
    if posted.pending {
        Redirect::to(&format!("/topics/{}?done=message_waiting", posted.topic))
    } else {
        Redirect::to(&format!("/topics/{}?done=posted#m{}", posted.topic, posted.number))
    }
}

pub async fn create_topic(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Form(form): Form<TopicForm>,
) -> AppResult<Response> {
    match service::start_topic(&state, &ctx, &space, &form.title, &form.body).await {
        Ok(posted) => Ok(after_posting(posted).into_response()),
        Err(AppError::Invalid(fields)) => {
            let page = topics_page(&state, &ctx, &space, 0, fields.into(), form.title, form.body).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(err) => Err(err),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "talk/topic.html")]
struct TopicPage {
    layout: Layout,
    topic_id: String,
    title: String,
    space_id: String,
    crumbs: Vec<(String, String)>,
    pinned: bool,
    locked: bool,
    messages: Vec<MessageView>,
    earlier: Option<i32>,
    later: Option<i32>,
    member_id: String,
    can_post: bool,
    can_react: bool,
    why_not: &'static str,
    moderator: bool,
    errors: FormErrors,
    body: String,
    reply_to: Option<i32>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TopicQuery {
    upto: Option<i32>,
    quote: Option<i32>,
}

async fn topic_page(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    query: TopicQuery,
    errors: FormErrors,
    body: Option<String>,
) -> AppResult<TopicPage> {
    let view = service::view_topic(state, ctx, id, query.upto).await?;
    let place = &view.place;
    let member = ctx.member()?.id;
    let moderator = place.is_moderator(ctx);
    let can_react = place.allows(ctx, Action::React, view.topic.locked, false);
    let viewer = Viewer { member: Some(member), moderator, can_react };
    let mut new_line_done = view.last_read.is_none();
    let messages = view
        .messages
        .iter()
        .map(|m| {
            let mut v = message_view(m, view.reactions.get(&m.id).map(Vec::as_slice).unwrap_or(&[]), &viewer);
            if !new_line_done && view.last_read.is_some_and(|read| m.number > read) && m.author != member {
                v.new_line = true;
                new_line_done = true;
            }
            v
        })
        .collect();
    // Replying with a quote fills the form with the start of the quoted message.
    let (body, reply_to) = match (body, query.quote) {
        (Some(body), _) => (body, None),
        (None, Some(number)) => match view.messages.iter().find(|m| m.number == number) {
            Some(m) if m.deleted_at.is_none() && m.hidden_at.is_none() && !m.pending => {
                (planet_domain::talk::quote(&m.author_name, &m.body), Some(number))
            }
            _ => (String::new(), None),
        },
        (None, None) => (String::new(), None),
    };
    let last_shown = view.messages.last().map_or(0, |m| m.number);
    Ok(TopicPage {
        layout: ctx.layout(view.topic.title.clone()),
        topic_id: view.topic.id.to_string(),
        title: view.topic.title.clone(),
        space_id: place.space_id().to_string(),
        crumbs: crumbs(&place.access),
        pinned: view.topic.pinned,
        locked: view.topic.locked,
        messages,
        earlier: (view.first > 1).then_some(view.first - 1),
        later: (last_shown < view.topic.last_number && query.upto.is_some()).then_some(view.topic.last_number),
        member_id: member.to_string(),
        can_post: place.allows(ctx, Action::PostMessage, view.topic.locked, false),
        can_react,
        why_not: if view.topic.locked && !place.muted && place.access.role().is_some() {
            "This topic is locked: no new messages."
        } else {
            why_cannot_write(place)
        },
        moderator,
        errors,
        body,
        reply_to,
    })
}

pub async fn topic(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(query): Query<TopicQuery>,
) -> AppResult<Response> {
    Ok(topic_page(&state, &ctx, &id, query, FormErrors::none(), None).await?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MessageForm {
    body: String,
    reply_to: Option<i32>,
}

pub async fn post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<MessageForm>,
) -> AppResult<Response> {
    match service::post(&state, &ctx, &id, &form.body, form.reply_to).await {
        Ok(posted) => Ok(after_posting(posted).into_response()),
        Err(AppError::Invalid(fields)) => {
            let page = topic_page(&state, &ctx, &id, TopicQuery::default(), fields.into(), Some(form.body)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(err) => Err(err),
    }
}

fn back_to(topic: TopicId, number: i32, done: &str) -> Redirect {
    Redirect::to(&format!("/topics/{topic}?done={done}#m{number}"))
}

#[derive(Template, WebTemplate)]
#[template(path = "talk/edit.html")]
struct EditPage {
    layout: Layout,
    message_id: String,
    topic_id: String,
    title: String,
    errors: FormErrors,
    body: String,
}

pub async fn edit_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let (message, topic) = service::editable(&state, &ctx, &id).await?;
    Ok(edit_page(&ctx, &message, &topic, FormErrors::none(), message.body.clone()).into_response())
}

fn edit_page(ctx: &Ctx, message: &Message, topic: &Topic, errors: FormErrors, body: String) -> EditPage {
    EditPage {
        layout: ctx.layout("Change your message"),
        message_id: message.id.to_string(),
        topic_id: topic.id.to_string(),
        title: topic.title.clone(),
        errors,
        body,
    }
}

pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<MessageForm>,
) -> AppResult<Response> {
    match service::edit(&state, &ctx, &id, &form.body).await {
        Ok(message) => Ok(back_to(message.topic, message.number, "message_edited").into_response()),
        Err(err) => {
            let (message, topic) = service::editable(&state, &ctx, &id).await?;
            form_again(err, |errors| edit_page(&ctx, &message, &topic, errors, form.body))
        }
    }
}

pub async fn delete(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let message = service::delete(&state, &ctx, &id).await?;
    Ok(back_to(message.topic, message.number, "message_deleted").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReactForm {
    reaction: String,
    on: String,
}

pub async fn react(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<ReactForm>,
) -> AppResult<Response> {
    let on = match form.on.as_str() {
        "1" => Some(true),
        "0" => Some(false),
        _ => None,
    };
    let message = service::react(&state, &ctx, &id, &form.reaction, on).await?;
    Ok(Redirect::to(&format!("/topics/{}#m{}", message.topic, message.number)).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "talk/report.html")]
struct ReportPage {
    layout: Layout,
    message_id: String,
    topic_id: String,
    number: i32,
    author: String,
    body_html: String,
    conduct_html: String,
    errors: FormErrors,
    reason: String,
}

/// What the report screen shows of the community's code of conduct.
const CODE_OF_CONDUCT: &str = "We are neighbours. **Be kind**, even when you disagree: talk about ideas, \
not about people. **No trashing of people**: no insults, mockery, threats or rumours. **Be honest**: no \
spam, no selling outside the community's rules, no pretending to be someone else. **Respect privacy**: \
do not share what others told you in confidence, or anyone's address or phone number. When something \
goes wrong, report it and let the moderators help — or ask the peacemakers.";

fn report_page(ctx: &Ctx, message: &Message, topic: &Topic, errors: FormErrors, reason: String) -> ReportPage {
    ReportPage {
        layout: ctx.layout("Report a message"),
        message_id: message.id.to_string(),
        topic_id: topic.id.to_string(),
        number: message.number,
        author: message.author_name.clone(),
        // Only shown messages can be reported (the service refuses the others).
        body_html: message.html.clone(),
        conduct_html: markdown::render(CODE_OF_CONDUCT),
        errors,
        reason,
    }
}

pub async fn report_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let (message, topic) = service::reportable(&state, &ctx, &id).await?;
    Ok(report_page(&ctx, &message, &topic, FormErrors::none(), String::new()).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReportForm {
    reason: String,
}

pub async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<ReportForm>,
) -> AppResult<Response> {
    match service::report(&state, &ctx, &id, &form.reason).await {
        Ok((message, hidden)) => {
            Ok(back_to(message.topic, message.number, if hidden { "reported_hidden" } else { "reported" })
                .into_response())
        }
        Err(err @ AppError::Invalid(_)) => {
            let (message, topic) = service::reportable(&state, &ctx, &id).await?;
            form_again(err, |errors| report_page(&ctx, &message, &topic, errors, form.reason))
        }
        Err(err) => Err(err),
    }
}

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

/// A WebSocket asked for from another site could act with the member's cookie: refuse it.
fn same_origin(headers: &HeaderMap) -> AppResult<()> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let origin_host = origin.split("://").nth(1).unwrap_or_default();
    if origin_host == host {
        Ok(())
    } else {
        Err(AppError::Refused {
            status: StatusCode::FORBIDDEN,
            code: "cross_site",
            message: "Not from this site.".into(),
        })
    }
}

/// The live connection of an open topic page. Asked like the page itself: whoever may not see
/// the topic gets the same answer as for the page.
pub async fn socket(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> AppResult<Response> {
    let (topic, _) = service::topic_place(&state, &ctx, &id).await?;
    same_origin(&headers)?;
    let member = ctx.member()?.clone();
    let Ok(upgrade) = upgrade else {
        return Err(AppError::Refused {
            status: StatusCode::BAD_REQUEST,
            code: "websocket_required",
            message: "This address is for the page's live updates.".into(),
        });
    };
    let subscription = state.hub().subscribe(topic.id, member.id, member.name);
    // Pages only listen: small buffers keep an open page cheap.
    let upgrade = upgrade.max_message_size(4096).read_buffer_size(4096).write_buffer_size(0);
    Ok(upgrade.on_upgrade(move |socket| pump(socket, subscription)))
}

async fn pump(mut socket: WebSocket, mut subscription: Subscription) {
    use tokio::sync::broadcast::error::RecvError;
    if let Some(hello) = subscription.hello.take()
        && socket.send(WsMessage::Text(hello)).await.is_err()
    {
        return;
    }
    loop {
        tokio::select! {
            event = subscription.receiver.recv() => {
                let text = match event {
                    Ok(text) => text,
                    Err(RecvError::Lagged(_)) => r#"{"kind":"reload"}"#.into(),
                    Err(RecvError::Closed) => break,
                };
                if socket.send(WsMessage::Text(text)).await.is_err() {
                    break;
                }
            }
            incoming = socket.recv() => match incoming {
                // Pages send nothing but pings; anything else is ignored.
                Some(Ok(WsMessage::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
        }
    }
}

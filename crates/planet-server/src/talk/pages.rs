//! Talk pages: a space's topics, a topic with its messages and the reply form, editing,
//! reporting, the moderation queue and log, and the live WebSocket.

use super::follow::pages::FollowForm;
use super::follow::service as follow_service;
use super::pictures::{MessageForm, MessageInput};
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
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use planet_domain::notification::Follow;
use planet_domain::policy::Action;
use planet_domain::talk::{MessageState, Reaction};
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
    /// The viewer has blocked its author: folded away.
    blocked: bool,
}

struct Viewer<'a> {
    member: Option<MemberId>,
    moderator: bool,
    can_react: bool,
    /// Whose messages the viewer has blocked (folded away).
    blocked: Option<&'a std::collections::HashSet<MemberId>>,
}

fn message_view(m: &Message, reactions: &[(Reaction, u32, bool)], viewer: &Viewer<'_>) -> MessageView {
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
        blocked: viewer.blocked.is_some_and(|blocked| blocked.contains(&m.author)),
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
    let viewer = Viewer { member: None, moderator: false, can_react: true, blocked: None };
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
    /// "Following" or "Muted" when the viewer chose so.
    level: &'static str,
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
    follow: FollowForm,
    errors: FormErrors,
    title: String,
    body: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    pub page: u64,
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
    let waiting =
        if moderator { talk::queue_length(state.db(), &[place.space_id()], ctx.actor.is_steward()).await? } else { 0 };
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
                level: match t.level {
                    Follow::Following => "Following",
                    Follow::Muted => "Muted",
                    Follow::Normal => "",
                },
            })
            .collect(),
        total: list.total,
        page,
        more: (page + 1) * 30 < list.total,
        can_start: place.allows(ctx, Action::StartTopic, false, false),
        why_not: why_cannot_write(place),
        moderator,
        waiting,
        follow: FollowForm::space(&place.space_id().to_string(), follow_service::space_level(state, ctx, place).await?),
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
    MessageInput { form, upload }: MessageInput,
) -> AppResult<Response> {
    match service::start_topic(&state, &ctx, &space, &form.title, &form.body, upload).await {
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
    /// Whose messages the viewer has blocked, for the page's script (live messages).
    blocked_ids: String,
    can_post: bool,
    can_react: bool,
    why_not: &'static str,
    moderator: bool,
    errors: FormErrors,
    body: String,
    reply_to: Option<i32>,
    follow: FollowForm,
    /// A private conversation: the others taking part (id, name).
    private: bool,
    with: Vec<(String, String)>,
    body_hint: &'static str,
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
    let viewer = Viewer { member: Some(member), moderator, can_react, blocked: Some(&view.blocked) };
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
    let mut layout = ctx.layout(view.topic.title.clone());
    layout.nav.unread = view.unread;
    Ok(TopicPage {
        layout,
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
        blocked_ids: view.blocked.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(" "),
        can_post: place.allows(ctx, Action::PostMessage, view.topic.locked, false),
        can_react,
        why_not: if place.is_private() {
            "You cannot write in this conversation any more."
        } else if view.topic.locked && !place.muted && place.access.role().is_some() {
            "This topic is locked: no new messages."
        } else {
            why_cannot_write(place)
        },
        moderator,
        errors,
        body,
        reply_to,
        follow: FollowForm::topic(&view.topic.id.to_string(), view.level),
        body_hint: if place.is_private() {
            "You can use simple formatting like *italic*, **bold** and lists. Write @ and the name of someone in this conversation to link to them."
        } else {
            "You can use simple formatting like *italic*, **bold** and lists. Write @ and a group member's name to link to them."
        },
        private: place.is_private(),
        with: place
            .conversation
            .iter()
            .flat_map(|c| c.present())
            .filter(|p| p.member != member)
            .map(|p| (p.member.to_string(), p.name.clone()))
            .collect(),
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

pub async fn post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    MessageInput { form, upload }: MessageInput,
) -> AppResult<Response> {
    match service::post(&state, &ctx, &id, &form.body, form.reply_to, upload).await {
        Ok(posted) => Ok(after_posting(posted).into_response()),
        Err(AppError::Invalid(fields)) => {
            let page = topic_page(&state, &ctx, &id, TopicQuery::default(), fields.into(), Some(form.body)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(err) => Err(err),
    }
}

pub(crate) fn back_to(topic: TopicId, number: i32, done: &str) -> Redirect {
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

async fn report_page(
    state: &AppState,
    ctx: &Ctx,
    message: &Message,
    topic: &Topic,
    errors: FormErrors,
    reason: String,
) -> AppResult<ReportPage> {
    let (_, conduct) = crate::conduct::service::current(state.db()).await?;
    Ok(ReportPage {
        layout: ctx.layout("Report a message"),
        message_id: message.id.to_string(),
        topic_id: topic.id.to_string(),
        number: message.number,
        author: message.author_name.clone(),
        // Only shown messages can be reported (the service refuses the others).
        body_html: message.html.clone(),
        conduct_html: markdown::render(&conduct),
        errors,
        reason,
    })
}

pub async fn report_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let (message, topic) = service::reportable(&state, &ctx, &id).await?;
    Ok(report_page(&state, &ctx, &message, &topic, FormErrors::none(), String::new()).await?.into_response())
}

/// Why something is reported (a message, a listing).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReportForm {
    pub reason: String,
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
        Err(AppError::Invalid(fields)) => {
            let (message, topic) = service::reportable(&state, &ctx, &id).await?;
            let page = report_page(&state, &ctx, &message, &topic, fields.into(), form.reason).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(err) => Err(err),
    }
}

//! Talk use cases: topics and messages, reactions, reports, and moderation. Each asks the one
//! authorization path (`Resource::Talk`) before it looks at the input.

use super::live::Announcement;
use crate::access::parse_space_id;
use crate::error::{AppError, AppResult, FieldError};
use crate::identity::service::Check;
use crate::identity::session::Ctx;
use crate::notify::service::{self as notify, AboutMessage};
use crate::state::AppState;
use crate::web::markdown;
use chrono::Duration;
use planet_domain::notification::Follow;
use planet_domain::policy::Action;
use planet_domain::talk::{ModerationKind, Reaction};
use planet_domain::text::{MessageText, ReportReason, TopicTitle};
use planet_domain::{MemberId, MessageId, ReportId, TopicId};
use planet_store::StoreError;
use planet_store::dialect::{Lockable, lock};
use planet_store::queries::talk::{self, Message, NewImage, NewMessage, NewModerationEntry, Topic, TopicSummary};
use planet_store::queries::{blocks, notifications, spaces};

/// Messages a member may send in a minute (all topics): more is a flood.
pub const MESSAGES_PER_MINUTE: u64 = 10;
/// How many messages a topic page shows at once.
pub const PAGE_SIZE: i32 = 50;
/// Pages of topics beyond this are not there (30 topics a page).
pub const MAX_PAGE: u64 = 100_000;

use super::place::latest_page;
pub use super::place::{Conversation, TalkPlace, message_place, place, topic_place};

pub struct TopicList {
    pub place: TalkPlace,
    pub topics: Vec<TopicSummary>,
    pub total: u64,
}

pub async fn topics(state: &AppState, ctx: &Ctx, space: &str, page: u64) -> AppResult<TopicList> {
    let place = place(state, ctx, parse_space_id(space)?).await?;
    let viewer = ctx.member()?.id;
    if page > MAX_PAGE {
        return Err(AppError::not_found());
    }
    let per_page = 30;
    let moderator = place.is_moderator(ctx);
    let topics = talk::topics_in(state.db(), place.space_id(), viewer, moderator, per_page, page * per_page).await?;
    let total = talk::count_topics(state.db(), place.space_id(), viewer, moderator).await?;
    Ok(TopicList { place, topics, total })
}

/// What happened to a message just sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posted {
    pub topic: TopicId,
    pub number: i32,
    /// It waits for a coordinator's approval.
    pub pending: bool,
}

/// The space's members (in a private conversation: those taking part) a message names with
/// `@`, with their names (longest first).
async fn named(state: &AppState, place: &TalkPlace, body: &str) -> AppResult<Vec<(MemberId, String)>> {
    if !body.contains('@') {
        return Ok(Vec::new());
    }
    let names: Vec<(MemberId, String)> = match &place.conversation {
        Some(conversation) => conversation.present().map(|p| (p.member, p.name.clone())).collect(),
        None => spaces::members_of(state.db(), place.space_id())
            .await?
            .into_iter()
            .map(|m| (m.member.id, m.member.name))
            .collect(),
    };
    let mut mentioned: Vec<(MemberId, String)> = planet_domain::talk::mentions(body, &names)
        .into_iter()
        .filter_map(|id| names.iter().find(|(m, _)| *m == id).cloned())
        .collect();
    // Longest names first: "Ann Baker" is linked before "Ann" (which then skips the link).
    mentioned.sort_by_key(|(_, name)| std::cmp::Reverse(name.len()));
    Ok(mentioned)
}

/// The members a message mentions.
pub async fn mentioned(state: &AppState, place: &TalkPlace, body: &str) -> AppResult<Vec<MemberId>> {
    Ok(named(state, place, body).await?.into_iter().map(|(id, _)| id).collect())
}

/// A message's HTML: its Markdown, with each @mention of a member of the space made a link to
/// their profile, rendered and sanitised; and whom it mentions.
pub(crate) async fn render(state: &AppState, place: &TalkPlace, body: &str) -> AppResult<(String, Vec<MemberId>)> {
    let mentioned = named(state, place, body).await?;
    let mut text = body.to_owned();
    for (id, name) in &mentioned {
        text = link_mentions(&text, name, &format!("/people/{id}"));
    }
    Ok((markdown::render(&text), mentioned.into_iter().map(|(id, _)| id).collect()))
}

/// Every `@name` (at the start of a word, any case) as a Markdown link; the name's own
/// Markdown characters are escaped.
fn link_mentions(text: &str, name: &str, href: &str) -> String {
    let escaped: String =
        name.chars().flat_map(|c| if "\\`*_[]<>()#!".contains(c) { vec!['\\', c] } else { vec![c] }).collect();
    let wanted = format!("@{}", name.to_lowercase());
    let lower = text.to_lowercase();
    // Lower-casing can change lengths outside ASCII: only link when it does not.
    if lower.len() != text.len() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while let Some(found) = lower[at..].find(&wanted) {
        let start = at + found;
        let end = start + wanted.len();
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        // Not inside a word, and not inside a link made for a longer name ("[@Ann Baker]").
        let boundary =
            before.is_none_or(|c| !c.is_alphanumeric() && c != '[') && after.is_none_or(|c| !c.is_alphanumeric());
        out.push_str(&text[at..start]);
        if boundary {
            out.push_str(&format!("[@{escaped}]({href})"));
        } else {
            out.push_str(&text[start..end]);
        }
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

pub(crate) async fn refuse_floods(state: &AppState, author: MemberId) -> AppResult<()> {
    let recent = talk::count_messages_since(state.db(), author, state.now() - Duration::minutes(1)).await?;
    if recent >= MESSAGES_PER_MINUTE {
        return Err(AppError::RateLimited);
    }
    Ok(())
}

pub(crate) async fn needs_approval(
    state: &AppState,
    place: &TalkPlace,
    ctx: &Ctx,
    author: MemberId,
) -> AppResult<bool> {
    // Nobody but those taking part reads a private conversation, so nobody approves there.
    if place.is_moderator(ctx) || place.is_private() {
        return Ok(false);
    }
    let published = talk::published_count(state.db(), place.space_id(), author).await?;
    Ok(place.rules.needs_approval(published, place.premoderated))
}

/// Start a topic with its first message. `upload` is the picture sent with it, or why the upload
/// could not be read (said only to someone who may start a topic here).
pub async fn start_topic(
    state: &AppState,
    ctx: &Ctx,
    space: &str,
    title: &str,
    body: &str,
    upload: AppResult<Option<Picture>>,
) -> AppResult<Posted> {
    let place = place(state, ctx, parse_space_id(space)?).await?;
    place.require(ctx, Action::StartTopic, false, false)?;
    let picture = match upload? {
        Some(picture) => Some(prepare(picture).await?),
        None => None,
    };
    let mut check = Check::new();
    let title = check.field("title", TopicTitle::parse(title));
    let body = check.field("body", MessageText::parse(&text_with(body, picture.as_ref())));
    check.finish()?;
    let (Some(title), Some(body)) = (title, body) else {
        return Err(AppError::Internal("topic parse".to_owned()));
    };
    let author = ctx.member()?.id;
    crate::conduct::service::require_accepted(state, ctx).await?;
    refuse_floods(state, author).await?;
    let pending = needs_approval(state, &place, ctx, author).await?;
    let id = TopicId::new_v7();
    let now = state.now();
    let (html, mentioned) = render(state, &place, body.as_str()).await?;
    let message = MessageId::new_v7();
    let txn = state.store().begin().await?;
    talk::create_topic(&txn, id, place.space_id(), title.as_str(), author, false, now).await?;
    let new =
        NewMessage { id: message, topic: id, author, body: body.as_str(), html: &html, reply_to: None, pending, now };
    let number = talk::post_message(&txn, new).await?.ok_or_else(AppError::not_found)?;
    keep_picture(&txn, picture, message, now).await?;
    talk::mark_read(&txn, author, id, number).await?;
    notifications::follow_unless_muted(&txn, author, id).await?;
    let told = if pending {
        Vec::new()
    } else {
        let about = AboutMessage {
            place: &place,
            topic: id,
            topic_title: title.as_str(),
            message,
            number,
            author: ctx.member()?,
            body: body.as_str(),
            mentioned,
            replied_to: None,
            new_topic: true,
        };
        notify::tell(state, &txn, about).await?
    };
    state.commit(txn).await?;
    state.ring(told).await;
    state.wake_mailer();
    Ok(Posted { topic: id, number, pending })
}

pub struct TopicView {
    pub topic: Topic,
    pub place: TalkPlace,
    pub messages: Vec<Message>,
    pub reactions: std::collections::HashMap<MessageId, Vec<(Reaction, u32, bool)>>,
    /// The viewer's last read message before this visit (None: first visit).
    pub last_read: Option<i32>,
    /// The first number shown (earlier ones are on the previous page).
    pub first: i32,
    /// Whether the viewer follows the topic or has muted it.
    pub level: Follow,
    /// The viewer's notifications still unread once this page has read its own (the bell).
    pub unread: u64,
    /// Whose messages the viewer has blocked.
    pub blocked: std::collections::HashSet<MemberId>,
}

/// A topic's page: the latest messages (or those up to `upto`), and the viewer's place in it.
/// Opening it marks it read.
pub async fn view_topic(state: &AppState, ctx: &Ctx, id: &str, upto: Option<i32>) -> AppResult<TopicView> {
    let mut view = read_topic(state, ctx, id, upto, None).await?;
    // The latest page marks the whole topic read (messages waiting for approval included, which
    // are not shown); an earlier page, as far as it goes.
    let last = if upto.is_none() { view.topic.last_number } else { view.messages.last().map_or(0, |m| m.number) };
    if last > view.last_read.unwrap_or(0) {
        talk::mark_read(state.db(), ctx.member()?.id, view.topic.id, last).await?;
    }
    if ctx.unread > 0 {
        let marked = notify::topic_read(state, ctx.member()?.id, view.topic.id, last).await?;
        view.unread = ctx.unread.saturating_sub(marked);
    }
    Ok(view)
}

/// Messages of a topic without marking them read (the API says what it has read): up to
/// `upto` (the latest page by default), or the page after `after`.
pub async fn read_topic(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    upto: Option<i32>,
    after: Option<i32>,
) -> AppResult<TopicView> {
    let (topic, place) = topic_place(state, ctx, id).await?;
    let viewer = ctx.member()?.id;
    let (first, last) = match after {
        Some(after) => {
            let first = after.clamp(0, topic.last_number) + 1;
            (first, (first + PAGE_SIZE - 1).min(topic.last_number))
        }
        None => {
            let last = upto.unwrap_or(topic.last_number).clamp(0, topic.last_number);
            ((last - PAGE_SIZE + 1).max(1), last)
        }
    };
    let moderator = place.is_moderator(ctx);
    // Waiting messages are not shown to others at all (not even as "waiting").
    let shown = |m: &Message| !m.pending || moderator || m.author == viewer;
    let (messages, reactions) = if after.is_none() && last == topic.last_number {
        let page = latest_page(state, &topic).await?;
        let messages: Vec<Message> = page.messages.iter().filter(|m| shown(m)).cloned().collect();
        (messages, talk::reactions_seen_by(&page.reactors, viewer))
    } else {
        let messages: Vec<Message> =
            talk::messages(state.db(), topic.id, first, last).await?.into_iter().filter(|m| shown(m)).collect();
        let ids: Vec<MessageId> = messages.iter().map(|m| m.id).collect();
        let reactions = talk::reactions(state.db(), &ids, viewer).await?;
        (messages, reactions)
    };
    let (last_read, level) = talk::read_state(state.db(), viewer, topic.id).await?;
    let blocked = blocks::blocked_by(state.db(), viewer).await?;
    Ok(TopicView { topic, place, messages, reactions, last_read, first, level, unread: ctx.unread, blocked })
}

/// Remember how far the member has read a topic (never moving back).
pub async fn mark_read(state: &AppState, ctx: &Ctx, id: &str, number: i32) -> AppResult<i32> {
    let (topic, _) = topic_place(state, ctx, id).await?;
    let number = number.clamp(0, topic.last_number);
    talk::mark_read(state.db(), ctx.member()?.id, topic.id, number).await?;
    if ctx.unread > 0 {
        notify::topic_read(state, ctx.member()?.id, topic.id, number).await?;
    }
    Ok(talk::last_read(state.db(), ctx.member()?.id, topic.id).await?.unwrap_or(number))
}

/// A picture sent with a message: the upload, and a few words on what it shows.
pub struct Picture {
    pub bytes: Vec<u8>,
    pub description: String,
}

/// A picture checked and re-encoded (off the async threads), with its id and the Markdown that
/// shows it.
struct Prepared {
    id: uuid::Uuid,
    processed: crate::people::photos::Processed,
    markdown: String,
}

async fn prepare(picture: Picture) -> AppResult<Prepared> {
    let Picture { bytes, description } = picture;
    let processed = tokio::task::spawn_blocking(move || crate::people::photos::process(&bytes))
        .await
        .map_err(|e| AppError::Internal(format!("picture task: {e}")))?
        .map_err(|e| AppError::invalid("image", e.code(), e.message()))?;
    let id = uuid::Uuid::now_v7();
    Ok(Prepared { id, processed, markdown: markdown::image_markdown(id, &description) })
}

/// A message's text with its picture after it (a picture alone is a message too).
fn text_with(body: &str, picture: Option<&Prepared>) -> String {
    match picture {
        Some(p) if body.trim().is_empty() => p.markdown.clone(),
        Some(p) => format!("{}\n\n{}", body.trim_end(), p.markdown),
        None => body.to_owned(),
    }
}

/// Keep a message's picture, in the transaction that writes the message.
async fn keep_picture(
    db: &impl planet_store::ConnectionTrait,
    picture: Option<Prepared>,
    message: MessageId,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    if let Some(Prepared { id, processed, .. }) = picture {
        let image =
            NewImage { id, message, jpeg: processed.full, width: processed.width, height: processed.height, now };
        talk::add_image(db, image).await?;
    }
    Ok(())
}

/// Write in a topic. `upload` is the picture sent with it, or why the upload could not be read
/// (said only to someone who may write here).
pub async fn post(
    state: &AppState,
    ctx: &Ctx,
    topic: &str,
    body: &str,
    reply_to: Option<i32>,
    upload: AppResult<Option<Picture>>,
) -> AppResult<Posted> {
    let (topic, place) = topic_place(state, ctx, topic).await?;
    place.require(ctx, Action::PostMessage, topic.locked, false)?;
    let picture = match upload? {
        Some(picture) => Some(prepare(picture).await?),
        None => None,
    };
    let body = MessageText::parse(&text_with(body, picture.as_ref()))
        .map_err(|e| AppError::Invalid(vec![FieldError::from_input("body", e)]))?;
    let reply_to = reply_to.filter(|n| (1..=topic.last_number).contains(n));
    let author = ctx.member()?.id;
    crate::conduct::service::require_accepted(state, ctx).await?;
    refuse_floods(state, author).await?;
    let pending = needs_approval(state, &place, ctx, author).await?;
    let now = state.now();
    let (html, mentioned) = render(state, &place, body.as_str()).await?;
    let replied_to = match reply_to {
        Some(number) => talk::message_by_number(state.db(), topic.id, number).await?.map(|m| m.author),
        None => None,
    };
    let message = MessageId::new_v7();
    let txn = state.store().begin().await?;
    let new =
        NewMessage { id: message, topic: topic.id, author, body: body.as_str(), html: &html, reply_to, pending, now };
    let number = talk::post_message(&txn, new).await?.ok_or_else(AppError::not_found)?;
    keep_picture(&txn, picture, message, now).await?;
    talk::mark_read(&txn, author, topic.id, number).await?;
    notifications::follow_unless_muted(&txn, author, topic.id).await?;
    let told = if pending {
        Vec::new()
    } else {
        let about = AboutMessage {
            place: &place,
            topic: topic.id,
            topic_title: &topic.title,
            message,
            number,
            author: ctx.member()?,
            body: body.as_str(),
            mentioned,
            replied_to,
            new_topic: false,
        };
        notify::tell(state, &txn, about).await?
    };
    state.commit(txn).await?;
    if !pending {
        state.announce(Announcement::posted(topic.id, number)).await;
        state.ring(told).await;
        state.wake_mailer();
    }
    Ok(Posted { topic: topic.id, number, pending })
}

/// The message to delete, if the actor may (a hidden one too).
async fn editable_or_hidden(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<(Message, Topic)> {
    let (message, topic, place) = message_place(state, ctx, id).await?;
    let own = ctx.member()?.id == message.author;
    place.require(ctx, Action::EditOwnMessage, topic.locked, own)?;
    if message.deleted_at.is_some() {
        return Err(AppError::gone("message_deleted", "This message has been deleted."));
    }
    Ok((message, topic))
}

/// The message to edit, if the actor may.
pub async fn editable(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<(Message, Topic)> {
    let (message, topic, place) = message_place(state, ctx, id).await?;
    let own = ctx.member()?.id == message.author;
    place.require(ctx, Action::EditOwnMessage, topic.locked, own)?;
    if message.deleted_at.is_some() {
        return Err(AppError::gone("message_deleted", "This message has been deleted."));
    }
    if message.hidden_at.is_some() {
        return Err(AppError::refused(
            "message_hidden",
            "The moderators have hidden this message, so it cannot be changed. You can delete it.",
        ));
    }
    Ok((message, topic))
}

pub async fn edit(state: &AppState, ctx: &Ctx, id: &str, body: &str) -> AppResult<Message> {
    let (message, topic) = editable(state, ctx, id).await?;
    let (_, _, place) = message_place(state, ctx, id).await?;
    let body = MessageText::parse(body).map_err(|e| AppError::Invalid(vec![FieldError::from_input("body", e)]))?;
    if body.as_str() == message.body {
        return Ok(message);
    }
    // Whoever's messages are read before they are published cannot change them afterwards
    // unread: the change waits for approval too.
    let back_to_approval = needs_approval(state, &place, ctx, message.author).await?;
    let (html, _) = render(state, &place, body.as_str()).await?;
    let txn = state.store().begin().await?;
    talk::edit_message(&txn, message.id, body.as_str(), &html, back_to_approval, state.now()).await?;
    state.commit(txn).await?;
    if !message.pending && !back_to_approval {
        state.announce(Announcement::changed(topic.id, message.number)).await;
    } else if !message.pending {
        state.announce(Announcement::withdrawn(topic.id, message.number)).await;
    }
    Ok(message)
}

pub async fn delete(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<Message> {
    let (message, topic) = editable_or_hidden(state, ctx, id).await?;
    let txn = state.store().begin().await?;
    talk::delete_message(&txn, message.id, state.now()).await?;
    state.commit(txn).await?;
    if !message.pending {
        state.announce(Announcement::changed(topic.id, message.number)).await;
    }
    Ok(message)
}

/// Give a reaction (`Some(true)`), take it back (`Some(false)`), or turn it over (`None`: the
/// buttons on the page).
pub async fn react(state: &AppState, ctx: &Ctx, id: &str, reaction: &str, on: Option<bool>) -> AppResult<Message> {
    let (message, topic, place) = message_place(state, ctx, id).await?;
    place.require(ctx, Action::React, topic.locked, false)?;
    let reaction = Reaction::parse(reaction)
        .ok_or_else(|| AppError::invalid("reaction", "reaction_unknown", "Choose one of the reactions shown"))?;
    if message.deleted_at.is_some() || message.hidden_at.is_some() || message.pending {
        return Err(AppError::refused("message_not_shown", "You cannot react to a message that is not shown."));
    }
    let member = ctx.member()?.id;
    let changed = match on {
        Some(on) => talk::set_reaction(state.db(), message.id, member, reaction, on, state.now()).await?,
        None => {
            talk::set_reaction(state.db(), message.id, member, reaction, true, state.now()).await?
                || talk::set_reaction(state.db(), message.id, member, reaction, false, state.now()).await?
        }
    };
    if changed {
        state.changed();
        state.announce(Announcement::changed(topic.id, message.number)).await;
    }
    Ok(message)
}

/// A picture sent with a message, for whoever may read the message (a hidden message's only for
/// its author and the moderators; a deleted message's for nobody).
pub async fn image(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<Vec<u8>> {
    ctx.require(Action::ViewCommunity)?;
    let id: uuid::Uuid = id.parse().map_err(|_| AppError::not_found())?;
    let (message, bytes) = talk::image(state.db(), id).await?.ok_or_else(AppError::not_found)?;
    let (message, _, place) = message_place(state, ctx, &message.to_string()).await?;
    let own = ctx.member.as_ref().is_some_and(|m| m.id == message.author);
    if message.deleted_at.is_some() || (message.hidden_at.is_some() && !own && !place.is_moderator(ctx)) {
        return Err(AppError::not_found());
    }
    Ok(bytes)
}

/// The message being reported, for the report form (with the code of conduct).
pub async fn reportable(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<(Message, Topic)> {
    let (message, topic, place) = message_place(state, ctx, id).await?;
    let own = ctx.member()?.id == message.author;
    place.require(ctx, Action::ReportMessage, topic.locked, own)?;
    refuse_unshown(&message)?;
    Ok((message, topic))
}

/// Hidden or deleted messages are not there to report (nor to show on the report page).
fn refuse_unshown(message: &Message) -> AppResult<()> {
    if message.deleted_at.is_some() || message.hidden_at.is_some() {
        return Err(AppError::refused(
            "message_not_shown",
            "This message is no longer shown. The moderators have it in hand.",
        ));
    }
    Ok(())
}

/// Report a message. When reports from enough different members have come in, it is hidden
/// until a moderator looks. Returns the message and whether it is now hidden.
pub async fn report(state: &AppState, ctx: &Ctx, id: &str, reason: &str) -> AppResult<(Message, bool)> {
    let (message, topic, place) = message_place(state, ctx, id).await?;
    let reporter = ctx.member()?.id;
    place.require(ctx, Action::ReportMessage, topic.locked, reporter == message.author)?;
    let reason =
        ReportReason::parse(reason).map_err(|e| AppError::Invalid(vec![FieldError::from_input("reason", e)]))?;
    refuse_unshown(&message)?;
    let now = state.now();
    let txn = state.store().begin().await?;
    // Reports at the same moment are counted one after the other, so the threshold is met.
    lock(&txn, Lockable::Message(message.id.uuid())).await?;
    match talk::report(&txn, ReportId::new_v7(), message.id, reporter, reason.as_str(), now).await {
        Err(StoreError::Conflict(_)) => {
            return Err(AppError::refused(
                "already_reported",
                "You have already reported this message. The moderators will look at it.",
            ));
        }
        other => other?,
    }
    let reporters = talk::open_reporters(&txn, message.id).await?;
    let hidden = message.hidden_at.is_none()
        && place.rules.hides(reporters)
        && talk::hide_message(&txn, message.id, now).await?;
    if hidden {
        let entry = NewModerationEntry {
            space: place.space_id(),
            kind: ModerationKind::AutoHide,
            moderator: None,
            member: Some(message.author),
            topic: Some(topic.id),
            message: Some(message.id),
            note: "",
            now,
        };
        talk::log_moderation(&txn, entry).await?;
    }
    state.commit(txn).await?;
    if hidden {
        state.announce(Announcement::changed(topic.id, message.number)).await;
    }
    Ok((message, hidden))
}

#[cfg(test)]
mod tests {
    use super::link_mentions;
    use crate::web::markdown;

    #[test]
    fn mentions_become_links_at_word_boundaries_only() {
        assert_eq!(link_mentions("Thanks @ann baker!", "Ann Baker", "/people/1"), "Thanks [@Ann Baker](/people/1)!");
        assert_eq!(link_mentions("mail@ann baker", "Ann Baker", "/people/1"), "mail@ann baker");
        assert_eq!(link_mentions("@Ann Bakery", "Ann Baker", "/people/1"), "@Ann Bakery");
        let both = link_mentions("@Ann Baker and @Ann", "Ann Baker", "/people/1");
        assert_eq!(link_mentions(&both, "Ann", "/people/2"), "[@Ann Baker](/people/1) and [@Ann](/people/2)");
    }

    #[test]
    fn a_name_cannot_smuggle_markup_through_a_mention() {
        let name = "<img src=x onerror=alert(1)>*Bob*";
        let html = markdown::render(&link_mentions(&format!("hi @{name}"), name, "/people/1"));
        assert!(!html.contains("<img") && !html.contains("<em>"), "{html}");
        assert!(html.contains("href=\"/people/1\""), "{html}");
    }
}

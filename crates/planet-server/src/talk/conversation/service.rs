//! Private conversations between members, outside every group: starting one, adding people,
//! leaving, and the member's list. The messages themselves go through talk's use cases, which
//! ask `authorize` with the conversation's facts (only those taking part may read or write).

use crate::error::{AppError, AppResult, FieldError};
use crate::identity::service::Check;
use crate::identity::session::Ctx;
use crate::notify::service::{self as notify, AboutMessage};
use crate::state::AppState;
use crate::talk::service::{Conversation, Posted, TalkPlace, place, refuse_floods, render, topic_place};
use planet_domain::notification::{Follow, NotificationKind};
use planet_domain::policy::Action;
use planet_domain::space::AccountStatus;
use planet_domain::talk::{MAX_CONVERSATION_PEOPLE, subject_from};
use planet_domain::text::{MessageText, TopicTitle};
use planet_domain::{ListingId, MemberId, MessageId, TopicId};
use planet_store::ConnectionTrait;
use planet_store::queries::accounts::{self, Member};
use planet_store::queries::blocks;
use planet_store::queries::conversations::{self, ConversationSummary};
use planet_store::queries::notifications::{self, NewNotification};
use planet_store::queries::synergy::deals as listing_deals;
use planet_store::queries::talk::{self, NewMessage, Topic};

/// Conversations a page of the list shows.
pub const PAGE_SIZE: u64 = 30;
/// People a name search offers at most.
const CANDIDATES: u64 = 20;

fn parse_member_id(text: &str) -> Option<MemberId> {
    text.trim().parse().ok()
}

/// The members someone may write to privately, from their ids: active members, not themselves,
/// and nobody who has blocked them or whom they have blocked.
async fn people_for(state: &AppState, ctx: &Ctx, ids: &[String]) -> AppResult<Vec<Member>> {
    let me = ctx.member()?.id;
    let mut wanted: Vec<MemberId> = Vec::new();
    for text in ids {
        let Some(id) = parse_member_id(text) else {
            return Err(AppError::invalid("with", "person_unknown", "Choose the people from the list."));
        };
        if id != me && !wanted.contains(&id) {
            wanted.push(id);
        }
    }
    if wanted.is_empty() {
        return Err(AppError::invalid("with", "people_required", "Choose at least one person to write to."));
    }
    if wanted.len() > MAX_CONVERSATION_PEOPLE {
        return Err(AppError::invalid(
            "with",
            "too_many_people",
            format!("A private conversation can have at most {MAX_CONVERSATION_PEOPLE} other people."),
        ));
    }
    let people: Vec<Member> = accounts::members_by_ids(state.db(), &wanted)
        .await?
        .into_iter()
        .filter(|m| m.status == AccountStatus::Member)
        .collect();
    if people.len() != wanted.len() {
        return Err(AppError::invalid("with", "person_unknown", "Choose the people from the list."));
    }
    refuse_blocked(state, me, &people).await?;
    Ok(people)
}

/// Nobody writes privately to someone who blocked them (nor to someone they blocked: unblock
/// them first). The words do not say which of the two it was.
async fn refuse_blocked(state: &AppState, me: MemberId, people: &[Member]) -> AppResult<()> {
    let ids: Vec<MemberId> = people.iter().map(|m| m.id).collect();
    let blocked_me = blocks::who_blocked(state.db(), me, &ids).await?;
    let mine = blocks::blocked_by(state.db(), me).await?;
    if let Some(person) = people.iter().find(|m| blocked_me.contains(&m.id) || mine.contains(&m.id)) {
        return Err(AppError::refused("cannot_write_to", format!("You cannot write privately to {}.", person.name)));
    }
    Ok(())
}

/// Who someone would be writing to (the "To" line of the form), checked.
pub async fn recipients(state: &AppState, ctx: &Ctx, ids: &[String]) -> AppResult<Vec<Member>> {
    ctx.require(Action::StartConversation)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    people_for(state, ctx, ids).await
}

/// Start a private conversation with some members: its first message, and (optionally) a
/// subject; without one, the start of the message is the subject.
pub async fn start(state: &AppState, ctx: &Ctx, with: &[String], subject: &str, body: &str) -> AppResult<Posted> {
    start_about(state, ctx, with, subject, body, None).await
}

/// Start a private conversation, perhaps about a listing ("I'm interested"): then the
/// conversation is recorded as the member's response to it, in the same transaction.
pub async fn start_about(
    state: &AppState,
    ctx: &Ctx,
    with: &[String],
    subject: &str,
    body: &str,
    about: Option<ListingId>,
) -> AppResult<Posted> {
    ctx.require(Action::StartConversation)?;
    let mut check = Check::new();
    let people = match people_for(state, ctx, with).await {
        Err(AppError::Invalid(fields)) => {
            for field in fields {
                check.add(field);
            }
            None
        }
        other => Some(other?),
    };
    let body = check.field("body", MessageText::parse(body));
    let subject = match (subject.trim(), &body) {
        ("", Some(body)) => check.field("subject", TopicTitle::parse(&subject_from(body.as_str()))),
        ("", None) => None,
        (given, _) => check.field("subject", TopicTitle::parse(given)),
    };
    check.finish()?;
    let (Some(people), Some(body), Some(subject)) = (people, body, subject) else {
        return Err(AppError::Internal("conversation parse".to_owned()));
    };
    let me = ctx.member()?;
    crate::conduct::service::require_accepted(state, ctx).await?;
    refuse_floods(state, me.id).await?;
    let root = state.directory().await?.root().ok_or_else(AppError::not_found)?;
    let id = TopicId::new_v7();
    let mut place = place(state, ctx, root).await?;
    let now = state.now();
    let txn = state.store().begin().await?;
    talk::create_topic(&txn, id, root, subject.as_str(), me.id, true, now).await?;
    for person in std::iter::once(me).chain(&people) {
        conversations::add(&txn, id, person.id, me.id, now).await?;
        notifications::set_topic_level(&txn, person.id, id, Follow::Following).await?;
    }
    place.conversation = Some(Conversation::load(&txn, id, Some(me.id)).await?);
    let (html, mentioned) = render(state, &place, body.as_str()).await?;
    let message = MessageId::new_v7();
    let new = NewMessage {
        id: message,
        topic: id,
        author: me.id,
        body: body.as_str(),
        html: &html,
        reply_to: None,
        pending: false,
        now,
    };
    let number = talk::post_message(&txn, new).await?.ok_or_else(AppError::not_found)?;
    talk::mark_read(&txn, me.id, id, number).await?;
    if let Some(listing) = about
        && !listing_deals::add_interest(&txn, listing, me.id, id, now).await?
    {
        return Err(AppError::refused("already_interested", "You have already said you are interested."));
    }
    let about = AboutMessage {
        place: &place,
        topic: id,
        topic_title: subject.as_str(),
        message,
        number,
        author: me,
        body: body.as_str(),
        mentioned,
        replied_to: None,
        new_topic: true,
    };
    let told = notify::tell(state, &txn, about).await?;
    state.commit(txn).await?;
    state.ring(told).await;
    state.wake_mailer();
    Ok(Posted { topic: id, number, pending: false })
}

/// A conversation as one taking part sees it, with its people.
pub struct People {
    pub topic: Topic,
    pub place: TalkPlace,
    /// Members whose names hold what was searched for, not yet taking part.
    pub candidates: Vec<(MemberId, String)>,
}

/// The people page of a conversation; `query` searches for someone to add.
pub async fn people(state: &AppState, ctx: &Ctx, id: &str, query: &str) -> AppResult<People> {
    let (topic, place) = conversation(state, ctx, id).await?;
    let here: Vec<MemberId> = place.conversation.iter().flat_map(|c| c.present()).map(|p| p.member).collect();
    let candidates = candidates(state, query, &here).await?;
    Ok(People { topic, place, candidates })
}

/// Members whose names hold what was typed (active members only), leaving out `already`.
async fn candidates(state: &AppState, query: &str, already: &[MemberId]) -> AppResult<Vec<(MemberId, String)>> {
    let query: String = query.chars().take(100).collect();
    let wanted = CANDIDATES + u64::try_from(already.len()).unwrap_or(0);
    Ok(conversations::members_named(state.db(), &query, wanted)
        .await?
        .into_iter()
        .filter(|(id, _)| !already.contains(id))
        .take(CANDIDATES as usize)
        .collect())
}

/// People to write to, found by name (for the "To" line): not oneself, not those already on it.
pub async fn find_people(
    state: &AppState,
    ctx: &Ctx,
    query: &str,
    on_the_line: &[MemberId],
) -> AppResult<Vec<(MemberId, String)>> {
    ctx.require(Action::StartConversation)?;
    let mut already = on_the_line.to_vec();
    already.push(ctx.member()?.id);
    candidates(state, query, &already).await
}

/// A private conversation the actor takes part in ("not found" otherwise, as for any topic
/// they may not read).
async fn conversation(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<(Topic, TalkPlace)> {
    let (topic, place) = topic_place(state, ctx, id).await?;
    if !topic.private {
        return Err(AppError::not_found());
    }
    Ok((topic, place))
}

/// Add someone to a conversation. They can read all of it, and are told.
pub async fn add(state: &AppState, ctx: &Ctx, id: &str, member: &str) -> AppResult<(Topic, Member)> {
    let (topic, place) = conversation(state, ctx, id).await?;
    place.require(ctx, Action::AddToConversation, false, false)?;
    let people = people_for(state, ctx, &[member.to_owned()]).await.map_err(|e| match e {
        AppError::Invalid(_) => AppError::invalid("member", "person_unknown", "Choose someone from the list."),
        other => other,
    })?;
    let Some(person) = people.into_iter().next() else {
        return Err(AppError::invalid("member", "person_unknown", "Choose someone from the list."));
    };
    let taking_part = place.conversation.as_ref().map_or(0, |c| c.present().count());
    if taking_part > MAX_CONVERSATION_PEOPLE {
        return Err(AppError::refused(
            "too_many_people",
            format!("A private conversation can have at most {} people.", MAX_CONVERSATION_PEOPLE + 1),
        ));
    }
    let me = ctx.member()?.id;
    let now = state.now();
    let txn = state.store().begin().await?;
    if !conversations::add(&txn, topic.id, person.id, me, now).await? {
        return Err(AppError::refused(
            "already_taking_part",
            format!("{} is already in this conversation.", person.name),
        ));
    }
    notifications::set_topic_level(&txn, person.id, topic.id, Follow::Following).await?;
    tell_added(&txn, &topic, person.id, me, now).await?;
    state.commit(txn).await?;
    state.ring(vec![person.id]).await;
    Ok((topic, person))
}

/// Someone added to a conversation hears of it as of its latest message.
async fn tell_added(
    db: &impl ConnectionTrait,
    topic: &Topic,
    member: MemberId,
    by: MemberId,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    if let Some(latest) = talk::message_by_number(db, topic.id, topic.last_number).await? {
        let new = NewNotification {
            member,
            kind: NotificationKind::Message,
            topic: topic.id,
            message: latest.id,
            actor: by,
            now,
        };
        notifications::notify(db, new).await?;
    }
    Ok(())
}

/// Leave a conversation: it is gone from the member's list, and their open pages let go of it.
pub async fn leave(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<Topic> {
    let (topic, place) = conversation(state, ctx, id).await?;
    place.require(ctx, Action::LeaveConversation, false, false)?;
    let me = ctx.member()?.id;
    conversations::leave(state.db(), topic.id, me, state.now()).await?;
    state.recheck(Some(me)).await;
    Ok(topic)
}

pub struct ConversationList {
    pub items: Vec<ConversationSummary>,
    pub total: u64,
}

/// The member's private conversations, the most recently active first.
pub async fn list(state: &AppState, ctx: &Ctx, page: u64) -> AppResult<ConversationList> {
    ctx.require(Action::StartConversation)?;
    let me = ctx.member()?.id;
    if page > 100_000 {
        return Err(AppError::not_found());
    }
    let items = conversations::conversations_of(state.db(), me, PAGE_SIZE, page * PAGE_SIZE).await?;
    let total = conversations::count_of(state.db(), me).await?;
    Ok(ConversationList { items, total })
}

/// The field a refusal about people belongs to on the form.
pub fn as_field(err: AppError) -> AppError {
    match err {
        AppError::Refused { code: "cannot_write_to", message, .. } => {
            AppError::Invalid(vec![FieldError::new("with", "cannot_write_to", message)])
        }
        other => other,
    }
}

//! Talk: topics, numbered messages, edits, reactions and read state. Moderation (reports, the
//! queue, the log, limits on members, each space's settings) is in `moderation`.

mod images;
mod moderation;
pub use images::*;
pub use moderation::*;

use super::corrupt;
use crate::StoreResult;
use crate::dialect::{Lockable, lock};
use crate::entities::{member, message, message_edit, reaction, topic, topic_read};
use chrono::{DateTime, Utc};
use planet_domain::notification::Follow;
use planet_domain::talk::Reaction;
use planet_domain::{MemberId, MessageId, SpaceId, TopicId};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use std::collections::HashMap;
use uuid::Uuid;

/// A topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    pub id: TopicId,
    pub space: SpaceId,
    pub title: String,
    pub author: MemberId,
    pub created_at: DateTime<Utc>,
    pub last_message_at: DateTime<Utc>,
    /// The number of its last message.
    pub last_number: i32,
    pub pinned: bool,
    pub locked: bool,
    /// A private conversation (outside every group's listing).
    pub private: bool,
    /// Counted up by every change to its messages or their reactions.
    pub version: i32,
}

impl From<topic::Model> for Topic {
    fn from(row: topic::Model) -> Self {
        Self {
            id: TopicId::from_uuid(row.id),
            space: SpaceId::from_uuid(row.space_id),
            title: row.title,
            author: MemberId::from_uuid(row.author_id),
            created_at: row.created_at,
            last_message_at: row.last_message_at,
            last_number: row.last_number,
            pinned: row.pinned,
            locked: row.locked,
            private: row.private,
            version: row.version,
        }
    }
}

/// A message, with its author's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: MessageId,
    pub topic: TopicId,
    pub number: i32,
    pub author: MemberId,
    pub author_name: String,
    /// Markdown, as written.
    pub body: String,
    /// The body rendered and sanitised when it was written.
    pub html: String,
    pub reply_to: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub hidden_at: Option<DateTime<Utc>>,
    pub pending: bool,
}

fn message_from(row: message::Model, names: &HashMap<Uuid, String>) -> Message {
    Message {
        id: MessageId::from_uuid(row.id),
        topic: TopicId::from_uuid(row.topic_id),
        number: row.number,
        author: MemberId::from_uuid(row.author_id),
        author_name: names.get(&row.author_id).cloned().unwrap_or_default(),
        body: row.body,
        html: row.html,
        reply_to: row.reply_to,
        created_at: row.created_at,
        edited_at: row.edited_at,
        deleted_at: row.deleted_at,
        hidden_at: row.hidden_at,
        pending: row.pending,
    }
}

pub(crate) async fn names_of(db: &impl ConnectionTrait, ids: Vec<Uuid>) -> StoreResult<HashMap<Uuid, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(member::Entity::find()
        .select_only()
        .column(member::Column::Id)
        .column(member::Column::Name)
        .filter(member::Column::Id.is_in(ids))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

pub(crate) async fn with_names(db: &impl ConnectionTrait, rows: Vec<message::Model>) -> StoreResult<Vec<Message>> {
    let names = names_of(db, rows.iter().map(|r| r.author_id).collect()).await?;
    Ok(rows.into_iter().map(|row| message_from(row, &names)).collect())
}

/// A new topic in a space, or (`private`) a private conversation.
pub async fn create_topic(
    db: &impl ConnectionTrait,
    id: TopicId,
    space: SpaceId,
    title: &str,
    author: MemberId,
    private: bool,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    topic::ActiveModel {
        id: Set(id.uuid()),
        space_id: Set(space.uuid()),
        title: Set(title.to_owned()),
        author_id: Set(author.uuid()),
        created_at: Set(now),
        last_message_at: Set(now),
        last_number: Set(0),
        pinned: Set(false),
        locked: Set(false),
        private: Set(private),
        version: Set(0),
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn topic(db: &impl ConnectionTrait, id: TopicId) -> StoreResult<Option<Topic>> {
    Ok(topic::Entity::find_by_id(id.uuid()).one(db).await?.map(Topic::from))
}

/// A topic in a space's list, with how much the viewer has not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicSummary {
    pub topic: Topic,
    pub author_name: String,
    /// Messages after the viewer's last visit (None: never opened).
    pub unread: Option<i32>,
    /// Whether the viewer follows or has muted it.
    pub level: Follow,
}

/// A space's topics: pinned first, then the most recently active.
/// Topics a viewer may see listed: those with a published message, and their own (which may
/// still wait for approval); moderators see all.
pub(crate) fn listed_to(viewer: MemberId, moderator: bool) -> Condition {
    if moderator {
        return Condition::all();
    }
    let published = sea_orm::sea_query::Query::select()
        .column(message::Column::TopicId)
        .from(message::Entity)
        .and_where(message::Column::Pending.eq(false))
        .to_owned();
    Condition::any().add(topic::Column::Id.in_subquery(published)).add(topic::Column::AuthorId.eq(viewer.uuid()))
}

/// Whether a topic has a published message (a topic whose first message waits for approval is
/// not there yet for others).
pub async fn has_published(db: &impl ConnectionTrait, topic: TopicId) -> StoreResult<bool> {
    Ok(message::Entity::find()
        .filter(message::Column::TopicId.eq(topic.uuid()))
        .filter(message::Column::Pending.eq(false))
        .count(db)
        .await?
        > 0)
}

pub async fn topics_in(
    db: &impl ConnectionTrait,
    space: SpaceId,
    viewer: MemberId,
    moderator: bool,
    limit: u64,
    offset: u64,
) -> StoreResult<Vec<TopicSummary>> {
    let rows = topic::Entity::find()
        .filter(topic::Column::SpaceId.eq(space.uuid()))
        .filter(topic::Column::Private.eq(false))
        .filter(listed_to(viewer, moderator))
        .order_by_desc(topic::Column::Pinned)
        .order_by_desc(topic::Column::LastMessageAt)
        .order_by_asc(topic::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    summaries(db, rows, viewer).await
}

/// Topics with what the viewer has read of each and their level.
pub(crate) async fn summaries(
    db: &impl ConnectionTrait,
    rows: Vec<topic::Model>,
    viewer: MemberId,
) -> StoreResult<Vec<TopicSummary>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let reads: HashMap<Uuid, (i32, String)> = topic_read::Entity::find()
        .filter(topic_read::Column::MemberId.eq(viewer.uuid()))
        .filter(topic_read::Column::TopicId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.topic_id, (r.last_read, r.level)))
        .collect();
    let names = names_of(db, rows.iter().map(|r| r.author_id).collect()).await?;
    rows.into_iter()
        .map(|row| {
            let read = reads.get(&row.id);
            let level = match read {
                Some((_, level)) => Follow::parse(level).ok_or_else(|| corrupt("follow level", level))?,
                None => Follow::Normal,
            };
            Ok(TopicSummary {
                author_name: names.get(&row.author_id).cloned().unwrap_or_default(),
                unread: read.map(|(read, _)| Ord::max(row.last_number - read, 0)),
                level,
                topic: Topic::from(row),
            })
        })
        .collect()
}

/// The most recently active topics in some spaces since `since` that the viewer has not read
/// to the end (at most `limit`, the newest first); `moderated` are the spaces where the viewer
/// also sees topics still waiting for approval.
pub async fn unread_topics(
    db: &impl ConnectionTrait,
    viewer: MemberId,
    spaces: &[SpaceId],
    moderated: &[SpaceId],
    since: DateTime<Utc>,
    limit: u64,
) -> StoreResult<Vec<TopicSummary>> {
    let in_spaces = |ids: &[SpaceId]| topic::Column::SpaceId.is_in(ids.iter().map(|s| s.uuid()).collect::<Vec<_>>());
    let rows = topic::Entity::find()
        .filter(
            Condition::any()
                .add(in_spaces(moderated))
                .add(Condition::all().add(in_spaces(spaces)).add(listed_to(viewer, false))),
        )
        .filter(topic::Column::Private.eq(false))
        .filter(topic::Column::LastMessageAt.gte(since))
        .order_by_desc(topic::Column::LastMessageAt)
        .order_by_asc(topic::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let all = summaries(db, rows, viewer).await?;
    Ok(all.into_iter().filter(|t| t.unread.is_none_or(|n| n > 0)).collect())
}

pub async fn count_topics(
    db: &impl ConnectionTrait,
    space: SpaceId,
    viewer: MemberId,
    moderator: bool,
) -> StoreResult<u64> {
    Ok(topic::Entity::find()
        .filter(topic::Column::SpaceId.eq(space.uuid()))
        .filter(topic::Column::Private.eq(false))
        .filter(listed_to(viewer, moderator))
        .count(db)
        .await?)
}

#[derive(Debug, Clone, Copy)]
pub struct NewMessage<'a> {
    pub id: MessageId,
    pub topic: TopicId,
    pub author: MemberId,
    pub body: &'a str,
    /// The body rendered and sanitised.
    pub html: &'a str,
    pub reply_to: Option<i32>,
    pub pending: bool,
    pub now: DateTime<Utc>,
}

/// Add a message at the end of its topic; returns its number (None: no such topic). Two
/// messages at once get different numbers (the topic's row is locked; numbers are unique).
pub async fn post_message(db: &impl ConnectionTrait, new: NewMessage<'_>) -> StoreResult<Option<i32>> {
    lock(db, Lockable::Topic(new.topic.uuid())).await?;
    let mut bump = topic::Entity::update_many()
        .col_expr(topic::Column::LastNumber, Expr::col(topic::Column::LastNumber).add(1))
        .col_expr(topic::Column::Version, Expr::col(topic::Column::Version).add(1))
        .filter(topic::Column::Id.eq(new.topic.uuid()));
    if !new.pending {
        bump = bump.col_expr(topic::Column::LastMessageAt, Expr::value(new.now));
    }
    if bump.exec(db).await?.rows_affected == 0 {
        return Ok(None);
    }
    let Some(number) = topic::Entity::find_by_id(new.topic.uuid()).one(db).await?.map(|t| t.last_number) else {
        return Ok(None);
    };
    message::ActiveModel {
        id: Set(new.id.uuid()),
        topic_id: Set(new.topic.uuid()),
        number: Set(number),
        author_id: Set(new.author.uuid()),
        body: Set(new.body.to_owned()),
        html: Set(new.html.to_owned()),
        reply_to: Set(new.reply_to),
        created_at: Set(new.now),
        edited_at: Set(None),
        deleted_at: Set(None),
        hidden_at: Set(None),
        pending: Set(new.pending),
    }
    .insert(db)
    .await?;
    if !new.pending {
        super::talk_search::reindex(db, new.id).await?;
    }
    Ok(Some(number))
}

pub async fn message(db: &impl ConnectionTrait, id: MessageId) -> StoreResult<Option<Message>> {
    let Some(row) = message::Entity::find_by_id(id.uuid()).one(db).await? else {
        return Ok(None);
    };
    Ok(with_names(db, vec![row]).await?.pop())
}

pub async fn message_by_number(db: &impl ConnectionTrait, topic: TopicId, number: i32) -> StoreResult<Option<Message>> {
    let Some(row) = message::Entity::find()
        .filter(message::Column::TopicId.eq(topic.uuid()))
        .filter(message::Column::Number.eq(number))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(with_names(db, vec![row]).await?.pop())
}

/// Messages of a topic with numbers in `from..=to`, in order.
pub async fn messages(db: &impl ConnectionTrait, topic: TopicId, from: i32, to: i32) -> StoreResult<Vec<Message>> {
    let rows = message::Entity::find()
        .filter(message::Column::TopicId.eq(topic.uuid()))
        .filter(message::Column::Number.gte(from))
        .filter(message::Column::Number.lte(to))
        .order_by_asc(message::Column::Number)
        .all(db)
        .await?;
    with_names(db, rows).await
}

/// Change a message's text, keeping the text it had (for moderators).
pub async fn edit_message(
    db: &impl ConnectionTrait,
    id: MessageId,
    body: &str,
    html: &str,
    back_to_approval: bool,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let Some(before) = message::Entity::find_by_id(id.uuid()).one(db).await? else {
        return Ok(false);
    };
    message_edit::ActiveModel {
        id: Set(Uuid::now_v7()),
        message_id: Set(id.uuid()),
        body: Set(before.body),
        edited_at: Set(now),
    }
    .insert(db)
    .await?;
    let done = message::Entity::update_many()
        .col_expr(message::Column::Body, Expr::value(body))
        .col_expr(message::Column::Html, Expr::value(html))
        .col_expr(message::Column::Pending, Expr::col(message::Column::Pending).or(Expr::value(back_to_approval)))
        .col_expr(message::Column::EditedAt, Expr::value(now))
        .filter(message::Column::Id.eq(id.uuid()))
        .filter(message::Column::DeletedAt.is_null())
        .exec(db)
        .await?;
    touched(db, id).await?;
    Ok(done.rows_affected == 1)
}

/// Earlier texts of a message, newest first: (text before the edit, when it was edited).
pub async fn edits(db: &impl ConnectionTrait, id: MessageId) -> StoreResult<Vec<(String, DateTime<Utc>)>> {
    Ok(message_edit::Entity::find()
        .filter(message_edit::Column::MessageId.eq(id.uuid()))
        .order_by_desc(message_edit::Column::EditedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.body, e.edited_at))
        .collect())
}

/// The author deletes a message: it shows as "message deleted"; its reactions go.
pub async fn delete_message(db: &impl ConnectionTrait, id: MessageId, now: DateTime<Utc>) -> StoreResult<bool> {
    let done = message::Entity::update_many()
        .col_expr(message::Column::DeletedAt, Expr::value(now))
        .filter(message::Column::Id.eq(id.uuid()))
        .filter(message::Column::DeletedAt.is_null())
        .exec(db)
        .await?;
    reaction::Entity::delete_many().filter(reaction::Column::MessageId.eq(id.uuid())).exec(db).await?;
    touched(db, id).await?;
    Ok(done.rows_affected == 1)
}

/// Hide a message (a moderator, or reports reaching the threshold).
pub async fn hide_message(db: &impl ConnectionTrait, id: MessageId, now: DateTime<Utc>) -> StoreResult<bool> {
    let done = message::Entity::update_many()
        .col_expr(message::Column::HiddenAt, Expr::value(now))
        .filter(message::Column::Id.eq(id.uuid()))
        .filter(message::Column::HiddenAt.is_null())
        .exec(db)
        .await?;
    touched(db, id).await?;
    Ok(done.rows_affected == 1)
}

/// Show a hidden message again.
pub async fn restore_message(db: &impl ConnectionTrait, id: MessageId) -> StoreResult<bool> {
    let done = message::Entity::update_many()
        .col_expr(message::Column::HiddenAt, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(message::Column::Id.eq(id.uuid()))
        .filter(message::Column::HiddenAt.is_not_null())
        .exec(db)
        .await?;
    touched(db, id).await?;
    Ok(done.rows_affected == 1)
}

/// A coordinator approves a waiting message: it is published, and the topic shows activity.
pub async fn approve_message(db: &impl ConnectionTrait, id: MessageId, now: DateTime<Utc>) -> StoreResult<bool> {
    let Some(row) = message::Entity::find_by_id(id.uuid()).one(db).await? else {
        return Ok(false);
    };
    let done = message::Entity::update_many()
        .col_expr(message::Column::Pending, Expr::value(false))
        .filter(message::Column::Id.eq(id.uuid()))
        .filter(message::Column::Pending.eq(true))
        .filter(message::Column::HiddenAt.is_null())
        .exec(db)
        .await?;
    if done.rows_affected == 1 {
        topic::Entity::update_many()
            .col_expr(topic::Column::LastMessageAt, Expr::value(now))
            .filter(topic::Column::Id.eq(row.topic_id))
            .exec(db)
            .await?;
    }
    touched(db, id).await?;
    Ok(done.rows_affected == 1)
}

/// How many of a member's messages have been published in a space's topics (for first-message
/// approval; private conversations do not count).
pub async fn published_count(db: &impl ConnectionTrait, space: SpaceId, author: MemberId) -> StoreResult<u64> {
    let topics = sea_orm::sea_query::Query::select()
        .column(topic::Column::Id)
        .from(topic::Entity)
        .and_where(topic::Column::SpaceId.eq(space.uuid()))
        .and_where(topic::Column::Private.eq(false))
        .to_owned();
    Ok(message::Entity::find()
        .filter(message::Column::TopicId.in_subquery(topics))
        .filter(message::Column::AuthorId.eq(author.uuid()))
        .filter(message::Column::Pending.eq(false))
        .count(db)
        .await?)
}

/// Messages sent by a member since `since` (for the flood limit).
pub async fn count_messages_since(
    db: &impl ConnectionTrait,
    author: MemberId,
    since: DateTime<Utc>,
) -> StoreResult<u64> {
    Ok(message::Entity::find()
        .filter(message::Column::AuthorId.eq(author.uuid()))
        .filter(message::Column::CreatedAt.gt(since))
        .count(db)
        .await?)
}

/// The reactions on some messages: per message, each reaction with its count and whether
/// `viewer` gave it.
pub async fn reactions(
    db: &impl ConnectionTrait,
    messages: &[MessageId],
    viewer: MemberId,
) -> StoreResult<HashMap<MessageId, Vec<(Reaction, u32, bool)>>> {
    let rows = reaction::Entity::find()
        .filter(reaction::Column::MessageId.is_in(messages.iter().map(|m| m.uuid())))
        .all(db)
        .await?;
    let mut out: HashMap<MessageId, Vec<(Reaction, u32, bool)>> = HashMap::new();
    for row in rows {
        let kind = Reaction::parse(&row.reaction).ok_or_else(|| corrupt("reaction", &row.reaction))?;
        let list = out.entry(MessageId::from_uuid(row.message_id)).or_default();
        let mine = row.member_id == viewer.uuid();
        match list.iter_mut().find(|(k, _, _)| *k == kind) {
            Some(entry) => {
                entry.1 += 1;
                entry.2 |= mine;
            }
            None => list.push((kind, 1, mine)),
        }
    }
    for list in out.values_mut() {
        list.sort_by_key(|(kind, _, _)| *kind);
    }
    Ok(out)
}

/// Give or take back a reaction; returns whether anything changed.
pub async fn set_reaction(
    db: &impl ConnectionTrait,
    message: MessageId,
    member: MemberId,
    kind: Reaction,
    on: bool,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    if on {
        let inserted = reaction::Entity::insert(reaction::ActiveModel {
            message_id: Set(message.uuid()),
            member_id: Set(member.uuid()),
            reaction: Set(kind.as_str().to_owned()),
            created_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([reaction::Column::MessageId, reaction::Column::MemberId, reaction::Column::Reaction])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
        if inserted == 1 {
            bump_version(db, message).await?;
        }
        Ok(inserted == 1)
    } else {
        let done = reaction::Entity::delete_many()
            .filter(reaction::Column::MessageId.eq(message.uuid()))
            .filter(reaction::Column::MemberId.eq(member.uuid()))
            .filter(reaction::Column::Reaction.eq(kind.as_str()))
            .exec(db)
            .await?;
        if done.rows_affected == 1 {
            bump_version(db, message).await?;
        }
        Ok(done.rows_affected == 1)
    }
}

/// After a message changed: its words in the search index, and its topic's version.
async fn touched(db: &impl ConnectionTrait, id: MessageId) -> StoreResult<()> {
    super::talk_search::reindex(db, id).await?;
    bump_version(db, id).await
}

/// Count up the version of a message's topic (what is kept of it in memory is then stale).
async fn bump_version(db: &impl ConnectionTrait, id: MessageId) -> StoreResult<()> {
    let topic_of = sea_orm::sea_query::Query::select()
        .column(message::Column::TopicId)
        .from(message::Entity)
        .and_where(message::Column::Id.eq(id.uuid()))
        .to_owned();
    topic::Entity::update_many()
        .col_expr(topic::Column::Version, Expr::col(topic::Column::Version).add(1))
        .filter(topic::Column::Id.in_subquery(topic_of))
        .exec(db)
        .await?;
    Ok(())
}

/// Who gave which reaction to these messages (kept in memory with a topic's latest messages).
pub async fn reactors(
    db: &impl ConnectionTrait,
    messages: &[MessageId],
) -> StoreResult<HashMap<MessageId, Vec<(Reaction, Vec<MemberId>)>>> {
    let rows = reaction::Entity::find()
        .filter(reaction::Column::MessageId.is_in(messages.iter().map(|m| m.uuid())))
        .order_by_asc(reaction::Column::CreatedAt)
        .all(db)
        .await?;
    let mut out: HashMap<MessageId, Vec<(Reaction, Vec<MemberId>)>> = HashMap::new();
    for row in rows {
        let kind = Reaction::parse(&row.reaction).ok_or_else(|| corrupt("reaction", &row.reaction))?;
        let list = out.entry(MessageId::from_uuid(row.message_id)).or_default();
        let member = MemberId::from_uuid(row.member_id);
        match list.iter_mut().find(|(k, _)| *k == kind) {
            Some(entry) => entry.1.push(member),
            None => list.push((kind, vec![member])),
        }
    }
    for list in out.values_mut() {
        list.sort_by_key(|(kind, _)| *kind);
    }
    Ok(out)
}

/// Reactions as one member sees them: each kind, how many gave it, and whether they did.
pub fn reactions_seen_by(
    reactors: &HashMap<MessageId, Vec<(Reaction, Vec<MemberId>)>>,
    viewer: MemberId,
) -> HashMap<MessageId, Vec<(Reaction, u32, bool)>> {
    reactors
        .iter()
        .map(|(id, list)| {
            let seen = list
                .iter()
                .map(|(kind, who)| (*kind, u32::try_from(who.len()).unwrap_or(u32::MAX), who.contains(&viewer)))
                .collect();
            (*id, seen)
        })
        .collect()
}

/// How far a member has read a topic (0: never opened).
pub async fn last_read(db: &impl ConnectionTrait, member: MemberId, topic: TopicId) -> StoreResult<Option<i32>> {
    Ok(topic_read::Entity::find_by_id((member.uuid(), topic.uuid())).one(db).await?.map(|r| r.last_read))
}

/// How far a member has read a topic (None: never opened), and whether they follow or muted it.
pub async fn read_state(
    db: &impl ConnectionTrait,
    member: MemberId,
    topic: TopicId,
) -> StoreResult<(Option<i32>, Follow)> {
    match topic_read::Entity::find_by_id((member.uuid(), topic.uuid())).one(db).await? {
        Some(row) => {
            Ok((Some(row.last_read), Follow::parse(&row.level).ok_or_else(|| corrupt("follow level", &row.level))?))
        }
        None => Ok((None, Follow::Normal)),
    }
}

/// Remember that a member has read a topic up to `number` (never moving back).
pub async fn mark_read(db: &impl ConnectionTrait, member: MemberId, topic: TopicId, number: i32) -> StoreResult<()> {
    topic_read::Entity::insert(topic_read::ActiveModel {
        member_id: Set(member.uuid()),
        topic_id: Set(topic.uuid()),
        last_read: Set(number),
        level: Set("normal".to_owned()),
    })
    .on_conflict(
        OnConflict::columns([topic_read::Column::MemberId, topic_read::Column::TopicId]).do_nothing().to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    topic_read::Entity::update_many()
        .col_expr(topic_read::Column::LastRead, Expr::value(number))
        .filter(topic_read::Column::MemberId.eq(member.uuid()))
        .filter(topic_read::Column::TopicId.eq(topic.uuid()))
        .filter(topic_read::Column::LastRead.lt(number))
        .exec(db)
        .await?;
    Ok(())
}

/// Pin or unpin, lock or unlock, or move a topic.
pub async fn set_topic_flags(
    db: &impl ConnectionTrait,
    id: TopicId,
    pinned: bool,
    locked: bool,
    space: SpaceId,
) -> StoreResult<bool> {
    Ok(topic::Entity::update_many()
        .col_expr(topic::Column::Pinned, Expr::value(pinned))
        .col_expr(topic::Column::Locked, Expr::value(locked))
        .col_expr(topic::Column::SpaceId, Expr::value(space.uuid()))
        .filter(topic::Column::Id.eq(id.uuid()))
        .exec(db)
        .await?
        .rows_affected
        == 1)
}

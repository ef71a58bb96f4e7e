//! Notifications, what members follow or have muted, and how often they want email.

use super::corrupt;
use crate::StoreResult;
use crate::entities::{
    listing, member, message, notification, notification_setting, poll, space_follow, topic, topic_read, transfer,
};
use chrono::{DateTime, Utc};
use planet_domain::notification::{EmailFrequency, Follow, NotificationKind};
use planet_domain::{ListingId, MemberId, MessageId, NotificationId, PollId, SpaceId, TopicId, TransferId};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::collections::HashMap;
use uuid::Uuid;

fn parse_follow(text: &str) -> StoreResult<Follow> {
    Follow::parse(text).ok_or_else(|| corrupt("follow level", text))
}

/// Members who chose a level other than normal for a topic.
pub async fn topic_levels(db: &impl ConnectionTrait, topic: TopicId) -> StoreResult<HashMap<MemberId, Follow>> {
    let rows = topic_read::Entity::find()
        .filter(topic_read::Column::TopicId.eq(topic.uuid()))
        .filter(topic_read::Column::Level.ne(Follow::Normal.as_str()))
        .all(db)
        .await?;
    rows.into_iter().map(|row| Ok((MemberId::from_uuid(row.member_id), parse_follow(&row.level)?))).collect()
}

/// Members who chose a level other than normal for a space.
pub async fn space_levels(db: &impl ConnectionTrait, space: SpaceId) -> StoreResult<HashMap<MemberId, Follow>> {
    let rows = space_follow::Entity::find()
        .filter(space_follow::Column::SpaceId.eq(space.uuid()))
        .filter(space_follow::Column::Level.ne(Follow::Normal.as_str()))
        .all(db)
        .await?;
    rows.into_iter().map(|row| Ok((MemberId::from_uuid(row.member_id), parse_follow(&row.level)?))).collect()
}

pub async fn space_level(db: &impl ConnectionTrait, member: MemberId, space: SpaceId) -> StoreResult<Follow> {
    match space_follow::Entity::find_by_id((member.uuid(), space.uuid())).one(db).await? {
        Some(row) => parse_follow(&row.level),
        None => Ok(Follow::Normal),
    }
}

/// A member's level for each of some spaces (absent: normal).
pub async fn space_levels_of(
    db: &impl ConnectionTrait,
    member: MemberId,
    spaces: &[SpaceId],
) -> StoreResult<HashMap<SpaceId, Follow>> {
    let rows = space_follow::Entity::find()
        .filter(space_follow::Column::MemberId.eq(member.uuid()))
        .filter(space_follow::Column::SpaceId.is_in(spaces.iter().map(|s| s.uuid())))
        .all(db)
        .await?;
    rows.into_iter().map(|row| Ok((SpaceId::from_uuid(row.space_id), parse_follow(&row.level)?))).collect()
}

/// Follow, mute, or go back to normal for a topic (the read position is kept).
pub async fn set_topic_level(
    db: &impl ConnectionTrait,
    member: MemberId,
    topic: TopicId,
    level: Follow,
) -> StoreResult<()> {
    topic_read::Entity::insert(topic_read::ActiveModel {
        member_id: Set(member.uuid()),
        topic_id: Set(topic.uuid()),
        last_read: Set(0),
        level: Set(level.as_str().to_owned()),
    })
    .on_conflict(
        OnConflict::columns([topic_read::Column::MemberId, topic_read::Column::TopicId])
            .update_column(topic_read::Column::Level)
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Writing in a topic follows it, unless the member has muted it.
pub async fn follow_unless_muted(db: &impl ConnectionTrait, member: MemberId, topic: TopicId) -> StoreResult<()> {
    topic_read::Entity::update_many()
        .col_expr(topic_read::Column::Level, Expr::value(Follow::Following.as_str()))
        .filter(topic_read::Column::MemberId.eq(member.uuid()))
        .filter(topic_read::Column::TopicId.eq(topic.uuid()))
        .filter(topic_read::Column::Level.eq(Follow::Normal.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn set_space_level(
    db: &impl ConnectionTrait,
    member: MemberId,
    space: SpaceId,
    level: Follow,
) -> StoreResult<()> {
    if level == Follow::Normal {
        space_follow::Entity::delete_by_id((member.uuid(), space.uuid())).exec(db).await?;
        return Ok(());
    }
    space_follow::Entity::insert(space_follow::ActiveModel {
        member_id: Set(member.uuid()),
        space_id: Set(space.uuid()),
        level: Set(level.as_str().to_owned()),
    })
    .on_conflict(
        OnConflict::columns([space_follow::Column::MemberId, space_follow::Column::SpaceId])
            .update_column(space_follow::Column::Level)
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

pub struct NewNotification {
    pub member: MemberId,
    pub kind: NotificationKind,
    pub topic: TopicId,
    pub message: MessageId,
    pub actor: MemberId,
    pub now: DateTime<Utc>,
}

/// Tell a member. News in a followed topic joins the member's unread notification about that
/// topic if there is one (returns None); otherwise a new one is made (returns its id).
pub async fn notify(db: &impl ConnectionTrait, new: NewNotification) -> StoreResult<Option<NotificationId>> {
    if new.kind == NotificationKind::Message {
        let gathered = notification::Entity::update_many()
            .col_expr(notification::Column::Count, Expr::col(notification::Column::Count).add(1))
            .col_expr(notification::Column::MessageId, Expr::value(new.message.uuid()))
            .col_expr(notification::Column::ActorId, Expr::value(new.actor.uuid()))
            .col_expr(notification::Column::CreatedAt, Expr::value(new.now))
            // New news: the next daily email tells of it again.
            .col_expr(notification::Column::EmailedAt, Expr::value(Option::<DateTime<Utc>>::None))
            .filter(notification::Column::MemberId.eq(new.member.uuid()))
            .filter(notification::Column::TopicId.eq(new.topic.uuid()))
            .filter(notification::Column::Kind.eq(NotificationKind::Message.as_str()))
            .filter(notification::Column::ReadAt.is_null())
            .exec(db)
            .await?;
        if gathered.rows_affected > 0 {
            return Ok(None);
        }
    }
    let id = NotificationId::new_v7();
    notification::Entity::insert(notification::ActiveModel {
        id: Set(id.uuid()),
        member_id: Set(new.member.uuid()),
        kind: Set(new.kind.as_str().to_owned()),
        topic_id: Set(Some(new.topic.uuid())),
        message_id: Set(Some(new.message.uuid())),
        actor_id: Set(Some(new.actor.uuid())),
        count: Set(1),
        created_at: Set(new.now),
        read_at: Set(None),
        emailed_at: Set(None),
        listing_id: Set(None),
        transfer_id: Set(None),
        poll_id: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(Some(id))
}

pub async fn unread_count(db: &impl ConnectionTrait, member: MemberId) -> StoreResult<u64> {
    Ok(notification::Entity::find()
        .filter(notification::Column::MemberId.eq(member.uuid()))
        .filter(notification::Column::ReadAt.is_null())
        .count(db)
        .await?)
}

/// What a notification outside talk is about: a listing (a match, a promise, a deal, feedback,
/// expiry), a transfer (paid, asked, accepted, declined, expired) or a poll (opened, closing,
/// closed, its outcome).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct About {
    pub listing: Option<ListingId>,
    pub transfer: Option<TransferId>,
    pub poll: Option<PollId>,
}

/// Something to tell a member about a listing or a transfer.
pub struct Notice {
    pub member: MemberId,
    pub kind: NotificationKind,
    pub about: About,
    /// Who did it (None: nobody; its time ran out).
    pub actor: Option<MemberId>,
    pub now: DateTime<Utc>,
}

pub async fn notify_about(db: &impl ConnectionTrait, new: Notice) -> StoreResult<NotificationId> {
    let id = NotificationId::new_v7();
    notification::Entity::insert(notification::ActiveModel {
        id: Set(id.uuid()),
        member_id: Set(new.member.uuid()),
        kind: Set(new.kind.as_str().to_owned()),
        topic_id: Set(None),
        message_id: Set(None),
        actor_id: Set(new.actor.map(MemberId::uuid)),
        count: Set(1),
        created_at: Set(new.now),
        read_at: Set(None),
        emailed_at: Set(None),
        listing_id: Set(new.about.listing.map(ListingId::uuid)),
        transfer_id: Set(new.about.transfer.map(TransferId::uuid)),
        poll_id: Set(new.about.poll.map(PollId::uuid)),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

/// A notification as a member's list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: NotificationId,
    pub kind: NotificationKind,
    pub topic: Option<TopicId>,
    /// The space the topic is in now.
    pub space: Option<SpaceId>,
    /// The topic is a private conversation (seen only by those taking part).
    pub private: bool,
    pub topic_title: String,
    /// The number of the message it is about, in its topic.
    pub number: Option<i32>,
    /// The start of the message's text (Markdown as written).
    pub excerpt: String,
    pub actor_name: String,
    pub count: i32,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    /// The listing it is about (then `topic_title` is the listing's title, `space` its space).
    pub listing: Option<ListingId>,
    /// The transfer it is about (then `topic_title` is what it is for).
    pub transfer: Option<TransferId>,
    /// The poll it is about (then `topic_title` is the poll's title, `space` its space).
    pub poll: Option<PollId>,
    /// The poll is seen by the whole community, not only by those who see inside its space.
    pub poll_watched: bool,
}

const EXCERPT_CHARS: usize = 200;

fn excerpt(body: &str) -> String {
    let flat: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(EXCERPT_CHARS) {
        Some((at, _)) => format!("{}…", &flat[..at]),
        None => flat,
    }
}

async fn complete(db: &impl ConnectionTrait, rows: Vec<notification::Model>) -> StoreResult<Vec<Notification>> {
    let topics: HashMap<Uuid, (String, Uuid, bool)> = topic::Entity::find()
        .select_only()
        .column(topic::Column::Id)
        .column(topic::Column::Title)
        .column(topic::Column::SpaceId)
        .column(topic::Column::Private)
        .filter(topic::Column::Id.is_in(rows.iter().filter_map(|r| r.topic_id)))
        .into_tuple::<(Uuid, String, Uuid, bool)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, title, space, private)| (id, (title, space, private)))
        .collect();
    // A deleted or hidden message's text is not repeated here.
    let messages: HashMap<Uuid, (i32, String)> = message::Entity::find()
        .filter(message::Column::Id.is_in(rows.iter().filter_map(|r| r.message_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|m| {
            let shown = m.deleted_at.is_none() && m.hidden_at.is_none() && !m.pending;
            (m.id, (m.number, if shown { excerpt(&m.body) } else { String::new() }))
        })
        .collect();
    let names: HashMap<Uuid, String> = member::Entity::find()
        .select_only()
        .column(member::Column::Id)
        .column(member::Column::Name)
        .filter(member::Column::Id.is_in(rows.iter().filter_map(|r| r.actor_id)))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let listings: HashMap<Uuid, (String, Uuid)> = listing::Entity::find()
        .select_only()
        .column(listing::Column::Id)
        .column(listing::Column::Title)
        .column(listing::Column::SpaceId)
        .filter(listing::Column::Id.is_in(rows.iter().filter_map(|r| r.listing_id)))
        .into_tuple::<(Uuid, String, Uuid)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, title, space)| (id, (title, space)))
        .collect();
    let transfers: HashMap<Uuid, String> = transfer::Entity::find()
        .select_only()
        .column(transfer::Column::Id)
        .column(transfer::Column::Description)
        .filter(transfer::Column::Id.is_in(rows.iter().filter_map(|r| r.transfer_id)))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    // Each poll's title and space, and whether the whole community watches it.
    let community = planet_domain::poll::Audience::Community.as_str();
    let polls: HashMap<Uuid, (String, Uuid, bool)> = poll::Entity::find()
        .select_only()
        .column(poll::Column::Id)
        .column(poll::Column::Title)
        .column(poll::Column::SpaceId)
        .column(poll::Column::SeenBy)
        .filter(poll::Column::Id.is_in(rows.iter().filter_map(|r| r.poll_id)))
        .into_tuple::<(Uuid, String, Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, title, space, seen_by)| (id, (title, space, seen_by == community)))
        .collect();
    rows.into_iter()
        .map(|row| {
            let message = row.message_id.and_then(|id| messages.get(&id));
            let paid = row.transfer_id.and_then(|id| transfers.get(&id));
            let voted = row.poll_id.and_then(|id| polls.get(&id)).map(|(title, space, _)| (title, space));
            let listed = row.listing_id.and_then(|id| listings.get(&id)).map(|(title, space)| (title, space));
            let about = listed.or(voted);
            Ok(Notification {
                id: NotificationId::from_uuid(row.id),
                kind: NotificationKind::parse(&row.kind).ok_or_else(|| corrupt("notification kind", &row.kind))?,
                topic: row.topic_id.map(TopicId::from_uuid),
                space: row
                    .topic_id
                    .and_then(|id| topics.get(&id))
                    .map(|(_, space, _)| SpaceId::from_uuid(*space))
                    .or(about.map(|(_, space)| SpaceId::from_uuid(*space))),
                private: row.topic_id.and_then(|id| topics.get(&id)).is_some_and(|(_, _, private)| *private),
                topic_title: row
                    .topic_id
                    .and_then(|id| topics.get(&id))
                    .map(|(title, _, _)| title.clone())
                    .or(about.map(|(title, _)| title.clone()))
                    .or(paid.cloned())
                    .unwrap_or_default(),
                number: message.map(|(number, _)| *number),
                excerpt: message.map(|(_, text)| text.clone()).unwrap_or_default(),
                actor_name: row.actor_id.and_then(|id| names.get(&id)).cloned().unwrap_or_default(),
                count: row.count,
                created_at: row.created_at,
                read_at: row.read_at,
                listing: row.listing_id.and_then(|id| listings.get(&id)).and(row.listing_id).map(ListingId::from_uuid),
                transfer: paid.and(row.transfer_id).map(TransferId::from_uuid),
                poll: voted.and(row.poll_id).map(PollId::from_uuid),
                poll_watched: row.poll_id.and_then(|id| polls.get(&id)).is_some_and(|(_, _, watched)| *watched),
            })
        })
        .collect()
}

/// A member's notifications, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    member: MemberId,
    limit: u64,
    offset: u64,
) -> StoreResult<Vec<Notification>> {
    let rows = notification::Entity::find()
        .filter(notification::Column::MemberId.eq(member.uuid()))
        .order_by_desc(notification::Column::CreatedAt)
        .order_by_desc(notification::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    complete(db, rows).await
}

pub async fn count(db: &impl ConnectionTrait, member: MemberId) -> StoreResult<u64> {
    Ok(notification::Entity::find().filter(notification::Column::MemberId.eq(member.uuid())).count(db).await?)
}

/// One of a member's notifications (None: not theirs, or not there).
pub async fn one(db: &impl ConnectionTrait, member: MemberId, id: NotificationId) -> StoreResult<Option<Notification>> {
    let rows = notification::Entity::find_by_id(id.uuid())
        .filter(notification::Column::MemberId.eq(member.uuid()))
        .all(db)
        .await?;
    Ok(complete(db, rows).await?.pop())
}

/// Whether anyone was told about a message (it was published before).
pub async fn told_of(db: &impl ConnectionTrait, message: MessageId) -> StoreResult<bool> {
    Ok(notification::Entity::find().filter(notification::Column::MessageId.eq(message.uuid())).count(db).await? > 0)
}

/// Mark one read; returns whether it was unread.
pub async fn mark_read(
    db: &impl ConnectionTrait,
    member: MemberId,
    id: NotificationId,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let done = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(now))
        .filter(notification::Column::Id.eq(id.uuid()))
        .filter(notification::Column::MemberId.eq(member.uuid()))
        .filter(notification::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

pub async fn mark_all_read(db: &impl ConnectionTrait, member: MemberId, now: DateTime<Utc>) -> StoreResult<u64> {
    let done = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(now))
        .filter(notification::Column::MemberId.eq(member.uuid()))
        .filter(notification::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

/// The member has read a topic up to message `upto`: what it told them about is read too.
/// Returns how many were marked.
pub async fn mark_topic_read(
    db: &impl ConnectionTrait,
    member: MemberId,
    topic: TopicId,
    upto: i32,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    let seen = Query::select()
        .column(message::Column::Id)
        .from(message::Entity)
        .and_where(message::Column::TopicId.eq(topic.uuid()))
        .and_where(message::Column::Number.lte(upto))
        .to_owned();
    let done = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(now))
        .filter(notification::Column::MemberId.eq(member.uuid()))
        .filter(notification::Column::TopicId.eq(topic.uuid()))
        .filter(notification::Column::ReadAt.is_null())
        .filter(notification::Column::MessageId.in_subquery(seen))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

pub async fn mark_emailed(db: &impl ConnectionTrait, ids: &[NotificationId], now: DateTime<Utc>) -> StoreResult<()> {
    notification::Entity::update_many()
        .col_expr(notification::Column::EmailedAt, Expr::value(now))
        .filter(notification::Column::Id.is_in(ids.iter().map(|id| id.uuid())))
        .exec(db)
        .await?;
    Ok(())
}

/// How often each of some members wants email (those who never chose get the default).
pub async fn email_frequencies(
    db: &impl ConnectionTrait,
    members: &[MemberId],
) -> StoreResult<HashMap<MemberId, EmailFrequency>> {
    let chosen: HashMap<Uuid, String> = notification_setting::Entity::find()
        .filter(notification_setting::Column::MemberId.is_in(members.iter().map(|m| m.uuid())))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.member_id, row.email))
        .collect();
    members
        .iter()
        .map(|m| {
            let frequency = match chosen.get(&m.uuid()) {
                Some(text) => EmailFrequency::parse(text).ok_or_else(|| corrupt("email frequency", text))?,
                None => EmailFrequency::DEFAULT,
            };
            Ok((*m, frequency))
        })
        .collect()
}

pub async fn set_email_frequency(
    db: &impl ConnectionTrait,
    member: MemberId,
    frequency: EmailFrequency,
) -> StoreResult<()> {
    notification_setting::Entity::insert(notification_setting::ActiveModel {
        member_id: Set(member.uuid()),
        email: Set(frequency.as_str().to_owned()),
        digest_at: Set(None),
    })
    .on_conflict(
        OnConflict::column(notification_setting::Column::MemberId)
            .update_column(notification_setting::Column::Email)
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Members due a daily email: who want it (chose it, or never chose), had none since
/// `last_before`, and have unread notifications not yet emailed made before `before`; at most
/// `limit` of them.
pub async fn members_with_news(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
    last_before: DateTime<Utc>,
    limit: u64,
) -> StoreResult<Vec<MemberId>> {
    let other_choice = Query::select()
        .column(notification_setting::Column::MemberId)
        .from(notification_setting::Entity)
        .cond_where(
            Condition::any()
                .add(notification_setting::Column::Email.ne(EmailFrequency::Daily.as_str()))
                .add(notification_setting::Column::DigestAt.gt(last_before)),
        )
        .to_owned();
    let ids: Vec<Uuid> = notification::Entity::find()
        .select_only()
        .column(notification::Column::MemberId)
        .distinct()
        .filter(notification::Column::ReadAt.is_null())
        .filter(notification::Column::EmailedAt.is_null())
        .filter(notification::Column::CreatedAt.lt(before))
        .filter(notification::Column::MemberId.not_in_subquery(other_choice))
        .limit(limit)
        .into_tuple::<Uuid>()
        .all(db)
        .await?;
    Ok(ids.into_iter().map(MemberId::from_uuid).collect())
}

/// When a member's last daily email went out.
pub async fn digest_sent_at(db: &impl ConnectionTrait, member: MemberId) -> StoreResult<Option<DateTime<Utc>>> {
    Ok(notification_setting::Entity::find_by_id(member.uuid()).one(db).await?.and_then(|row| row.digest_at))
}

/// Remember that a daily email went out now. Returns false when another process sent it
/// since `previous` (it is not sent twice).
pub async fn claim_digest(
    db: &impl ConnectionTrait,
    member: MemberId,
    previous: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    notification_setting::Entity::insert(notification_setting::ActiveModel {
        member_id: Set(member.uuid()),
        email: Set(EmailFrequency::DEFAULT.as_str().to_owned()),
        digest_at: Set(None),
    })
    .on_conflict(OnConflict::column(notification_setting::Column::MemberId).do_nothing().to_owned())
    .exec_without_returning(db)
    .await?;
    let mut claim = notification_setting::Entity::update_many()
        .col_expr(notification_setting::Column::DigestAt, Expr::value(now))
        .filter(notification_setting::Column::MemberId.eq(member.uuid()));
    claim = match previous {
        Some(at) => claim.filter(notification_setting::Column::DigestAt.eq(at)),
        None => claim.filter(notification_setting::Column::DigestAt.is_null()),
    };
    Ok(claim.exec(db).await?.rows_affected == 1)
}

/// A member's unread notifications not yet emailed, oldest first.
pub async fn unemailed(db: &impl ConnectionTrait, member: MemberId) -> StoreResult<Vec<Notification>> {
    let rows = notification::Entity::find()
        .filter(notification::Column::MemberId.eq(member.uuid()))
        .filter(notification::Column::ReadAt.is_null())
        .filter(notification::Column::EmailedAt.is_null())
        .order_by_asc(notification::Column::CreatedAt)
        .limit(100)
        .all(db)
        .await?;
    complete(db, rows).await
}

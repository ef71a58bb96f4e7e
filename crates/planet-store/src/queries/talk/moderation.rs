//! Moderation of talk: reports, the moderation queue, the log members read, limits on members,
//! and each space's settings.

use super::{Message, Topic, message_from, names_of};
use crate::StoreResult;
use crate::entities::{message, message_report, moderation_entry, talk_restriction, talk_setting, topic};
use crate::queries::corrupt;
use chrono::{DateTime, Utc};
use planet_domain::talk::{ModerationKind, RestrictionKind, TalkRules};
use planet_domain::{MemberId, MessageId, ReportId, SpaceId, TopicId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// A member reports a message. A second report by the same member is a `Conflict`.
pub async fn report(
    db: &impl ConnectionTrait,
    id: ReportId,
    message: MessageId,
    reporter: MemberId,
    reason: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    message_report::ActiveModel {
        id: Set(id.uuid()),
        message_id: Set(message.uuid()),
        reporter_id: Set(reporter.uuid()),
        reason: Set(reason.to_owned()),
        created_at: Set(now),
        resolved_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// How many different members have reports on a message that no moderator has dealt with.
pub async fn open_reporters(db: &impl ConnectionTrait, message: MessageId) -> StoreResult<u64> {
    Ok(message_report::Entity::find()
        .filter(message_report::Column::MessageId.eq(message.uuid()))
        .filter(message_report::Column::ResolvedAt.is_null())
        .count(db)
        .await?)
}

/// A moderator has dealt with a message's reports.
pub async fn resolve_reports(db: &impl ConnectionTrait, message: MessageId, now: DateTime<Utc>) -> StoreResult<u64> {
    Ok(message_report::Entity::update_many()
        .col_expr(message_report::Column::ResolvedAt, Expr::value(now))
        .filter(message_report::Column::MessageId.eq(message.uuid()))
        .filter(message_report::Column::ResolvedAt.is_null())
        .exec(db)
        .await?
        .rows_affected)
}

/// A report waiting for a moderator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenReport {
    pub reporter_name: String,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

/// Something in a space's moderation queue: a reported message, or a first message waiting
/// for approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueItem {
    pub message: Message,
    pub topic: Topic,
    pub reports: Vec<OpenReport>,
}

/// A space's moderation queue: messages with open reports, and messages waiting for approval,
/// oldest first. Reports from private conversations are in it only `with_private` (stewards).
pub async fn moderation_queue(
    db: &impl ConnectionTrait,
    space: SpaceId,
    with_private: bool,
) -> StoreResult<Vec<QueueItem>> {
    let topics: HashMap<Uuid, topic::Model> = topic::Entity::find()
        .filter(topic::Column::SpaceId.eq(space.uuid()))
        .filter(private_unless(with_private))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let in_space = sea_orm::sea_query::Query::select()
        .column(message::Column::Id)
        .from(message::Entity)
        .and_where(message::Column::TopicId.is_in(topics.keys().copied()))
        .to_owned();
    let reports = message_report::Entity::find()
        .filter(message_report::Column::MessageId.in_subquery(in_space))
        .filter(message_report::Column::ResolvedAt.is_null())
        .order_by_asc(message_report::Column::CreatedAt)
        .all(db)
        .await?;
    let pending_ids = message::Entity::find()
        .select_only()
        .column(message::Column::Id)
        .filter(message::Column::TopicId.is_in(topics.keys().copied()))
        .filter(message::Column::Pending.eq(true))
        .filter(message::Column::DeletedAt.is_null())
        .filter(message::Column::HiddenAt.is_null())
        .into_tuple::<Uuid>()
        .all(db)
        .await?;
    let mut ids: Vec<Uuid> = reports.iter().map(|r| r.message_id).chain(pending_ids).collect();
    ids.sort();
    ids.dedup();
    let rows = message::Entity::find()
        .filter(message::Column::Id.is_in(ids))
        .order_by_asc(message::Column::CreatedAt)
        .all(db)
        .await?;
    let names =
        names_of(db, rows.iter().map(|r| r.author_id).chain(reports.iter().map(|r| r.reporter_id)).collect()).await?;
    let mut out = Vec::new();
    for row in rows {
        let Some(topic) = topics.get(&row.topic_id).cloned() else { continue };
        let reports = reports
            .iter()
            .filter(|r| r.message_id == row.id)
            .map(|r| OpenReport {
                reporter_name: names.get(&r.reporter_id).cloned().unwrap_or_default(),
                reason: r.reason.clone(),
                created_at: r.created_at,
            })
            .collect();
        out.push(QueueItem { message: message_from(row, &names), topic: Topic::from(topic), reports });
    }
    Ok(out)
}

/// Private conversations too, or not.
fn private_unless(with_private: bool) -> Condition {
    if with_private { Condition::all() } else { Condition::all().add(topic::Column::Private.eq(false)) }
}

/// How many items wait in the moderation queues of these spaces (with private conversations'
/// reports for stewards).
pub async fn queue_length(db: &impl ConnectionTrait, spaces: &[SpaceId], with_private: bool) -> StoreResult<u64> {
    if spaces.is_empty() {
        return Ok(0);
    }
    let topic_ids: Vec<Uuid> = topic::Entity::find()
        .select_only()
        .column(topic::Column::Id)
        .filter(topic::Column::SpaceId.is_in(spaces.iter().map(|s| s.uuid())))
        .filter(private_unless(with_private))
        .into_tuple()
        .all(db)
        .await?;
    let waiting = Condition::any()
        .add(
            Condition::all()
                .add(message::Column::Pending.eq(true))
                .add(message::Column::DeletedAt.is_null())
                .add(message::Column::HiddenAt.is_null()),
        )
        .add(
            message::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(message_report::Column::MessageId)
                    .from(message_report::Entity)
                    .and_where(message_report::Column::ResolvedAt.is_null())
                    .to_owned(),
            ),
        );
    Ok(message::Entity::find().filter(message::Column::TopicId.is_in(topic_ids)).filter(waiting).count(db).await?)
}

/// Whether a message has ever been reported (a steward may then decide on it, even in a
/// private conversation).
pub async fn ever_reported(db: &impl ConnectionTrait, message: MessageId) -> StoreResult<bool> {
    Ok(message_report::Entity::find().filter(message_report::Column::MessageId.eq(message.uuid())).count(db).await? > 0)
}

/// One entry of a moderation log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModerationEntry {
    pub kind: ModerationKind,
    pub moderator_name: Option<String>,
    pub member_name: Option<String>,
    pub topic: Option<TopicId>,
    pub message: Option<MessageId>,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

pub struct NewModerationEntry<'a> {
    pub space: SpaceId,
    pub kind: ModerationKind,
    pub moderator: Option<MemberId>,
    pub member: Option<MemberId>,
    pub topic: Option<TopicId>,
    pub message: Option<MessageId>,
    pub note: &'a str,
    pub now: DateTime<Utc>,
}

pub async fn log_moderation(db: &impl ConnectionTrait, entry: NewModerationEntry<'_>) -> StoreResult<()> {
    moderation_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        space_id: Set(entry.space.uuid()),
        kind: Set(entry.kind.as_str().to_owned()),
        moderator_id: Set(entry.moderator.map(|m| m.uuid())),
        member_id: Set(entry.member.map(|m| m.uuid())),
        topic_id: Set(entry.topic.map(|t| t.uuid())),
        message_id: Set(entry.message.map(|m| m.uuid())),
        note: Set(entry.note.to_owned()),
        created_at: Set(entry.now),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// A space's moderation log, newest first.
pub async fn moderation_log(
    db: &impl ConnectionTrait,
    space: SpaceId,
    limit: u64,
) -> StoreResult<Vec<ModerationEntry>> {
    let rows = moderation_entry::Entity::find()
        .filter(moderation_entry::Column::SpaceId.eq(space.uuid()))
        .order_by_desc(moderation_entry::Column::CreatedAt)
        .order_by_desc(moderation_entry::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let names = names_of(db, rows.iter().flat_map(|r| [r.moderator_id, r.member_id]).flatten().collect()).await?;
    // The log points to topics, never into private conversations.
    let private: HashSet<Uuid> = topic::Entity::find()
        .select_only()
        .column(topic::Column::Id)
        .filter(topic::Column::Id.is_in(rows.iter().filter_map(|r| r.topic_id)))
        .filter(topic::Column::Private.eq(true))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    rows.into_iter()
        .map(|row| {
            let topic_id = row.topic_id.filter(|id| !private.contains(id));
            Ok(ModerationEntry {
                kind: ModerationKind::parse(&row.kind).ok_or_else(|| corrupt("moderation kind", &row.kind))?,
                moderator_name: row.moderator_id.and_then(|id| names.get(&id).cloned()),
                member_name: row.member_id.and_then(|id| names.get(&id).cloned()),
                topic: topic_id.map(TopicId::from_uuid),
                message: topic_id.and(row.message_id).map(MessageId::from_uuid),
                note: row.note,
                created_at: row.created_at,
            })
        })
        .collect()
}

/// The limits on a member in a space now: (muted, messages read first).
pub async fn limits(
    db: &impl ConnectionTrait,
    space: SpaceId,
    member: MemberId,
    now: DateTime<Utc>,
) -> StoreResult<(bool, bool)> {
    let kinds: Vec<String> = talk_restriction::Entity::find()
        .select_only()
        .column(talk_restriction::Column::Kind)
        .filter(talk_restriction::Column::SpaceId.eq(space.uuid()))
        .filter(talk_restriction::Column::MemberId.eq(member.uuid()))
        .filter(
            Condition::any()
                .add(talk_restriction::Column::Until.is_null())
                .add(talk_restriction::Column::Until.gt(now)),
        )
        .into_tuple()
        .all(db)
        .await?;
    let has = |kind: RestrictionKind| kinds.iter().any(|k| k == kind.as_str());
    Ok((has(RestrictionKind::Mute), has(RestrictionKind::PreModerate)))
}

/// Put a limit on a member (replacing one of the same kind).
pub async fn restrict(
    db: &impl ConnectionTrait,
    space: SpaceId,
    member: MemberId,
    kind: RestrictionKind,
    until: Option<DateTime<Utc>>,
    by: MemberId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    lift(db, space, member, kind).await?;
    talk_restriction::ActiveModel {
        space_id: Set(space.uuid()),
        member_id: Set(member.uuid()),
        kind: Set(kind.as_str().to_owned()),
        until: Set(until),
        created_by: Set(by.uuid()),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn lift(
    db: &impl ConnectionTrait,
    space: SpaceId,
    member: MemberId,
    kind: RestrictionKind,
) -> StoreResult<bool> {
    Ok(talk_restriction::Entity::delete_many()
        .filter(talk_restriction::Column::SpaceId.eq(space.uuid()))
        .filter(talk_restriction::Column::MemberId.eq(member.uuid()))
        .filter(talk_restriction::Column::Kind.eq(kind.as_str()))
        .exec(db)
        .await?
        .rows_affected
        > 0)
}

/// A space's moderation settings (the defaults until coordinators change them).
pub async fn rules(db: &impl ConnectionTrait, space: SpaceId) -> StoreResult<TalkRules> {
    Ok(match talk_setting::Entity::find_by_id(space.uuid()).one(db).await? {
        Some(row) => TalkRules {
            report_threshold: u32::try_from(row.report_threshold).unwrap_or(TalkRules::default().report_threshold),
            first_messages_to_approve: u32::try_from(row.first_messages_to_approve)
                .unwrap_or(TalkRules::default().first_messages_to_approve),
        },
        None => TalkRules::default(),
    })
}

pub async fn set_rules(db: &impl ConnectionTrait, space: SpaceId, rules: TalkRules) -> StoreResult<()> {
    talk_setting::Entity::delete_by_id(space.uuid()).exec(db).await?;
    talk_setting::ActiveModel {
        space_id: Set(space.uuid()),
        report_threshold: Set(i32::try_from(rules.report_threshold).unwrap_or(i32::MAX)),
        first_messages_to_approve: Set(i32::try_from(rules.first_messages_to_approve).unwrap_or(i32::MAX)),
    }
    .insert(db)
    .await?;
    Ok(())
}

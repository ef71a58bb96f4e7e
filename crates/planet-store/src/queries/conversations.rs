//! Private conversations: topics marked private (in the community's root space, outside every
//! listing) and the members taking part in them.

use super::talk::{TopicSummary, names_of, summaries};
use crate::StoreResult;
use crate::entities::{conversation_member, member, topic};
use chrono::{DateTime, Utc};
use planet_domain::space::AccountStatus;
use planet_domain::{MemberId, TopicId};
use sea_orm::sea_query::{Expr, ExprTrait, Func, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use std::collections::HashMap;
use uuid::Uuid;

/// Someone who takes part, or took part, in a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub member: MemberId,
    pub name: String,
    pub joined_at: DateTime<Utc>,
    /// When they left (None: they take part).
    pub left_at: Option<DateTime<Utc>>,
}

impl Participant {
    pub fn takes_part(&self) -> bool {
        self.left_at.is_none()
    }
}

/// Add a member to a conversation, or back into it after they left. Returns whether they were
/// not taking part before.
pub async fn add(
    db: &impl ConnectionTrait,
    topic: TopicId,
    member: MemberId,
    added_by: MemberId,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let back = conversation_member::Entity::update_many()
        .col_expr(conversation_member::Column::LeftAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(conversation_member::Column::AddedBy, Expr::value(added_by.uuid()))
        .col_expr(conversation_member::Column::JoinedAt, Expr::value(now))
        .filter(conversation_member::Column::TopicId.eq(topic.uuid()))
        .filter(conversation_member::Column::MemberId.eq(member.uuid()))
        .filter(conversation_member::Column::LeftAt.is_not_null())
        .exec(db)
        .await?;
    if back.rows_affected == 1 {
        return Ok(true);
    }
    let inserted = conversation_member::Entity::insert(conversation_member::ActiveModel {
        topic_id: Set(topic.uuid()),
        member_id: Set(member.uuid()),
        added_by: Set(added_by.uuid()),
        joined_at: Set(now),
        left_at: Set(None),
    })
    .on_conflict(
        OnConflict::columns([conversation_member::Column::TopicId, conversation_member::Column::MemberId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(inserted == 1)
}

/// Leave a conversation; returns whether the member was taking part.
pub async fn leave(
    db: &impl ConnectionTrait,
    topic: TopicId,
    member: MemberId,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let done = conversation_member::Entity::update_many()
        .col_expr(conversation_member::Column::LeftAt, Expr::value(now))
        .filter(conversation_member::Column::TopicId.eq(topic.uuid()))
        .filter(conversation_member::Column::MemberId.eq(member.uuid()))
        .filter(conversation_member::Column::LeftAt.is_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Everyone who takes or took part in a conversation, in the order they joined.
pub async fn participants(db: &impl ConnectionTrait, topic: TopicId) -> StoreResult<Vec<Participant>> {
    let rows = conversation_member::Entity::find()
        .filter(conversation_member::Column::TopicId.eq(topic.uuid()))
        .order_by_asc(conversation_member::Column::JoinedAt)
        .order_by_asc(conversation_member::Column::MemberId)
        .all(db)
        .await?;
    let names = names_of(db, rows.iter().map(|r| r.member_id).collect()).await?;
    Ok(rows
        .into_iter()
        .map(|row| Participant {
            member: MemberId::from_uuid(row.member_id),
            name: names.get(&row.member_id).cloned().unwrap_or_default(),
            joined_at: row.joined_at,
            left_at: row.left_at,
        })
        .collect())
}

/// The conversations a member takes part in.
pub async fn taking_part(db: &impl ConnectionTrait, member: MemberId) -> StoreResult<Vec<TopicId>> {
    Ok(conversation_member::Entity::find()
        .select_only()
        .column(conversation_member::Column::TopicId)
        .filter(conversation_member::Column::MemberId.eq(member.uuid()))
        .filter(conversation_member::Column::LeftAt.is_null())
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .map(TopicId::from_uuid)
        .collect())
}

/// A conversation in a member's list: the topic, what they have not read, and who else takes part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationSummary {
    pub summary: TopicSummary,
    /// The others taking part, in the order they joined.
    pub others: Vec<String>,
}

/// A member's conversations, the most recently active first.
pub async fn conversations_of(
    db: &impl ConnectionTrait,
    member: MemberId,
    limit: u64,
    offset: u64,
) -> StoreResult<Vec<ConversationSummary>> {
    let mine = sea_orm::sea_query::Query::select()
        .column(conversation_member::Column::TopicId)
        .from(conversation_member::Entity)
        .and_where(conversation_member::Column::MemberId.eq(member.uuid()))
        .and_where(conversation_member::Column::LeftAt.is_null())
        .to_owned();
    let rows = topic::Entity::find()
        .filter(topic::Column::Private.eq(true))
        .filter(topic::Column::Id.in_subquery(mine))
        .order_by_desc(topic::Column::LastMessageAt)
        .order_by_asc(topic::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let people = conversation_member::Entity::find()
        .filter(conversation_member::Column::TopicId.is_in(ids))
        .filter(conversation_member::Column::LeftAt.is_null())
        .filter(conversation_member::Column::MemberId.ne(member.uuid()))
        .order_by_asc(conversation_member::Column::JoinedAt)
        .all(db)
        .await?;
    let names = names_of(db, people.iter().map(|p| p.member_id).collect()).await?;
    let mut others: HashMap<Uuid, Vec<String>> = HashMap::new();
    for person in people {
        others.entry(person.topic_id).or_default().push(names.get(&person.member_id).cloned().unwrap_or_default());
    }
    Ok(summaries(db, rows, member)
        .await?
        .into_iter()
        .map(|summary| ConversationSummary {
            others: others.remove(&summary.topic.id.uuid()).unwrap_or_default(),
            summary,
        })
        .collect())
}

/// How many conversations a member takes part in.
pub async fn count_of(db: &impl ConnectionTrait, member: MemberId) -> StoreResult<u64> {
    Ok(conversation_member::Entity::find()
        .filter(conversation_member::Column::MemberId.eq(member.uuid()))
        .filter(conversation_member::Column::LeftAt.is_null())
        .count(db)
        .await?)
}

/// Active members whose names hold `text` (any case), in order of names: whom one may add.
pub async fn members_named(db: &impl ConnectionTrait, text: &str, limit: u64) -> StoreResult<Vec<(MemberId, String)>> {
    // Pattern characters are dropped, so what is typed is only ever read as text.
    let wanted: String = text.chars().filter(|c| !matches!(c, '%' | '_' | '\\')).collect::<String>().to_lowercase();
    let wanted = wanted.trim();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    Ok(member::Entity::find()
        .select_only()
        .column(member::Column::Id)
        .column(member::Column::Name)
        .filter(member::Column::Status.eq(AccountStatus::Member.as_str()))
        .filter(Expr::expr(Func::lower(Expr::col((member::Entity, member::Column::Name)))).like(format!("%{wanted}%")))
        .order_by_asc(member::Column::Name)
        .limit(limit)
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, name)| (MemberId::from_uuid(id), name))
        .collect())
}

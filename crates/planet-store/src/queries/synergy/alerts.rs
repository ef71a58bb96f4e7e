//! Saved searches and each member's secret feed link.

use crate::StoreResult;
use crate::entities::{feed_token, saved_search};
use chrono::{DateTime, Utc};
use planet_domain::MemberId;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

/// A saved search: its id, whose it is, and the search as a query string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedSearch {
    pub id: Uuid,
    pub member: MemberId,
    pub query: String,
    pub created_at: DateTime<Utc>,
}

fn typed(row: saved_search::Model) -> SavedSearch {
    SavedSearch { id: row.id, member: MemberId::from_uuid(row.member_id), query: row.query, created_at: row.created_at }
}

/// Save a search. False when the member had saved the same one already.
pub async fn save(db: &impl ConnectionTrait, member: MemberId, query: &str, now: DateTime<Utc>) -> StoreResult<bool> {
    let inserted = saved_search::Entity::insert(saved_search::ActiveModel {
        id: Set(Uuid::now_v7()),
        member_id: Set(member.uuid()),
        query: Set(query.to_owned()),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([saved_search::Column::MemberId, saved_search::Column::Query]).do_nothing().to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(inserted == 1)
}

pub async fn of_member(db: &impl ConnectionTrait, member: MemberId) -> StoreResult<Vec<SavedSearch>> {
    Ok(saved_search::Entity::find()
        .filter(saved_search::Column::MemberId.eq(member.uuid()))
        .order_by_asc(saved_search::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(typed)
        .collect())
}

pub async fn count_of(db: &impl ConnectionTrait, member: MemberId) -> StoreResult<u64> {
    Ok(saved_search::Entity::find().filter(saved_search::Column::MemberId.eq(member.uuid())).count(db).await?)
}

/// Every saved search, to check a new listing against (a few per member at most).
pub async fn all(db: &impl ConnectionTrait) -> StoreResult<Vec<SavedSearch>> {
    Ok(saved_search::Entity::find().all(db).await?.into_iter().map(typed).collect())
}

/// Delete one of a member's saved searches. False when it was not theirs or not there.
pub async fn delete(db: &impl ConnectionTrait, member: MemberId, id: Uuid) -> StoreResult<bool> {
    let result = saved_search::Entity::delete_many()
        .filter(saved_search::Column::Id.eq(id))
        .filter(saved_search::Column::MemberId.eq(member.uuid()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Give a member a new feed link (the old one stops working).
pub async fn set_feed_token(
    db: &impl ConnectionTrait,
    member: MemberId,
    token_hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    feed_token::Entity::insert(feed_token::ActiveModel {
        member_id: Set(member.uuid()),
        token_hash: Set(token_hash.to_owned()),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(feed_token::Column::MemberId)
            .update_columns([feed_token::Column::TokenHash, feed_token::Column::CreatedAt])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Stop a member's feed link working.
pub async fn revoke_feed_token(db: &impl ConnectionTrait, member: MemberId) -> StoreResult<bool> {
    let result =
        feed_token::Entity::delete_many().filter(feed_token::Column::MemberId.eq(member.uuid())).exec(db).await?;
    Ok(result.rows_affected > 0)
}

/// Whose feed link this is, and since when.
pub async fn feed_token_owner(db: &impl ConnectionTrait, token_hash: &str) -> StoreResult<Option<MemberId>> {
    Ok(feed_token::Entity::find()
        .filter(feed_token::Column::TokenHash.eq(token_hash))
        .one(db)
        .await?
        .map(|row| MemberId::from_uuid(row.member_id)))
}

/// When a member's feed link was made, if they have one.
pub async fn feed_token_made(db: &impl ConnectionTrait, member: MemberId) -> StoreResult<Option<DateTime<Utc>>> {
    Ok(feed_token::Entity::find_by_id(member.uuid()).one(db).await?.map(|row| row.created_at))
}

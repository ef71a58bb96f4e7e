//! Members blocking other members.

use crate::StoreResult;
use crate::entities::{member, member_block};
use chrono::{DateTime, Utc};
use planet_domain::MemberId;
use sea_orm::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashSet;
use uuid::Uuid;

/// Block someone (again: nothing changes).
pub async fn block(
    db: &impl ConnectionTrait,
    member: MemberId,
    blocked: MemberId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    member_block::Entity::insert(member_block::ActiveModel {
        member_id: Set(member.uuid()),
        blocked_id: Set(blocked.uuid()),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([member_block::Column::MemberId, member_block::Column::BlockedId]).do_nothing().to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Unblock; returns whether they were blocked.
pub async fn unblock(db: &impl ConnectionTrait, member: MemberId, blocked: MemberId) -> StoreResult<bool> {
    Ok(member_block::Entity::delete_by_id((member.uuid(), blocked.uuid())).exec(db).await?.rows_affected == 1)
}

/// Whom a member has blocked.
pub async fn blocked_by(db: &impl ConnectionTrait, member: MemberId) -> StoreResult<HashSet<MemberId>> {
    Ok(member_block::Entity::find()
        .select_only()
        .column(member_block::Column::BlockedId)
        .filter(member_block::Column::MemberId.eq(member.uuid()))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .map(MemberId::from_uuid)
        .collect())
}

/// Whom a member has blocked, with their names, in order of names.
pub async fn blocked_with_names(db: &impl ConnectionTrait, member: MemberId) -> StoreResult<Vec<(MemberId, String)>> {
    let ids: Vec<Uuid> = blocked_by(db, member).await?.into_iter().map(|m| m.uuid()).collect();
    Ok(member::Entity::find()
        .select_only()
        .column(member::Column::Id)
        .column(member::Column::Name)
        .filter(member::Column::Id.is_in(ids))
        .order_by_asc(member::Column::Name)
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, name)| (MemberId::from_uuid(id), name))
        .collect())
}

/// Of some members, those who have blocked `author`.
pub async fn who_blocked(
    db: &impl ConnectionTrait,
    author: MemberId,
    among: &[MemberId],
) -> StoreResult<HashSet<MemberId>> {
    Ok(member_block::Entity::find()
        .select_only()
        .column(member_block::Column::MemberId)
        .filter(member_block::Column::BlockedId.eq(author.uuid()))
        .filter(member_block::Column::MemberId.is_in(among.iter().map(|m| m.uuid())))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .map(MemberId::from_uuid)
        .collect())
}

//! The community: its name and root space.

use crate::StoreResult;
use crate::entities::{community, conduct_acceptance, conduct_version, member};
use chrono::{DateTime, Utc};
use planet_domain::{MemberId, SpaceId};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Community {
    pub name: String,
    pub root_space_id: SpaceId,
}

pub async fn get(db: &impl ConnectionTrait) -> StoreResult<Option<Community>> {
    let row = community::Entity::find().one(db).await?;
    Ok(row.map(|row| Community { name: row.name, root_space_id: SpaceId::from_uuid(row.root_space_id) }))
}

pub async fn create(
    db: &impl ConnectionTrait,
    name: &str,
    root_space_id: SpaceId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    community::ActiveModel {
        id: Set(Uuid::nil()),
        name: Set(name.to_owned()),
        root_space_id: Set(root_space_id.uuid()),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// A version of the code of conduct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conduct {
    pub version: i32,
    /// Markdown.
    pub body: String,
    pub written_by: MemberId,
    pub written_by_name: String,
    pub created_at: DateTime<Utc>,
}

/// Every version of the code of conduct stewards wrote, the newest first.
pub async fn conduct_versions(db: &impl ConnectionTrait, limit: u64) -> StoreResult<Vec<Conduct>> {
    let rows =
        conduct_version::Entity::find().order_by_desc(conduct_version::Column::Version).limit(limit).all(db).await?;
    let names: std::collections::HashMap<Uuid, String> = member::Entity::find()
        .filter(member::Column::Id.is_in(rows.iter().map(|r| r.written_by)))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| Conduct {
            version: row.version,
            written_by_name: names.get(&row.written_by).cloned().unwrap_or_default(),
            written_by: MemberId::from_uuid(row.written_by),
            body: row.body,
            created_at: row.created_at,
        })
        .collect())
}

/// The latest version stewards wrote (None: the one PlaNet starts with).
pub async fn conduct(db: &impl ConnectionTrait) -> StoreResult<Option<Conduct>> {
    Ok(conduct_versions(db, 1).await?.pop())
}

/// Write a new version; returns its number. Two stewards saving at once: one gets `Conflict`.
pub async fn write_conduct(
    db: &impl ConnectionTrait,
    body: &str,
    author: MemberId,
    now: DateTime<Utc>,
) -> StoreResult<i32> {
    let version = conduct(db).await?.map_or(1, |c| c.version + 1);
    conduct_version::ActiveModel {
        version: Set(version),
        body: Set(body.to_owned()),
        written_by: Set(author.uuid()),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(version)
}

/// A member accepts a version of the code of conduct (again: nothing changes).
pub async fn accept_conduct(
    db: &impl ConnectionTrait,
    member: MemberId,
    version: i32,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    conduct_acceptance::Entity::insert(conduct_acceptance::ActiveModel {
        member_id: Set(member.uuid()),
        version: Set(version),
        accepted_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([conduct_acceptance::Column::MemberId, conduct_acceptance::Column::Version])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The latest version a member accepted, and when.
pub async fn accepted_conduct(
    db: &impl ConnectionTrait,
    member: MemberId,
) -> StoreResult<Option<(i32, DateTime<Utc>)>> {
    Ok(conduct_acceptance::Entity::find()
        .filter(conduct_acceptance::Column::MemberId.eq(member.uuid()))
        .order_by_desc(conduct_acceptance::Column::Version)
        .one(db)
        .await?
        .map(|row| (row.version, row.accepted_at)))
}

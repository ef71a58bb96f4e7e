//! The community: its name and root space.

use crate::StoreResult;
use crate::entities::community;
use chrono::{DateTime, Utc};
use planet_domain::SpaceId;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
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

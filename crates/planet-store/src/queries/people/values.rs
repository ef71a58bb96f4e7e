//! The community's values, kept by stewards, and the values each entry lives by.

use crate::StoreResult;
use crate::entities::{community_value, profile_value};
use chrono::{DateTime, Utc};
use planet_domain::{ProfileId, ValueId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use std::collections::HashMap;

/// One of the community's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommunityValue {
    pub id: ValueId,
    pub name: String,
    pub description: String,
}

/// The values stewards keep, in their order (retired ones left out).
pub async fn community_values(db: &impl ConnectionTrait) -> StoreResult<Vec<CommunityValue>> {
    Ok(community_value::Entity::find()
        .filter(community_value::Column::RetiredAt.is_null())
        .order_by_asc(community_value::Column::Position)
        .order_by_asc(community_value::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|row| CommunityValue { id: ValueId::from_uuid(row.id), name: row.name, description: row.description })
        .collect())
}

/// Add a value at the end of the list. A second value of the same name is a `Conflict`.
pub async fn add_community_value(
    db: &impl ConnectionTrait,
    id: ValueId,
    name: &str,
    description: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let position = i32::try_from(community_value::Entity::find().count(db).await?).unwrap_or(i32::MAX);
    community_value::ActiveModel {
        id: Set(id.uuid()),
        name: Set(name.to_owned()),
        description: Set(description.to_owned()),
        position: Set(position),
        created_at: Set(now),
        retired_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Retire a value: it is no longer offered or shown (members' words are kept).
pub async fn retire_community_value(db: &impl ConnectionTrait, id: ValueId, now: DateTime<Utc>) -> StoreResult<bool> {
    let result = community_value::Entity::update_many()
        .col_expr(community_value::Column::RetiredAt, Expr::value(now))
        .filter(community_value::Column::Id.eq(id.uuid()))
        .filter(community_value::Column::RetiredAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The values an entry lives by, with its own words, in the community's order.
pub async fn values_of(db: &impl ConnectionTrait, profile: ProfileId) -> StoreResult<Vec<(CommunityValue, String)>> {
    let words: HashMap<uuid::Uuid, String> = profile_value::Entity::find()
        .filter(profile_value::Column::ProfileId.eq(profile.uuid()))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.value_id, row.words))
        .collect();
    Ok(community_values(db)
        .await?
        .into_iter()
        .filter_map(|value| words.get(&value.id.uuid()).map(|w| (value, w.clone())))
        .collect())
}

/// Replace the values an entry lives by.
pub async fn set_values(
    db: &impl ConnectionTrait,
    profile: ProfileId,
    values: &[(ValueId, String)],
) -> StoreResult<()> {
    profile_value::Entity::delete_many().filter(profile_value::Column::ProfileId.eq(profile.uuid())).exec(db).await?;
    if !values.is_empty() {
        profile_value::Entity::insert_many(values.iter().map(|(value, words)| profile_value::ActiveModel {
            profile_id: Set(profile.uuid()),
            value_id: Set(value.uuid()),
            words: Set(words.clone()),
        }))
        .exec(db)
        .await?;
    }
    Ok(())
}

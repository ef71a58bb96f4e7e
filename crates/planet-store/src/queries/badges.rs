//! Badges for contributions: defined in a space by its coordinators, awarded to entries.

use crate::StoreResult;
use crate::entities::{badge, badge_award, member, space};
use chrono::{DateTime, Utc};
use planet_domain::{BadgeId, MemberId, ProfileId, SpaceId};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationDef, Set,
};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Badge {
    pub id: BadgeId,
    pub space: SpaceId,
    pub name: String,
    pub description: String,
}

impl From<badge::Model> for Badge {
    fn from(row: badge::Model) -> Self {
        Self {
            id: BadgeId::from_uuid(row.id),
            space: SpaceId::from_uuid(row.space_id),
            name: row.name,
            description: row.description,
        }
    }
}

/// Define a badge. A second badge of the same name in the same space is a `Conflict`.
pub async fn create_badge(
    db: &impl ConnectionTrait,
    id: BadgeId,
    space: SpaceId,
    name: &str,
    description: &str,
    by: MemberId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    badge::ActiveModel {
        id: Set(id.uuid()),
        space_id: Set(space.uuid()),
        name: Set(name.to_owned()),
        description: Set(description.to_owned()),
        created_by: Set(by.uuid()),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn badge(db: &impl ConnectionTrait, id: BadgeId) -> StoreResult<Option<Badge>> {
    Ok(badge::Entity::find_by_id(id.uuid()).one(db).await?.map(Badge::from))
}

/// The badges of these spaces, by name.
pub async fn badges_in(db: &impl ConnectionTrait, spaces: &[SpaceId]) -> StoreResult<Vec<Badge>> {
    Ok(badge::Entity::find()
        .filter(badge::Column::SpaceId.is_in(spaces.iter().map(|s| s.uuid())))
        .order_by_asc(badge::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(Badge::from)
        .collect())
}

/// Give a badge to an entry. Giving the same badge twice is a `Conflict`.
pub async fn award(
    db: &impl ConnectionTrait,
    badge: BadgeId,
    profile: ProfileId,
    by: MemberId,
    note: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    badge_award::ActiveModel {
        id: Set(Uuid::now_v7()),
        badge_id: Set(badge.uuid()),
        profile_id: Set(profile.uuid()),
        awarded_by: Set(by.uuid()),
        note: Set(note.to_owned()),
        awarded_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Take a badge back.
pub async fn withdraw(db: &impl ConnectionTrait, badge: BadgeId, profile: ProfileId) -> StoreResult<bool> {
    let result = badge_award::Entity::delete_many()
        .filter(badge_award::Column::BadgeId.eq(badge.uuid()))
        .filter(badge_award::Column::ProfileId.eq(profile.uuid()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// A badge on a profile: which, from which space, who gave it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Award {
    pub badge: BadgeId,
    pub name: String,
    pub description: String,
    pub space: SpaceId,
    pub space_name: String,
    pub awarded_by: String,
    pub note: String,
    pub awarded_at: DateTime<Utc>,
}

fn award_badge() -> RelationDef {
    badge_award::Entity::belongs_to(badge::Entity).from(badge_award::Column::BadgeId).to(badge::Column::Id).into()
}

fn badge_space() -> RelationDef {
    badge::Entity::belongs_to(space::Entity).from(badge::Column::SpaceId).to(space::Column::Id).into()
}

fn awarder() -> RelationDef {
    badge_award::Entity::belongs_to(member::Entity).from(badge_award::Column::AwardedBy).to(member::Column::Id).into()
}

pub async fn awards_of(db: &impl ConnectionTrait, profile: ProfileId) -> StoreResult<Vec<Award>> {
    #[derive(FromQueryResult)]
    struct Row {
        badge_id: Uuid,
        name: String,
        description: String,
        space_id: Uuid,
        space_name: String,
        awarded_by: String,
        note: String,
        awarded_at: DateTime<Utc>,
    }
    let rows = badge_award::Entity::find()
        .select_only()
        .columns([badge_award::Column::BadgeId, badge_award::Column::Note, badge_award::Column::AwardedAt])
        .column_as(badge::Column::Name, "name")
        .column_as(badge::Column::Description, "description")
        .column_as(badge::Column::SpaceId, "space_id")
        .column_as(space::Column::Name, "space_name")
        .column_as(member::Column::Name, "awarded_by")
        .join(JoinType::InnerJoin, award_badge())
        .join(JoinType::InnerJoin, badge_space())
        .join(JoinType::InnerJoin, awarder())
        .filter(badge_award::Column::ProfileId.eq(profile.uuid()))
        .order_by_asc(badge_award::Column::AwardedAt)
        .into_model::<Row>()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| Award {
            badge: BadgeId::from_uuid(r.badge_id),
            name: r.name,
            description: r.description,
            space: SpaceId::from_uuid(r.space_id),
            space_name: r.space_name,
            awarded_by: r.awarded_by,
            note: r.note,
            awarded_at: r.awarded_at,
        })
        .collect())
}

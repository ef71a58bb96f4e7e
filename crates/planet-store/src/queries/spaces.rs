//! Spaces, their members, join requests and invitations into spaces.

use super::accounts::Member;
use super::corrupt;
use crate::entities::{join_request, member, space, space_invitation, space_member};
use crate::{StoreError, StoreResult};
use chrono::{DateTime, Utc};
use planet_domain::space::{JoinPolicy, Role, Visibility};
use planet_domain::{MemberId, SpaceId};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Space {
    pub id: SpaceId,
    pub parent_id: Option<SpaceId>,
    pub name: String,
    pub description: String,
    pub visibility: Visibility,
    pub join_policy: JoinPolicy,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<space::Model> for Space {
    type Error = StoreError;
    fn try_from(row: space::Model) -> Result<Self, Self::Error> {
        Ok(Self {
            id: SpaceId::from_uuid(row.id),
            parent_id: row.parent_id.map(SpaceId::from_uuid),
            visibility: Visibility::parse(&row.visibility).ok_or_else(|| corrupt("visibility", &row.visibility))?,
            join_policy: JoinPolicy::parse(&row.join_policy).ok_or_else(|| corrupt("join policy", &row.join_policy))?,
            name: row.name,
            description: row.description,
            created_at: row.created_at,
        })
    }
}

fn spaces(rows: Vec<space::Model>) -> StoreResult<Vec<Space>> {
    rows.into_iter().map(Space::try_from).collect()
}

pub struct SpaceFields<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub visibility: Visibility,
    pub join_policy: JoinPolicy,
}

pub async fn create_space(
    db: &impl ConnectionTrait,
    id: SpaceId,
    parent: Option<SpaceId>,
    fields: SpaceFields<'_>,
    created_by: Option<MemberId>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    space::ActiveModel {
        id: Set(id.uuid()),
        parent_id: Set(parent.map(SpaceId::uuid)),
        name: Set(fields.name.to_owned()),
        description: Set(fields.description.to_owned()),
        visibility: Set(fields.visibility.as_str().to_owned()),
        join_policy: Set(fields.join_policy.as_str().to_owned()),
        created_at: Set(now),
        created_by: Set(created_by.map(MemberId::uuid)),
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn update_space(db: &impl ConnectionTrait, id: SpaceId, fields: SpaceFields<'_>) -> StoreResult<bool> {
    let result = space::Entity::update_many()
        .col_expr(space::Column::Name, Expr::value(fields.name))
        .col_expr(space::Column::Description, Expr::value(fields.description))
        .col_expr(space::Column::Visibility, Expr::value(fields.visibility.as_str()))
        .col_expr(space::Column::JoinPolicy, Expr::value(fields.join_policy.as_str()))
        .filter(space::Column::Id.eq(id.uuid()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn space(db: &impl ConnectionTrait, id: SpaceId) -> StoreResult<Option<Space>> {
    space::Entity::find_by_id(id.uuid()).one(db).await?.map(Space::try_from).transpose()
}

pub async fn children(db: &impl ConnectionTrait, parent: SpaceId) -> StoreResult<Vec<Space>> {
    spaces(
        space::Entity::find()
            .filter(space::Column::ParentId.eq(parent.uuid()))
            .order_by_asc(space::Column::Name)
            .all(db)
            .await?,
    )
}

/// Every space; a town has tens or hundreds, so the tree is built in memory.
pub async fn all_spaces(db: &impl ConnectionTrait) -> StoreResult<Vec<Space>> {
    spaces(space::Entity::find().order_by_asc(space::Column::Name).all(db).await?)
}

/// The chain from the root down to the space itself. Empty when the space does not exist.
pub async fn chain(db: &impl ConnectionTrait, id: SpaceId) -> StoreResult<Vec<Space>> {
    let mut chain = Vec::new();
    let mut next = Some(id);
    while let Some(id) = next {
        let Some(space) = space(db, id).await? else {
            break;
        };
        if chain.iter().any(|s: &Space| s.id == space.id) || chain.len() > 64 {
            return Err(corrupt("space nesting loops", &id.to_string()));
        }
        next = space.parent_id;
        chain.push(space);
    }
    chain.reverse();
    Ok(chain)
}

/// The member's roles in the given spaces.
pub async fn roles_in(
    db: &impl ConnectionTrait,
    member: MemberId,
    spaces: &[SpaceId],
) -> StoreResult<HashMap<SpaceId, Role>> {
    let rows = space_member::Entity::find()
        .filter(space_member::Column::MemberId.eq(member.uuid()))
        .filter(space_member::Column::SpaceId.is_in(spaces.iter().map(|s| s.uuid())))
        .all(db)
        .await?;
    rows.into_iter()
        .map(|row| {
            let role = Role::parse(&row.role).ok_or_else(|| corrupt("role", &row.role))?;
            Ok((SpaceId::from_uuid(row.space_id), role))
        })
        .collect()
}

/// Several members' roles in some spaces (whom to tell about something in a space).
pub async fn roles_of_many(
    db: &impl ConnectionTrait,
    members: &[MemberId],
    spaces: &[SpaceId],
) -> StoreResult<HashMap<MemberId, HashMap<SpaceId, Role>>> {
    let rows = space_member::Entity::find()
        .filter(space_member::Column::MemberId.is_in(members.iter().map(|m| m.uuid())))
        .filter(space_member::Column::SpaceId.is_in(spaces.iter().map(|s| s.uuid())))
        .all(db)
        .await?;
    let mut out: HashMap<MemberId, HashMap<SpaceId, Role>> = HashMap::new();
    for row in rows {
        let role = Role::parse(&row.role).ok_or_else(|| corrupt("role", &row.role))?;
        out.entry(MemberId::from_uuid(row.member_id)).or_default().insert(SpaceId::from_uuid(row.space_id), role);
    }
    Ok(out)
}

/// All the member's roles, everywhere.
pub async fn all_roles(db: &impl ConnectionTrait, member: MemberId) -> StoreResult<HashMap<SpaceId, Role>> {
    let rows = space_member::Entity::find().filter(space_member::Column::MemberId.eq(member.uuid())).all(db).await?;
    rows.into_iter()
        .map(|row| {
            let role = Role::parse(&row.role).ok_or_else(|| corrupt("role", &row.role))?;
            Ok((SpaceId::from_uuid(row.space_id), role))
        })
        .collect()
}

/// The spaces the member has been invited into since a time (older invitations have lapsed).
pub async fn invitations_for(
    db: &impl ConnectionTrait,
    member: MemberId,
    since: DateTime<Utc>,
) -> StoreResult<HashSet<SpaceId>> {
    Ok(space_invitation::Entity::find()
        .filter(space_invitation::Column::MemberId.eq(member.uuid()))
        .filter(space_invitation::Column::CreatedAt.gte(since))
        .all(db)
        .await?
        .into_iter()
        .map(|row| SpaceId::from_uuid(row.space_id))
        .collect())
}

pub async fn add_member(
    db: &impl ConnectionTrait,
    space: SpaceId,
    member: MemberId,
    role: Role,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    space_member::ActiveModel {
        space_id: Set(space.uuid()),
        member_id: Set(member.uuid()),
        role: Set(role.as_str().to_owned()),
        joined_at: Set(now),
    }
    .insert(db)
    .await?;
    // Joining answers any invitation or request.
    space_invitation::Entity::delete_by_id((space.uuid(), member.uuid())).exec(db).await?;
    join_request::Entity::delete_by_id((space.uuid(), member.uuid())).exec(db).await?;
    Ok(())
}

pub async fn remove_member(db: &impl ConnectionTrait, space: SpaceId, member: MemberId) -> StoreResult<bool> {
    let result = space_member::Entity::delete_by_id((space.uuid(), member.uuid())).exec(db).await?;
    Ok(result.rows_affected == 1)
}

pub async fn set_role(db: &impl ConnectionTrait, space: SpaceId, member: MemberId, role: Role) -> StoreResult<bool> {
    let result = space_member::Entity::update_many()
        .col_expr(space_member::Column::Role, Expr::value(role.as_str()))
        .filter(space_member::Column::SpaceId.eq(space.uuid()))
        .filter(space_member::Column::MemberId.eq(member.uuid()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn count_members(db: &impl ConnectionTrait, space: SpaceId) -> StoreResult<u64> {
    Ok(space_member::Entity::find().filter(space_member::Column::SpaceId.eq(space.uuid())).count(db).await?)
}

/// Finish a query that selects a space id: count rows per space.
async fn counted<E: EntityTrait>(
    query: sea_orm::Select<E>,
    by: E::Column,
    db: &impl ConnectionTrait,
) -> StoreResult<HashMap<SpaceId, u64>> {
    let rows: Vec<(uuid::Uuid, i64)> =
        query.column_as(Expr::from(Func::count(Expr::col(by))), "n").group_by(by).into_tuple().all(db).await?;
    Ok(rows.into_iter().map(|(id, n)| (SpaceId::from_uuid(id), u64::try_from(n).unwrap_or(0))).collect())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpaceMember {
    pub member: Member,
    pub role: Role,
    pub joined_at: DateTime<Utc>,
}

/// A space's members: coordinators first, then by name.
pub async fn members_of(db: &impl ConnectionTrait, space: SpaceId) -> StoreResult<Vec<SpaceMember>> {
    let rows = space_member::Entity::find().filter(space_member::Column::SpaceId.eq(space.uuid())).all(db).await?;
    let ids: Vec<_> = rows.iter().map(|r| r.member_id).collect();
    let people: HashMap<_, _> = member::Entity::find()
        .filter(member::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(person) = people.get(&row.member_id) else { continue };
        out.push(SpaceMember {
            member: Member::try_from(person.clone())?,
            role: Role::parse(&row.role).ok_or_else(|| corrupt("role", &row.role))?,
            joined_at: row.joined_at,
        });
    }
    out.sort_by(|a, b| {
        (b.role == Role::Coordinator)
            .cmp(&(a.role == Role::Coordinator))
            .then_with(|| a.member.name.to_lowercase().cmp(&b.member.name.to_lowercase()))
    });
    Ok(out)
}

pub async fn count_coordinators(db: &impl ConnectionTrait, space: SpaceId) -> StoreResult<u64> {
    Ok(space_member::Entity::find()
        .filter(space_member::Column::SpaceId.eq(space.uuid()))
        .filter(space_member::Column::Role.eq(Role::Coordinator.as_str()))
        .count(db)
        .await?)
}

// Join requests.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinRequest {
    pub space: SpaceId,
    pub member: Member,
    pub message: String,
    pub created_at: DateTime<Utc>,
}

pub async fn create_join_request(
    db: &impl ConnectionTrait,
    space: SpaceId,
    member: MemberId,
    message: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    join_request::ActiveModel {
        space_id: Set(space.uuid()),
        member_id: Set(member.uuid()),
        message: Set(message.to_owned()),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn has_join_request(db: &impl ConnectionTrait, space: SpaceId, member: MemberId) -> StoreResult<bool> {
    Ok(join_request::Entity::find_by_id((space.uuid(), member.uuid())).one(db).await?.is_some())
}

pub async fn join_requests(db: &impl ConnectionTrait, space: SpaceId) -> StoreResult<Vec<JoinRequest>> {
    let rows = join_request::Entity::find()
        .filter(join_request::Column::SpaceId.eq(space.uuid()))
        .order_by_asc(join_request::Column::CreatedAt)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        if let Some(member) = super::accounts::member(db, MemberId::from_uuid(row.member_id)).await? {
            out.push(JoinRequest { space, member, message: row.message, created_at: row.created_at });
        }
    }
    Ok(out)
}

pub async fn delete_join_request(db: &impl ConnectionTrait, space: SpaceId, member: MemberId) -> StoreResult<bool> {
    let result = join_request::Entity::delete_by_id((space.uuid(), member.uuid())).exec(db).await?;
    Ok(result.rows_affected == 1)
}

/// Waiting requests in the spaces given (for a coordinator's home screen).
pub async fn count_join_requests_in(db: &impl ConnectionTrait, spaces: &[SpaceId]) -> StoreResult<u64> {
    Ok(join_request::Entity::find()
        .filter(join_request::Column::SpaceId.is_in(spaces.iter().map(|s| s.uuid())))
        .count(db)
        .await?)
}

// Invitations into a space (for members already in the community).

/// Invite a member into a space; inviting again renews a lapsed invitation.
pub async fn invite_to_space(
    db: &impl ConnectionTrait,
    space: SpaceId,
    member: MemberId,
    by: MemberId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    space_invitation::Entity::delete_by_id((space.uuid(), member.uuid())).exec(db).await?;
    space_invitation::ActiveModel {
        space_id: Set(space.uuid()),
        member_id: Set(member.uuid()),
        invited_by: Set(by.uuid()),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn decline_space_invitation(
    db: &impl ConnectionTrait,
    space: SpaceId,
    member: MemberId,
) -> StoreResult<bool> {
    let result = space_invitation::Entity::delete_by_id((space.uuid(), member.uuid())).exec(db).await?;
    Ok(result.rows_affected == 1)
}

/// Everything about spaces and who is in them, read at once: a town has tens of spaces and a
/// few thousand memberships, so the server keeps this in memory between changes.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub spaces: Vec<Space>,
    pub memberships: Vec<Membership>,
    /// Invitations into spaces: (space, member).
    pub invitations: Vec<(SpaceId, MemberId)>,
    pub waiting_requests: HashMap<SpaceId, u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    pub space: SpaceId,
    pub member: MemberId,
    pub role: Role,
    pub joined_at: DateTime<Utc>,
}

/// `invited_since`: invitations into spaces made before it have lapsed and are left out.
pub async fn directory(db: &impl ConnectionTrait, invited_since: DateTime<Utc>) -> StoreResult<Directory> {
    let spaces = all_spaces(db).await?;
    let memberships = space_member::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|row| {
            Ok(Membership {
                space: SpaceId::from_uuid(row.space_id),
                member: MemberId::from_uuid(row.member_id),
                role: Role::parse(&row.role).ok_or_else(|| corrupt("role", &row.role))?,
                joined_at: row.joined_at,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let invitations = space_invitation::Entity::find()
        .filter(space_invitation::Column::CreatedAt.gte(invited_since))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (SpaceId::from_uuid(row.space_id), MemberId::from_uuid(row.member_id)))
        .collect();
    let waiting_requests = counted(
        join_request::Entity::find().select_only().column(join_request::Column::SpaceId),
        join_request::Column::SpaceId,
        db,
    )
    .await?;
    Ok(Directory { spaces, memberships, invitations, waiting_requests })
}

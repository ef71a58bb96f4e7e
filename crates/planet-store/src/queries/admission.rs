//! Invitations and applications.

use super::corrupt;
use crate::entities::{application, invitation, member};
use crate::{StoreError, StoreResult};
use chrono::{DateTime, Utc};
use planet_domain::admission::{ApplicationStatus, InvitationFacts};
use planet_domain::{ApplicationId, InvitationId, MemberId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: InvitationId,
    pub inviter: MemberId,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Invitation {
    pub fn facts(&self) -> InvitationFacts {
        InvitationFacts {
            expires_at: self.expires_at,
            used: self.used_at.is_some(),
            revoked: self.revoked_at.is_some(),
        }
    }
}

impl From<invitation::Model> for Invitation {
    fn from(row: invitation::Model) -> Self {
        Self {
            id: InvitationId::from_uuid(row.id),
            inviter: MemberId::from_uuid(row.inviter_id),
            note: row.note,
            created_at: row.created_at,
            expires_at: row.expires_at,
            used_at: row.used_at,
            revoked_at: row.revoked_at,
        }
    }
}

pub async fn create_invitation(
    db: &impl ConnectionTrait,
    id: InvitationId,
    inviter: MemberId,
    token_hash: &str,
    note: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> StoreResult<()> {
    invitation::ActiveModel {
        id: Set(id.uuid()),
        inviter_id: Set(inviter.uuid()),
        token_hash: Set(token_hash.to_owned()),
        note: Set(note.to_owned()),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn invitation_by_hash(db: &impl ConnectionTrait, token_hash: &str) -> StoreResult<Option<Invitation>> {
    Ok(invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(token_hash))
        .one(db)
        .await?
        .map(Invitation::from))
}

pub async fn invitations_by(db: &impl ConnectionTrait, inviter: MemberId) -> StoreResult<Vec<Invitation>> {
    Ok(invitation::Entity::find()
        .filter(invitation::Column::InviterId.eq(inviter.uuid()))
        .order_by_desc(invitation::Column::CreatedAt)
        .limit(100)
        .all(db)
        .await?
        .into_iter()
        .map(Invitation::from)
        .collect())
}

/// Count invitations a member made since a time (a daily allowance).
pub async fn count_invitations_since(
    db: &impl ConnectionTrait,
    inviter: MemberId,
    since: DateTime<Utc>,
) -> StoreResult<u64> {
    Ok(invitation::Entity::find()
        .filter(invitation::Column::InviterId.eq(inviter.uuid()))
        .filter(invitation::Column::CreatedAt.gte(since))
        .count(db)
        .await?)
}

/// Use an invitation up, atomically: exactly one caller succeeds, and only while it is live.
pub async fn consume_invitation(db: &impl ConnectionTrait, id: InvitationId, now: DateTime<Utc>) -> StoreResult<bool> {
    let result = invitation::Entity::update_many()
        .col_expr(invitation::Column::UsedAt, Expr::value(Some(now)))
        .filter(invitation::Column::Id.eq(id.uuid()))
        .filter(invitation::Column::UsedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .filter(invitation::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn revoke_invitation(
    db: &impl ConnectionTrait,
    id: InvitationId,
    inviter: MemberId,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let result = invitation::Entity::update_many()
        .col_expr(invitation::Column::RevokedAt, Expr::value(Some(now)))
        .filter(invitation::Column::Id.eq(id.uuid()))
        .filter(invitation::Column::InviterId.eq(inviter.uuid()))
        .filter(invitation::Column::UsedAt.is_null())
        .filter(invitation::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// An application with the names a steward needs to decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub id: ApplicationId,
    pub member: MemberId,
    pub applicant_name: String,
    pub applicant_email: String,
    pub inviter: MemberId,
    pub inviter_name: String,
    pub how_known: String,
    pub status: ApplicationStatus,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
}

pub async fn create_application(
    db: &impl ConnectionTrait,
    id: ApplicationId,
    member: MemberId,
    invitation: InvitationId,
    inviter: MemberId,
    how_known: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    application::ActiveModel {
        id: Set(id.uuid()),
        member_id: Set(member.uuid()),
        invitation_id: Set(invitation.uuid()),
        inviter_id: Set(inviter.uuid()),
        how_known: Set(how_known.to_owned()),
        status: Set(ApplicationStatus::Waiting.as_str().to_owned()),
        created_at: Set(now),
        decided_at: Set(None),
        decided_by: Set(None),
        decision_note: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}

async fn with_names(db: &impl ConnectionTrait, rows: Vec<application::Model>) -> StoreResult<Vec<Application>> {
    let ids: Vec<_> = rows.iter().flat_map(|r| [r.member_id, r.inviter_id]).collect();
    let people = member::Entity::find().filter(member::Column::Id.is_in(ids)).all(db).await?;
    let find = |id| people.iter().find(|m| m.id == id);
    rows.into_iter()
        .map(|row| {
            let applicant =
                find(row.member_id).ok_or_else(|| corrupt("application without applicant", &row.id.to_string()))?;
            let inviter =
                find(row.inviter_id).ok_or_else(|| corrupt("application without inviter", &row.id.to_string()))?;
            Ok(Application {
                id: ApplicationId::from_uuid(row.id),
                member: MemberId::from_uuid(row.member_id),
                applicant_name: applicant.name.clone(),
                applicant_email: applicant.email.clone(),
                inviter: MemberId::from_uuid(row.inviter_id),
                inviter_name: inviter.name.clone(),
                how_known: row.how_known,
                status: ApplicationStatus::parse(&row.status)
                    .ok_or_else(|| corrupt("application status", &row.status))?,
                created_at: row.created_at,
                decided_at: row.decided_at,
                decision_note: row.decision_note,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()
}

pub async fn applications_with_status(
    db: &impl ConnectionTrait,
    status: ApplicationStatus,
    limit: u64,
) -> StoreResult<Vec<Application>> {
    let rows = application::Entity::find()
        .filter(application::Column::Status.eq(status.as_str()))
        .order_by_asc(application::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await?;
    with_names(db, rows).await
}

pub async fn count_waiting(db: &impl ConnectionTrait) -> StoreResult<u64> {
    Ok(application::Entity::find()
        .filter(application::Column::Status.eq(ApplicationStatus::Waiting.as_str()))
        .count(db)
        .await?)
}

pub async fn application(db: &impl ConnectionTrait, id: ApplicationId) -> StoreResult<Option<Application>> {
    let rows = application::Entity::find_by_id(id.uuid()).all(db).await?;
    Ok(with_names(db, rows).await?.pop())
}

pub async fn application_of(db: &impl ConnectionTrait, member: MemberId) -> StoreResult<Option<Application>> {
    let rows = application::Entity::find().filter(application::Column::MemberId.eq(member.uuid())).all(db).await?;
    Ok(with_names(db, rows).await?.pop())
}

/// Record a decision, only if the application is still in `from` (so two stewards deciding at
/// once cannot both win).
pub async fn decide(
    db: &impl ConnectionTrait,
    id: ApplicationId,
    from: ApplicationStatus,
    to: ApplicationStatus,
    by: Option<MemberId>,
    note: &str,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let result = application::Entity::update_many()
        .col_expr(application::Column::Status, Expr::value(to.as_str()))
        .col_expr(application::Column::DecidedAt, Expr::value(Some(now)))
        .col_expr(application::Column::DecidedBy, Expr::value(by.map(MemberId::uuid)))
        .col_expr(application::Column::DecisionNote, Expr::value(Some(note.to_owned())))
        .filter(application::Column::Id.eq(id.uuid()))
        .filter(application::Column::Status.eq(from.as_str()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

//! Members, sessions, API tokens and password resets.

use super::corrupt;
use crate::StoreResult;
use crate::entities::{api_token, member, password_reset, session};
use chrono::{DateTime, Utc};
use planet_domain::space::AccountStatus;
use planet_domain::{MemberId, TokenId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

/// A member's account, without the password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: MemberId,
    pub email: String,
    pub name: String,
    pub status: AccountStatus,
    pub steward: bool,
    pub created_at: DateTime<Utc>,
    pub admitted_at: Option<DateTime<Utc>>,
}

impl TryFrom<member::Model> for Member {
    type Error = crate::StoreError;
    fn try_from(row: member::Model) -> Result<Self, Self::Error> {
        Ok(Self {
            id: MemberId::from_uuid(row.id),
            status: AccountStatus::parse(&row.status).ok_or_else(|| corrupt("account status", &row.status))?,
            email: row.email,
            name: row.name,
            steward: row.is_steward,
            created_at: row.created_at,
            admitted_at: row.admitted_at,
        })
    }
}

pub struct NewMember<'a> {
    pub id: MemberId,
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub status: AccountStatus,
    pub steward: bool,
    pub now: DateTime<Utc>,
}

pub async fn create_member(db: &impl ConnectionTrait, new: NewMember<'_>) -> StoreResult<()> {
    member::ActiveModel {
        id: Set(new.id.uuid()),
        email: Set(new.email.to_owned()),
        name: Set(new.name.to_owned()),
        password_hash: Set(new.password_hash.to_owned()),
        status: Set(new.status.as_str().to_owned()),
        is_steward: Set(new.steward),
        created_at: Set(new.now),
        admitted_at: Set((new.status == AccountStatus::Member).then_some(new.now)),
    }
    .insert(db)
    .await?;
    // Every account has its entry in the directory from the start (shown once admitted).
    super::people::create_profile(
        db,
        super::people::person_profile(new.id),
        planet_domain::profile::ProfileKind::Person,
        Some(new.id),
        new.name,
        new.now,
    )
    .await
}

pub async fn count_members(db: &impl ConnectionTrait) -> StoreResult<u64> {
    Ok(member::Entity::find().count(db).await?)
}

pub async fn member(db: &impl ConnectionTrait, id: MemberId) -> StoreResult<Option<Member>> {
    member::Entity::find_by_id(id.uuid()).one(db).await?.map(Member::try_from).transpose()
}

pub async fn members_by_ids(db: &impl ConnectionTrait, ids: &[MemberId]) -> StoreResult<Vec<Member>> {
    member::Entity::find()
        .filter(member::Column::Id.is_in(ids.iter().map(|id| id.uuid())))
        .all(db)
        .await?
        .into_iter()
        .map(Member::try_from)
        .collect()
}

/// The account and its password hash, for logging in.
pub async fn member_with_hash_by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> StoreResult<Option<(Member, String)>> {
    let Some(row) = member::Entity::find().filter(member::Column::Email.eq(email)).one(db).await? else {
        return Ok(None);
    };
    let hash = row.password_hash.clone();
    Ok(Some((Member::try_from(row)?, hash)))
}

pub async fn member_by_email(db: &impl ConnectionTrait, email: &str) -> StoreResult<Option<Member>> {
    Ok(member_with_hash_by_email(db, email).await?.map(|(m, _)| m))
}

/// Members (by status, newest first when `newest_first`), with a name filter.
pub async fn list_members(
    db: &impl ConnectionTrait,
    statuses: &[AccountStatus],
    name_contains: Option<&str>,
    limit: u64,
    offset: u64,
) -> StoreResult<Vec<Member>> {
    let mut query = member::Entity::find().filter(member::Column::Status.is_in(statuses.iter().map(|s| s.as_str())));
    if let Some(text) = name_contains.filter(|t| !t.is_empty()) {
        query = query.filter(
            Condition::any()
                .add(member::Column::Name.contains(text))
                .add(member::Column::Email.contains(text.to_lowercase())),
        );
    }
    query
        .order_by_asc(member::Column::Name)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?
        .into_iter()
        .map(Member::try_from)
        .collect()
}

pub async fn set_status(
    db: &impl ConnectionTrait,
    id: MemberId,
    status: AccountStatus,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let mut update = member::Entity::update_many()
        .col_expr(member::Column::Status, Expr::value(status.as_str()))
        .filter(member::Column::Id.eq(id.uuid()));
    if status == AccountStatus::Member {
        // The first admission is remembered; a lifted suspension does not change it.
        let first_time =
            member::Entity::find_by_id(id.uuid()).filter(member::Column::AdmittedAt.is_null()).count(db).await? == 1;
        if first_time {
            update = update.col_expr(member::Column::AdmittedAt, Expr::value(Some(now)));
        }
    }
    Ok(update.exec(db).await?.rows_affected == 1)
}

pub async fn set_steward(db: &impl ConnectionTrait, id: MemberId, steward: bool) -> StoreResult<bool> {
    let result = member::Entity::update_many()
        .col_expr(member::Column::IsSteward, Expr::value(steward))
        .filter(member::Column::Id.eq(id.uuid()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The community's active stewards.
pub async fn stewards(db: &impl ConnectionTrait) -> StoreResult<Vec<Member>> {
    member::Entity::find()
        .filter(member::Column::IsSteward.eq(true))
        .filter(member::Column::Status.eq(AccountStatus::Member.as_str()))
        .order_by_asc(member::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(Member::try_from)
        .collect()
}

pub async fn count_stewards(db: &impl ConnectionTrait) -> StoreResult<u64> {
    Ok(member::Entity::find()
        .filter(member::Column::IsSteward.eq(true))
        .filter(member::Column::Status.eq(AccountStatus::Member.as_str()))
        .count(db)
        .await?)
}

pub async fn set_password_hash(db: &impl ConnectionTrait, id: MemberId, hash: &str) -> StoreResult<bool> {
    let result = member::Entity::update_many()
        .col_expr(member::Column::PasswordHash, Expr::value(hash))
        .filter(member::Column::Id.eq(id.uuid()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

// Sessions.

pub async fn create_session(
    db: &impl ConnectionTrait,
    token_hash: &str,
    member: MemberId,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> StoreResult<()> {
    session::ActiveModel {
        token_hash: Set(token_hash.to_owned()),
        member_id: Set(member.uuid()),
        created_at: Set(now),
        expires_at: Set(expires_at),
        last_seen_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The member a live session belongs to, when it was last seen, and when it expires.
pub async fn session_member(
    db: &impl ConnectionTrait,
    token_hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<(Member, DateTime<Utc>, DateTime<Utc>)>> {
    let Some(row) =
        session::Entity::find_by_id(token_hash.to_owned()).filter(session::Column::ExpiresAt.gt(now)).one(db).await?
    else {
        return Ok(None);
    };
    Ok(member(db, MemberId::from_uuid(row.member_id)).await?.map(|m| (m, row.last_seen_at, row.expires_at)))
}

/// Slide a session's expiry forward.
pub async fn touch_session(
    db: &impl ConnectionTrait,
    token_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> StoreResult<()> {
    session::Entity::update_many()
        .col_expr(session::Column::LastSeenAt, Expr::value(now))
        .col_expr(session::Column::ExpiresAt, Expr::value(expires_at))
        .filter(session::Column::TokenHash.eq(token_hash))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn delete_session(db: &impl ConnectionTrait, token_hash: &str) -> StoreResult<()> {
    session::Entity::delete_by_id(token_hash.to_owned()).exec(db).await?;
    Ok(())
}

/// Log out everywhere. Returns how many sessions ended.
pub async fn delete_member_sessions(db: &impl ConnectionTrait, member: MemberId) -> StoreResult<u64> {
    Ok(session::Entity::delete_many().filter(session::Column::MemberId.eq(member.uuid())).exec(db).await?.rows_affected)
}

pub async fn count_member_sessions(
    db: &impl ConnectionTrait,
    member: MemberId,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    Ok(session::Entity::find()
        .filter(session::Column::MemberId.eq(member.uuid()))
        .filter(session::Column::ExpiresAt.gt(now))
        .count(db)
        .await?)
}

pub async fn delete_expired_sessions(db: &impl ConnectionTrait, now: DateTime<Utc>) -> StoreResult<u64> {
    Ok(session::Entity::delete_many().filter(session::Column::ExpiresAt.lte(now)).exec(db).await?.rows_affected)
}

// API tokens.

pub use api_token::Model as ApiToken;

pub async fn create_token(
    db: &impl ConnectionTrait,
    id: TokenId,
    member: MemberId,
    name: &str,
    token_hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    api_token::ActiveModel {
        id: Set(id.uuid()),
        member_id: Set(member.uuid()),
        name: Set(name.to_owned()),
        token_hash: Set(token_hash.to_owned()),
        created_at: Set(now),
        last_used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn member_tokens(db: &impl ConnectionTrait, member: MemberId) -> StoreResult<Vec<ApiToken>> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::MemberId.eq(member.uuid()))
        .order_by_desc(api_token::Column::CreatedAt)
        .all(db)
        .await?)
}

/// The member behind a live token; records its use.
pub async fn token_member(
    db: &impl ConnectionTrait,
    token_hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<Member>> {
    let Some(row) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(token_hash))
        .filter(api_token::Column::RevokedAt.is_null())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    // "Last used" to the minute: a program making many requests does not write (and wait for
    // the disk) on each one.
    if row.last_used_at.is_none_or(|at| now - at >= chrono::Duration::minutes(1)) {
        api_token::Entity::update_many()
            .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
            .filter(api_token::Column::Id.eq(row.id))
            .exec(db)
            .await?;
    }
    member(db, MemberId::from_uuid(row.member_id)).await
}

/// Revoke one of a member's own tokens. False when there was no such live token.
pub async fn revoke_token(
    db: &impl ConnectionTrait,
    member: MemberId,
    id: TokenId,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let result = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(now))
        .filter(api_token::Column::Id.eq(id.uuid()))
        .filter(api_token::Column::MemberId.eq(member.uuid()))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn revoke_member_tokens(db: &impl ConnectionTrait, member: MemberId, now: DateTime<Utc>) -> StoreResult<u64> {
    Ok(api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(now))
        .filter(api_token::Column::MemberId.eq(member.uuid()))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?
        .rows_affected)
}

// Password resets.

pub async fn create_reset(
    db: &impl ConnectionTrait,
    member: MemberId,
    token_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> StoreResult<()> {
    password_reset::ActiveModel {
        id: Set(Uuid::now_v7()),
        member_id: Set(member.uuid()),
        token_hash: Set(token_hash.to_owned()),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The member a live reset link belongs to, without using it up.
pub async fn reset_member(
    db: &impl ConnectionTrait,
    token_hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<MemberId>> {
    Ok(password_reset::Entity::find()
        .filter(password_reset::Column::TokenHash.eq(token_hash))
        .filter(password_reset::Column::UsedAt.is_null())
        .filter(password_reset::Column::ExpiresAt.gt(now))
        .one(db)
        .await?
        .map(|row| MemberId::from_uuid(row.member_id)))
}

/// Use a reset link up, atomically: exactly one caller succeeds.
pub async fn consume_reset(
    db: &impl ConnectionTrait,
    token_hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<MemberId>> {
    let Some(member) = reset_member(db, token_hash, now).await? else {
        return Ok(None);
    };
    let result = password_reset::Entity::update_many()
        .col_expr(password_reset::Column::UsedAt, Expr::value(now))
        .filter(password_reset::Column::TokenHash.eq(token_hash))
        .filter(password_reset::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    if result.rows_affected != 1 {
        return Ok(None);
    }
    // Any other links for the same member die with this one.
    password_reset::Entity::update_many()
        .col_expr(password_reset::Column::UsedAt, Expr::value(now))
        .filter(password_reset::Column::MemberId.eq(member.uuid()))
        .filter(password_reset::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(Some(member))
}

//! Trust statements, the admission rule, the vouches that admitted someone, and vouching bans.

use super::corrupt;
use crate::entities::{admission_rule, admission_vouch, application, member, profile, trust_statement, vouching_ban};
use crate::{StoreError, StoreResult};
use chrono::{DateTime, Utc};
use planet_domain::admission::{VouchFact, VouchingRule};
use planet_domain::trust::graph::EdgeFacts;
use planet_domain::trust::{StatementKind, TrustVisibility};
use planet_domain::{ApplicationId, MemberId, ProfileId, StatementId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, JoinType, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, RelationDef, Set,
};
use uuid::Uuid;

/// A trust statement, with the names either side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub id: StatementId,
    pub author: MemberId,
    pub author_name: String,
    pub subject: ProfileId,
    pub subject_name: String,
    pub kind: StatementKind,
    pub visibility: TrustVisibility,
    pub note: String,
    pub met_in_person: bool,
    pub made_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub renewed_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Statement {
    pub fn facts(&self) -> EdgeFacts {
        EdgeFacts::new(self.kind, self.visibility, self.made_at, self.expires_at)
    }
}

#[derive(FromQueryResult)]
struct Row {
    id: Uuid,
    author_id: Uuid,
    author_name: String,
    subject_id: Uuid,
    subject_name: String,
    kind: String,
    visibility: String,
    note: String,
    met_in_person: bool,
    made_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    renewed_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl TryFrom<Row> for Statement {
    type Error = StoreError;
    fn try_from(row: Row) -> Result<Self, Self::Error> {
        Ok(Self {
            id: StatementId::from_uuid(row.id),
            author: MemberId::from_uuid(row.author_id),
            author_name: row.author_name,
            subject: ProfileId::from_uuid(row.subject_id),
            subject_name: row.subject_name,
            kind: StatementKind::parse(&row.kind).ok_or_else(|| corrupt("statement kind", &row.kind))?,
            visibility: TrustVisibility::parse(&row.visibility)
                .ok_or_else(|| corrupt("statement visibility", &row.visibility))?,
            note: row.note,
            met_in_person: row.met_in_person,
            made_at: row.made_at,
            expires_at: row.expires_at,
            renewed_at: row.renewed_at,
            revoked_at: row.revoked_at,
        })
    }
}

fn author() -> RelationDef {
    trust_statement::Entity::belongs_to(member::Entity)
        .from(trust_statement::Column::AuthorId)
        .to(member::Column::Id)
        .into()
}

fn subject() -> RelationDef {
    trust_statement::Entity::belongs_to(profile::Entity)
        .from(trust_statement::Column::SubjectId)
        .to(profile::Column::Id)
        .into()
}

fn select() -> sea_orm::Select<trust_statement::Entity> {
    trust_statement::Entity::find()
        .select_only()
        .columns([
            trust_statement::Column::Id,
            trust_statement::Column::AuthorId,
            trust_statement::Column::SubjectId,
            trust_statement::Column::Kind,
            trust_statement::Column::Visibility,
            trust_statement::Column::Note,
            trust_statement::Column::MetInPerson,
            trust_statement::Column::MadeAt,
            trust_statement::Column::ExpiresAt,
            trust_statement::Column::RenewedAt,
            trust_statement::Column::RevokedAt,
        ])
        .column_as(member::Column::Name, "author_name")
        .column_as(profile::Column::Name, "subject_name")
        .join(JoinType::InnerJoin, author())
        .join(JoinType::InnerJoin, subject())
}

async fn load(
    db: &impl ConnectionTrait,
    query: sea_orm::Select<trust_statement::Entity>,
) -> StoreResult<Vec<Statement>> {
    query.into_model::<Row>().all(db).await?.into_iter().map(Statement::try_from).collect()
}

pub struct NewStatement<'a> {
    pub id: StatementId,
    pub author: MemberId,
    pub subject: ProfileId,
    pub kind: StatementKind,
    pub visibility: TrustVisibility,
    pub note: &'a str,
    pub met_in_person: bool,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Record a statement. A second standing statement of the same kind about the same entry is a
/// `Conflict` (the database's unique index says so).
pub async fn create_statement(db: &impl ConnectionTrait, new: NewStatement<'_>) -> StoreResult<()> {
    trust_statement::ActiveModel {
        id: Set(new.id.uuid()),
        author_id: Set(new.author.uuid()),
        subject_id: Set(new.subject.uuid()),
        kind: Set(new.kind.as_str().to_owned()),
        visibility: Set(new.visibility.as_str().to_owned()),
        note: Set(new.note.to_owned()),
        met_in_person: Set(new.met_in_person),
        made_at: Set(new.now),
        expires_at: Set(new.expires_at),
        renewed_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn statement(db: &impl ConnectionTrait, id: StatementId) -> StoreResult<Option<Statement>> {
    Ok(load(db, select().filter(trust_statement::Column::Id.eq(id.uuid()))).await?.pop())
}

/// Withdraw one's own standing statement.
pub async fn revoke_statement(
    db: &impl ConnectionTrait,
    id: StatementId,
    author: MemberId,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let result = trust_statement::Entity::update_many()
        .col_expr(trust_statement::Column::RevokedAt, Expr::value(now))
        .filter(trust_statement::Column::Id.eq(id.uuid()))
        .filter(trust_statement::Column::AuthorId.eq(author.uuid()))
        .filter(trust_statement::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Renew one's own standing statement until `expires_at`.
pub async fn renew_statement(
    db: &impl ConnectionTrait,
    id: StatementId,
    author: MemberId,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> StoreResult<bool> {
    let result = trust_statement::Entity::update_many()
        .col_expr(trust_statement::Column::RenewedAt, Expr::value(now))
        .col_expr(trust_statement::Column::ExpiresAt, Expr::value(expires_at))
        .filter(trust_statement::Column::Id.eq(id.uuid()))
        .filter(trust_statement::Column::AuthorId.eq(author.uuid()))
        .filter(trust_statement::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// A member's standing statements (expired ones too, so they can be renewed), newest first.
pub async fn statements_by(db: &impl ConnectionTrait, author: MemberId) -> StoreResult<Vec<Statement>> {
    load(
        db,
        select()
            .filter(trust_statement::Column::AuthorId.eq(author.uuid()))
            .filter(trust_statement::Column::RevokedAt.is_null())
            .order_by_desc(trust_statement::Column::MadeAt),
    )
    .await
}

/// Standing statements about an entry, newest first. The caller decides which it may show.
pub async fn statements_about(db: &impl ConnectionTrait, subject: ProfileId) -> StoreResult<Vec<Statement>> {
    load(
        db,
        select()
            .filter(trust_statement::Column::SubjectId.eq(subject.uuid()))
            .filter(trust_statement::Column::RevokedAt.is_null())
            .order_by_desc(trust_statement::Column::MadeAt),
    )
    .await
}

/// Every statement that may be used in trust paths now: standing, not private, not expired,
/// made by a member in good standing.
pub async fn usable_edges(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> StoreResult<Vec<(ProfileId, ProfileId, EdgeFacts)>> {
    #[derive(FromQueryResult)]
    struct Edge {
        author_id: Uuid,
        subject_id: Uuid,
        kind: String,
        visibility: String,
        made_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    }
    let rows = trust_statement::Entity::find()
        .select_only()
        .columns([
            trust_statement::Column::AuthorId,
            trust_statement::Column::SubjectId,
            trust_statement::Column::Kind,
            trust_statement::Column::Visibility,
            trust_statement::Column::MadeAt,
            trust_statement::Column::ExpiresAt,
        ])
        .join(JoinType::InnerJoin, author())
        .filter(member::Column::Status.eq(planet_domain::space::AccountStatus::Member.as_str()))
        .filter(trust_statement::Column::RevokedAt.is_null())
        .filter(trust_statement::Column::Visibility.ne(TrustVisibility::Private.as_str()))
        .filter(trust_statement::Column::ExpiresAt.gt(now))
        .into_model::<Edge>()
        .all(db)
        .await?;
    rows.into_iter()
        .map(|row| {
            let kind = StatementKind::parse(&row.kind).ok_or_else(|| corrupt("statement kind", &row.kind))?;
            let visibility = TrustVisibility::parse(&row.visibility)
                .ok_or_else(|| corrupt("statement visibility", &row.visibility))?;
            Ok((
                // A person's entry has the id of their account.
                ProfileId::from_uuid(row.author_id),
                ProfileId::from_uuid(row.subject_id),
                EdgeFacts::new(kind, visibility, row.made_at, row.expires_at),
            ))
        })
        .collect()
}

/// A vouch for a person, with what is needed to judge it and to show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VouchRecord {
    /// `voucher_admitted_at` is `None` when the voucher is not (or no longer) a member in good
    /// standing: a suspended or removed member's vouch does not count.
    pub fact: VouchFact,
    pub voucher_name: String,
    pub visibility: TrustVisibility,
}

/// Every vouch ever made for a person (withdrawn ones too), oldest first.
pub async fn vouches_for(db: &impl ConnectionTrait, subject: ProfileId) -> StoreResult<Vec<VouchRecord>> {
    #[derive(FromQueryResult)]
    struct Vouch {
        author_id: Uuid,
        author_name: String,
        author_status: String,
        admitted_at: Option<DateTime<Utc>>,
        made_at: DateTime<Utc>,
        revoked_at: Option<DateTime<Utc>>,
        met_in_person: bool,
        visibility: String,
    }
    let rows = trust_statement::Entity::find()
        .select_only()
        .columns([
            trust_statement::Column::AuthorId,
            trust_statement::Column::MadeAt,
            trust_statement::Column::RevokedAt,
            trust_statement::Column::MetInPerson,
            trust_statement::Column::Visibility,
        ])
        .column_as(member::Column::Name, "author_name")
        .column_as(member::Column::Status, "author_status")
        .column_as(member::Column::AdmittedAt, "admitted_at")
        .join(JoinType::InnerJoin, author())
        .filter(trust_statement::Column::SubjectId.eq(subject.uuid()))
        .filter(trust_statement::Column::Kind.eq(StatementKind::Vouch.as_str()))
        .order_by_asc(trust_statement::Column::MadeAt)
        .into_model::<Vouch>()
        .all(db)
        .await?;
    rows.into_iter()
        .map(|row| {
            let visibility = TrustVisibility::parse(&row.visibility)
                .ok_or_else(|| corrupt("statement visibility", &row.visibility))?;
            let in_good_standing = row.author_status == planet_domain::space::AccountStatus::Member.as_str();
            Ok(VouchRecord {
                fact: VouchFact {
                    voucher: MemberId::from_uuid(row.author_id),
                    voucher_admitted_at: row.admitted_at.filter(|_| in_good_standing),
                    made_at: row.made_at,
                    revoked_at: row.revoked_at,
                    met_in_person: row.met_in_person,
                },
                voucher_name: row.author_name,
                visibility,
            })
        })
        .collect()
}

/// Vouches a member has made for applicants since `since`, and vouches standing now.
pub async fn vouch_counts(
    db: &impl ConnectionTrait,
    author: MemberId,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<(u64, u64)> {
    // Vouches for people who were applicants when vouched for (whatever became of them since).
    let applicants = sea_orm::sea_query::Query::select()
        .column(application::Column::MemberId)
        .from(application::Entity)
        .and_where(
            Expr::col((application::Entity, application::Column::CreatedAt))
                .lte(Expr::col((trust_statement::Entity, trust_statement::Column::MadeAt))),
        )
        .and_where(
            Expr::col((application::Entity, application::Column::DecidedAt)).is_null().or(Expr::col((
                application::Entity,
                application::Column::DecidedAt,
            ))
            .gt(Expr::col((trust_statement::Entity, trust_statement::Column::MadeAt)))),
        )
        .to_owned();
    let vouches = || {
        trust_statement::Entity::find()
            .filter(trust_statement::Column::AuthorId.eq(author.uuid()))
            .filter(trust_statement::Column::Kind.eq(StatementKind::Vouch.as_str()))
    };
    let recent = vouches()
        .filter(trust_statement::Column::MadeAt.gte(since))
        .filter(trust_statement::Column::SubjectId.in_subquery(applicants))
        .count(db)
        .await?;
    let active = vouches()
        .filter(trust_statement::Column::RevokedAt.is_null())
        .filter(trust_statement::Column::ExpiresAt.gt(now))
        .count(db)
        .await?;
    Ok((recent, active))
}

const RULE_ROW: i32 = 1;

fn to_u32(value: i32) -> u32 {
    u32::try_from(value).unwrap_or(0)
}

fn to_i32(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

/// The community's admission rule (the default until stewards change it).
pub async fn admission_rule(db: &impl ConnectionTrait) -> StoreResult<VouchingRule> {
    Ok(admission_rule::Entity::find_by_id(RULE_ROW).one(db).await?.map_or_else(VouchingRule::default, |row| {
        VouchingRule {
            vouches_needed: to_u32(row.vouches_needed),
            standing_days: to_u32(row.standing_days),
            window_days: to_u32(row.window_days),
            in_person_needed: row.in_person_needed,
            weekly_vouches: to_u32(row.weekly_vouches),
            active_vouches: to_u32(row.active_vouches),
        }
    }))
}

pub async fn set_admission_rule(
    db: &impl ConnectionTrait,
    rule: VouchingRule,
    by: MemberId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    admission_rule::Entity::delete_by_id(RULE_ROW).exec(db).await?;
    admission_rule::ActiveModel {
        id: Set(RULE_ROW),
        vouches_needed: Set(to_i32(rule.vouches_needed)),
        standing_days: Set(to_i32(rule.standing_days)),
        window_days: Set(to_i32(rule.window_days)),
        in_person_needed: Set(rule.in_person_needed),
        weekly_vouches: Set(to_i32(rule.weekly_vouches)),
        active_vouches: Set(to_i32(rule.active_vouches)),
        updated_at: Set(now),
        updated_by: Set(Some(by.uuid())),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Remember whose vouches admitted an applicant.
pub async fn record_admission_vouches(
    db: &impl ConnectionTrait,
    application: ApplicationId,
    vouchers: &[MemberId],
) -> StoreResult<()> {
    if vouchers.is_empty() {
        return Ok(());
    }
    admission_vouch::Entity::insert_many(vouchers.iter().map(|voucher| admission_vouch::ActiveModel {
        application_id: Set(application.uuid()),
        voucher_id: Set(voucher.uuid()),
    }))
    .exec(db)
    .await?;
    Ok(())
}

/// Whose vouches admitted this application (empty when a steward approved it).
pub async fn admission_vouchers(db: &impl ConnectionTrait, application: ApplicationId) -> StoreResult<Vec<MemberId>> {
    Ok(admission_vouch::Entity::find()
        .filter(admission_vouch::Column::ApplicationId.eq(application.uuid()))
        .all(db)
        .await?
        .into_iter()
        .map(|row| MemberId::from_uuid(row.voucher_id))
        .collect())
}

pub async fn ban_voucher(
    db: &impl ConnectionTrait,
    member: MemberId,
    removed: MemberId,
    until: DateTime<Utc>,
    by: MemberId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    vouching_ban::ActiveModel {
        id: Set(Uuid::now_v7()),
        member_id: Set(member.uuid()),
        removed_member_id: Set(removed.uuid()),
        until: Set(until),
        created_at: Set(now),
        created_by: Set(by.uuid()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Until when a member may not vouch, if a ban stands now.
pub async fn banned_until(
    db: &impl ConnectionTrait,
    member: MemberId,
    now: DateTime<Utc>,
) -> StoreResult<Option<DateTime<Utc>>> {
    Ok(vouching_ban::Entity::find()
        .filter(vouching_ban::Column::MemberId.eq(member.uuid()))
        .filter(vouching_ban::Column::Until.gt(now))
        .order_by_desc(vouching_ban::Column::Until)
        .one(db)
        .await?
        .map(|row| row.until))
}

/// Everyone who ever vouched for a person (withdrawn vouches too: they still vouched).
pub async fn vouchers_of(db: &impl ConnectionTrait, subject: ProfileId) -> StoreResult<Vec<(MemberId, String)>> {
    let mut vouchers: Vec<(MemberId, String)> =
        vouches_for(db, subject).await?.into_iter().map(|v| (v.fact.voucher, v.voucher_name)).collect();
    vouchers.sort_by_key(|(id, _)| *id);
    vouchers.dedup_by_key(|(id, _)| *id);
    Ok(vouchers)
}

/// Withdraw every standing statement a member made (they were removed).
pub async fn revoke_all_by(db: &impl ConnectionTrait, author: MemberId, now: DateTime<Utc>) -> StoreResult<u64> {
    let result = trust_statement::Entity::update_many()
        .col_expr(trust_statement::Column::RevokedAt, Expr::value(now))
        .filter(trust_statement::Column::AuthorId.eq(author.uuid()))
        .filter(trust_statement::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// A member admitted through the vouch of someone since removed as fake or a duplicate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToReview {
    pub member: MemberId,
    pub name: String,
    pub status: String,
    pub removed_voucher: String,
}

/// Members whose admission counted a vouch from a removed member, for stewards to review.
pub async fn admitted_through_removed(db: &impl ConnectionTrait) -> StoreResult<Vec<ToReview>> {
    let sql = "SELECT admitted.id AS member, admitted.name AS name, admitted.status AS status, voucher.name AS voucher \
               FROM admission_vouches v \
               JOIN applications a ON a.id = v.application_id \
               JOIN members admitted ON admitted.id = a.member_id \
               JOIN members voucher ON voucher.id = v.voucher_id \
               WHERE voucher.status = 'removed' AND admitted.status <> 'removed' \
               ORDER BY admitted.name";
    let rows = db.query_all_raw(sea_orm::Statement::from_string(db.get_database_backend(), sql)).await?;
    rows.iter()
        .map(|row| {
            Ok(ToReview {
                member: MemberId::from_uuid(row.try_get("", "member")?),
                name: row.try_get("", "name")?,
                status: row.try_get("", "status")?,
                removed_voucher: row.try_get("", "voucher")?,
            })
        })
        .collect()
}

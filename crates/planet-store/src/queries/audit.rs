//! The audit log: every steward or coordinator action.

use crate::StoreResult;
use crate::entities::audit_entry;
use chrono::{DateTime, Utc};
use planet_domain::MemberId;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

pub use audit_entry::Model as AuditEntry;

pub async fn record(
    db: &impl ConnectionTrait,
    actor: Option<MemberId>,
    action: &str,
    subject: &str,
    detail: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    audit_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        actor_id: Set(actor.map(MemberId::uuid)),
        action: Set(action.to_owned()),
        subject: Set(subject.to_owned()),
        detail: Set(detail.to_owned()),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Newest first.
pub async fn recent(db: &impl ConnectionTrait, limit: u64, offset: u64) -> StoreResult<Vec<AuditEntry>> {
    Ok(audit_entry::Entity::find()
        .order_by_desc(audit_entry::Column::CreatedAt)
        .order_by_desc(audit_entry::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?)
}

pub async fn count(db: &impl ConnectionTrait) -> StoreResult<u64> {
    Ok(audit_entry::Entity::find().count(db).await?)
}

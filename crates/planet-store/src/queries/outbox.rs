//! Outgoing email. Every message is written here first; a sender delivers it when an SMTP
//! server is configured, and stewards can read it when none is.

use crate::StoreResult;
use crate::entities::outbox_message;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

pub use outbox_message::Model as OutboxMessage;

pub async fn enqueue(
    db: &impl ConnectionTrait,
    to: &str,
    subject: &str,
    body: &str,
    sensitive: bool,
    now: DateTime<Utc>,
) -> StoreResult<Uuid> {
    let id = Uuid::now_v7();
    outbox_message::ActiveModel {
        id: Set(id),
        to_address: Set(to.to_owned()),
        subject: Set(subject.to_owned()),
        body: Set(body.to_owned()),
        created_at: Set(now),
        sent_at: Set(None),
        attempts: Set(0),
        sensitive: Set(sensitive),
        last_error: Set(None),
    }
    .insert(db)
    .await?;
    Ok(id)
}

pub async fn recent(db: &impl ConnectionTrait, limit: u64) -> StoreResult<Vec<OutboxMessage>> {
    Ok(outbox_message::Entity::find()
        .order_by_desc(outbox_message::Column::CreatedAt)
        .order_by_desc(outbox_message::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> StoreResult<Option<OutboxMessage>> {
    Ok(outbox_message::Entity::find_by_id(id).one(db).await?)
}

/// Messages not yet sent that have been tried fewer than `max_attempts` times.
pub async fn unsent(db: &impl ConnectionTrait, max_attempts: i32, limit: u64) -> StoreResult<Vec<OutboxMessage>> {
    Ok(outbox_message::Entity::find()
        .filter(outbox_message::Column::SentAt.is_null())
        .filter(outbox_message::Column::Attempts.lt(max_attempts))
        .order_by_asc(outbox_message::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await?)
}

pub async fn mark_sent(db: &impl ConnectionTrait, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
    outbox_message::Entity::update_many()
        .col_expr(outbox_message::Column::SentAt, Expr::value(now))
        .col_expr(outbox_message::Column::Attempts, Expr::col(outbox_message::Column::Attempts).add(1))
        .col_expr(outbox_message::Column::LastError, Expr::value(Option::<String>::None))
        .filter(outbox_message::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn mark_failed(db: &impl ConnectionTrait, id: Uuid, error: &str) -> StoreResult<()> {
    outbox_message::Entity::update_many()
        .col_expr(outbox_message::Column::Attempts, Expr::col(outbox_message::Column::Attempts).add(1))
        .col_expr(outbox_message::Column::LastError, Expr::value(Some(error.to_owned())))
        .filter(outbox_message::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

//! Transfers: their rows and entries, how they finish, and each account's statement lines.

use crate::entities::{ledger_posting, transfer, transfer_entry};
use crate::queries::corrupt;
use crate::{StoreError, StoreResult};
use chrono::{DateTime, Utc};
use planet_domain::ledger::{Entry, EntryPurpose, TransferKind, TransferState};
use planet_domain::{AccountId, CurrencyId, DealId, ListingId, MemberId, TransferId};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use std::collections::HashMap;
use uuid::Uuid;

/// A transfer with its entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub id: TransferId,
    pub kind: TransferKind,
    pub state: TransferState,
    pub currency: CurrencyId,
    pub payer: AccountId,
    pub payee: AccountId,
    pub amount: i64,
    pub description: String,
    pub listing: Option<ListingId>,
    pub deal: Option<DealId>,
    pub reversal_of: Option<TransferId>,
    pub started_by: MemberId,
    pub request_hash: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub finished_by: Option<MemberId>,
    pub entries: Vec<Entry<AccountId>>,
}

fn transfer_of(row: transfer::Model, entries: Vec<Entry<AccountId>>) -> StoreResult<Transfer> {
    Ok(Transfer {
        id: TransferId::from_uuid(row.id),
        kind: TransferKind::parse(&row.kind).ok_or_else(|| corrupt("transfer kind", &row.kind))?,
        state: TransferState::parse(&row.state).ok_or_else(|| corrupt("transfer state", &row.state))?,
        currency: CurrencyId::from_uuid(row.currency_id),
        payer: AccountId::from_uuid(row.payer_id),
        payee: AccountId::from_uuid(row.payee_id),
        amount: row.amount,
        description: row.description,
        listing: row.listing_id.map(ListingId::from_uuid),
        deal: row.deal_id.map(DealId::from_uuid),
        reversal_of: row.reversal_of.map(TransferId::from_uuid),
        started_by: MemberId::from_uuid(row.started_by),
        request_hash: row.request_hash,
        created_at: row.created_at,
        expires_at: row.expires_at,
        finished_at: row.finished_at,
        finished_by: row.finished_by.map(MemberId::from_uuid),
        entries,
    })
}

async fn with_entries(db: &impl ConnectionTrait, rows: Vec<transfer::Model>) -> StoreResult<Vec<Transfer>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut entries: HashMap<Uuid, Vec<Entry<AccountId>>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let found = transfer_entry::Entity::find()
            .filter(transfer_entry::Column::TransferId.is_in(chunk.iter().copied()))
            .order_by_asc(transfer_entry::Column::TransferId)
            .order_by_asc(transfer_entry::Column::Position)
            .all(db)
            .await?;
        for e in found {
            let purpose = EntryPurpose::parse(&e.purpose).ok_or_else(|| corrupt("entry purpose", &e.purpose))?;
            entries.entry(e.transfer_id).or_default().push(Entry {
                from: AccountId::from_uuid(e.from_id),
                to: AccountId::from_uuid(e.to_id),
                amount: e.amount,
                purpose,
            });
        }
    }
    rows.into_iter()
        .map(|row| {
            let entries = entries.remove(&row.id).unwrap_or_default();
            transfer_of(row, entries)
        })
        .collect()
}

pub async fn transfer(db: &impl ConnectionTrait, id: TransferId) -> StoreResult<Option<Transfer>> {
    let rows: Vec<_> = transfer::Entity::find_by_id(id.uuid()).one(db).await?.into_iter().collect();
    Ok(with_entries(db, rows).await?.pop())
}

pub async fn transfers(db: &impl ConnectionTrait, ids: &[TransferId]) -> StoreResult<HashMap<TransferId, Transfer>> {
    let mut found = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows = transfer::Entity::find()
            .filter(transfer::Column::Id.is_in(chunk.iter().map(|id| id.uuid())))
            .all(db)
            .await?;
        for t in with_entries(db, rows).await? {
            found.insert(t.id, t);
        }
    }
    Ok(found)
}

/// Record a new transfer and its entries. An id already used is `StoreError::Conflict`.
pub async fn insert(db: &impl ConnectionTrait, t: &Transfer) -> StoreResult<()> {
    transfer::Entity::insert(transfer::ActiveModel {
        id: Set(t.id.uuid()),
        kind: Set(t.kind.as_str().to_owned()),
        state: Set(t.state.as_str().to_owned()),
        currency_id: Set(t.currency.uuid()),
        payer_id: Set(t.payer.uuid()),
        payee_id: Set(t.payee.uuid()),
        amount: Set(t.amount),
        description: Set(t.description.clone()),
        listing_id: Set(t.listing.map(ListingId::uuid)),
        deal_id: Set(t.deal.map(DealId::uuid)),
        reversal_of: Set(t.reversal_of.map(TransferId::uuid)),
        started_by: Set(t.started_by.uuid()),
        request_hash: Set(t.request_hash.clone()),
        created_at: Set(t.created_at),
        expires_at: Set(t.expires_at),
        finished_at: Set(t.finished_at),
        finished_by: Set(t.finished_by.map(MemberId::uuid)),
    })
    .exec_without_returning(db)
    .await
    .map_err(StoreError::from)?;
    let rows = t.entries.iter().enumerate().map(|(position, e)| transfer_entry::ActiveModel {
        transfer_id: Set(t.id.uuid()),
        position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
        from_id: Set(e.from.uuid()),
        to_id: Set(e.to.uuid()),
        amount: Set(e.amount),
        purpose: Set(e.purpose.as_str().to_owned()),
    });
    transfer_entry::Entity::insert_many(rows).exec_without_returning(db).await?;
    Ok(())
}

/// Move a pending transfer to a final state; false when it was no longer pending.
pub async fn finish(
    db: &impl ConnectionTrait,
    id: TransferId,
    to: TransferState,
    by: Option<MemberId>,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let result = transfer::Entity::update_many()
        .col_expr(transfer::Column::State, Expr::value(to.as_str()))
        .col_expr(transfer::Column::FinishedAt, Expr::value(now))
        .col_expr(transfer::Column::FinishedBy, Expr::value(by.map(MemberId::uuid)))
        .filter(transfer::Column::Id.eq(id.uuid()))
        .filter(transfer::Column::State.eq(TransferState::Pending.as_str()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Pending transfers that touch these accounts, oldest first.
pub async fn pending_for(db: &impl ConnectionTrait, accounts: &[AccountId]) -> StoreResult<Vec<Transfer>> {
    let ids: Vec<Uuid> = accounts.iter().map(|a| a.uuid()).collect();
    let rows = transfer::Entity::find()
        .filter(transfer::Column::State.eq(TransferState::Pending.as_str()))
        .filter(
            Condition::any()
                .add(transfer::Column::PayerId.is_in(ids.clone()))
                .add(transfer::Column::PayeeId.is_in(ids)),
        )
        .order_by_asc(transfer::Column::CreatedAt)
        .all(db)
        .await?;
    with_entries(db, rows).await
}

/// Pending transfers of a kind (corrections waiting for a second steward), oldest first.
pub async fn pending_of_kind(db: &impl ConnectionTrait, kind: TransferKind) -> StoreResult<Vec<Transfer>> {
    let rows = transfer::Entity::find()
        .filter(transfer::Column::Kind.eq(kind.as_str()))
        .filter(transfer::Column::State.eq(TransferState::Pending.as_str()))
        .order_by_asc(transfer::Column::CreatedAt)
        .all(db)
        .await?;
    with_entries(db, rows).await
}

/// Pending transfers whose time ran out, oldest first.
pub async fn due_to_expire(db: &impl ConnectionTrait, now: DateTime<Utc>, limit: u64) -> StoreResult<Vec<TransferId>> {
    let ids: Vec<Uuid> = transfer::Entity::find()
        .select_only()
        .column(transfer::Column::Id)
        .filter(transfer::Column::State.eq(TransferState::Pending.as_str()))
        .filter(transfer::Column::ExpiresAt.lte(now))
        .order_by_asc(transfer::Column::ExpiresAt)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.into_iter().map(TransferId::from_uuid).collect())
}

/// Reversals of a transfer that are waiting or done (at most one may be).
pub async fn reversals_of(db: &impl ConnectionTrait, id: TransferId) -> StoreResult<Vec<Transfer>> {
    let rows = transfer::Entity::find()
        .filter(transfer::Column::ReversalOf.eq(id.uuid()))
        .filter(transfer::Column::State.is_in([TransferState::Pending.as_str(), TransferState::Completed.as_str()]))
        .all(db)
        .await?;
    with_entries(db, rows).await
}

/// Transfers made for a deal, newest first.
pub async fn of_deal(db: &impl ConnectionTrait, deal: DealId) -> StoreResult<Vec<Transfer>> {
    let rows = transfer::Entity::find()
        .filter(transfer::Column::DealId.eq(deal.uuid()))
        .order_by_desc(transfer::Column::CreatedAt)
        .all(db)
        .await?;
    with_entries(db, rows).await
}

/// A statement line to write: what an entry of a completed transfer did to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewPosting {
    pub account: AccountId,
    pub seq: i64,
    pub transfer: TransferId,
    pub position: usize,
    pub amount: i64,
    pub balance: i64,
    pub at: DateTime<Utc>,
}

pub async fn insert_postings(db: &impl ConnectionTrait, postings: &[NewPosting]) -> StoreResult<()> {
    if postings.is_empty() {
        return Ok(());
    }
    let rows = postings.iter().map(|p| ledger_posting::ActiveModel {
        account_id: Set(p.account.uuid()),
        seq: Set(p.seq),
        transfer_id: Set(p.transfer.uuid()),
        position: Set(i32::try_from(p.position).unwrap_or(i32::MAX)),
        amount: Set(p.amount),
        balance: Set(p.balance),
        at: Set(p.at),
    });
    ledger_posting::Entity::insert_many(rows).exec_without_returning(db).await?;
    Ok(())
}

//! Statements: an account's lines, newest first, each with the balance after it, and the
//! names of the accounts on the other side.

use super::transfers;
use crate::StoreResult;
use crate::entities::{ledger_account, ledger_posting, profile, space, transfer_entry};
use chrono::{DateTime, Utc};
use planet_domain::ledger::{AccountKind, EntryPurpose, TransferKind};
use planet_domain::{AccountId, MemberId, TransferId};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use uuid::Uuid;

/// One line of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub seq: i64,
    pub transfer: TransferId,
    pub kind: TransferKind,
    pub purpose: EntryPurpose,
    /// Signed: in (+) or out (−).
    pub amount: i64,
    /// The balance after this line.
    pub balance: i64,
    pub at: DateTime<Utc>,
    pub description: String,
    /// The account on the other side, and whose it is.
    pub other: AccountId,
    pub other_name: String,
    pub started_by: MemberId,
    /// Who answered it (accepted a request, the second steward of a correction).
    pub finished_by: Option<MemberId>,
}

/// The account's lines before `before` (its line number), newest first, at most `limit`.
pub async fn lines(
    db: &impl ConnectionTrait,
    account: AccountId,
    before: Option<i64>,
    limit: u64,
) -> StoreResult<Vec<Line>> {
    let mut query = ledger_posting::Entity::find()
        .filter(ledger_posting::Column::AccountId.eq(account.uuid()))
        .order_by_desc(ledger_posting::Column::Seq)
        .limit(limit);
    if let Some(before) = before {
        query = query.filter(ledger_posting::Column::Seq.lt(before));
    }
    let postings = query.all(db).await?;
    let ids: Vec<Uuid> = postings.iter().map(|p| p.transfer_id).collect();
    let entries: HashMap<(Uuid, i32), transfer_entry::Model> = transfer_entry::Entity::find()
        .filter(transfer_entry::Column::TransferId.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|e| ((e.transfer_id, e.position), e))
        .collect();
    let found = transfers::transfers(db, &ids.iter().copied().map(TransferId::from_uuid).collect::<Vec<_>>()).await?;
    let others: Vec<AccountId> = postings
        .iter()
        .filter_map(|p| entries.get(&(p.transfer_id, p.position)))
        .zip(postings.iter())
        .map(|(e, p)| AccountId::from_uuid(if e.from_id == p.account_id { e.to_id } else { e.from_id }))
        .collect();
    let names = account_names(db, &others).await?;
    let mut lines = Vec::with_capacity(postings.len());
    for p in postings {
        let (Some(entry), Some(t)) =
            (entries.get(&(p.transfer_id, p.position)), found.get(&TransferId::from_uuid(p.transfer_id)))
        else {
            continue;
        };
        let other = AccountId::from_uuid(if entry.from_id == p.account_id { entry.to_id } else { entry.from_id });
        let purpose = EntryPurpose::parse(&entry.purpose).unwrap_or(EntryPurpose::Main);
        lines.push(Line {
            seq: p.seq,
            transfer: t.id,
            kind: t.kind,
            purpose,
            amount: p.amount,
            balance: p.balance,
            at: p.at,
            description: t.description.clone(),
            other,
            other_name: names.get(&other).cloned().unwrap_or_default(),
            started_by: t.started_by,
            finished_by: t.finished_by,
        });
    }
    Ok(lines)
}

/// At most `most` points of the balance since `since` (time, balance after the line), oldest
/// first, with the balance before the first: every line when there are few, else lines spread
/// evenly through the period and the last one (a chart cannot show more, and reading a busy
/// account's every line would be slow).
pub async fn balances_since(
    db: &impl ConnectionTrait,
    account: AccountId,
    since: DateTime<Utc>,
    most: usize,
) -> StoreResult<(i64, Vec<(DateTime<Utc>, i64)>)> {
    let before: Option<(i64, i64)> = ledger_posting::Entity::find()
        .select_only()
        .columns([ledger_posting::Column::Seq, ledger_posting::Column::Balance])
        .filter(ledger_posting::Column::AccountId.eq(account.uuid()))
        .filter(ledger_posting::Column::At.lt(since))
        .order_by_desc(ledger_posting::Column::At)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    let last: Option<i64> = ledger_posting::Entity::find()
        .select_only()
        .column(ledger_posting::Column::Seq)
        .filter(ledger_posting::Column::AccountId.eq(account.uuid()))
        .order_by_desc(ledger_posting::Column::Seq)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    let (first, start) = match before {
        Some((seq, balance)) => (seq + 1, balance),
        None => (1, 0),
    };
    let Some(last) = last.filter(|last| *last >= first) else {
        return Ok((start, Vec::new()));
    };
    let count = last - first + 1;
    let most = i64::try_from(most.max(2)).unwrap_or(2);
    let mut seqs: Vec<i64> = if count <= most {
        (first..=last).collect()
    } else {
        (0..most).map(|i| first + i * (count - 1) / (most - 1)).collect()
    };
    seqs.dedup();
    let points: Vec<(DateTime<Utc>, i64)> = ledger_posting::Entity::find()
        .select_only()
        .columns([ledger_posting::Column::At, ledger_posting::Column::Balance])
        .filter(ledger_posting::Column::AccountId.eq(account.uuid()))
        .filter(ledger_posting::Column::Seq.is_in(seqs))
        .order_by_asc(ledger_posting::Column::Seq)
        .into_tuple()
        .all(db)
        .await?;
    Ok((start, points))
}

/// An account's lines in a period (a month's statement).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// The balance before the period, and after it.
    pub opening: i64,
    pub closing: i64,
    /// Money in and out in the period (out as a negative number), and how many lines.
    pub paid_in: i64,
    pub paid_out: i64,
    pub count: u64,
    /// The period's lines, oldest first, at most the number asked for (the latest of them).
    pub lines: Vec<Line>,
}

/// The lines of an account from `from` (inclusive) to `to` (exclusive).
pub async fn period(
    db: &impl ConnectionTrait,
    account: AccountId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    most: u64,
) -> StoreResult<Period> {
    let last_before = |at: DateTime<Utc>| {
        ledger_posting::Entity::find()
            .select_only()
            .columns([ledger_posting::Column::Seq, ledger_posting::Column::Balance])
            .filter(ledger_posting::Column::AccountId.eq(account.uuid()))
            .filter(ledger_posting::Column::At.lt(at))
            .order_by_desc(ledger_posting::Column::Seq)
            .limit(1)
            .into_tuple::<(i64, i64)>()
            .one(db)
    };
    let opening = last_before(from).await?.map_or(0, |(_, balance)| balance);
    let end = last_before(to).await?;
    let closing = end.map_or(opening, |(_, balance)| balance);
    let amounts: Vec<i64> = ledger_posting::Entity::find()
        .select_only()
        .column(ledger_posting::Column::Amount)
        .filter(ledger_posting::Column::AccountId.eq(account.uuid()))
        .filter(ledger_posting::Column::At.gte(from))
        .filter(ledger_posting::Column::At.lt(to))
        .into_tuple()
        .all(db)
        .await?;
    let paid_in = amounts.iter().filter(|a| **a > 0).sum();
    let paid_out = amounts.iter().filter(|a| **a < 0).sum();
    let count = amounts.len() as u64;
    let mut lines = match end {
        Some((seq, _)) if count > 0 => lines(db, account, Some(seq + 1), count.min(most)).await?,
        _ => Vec::new(),
    };
    lines.retain(|line| line.at >= from);
    lines.reverse();
    Ok(Period { opening, closing, paid_in, paid_out, count, lines })
}

/// Whose these accounts are, in words: the entry's or group's name, or the fund.
pub async fn account_names(db: &impl ConnectionTrait, ids: &[AccountId]) -> StoreResult<HashMap<AccountId, String>> {
    let rows: Vec<(Uuid, String, Uuid)> = ledger_account::Entity::find()
        .select_only()
        .columns([ledger_account::Column::Id, ledger_account::Column::Kind, ledger_account::Column::OwnerId])
        .filter(ledger_account::Column::Id.is_in(ids.iter().map(|a| a.uuid())))
        .into_tuple()
        .all(db)
        .await?;
    let owners: Vec<Uuid> = rows.iter().map(|r| r.2).collect();
    let mut owner_names: HashMap<Uuid, String> = profile::Entity::find()
        .select_only()
        .columns([profile::Column::Id, profile::Column::Name])
        .filter(profile::Column::Id.is_in(owners.clone()))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    owner_names.extend(
        space::Entity::find()
            .select_only()
            .columns([space::Column::Id, space::Column::Name])
            .filter(space::Column::Id.is_in(owners))
            .into_tuple::<(Uuid, String)>()
            .all(db)
            .await?,
    );
    Ok(rows
        .into_iter()
        .map(|(id, kind, owner)| {
            let name = match AccountKind::parse(&kind) {
                Some(AccountKind::Fund) => "The community fund".to_owned(),
                Some(AccountKind::System) => "Corrections by stewards".to_owned(),
                _ => owner_names.get(&owner).cloned().unwrap_or_else(|| "Someone who has left".to_owned()),
            };
            (AccountId::from_uuid(id), name)
        })
        .collect())
}

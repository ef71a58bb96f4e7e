//! The hash chain: its head (one row, taken first by every transaction that moves amounts, so
//! they are ordered across processes), its links, each day's head, and the checks that the
//! stored history is whole.

use super::transfers::{self, Transfer};
use crate::StoreResult;
use crate::entities::{ledger_head, ledger_link, ledger_posting, transfer, transfer_entry};
use crate::queries::corrupt;
use chrono::{DateTime, NaiveDate, Utc};
use planet_domain::ledger::chain::{Broken, Link, Verifier};
use planet_domain::ledger::{TransferState, book};
use planet_domain::{AccountId, MemberId, TransferId};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use std::collections::HashMap;
use uuid::Uuid;

/// The chain's last link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

/// Take the head for this transaction: a write to its row first, so every other transaction
/// that moves amounts waits until this one ends (on PostgreSQL a row lock, on SQLite the write
/// lock), then read it.
pub async fn take_head(db: &impl ConnectionTrait) -> StoreResult<Head> {
    ledger_head::Entity::update_many()
        .col_expr(ledger_head::Column::Seq, Expr::col(ledger_head::Column::Seq))
        .filter(ledger_head::Column::Id.eq(1))
        .exec(db)
        .await?;
    head(db).await
}

/// The head as it stands.
pub async fn head(db: &impl ConnectionTrait) -> StoreResult<Head> {
    let row =
        ledger_head::Entity::find_by_id(1).one(db).await?.ok_or_else(|| corrupt("the chain's head", "missing"))?;
    Ok(Head { seq: row.seq, hash: row.hash })
}

/// Add a link for a transfer's new state after `head`, and move `head` to it.
pub async fn append(
    db: &impl ConnectionTrait,
    head: &mut Head,
    t: &Transfer,
    by: Option<MemberId>,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let entries = uuid_entries(t);
    let link = Link {
        seq: head.seq + 1,
        transfer: t.id.uuid(),
        kind: t.kind,
        state: t.state,
        currency: t.currency.uuid(),
        at,
        entries: &entries,
        description: &t.description,
        by: by.map(MemberId::uuid),
    };
    let hash = link.hash(&head.hash);
    ledger_link::Entity::insert(ledger_link::ActiveModel {
        seq: Set(link.seq),
        transfer_id: Set(t.id.uuid()),
        state: Set(t.state.as_str().to_owned()),
        by_id: Set(link.by),
        at: Set(at),
        hash: Set(hash.clone()),
    })
    .exec_without_returning(db)
    .await?;
    *head = Head { seq: link.seq, hash };
    Ok(())
}

fn uuid_entries(t: &Transfer) -> Vec<planet_domain::ledger::Entry<Uuid>> {
    t.entries
        .iter()
        .map(|e| planet_domain::ledger::Entry {
            from: e.from.uuid(),
            to: e.to.uuid(),
            amount: e.amount,
            purpose: e.purpose,
        })
        .collect()
}

/// Save the head at the end of the transaction.
pub async fn save_head(db: &impl ConnectionTrait, head: &Head) -> StoreResult<()> {
    ledger_head::Entity::update_many()
        .col_expr(ledger_head::Column::Seq, Expr::value(head.seq))
        .col_expr(ledger_head::Column::Hash, Expr::value(head.hash.clone()))
        .filter(ledger_head::Column::Id.eq(1))
        .exec(db)
        .await?;
    Ok(())
}

/// One day's head: the last link of that day (UTC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayHead {
    pub day: NaiveDate,
    pub seq: i64,
    pub hash: String,
    /// Changes made that day.
    pub changes: i64,
}

/// The heads of the last `days` days that had changes, newest first.
pub async fn day_heads(db: &impl ConnectionTrait, days: usize) -> StoreResult<Vec<DayHead>> {
    let mut heads: Vec<DayHead> = Vec::new();
    let mut before: Option<i64> = None;
    // Walk back from the head a page at a time, so a busy ledger is not read whole.
    while heads.len() <= days {
        let mut query = ledger_link::Entity::find().order_by_desc(ledger_link::Column::Seq).limit(2000);
        if let Some(before) = before {
            query = query.filter(ledger_link::Column::Seq.lt(before));
        }
        let rows = query.all(db).await?;
        let Some(last) = rows.last() else { break };
        before = Some(last.seq);
        for row in rows {
            let day = row.at.date_naive();
            match heads.last_mut() {
                Some(head) if head.day == day => head.changes += 1,
                _ => heads.push(DayHead { day, seq: row.seq, hash: row.hash, changes: 1 }),
            }
        }
    }
    // The last day read may be partial: it is only shown when the walk reached the start.
    if heads.len() > days {
        heads.truncate(days);
    }
    Ok(heads)
}

/// Check the whole chain from the first link: each link's hash follows from its transfer as
/// stored now and the link before; each transfer's row agrees with its entries and with its
/// links (its first link is by whoever started it, its state is its last link's). Returns how
/// many links were checked and the head, or the first link found wrong.
pub async fn verify(db: &impl ConnectionTrait) -> StoreResult<Result<(i64, String), Broken>> {
    let mut verifier = Verifier::default();
    let mut after = 0_i64;
    // Each transfer's state as its last link says, and the link that said it.
    let mut latest: HashMap<TransferId, (TransferState, i64)> = HashMap::new();
    let mut stored: HashMap<TransferId, TransferState> = HashMap::new();
    loop {
        let rows = ledger_link::Entity::find()
            .filter(ledger_link::Column::Seq.gt(after))
            .order_by_asc(ledger_link::Column::Seq)
            .limit(1000)
            .all(db)
            .await?;
        let Some(last) = rows.last() else { break };
        after = last.seq;
        let ids: Vec<TransferId> = rows.iter().map(|r| TransferId::from_uuid(r.transfer_id)).collect();
        let found = transfers::transfers(db, &ids).await?;
        for row in &rows {
            let Some(t) = found.get(&TransferId::from_uuid(row.transfer_id)) else {
                return Ok(Err(Broken { seq: row.seq }));
            };
            let state = TransferState::parse(&row.state).ok_or_else(|| corrupt("link state", &row.state))?;
            let agrees =
                t.entries.first().is_some_and(|e| e.from == t.payer && e.to == t.payee && e.amount == t.amount);
            let first = !latest.contains_key(&t.id);
            if !agrees || (first && row.by_id != Some(t.started_by.uuid())) {
                return Ok(Err(Broken { seq: row.seq }));
            }
            latest.insert(t.id, (state, row.seq));
            stored.insert(t.id, t.state);
            let entries = uuid_entries(t);
            let link = Link {
                seq: row.seq,
                transfer: row.transfer_id,
                kind: t.kind,
                state,
                currency: t.currency.uuid(),
                at: row.at,
                entries: &entries,
                description: &t.description,
                by: row.by_id,
            };
            if let Err(broken) = verifier.check(&link, &row.hash) {
                return Ok(Err(broken));
            }
        }
    }
    if let Some(seq) =
        latest.iter().filter(|(id, (state, _))| stored.get(*id) != Some(state)).map(|(_, (_, seq))| *seq).min()
    {
        return Ok(Err(Broken { seq }));
    }
    let stored = head(db).await?;
    if stored.seq != verifier.checked() || stored.hash != verifier.head() {
        return Ok(Err(Broken { seq: stored.seq }));
    }
    Ok(Ok((verifier.checked(), verifier.head().to_owned())))
}

/// What every account's standing should be, folded from the entries of every transfer:
/// completed ones into balances, waiting ones that hold into pending amounts. And each
/// account's last statement line, which must agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Folded {
    pub balance: i64,
    pub pending_out: i64,
    pub pending_in: i64,
    /// How many statement lines, and the balance on the last.
    pub postings: i64,
    pub last_posted_balance: i64,
}

pub async fn fold(db: &impl ConnectionTrait) -> StoreResult<HashMap<AccountId, Folded>> {
    let states: HashMap<Uuid, (String, String)> = transfer::Entity::find()
        .select_only()
        .columns([transfer::Column::Id, transfer::Column::State, transfer::Column::Kind])
        .into_tuple::<(Uuid, String, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, state, kind)| (id, (state, kind)))
        .collect();
    let mut folded: HashMap<AccountId, Folded> = HashMap::new();
    for e in transfer_entry::Entity::find().all(db).await? {
        let Some((state, kind)) = states.get(&e.transfer_id) else { continue };
        let kind = planet_domain::ledger::TransferKind::parse(kind).ok_or_else(|| corrupt("transfer kind", kind))?;
        let (from, to) = (AccountId::from_uuid(e.from_id), AccountId::from_uuid(e.to_id));
        if state == TransferState::Completed.as_str() {
            folded.entry(from).or_default().balance -= e.amount;
            folded.entry(to).or_default().balance += e.amount;
        } else if state == TransferState::Pending.as_str() && book::holds_while_pending(kind) {
            folded.entry(from).or_default().pending_out += e.amount;
            folded.entry(to).or_default().pending_in += e.amount;
        }
    }
    for p in ledger_posting::Entity::find().order_by_asc(ledger_posting::Column::Seq).all(db).await? {
        let f = folded.entry(AccountId::from_uuid(p.account_id)).or_default();
        if p.seq > f.postings {
            f.postings = p.seq;
            f.last_posted_balance = p.balance;
        }
    }
    Ok(folded)
}

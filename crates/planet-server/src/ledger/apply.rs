//! What the writer does with each request, inside its batch's transaction: start a transfer,
//! or move a waiting one on. Each reads the accounts afresh, takes the step in the book
//! (`planet_domain::ledger::book`), saves the standings and statement lines, extends the chain,
//! and tells whoever should know.

use super::holders::holders;
use crate::error::{AppError, AppResult};
use crate::notify::service::tell_transfer;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use planet_domain::ledger::book::{self, Position, Refusal, Step};
use planet_domain::ledger::{
    TransferEvent, TransferKind, TransferRefusal, TransferRoles, TransferState, format_minor, next_state,
};
use planet_domain::notification::NotificationKind;
use planet_domain::{AccountId, MemberId, TransferId};
use planet_store::ConnectionTrait;
use planet_store::queries::accounts as members;
use planet_store::queries::ledger::chain::{self, Head};
use planet_store::queries::ledger::transfers::{self, NewPosting, Transfer};
use planet_store::queries::ledger::{self, Account};
use std::collections::HashMap;

/// A change of the ledger, as the writer receives it (already authorized and checked).
#[derive(Debug, Clone)]
pub(crate) enum Op {
    /// Record a new transfer (its id chosen by the client) and take its first step.
    Start { transfer: Box<Transfer> },
    /// Move a waiting transfer on.
    Decide { id: TransferId, event: TransferEvent, roles: TransferRoles, by: Option<MemberId> },
}

/// What a request came to.
#[derive(Debug, Clone)]
pub struct Applied {
    pub transfer: Transfer,
    /// The same request had been made before: this is its result, nothing new was done.
    pub repeated: bool,
    /// Whom to ring once committed.
    pub told: Vec<MemberId>,
}

pub(crate) async fn apply(
    state: &AppState,
    db: &impl ConnectionTrait,
    head: &mut Head,
    op: Op,
    now: DateTime<Utc>,
) -> AppResult<Applied> {
    match op {
        Op::Start { transfer } => start(state, db, head, *transfer, now).await,
        Op::Decide { id, event, roles, by } => decide(state, db, head, id, event, roles, by, now).await,
    }
}

async fn start(
    state: &AppState,
    db: &impl ConnectionTrait,
    head: &mut Head,
    mut t: Transfer,
    now: DateTime<Utc>,
) -> AppResult<Applied> {
    // Sent twice at once: the second finds the first here (the service looked before).
    if let Some(existing) = transfers::transfer(db, t.id).await? {
        return super::service::same_request(existing, t.started_by, &t.request_hash);
    }
    if let Some(original) = t.reversal_of {
        let original = transfers::transfer(db, original).await?.ok_or_else(AppError::not_found)?;
        // Corrections are stewards' to put right (with another correction), not their sides'.
        let reversible = matches!(original.kind, TransferKind::Payment | TransferKind::Request);
        if original.state != TransferState::Completed || !reversible {
            return Err(AppError::refused("not_reversible", "Only a completed payment can be put right."));
        }
        if !transfers::reversals_of(db, original.id).await?.is_empty() {
            return Err(AppError::refused(
                "already_reversed",
                "This payment has already been put right, or someone has asked to.",
            ));
        }
    }
    let accounts = accounts_of(db, &t).await?;
    let payee = accounts.get(&t.payee).ok_or_else(AppError::not_found)?;
    let (first_state, step) = match t.kind {
        TransferKind::Payment if payee.confirm_incoming => (TransferState::Pending, Some(Step::Hold)),
        TransferKind::Payment => (TransferState::Completed, Some(Step::Complete)),
        TransferKind::Request => (TransferState::Pending, None),
        TransferKind::Adjustment | TransferKind::Reversal => (TransferState::Pending, Some(Step::Hold)),
    };
    let mut positions = positions(&accounts);
    if let Some(step) = step {
        book::take(&mut positions, &t.entries, step).map_err(|r| refusal(r, &t))?;
    }
    t.state = first_state;
    if first_state == TransferState::Completed {
        t.finished_at = Some(now);
        t.finished_by = Some(t.started_by);
        t.expires_at = None;
    }
    transfers::insert(db, &t).await?;
    save(db, &t, &accounts, &positions, now).await?;
    chain::append(db, head, &t, Some(t.started_by), now).await?;
    if t.kind == TransferKind::Adjustment {
        audit(db, &t, "ledger.correction_proposed", t.started_by, now).await?;
    }
    let (told_account, kind) = match (t.kind, first_state) {
        (TransferKind::Payment, TransferState::Completed) => (Some(t.payee), NotificationKind::Paid),
        (TransferKind::Payment, _) => (Some(t.payee), NotificationKind::PaymentWaiting),
        (TransferKind::Request, _) => (Some(t.payer), NotificationKind::PaymentAsked),
        (TransferKind::Reversal, _) => (None, NotificationKind::ReversalAsked),
        (TransferKind::Adjustment, _) => (None, NotificationKind::CorrectionWaiting),
    };
    let told = match told_account {
        Some(account) => tell(state, db, &accounts, &[account], &t, kind, Some(t.started_by)).await?,
        // A reversal waits for the other side: both sides but whoever asked.
        None if t.kind == TransferKind::Reversal => {
            tell(state, db, &accounts, &[t.payer, t.payee], &t, kind, Some(t.started_by)).await?
        }
        None => Vec::new(),
    };
    Ok(Applied { transfer: t, repeated: false, told })
}

#[allow(clippy::too_many_arguments)]
async fn decide(
    state: &AppState,
    db: &impl ConnectionTrait,
    head: &mut Head,
    id: TransferId,
    event: TransferEvent,
    roles: TransferRoles,
    by: Option<MemberId>,
    now: DateTime<Utc>,
) -> AppResult<Applied> {
    let mut t = transfers::transfer(db, id).await?.ok_or_else(AppError::not_found)?;
    // A transfer whose time ran out never completes: whatever is asked of it, it expires.
    let ran_out = t.state == TransferState::Pending && t.expires_at.is_some_and(|at| at <= now);
    let (event, roles, by) = if ran_out && event != TransferEvent::Expire {
        (TransferEvent::Expire, TransferRoles { system: true, ..TransferRoles::default() }, None)
    } else {
        (event, roles, by)
    };
    let next = match next_state(t.kind, t.state, event, roles) {
        Ok(next) => next,
        // Asked again by whoever could ask it: the same answer.
        Err(TransferRefusal::Finished(finished))
            if finished == outcome(event) && next_state(t.kind, TransferState::Pending, event, roles).is_ok() =>
        {
            return Ok(Applied { transfer: t, repeated: true, told: Vec::new() });
        }
        Err(TransferRefusal::Finished(_)) if next_state(t.kind, TransferState::Pending, event, roles).is_err() => {
            return Err(AppError::Denied(planet_domain::policy::Denial::Forbidden));
        }
        Err(TransferRefusal::Finished(finished)) => {
            return Err(AppError::refused(
                "transfer_finished",
                format!("This is finished already: {}.", finished.label().to_lowercase()),
            ));
        }
        Err(TransferRefusal::NotYours) => return Err(AppError::Denied(planet_domain::policy::Denial::Forbidden)),
    };
    let accounts = accounts_of(db, &t).await?;
    let mut positions = positions(&accounts);
    let holds = book::holds_while_pending(t.kind);
    let step = match (next, holds) {
        (TransferState::Completed, true) => Some(Step::CompleteHeld),
        (TransferState::Completed, false) => Some(Step::Complete),
        (_, true) => Some(Step::Release),
        (_, false) => None,
    };
    if let Some(step) = step {
        book::take(&mut positions, &t.entries, step).map_err(|r| refusal(r, &t))?;
    }
    if !transfers::finish(db, t.id, next, by, now).await? {
        return Err(AppError::refused("transfer_changed", "This changed meanwhile. Please look again."));
    }
    t.state = next;
    t.finished_at = Some(now);
    t.finished_by = by;
    save(db, &t, &accounts, &positions, now).await?;
    chain::append(db, head, &t, by, now).await?;
    if let (TransferKind::Adjustment, Some(by)) = (t.kind, by) {
        let what = match next {
            TransferState::Completed => "ledger.correction_agreed",
            TransferState::Cancelled => "ledger.correction_cancelled",
            _ => "ledger.correction_declined",
        };
        audit(db, &t, what, by, now).await?;
    }
    let (whom, kind): (Vec<AccountId>, NotificationKind) = match (t.kind, next) {
        (TransferKind::Payment, TransferState::Completed) => (vec![t.payer], NotificationKind::TransferAccepted),
        (TransferKind::Request, TransferState::Completed) => (vec![t.payee], NotificationKind::Paid),
        (TransferKind::Adjustment | TransferKind::Reversal, TransferState::Completed) => {
            (vec![t.payer, t.payee], NotificationKind::TransferAccepted)
        }
        (_, TransferState::Declined) => (vec![t.payer, t.payee], NotificationKind::TransferDeclined),
        (_, TransferState::Expired) => (vec![t.payer, t.payee], NotificationKind::TransferExpired),
        _ => (Vec::new(), NotificationKind::TransferDeclined),
    };
    let told = tell(state, db, &accounts, &whom, &t, kind, by).await?;
    Ok(Applied { transfer: t, repeated: false, told })
}

/// Stewards' corrections are in the audit log, written with the change itself.
async fn audit(db: &impl ConnectionTrait, t: &Transfer, what: &str, by: MemberId, now: DateTime<Utc>) -> AppResult<()> {
    planet_store::queries::audit::record(db, Some(by), what, &t.id.to_string(), &t.description, now).await?;
    Ok(())
}

/// The state an event leads to (to recognise a repeated request).
fn outcome(event: TransferEvent) -> TransferState {
    match event {
        TransferEvent::Accept => TransferState::Completed,
        TransferEvent::Decline => TransferState::Declined,
        TransferEvent::Cancel => TransferState::Cancelled,
        TransferEvent::Expire => TransferState::Expired,
    }
}

async fn accounts_of(db: &impl ConnectionTrait, t: &Transfer) -> AppResult<HashMap<AccountId, Account>> {
    let mut ids: Vec<AccountId> = t.entries.iter().flat_map(|e| [e.from, e.to]).collect();
    ids.sort();
    ids.dedup();
    let accounts = ledger::accounts(db, &ids).await?;
    if accounts.len() != ids.len() {
        return Err(AppError::not_found());
    }
    Ok(accounts)
}

fn positions(accounts: &HashMap<AccountId, Account>) -> HashMap<AccountId, Position> {
    accounts.iter().map(|(id, a)| (*id, Position { standing: a.standing, limits: a.limits })).collect()
}

fn refusal(refusal: Refusal<AccountId>, t: &Transfer) -> AppError {
    match refusal {
        Refusal::Floor(account) if account == t.payer => AppError::refused(
            "over_limit",
            "This is more than the paying account can spend just now (it would go below its limit). \
             Nothing was changed.",
        ),
        Refusal::Floor(_) => AppError::refused(
            "over_limit",
            "This would take an account below its limit (the levy to the community fund counts too). \
             Nothing was changed.",
        ),
        Refusal::Ceiling(_) => AppError::refused(
            "over_ceiling",
            "The account being paid cannot take that much more just now (it has an upper limit). \
             Nothing was changed.",
        ),
        Refusal::Unknown(_) => AppError::not_found(),
    }
}

/// Save the standings the step changed, and (when it completed) each entry's statement lines
/// with the balance after it.
async fn save(
    db: &impl ConnectionTrait,
    t: &Transfer,
    accounts: &HashMap<AccountId, Account>,
    positions: &HashMap<AccountId, Position>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut postings: Vec<NewPosting> = Vec::new();
    if t.state == TransferState::Completed {
        let mut running: HashMap<AccountId, (i64, i64)> =
            accounts.iter().map(|(id, a)| (*id, (a.standing.balance, a.postings))).collect();
        for (account, amount, position) in book::postings(&t.entries) {
            let Some((balance, seq)) = running.get_mut(&account) else { continue };
            *balance += amount;
            *seq += 1;
            postings.push(NewPosting {
                account,
                seq: *seq,
                transfer: t.id,
                position,
                amount,
                balance: *balance,
                at: now,
            });
        }
    }
    for (id, account) in accounts {
        let Some(position) = positions.get(id) else { continue };
        let lines = i64::try_from(postings.iter().filter(|p| p.account == *id).count()).unwrap_or(0);
        if position.standing == account.standing && lines == 0 {
            continue;
        }
        if !ledger::save_standing(db, *id, account.standing, position.standing, lines).await? {
            return Err(AppError::refused("account_changed", "An account changed meanwhile. Please try again."));
        }
    }
    transfers::insert_postings(db, &postings).await?;
    Ok(())
}

async fn tell(
    state: &AppState,
    db: &impl ConnectionTrait,
    accounts: &HashMap<AccountId, Account>,
    whom: &[AccountId],
    t: &Transfer,
    kind: NotificationKind,
    by: Option<MemberId>,
) -> AppResult<Vec<MemberId>> {
    let mut members_told: Vec<MemberId> = Vec::new();
    for id in whom {
        if let Some(account) = accounts.get(id) {
            members_told.extend(holders(db, account).await?);
        }
    }
    if members_told.is_empty() {
        return Ok(Vec::new());
    }
    let actor = match by {
        Some(by) => members::members_by_ids(db, &[by]).await?.pop(),
        None => None,
    };
    // Read in the batch's own transaction: no second connection is taken while the writer
    // holds the lock.
    let currency = ledger::currency(db, t.currency).await?;
    let what = match currency {
        Some(c) => format!("{} {}: {}", format_minor(t.amount, c.decimals), c.name, t.description),
        None => t.description.clone(),
    };
    let what: String = what.chars().take(240).collect();
    tell_transfer(state, db, &members_told, t.id, &what, kind, actor.as_ref()).await
}

//! What a transfer does to the accounts it touches, at each step of its life: held while it
//! waits, completed, or released. Pure arithmetic on standings; the store saves the result.

use super::{Entry, Limits, Standing, TransferKind};
use std::collections::HashMap;
use std::hash::Hash;

/// A step in a transfer's life that moves amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// It starts waiting: its amounts are held against the limits.
    Hold,
    /// It completes at once (nothing was held).
    Complete,
    /// It completes after waiting (what was held becomes the balance).
    CompleteHeld,
    /// It ends without completing (what was held is let go).
    Release,
}

/// Whether a waiting transfer of this kind holds its amounts. A request does not: anyone could
/// otherwise freeze a member's credit by asking them for it; it is checked when they accept.
pub fn holds_while_pending(kind: TransferKind) -> bool {
    kind != TransferKind::Request
}

/// An account as the book sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    pub standing: Standing,
    pub limits: Limits,
}

/// Why a step cannot be taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal<A> {
    /// The account would go below its floor.
    Floor(A),
    /// The account would go above its ceiling.
    Ceiling(A),
    /// The account was not given.
    Unknown(A),
}

/// Take a step: change the positions of every account the entries touch, or change nothing and
/// say why not. Holding and completing at once are checked against the limits (counting what
/// is pending); completing what was held and letting it go never are (they cannot take an
/// account further than the hold did).
pub fn take<A: Copy + Eq + Hash>(
    positions: &mut HashMap<A, Position>,
    entries: &[Entry<A>],
    step: Step,
) -> Result<(), Refusal<A>> {
    let mut out: Vec<(A, i64)> = Vec::new();
    let mut inn: Vec<(A, i64)> = Vec::new();
    for entry in entries {
        add(&mut out, entry.from, entry.amount);
        add(&mut inn, entry.to, entry.amount);
    }
    let mut next: HashMap<A, Standing> = HashMap::new();
    for (account, amount) in &out {
        let position = positions.get(account).ok_or(Refusal::Unknown(*account))?;
        let standing = next.get(account).copied().unwrap_or(position.standing);
        let checked = matches!(step, Step::Hold | Step::Complete);
        if checked && !standing.may_send(*amount, position.limits) {
            return Err(Refusal::Floor(*account));
        }
        next.insert(*account, sent(standing, *amount, step));
    }
    for (account, amount) in &inn {
        let position = positions.get(account).ok_or(Refusal::Unknown(*account))?;
        let standing = next.get(account).copied().unwrap_or(position.standing);
        let checked = matches!(step, Step::Hold | Step::Complete);
        if checked && !standing.may_receive(*amount, position.limits) {
            return Err(Refusal::Ceiling(*account));
        }
        next.insert(*account, received(standing, *amount, step));
    }
    for (account, standing) in next {
        if let Some(position) = positions.get_mut(&account) {
            position.standing = standing;
        }
    }
    Ok(())
}

fn add<A: Copy + Eq>(totals: &mut Vec<(A, i64)>, account: A, amount: i64) {
    match totals.iter_mut().find(|(a, _)| *a == account) {
        Some((_, total)) => *total += amount,
        None => totals.push((account, amount)),
    }
}

fn sent(s: Standing, amount: i64, step: Step) -> Standing {
    match step {
        Step::Hold => Standing { pending_out: s.pending_out + amount, ..s },
        Step::Complete => Standing { balance: s.balance - amount, ..s },
        Step::CompleteHeld => Standing { balance: s.balance - amount, pending_out: s.pending_out - amount, ..s },
        Step::Release => Standing { pending_out: s.pending_out - amount, ..s },
    }
}

fn received(s: Standing, amount: i64, step: Step) -> Standing {
    match step {
        Step::Hold => Standing { pending_in: s.pending_in + amount, ..s },
        Step::Complete => Standing { balance: s.balance + amount, ..s },
        Step::CompleteHeld => Standing { balance: s.balance + amount, pending_in: s.pending_in - amount, ..s },
        Step::Release => Standing { pending_in: s.pending_in - amount, ..s },
    }
}

/// What each entry did to each account's balance, in order: `(account, signed amount)`, for
/// the statement lines of a completed transfer.
pub fn postings<A: Copy>(entries: &[Entry<A>]) -> Vec<(A, i64, usize)> {
    let mut lines = Vec::with_capacity(entries.len() * 2);
    for (position, entry) in entries.iter().enumerate() {
        lines.push((entry.from, -entry.amount, position));
        lines.push((entry.to, entry.amount, position));
    }
    lines
}

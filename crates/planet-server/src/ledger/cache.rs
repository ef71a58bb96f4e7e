//! What the accounts keep in memory: the currencies (they change rarely; a change here forgets
//! them, another process's shows within `TTL`), and each account's first statement page, checked
//! against the account's number of lines (read with the account on every view, so a payment made
//! through any process shows at once) and the day (the chart's window moves).

use super::statements::BalancePoint;
use crate::cache::TTL;
use chrono::NaiveDate;
use planet_domain::AccountId;
use planet_store::queries::ledger::Currency;
use planet_store::queries::ledger::statement::Line;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Instant;

/// At most this many first pages are kept (then they are all let go, and fill again).
const MAX_PAGES: usize = 2_000;

/// An account's first statement page, as read when it had `postings` lines on `day`.
pub struct FirstPage {
    pub postings: i64,
    pub day: NaiveDate,
    pub name: String,
    pub lines: Vec<Line>,
    pub next: Option<i64>,
    pub chart: (i64, Vec<BalancePoint>),
}

/// The outcome of checking the whole chain, for the head it was checked up to.
pub type ChainCheck = ((i64, String), Result<(i64, String), i64>);

/// The whole chain is read at most once a minute while its head stands still (a rewrite behind
/// the server's back that leaves the head alone shows within the minute).
const CHAIN_CHECK_TTL: std::time::Duration = std::time::Duration::from_secs(60);

#[derive(Default)]
pub struct LedgerCache {
    currencies: RwLock<Option<(Instant, Arc<Vec<Currency>>)>>,
    pages: RwLock<HashMap<AccountId, Arc<FirstPage>>>,
    /// The last check of the chain, and when it was made.
    chain: RwLock<Option<(Instant, ChainCheck)>>,
}

impl LedgerCache {
    pub fn currencies(&self) -> Option<Arc<Vec<Currency>>> {
        let slot = self.currencies.read().ok()?;
        let (loaded, currencies) = slot.as_ref()?;
        (loaded.elapsed() < TTL).then(|| currencies.clone())
    }

    pub fn remember_currencies(&self, currencies: Arc<Vec<Currency>>) {
        if let Ok(mut slot) = self.currencies.write() {
            *slot = Some((Instant::now(), currencies));
        }
    }

    /// A steward changed a currency here.
    pub fn forget_currencies(&self) {
        if let Ok(mut slot) = self.currencies.write() {
            *slot = None;
        }
    }

    pub fn chain_check(&self, head: &(i64, String)) -> Option<Result<(i64, String), i64>> {
        let slot = self.chain.read().ok()?;
        let (checked, (at, outcome)) = slot.as_ref()?;
        (at == head && checked.elapsed() < CHAIN_CHECK_TTL).then(|| outcome.clone())
    }

    pub fn remember_chain_check(&self, check: ChainCheck) {
        if let Ok(mut slot) = self.chain.write() {
            *slot = Some((Instant::now(), check));
        }
    }

    pub fn first_page(&self, account: AccountId, postings: i64, day: NaiveDate) -> Option<Arc<FirstPage>> {
        let pages = self.pages.read().ok()?;
        pages.get(&account).filter(|p| p.postings == postings && p.day == day).cloned()
    }

    pub fn remember_first_page(&self, account: AccountId, page: Arc<FirstPage>) {
        if let Ok(mut pages) = self.pages.write() {
            if pages.len() >= MAX_PAGES {
                pages.clear();
            }
            pages.insert(account, page);
        }
    }
}

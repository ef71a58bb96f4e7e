//! Queries, one module an area. Every function takes any connection (the pool or a
//! transaction), so a use case composes them inside one transaction.

pub mod accounts;
pub mod admission;
pub mod audit;
pub mod badges;
pub mod blocks;
pub mod community;
pub mod conversations;
pub mod ledger;
pub mod notifications;
pub mod outbox;
pub mod people;
pub mod polls;
pub mod spaces;
pub mod synergy;
pub mod talk;
pub mod talk_search;
pub mod trust;

use crate::StoreError;

pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what}: {value:?}"))
}

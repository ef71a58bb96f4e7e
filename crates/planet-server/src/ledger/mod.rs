//! The accounts: a mutual-credit ledger in the community's own currencies (see
//! `planet_domain::ledger`). Every change that moves amounts is written by the group-commit
//! `writer`, which applies each request (`apply`) in its own savepoint of a shared transaction.

pub mod api;
pub mod apply;
pub mod cache;
pub mod chart;
pub(crate) mod holders;
pub mod monthly;
pub mod pages;

pub mod service;
pub mod statement_pages;
pub mod statements;
pub mod steward_pages;
pub mod stewards;
pub(crate) mod writer;

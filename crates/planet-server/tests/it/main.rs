#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The server's integration tests: one binary, each test with its own database and port.
//! Runs on SQLite by default, on PostgreSQL when PLANET_TEST_DATABASE_URL names a server.

mod accounts;
mod bad_input;
mod conduct;
mod conversations;
mod helpers;
mod journey;
mod ledger;
mod ledger_sim;
mod mail;
mod matrix;
mod notifications;
mod pictures;
mod polls;
mod search;
mod synergy;
mod talk;
mod trust;
mod web;

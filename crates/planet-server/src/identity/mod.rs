//! Identity: setup, accounts, sessions, passwords, API tokens.

pub mod api;
pub mod crypto;
pub mod pages;
pub mod service;
pub mod session;

//! The stewards' pages (members, outbox, audit log) and health.

pub mod pages;
pub mod service;

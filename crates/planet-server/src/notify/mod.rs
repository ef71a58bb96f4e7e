//! Notifications. For now: email, always written to the outbox first.

pub mod mail;

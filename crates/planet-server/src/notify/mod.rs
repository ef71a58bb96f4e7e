//! Notifications: the member's list and bell (`service`, `pages`, `api`, `bell`), and email,
//! always written to the outbox first (`mail`).

pub mod api;
pub mod bell;
pub mod mail;
pub mod pages;
pub mod service;

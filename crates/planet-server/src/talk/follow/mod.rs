//! Following and muting topics and groups, and "what's new" across a member's groups.

pub mod pages;
pub mod service;

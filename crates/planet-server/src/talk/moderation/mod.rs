//! Moderation of talk: what coordinators and stewards do to keep it kind.

pub mod pages;
pub mod service;

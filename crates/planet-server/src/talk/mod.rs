//! Talk: discussions and live chat in every space, and the moderation that keeps it kind.

pub mod api;
pub mod conversation;
pub mod follow;
pub mod live;
pub mod moderation;
pub mod pages;
pub mod pictures;
pub mod place;
pub mod search;
pub mod service;
pub mod sight;

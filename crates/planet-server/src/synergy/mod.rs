//! Synergy: offers and wants. `service` posts, changes and shows listings (and reports them);
//! `browse` finds them; `deals` takes them from "I'm interested" to a promise, a done deal and
//! feedback; `record` is what a member has given and received; `matching` tells members of a
//! new listing that answers theirs; `alerts` are saved searches and the feed; `expiry` is the
//! listings' clock; `categories` are kept by stewards; `input` reads the listing form (with its
//! photos); `pages` and `api` are the HTML and JSON handlers.

pub mod alerts;
pub mod api;
pub mod browse;
pub mod categories;
pub mod deals;
pub mod expiry;
pub mod input;
pub mod matching;
pub mod pages;
pub mod record;
pub mod service;

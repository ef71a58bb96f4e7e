//! Synergy: offers and wants. `service` posts, changes and shows listings; `deals` takes them
//! from "I'm interested" to a promise, a done deal and feedback; `matching` tells members of a
//! new listing that answers theirs; `input` reads the listing form (with its photos);
//! `pages` and `api` are the HTML and JSON handlers.

pub mod alerts;
pub mod api;
pub mod deals;
pub mod input;
pub mod matching;
pub mod pages;
pub mod service;

//! Commons: polls and proposals (`service.rs`: seeing a poll, voting, the count; `manage.rs`:
//! opening, closing, extending, reopening, the outcome, and the polls' clock; `export.rs`: CSV
//! and calendar files; `chart.rs`: results as SVG bars; `new_pages.rs`: opening a poll; `results.rs`: results as the page shows them;
//! `pages.rs`, `api.rs`).

pub mod api;
pub mod chart;
pub mod export;
pub mod manage;
pub mod new_pages;
pub mod pages;
mod results;
pub mod service;

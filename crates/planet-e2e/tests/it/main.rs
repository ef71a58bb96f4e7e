//! Browser tests: a real chromium, driven through chromedriver, against a real server.
//! axe-core runs on every page visited; a serious or critical violation fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod browser;
mod journey;
mod ledger;
mod polls;
mod synergy;
mod talk;
mod trust;

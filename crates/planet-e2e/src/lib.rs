//! Browser tests for PlaNet live in `tests/it`. This crate is not a default member: `.ci/run`
//! runs it with Debian's chromium and chromium-driver (`cargo test -p planet-e2e`).

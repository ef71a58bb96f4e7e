//! Architecture invariants that can be checked: which crate may depend on what.

use std::path::Path;

fn dependencies(krate: &str) -> Vec<String> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(krate).join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
    let mut in_deps = false;
    let mut deps = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if in_deps && let Some((name, _)) = line.split_once('=') {
            deps.push(name.trim().to_owned());
        }
    }
    deps
}

#[test]
fn the_domain_does_no_io() {
    let forbidden =
        ["tokio", "axum", "sea-orm", "sea-orm-migration", "sqlx", "reqwest", "lettre", "askama", "planet-store"];
    for dep in dependencies("planet-domain") {
        assert!(!forbidden.contains(&dep.as_str()), "planet-domain must stay pure, but depends on {dep}");
    }
}

#[test]
fn the_store_knows_nothing_of_the_web() {
    let forbidden = ["axum", "askama", "askama_web", "tower", "tower-http", "planet-server"];
    for dep in dependencies("planet-store") {
        assert!(!forbidden.contains(&dep.as_str()), "planet-store must not depend on {dep}");
    }
}

#[test]
fn only_the_store_speaks_sql() {
    // SeaORM appears in the server only for test fixtures, never as a normal dependency.
    for krate in ["planet-server", "planet"] {
        let deps = dependencies(krate);
        assert!(
            !deps.iter().any(|d| d == "sea-orm" || d == "sqlx"),
            "{krate} must reach the database through planet-store"
        );
    }
}

//! The `planet` command line, run as a program.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn data_dir() -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("planet-cli-{}", std::process::id()))
        .join(format!("{:?}", std::thread::current().id()).replace(['(', ')'], ""));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn planet(dir: &PathBuf, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_planet"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("PLANET_DATABASE_URL")
        .env("PLANET_ADMIN_PASSWORD", "a long enough password")
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[test]
fn demo_admin_and_backup() {
    let dir = data_dir();
    let demo = planet(&dir, &["demo"]);
    assert!(demo.status.success(), "{}", text(&demo));
    assert!(text(&demo).contains("tom.baker@diss.example"));
    // Only an empty database is seeded.
    let again = planet(&dir, &["demo"]);
    assert!(!again.status.success());
    assert!(text(&again).contains("not empty"));

    let list = planet(&dir, &["admin", "list-members"]);
    assert!(list.status.success(), "{}", text(&list));
    let listing = text(&list);
    assert!(
        listing.contains("Tom Baker")
            && listing.contains("Margaret Thompson")
            && !listing.contains("Diss Community Bakery")
    );
    // 150 people and 2 applicants; businesses are directory entries, not accounts.
    assert!(listing.contains("152 accounts"), "{listing}");

    let steward = planet(&dir, &["admin", "create-steward", "--name", "Ann Baker", "--email", "ann@diss.example"]);
    assert!(steward.status.success(), "{}", text(&steward));
    let promoted =
        planet(&dir, &["admin", "create-steward", "--name", "Jenny Wren", "--email", "jenny.wren@diss.example"]);
    assert!(text(&promoted).contains("Jenny Wren is now a steward"), "{}", text(&promoted));
    let reset = planet(&dir, &["admin", "reset-password", "--email", "tom.baker@diss.example"]);
    assert!(reset.status.success(), "{}", text(&reset));
    let bad = planet(&dir, &["admin", "create-steward", "--name", "X", "--email", "not-an-email"]);
    assert!(!bad.status.success());

    let backup = dir.join("copy.db");
    let made = planet(&dir, &["backup", backup.to_str().unwrap()]);
    assert!(made.status.success(), "{}", text(&made));
    assert!(std::fs::metadata(&backup).unwrap().len() > 10_000);
    let copy_dir = dir.join("restored");
    std::fs::create_dir_all(&copy_dir).unwrap();
    std::fs::copy(&backup, copy_dir.join("planet.db")).unwrap();
    let restored = planet(&copy_dir, &["admin", "list-members"]);
    assert!(text(&restored).contains("153 accounts"), "{}", text(&restored));
    // A backup never overwrites.
    assert!(!planet(&dir, &["backup", backup.to_str().unwrap()]).status.success());

    let migrated = planet(&dir, &["migrate"]);
    assert!(text(&migrated).contains("m20261128_000001_foundation"));
}

//! `trust`: the Who We Are figures for BENCHMARKS.md.
//!
//! - a generated trust network of 100,000 members and 2,000,000 statements with a power-law
//!   spread of degrees: "How am I connected?" (3 disjoint shortest paths up to 4 steps)
//!   between random pairs, p50 and p99; the personalised closeness score for one viewer;
//! - directory search over 100,000 profiles on SQLite (the default database), p50 and p99.
//!
//! Usage: cargo build --release -p planet-bench && target/release/trust [--members 100000]
//!        [--statements 2000000] [--profiles 100000]

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use planet_domain::profile::{ContactVisibility, ProfileKind};
use planet_domain::trust::graph::{EdgeFacts, TrustGraph};
use planet_domain::trust::{StatementKind, TrustVisibility};
use planet_domain::{Clock, ProfileId, SystemClock};
use planet_store::dialect::SearchTerms;
use planet_store::queries::people::{self, DirectoryOrder, DirectoryQuery, ProfileFields};
use planet_store::{DatabaseUrl, Store, TransactionTrait};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::Instant;

fn arg(name: &str, default: usize) -> anyhow::Result<usize> {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == name) {
        Some(i) => args.get(i + 1).context("missing value")?.parse().context("not a number"),
        None => Ok(default),
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

fn summary(mut micros: Vec<f64>) -> String {
    micros.sort_by(f64::total_cmp);
    format!(
        "p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms ({} runs)",
        percentile(&micros, 0.5) / 1000.0,
        percentile(&micros, 0.99) / 1000.0,
        micros[micros.len() - 1] / 1000.0,
        micros.len()
    )
}

/// A skewed pick from 0..n: low indices are chosen far more often (hubs).
fn skewed(rng: &mut StdRng, n: usize, power: f64) -> u32 {
    let u: f64 = rng.random();
    ((n as f64 * u.powf(power)) as usize).min(n - 1) as u32
}

fn network(members: usize, statements: usize, now: DateTime<Utc>) -> TrustGraph<u32> {
    let mut rng = StdRng::seed_from_u64(7);
    let made = now - Duration::days(200);
    let expires = now + Duration::days(500);
    let edges: Vec<_> = (0..statements)
        .filter_map(|_| {
            let from = skewed(&mut rng, members, 1.8);
            let to = skewed(&mut rng, members, 2.5);
            let kind = [StatementKind::Trust, StatementKind::Vouch, StatementKind::Customer][rng.random_range(0..3)];
            let visibility = match rng.random_range(0..20) {
                0 => TrustVisibility::Private,
                1..=3 => TrustVisibility::Paths,
                _ => TrustVisibility::Members,
            };
            (from != to).then_some((from, to, EdgeFacts::new(kind, visibility, made, expires)))
        })
        .collect();
    TrustGraph::from_edges(edges)
}

fn degrees(graph: &TrustGraph<u32>, members: usize, now: DateTime<Utc>) -> String {
    let mut out: Vec<usize> = (0..members as u32).map(|n| graph.made_by(n, now).len()).collect();
    out.sort_unstable();
    format!(
        "statements made per member: median {}, p99 {}, max {}",
        out[out.len() / 2],
        out[out.len() * 99 / 100],
        out[out.len() - 1]
    )
}

const WORDS: &[&str] = &[
    "bread",
    "sourdough",
    "cakes",
    "bike",
    "repair",
    "garden",
    "allotment",
    "choir",
    "solar",
    "energy",
    "compost",
    "sewing",
    "knitting",
    "carpentry",
    "plumbing",
    "tutoring",
    "maths",
    "french",
    "guitar",
    "piano",
    "eggs",
    "honey",
    "apples",
    "cider",
    "walking",
    "dog",
    "care",
    "cooking",
    "preserves",
    "baking",
    "painting",
    "pottery",
    "electrics",
    "heating",
    "insulation",
    "cycling",
    "swimming",
    "history",
    "books",
    "library",
];
const NAMES: &[&str] = &[
    "Ann", "Bob", "Cath", "David", "Edna", "Frank", "Grace", "Harry", "Iris", "Jack", "Kate", "Len", "Mary", "Ned",
    "Olive", "Peter", "Rose", "Sid", "Tom", "Vera",
];
const SURNAMES: &[&str] =
    &["Baker", "Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Thomas", "Roberts", "Walker", "Wright"];

async fn search_store(profiles: usize, now: DateTime<Utc>) -> anyhow::Result<(Store, std::path::PathBuf)> {
    // `--keep FILE` keeps the generated database (and reuses it when it is there).
    let args: Vec<String> = std::env::args().collect();
    let kept = args.iter().position(|a| a == "--keep").and_then(|i| args.get(i + 1)).map(std::path::PathBuf::from);
    let path = kept
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("planet-bench-search-{}.db", std::process::id())));
    let reuse = kept.is_some() && path.exists();
    // `--postgres URL` measures a fresh database on that PostgreSQL server instead.
    let postgres = args.iter().position(|a| a == "--postgres").and_then(|i| args.get(i + 1));
    // With `--postgres`, `--keep NAME` names the database to keep (and reuse when it is there).
    let mut reuse = reuse && postgres.is_none();
    let url = match postgres {
        Some(server) => {
            let server = DatabaseUrl::parse(server).map_err(anyhow::Error::msg)?;
            let name = match &kept {
                Some(name) => name.display().to_string(),
                None => format!("planet_bench_{}", std::process::id()),
            };
            match planet_store::dialect::create_postgres_database(&server, &name).await {
                Ok(url) => url,
                Err(_) if kept.is_some() => {
                    reuse = true;
                    server.with_database(&name)
                }
                Err(e) => return Err(e.into()),
            }
        }
        None => DatabaseUrl::sqlite_file(&path),
    };
    let store = Store::open(&url).await?;
    if reuse {
        println!("  reusing {}", path.display());
        return Ok((store, path));
    }
    let mut rng = StdRng::seed_from_u64(11);
    let started = Instant::now();
    for chunk in 0..profiles.div_ceil(5000) {
        let txn = store.db().begin().await?;
        for _ in 0..5000.min(profiles - chunk * 5000) {
            let id = ProfileId::new_v7();
            let name = format!(
                "{} {} {}",
                NAMES[rng.random_range(0..NAMES.len())],
                SURNAMES[rng.random_range(0..SURNAMES.len())],
                rng.random_range(0..100_000)
            );
            people::create_profile(&txn, id, ProfileKind::Business, None, &name, now).await?;
            let pick = |rng: &mut StdRng| WORDS[skewed(rng, WORDS.len(), 1.5) as usize];
            let description: Vec<&str> = (0..12).map(|_| pick(&mut rng)).collect();
            let mut tags: Vec<String> = (0..3).map(|_| pick(&mut rng).to_owned()).collect();
            tags.sort();
            tags.dedup();
            let fields = ProfileFields {
                name: &name,
                tagline: "",
                description: &description.join(" "),
                offers: "",
                needs: "",
                area: "Town centre",
                website: None,
                phone: None,
                contact_email: None,
                contact_visibility: ContactVisibility::Members,
                tags: &tags,
            };
            people::update_profile(&txn, id, fields, now).await?;
        }
        txn.commit().await?;
    }
    println!("  {profiles} profiles written in {:.1} s", started.elapsed().as_secs_f64());
    Ok((store, path))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let members = arg("--members", 100_000)?;
    let statements = arg("--statements", 2_000_000)?;
    let profiles = arg("--profiles", 100_000)?;
    let now = SystemClock.now();

    println!("Trust network: {members} members, {statements} statements (power-law)");
    let started = Instant::now();
    let graph = network(members, statements, now);
    println!(
        "  built in {:.2} s: {} usable statements; {}",
        started.elapsed().as_secs_f64(),
        graph.edge_count(),
        degrees(&graph, members, now)
    );
    let mut rng = StdRng::seed_from_u64(3);
    let mut times = Vec::new();
    let mut found = 0usize;
    for _ in 0..2000 {
        let (a, b) = (rng.random_range(0..members as u32), rng.random_range(0..members as u32));
        let started = Instant::now();
        let connections = graph.connections(a, b, now);
        times.push(started.elapsed().as_secs_f64() * 1e6);
        found += usize::from(!connections.routes.is_empty());
    }
    println!("  How am I connected? (random pairs, {found} of 2000 connected): {}", summary(times));
    let mut times = Vec::new();
    for viewer in (0..members as u32).step_by((members / 50).max(1)) {
        let started = Instant::now();
        let scores = graph.closeness(viewer, now);
        times.push(started.elapsed().as_secs_f64() * 1e6);
        std::hint::black_box(scores);
    }
    println!("  Personalised closeness for one viewer (50 viewers): {}", summary(times));

    let on = if std::env::args().any(|a| a == "--postgres") { "PostgreSQL" } else { "SQLite" };
    println!("Directory search: {profiles} profiles on {on}");
    let (store, path) = search_store(profiles, now).await?;
    let mut times = Vec::new();
    let mut by_kind: [Vec<f64>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    let mut rng = StdRng::seed_from_u64(5);
    // A third of the searches are for the commonest word (in about 3 of 4 entries), a third
    // for any word of the vocabulary, a third for a first name and the start of a word.
    for i in 0..600 {
        let words = match i % 3 {
            0 => WORDS[0].to_owned(),
            1 => WORDS[rng.random_range(0..WORDS.len())].to_owned(),
            _ => {
                format!("{} {}", NAMES[rng.random_range(0..NAMES.len())], &WORDS[rng.random_range(0..WORDS.len())][..3])
            }
        };
        let query = DirectoryQuery {
            terms: SearchTerms::parse(&words),
            kind: None,
            tag: None,
            area: None,
            value: None,
            order: DirectoryOrder::Name,
            limit: 30,
            offset: 0,
        };
        let started = Instant::now();
        let page = people::directory(store.db(), &query).await?;
        times.push(started.elapsed().as_secs_f64() * 1e6);
        by_kind[i % 3].push(started.elapsed().as_secs_f64() * 1e6);
        std::hint::black_box(page);
    }
    println!("  one page of results (30, with the total): {}", summary(times));
    let [common, any, name] = by_kind;
    println!("    the commonest word: {}", summary(common));
    println!("    any word: {}", summary(any));
    println!("    a first name and the start of a word: {}", summary(name));
    drop(store);
    if std::env::args().any(|a| a == "--keep") {
        return Ok(());
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    Ok(())
}

//! `synergy`: measures offers and wants on a release `planet` binary for BENCHMARKS.md.
//!
//! - The browse page with 10,000 open offers and 10,000 open wants, under N keep-alive
//!   connections, with and without filters, beside a ceiling measured in the same run (the same
//!   bytes from memory).
//! - Matching a new listing against 10,000 open wants: the store's keyword lookup and the rule,
//!   as the server runs them when a listing is posted; and posting through the form, end to end
//!   (checks, the write with its words, matching and notifications, in one durable transaction).
//!
//! Usage: cargo build --release -p planet -p planet-bench &&
//!        target/release/synergy [--connections 64] [--seconds 10] [--listings 10000] [--keep 1]

#[path = "../common.rs"]
mod common;
#[path = "../load.rs"]
mod load;

use anyhow::Context;
use common::{Server, arg, ceiling, demo, percentile, request, session};
use planet_domain::space::AccountStatus;
use planet_domain::synergy::words::{MatchFacts, keywords, matches, words};
use planet_domain::synergy::{ListingKind, Price, Side};
use planet_domain::{Clock, ListingId, MemberId, SystemClock};
use planet_store::queries::synergy::{self as listings, ListingFields, ListingWords, NewListing};
use planet_store::queries::{accounts, community, people};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};

const THINGS: &[&str] = &[
    "apples",
    "pears",
    "plums",
    "eggs",
    "honey",
    "bread",
    "jam",
    "chutney",
    "potatoes",
    "onions",
    "courgettes",
    "marrows",
    "beans",
    "tomatoes",
    "lettuce",
    "kale",
    "leeks",
    "carrots",
    "firewood",
    "logs",
    "compost",
    "manure",
    "seeds",
    "seedlings",
    "bike",
    "trailer",
    "ladder",
    "drill",
    "saw",
    "mower",
    "strimmer",
    "wheelbarrow",
    "spade",
    "rake",
    "hose",
    "tent",
    "chairs",
    "table",
    "sofa",
    "wardrobe",
    "books",
    "toys",
    "pram",
    "cot",
    "coat",
    "boots",
    "jumper",
    "curtains",
    "lamp",
    "kettle",
    "toaster",
    "radio",
    "laptop",
    "printer",
    "phone",
    "lift",
    "gardening",
    "ironing",
    "cleaning",
    "babysitting",
    "tutoring",
    "sewing",
    "knitting",
    "baking",
    "repairs",
    "painting",
    "plumbing",
    "wiring",
    "driving",
    "shopping",
    "walking",
    "company",
    "solar",
    "panels",
    "insulation",
    "battery",
];
const ADJECTIVES: &[&str] = &["fresh", "old", "spare", "homemade", "small", "large", "good", "organic", "local"];
const AREAS: &[&str] = &["Near the Mere", "Roydon", "Palgrave", "Town centre", "Heywood", "Denmark Street area"];

fn title(rng: &mut StdRng) -> (String, Vec<String>) {
    let thing = THINGS[rng.random_range(0..THINGS.len())];
    let other = THINGS[rng.random_range(0..THINGS.len())];
    let adjective = ADJECTIVES[rng.random_range(0..ADJECTIVES.len())];
    (format!("{adjective} {thing}"), vec![other.to_owned()])
}

/// Open listings, spread over the categories, kinds, areas and the demo's members.
async fn seed(
    store: &planet_store::Store,
    root: planet_domain::SpaceId,
    members: &[MemberId],
    count: usize,
) -> anyhow::Result<()> {
    let categories = listings::categories(store.db()).await?;
    let mut rng = StdRng::seed_from_u64(5);
    let now = SystemClock.now();
    let txn = store.begin().await?;
    for i in 0..count * 2 {
        let side = if i % 2 == 0 { Side::Offer } else { Side::Want };
        let (title, tags) = title(&mut rng);
        let body = format!("{title}, ready to collect. Message me and we can sort out a time that suits.");
        let member = members[rng.random_range(0..members.len())];
        let kind = ListingKind::ALL[rng.random_range(0..ListingKind::ALL.len())];
        let price = if kind == ListingKind::Sell {
            Price { pounds: planet_domain::synergy::Minor::new(250), credits: None }
        } else {
            Price::default()
        };
        let keywords = keywords(&title, &tags);
        let mut all = words(&body);
        all.extend(keywords.iter().cloned());
        let fields = ListingFields {
            side,
            kind,
            category: categories[rng.random_range(0..categories.len())].id,
            title: &title,
            body: &body,
            body_html: &body,
            tags: &tags,
            area: AREAS[rng.random_range(0..AREAS.len())],
            available: "",
            quantity: 1,
            price,
        };
        let new = NewListing {
            id: ListingId::new_v7(),
            space: root,
            profile: people::person_profile(member),
            member,
            fields,
            words: &ListingWords { keywords, all },
            expires_at: now + chrono::Duration::days(28),
            // Spread over the last four weeks (as a real market's would be).
            now: now - chrono::Duration::minutes(2 * (count * 2 - i) as i64),
        };
        listings::insert(&txn, new).await?;
    }
    txn.commit().await?;
    Ok(())
}

fn summary(mut micros: Vec<f64>) -> String {
    micros.sort_by(f64::total_cmp);
    format!(
        "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        percentile(&micros, 0.5) / 1000.0,
        percentile(&micros, 0.99) / 1000.0,
        percentile(&micros, 1.0) / 1000.0
    )
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let connections = arg("--connections", 64)?;
    let seconds = arg("--seconds", 10)? as u64;
    let count = arg("--listings", 10_000)?;
    let (data, store) = demo("synergy").await?;
    let root = community::get(store.db()).await?.context("no community")?.root_space_id;
    let members: Vec<MemberId> = accounts::list_members(store.db(), &[AccountStatus::Member], None, 1000, 0)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    let seeding = Instant::now();
    seed(&store, root, &members, count).await?;
    println!("Seeded {count} open offers and {count} open wants in {:.1} s", seeding.elapsed().as_secs_f64());

    // Matching, as the server does it for a new offer: the keyword index, then the rule.
    let categories = listings::categories(store.db()).await?;
    let mut rng = StdRng::seed_from_u64(9);
    let mut timings = Vec::new();
    let mut found_total = 0;
    for _ in 0..500 {
        let (title, tags) = title(&mut rng);
        let keywords = keywords(&title, &tags);
        let category = categories[rng.random_range(0..categories.len())].id;
        let start = Instant::now();
        let found = listings::candidates(store.db(), Side::Want, category, &keywords, members[0]).await?;
        let new =
            MatchFacts { side: Side::Offer, kind: ListingKind::Give, category: category.uuid(), keywords: &keywords };
        let matched = found
            .iter()
            .filter(|c| {
                let theirs =
                    MatchFacts { side: Side::Want, kind: c.kind, category: category.uuid(), keywords: &c.keywords };
                matches(&new, &theirs)
            })
            .count();
        timings.push(start.elapsed().as_micros() as f64);
        found_total += matched;
    }
    println!(
        "Matching a new offer against {count} open wants (500 offers, {:.1} matches each on average): {}",
        found_total as f64 / 500.0,
        summary(timings)
    );

    let reader = members[1];
    let cookie = session(&store, reader).await?;
    let food = categories.iter().find(|c| c.name == "Food").context("no Food")?.id;
    let mut posters = Vec::new();
    for member in members.iter().skip(2).take(20) {
        posters.push(session(&store, *member).await?);
    }
    drop(store);
    let server = Server::start(&data).await?;
    let addr = server.addr.clone();
    let duration = Duration::from_secs(seconds);
    let pages = [
        ("everything (newest 24 of 20,000)", "/synergy".to_owned()),
        ("offers in Food", format!("/synergy?side=offer&category={food}")),
        ("search \"apples\"", "/synergy?q=apples".to_owned()),
        ("wants near the Mere, as photos", "/synergy?side=want&area=Near+the+Mere&view=grid".to_owned()),
    ];
    println!("| {connections} connections, {seconds} s | requests/s | p50 | p99 | max | errors |");
    println!("|---|---|---|---|---|---|");
    let mut ceiling_body = String::new();
    for (name, path) in &pages {
        let raw = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\r\n");
        let (status, page) = request(&addr, &raw.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n")).await?;
        anyhow::ensure!(status == 200, "{path} answered {status}");
        let body = page.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
        if ceiling_body.is_empty() {
            ceiling_body = body;
        }
        let r = load::run(&addr, &raw, connections, duration).await?;
        println!(
            "| browse: {name} | {:.0} | {:.2} ms | {:.2} ms | {:.2} ms | {} |",
            r.per_second, r.p50_ms, r.p99_ms, r.max_ms, r.errors
        );
    }
    let ceiling_addr = ceiling(ceiling_body).await?;
    let r = load::run(&ceiling_addr, &format!("GET / HTTP/1.1\r\nHost: {ceiling_addr}\r\n\r\n"), connections, duration)
        .await?;
    println!(
        "| ceiling: the first page's bytes from memory | {:.0} | {:.2} ms | {:.2} ms | {:.2} ms | {} |",
        r.per_second, r.p50_ms, r.p99_ms, r.max_ms, r.errors
    );

    // Posting through the form, one at a time: the whole use case, durable on return. Members
    // take turns (each may post 20 a day).
    let mut timings = Vec::new();
    for (i, poster) in posters.iter().cycle().take(100).enumerate() {
        let (title, tags) = title(&mut rng);
        let form = format!(
            "side=offer&kind=give&category={food}&title={}&tags={}&area=Roydon",
            title.replace(' ', "+"),
            tags.join(",")
        );
        let raw = format!(
            "POST /synergy/listings HTTP/1.1\r\nHost: {addr}\r\nCookie: {poster}\r\nSec-Fetch-Site: same-origin\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
            form.len()
        );
        let start = Instant::now();
        let (status, answer) = request(&addr, &raw).await?;
        anyhow::ensure!(status == 303, "posting {i} answered {status}: {answer}");
        timings.push(start.elapsed().as_micros() as f64);
    }
    println!(
        "Posting an offer through the form (100, one at a time, each matched against {count} wants): {}",
        summary(timings)
    );
    drop(server);
    if arg("--keep", 0)? == 0 {
        let _ = std::fs::remove_dir_all(&data);
    } else {
        println!("The data is kept in {}", data.display());
    }
    Ok(())
}

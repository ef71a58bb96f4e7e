//! `ledger`: measures the accounts on a release `planet` binary for BENCHMARKS.md.
//!
//! - The raw rate of single-row committed inserts on the same disk (SQLite, WAL,
//!   `synchronous=FULL`, one transaction and so one flush per row), measured first.
//! - Durable payments per second through the HTTP API with N concurrent clients (each a new
//!   payment with its own id), beside that raw rate: group commit should at least double it.
//! - The statement page of an account with 10,000 transactions, under N keep-alive connections,
//!   beside a ceiling measured in the same run (the same bytes from memory).
//!
//! Usage: cargo build --release -p planet -p planet-bench &&
//!        target/release/ledger [--connections 64] [--seconds 10] [--history 10000]

#[path = "../common.rs"]
mod common;
#[path = "../load.rs"]
mod load;

use anyhow::Context;
use common::{Server, arg, ceiling, demo, percentile, request, session};
use planet_domain::ledger::AccountKind;
use planet_domain::space::AccountStatus;
use planet_domain::{Clock, MemberId, SystemClock, TokenId, TransferId};
use planet_server::identity::crypto::{random_token, token_hash};
use planet_store::queries::{accounts, ledger};
use planet_store::{ConnectionTrait, DatabaseUrl, Store};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Committed single-row inserts, one after another, for `seconds`: rows per second, and the
/// median and 99th percentile of one commit in milliseconds.
async fn raw_inserts(dir: &std::path::Path, seconds: u64) -> anyhow::Result<(f64, f64, f64)> {
    let store = Store::open(&DatabaseUrl::sqlite_file(&dir.join("raw.db"))).await?;
    let db = store.db();
    db.execute_unprepared("CREATE TABLE raw_rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)").await?;
    let until = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let mut commits = Vec::new();
    while Instant::now() < until {
        let one = Instant::now();
        db.execute_unprepared("INSERT INTO raw_rows (body) VALUES ('a payment of 0.01 Diss Hours')").await?;
        commits.push(one.elapsed().as_secs_f64() * 1000.0);
    }
    let rate = commits.len() as f64 / start.elapsed().as_secs_f64();
    commits.sort_by(f64::total_cmp);
    Ok((rate, percentile(&commits, 0.5), percentile(&commits, 0.99)))
}

async fn api_token(store: &Store, member: MemberId) -> anyhow::Result<String> {
    let token = random_token();
    accounts::create_token(store.db(), TokenId::new_v7(), member, "bench", &token_hash(&token), SystemClock.now())
        .await?;
    Ok(token)
}

/// A payment request with a new id each time: from one of `payers` to the next member along.
fn payments(addr: String, tokens: Arc<Vec<String>>, people: Arc<Vec<MemberId>>, currency: String) -> load::Requests {
    let turn = Arc::new(AtomicUsize::new(0));
    Arc::new(move || {
        let n = turn.fetch_add(1, Ordering::Relaxed);
        let payer = n % people.len();
        let payee = (payer + 1 + (n / people.len()) % (people.len() - 1)) % people.len();
        let body = format!(
            "{{\"id\":\"{}\",\"kind\":\"payment\",\"to\":\"{}\",\"currency\":\"{currency}\",\"amount\":\"0.01\",\"for\":\"bench\"}}",
            TransferId::new_v7(),
            people[payee]
        );
        format!(
            "POST /api/v1/transfers HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            tokens[payer],
            body.len()
        )
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let connections = arg("--connections", 64)?;
    let seconds = arg("--seconds", 10)? as u64;
    let history = arg("--history", 10_000)?;
    let (data, store) = demo("ledger").await?;

    let (raw, commit_p50, commit_p99) = raw_inserts(&data, seconds).await?;
    println!(
        "Raw single-row committed inserts on this disk (synchronous=FULL): {raw:.0} rows/s (one commit: p50 {commit_p50:.2} ms, p99 {commit_p99:.2} ms)"
    );

    let currency = ledger::currencies(store.db()).await?.first().context("the demo has a currency")?.id;
    let people: Vec<MemberId> = accounts::list_members(store.db(), &[AccountStatus::Member], None, 64, 0)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    let mut tokens = Vec::new();
    for person in &people {
        tokens.push(api_token(&store, *person).await?);
    }
    // The statement's owner pays one neighbour and is paid by another: every payment is a line.
    let owner = people[0];
    let owner_pair = vec![owner, people[1]];
    let owner_tokens = vec![tokens[0].clone(), tokens[1].clone()];
    let cookie = session(&store, owner).await?;
    drop(store);
    let server = Server::start(&data).await?;
    let addr = server.addr.clone();
    let duration = Duration::from_secs(seconds);

    let requests = payments(addr.clone(), Arc::new(tokens), Arc::new(people.clone()), currency.to_string());
    let paid = load::run_with(&addr, requests, connections, duration).await?;
    println!(
        "Payments through the API, {connections} clients: {:.0}/s (p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, {} errors) = {:.1}x the raw insert rate",
        paid.per_second,
        paid.p50_ms,
        paid.p99_ms,
        paid.max_ms,
        paid.errors,
        paid.per_second / raw
    );

    // Give the owner's account its history: payments back and forth with one neighbour.
    let seeding = Instant::now();
    let seeded = Arc::new(AtomicUsize::new(0));
    let requests = payments(addr.clone(), Arc::new(owner_tokens), Arc::new(owner_pair), currency.to_string());
    let mut tasks = Vec::new();
    for _ in 0..connections.min(16) {
        let (addr, requests, seeded) = (addr.clone(), requests.clone(), seeded.clone());
        tasks.push(tokio::spawn(async move {
            while seeded.fetch_add(1, Ordering::Relaxed) < history {
                let raw = requests().replace("HTTP/1.1\r\n", "HTTP/1.1\r\nConnection: close\r\n");
                let (status, answer) = request(&addr, &raw).await?;
                anyhow::ensure!(status == 200, "seeding failed: {answer}");
            }
            anyhow::Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let store = Store::open(&DatabaseUrl::sqlite_file(&data.join("planet.db"))).await?;
    let account = ledger::find_account(store.db(), currency, AccountKind::Person, owner.uuid())
        .await?
        .context("the owner's account")?;
    println!("Seeded the statement: {} lines in {:.1} s", account.postings, seeding.elapsed().as_secs_f64());
    let page = format!("GET /accounts/{} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\r\n", account.id);
    let (status, body) = request(&addr, &page.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n")).await?;
    anyhow::ensure!(status == 200, "the statement page answered {status}");
    let bytes = body.split_once("\r\n\r\n").map(|(_, b)| b.len()).unwrap_or(0);
    let shown = load::run(&addr, &page, connections, duration).await?;
    let ceiling_addr = ceiling(body.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default()).await?;
    let top =
        load::run(&ceiling_addr, &format!("GET / HTTP/1.1\r\nHost: {ceiling_addr}\r\n\r\n"), connections, duration)
            .await?;
    println!(
        "Statement page ({} lines, {bytes} bytes), {connections} connections: {:.0} req/s (p50 {:.1} ms, p99 {:.1} ms, {} errors); ceiling {:.0} req/s (p99 {:.1} ms) = {:.0} %",
        account.postings,
        shown.per_second,
        shown.p50_ms,
        shown.p99_ms,
        shown.errors,
        top.per_second,
        top.p99_ms,
        100.0 * shown.per_second / top.per_second
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&data);
    Ok(())
}

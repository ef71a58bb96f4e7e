//! `talk`: measures Talk on a release `planet` binary for BENCHMARKS.md.
//!
//! - A topic page with 50 messages under N keep-alive connections, beside a ceiling measured in
//!   the same run (the same bytes from memory).
//! - Live fan-out: C WebSocket clients with one topic open while members post R messages a
//!   second; the delay from sending a message to each client receiving it (p50, p99), and the
//!   server's memory per open connection.
//!
//! Usage: cargo build --release -p planet -p planet-bench &&
//!        target/release/talk [--connections 64] [--seconds 10] [--clients 2000] [--rate 100]

#[path = "../load.rs"]
mod load;

use anyhow::{Context, bail};
use futures_util::StreamExt;
use planet_domain::space::AccountStatus;
use planet_domain::talk::{Reaction, TalkRules};
use planet_domain::{Clock, MemberId, MessageId, SystemClock, TopicId};
use planet_server::identity::crypto::{random_token, token_hash};
use planet_store::queries::{accounts, community, talk};
use planet_store::{DatabaseUrl, Store};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

fn arg(name: &str, default: usize) -> anyhow::Result<usize> {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == name) {
        Some(i) => args.get(i + 1).context("missing value")?.parse().context("not a number"),
        None => Ok(default),
    }
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).context("no VmRSS")?;
    Ok(line.split_whitespace().nth(1).context("bad VmRSS")?.parse()?)
}

async fn request(addr: &str, raw: &str) -> anyhow::Result<(u16, String)> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(raw.as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.split_whitespace().nth(1).unwrap_or("0").parse().unwrap_or(0);
    Ok((status, text))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

/// A session for a member, made in the database (as logging in would): its cookie.
async fn session(store: &Store, member: MemberId) -> anyhow::Result<String> {
    let token = random_token();
    let now = SystemClock.now();
    accounts::create_session(store.db(), &token_hash(&token), member, now, now + chrono::Duration::days(1)).await?;
    Ok(format!("planet_session={token}"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let connections = arg("--connections", 64)?;
    let seconds = arg("--seconds", 10)? as u64;
    let clients = arg("--clients", 2000)?;
    let rate = arg("--rate", 100)?;
    let planet = std::path::PathBuf::from("target/release/planet");

    // The demo community, and a topic with 50 messages (with some reactions) in its root space.
    let data = std::env::temp_dir().join(format!("planet-bench-talk-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let seeded = Command::new(&planet).arg("--data-dir").arg(&data).arg("demo").stdout(Stdio::null()).status()?;
    if !seeded.success() {
        bail!("planet demo failed");
    }
    let store = Store::open(&DatabaseUrl::sqlite_file(&data.join("planet.db"))).await?;
    let root = community::get(store.db()).await?.context("no community")?.root_space_id;
    talk::set_rules(store.db(), root, TalkRules { first_messages_to_approve: 0, ..TalkRules::default() }).await?;
    let members: Vec<MemberId> = accounts::list_members(store.db(), &[AccountStatus::Member], None, 1000, 0)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    let topic = TopicId::new_v7();
    let now = SystemClock.now();
    talk::create_topic(store.db(), topic, root, "Harvest supper at the Corn Hall", members[0], false, now).await?;
    for i in 0..50 {
        let id = MessageId::new_v7();
        let author = members[i % members.len()];
        let body = format!(
            "Message {i}: I can bring **{}** for the supper, and help set up the tables from five o'clock. \
             Does anyone need a lift from Roydon or Palgrave?",
            ["bread", "apple crumble", "a salad", "soup"][i % 4]
        );
        let html = planet_server::web::markdown::render(&body);
        let new = talk::NewMessage { id, topic, author, body: &body, html: &html, reply_to: None, pending: false, now };
        talk::post_message(store.db(), new).await?;
        for (j, kind) in Reaction::ALL.iter().enumerate().take(i % 4) {
            talk::set_reaction(store.db(), id, members[(i + j + 1) % members.len()], *kind, true, now).await?;
        }
    }
    let reader = members[1];
    let reader_cookie = session(&store, reader).await?;
    talk::mark_read(store.db(), reader, topic, 50).await?;

    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let addr = format!("127.0.0.1:{port}");
    let server = Server(
        Command::new(&planet)
            .arg("--data-dir")
            .arg(&data)
            .args(["--listen", &addr, "serve"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()?,
    );
    let started = Instant::now();
    while request(&addr, "GET /healthz HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n").await.map(|r| r.0).ok()
        != Some(200)
    {
        if started.elapsed() > Duration::from_secs(30) {
            bail!("planet did not start");
        }
        tokio::task::yield_now().await;
    }

    // The topic page under load, beside the ceiling.
    let page_request = format!("GET /topics/{topic} HTTP/1.1\r\nHost: {addr}\r\nCookie: {reader_cookie}\r\n\r\n");
    let (status, page) = request(&addr, &page_request.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n")).await?;
    if status != 200 {
        bail!("topic page answered {status}");
    }
    let body = page.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    let messages_shown = body.matches("class=\"message message--published\"").count();
    let duration = Duration::from_secs(seconds);
    let loaded = load::run(&addr, &page_request, connections, duration).await?;
    let ceiling_port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let ceiling_addr = format!("127.0.0.1:{ceiling_port}");
    let bytes: &'static str = Box::leak(body.clone().into_boxed_str());
    let router = axum::Router::new().route("/", axum::routing::get(move || async move { axum::response::Html(bytes) }));
    let listener = tokio::net::TcpListener::bind(&ceiling_addr).await?;
    tokio::spawn(async move { axum::serve(listener, router).await });
    let ceiling =
        load::run(&ceiling_addr, &format!("GET / HTTP/1.1\r\nHost: {ceiling_addr}\r\n\r\n"), connections, duration)
            .await?;

    println!("Topic page: {messages_shown} messages, {} bytes", body.len());
    println!("| {connections} connections, {seconds} s | requests/s | p50 | p99 | max | errors |");
    println!("|---|---|---|---|---|---|");
    for (name, r) in [("PlaNet topic page (logged in)", &loaded), ("ceiling: same bytes from memory", &ceiling)] {
        println!(
            "| {name} | {:.0} | {:.2} ms | {:.2} ms | {:.2} ms | {} |",
            r.per_second, r.p50_ms, r.p99_ms, r.max_ms, r.errors
        );
    }
    println!("topic page throughput = {:.0} % of the ceiling", 100.0 * loaded.per_second / ceiling.per_second);

    // Live fan-out: every client has the topic open.
    let pid = server.0.id();
    let rss_before = rss_kib(pid)?;
    let epoch = Instant::now();
    let received = Arc::new(AtomicUsize::new(0));
    let mut listeners = Vec::new();
    let url = format!("ws://{addr}/topics/{topic}/live");
    for i in 0..clients {
        let mut request = url.as_str().into_client_request()?;
        request.headers_mut().insert("cookie", reader_cookie.parse()?);
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await.with_context(|| format!("client {i}"))?;
        let received = received.clone();
        listeners.push(tokio::spawn(async move {
            let mut delays = Vec::new();
            while let Some(Ok(message)) = socket.next().await {
                let Ok(text) = message.to_text() else { continue };
                // The message says when it was sent, in microseconds since `epoch`.
                if let Some(at) = text.find("sent-at-") {
                    let digits: String = text[at + 8..].chars().take_while(char::is_ascii_digit).collect();
                    if let Ok(sent) = digits.parse::<u64>() {
                        delays.push(epoch.elapsed().as_micros() as f64 - sent as f64);
                        received.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            delays
        }));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_open = rss_kib(pid)?;

    // Posters: a member may send 10 messages a minute, so each poster sends at most 10.
    let posters = (rate * seconds as usize).div_ceil(10).min(members.len() - 2);
    let mut cookies = Vec::new();
    for member in members.iter().skip(2).take(posters) {
        cookies.push(session(&store, *member).await?);
    }
    let total = (rate * seconds as usize).min(posters * 10);
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let mut ticker = tokio::time::interval(interval);
    let mut refused = 0;
    let send_started = Instant::now();
    let mut sends = Vec::new();
    for n in 0..total {
        ticker.tick().await;
        let cookie = cookies[n % cookies.len()].clone();
        let addr = addr.clone();
        let sent = epoch.elapsed().as_micros();
        let body = format!("body=Live+message+{n}+sent-at-{sent}");
        let raw = format!(
            "POST /topics/{topic}/messages HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        sends.push(tokio::spawn(async move { request(&addr, &raw).await.map(|r| r.0).unwrap_or(0) }));
    }
    for send in sends {
        if send.await? != 303 {
            refused += 1;
        }
    }
    let send_seconds = send_started.elapsed().as_secs_f64();
    let expected = (total - refused) * clients;
    let waited = Instant::now();
    while received.load(Ordering::Relaxed) < expected && waited.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(server);
    let mut delays = Vec::new();
    for listener in listeners {
        delays.extend(listener.await?);
    }
    delays.sort_by(f64::total_cmp);
    println!();
    println!(
        "Live fan-out: {clients} clients on one topic, {total} messages sent over {send_seconds:.1} s ({:.0} a second), {refused} refused",
        total as f64 / send_seconds
    );
    println!(
        "  deliveries {} of {expected}; delay from sending to receiving: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        delays.len(),
        percentile(&delays, 0.5) / 1000.0,
        percentile(&delays, 0.99) / 1000.0,
        percentile(&delays, 1.0) / 1000.0
    );
    println!(
        "  server RSS {:.1} MiB before, {:.1} MiB with the clients open: {:.1} KiB a connection",
        rss_before as f64 / 1024.0,
        rss_open as f64 / 1024.0,
        (rss_open.saturating_sub(rss_before)) as f64 / clients as f64
    );
    let _ = std::fs::remove_dir_all(&data);
    Ok(())
}

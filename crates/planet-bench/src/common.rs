//! What the benchmark programs share: arguments, the demo community, a release server run as a
//! child process, single requests, sessions, percentiles and the in-memory ceiling.

use anyhow::{Context, bail};
use planet_domain::{Clock, MemberId, SystemClock};
use planet_server::identity::crypto::{random_token, token_hash};
use planet_store::queries::accounts;
use planet_store::{DatabaseUrl, Store};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A number given as `--name N`, or the default.
pub fn arg(name: &str, default: usize) -> anyhow::Result<usize> {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == name) {
        Some(i) => args.get(i + 1).context("missing value")?.parse().context("not a number"),
        None => Ok(default),
    }
}

/// The release binary, started by `planet_binary()` users from the workspace root.
pub fn planet_binary() -> PathBuf {
    PathBuf::from("target/release/planet")
}

/// The demo community in a fresh data directory, and its store.
pub async fn demo(name: &str) -> anyhow::Result<(PathBuf, Store)> {
    let data = std::env::temp_dir().join(format!("planet-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let seeded =
        Command::new(planet_binary()).arg("--data-dir").arg(&data).arg("demo").stdout(Stdio::null()).status()?;
    if !seeded.success() {
        bail!("planet demo failed");
    }
    let store = Store::open(&DatabaseUrl::sqlite_file(&data.join("planet.db"))).await?;
    Ok((data, store))
}

/// A release server on a free port, stopped when dropped.
pub struct Server {
    child: Child,
    pub addr: String,
}

impl Server {
    pub async fn start(data: &std::path::Path) -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let addr = format!("127.0.0.1:{port}");
        let child = Command::new(planet_binary())
            .arg("--data-dir")
            .arg(data)
            .args(["--listen", &addr, "serve"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()?;
        let server = Self { child, addr };
        let started = Instant::now();
        while request(&server.addr, "GET /healthz HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n")
            .await
            .map(|r| r.0)
            .ok()
            != Some(200)
        {
            if started.elapsed() > Duration::from_secs(30) {
                bail!("planet did not start");
            }
            tokio::task::yield_now().await;
        }
        Ok(server)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request on its own connection: the status and the whole answer.
pub async fn request(addr: &str, raw: &str) -> anyhow::Result<(u16, String)> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(raw.as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.split_whitespace().nth(1).unwrap_or("0").parse().unwrap_or(0);
    Ok((status, text))
}

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

/// A session for a member, made in the database (as logging in would): its cookie.
pub async fn session(store: &Store, member: MemberId) -> anyhow::Result<String> {
    let token = random_token();
    let now = SystemClock.now();
    accounts::create_session(store.db(), &token_hash(&token), member, now, now + chrono::Duration::days(1)).await?;
    Ok(format!("planet_session={token}"))
}

/// Serve `body` from memory on a free port (the ceiling: what the machine does with no work
/// but HTTP); returns its address.
pub async fn ceiling(body: String) -> anyhow::Result<String> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let addr = format!("127.0.0.1:{port}");
    let bytes: &'static str = Box::leak(body.into_boxed_str());
    let router = axum::Router::new().route("/", axum::routing::get(move || async move { axum::response::Html(bytes) }));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(addr)
}

//! `planet-bench`: measures a release `planet` binary for BENCHMARKS.md.
//!
//! Scenarios: time from start to first response, idle memory (RSS) with the demo community, and
//! the home page under N keep-alive connections beside a ceiling measured in the same run (the
//! same bytes served from memory by a bare axum server on the same machine).
//!
//! Usage: cargo build --release -p planet -p planet-bench &&
//!        target/release/planet-bench [--planet target/release/planet] [--connections 64] [--seconds 10]

mod load;

use anyhow::{Context, bail};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Options {
    planet: PathBuf,
    connections: usize,
    seconds: u64,
}

fn options() -> anyhow::Result<Options> {
    let mut options = Options { planet: PathBuf::from("target/release/planet"), connections: 64, seconds: 10 };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().with_context(|| format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--planet" => options.planet = PathBuf::from(value),
            "--connections" => options.connections = value.parse()?,
            "--seconds" => options.seconds = value.parse()?,
            other => bail!("unknown option {other}"),
        }
    }
    Ok(options)
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).context("no VmRSS")?;
    Ok(line.split_whitespace().nth(1).context("bad VmRSS")?.parse()?)
}

/// One request on a fresh connection; the status code and the raw response.
async fn request(addr: &str, raw: &str) -> anyhow::Result<(u16, String)> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(raw.as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.split_whitespace().nth(1).unwrap_or("0").parse().unwrap_or(0);
    Ok((status, text))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let options = options()?;
    let data = std::env::temp_dir().join(format!("planet-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let seeded =
        Command::new(&options.planet).arg("--data-dir").arg(&data).arg("demo").stdout(Stdio::null()).status()?;
    if !seeded.success() {
        bail!("planet demo failed");
    }
    let port = free_port()?;
    let addr = format!("127.0.0.1:{port}");

    // Start to first response.
    let started = Instant::now();
    let child = Command::new(&options.planet)
        .args(["--data-dir"])
        .arg(&data)
        .args(["--listen", &addr, "serve"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()?;
    let server = Server(child);
    let first_response = loop {
        if let Ok((200, _)) = request(&addr, "GET /healthz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n").await
        {
            break started.elapsed();
        }
        if started.elapsed() > Duration::from_secs(30) {
            bail!("planet did not answer within 30 s");
        }
        tokio::task::yield_now().await;
    };
    let pid = server.0.id();
    let rss_after_start = rss_kib(pid)?;

    // Log in as the demo member and fetch the home page once.
    let body = "email=tom.baker%40diss.example&password=diss-demo-town";
    let (status, login) = request(
        &addr,
        &format!("POST /login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()),
    )
    .await?;
    if status != 303 {
        bail!("login failed: {status}");
    }
    let cookie = login
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .context("no session cookie")?
        .to_owned();
    let home_request = format!("GET / HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\r\n");
    let (status, home) = request(&addr, &home_request.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n")).await?;
    if status != 200 {
        bail!("home page answered {status}");
    }
    let home_body = home.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    // Idle: nothing asked of it for a few seconds.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss_idle = rss_kib(pid)?;

    let duration = Duration::from_secs(options.seconds);
    let planet = load::run(&addr, &home_request, options.connections, duration).await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss_after_load = rss_kib(pid)?;
    drop(server);

    // The ceiling: the same bytes from memory, same machine, same run.
    let ceiling_port = free_port()?;
    let ceiling_addr = format!("127.0.0.1:{ceiling_port}");
    let bytes: &'static str = Box::leak(home_body.clone().into_boxed_str());
    let router = axum::Router::new().route("/", axum::routing::get(move || async move { axum::response::Html(bytes) }));
    let listener = tokio::net::TcpListener::bind(&ceiling_addr).await?;
    tokio::spawn(async move { axum::serve(listener, router).await });
    let ceiling = load::run(
        &ceiling_addr,
        &format!("GET / HTTP/1.1\r\nHost: {ceiling_addr}\r\n\r\n"),
        options.connections,
        duration,
    )
    .await?;

    let _ = std::fs::remove_dir_all(&data);
    println!("| measure | result |");
    println!("|---|---|");
    println!("| start to first response | {:.0} ms |", first_response.as_secs_f64() * 1000.0);
    println!("| RSS right after start | {:.1} MiB |", rss_after_start as f64 / 1024.0);
    println!(
        "| RSS idle: demo community, one login and one home page, then 3 s quiet | {:.1} MiB |",
        rss_idle as f64 / 1024.0
    );
    println!("| RSS 3 s after the load below | {:.1} MiB |", rss_after_load as f64 / 1024.0);
    println!("| home page size | {} bytes |", home_body.len());
    println!();
    println!("| {} connections, {} s | requests/s | p50 | p99 | max | errors |", options.connections, options.seconds);
    println!("|---|---|---|---|---|---|");
    for (name, r) in [("PlaNet home page (logged in)", &planet), ("ceiling: same bytes from memory", &ceiling)] {
        println!(
            "| {name} | {:.0} | {:.2} ms | {:.2} ms | {:.2} ms | {} |",
            r.per_second, r.p50_ms, r.p99_ms, r.max_ms, r.errors
        );
    }
    println!();
    println!("home page throughput = {:.0} % of the ceiling", 100.0 * planet.per_second / ceiling.per_second);
    Ok(())
}

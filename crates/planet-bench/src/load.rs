//! A small HTTP/1.1 load driver: N keep-alive connections sending the same request for a while,
//! recording each request's latency. Bounded in time, loopback only.

use anyhow::{Context, bail};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

pub struct LoadResult {
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub errors: usize,
}

async fn one_response(reader: &mut BufReader<TcpStream>) -> anyhow::Result<u16> {
    let mut line = String::new();
    reader.read_line(&mut line).await?;
    let status: u16 = line.split_whitespace().nth(1).context("no status line")?.parse()?;
    let mut length = None;
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            bail!("connection closed");
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = Some(value.trim().parse::<usize>()?);
        }
    }
    let mut body = vec![0u8; length.context("no content-length")?];
    reader.read_exact(&mut body).await?;
    Ok(status)
}

/// Makes each request to send (the same one, or a new one each time).
pub type Requests = std::sync::Arc<dyn Fn() -> String + Send + Sync>;

async fn connection(addr: String, requests: Requests, until: Instant) -> (Vec<u32>, usize) {
    let mut latencies = Vec::new();
    let mut errors = 0;
    'outer: while Instant::now() < until {
        let Ok(stream) = TcpStream::connect(&addr).await else {
            errors += 1;
            continue;
        };
        let mut reader = BufReader::new(stream);
        while Instant::now() < until {
            let request = requests();
            let start = Instant::now();
            if reader.get_mut().write_all(request.as_bytes()).await.is_err() {
                errors += 1;
                continue 'outer;
            }
            match one_response(&mut reader).await {
                Ok(200) => latencies.push(start.elapsed().as_micros() as u32),
                _ => {
                    errors += 1;
                    continue 'outer;
                }
            }
        }
    }
    (latencies, errors)
}

pub async fn run(addr: &str, request: &str, connections: usize, duration: Duration) -> anyhow::Result<LoadResult> {
    let request = request.to_owned();
    run_with(addr, std::sync::Arc::new(move || request.clone()), connections, duration).await
}

/// The same, with each request made afresh (a new id each time, say).
pub async fn run_with(
    addr: &str,
    requests: Requests,
    connections: usize,
    duration: Duration,
) -> anyhow::Result<LoadResult> {
    // A short warm-up, then the measured run.
    let warm = Instant::now() + Duration::from_millis(500);
    let mut tasks = Vec::new();
    for _ in 0..connections {
        tasks.push(tokio::spawn(connection(addr.to_owned(), requests.clone(), warm)));
    }
    for task in tasks {
        task.await?;
    }
    let start = Instant::now();
    let until = start + duration;
    let mut tasks = Vec::new();
    for _ in 0..connections {
        tasks.push(tokio::spawn(connection(addr.to_owned(), requests.clone(), until)));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (latencies, errs) = task.await?;
        all.extend(latencies);
        errors += errs;
    }
    let elapsed = start.elapsed().as_secs_f64();
    all.sort_unstable();
    let pick = |q: f64| -> f64 {
        if all.is_empty() {
            return 0.0;
        }
        let index = ((all.len() as f64 - 1.0) * q).round() as usize;
        all[index] as f64 / 1000.0
    };
    Ok(LoadResult {
        per_second: all.len() as f64 / elapsed,
        p50_ms: pick(0.50),
        p99_ms: pick(0.99),
        max_ms: pick(1.0),
        errors,
    })
}

//! Starting chromedriver, a server, and checking pages with axe-core.

use planet_domain::SystemClock;
use planet_server::{Application, ServerConfig};
use planet_store::{DatabaseUrl, Store};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use thirtyfour::prelude::*;

const AXE: &str = include_str!("../../vendor/axe.min.js");

/// chromedriver, stopped when dropped.
pub struct Driver {
    process: Child,
    pub url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

pub fn start_chromedriver() -> Driver {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut process = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver is installed (apt-get install chromium-driver; .ci/run does it)");
    // chromedriver says when it is ready; read until then instead of sleeping.
    let stdout = process.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    loop {
        match lines.next() {
            Some(Ok(line)) if line.contains("started successfully") => break,
            Some(Ok(_)) => continue,
            other => panic!("chromedriver did not start: {other:?}"),
        }
    }
    std::thread::spawn(move || for _ in lines {});
    Driver { process, url: format!("http://127.0.0.1:{port}") }
}

pub async fn open_browser(driver: &Driver, width: u32, height: u32) -> WebDriver {
    let mut caps = DesiredCapabilities::chrome();
    caps.set_binary("/usr/bin/chromium").unwrap();
    let profile = std::env::temp_dir().join(format!("planet-e2e-profile-{}", uuid::Uuid::now_v7()));
    for arg in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        &format!("--window-size={width},{height}"),
        &format!("--user-data-dir={}", profile.display()),
    ] {
        caps.add_arg(arg).unwrap();
    }
    WebDriver::new(&driver.url, caps).await.unwrap()
}

/// A PlaNet server on a fresh SQLite database, with its state (to add accounts behind its
/// back); stops when the test ends.
pub async fn start_server_with_state() -> (String, planet_server::state::AppState) {
    let dir = std::env::temp_dir().join("planet-e2e");
    std::fs::create_dir_all(&dir).unwrap();
    let url = DatabaseUrl::sqlite_file(&dir.join(format!("{}.db", uuid::Uuid::now_v7())));
    let store = Store::open(&url).await.unwrap();
    let config = ServerConfig { listen: "127.0.0.1:0".parse().unwrap(), data_dir: dir, ..ServerConfig::default() };
    let app = Application::build(config, store, Arc::new(SystemClock)).await.unwrap();
    let base = format!("http://{}", app.local_addr().unwrap());
    let state = app.state();
    tokio::spawn(app.run_until(std::future::pending()));
    (base, state)
}

/// Serious and critical axe-core violations on the current page, described.
pub async fn axe_violations(browser: &WebDriver) -> Vec<String> {
    browser.execute(AXE, Vec::new()).await.unwrap();
    let result = browser
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               axe.run(document, { resultTypes: ['violations'] }).then(r => done(
                 r.violations
                   .filter(v => v.impact === 'serious' || v.impact === 'critical')
                   .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', '))
               ));"#,
            Vec::new(),
        )
        .await
        .unwrap();
    result.convert::<Vec<String>>().unwrap()
}

pub fn screenshot_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

//! The `planet` command line, run as a program.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod crash;

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

/// A `planet serve` process; killed when dropped.
struct Server {
    child: std::process::Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start `planet serve` on a free port of its own choosing, and wait until it says where.
fn serve(database_url: &str) -> Server {
    use std::io::BufRead;
    let dir = data_dir();
    let mut child = Command::new(env!("CARGO_BIN_EXE_planet"))
        .args(["--data-dir", &dir.display().to_string(), "--database-url", database_url, "--listen", "127.0.0.1:0"])
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = std::io::BufReader::new(stdout).lines();
    let base = loop {
        let line = lines.next().expect("the server stopped before serving").unwrap();
        if let Some(at) = line.find("serving on ") {
            break line[at + "serving on ".len()..].split_whitespace().next().unwrap().to_owned();
        }
    };
    // Keep reading its output so that it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server { child, base }
}

async fn log_in(server: &Server, email: &str) -> (reqwest::Client, String) {
    let client =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = client
        .post(format!("{}/login", server.base))
        .form(&[("email", email), ("password", "diss-demo-town")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303, "logging in as {email}");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("planet_session="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    (client, cookie)
}

/// Several `planet serve` processes on one PostgreSQL database: a message posted through one
/// reaches a page open on another (LISTEN/NOTIFY). SQLite is served by one process, so this
/// runs where CI points the tests at PostgreSQL.
#[tokio::test]
async fn live_talk_crosses_server_processes_on_postgresql() {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    if std::env::var("PLANET_TEST_DATABASE_URL").unwrap_or_default().is_empty() {
        return;
    }
    let url = planet_store::dialect::fresh_test_database().await.unwrap();
    let dir = data_dir();
    let demo = Command::new(env!("CARGO_BIN_EXE_planet"))
        .args(["--data-dir", &dir.display().to_string(), "--database-url", url.expose(), "demo"])
        .output()
        .unwrap();
    assert!(demo.status.success(), "{}", text(&demo));
    let store = planet_store::Store::open(&url).await.unwrap();
    let root = planet_store::queries::community::get(store.db()).await.unwrap().unwrap().root_space_id;
    let no_approval = planet_domain::talk::TalkRules { first_messages_to_approve: 0, ..Default::default() };
    planet_store::queries::talk::set_rules(store.db(), root, no_approval).await.unwrap();

    let (first, second) = (serve(url.expose()), serve(url.expose()));
    let (tom, tom_cookie) = log_in(&first, "tom.baker@diss.example").await;
    let started = tom
        .post(format!("{}/spaces/{root}/topics", first.base))
        .form(&[("title", "Two servers"), ("body", "Hello from the first")])
        .send()
        .await
        .unwrap();
    let place = started.headers().get("location").unwrap().to_str().unwrap().to_owned();
    let topic = place.trim_start_matches("/topics/").split(['?', '#']).next().unwrap().to_owned();

    let (_, cookie) = log_in(&second, "margaret.thompson@diss.example").await;
    let mut request =
        format!("{}/topics/{topic}/live", second.base.replace("http://", "ws://")).into_client_request().unwrap();
    request.headers_mut().insert("cookie", cookie.parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();

    let posted = tom
        .post(format!("{}/topics/{topic}/messages", first.base))
        .form(&[("body", "Can you hear me on the second server?")])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status().as_u16(), 303);
    let heard = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            let message = socket.next().await.unwrap().unwrap();
            let text = message.to_text().unwrap_or_default().to_owned();
            if text.contains("\"kind\":\"posted\"") {
                return text;
            }
        }
    })
    .await
    .expect("the message did not reach the other server's page");
    assert!(heard.contains("Can you hear me on the second server?"), "{heard}");

    // Tom opens the topic on the first server: each page shows both of them, whichever server
    // holds it.
    let mut request =
        format!("{}/topics/{topic}/live", first.base.replace("http://", "ws://")).into_client_request().unwrap();
    request.headers_mut().insert("cookie", tom_cookie.parse().unwrap());
    let (mut tom_socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    for socket in [&mut socket, &mut tom_socket] {
        let both = tokio::time::timeout(std::time::Duration::from_secs(10), async {
            loop {
                let message = socket.next().await.unwrap().unwrap();
                let text = message.to_text().unwrap_or_default().to_owned();
                if text.contains("\"kind\":\"presence\"")
                    && text.contains("Tom Baker")
                    && text.contains("Margaret Thompson")
                {
                    return text;
                }
            }
        })
        .await;
        assert!(both.is_ok(), "a page did not show who is here on the other server");
    }
}

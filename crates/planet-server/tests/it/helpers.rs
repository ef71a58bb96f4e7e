//! `spawn_app()` and the helpers tests use to act like members.

use chrono::{DateTime, Utc};
use planet_domain::space::{AccountStatus, Role};
use planet_domain::{FixedClock, MemberId, SpaceId};
use planet_server::identity::crypto::{hash_password, random_token, token_hash};
use planet_server::{AppState, Application, ServerConfig};
use planet_store::Store;
use planet_store::queries::accounts::{self, NewMember};
use planet_store::queries::outbox::OutboxMessage;
use planet_store::queries::{outbox, spaces};
use reqwest::redirect::Policy;
use std::sync::{Arc, OnceLock};

pub const PASSWORD: &str = "correct horse battery";

pub fn start_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T10:00:00Z").map(|t| t.with_timezone(&Utc)).unwrap()
}

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub clock: Arc<FixedClock>,
    url: planet_store::DatabaseUrl,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// A server with some settings changed.
pub async fn spawn_app_with(configure: impl FnOnce(&mut ServerConfig)) -> TestApp {
    let url = planet_store::dialect::fresh_test_database().await.unwrap();
    let clock = Arc::new(FixedClock::at(start_time()));
    let mut config = ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: std::env::temp_dir().join("planet-tests"),
        ..ServerConfig::default()
    };
    configure(&mut config);
    serve(url, config, clock).await
}

async fn serve(url: planet_store::DatabaseUrl, config: ServerConfig, clock: Arc<FixedClock>) -> TestApp {
    let store = Store::open(&url).await.unwrap();
    let app = Application::build(config, store, clock.clone()).await.unwrap();
    let addr = app.local_addr().unwrap();
    let state = app.state();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until(async {
        let _ = rx.await;
    }));
    TestApp { base: format!("http://{addr}"), state, clock, url, _shutdown: tx }
}

/// The same password hash for every fixture account (hashing is slow on purpose).
fn fixture_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password(PASSWORD).unwrap())
}

/// A browser: its own cookie jar, and it does not follow redirects (tests look at them).
#[derive(Clone)]
pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
}

impl Browser {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.base)).send().await.unwrap()
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client.post(format!("{}{path}", self.base)).form(form).send().await.unwrap()
    }

    pub async fn post_text(&self, path: &str, form: &[(&str, &str)]) -> (u16, String) {
        let response = self.post(path, form).await;
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }
}

pub fn location(response: &reqwest::Response) -> String {
    response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned()
}

impl TestApp {
    /// Another server on the same database and clock (a restart, or a second process): this
    /// one stops once it is dropped.
    pub async fn another_server(&self) -> TestApp {
        let config = ServerConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            data_dir: std::env::temp_dir().join("planet-tests"),
            ..ServerConfig::default()
        };
        serve(self.url.clone(), config, self.clock.clone()).await
    }

    pub fn browser(&self) -> Browser {
        let client = reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap();
        Browser { client, base: self.base.clone() }
    }

    pub fn db(&self) -> &planet_store::DatabaseConnection {
        self.state.db()
    }

    /// First run: set up "PlaNet Diss" with Margaret as steward; returns her browser.
    pub async fn set_up(&self) -> Browser {
        let browser = self.browser();
        let response = browser
            .post(
                "/setup",
                &[
                    ("community_name", "PlaNet Diss"),
                    ("name", "Margaret Thompson"),
                    ("email", "margaret@diss.example"),
                    ("password", PASSWORD),
                    ("password_again", PASSWORD),
                ],
            )
            .await;
        assert_eq!(response.status().as_u16(), 303, "setup should redirect home");
        browser
    }

    pub async fn log_in(&self, email: &str, password: &str) -> Browser {
        let browser = self.browser();
        let response = browser.post("/login", &[("email", email), ("password", password)]).await;
        assert_eq!(location(&response), "/", "log in as {email}");
        browser
    }

    /// An account made directly in the store (fast fixtures).
    pub async fn add_account(&self, name: &str, email: &str, status: AccountStatus, steward: bool) -> MemberId {
        let id = MemberId::new_v7();
        let now = self.clock_now();
        accounts::create_member(
            self.db(),
            NewMember { id, email, name, password_hash: fixture_hash(), status, steward, now },
        )
        .await
        .unwrap();
        if status == AccountStatus::Member
            && let Some(community) = self.state.community()
        {
            spaces::add_member(self.db(), community.root_space_id, id, Role::Member, now).await.unwrap();
        }
        // Written behind the server's back: it must not serve what it had cached.
        self.state.changed();
        id
    }

    /// A browser already logged in as this member (a session made directly, skipping the form).
    pub async fn session_for(&self, member: MemberId) -> Browser {
        let token = session_token(self, member).await;
        let jar = Arc::new(reqwest::cookie::Jar::default());
        jar.add_cookie_str(&format!("planet_session={token}; Path=/"), &self.base.parse().unwrap());
        let client = reqwest::Client::builder().cookie_provider(jar).redirect(Policy::none()).build().unwrap();
        Browser { client, base: self.base.clone() }
    }

    pub fn clock_now(&self) -> DateTime<Utc> {
        use planet_domain::Clock;
        self.clock.now()
    }

    pub fn root(&self) -> SpaceId {
        self.state.community().unwrap().root_space_id
    }

    pub async fn outbox(&self) -> Vec<OutboxMessage> {
        outbox::recent(self.db(), 1000).await.unwrap()
    }

    /// The newest email to an address.
    pub async fn last_email_to(&self, to: &str) -> OutboxMessage {
        self.outbox().await.into_iter().find(|m| m.to_address == to).unwrap_or_else(|| panic!("no email to {to}"))
    }
}

impl Browser {
    /// Start a group inside the community through the form; returns its path (`/spaces/{id}`).
    pub async fn start_group(&self, app: &TestApp, name: &str, visibility: &str, join_policy: &str) -> String {
        let path = format!("/spaces?parent={}", app.root());
        let form = [("name", name), ("description", ""), ("visibility", visibility), ("join_policy", join_policy)];
        let created = self.post(&path, &form).await;
        let place = location(&created);
        assert!(place.starts_with("/spaces/"), "starting {name}: {place}");
        place.split('?').next().unwrap_or_default().to_owned()
    }
}

/// A new session for a member, made directly in the store: its cookie value.
pub async fn session_token(app: &TestApp, member: MemberId) -> String {
    let token = random_token();
    let now = app.clock_now();
    accounts::create_session(app.db(), &token_hash(&token), member, now, now + chrono::Duration::days(30))
        .await
        .unwrap();
    token
}

/// The first `/join/…` or `/reset-password/…` style link in a text.
pub fn link_in(text: &str, prefix: &str) -> String {
    let start = text.find(prefix).unwrap_or_else(|| panic!("no {prefix} link in {text}"));
    let rest = &text[start..];
    let end = rest.find(|c: char| c.is_whitespace() || c == '<' || c == '"').unwrap_or(rest.len());
    rest[..end].to_owned()
}

/// The API token shown once on the settings page.
pub fn api_token_in(page: &str) -> String {
    let start = page.find("planet_").unwrap_or_else(|| panic!("no token in {page}"));
    page[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect()
}

/// A multipart form as a browser sends it: text fields, then one file (`file_field`).
pub async fn post_multipart(
    browser: &Browser,
    path: &str,
    fields: &[(&str, &str)],
    file_field: &str,
    bytes: &[u8],
) -> (u16, String, String) {
    post_files(browser, path, fields, file_field, &[bytes]).await
}

/// The same with any number of files in one field (`multiple`).
pub async fn post_files(
    browser: &Browser,
    path: &str,
    fields: &[(&str, &str)],
    file_field: &str,
    files: &[&[u8]],
) -> (u16, String, String) {
    let boundary = "----planet-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    for bytes in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; filename=\"picture.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let response = browser
        .client
        .post(format!("{}{path}", browser.base))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .header("sec-fetch-site", "same-origin")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let place = location(&response);
    (status, place, response.text().await.unwrap_or_default())
}

/// A personal access token for a member, made directly in the store.
pub async fn api_token(app: &TestApp, member: MemberId) -> String {
    let token = format!("planet_{}", uuid::Uuid::now_v7().simple());
    let hash = planet_server::identity::crypto::token_hash(&token);
    planet_store::queries::accounts::create_token(
        app.db(),
        planet_domain::TokenId::new_v7(),
        member,
        "test",
        &hash,
        app.clock_now(),
    )
    .await
    .unwrap();
    token
}

//! The PlaNet web server: per-area services, HTML pages and the JSON API.
//!
//! Architecture invariant: handlers are thin. A page or API handler parses its input, calls a
//! service function, and renders; the service asks `planet_domain::policy::authorize` (through
//! `Ctx::require` or `access::require_space`), validates, and writes in one transaction.

pub mod access;
pub mod admission;
pub mod cache;
pub mod conduct;
pub mod config;
pub mod decide;
pub mod error;
pub mod home;
pub mod identity;
pub mod ledger;
pub mod notify;
pub mod openapi;
pub mod ops;
pub mod people;
pub mod ratelimit;
pub mod routes;
pub mod spaces;
pub mod state;
pub mod synergy;
pub mod talk;
pub mod trust;
pub mod web;

pub use config::ServerConfig;
pub use state::AppState;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use planet_domain::Clock;
use planet_store::{DatabaseUrl, Store};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// The whole application as a router.
pub fn app(state: AppState) -> Router {
    routes::router()
        .fallback(web::middleware::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), web::middleware::guard))
        // Pages are text and compress well: it matters for a long conversation on an old phone on a
        // slow line (photos are already compressed and are left alone).
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(DefaultBodyLimit::max(256 * 1024))
        .with_state(state)
}

/// The database URL the settings name: the configured one, or SQLite in the data dir.
pub fn database_url(config: &ServerConfig) -> Result<DatabaseUrl, String> {
    match &config.database_url {
        Some(url) => DatabaseUrl::parse(url),
        None => {
            std::fs::create_dir_all(&config.data_dir)
                .map_err(|e| format!("cannot create the data directory {}: {e}", config.data_dir.display()))?;
            Ok(DatabaseUrl::sqlite_file(&config.data_dir.join("planet.db")))
        }
    }
}

/// Links in emails never come from the request's Host header (which anyone can forge): they
/// start with the configured `public_url`, or else the address this server listens on.
fn public_base(config: &ServerConfig, bound: SocketAddr) -> String {
    if let Some(url) = &config.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    if bound.ip().is_unspecified() {
        tracing::warn!(
            "listening on every address without public_url: links in emails will say localhost; set public_url"
        );
        return format!("http://localhost:{}", bound.port());
    }
    format!("http://{bound}")
}

/// A running server: build it (which binds the port), read the port, run it.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    pub async fn build(config: ServerConfig, store: Store, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(config.listen).await?;
        let community = planet_store::queries::community::get(store.db()).await?;
        let public_base = public_base(&config, listener.local_addr()?);
        let state = AppState::new(store, clock, config, community, public_base);
        Ok(Self { listener, state })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// Serve until `shutdown` completes.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let sender = tokio::spawn(notify::mail::run_sender(self.state.clone()));
        let listener = tokio::spawn(talk::live::listen(self.state.clone()));
        let presence = tokio::spawn(talk::live::share_presence(self.state.clone()));
        let digests = tokio::spawn(notify::service::run_digests(self.state.clone()));
        let expiry = tokio::spawn(synergy::expiry::run_expiry(self.state.clone()));
        let transfers = tokio::spawn(ledger::service::run_expiry(self.state.clone()));
        let polls = tokio::spawn(decide::manage::run_clock(self.state.clone()));
        let router = app(self.state);
        let result = axum::serve(self.listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await;
        sender.abort();
        listener.abort();
        presence.abort();
        digests.abort();
        expiry.abort();
        transfers.abort();
        polls.abort();
        result
    }
}

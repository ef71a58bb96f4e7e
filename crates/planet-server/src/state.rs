//! What every request can reach: the store, the clock, the settings, the rate limits.

use crate::config::ServerConfig;
use crate::ratelimit::Limits;
use planet_domain::Clock;
use planet_store::Store;
use planet_store::queries::community::Community;
use std::sync::{Arc, RwLock};
use tokio::sync::Notify;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    store: Store,
    clock: Arc<dyn Clock>,
    config: ServerConfig,
    limits: Limits,
    community: RwLock<Option<Community>>,
    mail_waiting: Notify,
}

impl AppState {
    pub fn new(store: Store, clock: Arc<dyn Clock>, config: ServerConfig, community: Option<Community>) -> Self {
        Self(Arc::new(Inner {
            store,
            clock,
            config,
            limits: Limits::default(),
            community: RwLock::new(community),
            mail_waiting: Notify::new(),
        }))
    }

    pub fn store(&self) -> &Store {
        &self.0.store
    }

    pub fn db(&self) -> &planet_store::DatabaseConnection {
        self.0.store.db()
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.clock.now()
    }

    pub fn config(&self) -> &ServerConfig {
        &self.0.config
    }

    pub fn limits(&self) -> &Limits {
        &self.0.limits
    }

    /// The community, once set up (cached: it changes only at setup).
    pub fn community(&self) -> Option<Community> {
        self.0.community.read().map(|c| c.clone()).unwrap_or_else(|p| p.into_inner().clone())
    }

    pub fn is_set_up(&self) -> bool {
        self.community().is_some()
    }

    pub fn set_community(&self, community: Community) {
        match self.0.community.write() {
            Ok(mut slot) => *slot = Some(community),
            Err(poisoned) => *poisoned.into_inner() = Some(community),
        }
    }

    pub fn community_name(&self) -> String {
        self.community().map(|c| c.name).unwrap_or_else(|| "PlaNet".to_owned())
    }

    /// Tell the mail sender that a message is waiting.
    pub fn wake_mailer(&self) {
        self.0.mail_waiting.notify_one();
    }

    pub async fn mail_waiting(&self) {
        self.0.mail_waiting.notified().await;
    }
}

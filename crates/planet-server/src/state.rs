//! What every request can reach: the store, the clock, the settings, the rate limits.

use crate::cache::Caches;
use crate::config::ServerConfig;
use crate::ratelimit::Limits;
use planet_domain::trust::graph::TrustGraph;
use planet_domain::{Clock, MemberId, ProfileId};
use planet_store::Store;
use planet_store::queries::community::Community;
use std::sync::{Arc, RwLock};
use tokio::sync::Notify;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub(crate) struct Inner {
    store: Store,
    clock: Arc<dyn Clock>,
    config: ServerConfig,
    limits: Limits,
    community: RwLock<Option<Community>>,
    mail_waiting: Notify,
    caches: Caches,
    topic_pages: crate::cache::TopicPages,
    /// One directory load at a time: when the cache lapses under load, the others wait for it.
    directory_load: tokio::sync::Mutex<()>,
    trust: RwLock<TrustCache>,
    trust_load: tokio::sync::Mutex<()>,
    public_base: String,
    hub: Arc<crate::talk::live::Hub>,
    bells: Arc<crate::notify::bell::Bells>,
    ledger: crate::ledger::writer::Writer,
    ledger_cache: crate::ledger::cache::LedgerCache,
}

/// The trust network in memory (see `planet_domain::trust::graph`). Statements made or
/// withdrawn here update it in place; a change of someone's standing marks it stale; and it is
/// reloaded now and then so that changes made by another process show.
#[derive(Default)]
struct TrustCache {
    graph: Arc<TrustGraph<ProfileId>>,
    loaded: Option<std::time::Instant>,
    /// Counts every change and every "stale": a reload that saw the count move while it read
    /// the database does not count as fresh (it may have missed the change).
    changes: u64,
}

/// How long the trust network is trusted before it is read again (other processes' changes).
const TRUST_RELOAD: std::time::Duration = std::time::Duration::from_secs(60);

impl AppState {
    /// `public_base` is where members reach this server (links in emails start with it).
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        config: ServerConfig,
        community: Option<Community>,
        public_base: String,
    ) -> Self {
        Self(Arc::new(Inner {
            store,
            clock,
            config,
            limits: Limits::default(),
            community: RwLock::new(community),
            mail_waiting: Notify::new(),
            caches: Caches::default(),
            topic_pages: crate::cache::TopicPages::default(),
            directory_load: tokio::sync::Mutex::new(()),
            trust: RwLock::new(TrustCache::default()),
            trust_load: tokio::sync::Mutex::new(()),
            public_base,
            hub: Arc::default(),
            bells: Arc::default(),
            ledger: crate::ledger::writer::Writer::default(),
            ledger_cache: crate::ledger::cache::LedgerCache::default(),
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

    /// Where members reach this server, like `https://diss.example.org` (no trailing slash).
    pub fn public_base(&self) -> &str {
        &self.0.public_base
    }

    pub fn caches(&self) -> &Caches {
        &self.0.caches
    }

    /// Something was written: forget what the read caches hold.
    pub fn changed(&self) {
        self.0.caches.clear();
    }

    /// Someone was told something: their bell's count changed, nothing else cached did.
    pub fn told(&self) {
        self.0.caches.forget_sessions();
    }

    /// A handle that does not keep the state alive (for tasks that should end with it).
    pub(crate) fn downgrade(&self) -> std::sync::Weak<Inner> {
        Arc::downgrade(&self.0)
    }

    pub(crate) fn upgrade(weak: &std::sync::Weak<Inner>) -> Option<Self> {
        weak.upgrade().map(Self)
    }

    /// The accounts' read cache.
    pub(crate) fn ledger_cache(&self) -> &crate::ledger::cache::LedgerCache {
        &self.0.ledger_cache
    }

    /// The ledger's writer (group commit).
    pub(crate) fn ledger_writer(&self) -> &crate::ledger::writer::Writer {
        &self.0.ledger
    }

    /// Commit a use case's transaction, then forget cached reads.
    pub async fn commit(&self, txn: planet_store::DatabaseTransaction) -> Result<(), planet_store::DbErr> {
        txn.commit().await?;
        self.changed();
        Ok(())
    }

    /// The directory of spaces and memberships (cached; see `cache`).
    pub async fn directory(&self) -> planet_store::StoreResult<Arc<crate::cache::SpaceIndex>> {
        if let Some(directory) = self.0.caches.directory() {
            return Ok(directory);
        }
        let _loading = self.0.directory_load.lock().await;
        if let Some(directory) = self.0.caches.directory() {
            return Ok(directory);
        }
        let generation = self.0.caches.generation();
        let invited_since = self.now() - planet_domain::admission::SPACE_INVITATION_LIFETIME;
        let directory = planet_store::queries::spaces::directory(self.db(), invited_since).await?;
        let directory = Arc::new(crate::cache::SpaceIndex::new(directory));
        self.0.caches.remember_directory(generation, directory.clone());
        Ok(directory)
    }

    fn fresh_trust(&self) -> Option<Arc<TrustGraph<ProfileId>>> {
        let cache = self.0.trust.read().unwrap_or_else(|p| p.into_inner());
        cache.loaded.filter(|at| at.elapsed() < TRUST_RELOAD).map(|_| cache.graph.clone())
    }

    /// The trust network of usable statements.
    pub async fn trust_graph(&self) -> planet_store::StoreResult<Arc<TrustGraph<ProfileId>>> {
        if let Some(graph) = self.fresh_trust() {
            return Ok(graph);
        }
        let _loading = self.0.trust_load.lock().await;
        if let Some(graph) = self.fresh_trust() {
            return Ok(graph);
        }
        let started = std::time::Instant::now();
        let before = self.0.trust.read().unwrap_or_else(|p| p.into_inner()).changes;
        let edges = planet_store::queries::trust::usable_edges(self.db(), self.now()).await?;
        let graph = Arc::new(TrustGraph::from_edges(edges));
        let mut cache = self.0.trust.write().unwrap_or_else(|p| p.into_inner());
        let missed_nothing = cache.changes == before;
        cache.graph = graph.clone();
        cache.loaded = missed_nothing.then_some(started);
        Ok(graph)
    }

    /// Change the trust network in place after a committed statement change.
    pub fn update_trust(&self, change: impl FnOnce(&mut TrustGraph<ProfileId>)) {
        let mut cache = self.0.trust.write().unwrap_or_else(|p| p.into_inner());
        cache.changes += 1;
        if cache.loaded.is_some() {
            change(Arc::make_mut(&mut cache.graph));
        }
    }

    /// Someone's standing changed (admitted, suspended, removed): read the network again.
    pub fn trust_stale(&self) {
        let mut cache = self.0.trust.write().unwrap_or_else(|p| p.into_inner());
        cache.changes += 1;
        cache.loaded = None;
    }

    /// The open topics of this process (live talk).
    /// The latest page of the topics being read.
    pub fn topic_pages(&self) -> &crate::cache::TopicPages {
        &self.0.topic_pages
    }

    pub fn hub(&self) -> &Arc<crate::talk::live::Hub> {
        &self.0.hub
    }

    /// Tell every open page of a topic, in every process, about a committed change.
    pub fn bells(&self) -> &Arc<crate::notify::bell::Bells> {
        &self.0.bells
    }

    /// Ring members' bells (after the transaction that told them committed).
    pub async fn ring(&self, members: Vec<MemberId>) {
        if !members.is_empty() {
            crate::talk::live::ring(self, members).await;
        }
    }

    /// A member's open pages (None: everyone's) ask again whether they may still listen.
    pub async fn recheck(&self, who: Option<MemberId>) {
        crate::talk::live::recheck(self, who).await;
    }

    pub async fn announce(&self, announcement: crate::talk::live::Announcement) {
        crate::talk::live::announce(self, announcement).await;
    }

    /// Tell the mail sender that a message is waiting.
    pub fn wake_mailer(&self) {
        self.0.mail_waiting.notify_one();
    }

    pub async fn mail_waiting(&self) {
        self.0.mail_waiting.notified().await;
    }
}

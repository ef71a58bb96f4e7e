//! Read caches for the busiest paths: live sessions, the directory of spaces, and the latest
//! messages of the topics being read (`TopicPages`, checked against each topic's version).
//!
//! Every committed change in this process clears them (`AppState::changed`, called by
//! `AppState::commit`), so a process never serves what it has itself changed. Entries also
//! expire after `TTL`, which bounds how long a change made by *another* process (several
//! `planet serve` on one PostgreSQL) can go unseen here.

use planet_domain::policy::{SpaceFacts, SpaceLevel};
use planet_domain::space::Role;
use planet_domain::talk::Reaction;
use planet_domain::{MemberId, MessageId, SpaceId, TopicId};
use planet_store::queries::accounts::Member;
use planet_store::queries::spaces::Directory;
use planet_store::queries::synergy::FacetCount;
use planet_store::queries::talk::{Message, Topic};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

pub const TTL: Duration = Duration::from_secs(5);
const MAX_SESSIONS: usize = 20_000;

#[derive(Clone)]
struct SessionEntry {
    loaded: Instant,
    member: Member,
    last_seen: chrono::DateTime<chrono::Utc>,
    expires_at: chrono::DateTime<chrono::Utc>,
    unread: u64,
}

#[derive(Default)]
pub struct Caches {
    generation: AtomicU64,
    sessions: RwLock<HashMap<String, SessionEntry>>,
    directory: RwLock<Option<(Instant, Arc<SpaceIndex>)>>,
    /// The live listings counted by space, side, kind, category and area (browsing's counts
    /// and its list of areas).
    listing_facets: RwLock<Option<(Instant, Arc<Vec<FacetCount>>)>>,
    /// Held while the facets are counted, so that many requests wait for one count.
    pub listing_facets_loading: tokio::sync::Mutex<()>,
}

/// A cached session: the member, when it was last seen, when it expires, and how many
/// notifications they have not read (the bell on every page).
pub type CachedSession = (Member, chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>, u64);

impl Caches {
    /// The generation to hand back when remembering what is read now: if anything changes
    /// meanwhile, the read is not remembered.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Forget the sessions only (their unread counts changed; nothing else did).
    pub fn forget_sessions(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        match self.sessions.write() {
            Ok(mut sessions) => sessions.clear(),
            Err(poisoned) => poisoned.into_inner().clear(),
        }
    }

    /// Forget everything (something changed).
    pub fn clear(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        match self.sessions.write() {
            Ok(mut sessions) => sessions.clear(),
            Err(poisoned) => poisoned.into_inner().clear(),
        }
        match self.directory.write() {
            Ok(mut directory) => *directory = None,
            Err(poisoned) => *poisoned.into_inner() = None,
        }
        match self.listing_facets.write() {
            Ok(mut facets) => *facets = None,
            Err(poisoned) => *poisoned.into_inner() = None,
        }
    }

    pub fn listing_facets(&self) -> Option<Arc<Vec<FacetCount>>> {
        let facets = self.listing_facets.read().ok()?;
        let (loaded, facets) = facets.as_ref()?;
        (loaded.elapsed() < TTL).then(|| facets.clone())
    }

    pub fn remember_listing_facets(&self, generation: u64, facets: Arc<Vec<FacetCount>>) {
        let Ok(mut slot) = self.listing_facets.write() else { return };
        if self.generation() == generation {
            *slot = Some((Instant::now(), facets));
        }
    }

    pub fn session(&self, token_hash: &str) -> Option<CachedSession> {
        let sessions = self.sessions.read().ok()?;
        let entry = sessions.get(token_hash)?;
        (entry.loaded.elapsed() < TTL).then(|| (entry.member.clone(), entry.last_seen, entry.expires_at, entry.unread))
    }

    pub fn remember_session(&self, generation: u64, token_hash: &str, session: CachedSession) {
        let Ok(mut sessions) = self.sessions.write() else { return };
        if self.generation() != generation {
            return;
        }
        if sessions.len() >= MAX_SESSIONS {
            sessions.retain(|_, entry| entry.loaded.elapsed() < TTL);
        }
        let (member, last_seen, expires_at, unread) = session;
        sessions.insert(
            token_hash.to_owned(),
            SessionEntry { loaded: Instant::now(), member, last_seen, expires_at, unread },
        );
    }

    pub fn directory(&self) -> Option<Arc<SpaceIndex>> {
        let directory = self.directory.read().ok()?;
        let (loaded, directory) = directory.as_ref()?;
        (loaded.elapsed() < TTL).then(|| directory.clone())
    }

    pub fn remember_directory(&self, generation: u64, directory: Arc<SpaceIndex>) {
        let Ok(mut slot) = self.directory.write() else { return };
        if self.generation() == generation {
            *slot = Some((Instant::now(), directory));
        }
    }
}

/// The directory with what every page asks of it worked out once per change.
#[derive(Debug, Default)]
pub struct SpaceIndex {
    pub directory: Directory,
    /// Spaces in reading order (parents before children) with their depth.
    pub order: Vec<(usize, usize)>,
    /// For each space (by position), the positions of its chain from the root to itself.
    pub chains: Vec<Vec<usize>>,
    pub counts: HashMap<SpaceId, u64>,
    pub roles: HashMap<MemberId, HashMap<SpaceId, Role>>,
    pub invited: HashMap<MemberId, HashSet<SpaceId>>,
    /// Each space's position in `directory.spaces`.
    pub position: HashMap<SpaceId, usize>,
}

impl SpaceIndex {
    pub fn new(directory: Directory) -> Self {
        let position: HashMap<SpaceId, usize> = directory.spaces.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
        let mut children: HashMap<Option<SpaceId>, Vec<usize>> = HashMap::new();
        for (i, space) in directory.spaces.iter().enumerate() {
            children.entry(space.parent_id).or_default().push(i);
        }
        let mut order = Vec::with_capacity(directory.spaces.len());
        let mut stack: Vec<(usize, usize)> =
            children.get(&None).map(|roots| roots.iter().rev().map(|i| (*i, 0)).collect()).unwrap_or_default();
        while let Some((i, depth)) = stack.pop() {
            order.push((i, depth));
            if let Some(kids) = children.get(&Some(directory.spaces[i].id)) {
                stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
            }
        }
        let chains = directory
            .spaces
            .iter()
            .enumerate()
            .map(|(i, space)| {
                let mut chain = vec![i];
                let mut parent = space.parent_id;
                while let Some(p) = parent.and_then(|id| position.get(&id)) {
                    if chain.len() > 64 || chain.contains(p) {
                        break;
                    }
                    chain.push(*p);
                    parent = directory.spaces[*p].parent_id;
                }
                chain.reverse();
                chain
            })
            .collect();
        let mut counts = HashMap::new();
        let mut roles: HashMap<MemberId, HashMap<SpaceId, Role>> = HashMap::new();
        for m in &directory.memberships {
            *counts.entry(m.space).or_insert(0) += 1;
            roles.entry(m.member).or_default().insert(m.space, m.role);
        }
        let mut invited: HashMap<MemberId, HashSet<SpaceId>> = HashMap::new();
        for (space, member) in &directory.invitations {
            invited.entry(*member).or_default().insert(*space);
        }
        Self { directory, order, chains, counts, roles, invited, position }
    }

    /// The community's own space (the root of every chain), where private conversations live.
    pub fn root(&self) -> Option<SpaceId> {
        self.order.first().map(|(i, _)| self.directory.spaces[*i].id).filter(|_| !self.directory.spaces.is_empty())
    }

    /// The facts `authorize` needs about space number `i`, for one member.
    pub fn facts(&self, i: usize, member: MemberId) -> SpaceFacts {
        let roles = self.roles.get(&member);
        let invited = self.invited.get(&member);
        SpaceFacts {
            chain: self.chains[i]
                .iter()
                .map(|j| {
                    let space = &self.directory.spaces[*j];
                    SpaceLevel {
                        visibility: space.visibility,
                        join_policy: space.join_policy,
                        actor_role: roles.and_then(|r| r.get(&space.id)).copied(),
                        actor_invited: invited.is_some_and(|set| set.contains(&space.id)),
                    }
                })
                .collect(),
        }
    }
}

/// How long a topic's latest page is kept at most (a member's new name shows after this).
pub const PAGE_TTL: Duration = Duration::from_secs(300);
/// Topics kept at once; past this, the cache starts again.
const MAX_TOPICS: usize = 2_000;

/// A topic's latest page of messages as read at one version of the topic. Every change to its
/// messages or reactions counts the topic's version up in the same transaction, so a page is
/// known to be right from the topic's row alone, in every process on the database.
#[derive(Debug)]
pub struct LatestPage {
    pub version: i32,
    pub last_number: i32,
    loaded: Instant,
    /// The last messages (waiting ones too; each viewer sees what is theirs to see).
    pub messages: Vec<Message>,
    /// Who gave which reaction to each.
    pub reactors: HashMap<MessageId, Vec<(Reaction, Vec<MemberId>)>>,
    /// The topic has a published message (it is there for everyone who may read it).
    pub published: bool,
}

impl LatestPage {
    pub fn new(
        topic: &Topic,
        messages: Vec<Message>,
        reactors: HashMap<MessageId, Vec<(Reaction, Vec<MemberId>)>>,
        published: bool,
    ) -> Self {
        Self {
            version: topic.version,
            last_number: topic.last_number,
            loaded: Instant::now(),
            messages,
            reactors,
            published,
        }
    }
}

/// The latest page of the topics being read.
#[derive(Default)]
pub struct TopicPages {
    pages: RwLock<HashMap<TopicId, Arc<LatestPage>>>,
}

impl TopicPages {
    /// The topic's latest page, if it is what the topic's row says now.
    pub fn get(&self, topic: &Topic) -> Option<Arc<LatestPage>> {
        let pages = self.pages.read().ok()?;
        let page = pages.get(&topic.id)?;
        (page.version == topic.version && page.last_number == topic.last_number && page.loaded.elapsed() < PAGE_TTL)
            .then(|| page.clone())
    }

    pub fn remember(&self, topic: TopicId, page: Arc<LatestPage>) {
        let Ok(mut pages) = self.pages.write() else { return };
        if pages.len() >= MAX_TOPICS {
            pages.clear();
        }
        pages.insert(topic, page);
    }
}

//! Live talk: while a topic is open, new messages, edits, reactions and moderation reach every
//! open page without reloading (WebSocket), and the page shows who is there.
//!
//! A use case announces a change after its transaction commits. On PostgreSQL the announcement
//! goes through `NOTIFY planet_live` so that every `planet serve` process on the database hears
//! it (including this one); on SQLite this process delivers it itself. Delivering means: if
//! anyone here has the topic open, read the message once, render it once, and send the same
//! text to each of them. The protocol is described in ARCHITECTURE.md.

use crate::error::{AppError, AppResult};
use crate::identity::session::{Ctx, refresh};
use crate::state::AppState;
use axum::extract::ws::Utf8Bytes;
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use planet_domain::{MemberId, TopicId};
use planet_store::dialect::Listener;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// The PostgreSQL channel live talk (and the bell) use.
pub const CHANNEL: &str = "planet_live";
/// Members whose bells ring in one signal (NOTIFY payloads are kept well under 8,000 bytes).
const BELLS_PER_SIGNAL: usize = 100;
/// How many events a slow page may fall behind before it is told to reload.
const BACKLOG: usize = 256;
/// Each process says who has a topic open with it this often, and forgets what another process
/// said after `PRESENCE_LAPSE` (a process that stopped says nothing more).
const PRESENCE_EVERY: std::time::Duration = std::time::Duration::from_secs(20);
const PRESENCE_LAPSE: std::time::Duration = std::time::Duration::from_secs(60);
/// People named in one presence signal, at most (NOTIFY payloads stay small).
const PRESENCE_PEOPLE: usize = 60;

/// A change in a topic, as announced between processes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcement {
    pub topic: TopicId,
    pub number: i32,
    pub change: Change,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// A new message (or one just approved).
    Posted,
    /// A message edited, deleted, hidden, restored, or reacted to.
    Changed,
    /// A message gone back to waiting for approval: pages take it away.
    Withdrawn,
    /// The topic moved elsewhere: open pages reload (and are asked again who may see it).
    Closed,
}

impl Announcement {
    pub fn posted(topic: TopicId, number: i32) -> Self {
        Self { topic, number, change: Change::Posted }
    }

    pub fn changed(topic: TopicId, number: i32) -> Self {
        Self { topic, number, change: Change::Changed }
    }

    pub fn withdrawn(topic: TopicId, number: i32) -> Self {
        Self { topic, number, change: Change::Withdrawn }
    }

    pub fn closed(topic: TopicId) -> Self {
        Self { topic, number: 0, change: Change::Closed }
    }
}

/// What passes between processes: a change in a topic, or members whose bells ring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Signal {
    Talk(Announcement),
    Bells {
        bells: Vec<MemberId>,
    },
    /// Who has a topic open with one process (`people`: id and name).
    Presence {
        presence: TopicId,
        process: uuid::Uuid,
        people: Vec<(MemberId, String)>,
    },
    /// Ask a member's open pages (None: everyone's) whether they may still listen. Last: any
    /// object is one.
    Recheck {
        recheck: Option<MemberId>,
    },
}

/// What a page receives, as JSON text.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LiveEvent {
    /// A new message: its HTML, to add at the end.
    Posted { number: i32, html: String },
    /// A message to replace.
    Changed { number: i32, html: String },
    /// A message to take away.
    Withdrawn { number: i32 },
    /// Who has the topic open now.
    Presence { names: Vec<String> },
    /// The page fell behind: reload it.
    Reload,
}

struct Room {
    sender: broadcast::Sender<Utf8Bytes>,
    /// Who has the topic open in this process, with how many pages each.
    present: HashMap<MemberId, (String, usize)>,
}

/// What other processes said about who has a topic open with them, and when.
type Elsewhere = HashMap<TopicId, HashMap<uuid::Uuid, (Vec<(MemberId, String)>, std::time::Instant)>>;

/// The open topics of this process and who has them open.
pub struct Hub {
    rooms: Mutex<HashMap<TopicId, Room>>,
    /// Whose pages must ask again whether they may still listen (None: everyone's).
    rechecks: broadcast::Sender<Option<MemberId>>,
    /// This process, among the others on the database.
    process: uuid::Uuid,
    elsewhere: Mutex<Elsewhere>,
    /// Topics whose presence here changed (to tell the other processes).
    arrivals: broadcast::Sender<TopicId>,
}

impl Default for Hub {
    fn default() -> Self {
        Self {
            rooms: Mutex::default(),
            rechecks: broadcast::channel(64).0,
            process: uuid::Uuid::now_v7(),
            elsewhere: Mutex::default(),
            arrivals: broadcast::channel(1024).0,
        }
    }
}

/// One open page. Dropping it leaves the room.
pub struct Subscription {
    hub: Arc<Hub>,
    topic: TopicId,
    member: MemberId,
    pub receiver: broadcast::Receiver<Utf8Bytes>,
    /// What the page must hear before anything else (who is here), when the others were not told.
    pub hello: Option<Utf8Bytes>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.leave(self.topic, self.member);
    }
}

/// Encoded once; every page's copy shares the bytes.
fn encode(event: &LiveEvent) -> Utf8Bytes {
    Utf8Bytes::from(serde_json::to_string(event).unwrap_or_else(|_| "{\"kind\":\"reload\"}".to_owned()))
}

impl Hub {
    fn rooms(&self) -> std::sync::MutexGuard<'_, HashMap<TopicId, Room>> {
        self.rooms.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Open a topic's page for a member.
    pub fn subscribe(self: &Arc<Self>, topic: TopicId, member: MemberId, name: String) -> Subscription {
        let mut rooms = self.rooms();
        let room = rooms
            .entry(topic)
            .or_insert_with(|| Room { sender: broadcast::channel(BACKLOG).0, present: HashMap::new() });
        let receiver = room.sender.subscribe();
        let pages = &mut room.present.entry(member).or_insert((name, 0)).1;
        *pages += 1;
        // Everyone hears who is here when someone arrives; another page of someone already here
        // tells the others nothing new (and a thousand at once would be a storm), so only the
        // new page is told, first thing.
        let arrived = *pages == 1;
        let presence = self.presence(topic, room);
        if arrived {
            let _ = room.sender.send(presence.clone());
            let _ = self.arrivals.send(topic);
        }
        Subscription { hub: self.clone(), topic, member, receiver, hello: (!arrived).then_some(presence) }
    }

    fn leave(&self, topic: TopicId, member: MemberId) {
        let mut rooms = self.rooms();
        let Some(room) = rooms.get_mut(&topic) else { return };
        let mut left = false;
        if let Some(entry) = room.present.get_mut(&member) {
            entry.1 -= 1;
            if entry.1 == 0 {
                room.present.remove(&member);
                left = true;
            }
        }
        if room.present.is_empty() {
            rooms.remove(&topic);
        } else if left {
            let _ = room.sender.send(self.presence(topic, room));
        }
        if left {
            let _ = self.arrivals.send(topic);
        }
    }

    /// Who has the topic open, with this process and (lately said) with the others.
    fn presence(&self, topic: TopicId, room: &Room) -> Utf8Bytes {
        let mut people: HashMap<MemberId, String> =
            room.present.iter().map(|(id, (name, _))| (*id, name.clone())).collect();
        if let Some(others) = self.elsewhere().get(&topic) {
            for (said, at) in others.values() {
                if at.elapsed() < PRESENCE_LAPSE {
                    people.extend(said.iter().cloned());
                }
            }
        }
        let mut names: Vec<String> = people.into_values().collect();
        names.sort();
        encode(&LiveEvent::Presence { names })
    }

    fn elsewhere(&self) -> std::sync::MutexGuard<'_, Elsewhere> {
        self.elsewhere.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Who has the topic open with this process (to tell the others).
    pub fn people_here(&self, topic: TopicId) -> Vec<(MemberId, String)> {
        let rooms = self.rooms();
        let Some(room) = rooms.get(&topic) else { return Vec::new() };
        let mut people: Vec<(MemberId, String)> =
            room.present.iter().map(|(id, (name, _))| (*id, name.clone())).collect();
        people.sort_by(|a, b| a.1.cmp(&b.1));
        people.truncate(PRESENCE_PEOPLE);
        people
    }

    /// Another process said who has the topic open with it: pages here hear everyone.
    pub fn heard_presence(&self, topic: TopicId, process: uuid::Uuid, people: Vec<(MemberId, String)>) {
        if process == self.process {
            return;
        }
        {
            let mut elsewhere = self.elsewhere();
            let others = elsewhere.entry(topic).or_default();
            others.retain(|_, (_, at)| at.elapsed() < PRESENCE_LAPSE);
            if people.is_empty() {
                others.remove(&process);
            } else {
                others.insert(process, (people, std::time::Instant::now()));
            }
            if others.is_empty() {
                elsewhere.remove(&topic);
            }
        }
        if let Some(room) = self.rooms().get(&topic) {
            let _ = room.sender.send(self.presence(topic, room));
        }
    }

    /// Topics whose presence here changed.
    pub fn arrivals(&self) -> broadcast::Receiver<TopicId> {
        self.arrivals.subscribe()
    }

    /// The topics open here.
    pub fn open_topics(&self) -> Vec<TopicId> {
        self.rooms().keys().copied().collect()
    }

    /// Whether anyone here has the topic open.
    pub fn is_open(&self, topic: TopicId) -> bool {
        self.rooms().contains_key(&topic)
    }

    /// Send an event to every page open on the topic here.
    pub fn send(&self, topic: TopicId, event: &LiveEvent) {
        if let Some(room) = self.rooms().get(&topic) {
            let _ = room.sender.send(encode(event));
        }
    }

    /// Tell every page open on the topic here to reload, and let go of them.
    pub fn close(&self, topic: TopicId) {
        if let Some(room) = self.rooms().remove(&topic) {
            let _ = room.sender.send(encode(&LiveEvent::Reload));
        }
    }

    /// Send every open page to reload (what it may have missed is then read again).
    pub fn close_all(&self) {
        for (_, room) in self.rooms().drain() {
            let _ = room.sender.send(encode(&LiveEvent::Reload));
        }
    }

    /// Hear when pages must ask again whether they may still listen.
    pub fn rechecks(&self) -> broadcast::Receiver<Option<MemberId>> {
        self.rechecks.subscribe()
    }

    /// Tell a member's open pages (None: everyone's) to ask again.
    pub fn recheck(&self, who: Option<MemberId>) {
        let _ = self.rechecks.send(who);
    }

    /// Open pages, for the figures in BENCHMARKS.md.
    pub fn open_pages(&self) -> usize {
        self.rooms().values().map(|room| room.sender.receiver_count()).sum()
    }
}

/// Deliver an announcement to the pages open here: the message is read and rendered once.
pub async fn deliver(state: &AppState, announcement: Announcement) {
    let (topic, number) = (announcement.topic, announcement.number);
    if !state.hub().is_open(topic) {
        return;
    }
    let html = match announcement.change {
        Change::Closed => return state.hub().close(topic),
        Change::Withdrawn => return state.hub().send(topic, &LiveEvent::Withdrawn { number }),
        Change::Posted | Change::Changed => super::pages::live_fragment(state, topic, number).await,
    };
    match html {
        Ok(Some(html)) if announcement.change == Change::Posted => {
            state.hub().send(topic, &LiveEvent::Posted { number, html })
        }
        Ok(Some(html)) => state.hub().send(topic, &LiveEvent::Changed { number, html }),
        Ok(None) => {}
        Err(err) => tracing::warn!("live talk: cannot render message {number}: {err:?}"),
    }
}

/// Announce a change after its transaction committed.
pub async fn announce(state: &AppState, announcement: Announcement) {
    signal(state, Signal::Talk(announcement)).await;
}

/// Ring members' bells after the transaction that told them committed.
pub async fn ring(state: &AppState, members: Vec<MemberId>) {
    for chunk in members.chunks(BELLS_PER_SIGNAL) {
        signal(state, Signal::Bells { bells: chunk.to_vec() }).await;
    }
}

async fn receive(state: &AppState, signal: Signal) {
    match signal {
        Signal::Talk(announcement) => deliver(state, announcement).await,
        Signal::Bells { bells } => {
            for member in bells {
                crate::notify::bell::deliver(state, member).await;
            }
        }
        Signal::Presence { presence, process, people } => state.hub().heard_presence(presence, process, people),
        Signal::Recheck { recheck } => {
            // Someone's standing changed somewhere: what this process remembers of the
            // directory and of sessions is read again before the pages ask.
            state.changed();
            state.hub().recheck(recheck)
        }
    }
}

/// After a member left a group, was suspended or removed, or a group's visibility changed: their
/// open pages (None: everyone's) ask again whether they may still listen, and stop if not.
pub async fn recheck(state: &AppState, who: Option<MemberId>) {
    signal(state, Signal::Recheck { recheck: who }).await;
}

async fn signal(state: &AppState, signal: Signal) {
    let payload = serde_json::to_string(&signal).unwrap_or_default();
    match planet_store::dialect::notify(state.db(), CHANNEL, &payload).await {
        Ok(true) => {}
        Ok(false) => receive(state, signal).await,
        Err(err) => {
            // The other processes miss it; this one still delivers (pages reload in the end).
            tracing::warn!("live talk: NOTIFY failed: {err}");
            receive(state, signal).await;
        }
    }
}

/// Tell the other processes (PostgreSQL) who has a topic open here: when someone arrives or
/// leaves, and every `PRESENCE_EVERY` for every open topic (what they heard lapses otherwise).
/// On SQLite one process serves everything: nothing to tell.
pub async fn share_presence(state: AppState) {
    if state.store().backend() != planet_store::Backend::Postgres {
        return;
    }
    let mut arrivals = state.hub().arrivals();
    let mut beat = tokio::time::interval(PRESENCE_EVERY);
    loop {
        let topics = tokio::select! {
            arrived = arrivals.recv() => match arrived {
                Ok(topic) => vec![topic],
                Err(broadcast::error::RecvError::Lagged(_)) => state.hub().open_topics(),
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = beat.tick() => state.hub().open_topics(),
        };
        for topic in topics {
            let people = state.hub().people_here(topic);
            let process = state.hub().process;
            signal(&state, Signal::Presence { presence: topic, process, people }).await;
        }
    }
}

/// Hear the other processes' announcements (PostgreSQL); returns at once on SQLite.
pub async fn listen(state: AppState) {
    let mut deaf = false;
    loop {
        match Listener::start(state.db(), CHANNEL).await {
            Ok(None) => return,
            Ok(Some(mut listener)) => loop {
                if std::mem::take(&mut deaf) {
                    // While not listening, other processes' news was missed: open pages reload
                    // (and catch up), and what is remembered is read again.
                    tracing::info!("live talk: listening again; open pages reload");
                    state.changed();
                    state.hub().close_all();
                }
                match listener.next().await {
                    Ok(payload) => match serde_json::from_str::<Signal>(&payload) {
                        Ok(signal) => receive(&state, signal).await,
                        Err(err) => tracing::warn!("live talk: a notification we cannot read: {err}"),
                    },
                    Err(err) => {
                        tracing::warn!("live talk: listening failed: {err}");
                        deaf = true;
                        break;
                    }
                }
            },
            Err(err) => {
                tracing::warn!("live talk: cannot listen: {err}");
                deaf = true;
            }
        }
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    }
}

/// A WebSocket asked for from another site could act with the member's cookie: refuse it.
pub(crate) fn same_origin(headers: &HeaderMap) -> AppResult<()> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let origin_host = origin.split("://").nth(1).unwrap_or_default();
    if origin_host == host {
        Ok(())
    } else {
        Err(AppError::Refused {
            status: StatusCode::FORBIDDEN,
            code: "cross_site",
            message: "Not from this site.".into(),
        })
    }
}

/// The live connection of an open topic page. Asked like the page itself: whoever may not see
/// the topic gets the same answer as for the page.
pub async fn socket(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> AppResult<Response> {
    let (topic, _) = super::service::topic_place(&state, &ctx, &id).await?;
    same_origin(&headers)?;
    let member = ctx.member()?.clone();
    let upgrade = page_upgrade(upgrade)?;
    let subscription = state.hub().subscribe(topic.id, member.id, member.name);
    let asked = Asked { member: member.id, rechecks: state.hub().rechecks() };
    let may_listen = move || {
        let (state, ctx, id) = (state.clone(), ctx.clone(), id.clone());
        async move {
            match refresh(&state, &ctx).await {
                Some(fresh) => super::service::topic_place(&state, &fresh, &id).await.is_ok(),
                None => false,
            }
        }
    };
    Ok(upgrade.on_upgrade(move |socket| pump(socket, subscription, asked, may_listen)))
}

async fn pump<F, Fut>(socket: WebSocket, mut subscription: Subscription, asked: Asked, may_listen: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let hello = subscription.hello.take();
    // Held until the page goes: dropping it leaves the room.
    let reload = Some(Utf8Bytes::from_static(RELOAD));
    forward(socket, &mut subscription.receiver, hello, reload, asked, may_listen).await;
}

const RELOAD: &str = r#"{"kind":"reload"}"#;

/// Whose page it is, and where it hears that it must ask again whether it may still listen.
pub(crate) struct Asked {
    pub member: MemberId,
    pub rechecks: broadcast::Receiver<Option<MemberId>>,
}

/// The upgrade of a page's live connection, refused politely when the request was not one.
/// Pages only listen: small buffers keep an open page cheap.
pub(crate) fn page_upgrade(
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> AppResult<WebSocketUpgrade> {
    let Ok(upgrade) = upgrade else {
        return Err(AppError::Refused {
            status: StatusCode::BAD_REQUEST,
            code: "websocket_required",
            message: "This address is for the page's live updates.".into(),
        });
    };
    Ok(upgrade.max_message_size(4096).read_buffer_size(4096).write_buffer_size(0))
}

/// Send a page `hello`, then everything it is told, until either side goes. A page that falls
/// behind gets `on_lag` (None: it skips to what comes next).
/// When the member's standing may have changed (`asked`), `may_listen` is asked again; if not,
/// the page is told to reload (and so is answered like any other request) and let go.
pub(crate) async fn forward<F, Fut>(
    mut socket: WebSocket,
    receiver: &mut broadcast::Receiver<Utf8Bytes>,
    hello: Option<Utf8Bytes>,
    on_lag: Option<Utf8Bytes>,
    mut asked: Asked,
    may_listen: F,
) where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    use tokio::sync::broadcast::error::RecvError;
    if let Some(hello) = hello
        && socket.send(WsMessage::Text(hello)).await.is_err()
    {
        return;
    }
    loop {
        tokio::select! {
            event = receiver.recv() => {
                let text = match event {
                    Ok(text) => text,
                    Err(RecvError::Lagged(_)) => match &on_lag {
                        Some(text) => text.clone(),
                        None => continue,
                    },
                    Err(RecvError::Closed) => break,
                };
                if socket.send(WsMessage::Text(text)).await.is_err() {
                    break;
                }
            }
            who = asked.rechecks.recv() => {
                let concerned = match who {
                    Ok(who) => who.is_none_or(|m| m == asked.member),
                    Err(RecvError::Lagged(_)) => true,
                    Err(RecvError::Closed) => false,
                };
                if concerned && !may_listen().await {
                    let _ = socket.send(WsMessage::Text(Utf8Bytes::from_static(RELOAD))).await;
                    break;
                }
            }
            incoming = socket.recv() => match incoming {
                // Pages send nothing but pings; anything else is ignored.
                Some(Ok(WsMessage::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_follows_open_pages() {
        let hub = Arc::new(Hub::default());
        let topic = TopicId::new_v7();
        let (ann, bob) = (MemberId::new_v7(), MemberId::new_v7());
        let mut first = hub.subscribe(topic, ann, "Ann".into());
        assert!(first.hello.is_none(), "the others (and this page) heard it");
        let second = hub.subscribe(topic, ann, "Ann".into());
        // Ann's second page changes nothing for the others: only that page is told.
        let second_hello_was_sent = second.hello.as_ref().is_some_and(|h| h.as_str().contains("Ann"));
        let third = hub.subscribe(topic, bob, "Bob".into());
        assert_eq!(hub.open_pages(), 3);
        drop(third);
        drop(second);
        let mut last = String::new();
        while let Ok(text) = first.receiver.try_recv() {
            last = text.to_string();
        }
        assert!(second_hello_was_sent);
        assert_eq!(last, r#"{"kind":"presence","names":["Ann"]}"#);
        drop(first);
        assert!(!hub.is_open(topic));
    }

    #[test]
    fn presence_joins_what_other_processes_say() {
        let hub = Arc::new(Hub::default());
        let topic = TopicId::new_v7();
        let (ann, bob) = (MemberId::new_v7(), MemberId::new_v7());
        let mut page = hub.subscribe(topic, ann, "Ann".into());
        let mut arrivals = hub.arrivals();
        let elsewhere = uuid::Uuid::now_v7();
        // Another process has Bob (and Ann, on another device): each named once.
        hub.heard_presence(topic, elsewhere, vec![(bob, "Bob".into()), (ann, "Ann".into())]);
        let mut last = String::new();
        while let Ok(text) = page.receiver.try_recv() {
            last = text.to_string();
        }
        assert_eq!(last, r#"{"kind":"presence","names":["Ann","Bob"]}"#);
        // What this process said itself is not heard back; the other's pages closing is.
        hub.heard_presence(topic, hub.process, Vec::new());
        hub.heard_presence(topic, elsewhere, Vec::new());
        while let Ok(text) = page.receiver.try_recv() {
            last = text.to_string();
        }
        assert_eq!(last, r#"{"kind":"presence","names":["Ann"]}"#);
        assert_eq!(hub.people_here(topic), vec![(ann, "Ann".to_owned())]);
        // A page leaving here is told to the others.
        let other = hub.subscribe(topic, bob, "Bob".into());
        drop(other);
        assert_eq!(arrivals.try_recv().ok(), Some(topic));
    }
}

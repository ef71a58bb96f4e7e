//! The bell: every page a member has open shows how many notifications they have not read, and
//! the number changes while the page is open (WebSocket `/notifications/live`).
//!
//! After a use case tells someone, it rings their bell: on PostgreSQL through the same
//! `NOTIFY` as live talk (so the process holding the member's page hears it), on SQLite
//! directly. Ringing reads the member's count once and sends it to each of their pages here.

use crate::error::AppResult;
use crate::identity::session::{Ctx, refresh};
use crate::state::AppState;
use crate::talk::live::{Asked, forward, page_upgrade, same_origin};
use axum::extract::State;
use axum::extract::ws::{Utf8Bytes, WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::http::HeaderMap;
use axum::response::Response;
use planet_domain::MemberId;
use planet_domain::policy::Action;
use planet_store::queries::notifications;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// The members with pages open in this process.
#[derive(Default)]
pub struct Bells {
    members: Mutex<HashMap<MemberId, broadcast::Sender<Utf8Bytes>>>,
}

/// One open page. Dropping it lets go of the member when it was their last.
pub struct Ear {
    bells: Arc<Bells>,
    member: MemberId,
    pub receiver: broadcast::Receiver<Utf8Bytes>,
}

impl Drop for Ear {
    fn drop(&mut self) {
        let mut members = self.bells.members();
        if members.get(&self.member).is_some_and(|sender| sender.receiver_count() <= 1) {
            members.remove(&self.member);
        }
    }
}

impl Bells {
    fn members(&self) -> std::sync::MutexGuard<'_, HashMap<MemberId, broadcast::Sender<Utf8Bytes>>> {
        self.members.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn listen(self: &Arc<Self>, member: MemberId) -> Ear {
        let receiver = self.members().entry(member).or_insert_with(|| broadcast::channel(8).0).subscribe();
        Ear { bells: self.clone(), member, receiver }
    }

    pub fn is_open(&self, member: MemberId) -> bool {
        self.members().contains_key(&member)
    }

    fn send(&self, member: MemberId, text: Utf8Bytes) {
        if let Some(sender) = self.members().get(&member) {
            let _ = sender.send(text);
        }
    }
}

fn count_event(unread: u64) -> Utf8Bytes {
    Utf8Bytes::from(format!(r#"{{"kind":"bell","unread":{unread}}}"#))
}

/// Ring a member's bell on the pages they have open here.
pub async fn deliver(state: &AppState, member: MemberId) {
    if !state.bells().is_open(member) {
        return;
    }
    match notifications::unread_count(state.db(), member).await {
        Ok(unread) => state.bells().send(member, count_event(unread)),
        Err(err) => tracing::warn!("bell: cannot count notifications: {err}"),
    }
}

/// The live connection of the bell on any page of a member.
pub async fn socket(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> AppResult<Response> {
    ctx.require(Action::ViewCommunity)?;
    same_origin(&headers)?;
    let member = ctx.member()?.id;
    let upgrade = page_upgrade(upgrade)?;
    let mut ear = state.bells().listen(member);
    // The count as it is now, first: the page may have been made before something changed.
    let hello = count_event(notifications::unread_count(state.db(), member).await?);
    let asked = Asked { member, rechecks: state.hub().rechecks() };
    let may_listen = move || {
        let (state, ctx) = (state.clone(), ctx.clone());
        async move { refresh(&state, &ctx).await.is_some_and(|fresh| fresh.require(Action::ViewCommunity).is_ok()) }
    };
    // Only the latest count matters: a page that fell behind skips to it.
    Ok(upgrade.on_upgrade(move |socket| async move {
        forward(socket, &mut ear.receiver, Some(hello), None, asked, may_listen).await
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_is_let_go_with_their_last_page() {
        let bells = Arc::new(Bells::default());
        let ann = MemberId::new_v7();
        let first = bells.listen(ann);
        let mut second = bells.listen(ann);
        drop(first);
        assert!(bells.is_open(ann));
        bells.send(ann, count_event(3));
        assert_eq!(
            second.receiver.try_recv().map(|t| t.to_string()).ok().as_deref(),
            Some(r#"{"kind":"bell","unread":3}"#)
        );
        drop(second);
        assert!(!bells.is_open(ann));
    }
}

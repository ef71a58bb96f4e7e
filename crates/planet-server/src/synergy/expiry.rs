//! The listings' clock: closing those whose time ran out, reminding their posters two days
//! before, and chasing up promises left for a week — each once.

use crate::error::AppResult;
use crate::notify::service::tell_listing;
use crate::state::AppState;
use planet_domain::notification::NotificationKind;
use planet_domain::synergy as rules;
use planet_store::queries::synergy as listings;
use planet_store::queries::synergy::deals;

/// Close listings whose time ran out, remind posters two days before, and chase up promises
/// left hanging. Returns how many members were told.
pub async fn expire_and_remind(state: &AppState) -> AppResult<usize> {
    let now = state.now();
    let txn = state.store().begin().await?;
    let mut told = Vec::new();
    for (listing, member) in listings::expire_due(&txn, now).await? {
        let title = listings::get(&txn, listing).await?.map(|l| l.title).unwrap_or_default();
        told.extend(tell_listing(state, &txn, &[member], listing, &title, NotificationKind::Expired, None).await?);
    }
    for (listing, member) in listings::claim_reminders(&txn, now + rules::REMINDER_BEFORE, now).await? {
        let title = listings::get(&txn, listing).await?.map(|l| l.title).unwrap_or_default();
        told.extend(tell_listing(state, &txn, &[member], listing, &title, NotificationKind::Expiring, None).await?);
    }
    // A promise a week old that neither side has marked done or called off: ask them both, once.
    for deal in deals::claim_stale(&txn, now - rules::STALE_PROMISE, now).await? {
        let Some(listing) = listings::get(&txn, deal.listing).await? else { continue };
        let sides = [deal.poster, deal.other];
        told.extend(super::deals::tell(state, &txn, &sides, &listing, None, NotificationKind::Chase).await?);
    }
    state.commit(txn).await?;
    let count = told.len();
    if count > 0 {
        state.changed();
        state.ring(told).await;
        state.wake_mailer();
    }
    Ok(count)
}

/// Close and remind every ten minutes until the server stops.
pub async fn run_expiry(state: AppState) {
    loop {
        if let Err(err) = expire_and_remind(&state).await {
            tracing::warn!("listing expiry: {err:?}");
        }
        tokio::time::sleep(std::time::Duration::from_secs(600)).await;
    }
}

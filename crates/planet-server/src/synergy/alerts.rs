//! Alerts: saved searches (a member is told of each new listing that answers one) and a
//! member's secret feed link, for an Atom feed of a space's new offers in a feed reader.
//! The link is kept only as its hash: it is shown once, and a new one stops the old.

use super::browse::{BrowseForm, filter_of};
use crate::access::require_space_cached;
use crate::error::{AppError, AppResult};
use crate::identity::crypto::{random_token, token_hash};
use crate::identity::session::{Ctx, actor_for};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use planet_domain::SpaceId;
use planet_domain::policy::Action;
use planet_domain::space::AccountStatus;
use planet_domain::synergy::Side;
use planet_store::queries::accounts;
use planet_store::queries::synergy::alerts::{self, SavedSearch};
use planet_store::queries::synergy::{self as listings, Browse, Card};
use uuid::Uuid;

/// Saved searches one member may keep.
const MOST_SAVED: u64 = 20;
/// Offers a feed shows.
const FEED_SIZE: u64 = 50;

/// Save the search a member is looking at, to be told of new listings that answer it.
pub async fn save_search(state: &AppState, ctx: &Ctx, form: &BrowseForm) -> AppResult<()> {
    ctx.require(Action::ViewCommunity)?;
    let me = ctx.member()?.id;
    if form.filter().is_empty() {
        return Err(AppError::invalid("q", "search_empty", "Search for something first, then save the search."));
    }
    if alerts::count_of(state.db(), me).await? >= MOST_SAVED {
        return Err(AppError::refused(
            "too_many_searches",
            format!("You can keep up to {MOST_SAVED} saved searches. Delete one first."),
        ));
    }
    let query = BrowseForm { page: 0, trusted: String::new(), ..form.clone() }.query();
    alerts::save(state.db(), me, &query, state.now()).await?;
    Ok(())
}

pub async fn saved_searches(state: &AppState, ctx: &Ctx) -> AppResult<Vec<SavedSearch>> {
    ctx.require(Action::ViewCommunity)?;
    Ok(alerts::of_member(state.db(), ctx.member()?.id).await?)
}

pub async fn delete_search(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<()> {
    ctx.require(Action::ViewCommunity)?;
    let id: Uuid = id.parse().map_err(|_| AppError::not_found())?;
    if !alerts::delete(state.db(), ctx.member()?.id, id).await? {
        return Err(AppError::not_found());
    }
    Ok(())
}

/// Whether a saved search (as a query string) still says anything (for the list's words).
pub fn describes_something(query: &str) -> bool {
    !filter_of(query).is_empty()
}

/// When the member's feed link was made, if they have one.
pub async fn feed_link_made(state: &AppState, ctx: &Ctx) -> AppResult<Option<DateTime<Utc>>> {
    ctx.require(Action::ManageOwnAccount)?;
    Ok(alerts::feed_token_made(state.db(), ctx.member()?.id).await?)
}

/// A new secret feed link; any earlier one stops working. Returns the token, shown once.
pub async fn new_feed_link(state: &AppState, ctx: &Ctx) -> AppResult<String> {
    ctx.require(Action::ManageOwnAccount)?;
    let token = random_token();
    alerts::set_feed_token(state.db(), ctx.member()?.id, &token_hash(&token), state.now()).await?;
    Ok(token)
}

pub async fn revoke_feed_link(state: &AppState, ctx: &Ctx) -> AppResult<bool> {
    ctx.require(Action::ManageOwnAccount)?;
    Ok(alerts::revoke_feed_token(state.db(), ctx.member()?.id).await?)
}

/// A feed: the space's name and its newest open offers.
pub struct Feed {
    pub space: SpaceId,
    pub space_name: String,
    pub offers: Vec<Card>,
    pub updated: DateTime<Utc>,
}

/// The newest offers in a space, for whoever holds the feed link — as that member sees them:
/// a link that is unknown, revoked, or whose member may no longer see the space, is not found.
pub async fn feed(state: &AppState, token: &str, space: &str) -> AppResult<Feed> {
    let owner = alerts::feed_token_owner(state.db(), &token_hash(token)).await?.ok_or_else(AppError::not_found)?;
    let member = accounts::members_by_ids(state.db(), &[owner]).await?.pop().ok_or_else(AppError::not_found)?;
    if member.status != AccountStatus::Member {
        return Err(AppError::not_found());
    }
    let ctx = Ctx {
        actor: actor_for(&member),
        member: Some(member),
        session: None,
        community: state.community_name(),
        flash: None,
        now: state.now(),
        unread: 0,
    };
    let space: SpaceId = space.parse().map_err(|_| AppError::not_found())?;
    // Whoever may no longer see inside the space learns nothing from the link.
    let access =
        require_space_cached(state, &ctx, Action::ViewSpaceContent, space).await.map_err(|_| AppError::not_found())?;
    let query = Browse { spaces: vec![space], side: Some(Side::Offer), ..Browse::default() };
    let offers = listings::browse(state.db(), &query, FEED_SIZE, 0).await?;
    let updated = offers.first().map_or(ctx.now, |c| c.created_at);
    Ok(Feed { space, space_name: access.space().name.clone(), offers, updated })
}

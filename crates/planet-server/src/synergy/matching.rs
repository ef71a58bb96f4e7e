//! Matching: when a listing goes up, the members whose open listings on the other side it
//! answers (same category, a shared word of title or tags) are told, and so are those whose
//! saved searches it answers — each only if they may see the new listing, and never about
//! someone they blocked.

use crate::access::facts_for;
use crate::error::AppResult;
use crate::identity::session::actor_for;
use crate::notify::service::tell_listing;
use crate::state::AppState;
use planet_domain::MemberId;
use planet_domain::notification::NotificationKind;
use planet_domain::policy::{Action, ListingFacts, Resource, authorize};
use planet_domain::synergy::Side;
use planet_domain::synergy::words::{MatchFacts, Searched, matches};
use planet_store::ConnectionTrait;
use planet_store::queries::accounts;
use planet_store::queries::spaces;
use planet_store::queries::synergy::{self as listings, Listing, ListingWords, alerts};
use std::collections::{BTreeSet, HashSet};

/// At most this many members are told about one new listing.
const MOST_TOLD: usize = 50;

fn other(side: Side) -> Side {
    match side {
        Side::Offer => Side::Want,
        Side::Want => Side::Offer,
    }
}

/// Tell the posters of open listings that `listing` answers, and the members whose saved
/// searches it answers. Returns whom to ring.
pub async fn tell(
    state: &AppState,
    db: &impl ConnectionTrait,
    listing: &Listing,
    words: &ListingWords,
) -> AppResult<Vec<MemberId>> {
    // A listing moderators took down is news to nobody.
    if listing.hidden {
        return Ok(Vec::new());
    }
    let poster = accounts::members_by_ids(db, &[listing.member]).await?.pop();
    let matched = matched(db, listing, &words.keywords).await?;
    let mut told =
        tell_listing(state, db, &matched, listing.id, &listing.title, NotificationKind::Match, poster.as_ref()).await?;
    let searching: Vec<MemberId> =
        searching(db, listing, &words.all).await?.into_iter().filter(|m| !matched.contains(m)).collect();
    let kind = NotificationKind::SavedSearch;
    told.extend(tell_listing(state, db, &searching, listing.id, &listing.title, kind, poster.as_ref()).await?);
    Ok(told)
}

/// The members whose saved searches the listing answers (and who may see it).
async fn searching(db: &impl ConnectionTrait, listing: &Listing, words: &BTreeSet<String>) -> AppResult<Vec<MemberId>> {
    let searched = Searched {
        side: listing.side,
        kind: listing.kind,
        category: listing.category.uuid(),
        area: &listing.area,
        space: listing.space.uuid(),
        words,
    };
    let mut wanted: Vec<MemberId> = Vec::new();
    for saved in alerts::all(db).await? {
        if saved.member != listing.member
            && !wanted.contains(&saved.member)
            && super::browse::filter_of(&saved.query).answers(&searched)
        {
            wanted.push(saved.member);
        }
    }
    let able = who_may_see(db, listing, &wanted).await?;
    wanted.retain(|m| able.contains(m));
    wanted.truncate(MOST_TOLD);
    Ok(wanted)
}

/// The posters of open listings on the other side that this one answers (and who may see it).
async fn matched(
    db: &impl ConnectionTrait,
    listing: &Listing,
    keywords: &BTreeSet<String>,
) -> AppResult<Vec<MemberId>> {
    let found = listings::candidates(db, other(listing.side), listing.category, keywords, listing.member).await?;
    let new = MatchFacts { side: listing.side, kind: listing.kind, category: listing.category.uuid(), keywords };
    let mut wanted: Vec<MemberId> = Vec::new();
    for candidate in &found {
        let theirs = MatchFacts {
            side: other(listing.side),
            kind: candidate.kind,
            category: listing.category.uuid(),
            keywords: &candidate.keywords,
        };
        if matches(&new, &theirs) && !wanted.contains(&candidate.member) {
            wanted.push(candidate.member);
        }
    }
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let able = who_may_see(db, listing, &wanted).await?;
    wanted.retain(|m| able.contains(m));
    wanted.truncate(MOST_TOLD);
    Ok(wanted)
}

/// Of some members, those who may see the listing, by the one authorization path.
pub(crate) async fn who_may_see(
    db: &impl ConnectionTrait,
    listing: &Listing,
    ids: &[MemberId],
) -> AppResult<HashSet<MemberId>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let chain = spaces::chain(db, listing.space).await?;
    let chain_ids: Vec<_> = chain.iter().map(|s| s.id).collect();
    let roles = spaces::roles_of_many(db, ids, &chain_ids).await?;
    let none = std::collections::HashMap::new();
    Ok(accounts::members_by_ids(db, ids)
        .await?
        .into_iter()
        .filter(|member| {
            let facts = facts_for(&chain, roles.get(&member.id).unwrap_or(&none), &HashSet::new());
            let about = ListingFacts { space: &facts, actor_posted: false, actor_promised: false };
            authorize(actor_for(member), Action::ReadListing, Resource::Listing(about)).is_allowed()
        })
        .map(|member| member.id)
        .collect())
}

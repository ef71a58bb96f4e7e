//! Browsing and searching offers and wants: the filters, the word index, the counts kept
//! in memory (facets), the member's own listings, and saved searches' filters.

use crate::error::{AppError, AppResult};
use crate::identity::session::Ctx;
use crate::state::AppState;
use crate::talk::sight::sight;
use planet_domain::synergy::words::{SearchFilter, words};
use planet_domain::synergy::{ListingKind, ListingStatus, Side};
use planet_domain::{ListingId, SpaceId};
use planet_store::queries::synergy::deals;
use planet_store::queries::synergy::{self as listings, Browse, Card, Category};
use planet_store::queries::trust;
use std::collections::HashMap;

/// Listings a page of browsing shows.
pub const PAGE_SIZE: u64 = 24;
/// A browse counts its listings up to this many ("more than 1,000").
pub const COUNT_UP_TO: u64 = 1001;

/// What a browse asks, as typed in the filters.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct BrowseForm {
    pub side: String,
    pub kind: String,
    pub category: String,
    pub area: String,
    pub space: String,
    pub q: String,
    /// "1": only from people I trust.
    pub trusted: String,
    pub page: u64,
}

impl BrowseForm {
    /// The search as a query string (without the page), for links and saved searches.
    pub fn query(&self) -> String {
        crate::web::forms::query_string(&[
            ("side", &self.side),
            ("kind", &self.kind),
            ("category", &self.category),
            ("area", &self.area),
            ("space", &self.space),
            ("q", &self.q),
            ("trusted", &self.trusted),
        ])
    }

    /// What a saved search looks for.
    pub fn filter(&self) -> SearchFilter {
        SearchFilter {
            side: Side::parse(&self.side),
            kind: ListingKind::parse(&self.kind),
            category: self.category.parse().ok(),
            area: Some(self.area.trim().to_owned()).filter(|a| !a.is_empty()),
            space: self.space.parse().ok(),
            words: search_words(&self.q),
        }
    }
}

fn search_words(q: &str) -> Vec<String> {
    words(&q.chars().take(200).collect::<String>()).into_iter().take(8).collect()
}

/// A saved search's filter, from its query string.
pub fn filter_of(query: &str) -> SearchFilter {
    let form: BrowseForm = parse_query(query);
    form.filter()
}

fn parse_query(query: &str) -> BrowseForm {
    axum::extract::Query::<BrowseForm>::try_from_uri(&format!("/?{query}").parse().unwrap_or_default())
        .map(|q| q.0)
        .unwrap_or_default()
}

pub struct Browsed {
    pub cards: Vec<Card>,
    pub total: u64,
    pub categories: Vec<Category>,
    pub spaces: Vec<(SpaceId, String)>,
    pub areas: Vec<String>,
    /// How many said they are interested, per listing.
    pub interest: HashMap<ListingId, u64>,
    /// The member looks after some space (and may see reported listings).
    pub moderates: bool,
}

/// Browse and search the open listings in every space the member may see inside.
pub async fn browse(state: &AppState, ctx: &Ctx, form: &BrowseForm) -> AppResult<Browsed> {
    let sight = crate::talk::sight::spaces_seen(state, ctx).await?;
    let me = ctx.member()?.id;
    if form.page > 10_000 {
        return Err(AppError::not_found());
    }
    let mut query = Browse {
        spaces: sight.spaces.clone(),
        side: Side::parse(&form.side),
        kind: ListingKind::parse(&form.kind),
        category: form.category.parse().ok(),
        area: Some(form.area.trim().to_owned()).filter(|a| !a.is_empty()),
        words: search_words(&form.q),
        ..Browse::default()
    };
    if let Ok(space) = form.space.parse::<SpaceId>() {
        query.spaces.retain(|s| *s == space);
    }
    if form.trusted == "1" {
        let now = state.now();
        query.profiles = Some(
            trust::statements_by(state.db(), me)
                .await?
                .into_iter()
                .filter(|s| s.expires_at > now)
                .map(|s| s.subject)
                .collect(),
        );
    }
    look_up_words(state, &mut query).await?;
    let facets = listing_facets(state).await?;
    // A word search found through the word index is paged and counted from one reading of the
    // listings it found; words and trust otherwise are counted on the few listings they leave;
    // the rest from the facets.
    let (cards, total) = if query.ids.is_some() {
        listings::browse_found(state.db(), &query, PAGE_SIZE, form.page * PAGE_SIZE, COUNT_UP_TO).await?
    } else {
        let cards = listings::browse(state.db(), &query, PAGE_SIZE, form.page * PAGE_SIZE).await?;
        let total = if query.profiles.is_some() || !query.words.is_empty() {
            listings::count(state.db(), &query, COUNT_UP_TO).await?
        } else {
            facets.iter().filter(|f| counted(&query, f)).map(|f| f.count).sum()
        };
        (cards, total)
    };
    let ids: Vec<ListingId> = cards.iter().map(|c| c.id).collect();
    Ok(Browsed {
        interest: deals::interest_counts(state.db(), &ids).await?,
        cards,
        total,
        categories: listings::categories(state.db()).await?,
        spaces: sight.spaces.iter().map(|s| (*s, sight.name(*s))).collect(),
        areas: areas_of(&facets),
        moderates: !sight.moderated.is_empty(),
    })
}

/// A word search starts from the listings holding the words (the word index), when there are
/// not too many of them; otherwise each word is checked on the way.
async fn look_up_words(state: &AppState, query: &mut Browse) -> AppResult<()> {
    const MOST: u64 = 2_000;
    let mut found: Option<std::collections::HashSet<ListingId>> = None;
    for word in &query.words {
        let postings = listings::postings(state.db(), word, MOST + 1).await?;
        if postings.len() as u64 > MOST {
            return Ok(());
        }
        found = Some(match found {
            None => postings.into_iter().collect(),
            Some(before) => postings.into_iter().filter(|id| before.contains(id)).collect(),
        });
    }
    if let Some(found) = found {
        query.ids = Some(found.into_iter().collect());
        query.words.clear();
    }
    Ok(())
}

fn counted(query: &Browse, facet: &listings::FacetCount) -> bool {
    query.spaces.contains(&facet.space)
        && query.side.is_none_or(|s| s == facet.side)
        && query.kind.is_none_or(|k| k == facet.kind)
        && query.category.is_none_or(|c| c == facet.category)
        && query.area.as_deref().is_none_or(|a| a == facet.area)
}

/// The areas named on live listings, most used first.
pub(crate) fn areas_of(facets: &[listings::FacetCount]) -> Vec<String> {
    let mut counts: HashMap<&str, u64> = HashMap::new();
    for facet in facets.iter().filter(|f| !f.area.is_empty()) {
        *counts.entry(facet.area.as_str()).or_default() += facet.count;
    }
    let mut areas: Vec<(&str, u64)> = counts.into_iter().collect();
    areas.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    areas.into_iter().take(50).map(|(area, _)| area.to_owned()).collect()
}

/// The live listings counted by space, side, kind, category and area, cached like the
/// directory: a browse never counts listings one by one.
pub(crate) async fn listing_facets(state: &AppState) -> AppResult<std::sync::Arc<Vec<listings::FacetCount>>> {
    if let Some(facets) = state.caches().listing_facets() {
        return Ok(facets);
    }
    let _counting = state.caches().listing_facets_loading.lock().await;
    if let Some(facets) = state.caches().listing_facets() {
        return Ok(facets);
    }
    let generation = state.caches().generation();
    let facets = std::sync::Arc::new(listings::facet_counts(state.db()).await?);
    state.caches().remember_listing_facets(generation, facets.clone());
    Ok(facets)
}

/// The member's own listings, all of them, newest first.
pub async fn mine(state: &AppState, ctx: &Ctx) -> AppResult<Vec<Card>> {
    let sight = sight(state, ctx, false).await?;
    let query = Browse {
        spaces: sight.spaces,
        member: Some(ctx.member()?.id),
        statuses: ListingStatus::ALL.to_vec(),
        include_hidden: true,
        ..Browse::default()
    };
    Ok(listings::browse(state.db(), &query, 200, 0).await?)
}

//! Listings: posting an offer or a want (with photos), changing it, withdrawing and reposting
//! it, seeing it, browsing and searching, reporting it, and its photos. Every use case asks
//! `authorize` with the listing's facts first (`listing_access`).

use super::input::ListingForm;
use super::matching;
use crate::access::{SpaceAccess, require_space_cached};
use crate::error::{AppError, AppResult, FieldError};
use crate::identity::service::Check;
use crate::identity::session::Ctx;
use crate::state::AppState;
use crate::talk::sight::sight;
use crate::web::markdown;
use chrono::Duration;
use planet_domain::notification::NotificationKind;
use planet_domain::policy::{Action, ListingFacts, Resource, authorize};
use planet_domain::synergy::words::{keywords, looks_like_address, money_outside, words};
use planet_domain::synergy::{
    self as rules, ListingEvent, ListingKind, ListingStatus, MAX_PHOTOS, Price, Side, next_status,
};
use planet_domain::text::{AreaName, Availability, Description, InputError, ListingTitle, ReportReason};
use planet_domain::{CategoryId, ListingId, MemberId, ProfileId, SpaceId, TopicId};
use planet_store::queries::people::{self, person_profile};
use planet_store::queries::synergy::deals::{self, Deal, Feedback, Responder};
use planet_store::queries::synergy::{
    self as listings, Category, Listing, ListingFields, ListingWords, NewListing, NewPhoto,
};
use uuid::Uuid;

/// Listings one member may post in a day: enough for a clear-out, not for a flood.
const LISTINGS_PER_DAY: u64 = 20;

/// A listing and how the actor stands to it, decided by `authorize`.
pub struct ListingAccess {
    pub listing: Listing,
    pub access: SpaceAccess,
    pub posted: bool,
    pub promised: bool,
}

impl ListingAccess {
    fn facts(&self) -> ListingFacts<'_> {
        ListingFacts { space: &self.access.facts, actor_posted: self.posted, actor_promised: self.promised }
    }

    pub fn allows(&self, ctx: &Ctx, action: Action) -> bool {
        authorize(ctx.actor, action, Resource::Listing(self.facts())).is_allowed()
    }

    pub fn require(&self, ctx: &Ctx, action: Action) -> AppResult<()> {
        authorize(ctx.actor, action, Resource::Listing(self.facts())).into_result().map_err(AppError::from)
    }
}

pub(crate) fn parse_listing_id(text: &str) -> AppResult<ListingId> {
    text.parse().map_err(|_| AppError::not_found())
}

/// Load a listing and decide `action` on it. A hidden listing is not there, but for its poster
/// and its moderators.
pub(crate) async fn listing_access(
    state: &AppState,
    ctx: &Ctx,
    id: ListingId,
    action: Action,
) -> AppResult<ListingAccess> {
    ctx.require(Action::ViewCommunity)?;
    let listing = listings::get(state.db(), id).await?.ok_or_else(AppError::not_found)?;
    let access = require_space_cached(state, ctx, Action::SeeSpace, listing.space).await?;
    let me = ctx.member()?.id;
    let posted = listing.member == me || runs(state, me, listing.profile).await?;
    let promised = listing.promised_to == Some(me);
    let found = ListingAccess { listing, access, posted, promised };
    found.require(ctx, Action::ReadListing)?;
    if found.listing.hidden && !found.posted && !found.allows(ctx, Action::ModerateListings) {
        return Err(AppError::not_found());
    }
    found.require(ctx, action)?;
    Ok(found)
}

/// Whether a member runs a directory entry (or it is their own).
async fn runs(state: &AppState, member: MemberId, profile: ProfileId) -> AppResult<bool> {
    Ok(profile == person_profile(member) || people::managed_by(state.db(), member).await?.contains(&profile))
}

/// What the posting form offers: categories, where to post, for whom, and areas in use.
pub struct Choices {
    pub categories: Vec<Category>,
    pub spaces: Vec<(SpaceId, String)>,
    pub profiles: Vec<(ProfileId, String)>,
    pub areas: Vec<String>,
    /// The area on the member's own entry, offered first.
    pub my_area: String,
}

pub async fn choices(state: &AppState, ctx: &Ctx) -> AppResult<Choices> {
    ctx.require(Action::ViewCommunity)?;
    let me = ctx.member()?;
    let index = state.directory().await?;
    let mut spaces = Vec::new();
    for (i, _) in &index.order {
        let facts = index.facts(*i, me.id);
        if authorize(ctx.actor, Action::PostListing, Resource::Space(&facts)).is_allowed() {
            let space = &index.directory.spaces[*i];
            spaces.push((space.id, space.name.clone()));
        }
    }
    let mut ids = vec![person_profile(me.id)];
    ids.extend(people::managed_by(state.db(), me.id).await?);
    let entries = people::profiles_by_ids(state.db(), &ids).await?;
    let my_area = entries.iter().find(|p| p.id == person_profile(me.id)).map(|p| p.area.clone()).unwrap_or_default();
    let mut profiles: Vec<(ProfileId, String)> = entries.into_iter().map(|p| (p.id, p.name)).collect();
    // The member's own entry first.
    profiles.sort_by_key(|(id, _)| *id != person_profile(me.id));
    let mut areas = super::browse::areas_of(&super::browse::listing_facets(state).await?);
    for area in people::areas_in_use(state.db()).await? {
        if !areas.contains(&area) {
            areas.push(area);
        }
    }
    Ok(Choices { categories: listings::categories(state.db()).await?, spaces, profiles, areas, my_area })
}

/// A listing's fields, checked.
struct Checked {
    side: Side,
    kind: ListingKind,
    category: CategoryId,
    title: ListingTitle,
    body: Description,
    tags: Vec<String>,
    area: AreaName,
    available: Availability,
    quantity: i32,
    price: Price,
    days: i64,
}

impl Checked {
    fn fields<'a>(&'a self, body_html: &'a str) -> ListingFields<'a> {
        ListingFields {
            side: self.side,
            kind: self.kind,
            category: self.category,
            title: self.title.as_str(),
            body: self.body.as_str(),
            body_html,
            tags: &self.tags,
            area: self.area.as_str(),
            available: self.available.as_str(),
            quantity: self.quantity,
            price: self.price,
        }
    }

    fn words(&self) -> ListingWords {
        let keywords = keywords(self.title.as_str(), &self.tags);
        let mut all = words(self.body.as_str());
        all.extend(keywords.iter().cloned());
        ListingWords { keywords, all }
    }
}

const NO_ADDRESS: &str =
    "Please do not write an exact address or postcode here. Give the area of town; pass on the address privately.";

/// Refuse what looks like an exact address, whatever else is right with the text.
fn no_address<T>(raw: &str, parsed: Result<T, InputError>) -> Result<T, InputError> {
    if looks_like_address(raw) { Err(InputError::new("address_not_allowed", NO_ADDRESS)) } else { parsed }
}

/// Check the form. `side` is fixed once posted (editing keeps it).
async fn check(state: &AppState, form: &ListingForm, side: Option<Side>) -> AppResult<Checked> {
    let mut check = Check::new();
    let side = match side {
        Some(side) => Some(side),
        None => check.field(
            "side",
            Side::parse(&form.side).ok_or_else(|| InputError::new("side_required", "Choose offer or want.")),
        ),
    };
    let kind = check.field(
        "kind",
        ListingKind::parse(&form.kind).ok_or_else(|| InputError::new("kind_required", "Choose what kind it is.")),
    );
    let category = match form.category.parse::<CategoryId>() {
        Ok(id) if listings::category_usable(state.db(), id).await? => Some(id),
        _ => {
            check.fail("category", "category_required", "Choose a category.");
            None
        }
    };
    let title = check.field("title", no_address(&form.title, ListingTitle::parse(&form.title)));
    let body = check.field("body", no_address(&form.body, Description::parse(&form.body)));
    let tags = check.field("tags", rules::parse_tags(&form.tags));
    let area = check.field("area", no_address(&form.area, AreaName::parse(&form.area)));
    let available = check.field("available", no_address(&form.available, Availability::parse(&form.available)));
    let quantity = check.field("quantity", rules::parse_quantity(&form.quantity));
    let price = match kind.map(|kind| rules::parse_price(kind, &form.price_pounds, &form.price_credits)) {
        Some(Ok(price)) => Some(price),
        Some(Err((field, err))) => {
            check.add(FieldError::from_input(field, err));
            None
        }
        None => None,
    };
    let days = side.and_then(|side| check.field("days", rules::parse_days(&form.days, side)));
    check.finish()?;
    match (side, kind, category, title, body, tags, area, available, quantity, price, days) {
        (
            Some(side),
            Some(kind),
            Some(category),
            Some(title),
            Some(body),
            Some(tags),
            Some(area),
            Some(available),
            Some(quantity),
            Some(price),
            Some(days),
        ) => Ok(Checked { side, kind, category, title, body, tags, area, available, quantity, price, days }),
        _ => Err(AppError::Internal("listing check".to_owned())),
    }
}

/// Check and re-encode photos, off the async threads. `already` are kept from before.
async fn prepare_photos(photos: Vec<Vec<u8>>, already: usize) -> AppResult<Vec<crate::people::photos::Processed>> {
    if photos.len() + already > MAX_PHOTOS {
        return Err(AppError::invalid(
            "photos",
            "too_many_photos",
            format!("A listing can have at most {MAX_PHOTOS} photos."),
        ));
    }
    let mut ready = Vec::new();
    for bytes in photos {
        let processed = tokio::task::spawn_blocking(move || crate::people::photos::process(&bytes))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(|e| AppError::invalid("photos", e.code(), e.message()))?;
        ready.push(processed);
    }
    Ok(ready)
}

/// Where to post and for whom, from the form (the community and oneself when left out).
async fn where_and_who(state: &AppState, ctx: &Ctx, form: &ListingForm) -> AppResult<(SpaceAccess, ProfileId)> {
    let me = ctx.member()?.id;
    let space = match form.space.trim() {
        "" => state.directory().await?.root().ok_or_else(AppError::not_found)?,
        text => text.parse().map_err(|_| AppError::not_found())?,
    };
    let access = require_space_cached(state, ctx, Action::PostListing, space).await?;
    let profile = match form.profile.trim() {
        "" => person_profile(me),
        text => match text.parse::<ProfileId>() {
            Ok(id) if runs(state, me, id).await? => id,
            _ => return Err(AppError::invalid("profile", "profile_not_yours", "Choose yourself or an entry you run.")),
        },
    };
    Ok((access, profile))
}

/// Post an offer or a want, with up to six photos. Tells members whose open listings it answers.
pub async fn post(
    state: &AppState,
    ctx: &Ctx,
    form: &ListingForm,
    photos: AppResult<Vec<Vec<u8>>>,
) -> AppResult<ListingId> {
    ctx.require(Action::ViewCommunity)?;
    let (access, profile) = where_and_who(state, ctx, form).await?;
    let (checked, photos) = match (check(state, form, None).await, photos) {
        (Ok(checked), Ok(photos)) => (checked, photos),
        (Err(AppError::Invalid(mut fields)), Err(AppError::Invalid(more))) => {
            fields.extend(more);
            return Err(AppError::Invalid(fields));
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    let photos = prepare_photos(photos, 0).await?;
    let me = ctx.member()?;
    crate::conduct::service::require_accepted(state, ctx).await?;
    let now = state.now();
    if listings::posted_since(state.db(), me.id, now - Duration::days(1)).await? >= LISTINGS_PER_DAY {
        return Err(AppError::RateLimited);
    }
    let id = ListingId::new_v7();
    let html = markdown::render(checked.body.as_str());
    let words = checked.words();
    let txn = state.store().begin().await?;
    let new = NewListing {
        id,
        space: access.space().id,
        profile,
        member: me.id,
        fields: checked.fields(&html),
        words: &words,
        expires_at: now + Duration::days(checked.days),
        now,
    };
    listings::insert(&txn, new).await?;
    for (position, photo) in photos.iter().enumerate() {
        let new = NewPhoto { jpeg: &photo.full, thumb: &photo.thumb, width: photo.width, height: photo.height };
        listings::add_photo(&txn, id, i32::try_from(position).unwrap_or(0), new, now).await?;
    }
    let listing = listings::get(&txn, id).await?.ok_or_else(AppError::not_found)?;
    let told = matching::tell(state, &txn, &listing, &words).await?;
    state.commit(txn).await?;
    state.ring(told).await;
    state.wake_mailer();
    Ok(id)
}

/// The listing as its form shows it, to change it.
pub async fn for_editing(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<(Listing, Vec<Uuid>)> {
    let found = listing_access(state, ctx, parse_listing_id(id)?, Action::ManageListing).await?;
    let photos = listings::photo_ids(state.db(), found.listing.id).await?;
    Ok((found.listing, photos))
}

/// Change a listing that is still up: its words, price, photos (add some, take some off).
pub async fn edit(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    form: &ListingForm,
    photos: AppResult<Vec<Vec<u8>>>,
) -> AppResult<ListingId> {
    let found = listing_access(state, ctx, parse_listing_id(id)?, Action::ManageListing).await?;
    let listing = &found.listing;
    if !listing.status.is_live() {
        return Err(AppError::refused("listing_closed", "This listing is closed. Put it up again to change it."));
    }
    let checked = check(state, form, Some(listing.side)).await?;
    let existing = listings::photo_ids(state.db(), listing.id).await?;
    let removed: Vec<Uuid> =
        form.remove_photos.iter().filter_map(|t| t.parse().ok()).filter(|id| existing.contains(id)).collect();
    let photos = prepare_photos(photos?, existing.len() - removed.len()).await?;
    let now = state.now();
    let html = markdown::render(checked.body.as_str());
    let words = checked.words();
    let txn = state.store().begin().await?;
    listings::update(&txn, listing.id, &checked.fields(&html), &words, now).await?;
    listings::remove_photos(&txn, listing.id, &removed).await?;
    let start = i32::try_from(existing.len()).unwrap_or(0);
    for (n, photo) in photos.iter().enumerate() {
        let new = NewPhoto { jpeg: &photo.full, thumb: &photo.thumb, width: photo.width, height: photo.height };
        listings::add_photo(&txn, listing.id, start + i32::try_from(n).unwrap_or(0), new, now).await?;
    }
    state.commit(txn).await?;
    state.changed();
    Ok(listing.id)
}

/// A deal as one of its sides sees it, with the feedback that may show.
pub struct DealView {
    pub deal: Deal,
    /// Feedback that shows (both wrote, or the wait is over).
    pub feedback: Vec<Feedback>,
    /// The actor wrote theirs (it shows to them even while the other's waits).
    pub mine: Option<Feedback>,
    /// The actor may write theirs now.
    pub may_write: bool,
    /// The actor is a side of it.
    pub involved: bool,
}

/// A listing's page.
pub struct ListingView {
    pub listing: Listing,
    pub space_name: String,
    pub category: String,
    pub poster_name: String,
    pub photos: Vec<Uuid>,
    pub may_respond: bool,
    pub may_manage: bool,
    pub may_take_part: bool,
    pub may_report: bool,
    pub may_moderate: bool,
    /// The actor's conversation about it, if they said they were interested.
    pub my_conversation: Option<TopicId>,
    /// Who said they are interested (its poster sees them).
    pub responders: Vec<Responder>,
    pub deals: Vec<DealView>,
    /// A phrase that asks for money outside the community, to warn about.
    pub money_warning: Option<&'static str>,
    pub me: MemberId,
}

pub async fn view(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<ListingView> {
    let found = listing_access(state, ctx, parse_listing_id(id)?, Action::ReadListing).await?;
    let me = ctx.member()?.id;
    let listing = &found.listing;
    let categories = listings::categories(state.db()).await?;
    let category = categories.iter().find(|c| c.id == listing.category).map(|c| c.name.clone()).unwrap_or_default();
    let poster_name = people::profile(state.db(), listing.profile).await?.map(|p| p.name).unwrap_or_default();
    let responders = if found.posted { deals::responders(state.db(), listing.id).await? } else { Vec::new() };
    let now = state.now();
    let all_deals = deals::of_listing(state.db(), listing.id).await?;
    let ids: Vec<_> = all_deals.iter().map(|d| d.id).collect();
    let mut feedback = deals::feedback_on(state.db(), &ids).await?;
    let mut views = Vec::new();
    for deal in all_deals {
        let involved = deal.involves(me) || (found.posted && deal.poster == listing.member);
        if !involved && deal.state != rules::DealState::Done {
            continue;
        }
        let on_this: Vec<Feedback> = feedback.extract_if(.., |f| f.deal == deal.id).collect();
        let both = on_this.len() >= 2;
        let visible = deal.closed_at.is_some_and(|at| rules::feedback_visible(both, at, now));
        let mine = on_this.iter().find(|f| f.author == me).cloned();
        let may_write = deal.involves(me) && mine.is_none() && rules::feedback_open(deal.state, deal.closed_at, now);
        views.push(DealView {
            feedback: if visible { on_this } else { Vec::new() },
            mine,
            may_write,
            involved: deal.involves(me),
            deal,
        });
    }
    Ok(ListingView {
        space_name: found.access.space().name.clone(),
        category,
        poster_name,
        photos: listings::photo_ids(state.db(), listing.id).await?,
        may_respond: found.allows(ctx, Action::RespondToListing) && listing.status.is_live(),
        may_manage: found.allows(ctx, Action::ManageListing),
        may_take_part: found.allows(ctx, Action::TakePartInDeal) && listing.status == ListingStatus::Promised,
        may_report: found.allows(ctx, Action::ReportListing),
        may_moderate: found.allows(ctx, Action::ModerateListings),
        my_conversation: deals::interest_of(state.db(), listing.id, me).await?,
        responders,
        deals: views,
        money_warning: money_outside(&format!("{} {}", listing.title, listing.body)),
        me,
        listing: found.listing,
    })
}

fn refuse_transition(status: ListingStatus) -> AppError {
    let message = match status {
        ListingStatus::Open => "This listing is open: nobody has been promised it yet.",
        ListingStatus::Promised => "This listing is already promised.",
        ListingStatus::Done => "This listing is done already.",
        ListingStatus::Withdrawn => "This listing was withdrawn.",
        ListingStatus::Expired => "This listing has closed. Put it up again first.",
    };
    AppError::refused("listing_state", message)
}

/// Check that `event` may happen to a listing now; the next status.
pub(crate) fn next(listing: &Listing, event: ListingEvent) -> AppResult<ListingStatus> {
    next_status(listing.status, event).ok_or_else(|| refuse_transition(listing.status))
}

/// Take a listing down. A promise made on it is called off, and its other side told.
pub async fn withdraw(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<ListingId> {
    let found = listing_access(state, ctx, parse_listing_id(id)?, Action::ManageListing).await?;
    let listing = &found.listing;
    let to = next(listing, ListingEvent::Withdraw)?;
    let me = ctx.member()?.id;
    let now = state.now();
    let txn = state.store().begin().await?;
    if !listings::transition(&txn, listing.id, &[listing.status], to, None, now).await? {
        return Err(AppError::refused("listing_changed", "This listing changed meanwhile. Please look again."));
    }
    let mut told = Vec::new();
    if let Some(deal) =
        deals::of_listing(&txn, listing.id).await?.into_iter().find(|d| d.state == rules::DealState::Promised)
    {
        deals::close(&txn, deal.id, rules::DealState::FellThrough, me, now).await?;
        let sides = [deal.poster, deal.other];
        told.extend(super::deals::tell(state, &txn, &sides, listing, Some(me), NotificationKind::FellThrough).await?);
    }
    state.commit(txn).await?;
    state.ring(told).await;
    state.wake_mailer();
    Ok(listing.id)
}

/// Put an expired or withdrawn listing up again, for its usual time.
pub async fn repost(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<ListingId> {
    let found = listing_access(state, ctx, parse_listing_id(id)?, Action::ManageListing).await?;
    let listing = &found.listing;
    next(listing, ListingEvent::Repost)?;
    if listing.hidden {
        return Err(AppError::refused(
            "listing_hidden",
            "A moderator took this listing down, so it cannot go up again.",
        ));
    }
    let now = state.now();
    let txn = state.store().begin().await?;
    if !listings::repost(&txn, listing.id, now + Duration::days(rules::default_days(listing.side)), now).await? {
        return Err(AppError::refused("listing_changed", "This listing changed meanwhile. Please look again."));
    }
    let keywords = keywords(&listing.title, &listing.tags);
    let mut all = words(&listing.body);
    all.extend(keywords.iter().cloned());
    let told = matching::tell(state, &txn, listing, &ListingWords { keywords, all }).await?;
    state.commit(txn).await?;
    state.ring(told).await;
    state.wake_mailer();
    Ok(listing.id)
}

/// A photo of a listing, to whoever may see the listing.
pub async fn photo(state: &AppState, ctx: &Ctx, id: &str, thumb: bool) -> AppResult<Vec<u8>> {
    ctx.require(Action::ViewCommunity)?;
    let id: Uuid = id.parse().map_err(|_| AppError::not_found())?;
    let (listing, bytes) = listings::photo(state.db(), id, thumb).await?.ok_or_else(AppError::not_found)?;
    listing_access(state, ctx, listing, Action::ReadListing).await?;
    Ok(bytes)
}

/// Report a listing to the moderators.
pub async fn report(state: &AppState, ctx: &Ctx, id: &str, reason: &str) -> AppResult<ListingId> {
    let found = listing_access(state, ctx, parse_listing_id(id)?, Action::ReportListing).await?;
    let reason =
        ReportReason::parse(reason).map_err(|e| AppError::Invalid(vec![FieldError::from_input("reason", e)]))?;
    let txn = state.store().begin().await?;
    if !deals::report(&txn, found.listing.id, ctx.member()?.id, reason.as_str(), state.now()).await? {
        return Err(AppError::refused("already_reported", "You have reported this listing already. Thank you."));
    }
    state.commit(txn).await?;
    Ok(found.listing.id)
}

/// Reported listings the member may decide on.
pub async fn reported(state: &AppState, ctx: &Ctx) -> AppResult<Vec<deals::Reported>> {
    let sight = sight(state, ctx, false).await?;
    let mut out = Vec::new();
    for item in deals::reported(state.db()).await? {
        if sight.moderated.contains(&item.space) {
            out.push(item);
        }
    }
    Ok(out)
}

/// A moderator hides a reported listing (or shows it again), which decides its reports.
pub async fn moderate(state: &AppState, ctx: &Ctx, id: &str, hide: bool) -> AppResult<ListingId> {
    let found = listing_access(state, ctx, parse_listing_id(id)?, Action::ModerateListings).await?;
    let now = state.now();
    let txn = state.store().begin().await?;
    listings::set_hidden(&txn, found.listing.id, hide.then_some(now)).await?;
    deals::resolve_reports(&txn, found.listing.id, ctx.member()?.id, now).await?;
    state.commit(txn).await?;
    state.changed();
    Ok(found.listing.id)
}

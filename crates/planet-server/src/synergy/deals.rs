//! From "I'm interested" to a done deal: responding (a private conversation with the poster),
//! promising to one responder, marking it done or saying it fell through, and feedback.

use super::service::{ListingAccess, listing_access, next, parse_listing_id};
use crate::error::{AppError, AppResult, FieldError};
use crate::identity::session::Ctx;
use crate::notify::service::tell_listing;
use crate::state::AppState;
use crate::talk::conversation::service::start_about;
use chrono::Duration;
use planet_domain::notification::NotificationKind;
use planet_domain::policy::Action;
use planet_domain::synergy::{
    DealState, FallThrough, ListingEvent, ListingStatus, Rating, default_days, feedback_open,
};
use planet_domain::text::ShortNote;
use planet_domain::{DealId, ListingId, MemberId, TopicId};
use planet_store::ConnectionTrait;
use planet_store::queries::accounts;
use planet_store::queries::synergy::deals::{self, Deal, NewDeal};
use planet_store::queries::synergy::{self as listings, Listing};

/// Tell members what happened to a listing, inside the transaction: those of them who may
/// still see it, but not whoever did it. Returns whom to ring.
pub(crate) async fn tell(
    state: &AppState,
    db: &impl ConnectionTrait,
    members: &[MemberId],
    listing: &Listing,
    actor: Option<MemberId>,
    kind: NotificationKind,
) -> AppResult<Vec<MemberId>> {
    let others: Vec<MemberId> = members.iter().copied().filter(|m| Some(*m) != actor).collect();
    let able = super::matching::who_may_see(db, listing, &others).await?;
    let others: Vec<MemberId> = others.into_iter().filter(|m| able.contains(m)).collect();
    let actor = match actor {
        Some(actor) => accounts::members_by_ids(db, &[actor]).await?.pop(),
        None => None,
    };
    tell_listing(state, db, &others, listing.id, &listing.title, kind, actor.as_ref()).await
}

/// "I'm interested": a private conversation with the poster about the listing, opened with the
/// member's message. Saying it twice leads back to the same conversation.
pub async fn interested(state: &AppState, ctx: &Ctx, id: &str, message: &str) -> AppResult<TopicId> {
    let found = listing_access(state, ctx, parse_listing_id(id)?, Action::RespondToListing).await?;
    let listing = &found.listing;
    let me = ctx.member()?.id;
    if let Some(topic) = deals::interest_of(state.db(), listing.id, me).await? {
        return Ok(topic);
    }
    if !listing.status.is_live() {
        return Err(AppError::refused("listing_closed", "This listing is closed now."));
    }
    let subject = format!("About your listing: {}", listing.title);
    let subject: String = subject.chars().take(120).collect();
    let posted = start_about(state, ctx, &[listing.member.to_string()], &subject, message, Some(listing.id))
        .await
        .map_err(|err| match err {
            // The form names the message "message"; the conversation calls it "body".
            AppError::Invalid(fields) => AppError::Invalid(
                fields
                    .into_iter()
                    .map(|f| FieldError { field: if f.field == "body" { "message" } else { f.field }, ..f })
                    .collect(),
            ),
            other => other,
        })?;
    Ok(posted.topic)
}

/// The promise now standing on a listing.
async fn standing_deal(state: &AppState, listing: &Listing) -> AppResult<Deal> {
    deals::of_listing(state.db(), listing.id)
        .await?
        .into_iter()
        .find(|d| d.state == DealState::Promised)
        .ok_or_else(|| AppError::refused("not_promised", "This listing is not promised to anyone."))
}

/// The poster promises the listing to one member who said they were interested.
pub async fn promise(state: &AppState, ctx: &Ctx, id: &str, to: &str) -> AppResult<ListingId> {
    let found = listing_access(state, ctx, parse_listing_id(id)?, Action::ManageListing).await?;
    let listing = &found.listing;
    let responders = deals::responders(state.db(), listing.id).await?;
    let Some(other) = to.trim().parse::<MemberId>().ok().filter(|m| responders.iter().any(|r| r.member == *m)) else {
        return Err(AppError::invalid(
            "member",
            "promise_to_responder",
            "You can promise it only to someone who said they are interested.",
        ));
    };
    let to_status = next(listing, ListingEvent::Promise)?;
    let me = ctx.member()?.id;
    let now = state.now();
    let txn = state.store().begin().await?;
    if !listings::transition(&txn, listing.id, &[ListingStatus::Open], to_status, Some(other), now).await? {
        return Err(AppError::refused("listing_changed", "This listing changed meanwhile. Please look again."));
    }
    let new = NewDeal {
        id: DealId::new_v7(),
        listing: listing.id,
        poster: listing.member,
        other,
        side: listing.side,
        title: &listing.title,
        price: listing.price,
        now,
    };
    deals::create(&txn, new).await?;
    let told = tell(state, &txn, &[other], listing, Some(me), NotificationKind::Promised).await?;
    state.commit(txn).await?;
    state.ring(told).await;
    state.wake_mailer();
    Ok(listing.id)
}

/// Either side marks a promised listing done: given, taken, received.
pub async fn complete(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<DealId> {
    let found = listing_access(state, ctx, parse_listing_id(id)?, Action::TakePartInDeal).await?;
    end(state, ctx, &found, ListingEvent::Complete, DealState::Done).await
}

/// Either side says a promise fell through (called off, or someone did not turn up): the
/// listing is open again.
pub async fn fall_through(state: &AppState, ctx: &Ctx, id: &str, reason: &str) -> AppResult<DealId> {
    let found = listing_access(state, ctx, parse_listing_id(id)?, Action::TakePartInDeal).await?;
    let Some(reason) = FallThrough::parse(reason) else {
        return Err(AppError::invalid("reason", "reason_required", "Choose what happened."));
    };
    end(state, ctx, &found, ListingEvent::FallThrough, reason.deal_state()).await
}

async fn end(
    state: &AppState,
    ctx: &Ctx,
    found: &ListingAccess,
    event: ListingEvent,
    outcome: DealState,
) -> AppResult<DealId> {
    let listing = &found.listing;
    let to = next(listing, event)?;
    let deal = standing_deal(state, listing).await?;
    let me = ctx.member()?.id;
    // The promise is the one the actor was allowed to act on: still to the same member.
    if !found.posted && deal.other != me {
        return Err(AppError::refused("listing_changed", "This listing changed meanwhile. Please look again."));
    }
    let now = state.now();
    // Done keeps whom it went to; falling through leaves it open to anyone.
    let promised_to = (to == ListingStatus::Done).then_some(deal.other);
    let txn = state.store().begin().await?;
    let from = [ListingStatus::Promised];
    if !listings::transition_if(&txn, listing.id, &from, Some(deal.other), to, promised_to, now).await?
        || !deals::close(&txn, deal.id, outcome, me, now).await?
    {
        return Err(AppError::refused("listing_changed", "This listing changed meanwhile. Please look again."));
    }
    if to == ListingStatus::Open {
        // Open again: time for someone else to respond, even if its closing date was near.
        listings::keep_up_until(&txn, listing.id, now + Duration::days(default_days(listing.side))).await?;
    }
    let kind = if outcome == DealState::Done { NotificationKind::DealDone } else { NotificationKind::FellThrough };
    let told = tell(state, &txn, &[deal.poster, deal.other], listing, Some(me), kind).await?;
    state.commit(txn).await?;
    state.ring(told).await;
    state.wake_mailer();
    Ok(deal.id)
}

/// One side of a done deal leaves feedback on the other. It shows once both have written, or
/// after the wait.
pub async fn feedback(state: &AppState, ctx: &Ctx, deal: &str, rating: &str, comment: &str) -> AppResult<ListingId> {
    ctx.require(Action::ViewCommunity)?;
    let deal_id: DealId = deal.trim().parse().map_err(|_| AppError::not_found())?;
    let deal = deals::get(state.db(), deal_id).await?.ok_or_else(AppError::not_found)?;
    let found = listing_access(state, ctx, deal.listing, Action::TakePartInDeal).await?;
    let me = ctx.member()?.id;
    if !deal.involves(me) {
        return Err(AppError::refused("not_your_deal", "Only the two people who made this deal leave feedback on it."));
    }
    if !feedback_open(deal.state, deal.closed_at, state.now()) {
        return Err(AppError::refused("feedback_closed", "Feedback can be left only within 14 days of a done deal."));
    }
    let mut check = crate::identity::service::Check::new();
    let rating = check.field(
        "rating",
        Rating::parse(rating)
            .ok_or_else(|| planet_domain::text::InputError::new("rating_required", "Choose how it went.")),
    );
    let comment = check.field("comment", ShortNote::parse(comment));
    check.finish()?;
    let (Some(rating), Some(comment)) = (rating, comment) else {
        return Err(AppError::Internal("feedback check".to_owned()));
    };
    let now = state.now();
    let other = deal.counterpart(me);
    let txn = state.store().begin().await?;
    if !deals::add_feedback(&txn, deal.id, me, other, rating, comment.as_str(), now).await? {
        return Err(AppError::refused("feedback_given", "You have left feedback on this deal already."));
    }
    let told = tell(state, &txn, &[other], &found.listing, Some(me), NotificationKind::Feedback).await?;
    state.commit(txn).await?;
    state.ring(told).await;
    state.wake_mailer();
    Ok(found.listing.id)
}

//! What a member has given and received: their public record in Synergy, on their profile.

use crate::error::AppResult;
use crate::identity::session::Ctx;
use crate::state::AppState;
use crate::talk::sight::sight;
use planet_domain::synergy::{self as rules, Side};
use planet_domain::{ListingId, MemberId};
use planet_store::queries::synergy::deals::{self, Deal, Feedback};

/// One deal on a member's record, as others see it.
pub struct RecordItem {
    pub listing: ListingId,
    pub title: String,
    /// The member gave it (rather than received it).
    pub gave: bool,
    pub with: String,
    pub at: chrono::DateTime<chrono::Utc>,
    /// What the other side said about the member, once it shows.
    pub feedback: Option<Feedback>,
}

/// What a member has given and received: their public reputation in Synergy.
pub struct TrackRecord {
    pub given: usize,
    pub received: usize,
    pub positive: usize,
    pub rated: usize,
    pub items: Vec<RecordItem>,
}

/// A member's done deals the viewer may see (those in spaces whose content they see), with the
/// feedback about the member that shows.
pub async fn track_record(state: &AppState, ctx: &Ctx, member: MemberId) -> AppResult<TrackRecord> {
    let sight = sight(state, ctx, false).await?;
    let done: Vec<Deal> = deals::done_by(state.db(), member, 200)
        .await?
        .into_iter()
        .filter(|d| sight.spaces.contains(&d.space))
        .collect();
    let ids: Vec<_> = done.iter().map(|d| d.id).collect();
    let mut feedback = deals::feedback_on(state.db(), &ids).await?;
    let now = state.now();
    let mut record = TrackRecord { given: 0, received: 0, positive: 0, rated: 0, items: Vec::new() };
    for deal in done {
        let on_this: Vec<Feedback> = feedback.extract_if(.., |f| f.deal == deal.id).collect();
        let shows = deal.closed_at.is_some_and(|at| rules::feedback_visible(on_this.len() >= 2, at, now));
        let about = on_this.into_iter().find(|f| f.subject == member).filter(|_| shows);
        let gave = (deal.poster == member) == (deal.side == Side::Offer);
        if gave {
            record.given += 1
        } else {
            record.received += 1
        }
        if let Some(f) = &about {
            record.rated += 1;
            record.positive += usize::from(f.rating == rules::Rating::Positive);
        }
        record.items.push(RecordItem {
            listing: deal.listing,
            with: if deal.poster == member { deal.other_name.clone() } else { deal.poster_name.clone() },
            at: deal.closed_at.unwrap_or(deal.promised_at),
            title: deal.title,
            gave,
            feedback: about,
        });
    }
    record.items.truncate(20);
    Ok(record)
}

//! Responses to listings ("I'm interested"), deals (a listing promised to one member, and how
//! it ended), feedback after a deal, and reports of listings.

use super::price_of;
use crate::StoreResult;
use crate::entities::{deal, deal_feedback, listing, listing_interest, listing_report, member};
use crate::queries::corrupt;
use chrono::{DateTime, Utc};
use planet_domain::synergy::{DealState, Minor, Price, Rating, Side};
use planet_domain::{DealId, ListingId, MemberId, ReportId, SpaceId, TopicId};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use std::collections::HashMap;
use uuid::Uuid;

/// Record that a member is interested, with the private conversation it opened. False when
/// they had already said so.
pub async fn add_interest(
    db: &impl ConnectionTrait,
    listing: ListingId,
    member: MemberId,
    topic: TopicId,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let inserted = listing_interest::Entity::insert(listing_interest::ActiveModel {
        listing_id: Set(listing.uuid()),
        member_id: Set(member.uuid()),
        topic_id: Set(topic.uuid()),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([listing_interest::Column::ListingId, listing_interest::Column::MemberId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(inserted == 1)
}

/// The conversation a member opened about a listing, if they did.
pub async fn interest_of(
    db: &impl ConnectionTrait,
    listing: ListingId,
    member: MemberId,
) -> StoreResult<Option<TopicId>> {
    Ok(listing_interest::Entity::find_by_id((listing.uuid(), member.uuid()))
        .one(db)
        .await?
        .map(|row| TopicId::from_uuid(row.topic_id)))
}

/// Someone who said they are interested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Responder {
    pub member: MemberId,
    pub name: String,
    pub topic: TopicId,
    pub at: DateTime<Utc>,
}

/// Who is interested in a listing, first first.
pub async fn responders(db: &impl ConnectionTrait, listing: ListingId) -> StoreResult<Vec<Responder>> {
    let rows = listing_interest::Entity::find()
        .filter(listing_interest::Column::ListingId.eq(listing.uuid()))
        .order_by_asc(listing_interest::Column::CreatedAt)
        .all(db)
        .await?;
    let names = names(db, rows.iter().map(|r| r.member_id)).await?;
    Ok(rows
        .into_iter()
        .map(|r| Responder {
            member: MemberId::from_uuid(r.member_id),
            name: names.get(&r.member_id).cloned().unwrap_or_default(),
            topic: TopicId::from_uuid(r.topic_id),
            at: r.created_at,
        })
        .collect())
}

/// How many have said they are interested, per listing.
pub async fn interest_counts(
    db: &impl ConnectionTrait,
    listings: &[ListingId],
) -> StoreResult<HashMap<ListingId, u64>> {
    let rows: Vec<(Uuid, i64)> = listing_interest::Entity::find()
        .select_only()
        .column(listing_interest::Column::ListingId)
        .column_as(listing_interest::Column::MemberId.count(), "n")
        .filter(listing_interest::Column::ListingId.is_in(listings.iter().map(|l| l.uuid())))
        .group_by(listing_interest::Column::ListingId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(id, n)| (ListingId::from_uuid(id), u64::try_from(n).unwrap_or(0))).collect())
}

async fn names(db: &impl ConnectionTrait, ids: impl Iterator<Item = Uuid>) -> StoreResult<HashMap<Uuid, String>> {
    Ok(member::Entity::find()
        .select_only()
        .column(member::Column::Id)
        .column(member::Column::Name)
        .filter(member::Column::Id.is_in(ids))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// A deal: a listing promised to one member, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deal {
    pub id: DealId,
    pub listing: ListingId,
    /// The space of its listing (who may see it).
    pub space: SpaceId,
    /// Its listing is hidden by a moderator.
    pub hidden: bool,
    /// Who posted the listing.
    pub poster: MemberId,
    pub poster_name: String,
    /// Whom it was promised to.
    pub other: MemberId,
    pub other_name: String,
    /// The listing's side: an offer's poster gives; a want's poster receives.
    pub side: Side,
    pub title: String,
    pub price: Price,
    pub state: DealState,
    pub promised_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<MemberId>,
}

impl Deal {
    /// The other side, seen from `member`.
    pub fn counterpart(&self, member: MemberId) -> MemberId {
        if member == self.poster { self.other } else { self.poster }
    }

    pub fn involves(&self, member: MemberId) -> bool {
        member == self.poster || member == self.other
    }
}

pub struct NewDeal<'a> {
    pub id: DealId,
    pub listing: ListingId,
    pub poster: MemberId,
    pub other: MemberId,
    pub side: Side,
    pub title: &'a str,
    pub price: Price,
    pub now: DateTime<Utc>,
}

pub async fn create(db: &impl ConnectionTrait, new: NewDeal<'_>) -> StoreResult<()> {
    deal::Entity::insert(deal::ActiveModel {
        id: Set(new.id.uuid()),
        listing_id: Set(new.listing.uuid()),
        poster_id: Set(new.poster.uuid()),
        other_id: Set(new.other.uuid()),
        side: Set(new.side.as_str().to_owned()),
        title: Set(new.title.to_owned()),
        price_pence: Set(new.price.pounds.map(Minor::hundredths)),
        price_credits: Set(new.price.credits.map(Minor::hundredths)),
        state: Set(DealState::Promised.as_str().to_owned()),
        promised_at: Set(new.now),
        closed_at: Set(None),
        closed_by: Set(None),
        chased_at: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// End a promised deal (done, fell through, no-show). False when it was no longer promised.
pub async fn close(
    db: &impl ConnectionTrait,
    id: DealId,
    state: DealState,
    by: MemberId,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let result = deal::Entity::update_many()
        .col_expr(deal::Column::State, Expr::value(state.as_str()))
        .col_expr(deal::Column::ClosedAt, Expr::value(now))
        .col_expr(deal::Column::ClosedBy, Expr::value(by.uuid()))
        .filter(deal::Column::Id.eq(id.uuid()))
        .filter(deal::Column::State.eq(DealState::Promised.as_str()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

async fn typed(db: &impl ConnectionTrait, rows: Vec<deal::Model>) -> StoreResult<Vec<Deal>> {
    let names = names(db, rows.iter().flat_map(|r| [r.poster_id, r.other_id])).await?;
    let spaces: HashMap<Uuid, (Uuid, bool)> = listing::Entity::find()
        .select_only()
        .column(listing::Column::Id)
        .column(listing::Column::SpaceId)
        .column(listing::Column::HiddenAt)
        .filter(listing::Column::Id.is_in(rows.iter().map(|r| r.listing_id)))
        .into_tuple::<(Uuid, Uuid, Option<DateTime<Utc>>)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, space, hidden)| (id, (space, hidden.is_some())))
        .collect();
    rows.into_iter()
        .map(|row| {
            Ok(Deal {
                id: DealId::from_uuid(row.id),
                listing: ListingId::from_uuid(row.listing_id),
                space: SpaceId::from_uuid(spaces.get(&row.listing_id).map(|s| s.0).unwrap_or_default()),
                hidden: spaces.get(&row.listing_id).is_some_and(|s| s.1),
                poster: MemberId::from_uuid(row.poster_id),
                poster_name: names.get(&row.poster_id).cloned().unwrap_or_default(),
                other: MemberId::from_uuid(row.other_id),
                other_name: names.get(&row.other_id).cloned().unwrap_or_default(),
                side: Side::parse(&row.side).ok_or_else(|| corrupt("deal side", &row.side))?,
                price: price_of(row.price_pence, row.price_credits)?,
                state: DealState::parse(&row.state).ok_or_else(|| corrupt("deal state", &row.state))?,
                title: row.title,
                promised_at: row.promised_at,
                closed_at: row.closed_at,
                closed_by: row.closed_by.map(MemberId::from_uuid),
            })
        })
        .collect()
}

pub async fn get(db: &impl ConnectionTrait, id: DealId) -> StoreResult<Option<Deal>> {
    let rows = deal::Entity::find_by_id(id.uuid()).all(db).await?;
    Ok(typed(db, rows).await?.pop())
}

/// Every promise of a listing, the latest first.
pub async fn of_listing(db: &impl ConnectionTrait, listing: ListingId) -> StoreResult<Vec<Deal>> {
    let rows = deal::Entity::find()
        .filter(deal::Column::ListingId.eq(listing.uuid()))
        .order_by_desc(deal::Column::PromisedAt)
        .order_by_desc(deal::Column::Id)
        .all(db)
        .await?;
    typed(db, rows).await
}

/// A member's done deals (given and received), the latest first.
pub async fn done_by(db: &impl ConnectionTrait, member: MemberId, limit: u64) -> StoreResult<Vec<Deal>> {
    let rows = deal::Entity::find()
        .filter(
            Condition::any().add(deal::Column::PosterId.eq(member.uuid())).add(deal::Column::OtherId.eq(member.uuid())),
        )
        .filter(deal::Column::State.eq(DealState::Done.as_str()))
        .order_by_desc(deal::Column::ClosedAt)
        .limit(limit)
        .all(db)
        .await?;
    typed(db, rows).await
}

/// One side's feedback on a deal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub deal: DealId,
    pub author: MemberId,
    pub author_name: String,
    pub subject: MemberId,
    pub rating: Rating,
    pub comment: String,
    pub at: DateTime<Utc>,
}

/// Leave feedback. False when the author had already written on this deal.
pub async fn add_feedback(
    db: &impl ConnectionTrait,
    deal: DealId,
    author: MemberId,
    subject: MemberId,
    rating: Rating,
    comment: &str,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let inserted = deal_feedback::Entity::insert(deal_feedback::ActiveModel {
        deal_id: Set(deal.uuid()),
        author_id: Set(author.uuid()),
        subject_id: Set(subject.uuid()),
        rating: Set(rating.as_str().to_owned()),
        comment: Set(comment.to_owned()),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([deal_feedback::Column::DealId, deal_feedback::Column::AuthorId]).do_nothing().to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(inserted == 1)
}

/// The feedback left on some deals.
pub async fn feedback_on(db: &impl ConnectionTrait, deals: &[DealId]) -> StoreResult<Vec<Feedback>> {
    let rows = deal_feedback::Entity::find()
        .filter(deal_feedback::Column::DealId.is_in(deals.iter().map(|d| d.uuid())))
        .order_by_asc(deal_feedback::Column::CreatedAt)
        .all(db)
        .await?;
    let names = names(db, rows.iter().map(|r| r.author_id)).await?;
    rows.into_iter()
        .map(|r| {
            Ok(Feedback {
                deal: DealId::from_uuid(r.deal_id),
                author: MemberId::from_uuid(r.author_id),
                author_name: names.get(&r.author_id).cloned().unwrap_or_default(),
                subject: MemberId::from_uuid(r.subject_id),
                rating: Rating::parse(&r.rating).ok_or_else(|| corrupt("rating", &r.rating))?,
                comment: r.comment,
                at: r.created_at,
            })
        })
        .collect()
}

/// Report a listing. False when the reporter had already reported it.
pub async fn report(
    db: &impl ConnectionTrait,
    listing: ListingId,
    reporter: MemberId,
    reason: &str,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let inserted = listing_report::Entity::insert(listing_report::ActiveModel {
        id: Set(ReportId::new_v7().uuid()),
        listing_id: Set(listing.uuid()),
        reporter_id: Set(reporter.uuid()),
        reason: Set(reason.to_owned()),
        created_at: Set(now),
        resolved_at: Set(None),
        resolved_by: Set(None),
    })
    .on_conflict(
        OnConflict::columns([listing_report::Column::ListingId, listing_report::Column::ReporterId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(inserted == 1)
}

/// A listing reported and not yet decided on: its id, title, space and the reasons given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reported {
    pub listing: ListingId,
    pub title: String,
    pub space: SpaceId,
    pub hidden: bool,
    pub reasons: Vec<String>,
}

/// Reported listings waiting for a decision, oldest report first.
pub async fn reported(db: &impl ConnectionTrait) -> StoreResult<Vec<Reported>> {
    let reports = listing_report::Entity::find()
        .filter(listing_report::Column::ResolvedAt.is_null())
        .order_by_asc(listing_report::Column::CreatedAt)
        .limit(500)
        .all(db)
        .await?;
    let listings: HashMap<Uuid, listing::Model> = listing::Entity::find()
        .filter(listing::Column::Id.is_in(reports.iter().map(|r| r.listing_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.id, l))
        .collect();
    let mut out: Vec<Reported> = Vec::new();
    for report in reports {
        let Some(row) = listings.get(&report.listing_id) else { continue };
        let id = ListingId::from_uuid(row.id);
        match out.iter_mut().find(|r| r.listing == id) {
            Some(known) => known.reasons.push(report.reason),
            None => out.push(Reported {
                listing: id,
                title: row.title.clone(),
                space: SpaceId::from_uuid(row.space_id),
                hidden: row.hidden_at.is_some(),
                reasons: vec![report.reason],
            }),
        }
    }
    Ok(out)
}

/// Mark a listing's reports decided.
pub async fn resolve_reports(
    db: &impl ConnectionTrait,
    listing: ListingId,
    by: MemberId,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    let result = listing_report::Entity::update_many()
        .col_expr(listing_report::Column::ResolvedAt, Expr::value(now))
        .col_expr(listing_report::Column::ResolvedBy, Expr::value(by.uuid()))
        .filter(listing_report::Column::ListingId.eq(listing.uuid()))
        .filter(listing_report::Column::ResolvedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Claim promises made before `before` that are neither done nor chased up yet, to chase them
/// up once. Returns them.
pub async fn claim_stale(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<Vec<Deal>> {
    let rows = deal::Entity::find()
        .filter(deal::Column::State.eq(DealState::Promised.as_str()))
        .filter(deal::Column::PromisedAt.lte(before))
        .filter(deal::Column::ChasedAt.is_null())
        .limit(500)
        .all(db)
        .await?;
    let mut claimed = Vec::new();
    for row in rows {
        let result = deal::Entity::update_many()
            .col_expr(deal::Column::ChasedAt, Expr::value(now))
            .filter(deal::Column::Id.eq(row.id))
            .filter(deal::Column::ChasedAt.is_null())
            .exec(db)
            .await?;
        if result.rows_affected == 1 {
            claimed.push(row);
        }
    }
    typed(db, claimed).await
}

//! Synergy: listings (offers and wants), their categories, photos and words, browsing and
//! matching. Deals, responses and feedback are in `deals`.

pub mod alerts;
pub mod deals;

use super::corrupt;
use crate::StoreResult;
use crate::entities::{listing, listing_category, listing_photo, listing_word, profile};
use chrono::{DateTime, Utc};
use planet_domain::synergy::{ListingKind, ListingStatus, Minor, Price, Side};
use planet_domain::{CategoryId, ListingId, MemberId, ProfileId, SpaceId};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use std::collections::{BTreeSet, HashMap};
use uuid::Uuid;

/// A category stewards keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub id: CategoryId,
    pub name: String,
    pub retired: bool,
}

/// The categories in their order (retired ones too: old listings still name them).
pub async fn categories(db: &impl ConnectionTrait) -> StoreResult<Vec<Category>> {
    Ok(listing_category::Entity::find()
        .order_by_asc(listing_category::Column::Position)
        .order_by_asc(listing_category::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|c| Category { id: CategoryId::from_uuid(c.id), name: c.name, retired: c.retired })
        .collect())
}

/// Add a category at the end of the list.
pub async fn add_category(
    db: &impl ConnectionTrait,
    id: CategoryId,
    name: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let last: Option<i32> = listing_category::Entity::find()
        .select_only()
        .column_as(listing_category::Column::Position.max(), "last")
        .into_tuple()
        .one(db)
        .await?
        .flatten();
    listing_category::Entity::insert(listing_category::ActiveModel {
        id: Set(id.uuid()),
        name: Set(name.to_owned()),
        position: Set(last.map_or(0, |p| p + 1)),
        retired: Set(false),
        created_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Whether a category (other than `except`) already has this name, whatever its case.
pub async fn category_named(db: &impl ConnectionTrait, name: &str, except: Option<CategoryId>) -> StoreResult<bool> {
    Ok(categories(db).await?.iter().any(|c| Some(c.id) != except && c.name.to_lowercase() == name.to_lowercase()))
}

/// Rename a category. False when there is none with that id.
pub async fn rename_category(db: &impl ConnectionTrait, id: CategoryId, name: &str) -> StoreResult<bool> {
    let result = listing_category::Entity::update_many()
        .col_expr(listing_category::Column::Name, Expr::value(name))
        .filter(listing_category::Column::Id.eq(id.uuid()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Retire a category (no new listings in it; old ones keep it) or bring it back.
pub async fn set_category_retired(db: &impl ConnectionTrait, id: CategoryId, retired: bool) -> StoreResult<bool> {
    let result = listing_category::Entity::update_many()
        .col_expr(listing_category::Column::Retired, Expr::value(retired))
        .filter(listing_category::Column::Id.eq(id.uuid()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// What a listing says, as its poster wrote it (checked).
#[derive(Debug, Clone)]
pub struct ListingFields<'a> {
    pub side: Side,
    pub kind: ListingKind,
    pub category: CategoryId,
    pub title: &'a str,
    pub body: &'a str,
    pub body_html: &'a str,
    pub tags: &'a [String],
    pub area: &'a str,
    pub available: &'a str,
    pub quantity: i32,
    pub price: Price,
}

/// The words a listing is found by (`all`) and matched by (`keywords`, a subset).
#[derive(Debug, Clone, Default)]
pub struct ListingWords {
    pub keywords: BTreeSet<String>,
    pub all: BTreeSet<String>,
}

pub struct NewListing<'a> {
    pub id: ListingId,
    pub space: SpaceId,
    pub profile: ProfileId,
    pub member: MemberId,
    pub fields: ListingFields<'a>,
    pub words: &'a ListingWords,
    pub expires_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

fn minor(value: Option<Minor>) -> Option<i64> {
    value.map(Minor::hundredths)
}

pub async fn insert(db: &impl ConnectionTrait, new: NewListing<'_>) -> StoreResult<()> {
    let f = &new.fields;
    listing::Entity::insert(listing::ActiveModel {
        id: Set(new.id.uuid()),
        space_id: Set(new.space.uuid()),
        profile_id: Set(new.profile.uuid()),
        member_id: Set(new.member.uuid()),
        side: Set(f.side.as_str().to_owned()),
        kind: Set(f.kind.as_str().to_owned()),
        category_id: Set(f.category.uuid()),
        title: Set(f.title.to_owned()),
        body: Set(f.body.to_owned()),
        body_html: Set(f.body_html.to_owned()),
        tags: Set(f.tags.join(", ")),
        area: Set(f.area.to_owned()),
        available: Set(f.available.to_owned()),
        quantity: Set(f.quantity),
        price_pence: Set(minor(f.price.pounds)),
        price_credits: Set(minor(f.price.credits)),
        status: Set(ListingStatus::Open.as_str().to_owned()),
        live: Set(true),
        promised_to: Set(None),
        expires_at: Set(new.expires_at),
        reminded_at: Set(None),
        created_at: Set(new.now),
        updated_at: Set(new.now),
        hidden_at: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    set_words(db, new.id, new.words).await
}

/// Change what a listing says (not its side, its status or whom it is promised to).
pub async fn update(
    db: &impl ConnectionTrait,
    id: ListingId,
    fields: &ListingFields<'_>,
    words: &ListingWords,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    listing::Entity::update_many()
        .col_expr(listing::Column::Kind, Expr::value(fields.kind.as_str()))
        .col_expr(listing::Column::CategoryId, Expr::value(fields.category.uuid()))
        .col_expr(listing::Column::Title, Expr::value(fields.title))
        .col_expr(listing::Column::Body, Expr::value(fields.body))
        .col_expr(listing::Column::BodyHtml, Expr::value(fields.body_html))
        .col_expr(listing::Column::Tags, Expr::value(fields.tags.join(", ")))
        .col_expr(listing::Column::Area, Expr::value(fields.area))
        .col_expr(listing::Column::Available, Expr::value(fields.available))
        .col_expr(listing::Column::Quantity, Expr::value(fields.quantity))
        .col_expr(listing::Column::PricePence, Expr::value(minor(fields.price.pounds)))
        .col_expr(listing::Column::PriceCredits, Expr::value(minor(fields.price.credits)))
        .col_expr(listing::Column::UpdatedAt, Expr::value(now))
        .filter(listing::Column::Id.eq(id.uuid()))
        .exec(db)
        .await?;
    set_words(db, id, words).await
}

async fn set_words(db: &impl ConnectionTrait, id: ListingId, words: &ListingWords) -> StoreResult<()> {
    listing_word::Entity::delete_many().filter(listing_word::Column::ListingId.eq(id.uuid())).exec(db).await?;
    let rows: Vec<listing_word::ActiveModel> = words
        .all
        .iter()
        .chain(words.keywords.iter().filter(|w| !words.all.contains(*w)))
        .map(|word| listing_word::ActiveModel {
            word: Set(word.clone()),
            listing_id: Set(id.uuid()),
            keyword: Set(words.keywords.contains(word)),
        })
        .collect();
    for chunk in rows.chunks(200) {
        listing_word::Entity::insert_many(chunk.to_vec()).exec_without_returning(db).await?;
    }
    Ok(())
}

/// A listing as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    pub id: ListingId,
    pub space: SpaceId,
    pub profile: ProfileId,
    pub member: MemberId,
    pub side: Side,
    pub kind: ListingKind,
    pub category: CategoryId,
    pub title: String,
    pub body: String,
    pub body_html: String,
    pub tags: Vec<String>,
    pub area: String,
    pub available: String,
    pub quantity: i32,
    pub price: Price,
    pub status: ListingStatus,
    pub promised_to: Option<MemberId>,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub hidden: bool,
}

fn price_of(pence: Option<i64>, credits: Option<i64>) -> StoreResult<Price> {
    let read = |v: Option<i64>| match v {
        None => Ok(None),
        Some(n) => Minor::new(n).map(Some).ok_or_else(|| corrupt("listing price", &n.to_string())),
    };
    Ok(Price { pounds: read(pence)?, credits: read(credits)? })
}

fn split_tags(tags: &str) -> Vec<String> {
    tags.split(", ").filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

fn typed(row: listing::Model) -> StoreResult<Listing> {
    Ok(Listing {
        id: ListingId::from_uuid(row.id),
        space: SpaceId::from_uuid(row.space_id),
        profile: ProfileId::from_uuid(row.profile_id),
        member: MemberId::from_uuid(row.member_id),
        side: Side::parse(&row.side).ok_or_else(|| corrupt("listing side", &row.side))?,
        kind: ListingKind::parse(&row.kind).ok_or_else(|| corrupt("listing kind", &row.kind))?,
        category: CategoryId::from_uuid(row.category_id),
        price: price_of(row.price_pence, row.price_credits)?,
        status: ListingStatus::parse(&row.status).ok_or_else(|| corrupt("listing status", &row.status))?,
        promised_to: row.promised_to.map(MemberId::from_uuid),
        tags: split_tags(&row.tags),
        title: row.title,
        body: row.body,
        body_html: row.body_html,
        area: row.area,
        available: row.available,
        quantity: row.quantity,
        expires_at: row.expires_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
        hidden: row.hidden_at.is_some(),
    })
}

pub async fn get(db: &impl ConnectionTrait, id: ListingId) -> StoreResult<Option<Listing>> {
    listing::Entity::find_by_id(id.uuid()).one(db).await?.map(typed).transpose()
}

/// Move a listing from one of `from` to `to`, setting whom it is promised to. False when it
/// was no longer in any of `from` (another request moved it first): nothing changed.
pub async fn transition(
    db: &impl ConnectionTrait,
    id: ListingId,
    from: &[ListingStatus],
    to: ListingStatus,
    promised_to: Option<MemberId>,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    transition_if(db, id, from, None, to, promised_to, now).await
}

/// The same, only while it is still promised to `was` (when given): a promise that changed
/// hands meanwhile is not ended by someone acting on the old one.
pub async fn transition_if(
    db: &impl ConnectionTrait,
    id: ListingId,
    from: &[ListingStatus],
    was: Option<MemberId>,
    to: ListingStatus,
    promised_to: Option<MemberId>,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let mut update = listing::Entity::update_many();
    if let Some(was) = was {
        update = update.filter(listing::Column::PromisedTo.eq(was.uuid()));
    }
    let result = update
        .col_expr(listing::Column::Status, Expr::value(to.as_str()))
        .col_expr(listing::Column::Live, Expr::value(to.is_live()))
        .col_expr(listing::Column::PromisedTo, Expr::value(promised_to.map(MemberId::uuid)))
        .col_expr(listing::Column::UpdatedAt, Expr::value(now))
        .filter(listing::Column::Id.eq(id.uuid()))
        .filter(listing::Column::Status.is_in(from.iter().map(|s| s.as_str())))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Keep a listing up until at least `until` (it reopened close to its closing date).
pub async fn keep_up_until(db: &impl ConnectionTrait, id: ListingId, until: DateTime<Utc>) -> StoreResult<()> {
    listing::Entity::update_many()
        .col_expr(listing::Column::ExpiresAt, Expr::value(until))
        .col_expr(listing::Column::RemindedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(listing::Column::Id.eq(id.uuid()))
        .filter(listing::Column::ExpiresAt.lt(until))
        .exec(db)
        .await?;
    Ok(())
}

/// Put an expired or withdrawn listing up again until `expires_at`.
pub async fn repost(
    db: &impl ConnectionTrait,
    id: ListingId,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let result = listing::Entity::update_many()
        .col_expr(listing::Column::Status, Expr::value(ListingStatus::Open.as_str()))
        .col_expr(listing::Column::Live, Expr::value(true))
        .col_expr(listing::Column::ExpiresAt, Expr::value(expires_at))
        .col_expr(listing::Column::RemindedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(listing::Column::CreatedAt, Expr::value(now))
        .col_expr(listing::Column::UpdatedAt, Expr::value(now))
        .filter(listing::Column::Id.eq(id.uuid()))
        .filter(listing::Column::Status.is_in([ListingStatus::Expired.as_str(), ListingStatus::Withdrawn.as_str()]))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Hide a listing (a moderator) or show it again.
pub async fn set_hidden(db: &impl ConnectionTrait, id: ListingId, hidden_at: Option<DateTime<Utc>>) -> StoreResult<()> {
    listing::Entity::update_many()
        .col_expr(listing::Column::HiddenAt, Expr::value(hidden_at))
        .filter(listing::Column::Id.eq(id.uuid()))
        .exec(db)
        .await?;
    Ok(())
}

/// A photo ready to store.
pub struct NewPhoto<'a> {
    pub jpeg: &'a [u8],
    pub thumb: &'a [u8],
    pub width: u32,
    pub height: u32,
}

pub async fn add_photo(
    db: &impl ConnectionTrait,
    listing: ListingId,
    position: i32,
    photo: NewPhoto<'_>,
    now: DateTime<Utc>,
) -> StoreResult<Uuid> {
    let id = Uuid::now_v7();
    listing_photo::Entity::insert(listing_photo::ActiveModel {
        id: Set(id),
        listing_id: Set(listing.uuid()),
        position: Set(position),
        jpeg: Set(photo.jpeg.to_vec()),
        thumb: Set(photo.thumb.to_vec()),
        width: Set(i32::try_from(photo.width).unwrap_or(i32::MAX)),
        height: Set(i32::try_from(photo.height).unwrap_or(i32::MAX)),
        created_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

/// The ids of a listing's photos, in order.
pub async fn photo_ids(db: &impl ConnectionTrait, listing: ListingId) -> StoreResult<Vec<Uuid>> {
    Ok(listing_photo::Entity::find()
        .select_only()
        .column(listing_photo::Column::Id)
        .filter(listing_photo::Column::ListingId.eq(listing.uuid()))
        .order_by_asc(listing_photo::Column::Position)
        .order_by_asc(listing_photo::Column::Id)
        .into_tuple::<Uuid>()
        .all(db)
        .await?)
}

/// Remove some of a listing's photos (only its own).
pub async fn remove_photos(db: &impl ConnectionTrait, listing: ListingId, ids: &[Uuid]) -> StoreResult<()> {
    listing_photo::Entity::delete_many()
        .filter(listing_photo::Column::ListingId.eq(listing.uuid()))
        .filter(listing_photo::Column::Id.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}

/// A photo's listing and bytes (the thumbnail when `thumb`).
pub async fn photo(db: &impl ConnectionTrait, id: Uuid, thumb: bool) -> StoreResult<Option<(ListingId, Vec<u8>)>> {
    let column = if thumb { listing_photo::Column::Thumb } else { listing_photo::Column::Jpeg };
    Ok(listing_photo::Entity::find_by_id(id)
        .select_only()
        .column(listing_photo::Column::ListingId)
        .column(column)
        .into_tuple::<(Uuid, Vec<u8>)>()
        .one(db)
        .await?
        .map(|(listing, bytes)| (ListingId::from_uuid(listing), bytes)))
}

/// What a browse asks for. Only listings in `spaces` are looked at.
#[derive(Debug, Clone, Default)]
pub struct Browse {
    pub spaces: Vec<SpaceId>,
    pub side: Option<Side>,
    pub kind: Option<ListingKind>,
    pub category: Option<CategoryId>,
    pub area: Option<String>,
    /// Each word must be among the listing's words.
    pub words: Vec<String>,
    /// Only these listings (the words already looked up).
    pub ids: Option<Vec<ListingId>>,
    /// Only from these entries (people I trust).
    pub profiles: Option<Vec<ProfileId>>,
    /// Only those a member posted.
    pub member: Option<MemberId>,
    /// Which statuses (empty: open and promised).
    pub statuses: Vec<ListingStatus>,
    /// Hidden listings too (their posters' own lists).
    pub include_hidden: bool,
}

/// A listing as a list or a grid shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    pub id: ListingId,
    pub space: SpaceId,
    pub side: Side,
    pub kind: ListingKind,
    pub category: CategoryId,
    pub title: String,
    pub area: String,
    pub price: Price,
    pub status: ListingStatus,
    pub profile: ProfileId,
    pub poster: String,
    pub member: MemberId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub photo: Option<Uuid>,
    pub hidden: bool,
}

fn browse_condition(query: &Browse) -> Condition {
    let mut condition = Condition::all();
    condition = if query.statuses.is_empty() {
        condition.add(listing::Column::Live.eq(true))
    } else {
        condition.add(listing::Column::Status.is_in(query.statuses.iter().map(|s| s.as_str())))
    };
    condition = condition.add(listing::Column::SpaceId.is_in(query.spaces.iter().map(|s| s.uuid())));
    if !query.include_hidden {
        condition = condition.add(listing::Column::HiddenAt.is_null());
    }
    if let Some(side) = query.side {
        condition = condition.add(listing::Column::Side.eq(side.as_str()));
    }
    if let Some(kind) = query.kind {
        condition = condition.add(listing::Column::Kind.eq(kind.as_str()));
    }
    if let Some(category) = query.category {
        condition = condition.add(listing::Column::CategoryId.eq(category.uuid()));
    }
    if let Some(area) = &query.area {
        condition = condition.add(listing::Column::Area.eq(area.as_str()));
    }
    if let Some(member) = query.member {
        condition = condition.add(listing::Column::MemberId.eq(member.uuid()));
    }
    if let Some(ids) = &query.ids {
        condition = condition.add(listing::Column::Id.is_in(ids.iter().map(|id| id.uuid())));
    }
    if let Some(profiles) = &query.profiles {
        condition = condition.add(listing::Column::ProfileId.is_in(profiles.iter().map(|p| p.uuid())));
    }
    for word in &query.words {
        condition = condition.add(
            listing::Column::Id.in_subquery(
                Query::select()
                    .column(listing_word::Column::ListingId)
                    .from(listing_word::Entity)
                    .and_where(listing_word::Column::Word.eq(word.as_str()))
                    .to_owned(),
            ),
        );
    }
    condition
}

/// What sifting a word search's listings needs of each: the browse's columns, and when.
#[derive(Debug, FromQueryResult)]
struct BrowseSieve {
    id: Uuid,
    status: String,
    live: bool,
    space_id: Uuid,
    hidden_at: Option<DateTime<Utc>>,
    side: String,
    kind: String,
    category_id: Uuid,
    area: String,
    member_id: Uuid,
    profile_id: Uuid,
    created_at: DateTime<Utc>,
}

/// The listings among `query.ids` that answer the rest of the browse, newest first: looked up
/// by id (the primary key), only the columns the browse tests, and sifted here, so that the
/// database never walks every live listing to test each against the list.
async fn sift(db: &impl ConnectionTrait, query: &Browse, ids: &[ListingId]) -> StoreResult<Vec<(Uuid, DateTime<Utc>)>> {
    let mut kept = Vec::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<BrowseSieve> = listing::Entity::find()
            .select_only()
            .columns([
                listing::Column::Id,
                listing::Column::Status,
                listing::Column::Live,
                listing::Column::SpaceId,
                listing::Column::HiddenAt,
                listing::Column::Side,
                listing::Column::Kind,
                listing::Column::CategoryId,
                listing::Column::Area,
                listing::Column::MemberId,
                listing::Column::ProfileId,
                listing::Column::CreatedAt,
            ])
            .filter(listing::Column::Id.is_in(chunk.iter().map(|id| id.uuid())))
            .into_model()
            .all(db)
            .await?;
        kept.extend(rows.into_iter().filter(|row| answers(query, row)).map(|row| (row.id, row.created_at)));
    }
    kept.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| b.0.cmp(&a.0)));
    Ok(kept)
}

/// A word search's page and how many listings answer it (up to `most`), from one reading of
/// the listings the word index found.
pub async fn browse_found(
    db: &impl ConnectionTrait,
    query: &Browse,
    limit: u64,
    offset: u64,
    most: u64,
) -> StoreResult<(Vec<Card>, u64)> {
    let ids = query.ids.as_deref().unwrap_or_default();
    if query.spaces.is_empty() || query.profiles.as_ref().is_some_and(Vec::is_empty) || ids.is_empty() {
        return Ok((Vec::new(), 0));
    }
    let kept = sift(db, query, ids).await?;
    let total = (kept.len() as u64).min(most);
    let page: Vec<Uuid> = kept
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(0))
        .map(|(id, _)| id)
        .collect();
    let mut rows = listing::Entity::find().filter(listing::Column::Id.is_in(page.clone())).all(db).await?;
    rows.sort_by_key(|row| page.iter().position(|id| *id == row.id));
    Ok((cards(db, rows).await?, total))
}

/// The browse's conditions, but for the ids, tested on one row (as `browse_condition` asks the
/// database).
fn answers(query: &Browse, row: &BrowseSieve) -> bool {
    let status_ok =
        if query.statuses.is_empty() { row.live } else { query.statuses.iter().any(|s| s.as_str() == row.status) };
    status_ok
        && query.spaces.iter().any(|s| s.uuid() == row.space_id)
        && (query.include_hidden || row.hidden_at.is_none())
        && query.side.is_none_or(|s| s.as_str() == row.side)
        && query.kind.is_none_or(|k| k.as_str() == row.kind)
        && query.category.is_none_or(|c| c.uuid() == row.category_id)
        && query.area.as_deref().is_none_or(|a| a == row.area)
        && query.member.is_none_or(|m| m.uuid() == row.member_id)
        && query.profiles.as_ref().is_none_or(|p| p.iter().any(|p| p.uuid() == row.profile_id))
        && query.words.is_empty()
}

/// Listings that answer a browse, newest first. Returns up to `limit`.
pub async fn browse(db: &impl ConnectionTrait, query: &Browse, limit: u64, offset: u64) -> StoreResult<Vec<Card>> {
    if query.ids.is_some() {
        return Ok(browse_found(db, query, limit, offset, 0).await?.0);
    }
    if query.spaces.is_empty()
        || query.profiles.as_ref().is_some_and(Vec::is_empty)
        || query.ids.as_ref().is_some_and(Vec::is_empty)
    {
        return Ok(Vec::new());
    }
    let rows = listing::Entity::find()
        .filter(browse_condition(query))
        .order_by_desc(listing::Column::CreatedAt)
        .order_by_desc(listing::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    cards(db, rows).await
}

/// How many listings answer a browse, counting no further than `most` (a page says "more than
/// 1,000" rather than count them all each time).
pub async fn count(db: &impl ConnectionTrait, query: &Browse, most: u64) -> StoreResult<u64> {
    if query.spaces.is_empty()
        || query.profiles.as_ref().is_some_and(Vec::is_empty)
        || query.ids.as_ref().is_some_and(Vec::is_empty)
    {
        return Ok(0);
    }
    Ok(listing::Entity::find()
        .select_only()
        .column(listing::Column::Id)
        .filter(browse_condition(query))
        .limit(most)
        .count(db)
        .await?)
}

async fn cards(db: &impl ConnectionTrait, rows: Vec<listing::Model>) -> StoreResult<Vec<Card>> {
    let names: HashMap<Uuid, String> = profile::Entity::find()
        .select_only()
        .column(profile::Column::Id)
        .column(profile::Column::Name)
        .filter(profile::Column::Id.is_in(rows.iter().map(|r| r.profile_id)))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut photos: HashMap<Uuid, Uuid> = HashMap::new();
    for (listing, photo) in listing_photo::Entity::find()
        .select_only()
        .column(listing_photo::Column::ListingId)
        .column(listing_photo::Column::Id)
        .filter(listing_photo::Column::ListingId.is_in(rows.iter().map(|r| r.id)))
        .order_by_desc(listing_photo::Column::Position)
        .order_by_desc(listing_photo::Column::Id)
        .into_tuple::<(Uuid, Uuid)>()
        .all(db)
        .await?
    {
        // Ordered last first, so the first photo is the one kept.
        photos.insert(listing, photo);
    }
    rows.into_iter()
        .map(|row| {
            let poster = names.get(&row.profile_id).cloned().unwrap_or_default();
            let photo = photos.get(&row.id).copied();
            let listing = typed(row)?;
            Ok(Card {
                id: listing.id,
                space: listing.space,
                side: listing.side,
                kind: listing.kind,
                category: listing.category,
                title: listing.title,
                area: listing.area,
                price: listing.price,
                status: listing.status,
                profile: listing.profile,
                poster,
                member: listing.member,
                created_at: listing.created_at,
                expires_at: listing.expires_at,
                photo,
                hidden: listing.hidden,
            })
        })
        .collect()
}

/// How many live listings there are with one space, side, kind, category and area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCount {
    pub space: SpaceId,
    pub side: Side,
    pub kind: ListingKind,
    pub category: CategoryId,
    pub area: String,
    pub count: u64,
}

/// The live, shown listings counted by space, side, kind, category and area: a few hundred rows
/// that answer every browse's count without counting listings (the server keeps them in memory).
pub async fn facet_counts(db: &impl ConnectionTrait) -> StoreResult<Vec<FacetCount>> {
    let rows: Vec<(Uuid, String, String, Uuid, String, i64)> = listing::Entity::find()
        .select_only()
        .column(listing::Column::SpaceId)
        .column(listing::Column::Side)
        .column(listing::Column::Kind)
        .column(listing::Column::CategoryId)
        .column(listing::Column::Area)
        .column_as(listing::Column::Id.count(), "n")
        .filter(listing::Column::Live.eq(true))
        .filter(listing::Column::HiddenAt.is_null())
        .group_by(listing::Column::SpaceId)
        .group_by(listing::Column::Side)
        .group_by(listing::Column::Kind)
        .group_by(listing::Column::CategoryId)
        .group_by(listing::Column::Area)
        .into_tuple()
        .all(db)
        .await?;
    rows.into_iter()
        .map(|(space, side, kind, category, area, n)| {
            Ok(FacetCount {
                space: SpaceId::from_uuid(space),
                side: Side::parse(&side).ok_or_else(|| corrupt("listing side", &side))?,
                kind: ListingKind::parse(&kind).ok_or_else(|| corrupt("listing kind", &kind))?,
                category: CategoryId::from_uuid(category),
                area,
                count: u64::try_from(n).unwrap_or(0),
            })
        })
        .collect()
}

/// The listings (of any status) that hold a word, at most `most` of them.
pub async fn postings(db: &impl ConnectionTrait, word: &str, most: u64) -> StoreResult<Vec<ListingId>> {
    Ok(listing_word::Entity::find()
        .select_only()
        .column(listing_word::Column::ListingId)
        .filter(listing_word::Column::Word.eq(word))
        .limit(most)
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .map(ListingId::from_uuid)
        .collect())
}

/// What sifting listings found by id needs of each.
#[derive(Debug, FromQueryResult)]
struct ListingSieve {
    id: Uuid,
    member_id: Uuid,
    space_id: Uuid,
    kind: String,
    status: String,
    side: String,
    category_id: Uuid,
    hidden_at: Option<DateTime<Utc>>,
}

/// An open listing on the other side that shares a keyword with a new one, in its category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: ListingId,
    pub member: MemberId,
    pub space: SpaceId,
    pub kind: ListingKind,
    pub keywords: BTreeSet<String>,
}

/// Open listings on `side` in `category` sharing a keyword with `keywords`, but not `member`'s
/// own. The keyword index narrows it first, so this stays quick with many open listings.
pub async fn candidates(
    db: &impl ConnectionTrait,
    side: Side,
    category: CategoryId,
    keywords: &BTreeSet<String>,
    member: MemberId,
) -> StoreResult<Vec<Candidate>> {
    if keywords.is_empty() {
        return Ok(Vec::new());
    }
    // First the listings holding one of the words (the word index), then those of them that
    // are open on that side in that category.
    let words: Vec<(Uuid, String)> = listing_word::Entity::find()
        .select_only()
        .column(listing_word::Column::ListingId)
        .column(listing_word::Column::Word)
        .filter(listing_word::Column::Word.is_in(keywords.iter().map(String::as_str)))
        .filter(listing_word::Column::Keyword.eq(true))
        .into_tuple()
        .all(db)
        .await?;
    let mut listing_ids: Vec<Uuid> = words.iter().map(|(id, _)| *id).collect();
    listing_ids.sort_unstable();
    listing_ids.dedup();
    // Looked up by id alone (the primary key), then sifted here: a filter on another column
    // could lead the database to walk every open listing instead.
    let mut open: HashMap<Uuid, (Uuid, Uuid, String)> = HashMap::new();
    for chunk in listing_ids.chunks(500) {
        let rows: Vec<ListingSieve> = listing::Entity::find()
            .select_only()
            .columns([
                listing::Column::Id,
                listing::Column::MemberId,
                listing::Column::SpaceId,
                listing::Column::Kind,
                listing::Column::Status,
                listing::Column::Side,
                listing::Column::CategoryId,
                listing::Column::HiddenAt,
            ])
            .filter(listing::Column::Id.is_in(chunk.iter().copied()))
            .into_model()
            .all(db)
            .await?;
        open.extend(
            rows.into_iter()
                .filter(|r| {
                    r.status == ListingStatus::Open.as_str()
                        && r.side == side.as_str()
                        && r.category_id == category.uuid()
                        && r.hidden_at.is_none()
                        && r.member_id != member.uuid()
                })
                .map(|r| (r.id, (r.member_id, r.space_id, r.kind))),
        );
    }
    let rows = words
        .into_iter()
        .filter_map(|(id, word)| open.get(&id).map(|(member, space, kind)| (id, *member, *space, kind.clone(), word)));
    let mut found: Vec<Candidate> = Vec::new();
    for (id, member, space, kind, word) in rows {
        let id = ListingId::from_uuid(id);
        if let Some(known) = found.iter_mut().find(|c| c.id == id) {
            known.keywords.insert(word);
            continue;
        }
        found.push(Candidate {
            id,
            member: MemberId::from_uuid(member),
            space: SpaceId::from_uuid(space),
            kind: ListingKind::parse(&kind).ok_or_else(|| corrupt("listing kind", &kind))?,
            keywords: BTreeSet::from([word]),
        });
    }
    Ok(found)
}

/// Close open listings whose time has run out. Returns them (id, poster) to tell.
pub async fn expire_due(db: &impl ConnectionTrait, now: DateTime<Utc>) -> StoreResult<Vec<(ListingId, MemberId)>> {
    let due: Vec<(Uuid, Uuid)> = listing::Entity::find()
        .select_only()
        .column(listing::Column::Id)
        .column(listing::Column::MemberId)
        .filter(listing::Column::Status.eq(ListingStatus::Open.as_str()))
        .filter(listing::Column::ExpiresAt.lte(now))
        .limit(500)
        .into_tuple()
        .all(db)
        .await?;
    let mut expired = Vec::new();
    for (id, member) in due {
        let id = ListingId::from_uuid(id);
        if transition(db, id, &[ListingStatus::Open], ListingStatus::Expired, None, now).await? {
            expired.push((id, MemberId::from_uuid(member)));
        }
    }
    Ok(expired)
}

/// Claim the open listings that close before `before` and whose posters were not yet reminded.
/// Returns them (id, poster, title) to remind.
pub async fn claim_reminders(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<Vec<(ListingId, MemberId)>> {
    let due: Vec<(Uuid, Uuid)> = listing::Entity::find()
        .select_only()
        .column(listing::Column::Id)
        .column(listing::Column::MemberId)
        .filter(listing::Column::Status.eq(ListingStatus::Open.as_str()))
        .filter(listing::Column::ExpiresAt.lte(before))
        .filter(listing::Column::RemindedAt.is_null())
        .limit(500)
        .into_tuple()
        .all(db)
        .await?;
    let mut claimed = Vec::new();
    for (id, member) in due {
        let result = listing::Entity::update_many()
            .col_expr(listing::Column::RemindedAt, Expr::value(now))
            .filter(listing::Column::Id.eq(id))
            .filter(listing::Column::RemindedAt.is_null())
            .exec(db)
            .await?;
        if result.rows_affected == 1 {
            claimed.push((ListingId::from_uuid(id), MemberId::from_uuid(member)));
        }
    }
    Ok(claimed)
}

/// How many listings a member posted since a moment (for the limit on posting).
pub async fn posted_since(db: &impl ConnectionTrait, member: MemberId, since: DateTime<Utc>) -> StoreResult<u64> {
    Ok(listing::Entity::find()
        .filter(listing::Column::MemberId.eq(member.uuid()))
        .filter(listing::Column::CreatedAt.gte(since))
        .count(db)
        .await?)
}

/// Whether a category exists and is in use.
pub async fn category_usable(db: &impl ConnectionTrait, id: CategoryId) -> StoreResult<bool> {
    Ok(listing_category::Entity::find_by_id(id.uuid()).one(db).await?.is_some_and(|c| !c.retired))
}

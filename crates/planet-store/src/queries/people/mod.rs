//! The green directory: entries for people, businesses and organisations, who runs them, their
//! skills, and full-text search (through [`crate::dialect::FullTextSearch`]).

mod photos;
mod values;
pub use photos::*;
pub use values::*;

use super::corrupt;
use crate::dialect::{FullTextSearch, SearchTerms, backend_of, search_rowid};
use crate::entities::{member, profile, profile_manager, profile_tag, profile_value};
use crate::{StoreError, StoreResult};
use chrono::{DateTime, Utc};
use planet_domain::profile::{ContactVisibility, ProfileKind};
use planet_domain::space::AccountStatus;
use planet_domain::{MemberId, ProfileId};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, JoinType, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, RelationDef, Set,
};
use std::collections::HashMap;

/// A person's entry has the id of their account.
pub fn person_profile(member: MemberId) -> ProfileId {
    ProfileId::from_uuid(member.uuid())
}

/// An entry in the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub id: ProfileId,
    pub kind: ProfileKind,
    pub member: Option<MemberId>,
    pub name: String,
    pub tagline: String,
    pub description: String,
    pub offers: String,
    pub needs: String,
    pub area: String,
    pub website: Option<String>,
    pub phone: Option<String>,
    pub contact_email: Option<String>,
    pub contact_visibility: ContactVisibility,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub tags: Vec<String>,
}

impl TryFrom<profile::Model> for Profile {
    type Error = StoreError;
    fn try_from(row: profile::Model) -> Result<Self, Self::Error> {
        Ok(Self {
            id: ProfileId::from_uuid(row.id),
            kind: ProfileKind::parse(&row.kind).ok_or_else(|| corrupt("profile kind", &row.kind))?,
            member: row.member_id.map(MemberId::from_uuid),
            contact_visibility: ContactVisibility::parse(&row.contact_visibility)
                .ok_or_else(|| corrupt("contact visibility", &row.contact_visibility))?,
            name: row.name,
            tagline: row.tagline,
            description: row.description,
            offers: row.offers,
            needs: row.needs,
            area: row.area,
            website: row.website,
            phone: row.phone,
            contact_email: row.contact_email,
            created_at: row.created_at,
            updated_at: row.updated_at,
            tags: Vec::new(),
        })
    }
}

/// What a member can change on an entry.
#[derive(Debug, Clone, Copy)]
pub struct ProfileFields<'a> {
    pub name: &'a str,
    pub tagline: &'a str,
    pub description: &'a str,
    pub offers: &'a str,
    pub needs: &'a str,
    pub area: &'a str,
    pub website: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub contact_email: Option<&'a str>,
    pub contact_visibility: ContactVisibility,
    pub tags: &'a [String],
}

/// Make a person's entry (with every new account) or a business's (with its first manager).
pub async fn create_profile(
    db: &impl ConnectionTrait,
    id: ProfileId,
    kind: ProfileKind,
    member: Option<MemberId>,
    name: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    profile::ActiveModel {
        id: Set(id.uuid()),
        kind: Set(kind.as_str().to_owned()),
        member_id: Set(member.map(MemberId::uuid)),
        name: Set(name.to_owned()),
        tagline: Set(String::new()),
        description: Set(String::new()),
        offers: Set(String::new()),
        needs: Set(String::new()),
        area: Set(String::new()),
        website: Set(None),
        phone: Set(None),
        contact_email: Set(None),
        contact_visibility: Set(ContactVisibility::Nobody.as_str().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        search_key: Set(Some(free_search_key(db, id, name).await?)),
    }
    .insert(db)
    .await?;
    reindex(db, id, None, name, "").await
}

/// The entry's search key for this name, stepping past any other entry's (see
/// `dialect::search_rowid`).
async fn free_search_key(db: &impl ConnectionTrait, id: ProfileId, name: &str) -> StoreResult<i64> {
    let first = search_rowid(id.uuid(), name);
    for key in first..first + 1000 {
        let taken = profile::Entity::find()
            .filter(profile::Column::SearchKey.eq(key))
            .filter(profile::Column::Id.ne(id.uuid()))
            .count(db)
            .await?
            > 0;
        if !taken {
            return Ok(key);
        }
    }
    Err(StoreError::Conflict(format!("no free search key for {name:?}")))
}

pub async fn update_profile(
    db: &impl ConnectionTrait,
    id: ProfileId,
    fields: ProfileFields<'_>,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let Some(before) = profile::Entity::find_by_id(id.uuid()).one(db).await? else {
        return Ok(false);
    };
    let key = if before.name == fields.name && before.search_key.is_some() {
        before.search_key.unwrap_or_default()
    } else {
        free_search_key(db, id, fields.name).await?
    };
    let result = profile::Entity::update_many()
        .col_expr(profile::Column::Name, Expr::value(fields.name))
        .col_expr(profile::Column::SearchKey, Expr::value(key))
        .col_expr(profile::Column::Tagline, Expr::value(fields.tagline))
        .col_expr(profile::Column::Description, Expr::value(fields.description))
        .col_expr(profile::Column::Offers, Expr::value(fields.offers))
        .col_expr(profile::Column::Needs, Expr::value(fields.needs))
        .col_expr(profile::Column::Area, Expr::value(fields.area))
        .col_expr(profile::Column::Website, Expr::value(fields.website.map(str::to_owned)))
        .col_expr(profile::Column::Phone, Expr::value(fields.phone.map(str::to_owned)))
        .col_expr(profile::Column::ContactEmail, Expr::value(fields.contact_email.map(str::to_owned)))
        .col_expr(profile::Column::ContactVisibility, Expr::value(fields.contact_visibility.as_str()))
        .col_expr(profile::Column::UpdatedAt, Expr::value(now))
        .filter(profile::Column::Id.eq(id.uuid()))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Ok(false);
    }
    profile_tag::Entity::delete_many().filter(profile_tag::Column::ProfileId.eq(id.uuid())).exec(db).await?;
    if !fields.tags.is_empty() {
        profile_tag::Entity::insert_many(
            fields
                .tags
                .iter()
                .map(|tag| profile_tag::ActiveModel { profile_id: Set(id.uuid()), tag: Set(tag.clone()) }),
        )
        .exec(db)
        .await?;
    }
    let body = [fields.tagline, fields.description, fields.offers, fields.needs, fields.area, &fields.tags.join(" ")]
        .join("\n");
    reindex(db, id, before.search_key.map(|old| (old, key)), fields.name, &body).await?;
    Ok(true)
}

/// Replace an entry's words in the search index. `keys` is (the search key before, now).
async fn reindex(
    db: &impl ConnectionTrait,
    id: ProfileId,
    keys: Option<(i64, i64)>,
    name: &str,
    body: &str,
) -> StoreResult<()> {
    let (old, key) = match keys {
        Some((old, key)) => (Some(old), key),
        None => {
            let row = profile::Entity::find_by_id(id.uuid()).one(db).await?;
            (None, row.and_then(|r| r.search_key).unwrap_or_else(|| search_rowid(id.uuid(), name)))
        }
    };
    let backend = backend_of(db.get_database_backend());
    for statement in backend.index_profile(old, key, id.uuid(), name, body) {
        db.execute_raw(statement).await?;
    }
    if let Some(statement) = backend.keep_name_order(id.uuid(), key) {
        db.execute_raw(statement).await?;
    }
    Ok(())
}

async fn with_tags(db: &impl ConnectionTrait, mut profiles: Vec<Profile>) -> StoreResult<Vec<Profile>> {
    let ids: Vec<_> = profiles.iter().map(|p| p.id.uuid()).collect();
    let mut tags: HashMap<uuid::Uuid, Vec<String>> = HashMap::new();
    for row in profile_tag::Entity::find()
        .filter(profile_tag::Column::ProfileId.is_in(ids))
        .order_by_asc(profile_tag::Column::Tag)
        .all(db)
        .await?
    {
        tags.entry(row.profile_id).or_default().push(row.tag);
    }
    for profile in &mut profiles {
        profile.tags = tags.remove(&profile.id.uuid()).unwrap_or_default();
    }
    Ok(profiles)
}

pub async fn profile(db: &impl ConnectionTrait, id: ProfileId) -> StoreResult<Option<Profile>> {
    let Some(row) = profile::Entity::find_by_id(id.uuid()).one(db).await? else {
        return Ok(None);
    };
    Ok(with_tags(db, vec![Profile::try_from(row)?]).await?.pop())
}

pub async fn profiles_by_ids(db: &impl ConnectionTrait, ids: &[ProfileId]) -> StoreResult<Vec<Profile>> {
    let rows =
        profile::Entity::find().filter(profile::Column::Id.is_in(ids.iter().map(|id| id.uuid()))).all(db).await?;
    with_tags(db, rows.into_iter().map(Profile::try_from).collect::<StoreResult<_>>()?).await
}

/// Names of entries, for trust paths and lists.
pub async fn names(
    db: &impl ConnectionTrait,
    ids: &[ProfileId],
) -> StoreResult<HashMap<ProfileId, (String, ProfileKind)>> {
    #[derive(FromQueryResult)]
    struct Row {
        id: uuid::Uuid,
        name: String,
        kind: String,
    }
    let rows = profile::Entity::find()
        .select_only()
        .columns([profile::Column::Id, profile::Column::Name, profile::Column::Kind])
        .filter(profile::Column::Id.is_in(ids.iter().map(|id| id.uuid())))
        .into_model::<Row>()
        .all(db)
        .await?;
    rows.into_iter()
        .map(|row| {
            let kind = ProfileKind::parse(&row.kind).ok_or_else(|| corrupt("profile kind", &row.kind))?;
            Ok((ProfileId::from_uuid(row.id), (row.name, kind)))
        })
        .collect()
}

/// Someone who runs a business or organisation entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manager {
    pub member: MemberId,
    pub name: String,
    pub owner: bool,
}

pub async fn add_manager(
    db: &impl ConnectionTrait,
    profile: ProfileId,
    member: MemberId,
    owner: bool,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    profile_manager::ActiveModel {
        profile_id: Set(profile.uuid()),
        member_id: Set(member.uuid()),
        is_owner: Set(owner),
        added_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn remove_manager(db: &impl ConnectionTrait, profile: ProfileId, member: MemberId) -> StoreResult<bool> {
    let result = profile_manager::Entity::delete_many()
        .filter(profile_manager::Column::ProfileId.eq(profile.uuid()))
        .filter(profile_manager::Column::MemberId.eq(member.uuid()))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

fn manager_member() -> RelationDef {
    profile_manager::Entity::belongs_to(member::Entity)
        .from(profile_manager::Column::MemberId)
        .to(member::Column::Id)
        .into()
}

pub async fn managers(db: &impl ConnectionTrait, profile: ProfileId) -> StoreResult<Vec<Manager>> {
    #[derive(FromQueryResult)]
    struct Row {
        member_id: uuid::Uuid,
        name: String,
        is_owner: bool,
    }
    let rows = profile_manager::Entity::find()
        .select_only()
        .column(profile_manager::Column::MemberId)
        .column(profile_manager::Column::IsOwner)
        .column_as(member::Column::Name, "name")
        .join(JoinType::InnerJoin, manager_member())
        .filter(profile_manager::Column::ProfileId.eq(profile.uuid()))
        .order_by_desc(profile_manager::Column::IsOwner)
        .order_by_asc(member::Column::Name)
        .into_model::<Row>()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| Manager { member: MemberId::from_uuid(r.member_id), name: r.name, owner: r.is_owner })
        .collect())
}

/// The businesses and organisations a member runs.
pub async fn managed_by(db: &impl ConnectionTrait, member: MemberId) -> StoreResult<Vec<ProfileId>> {
    Ok(profile_manager::Entity::find()
        .filter(profile_manager::Column::MemberId.eq(member.uuid()))
        .all(db)
        .await?
        .into_iter()
        .map(|row| ProfileId::from_uuid(row.profile_id))
        .collect())
}

/// How the directory is ordered (closeness is worked out in memory, from the trust graph).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectoryOrder {
    Name,
    Newest,
}

/// A directory search: all filters optional.
#[derive(Debug, Clone)]
pub struct DirectoryQuery {
    pub terms: Option<SearchTerms>,
    pub kind: Option<ProfileKind>,
    pub tag: Option<String>,
    pub area: Option<String>,
    pub value: Option<uuid::Uuid>,
    pub order: DirectoryOrder,
    pub limit: u64,
    pub offset: u64,
}

fn listed() -> Condition {
    // People appear once admitted and while in good standing; businesses (no account) always.
    // Written as NOT EXISTS, not as an OR, so that the planner can still walk the name index.
    let not_in_good_standing = Query::select()
        .expr(Expr::val(1))
        .from(member::Entity)
        .and_where(Expr::col((member::Entity, member::Column::Id)).equals((profile::Entity, profile::Column::MemberId)))
        .and_where(Expr::col((member::Entity, member::Column::Status)).ne(AccountStatus::Member.as_str()))
        .to_owned();
    Condition::all().add(Expr::exists(not_in_good_standing).not())
}

fn directory_filter(query: &DirectoryQuery) -> Condition {
    let mut condition = Condition::all().add(listed());
    if let Some(kind) = query.kind {
        condition = condition.add(profile::Column::Kind.eq(kind.as_str()));
    }
    if let Some(area) = &query.area {
        condition = condition.add(profile::Column::Area.eq(area.as_str()));
    }
    if let Some(tag) = &query.tag {
        let tagged = Query::select()
            .column(profile_tag::Column::ProfileId)
            .from(profile_tag::Entity)
            .and_where(profile_tag::Column::Tag.eq(tag.as_str()))
            .to_owned();
        condition = condition.add(profile::Column::Id.in_subquery(tagged));
    }
    if let Some(value) = query.value {
        let living = Query::select()
            .column(profile_value::Column::ProfileId)
            .from(profile_value::Entity)
            .and_where(profile_value::Column::ValueId.eq(value))
            .to_owned();
        condition = condition.add(profile::Column::Id.in_subquery(living));
    }
    condition
}

/// Directory totals are counted up to this many; beyond, pages say "more than 300" and ask for
/// another word or a filter (counting every match of a common word costs more than the page).
pub const COUNT_CAP: u64 = 300;

/// One page of the directory and how many entries match in all, counted up to [`COUNT_CAP`]
/// (a total above it means "more").
pub async fn directory(db: &impl ConnectionTrait, query: &DirectoryQuery) -> StoreResult<(Vec<Profile>, u64)> {
    directory_walking(db, query, backend_of(db.get_database_backend()).walk_limit()).await
}

/// [`directory`], walking `window` entries in name order before asking the full-text index
/// (see [`FullTextSearch::walk_limit`]; tests try small windows).
pub async fn directory_walking(
    db: &impl ConnectionTrait,
    query: &DirectoryQuery,
    window: Option<u64>,
) -> StoreResult<(Vec<Profile>, u64)> {
    let backend = backend_of(db.get_database_backend());
    if let (DirectoryOrder::Name, Some(terms), Some(window)) = (query.order, &query.terms, window)
        && let Some(found) = walk_directory(db, query, terms, window).await?
    {
        return Ok(found);
    }
    let mut select = profile::Entity::find().filter(directory_filter(query));
    if let Some(terms) = &query.terms {
        backend.keep_matches(QueryTrait::query(&mut select), terms);
    }
    select = match (query.order, &query.terms) {
        (DirectoryOrder::Name, Some(_)) => {
            backend.order_matches_by_name(QueryTrait::query(&mut select));
            select
        }
        (DirectoryOrder::Name, None) => select.order_by_asc(profile::Column::Name).order_by_asc(profile::Column::Id),
        (DirectoryOrder::Newest, _) => {
            select.order_by_desc(profile::Column::CreatedAt).order_by_asc(profile::Column::Id)
        }
    };
    // Counted in the same order, so that SQLite reads the matches as they come and stops.
    let total = select.clone().limit(COUNT_CAP + 1).count(db).await?;
    let rows = select.limit(query.limit).offset(query.offset).all(db).await?;
    let profiles = with_tags(db, rows.into_iter().map(Profile::try_from).collect::<StoreResult<_>>()?).await?;
    Ok((profiles, total))
}

/// A page of matches in name order without sorting every match (where the index cannot hand
/// them over in that order): first walk the first `window` entries in name order, testing
/// each (quick when the words are common); else take the first `window` matches from the
/// full-text index by key (quick when they are rare). `None` when neither settles the page
/// and the count, which only selective filters on many matches cause.
async fn walk_directory(
    db: &impl ConnectionTrait,
    query: &DirectoryQuery,
    terms: &SearchTerms,
    window: u64,
) -> StoreResult<Option<(Vec<Profile>, u64)>> {
    let backend = backend_of(db.get_database_backend());
    let need = Ord::max(query.offset + query.limit, COUNT_CAP + 1);
    let ids_of = |first_matches: bool| {
        let mut select =
            profile::Entity::find().select_only().column(profile::Column::Id).filter(directory_filter(query));
        if first_matches {
            backend.first_matches(QueryTrait::query(&mut select), terms, window);
        } else {
            backend.walk_matches(QueryTrait::query(&mut select), terms, window);
        }
        select.limit(need).into_tuple::<uuid::Uuid>()
    };
    let mut ids = ids_of(false).all(db).await?;
    let mut settled = ids.len() as u64 == need || profile::Entity::find().limit(window + 1).count(db).await? <= window;
    if !settled {
        ids = ids_of(true).all(db).await?;
        settled = ids.len() as u64 == need || count_matches(db, terms, window + 1).await? <= window;
    }
    if !settled {
        return Ok(None);
    }
    let page: Vec<uuid::Uuid> = ids.iter().skip(query.offset as usize).take(query.limit as usize).copied().collect();
    let mut rows: HashMap<uuid::Uuid, profile::Model> = profile::Entity::find()
        .filter(profile::Column::Id.is_in(page.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    let profiles =
        page.iter().filter_map(|id| rows.remove(id)).map(Profile::try_from).collect::<StoreResult<Vec<_>>>()?;
    Ok(Some((with_tags(db, profiles).await?, Ord::min(ids.len() as u64, COUNT_CAP + 1))))
}

async fn count_matches(db: &impl ConnectionTrait, terms: &SearchTerms, cap: u64) -> StoreResult<u64> {
    let statement = backend_of(db.get_database_backend()).count_matches(terms, cap);
    let row = db.query_one_raw(statement).await?;
    Ok(row.and_then(|r| r.try_get::<i64>("", "n").ok()).map_or(0, |n| u64::try_from(n).unwrap_or(0)))
}

/// The areas and skills in use, most used first, for the directory's filters.
pub async fn areas_in_use(db: &impl ConnectionTrait) -> StoreResult<Vec<String>> {
    #[derive(FromQueryResult)]
    struct Row {
        area: String,
    }
    Ok(profile::Entity::find()
        .select_only()
        .column(profile::Column::Area)
        .filter(profile::Column::Area.ne(""))
        .group_by(profile::Column::Area)
        .order_by_asc(profile::Column::Area)
        .into_model::<Row>()
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.area)
        .collect())
}

pub async fn tags_in_use(db: &impl ConnectionTrait, limit: u64) -> StoreResult<Vec<String>> {
    #[derive(FromQueryResult)]
    struct Row {
        tag: String,
    }
    Ok(profile_tag::Entity::find()
        .select_only()
        .column(profile_tag::Column::Tag)
        .group_by(profile_tag::Column::Tag)
        .order_by_desc(Expr::col(profile_tag::Column::ProfileId).count())
        .order_by_asc(profile_tag::Column::Tag)
        .limit(limit)
        .into_model::<Row>()
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.tag)
        .collect())
}

/// Whether a member runs this entry (or it is their own).
pub async fn is_managed_by(db: &impl ConnectionTrait, profile: &Profile, member: MemberId) -> StoreResult<bool> {
    if profile.member == Some(member) {
        return Ok(true);
    }
    Ok(profile_manager::Entity::find()
        .filter(profile_manager::Column::ProfileId.eq(profile.id.uuid()))
        .filter(profile_manager::Column::MemberId.eq(member.uuid()))
        .count(db)
        .await?
        > 0)
}

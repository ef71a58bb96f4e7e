//! `/api/v1/listings`: offers and wants for programs — browse, post, respond, promise, complete,
//! fall through, withdraw, repost, report — and `/api/v1/deals/{id}/feedback`. Photos are added
//! through the form.

use super::browse::{self, BrowseForm};
use super::deals;
use super::input::ListingForm;
use super::service;
use crate::error::{ApiResult, ErrorBody};
use crate::identity::session::ApiCtx;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::{DateTime, Utc};
use planet_domain::synergy::{DealState, ListingKind, ListingStatus, Price, Side};
use planet_domain::{CategoryId, DealId, ListingId, MemberId, ProfileId, SpaceId, TopicId};
use planet_store::queries::synergy::Card;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct PriceDto {
    /// In pence.
    pub pence: Option<i64>,
    /// In hundredths of a credit.
    pub credit_hundredths: Option<i64>,
}

impl From<Price> for PriceDto {
    fn from(p: Price) -> Self {
        Self { pence: p.pounds.map(|m| m.hundredths()), credit_hundredths: p.credits.map(|m| m.hundredths()) }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ListingCardDto {
    #[schema(value_type = String, format = Uuid)]
    pub id: ListingId,
    #[schema(value_type = String, format = Uuid)]
    pub space_id: SpaceId,
    #[schema(value_type = String)]
    pub side: Side,
    #[schema(value_type = String)]
    pub kind: ListingKind,
    #[schema(value_type = String, format = Uuid)]
    pub category_id: CategoryId,
    pub title: String,
    pub area: String,
    pub price: PriceDto,
    #[schema(value_type = String)]
    pub status: ListingStatus,
    #[schema(value_type = String, format = Uuid)]
    pub profile_id: ProfileId,
    pub posted_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The first photo (`/synergy/photos/{id}`), if any.
    pub photo: Option<uuid::Uuid>,
}

impl From<&Card> for ListingCardDto {
    fn from(c: &Card) -> Self {
        Self {
            id: c.id,
            space_id: c.space,
            side: c.side,
            kind: c.kind,
            category_id: c.category,
            title: c.title.clone(),
            area: c.area.clone(),
            price: c.price.into(),
            status: c.status,
            profile_id: c.profile,
            posted_by: c.poster.clone(),
            created_at: c.created_at,
            expires_at: c.expires_at,
            photo: c.photo,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ListingPageDto {
    pub total: u64,
    pub listings: Vec<ListingCardDto>,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct BrowseParams {
    /// `offer` or `want`.
    pub side: String,
    pub kind: String,
    pub category: String,
    pub area: String,
    pub space: String,
    /// Words to search for.
    pub q: String,
    /// `1`: only from people I trust.
    pub trusted: String,
    pub page: u64,
}

/// Open and promised listings in the spaces I can see, newest first, 24 a page.
#[utoipa::path(get, path = "/api/v1/listings", tag = "synergy", params(BrowseParams),
    responses((status = 200, body = ListingPageDto), (status = 403, body = ErrorBody)), security(("token" = [])))]
pub async fn browse(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(p): Query<BrowseParams>,
) -> ApiResult<ListingPageDto> {
    let form = BrowseForm {
        side: p.side,
        kind: p.kind,
        category: p.category,
        area: p.area,
        space: p.space,
        q: p.q,
        trusted: p.trusted,
        page: p.page,
    };
    let found = browse::browse(&state, &ctx, &form).await?;
    Ok(Json(ListingPageDto { total: found.total, listings: found.cards.iter().map(Into::into).collect() }))
}

#[derive(Serialize, ToSchema)]
pub struct CategoryDto {
    #[schema(value_type = String, format = Uuid)]
    pub id: CategoryId,
    pub name: String,
}

/// The categories listings are posted in.
#[utoipa::path(get, path = "/api/v1/listing-categories", tag = "synergy",
    responses((status = 200, body = Vec<CategoryDto>), (status = 403, body = ErrorBody)), security(("token" = [])))]
pub async fn categories(State(state): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Vec<CategoryDto>> {
    let choices = service::choices(&state, &ctx).await?;
    Ok(Json(
        choices.categories.into_iter().filter(|c| !c.retired).map(|c| CategoryDto { id: c.id, name: c.name }).collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct DealDto {
    #[schema(value_type = String, format = Uuid)]
    pub id: DealId,
    #[schema(value_type = String, format = Uuid)]
    pub poster: MemberId,
    #[schema(value_type = String, format = Uuid)]
    pub other: MemberId,
    #[schema(value_type = String)]
    pub state: DealState,
    pub price: PriceDto,
    pub promised_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct ListingDto {
    #[serde(flatten)]
    pub card: ListingCardDto,
    pub body: String,
    pub tags: Vec<String>,
    pub available: String,
    pub quantity: i32,
    /// Photo ids (`/synergy/photos/{id}`).
    pub photos: Vec<uuid::Uuid>,
    /// The conversation I opened about it, if I said I was interested.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub my_conversation: Option<TopicId>,
    /// The deals I take part in (and done ones).
    pub deals: Vec<DealDto>,
}

/// One listing.
#[utoipa::path(get, path = "/api/v1/listings/{id}", tag = "synergy", params(("id" = String, Path, description = "listing id")),
    responses((status = 200, body = ListingDto), (status = 404, body = ErrorBody)), security(("token" = [])))]
pub async fn get(State(state): State<AppState>, ApiCtx(ctx): ApiCtx, Path(id): Path<String>) -> ApiResult<ListingDto> {
    one(&state, &ctx, &id).await
}

async fn one(state: &AppState, ctx: &crate::identity::session::Ctx, id: &str) -> ApiResult<ListingDto> {
    let v = service::view(state, ctx, id).await?;
    let l = &v.listing;
    let card = Card {
        id: l.id,
        space: l.space,
        side: l.side,
        kind: l.kind,
        category: l.category,
        title: l.title.clone(),
        area: l.area.clone(),
        price: l.price,
        status: l.status,
        profile: l.profile,
        poster: v.poster_name.clone(),
        member: l.member,
        created_at: l.created_at,
        expires_at: l.expires_at,
        photo: v.photos.first().copied(),
        hidden: l.hidden,
    };
    Ok(Json(ListingDto {
        card: (&card).into(),
        body: l.body.clone(),
        tags: l.tags.clone(),
        available: l.available.clone(),
        quantity: l.quantity,
        photos: v.photos.clone(),
        my_conversation: v.my_conversation,
        deals: v
            .deals
            .iter()
            .map(|d| DealDto {
                id: d.deal.id,
                poster: d.deal.poster,
                other: d.deal.other,
                state: d.deal.state,
                price: d.deal.price.into(),
                promised_at: d.deal.promised_at,
                closed_at: d.deal.closed_at,
            })
            .collect(),
    }))
}

/// Post an offer or a want (photos are added through the form).
#[utoipa::path(post, path = "/api/v1/listings", tag = "synergy", request_body = ListingForm,
    responses((status = 200, body = ListingDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)), security(("token" = [])))]
pub async fn create(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Json(body): Json<ListingForm>,
) -> ApiResult<ListingDto> {
    let id = service::post(&state, &ctx, &body, Ok(Vec::new())).await?;
    one(&state, &ctx, &id.to_string()).await
}

/// Change a listing that is still up (not its side).
#[utoipa::path(post, path = "/api/v1/listings/{id}", tag = "synergy", params(("id" = String, Path, description = "listing id")), request_body = ListingForm,
    responses((status = 200, body = ListingDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
pub async fn edit(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Json(body): Json<ListingForm>,
) -> ApiResult<ListingDto> {
    let id = service::edit(&state, &ctx, &id, &body, Ok(Vec::new())).await?;
    one(&state, &ctx, &id.to_string()).await
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct InterestBody {
    /// The first message to the poster.
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct ConversationRef {
    #[schema(value_type = String, format = Uuid)]
    pub topic_id: TopicId,
}

/// "I'm interested": a private conversation with the poster (the same one if said again).
#[utoipa::path(post, path = "/api/v1/listings/{id}/interest", tag = "synergy", params(("id" = String, Path, description = "listing id")), request_body = InterestBody,
    responses((status = 200, body = ConversationRef), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
pub async fn interest(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Json(body): Json<InterestBody>,
) -> ApiResult<ConversationRef> {
    let topic_id = deals::interested(&state, &ctx, &id, &body.message).await?;
    Ok(Json(ConversationRef { topic_id }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct PromiseBody {
    /// Someone who said they were interested.
    #[schema(value_type = String, format = Uuid)]
    pub member: String,
}

/// Promise a listing to one member who responded.
#[utoipa::path(post, path = "/api/v1/listings/{id}/promise", tag = "synergy", params(("id" = String, Path, description = "listing id")), request_body = PromiseBody,
    responses((status = 200, body = ListingDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
pub async fn promise(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Json(body): Json<PromiseBody>,
) -> ApiResult<ListingDto> {
    deals::promise(&state, &ctx, &id, &body.member).await?;
    one(&state, &ctx, &id).await
}

/// Mark a promised listing done (either side).
#[utoipa::path(post, path = "/api/v1/listings/{id}/done", tag = "synergy", params(("id" = String, Path, description = "listing id")),
    responses((status = 200, body = ListingDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)), security(("token" = [])))]
pub async fn done(State(state): State<AppState>, ApiCtx(ctx): ApiCtx, Path(id): Path<String>) -> ApiResult<ListingDto> {
    deals::complete(&state, &ctx, &id).await?;
    one(&state, &ctx, &id).await
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct FellThroughBody {
    /// `cancelled` or `no_show`.
    pub reason: String,
}

/// Say a promise fell through (either side): the listing is open again.
#[utoipa::path(post, path = "/api/v1/listings/{id}/fell-through", tag = "synergy", params(("id" = String, Path, description = "listing id")), request_body = FellThroughBody,
    responses((status = 200, body = ListingDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
pub async fn fell_through(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Json(body): Json<FellThroughBody>,
) -> ApiResult<ListingDto> {
    deals::fall_through(&state, &ctx, &id, &body.reason).await?;
    one(&state, &ctx, &id).await
}

/// Take a listing down.
#[utoipa::path(post, path = "/api/v1/listings/{id}/withdraw", tag = "synergy", params(("id" = String, Path, description = "listing id")),
    responses((status = 200, body = ListingDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)), security(("token" = [])))]
pub async fn withdraw(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> ApiResult<ListingDto> {
    service::withdraw(&state, &ctx, &id).await?;
    one(&state, &ctx, &id).await
}

/// Put an expired or withdrawn listing up again.
#[utoipa::path(post, path = "/api/v1/listings/{id}/repost", tag = "synergy", params(("id" = String, Path, description = "listing id")),
    responses((status = 200, body = ListingDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)), security(("token" = [])))]
pub async fn repost(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> ApiResult<ListingDto> {
    service::repost(&state, &ctx, &id).await?;
    one(&state, &ctx, &id).await
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ReasonBody {
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct Done {
    pub ok: bool,
}

/// Report a listing to the moderators.
#[utoipa::path(post, path = "/api/v1/listings/{id}/report", tag = "synergy", params(("id" = String, Path, description = "listing id")), request_body = ReasonBody,
    responses((status = 200, body = Done), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
pub async fn report(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Json(body): Json<ReasonBody>,
) -> ApiResult<Done> {
    service::report(&state, &ctx, &id, &body.reason).await?;
    Ok(Json(Done { ok: true }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct FeedbackBody {
    /// `positive`, `neutral` or `negative`.
    #[schema(value_type = String)]
    pub rating: String,
    pub comment: String,
}

/// Leave feedback on a done deal (each side once; it shows when both have written, or after 14 days).
#[utoipa::path(post, path = "/api/v1/deals/{id}/feedback", tag = "synergy", params(("id" = String, Path, description = "deal id")), request_body = FeedbackBody,
    responses((status = 200, body = ListingDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
pub async fn feedback(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Json(body): Json<FeedbackBody>,
) -> ApiResult<ListingDto> {
    let listing = deals::feedback(&state, &ctx, &id, &body.rating, &body.comment).await?;
    one(&state, &ctx, &listing.to_string()).await
}

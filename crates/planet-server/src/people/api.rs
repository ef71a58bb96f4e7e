//! `/api/v1/people`: the directory, profiles and trust paths.

use super::service::{self, DirectorySearch};
use crate::error::{ApiResult, ErrorBody};
use crate::identity::session::ApiCtx;
use crate::state::AppState;
use crate::trust::service::ConnectionsView;
use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::{DateTime, Utc};
use planet_store::queries::people::Profile;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct ProfileDto {
    #[schema(value_type = String, format = Uuid)]
    pub id: planet_domain::ProfileId,
    /// `person`, `business` or `organisation`.
    pub kind: &'static str,
    pub name: String,
    pub tagline: String,
    pub description: String,
    pub offers: String,
    pub needs: String,
    pub area: String,
    pub website: Option<String>,
    pub skills: Vec<String>,
    pub created_at: DateTime<Utc>,
}

fn dto(profile: &Profile) -> ProfileDto {
    ProfileDto {
        id: profile.id,
        kind: profile.kind.as_str(),
        name: profile.name.clone(),
        tagline: profile.tagline.clone(),
        description: profile.description.clone(),
        offers: profile.offers.clone(),
        needs: profile.needs.clone(),
        area: profile.area.clone(),
        website: profile.website.clone(),
        skills: profile.tags.clone(),
        created_at: profile.created_at,
    }
}

#[derive(Serialize, ToSchema)]
pub struct DirectoryDto {
    pub entries: Vec<ProfileDto>,
    pub total: u64,
    pub page: u64,
}

/// Search the directory.
#[utoipa::path(get, path = "/api/v1/people", tag = "people", params(DirectorySearch),
    responses((status = 200, body = DirectoryDto), (status = 401, body = ErrorBody)), security(("token" = [])))]
pub async fn search(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(search): Query<DirectorySearch>,
) -> ApiResult<DirectoryDto> {
    let found = service::directory(&state, &ctx, &search, service::PAGE_SIZE).await?;
    Ok(Json(DirectoryDto { entries: found.entries.iter().map(dto).collect(), total: found.total, page: found.page }))
}

/// One entry in the directory.
#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "people", params(("id" = String, Path)),
    responses((status = 200, body = ProfileDto), (status = 404, body = ErrorBody)), security(("token" = [])))]
pub async fn get(State(state): State<AppState>, ApiCtx(ctx): ApiCtx, Path(id): Path<String>) -> ApiResult<ProfileDto> {
    let subject = crate::trust::service::subject(&state, &ctx, &id).await?;
    Ok(Json(dto(&subject.profile)))
}

/// How am I connected to this entry? Up to three trust paths through different people.
#[utoipa::path(get, path = "/api/v1/people/{id}/connections", tag = "trust", params(("id" = String, Path)),
    responses((status = 200, body = ConnectionsView), (status = 404, body = ErrorBody)), security(("token" = [])))]
pub async fn connections(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> ApiResult<ConnectionsView> {
    let subject = crate::trust::service::subject(&state, &ctx, &id).await?;
    Ok(Json(crate::trust::service::connections(&state, &ctx, subject.profile.id).await?))
}

#[derive(Serialize, ToSchema)]
pub struct AwardDto {
    #[schema(value_type = String, format = Uuid)]
    pub badge: planet_domain::BadgeId,
    pub name: String,
    pub description: String,
    pub awarded_by: String,
    pub note: String,
    pub awarded_at: DateTime<Utc>,
}

/// The badges on a directory entry, with who awarded each and when.
#[utoipa::path(get, path = "/api/v1/people/{id}/badges", tag = "people", params(("id" = String, Path)),
    responses((status = 200, body = Vec<AwardDto>), (status = 404, body = ErrorBody)), security(("token" = [])))]
pub async fn badges(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> ApiResult<Vec<AwardDto>> {
    let subject = crate::trust::service::subject(&state, &ctx, &id).await?;
    let awards = super::badges::awards_of(&state, &ctx, subject.profile.id).await?;
    Ok(Json(
        awards
            .into_iter()
            .map(|a| AwardDto {
                badge: a.badge,
                name: a.name,
                description: a.description,
                awarded_by: a.awarded_by,
                note: a.note,
                awarded_at: a.awarded_at,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct ValueDto {
    #[schema(value_type = String, format = Uuid)]
    pub id: planet_domain::ValueId,
    pub name: String,
    pub description: String,
}

/// The community's values (filter the directory by one with `?value=ID`).
#[utoipa::path(get, path = "/api/v1/values", tag = "people",
    responses((status = 200, body = Vec<ValueDto>), (status = 401, body = ErrorBody)), security(("token" = [])))]
pub async fn values(State(state): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Vec<ValueDto>> {
    let values = service::community_values(&state, &ctx).await?;
    Ok(Json(values.into_iter().map(|v| ValueDto { id: v.id, name: v.name, description: v.description }).collect()))
}

#[derive(serde::Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct ProfileBody {
    /// Businesses and organisations only: a person's name is their account's.
    pub name: String,
    pub tagline: String,
    pub description: String,
    pub offers: String,
    pub needs: String,
    pub area: String,
    /// Skills and interests.
    pub skills: Vec<String>,
    pub website: String,
    pub phone: String,
    pub contact_email: String,
    /// `nobody`, `trusted` or `members`.
    pub contact_visibility: String,
    /// The community's values lived by, each with a few words.
    pub values: Vec<LivedValue>,
}

#[derive(serde::Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct LivedValue {
    #[schema(value_type = String, format = Uuid)]
    pub value: String,
    pub words: String,
}

/// Change a directory entry (my own, or one I run).
#[utoipa::path(post, path = "/api/v1/people/{id}", tag = "people", params(("id" = String, Path)),
    request_body = ProfileBody,
    responses((status = 200, body = ProfileDto), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("token" = [])))]
pub async fn edit(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Json(body): Json<ProfileBody>,
) -> ApiResult<ProfileDto> {
    let mut values = std::collections::HashMap::new();
    for lived in body.values {
        values.insert(format!("value-{}", lived.value), "yes".to_owned());
        values.insert(format!("words-{}", lived.value), lived.words);
    }
    let input = service::ProfileInput {
        name: body.name,
        tagline: body.tagline,
        description: body.description,
        offers: body.offers,
        needs: body.needs,
        area: body.area,
        skills: body.skills.join(", "),
        website: body.website,
        phone: body.phone,
        contact_email: body.contact_email,
        contact_visibility: body.contact_visibility,
        values,
    };
    Ok(Json(dto(&service::edit(&state, &ctx, &id, &input).await?)))
}

#[derive(serde::Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct NewOrganisationBody {
    /// `business` or `organisation`.
    pub kind: String,
    pub name: String,
}

/// Add a business or organisation, run by me.
#[utoipa::path(post, path = "/api/v1/people", tag = "people", request_body = NewOrganisationBody,
    responses((status = 200, body = ProfileDto), (status = 422, body = ErrorBody)), security(("token" = [])))]
pub async fn create(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Json(body): Json<NewOrganisationBody>,
) -> ApiResult<ProfileDto> {
    let id = service::list_organisation(&state, &ctx, &body.kind, &body.name).await?;
    let subject = crate::trust::service::subject(&state, &ctx, &id.to_string()).await?;
    Ok(Json(dto(&subject.profile)))
}

//! Pages of the green directory: search, profiles, editing, businesses and organisations.

use super::badges;
use super::service::{self, DirectorySearch, Order, ProfileInput};
use crate::admission::pages::day;
use crate::error::{AppError, AppResult};
use crate::identity::session::Ctx;
use crate::state::AppState;
use crate::trust::service::{ConnectionsView, StatementInput};
use crate::web::forms::{FormErrors, form_again};
use crate::web::layout::Layout;
use crate::web::markdown;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use planet_domain::profile::{ContactVisibility, ProfileKind};
use planet_domain::trust::TrustVisibility;
use planet_store::queries::people::Profile;
use serde::Deserialize;

/// A directory entry in a list.
pub struct EntryView {
    pub id: String,
    pub photo: Option<String>,
    pub name: String,
    pub kind: &'static str,
    pub tagline: String,
    pub area: String,
    pub skills: Vec<String>,
}

pub fn entry_view(profile: &Profile) -> EntryView {
    EntryView {
        id: profile.id.to_string(),
        photo: None,
        name: profile.name.clone(),
        kind: profile.kind.label(),
        tagline: profile.tagline.clone(),
        area: profile.area.clone(),
        skills: profile.tags.clone(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "people/directory.html")]
struct DirectoryPage {
    layout: Layout,
    search: DirectorySearch,
    entries: Vec<EntryView>,
    total: u64,
    page: u64,
    pages: u64,
    kinds: Vec<(&'static str, &'static str)>,
    orders: Vec<(&'static str, &'static str)>,
    order: &'static str,
    areas: Vec<String>,
    skills: Vec<String>,
    values: Vec<(String, String)>,
    query_without_page: String,
    print: bool,
    count_cap: u64,
}

fn query_string(search: &DirectorySearch) -> String {
    crate::web::forms::query_string(&[
        ("q", &search.q),
        ("kind", &search.kind),
        ("skill", &search.skill),
        ("area", &search.area),
        ("value", &search.value),
        ("order", &search.order),
    ])
}

async fn directory_page(state: &AppState, ctx: &Ctx, search: DirectorySearch, print: bool) -> AppResult<Response> {
    let mut search = search;
    if print {
        search.page = 0;
    }
    let per_page = if print { service::PRINT_SIZE } else { service::PAGE_SIZE };
    let found = service::directory(state, ctx, &search, per_page).await?;
    let title = if print { "Directory (printable)" } else { "Who We Are" };
    Ok(DirectoryPage {
        layout: ctx.layout(title),
        entries: found
            .entries
            .iter()
            .map(|p| EntryView { photo: found.photos.get(&p.id).map(|id| id.to_string()), ..entry_view(p) })
            .collect(),
        total: found.total,
        page: found.page,
        pages: found.total.div_ceil(service::PAGE_SIZE).max(1),
        kinds: ProfileKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        orders: Order::ALL.iter().map(|o| (o.as_str(), o.label())).collect(),
        order: found.order.as_str(),
        areas: found.areas,
        skills: found.skills,
        values: found.values.iter().map(|v| (v.id.to_string(), v.name.clone())).collect(),
        query_without_page: query_string(&search),
        print,
        count_cap: planet_store::queries::people::COUNT_CAP,
        search,
    }
    .into_response())
}

pub async fn directory(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(search): Query<DirectorySearch>,
) -> AppResult<Response> {
    directory_page(&state, &ctx, search, false).await
}

pub async fn print(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(search): Query<DirectorySearch>,
) -> AppResult<Response> {
    directory_page(&state, &ctx, search, true).await
}

pub struct StatementView {
    pub id: String,
    pub author: String,
    pub author_id: String,
    pub kind: &'static str,
    pub note: String,
    pub made: String,
    pub visibility: &'static str,
    pub met_in_person: bool,
}

pub fn statement_view(s: &planet_store::queries::trust::Statement) -> StatementView {
    StatementView {
        id: s.id.to_string(),
        author: s.author_name.clone(),
        author_id: s.author.to_string(),
        kind: s.kind.label(),
        note: s.note.clone(),
        made: day(s.made_at),
        visibility: s.visibility.label(),
        met_in_person: s.met_in_person,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "people/show.html")]
struct ShowPage {
    layout: Layout,
    id: String,
    name: String,
    kind: &'static str,
    is_person: bool,
    photo: Option<String>,
    applicant: bool,
    is_me: bool,
    can_edit: bool,
    runs_it: bool,
    tagline: String,
    area: String,
    website: Option<String>,
    contacts: Option<(Option<String>, Option<String>)>,
    description_html: String,
    offers_html: String,
    needs_html: String,
    skills: Vec<String>,
    values: Vec<(String, String, String)>,
    managers: Vec<(String, String, bool)>,
    runs: Vec<EntryView>,
    connections: ConnectionsView,
    open: Vec<StatementView>,
    anonymous: usize,
    mine: Vec<StatementView>,
    kinds: Vec<(&'static str, &'static str)>,
    visibilities: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
    form: StatementForm,
    manager_errors: FormErrors,
    manager_email: String,
    awards: Vec<AwardView>,
    /// What they have given and received in Synergy (people only).
    record: Option<RecordView>,
    awardable: Vec<(String, String)>,
    badge_errors: FormErrors,
    /// Whether I have blocked them (None: not someone I could block).
    blocked: Option<bool>,
    /// The member to write to privately from here (a member who is not me, and not blocked).
    message_to: Option<String>,
}

pub struct AwardView {
    badge: String,
    name: String,
    description: String,
    awarded_by: String,
    awarded: String,
    note: String,
    can_withdraw: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatementForm {
    kind: String,
    visibility: String,
    note: String,
    met_in_person: String,
}

/// One line of "Given and received".
pub struct RecordLine {
    listing: String,
    title: String,
    gave: bool,
    with: String,
    when: String,
    /// What the other said: (rating, comment).
    feedback: Option<(&'static str, String)>,
}

pub struct RecordView {
    given: usize,
    received: usize,
    positive: usize,
    rated: usize,
    lines: Vec<RecordLine>,
}

fn record_view(record: crate::synergy::record::TrackRecord) -> RecordView {
    RecordView {
        given: record.given,
        received: record.received,
        positive: record.positive,
        rated: record.rated,
        lines: record
            .items
            .into_iter()
            .map(|item| RecordLine {
                listing: item.listing.to_string(),
                title: item.title,
                gave: item.gave,
                with: item.with,
                when: day(item.at),
                feedback: item.feedback.map(|f| (f.rating.label(), f.comment)),
            })
            .collect(),
    }
}

#[derive(Default)]
struct ShowForms {
    errors: FormErrors,
    form: StatementForm,
    manager_errors: FormErrors,
    manager_email: String,
    badge_errors: FormErrors,
}

async fn show_page(state: &AppState, ctx: &Ctx, id: &str, forms: ShowForms) -> AppResult<ShowPage> {
    let view = service::view(state, ctx, id).await?;
    let profile = &view.subject.profile;
    let mut form = forms.form;
    if form.visibility.is_empty() {
        form.visibility = TrustVisibility::Members.as_str().to_owned();
    }
    if form.kind.is_empty() && view.statement_kinds.len() == 1 {
        form.kind = view.statement_kinds[0].as_str().to_owned();
    }
    let awardable = if view.subject.is_applicant() { Vec::new() } else { badges::awardable(state, ctx).await? };
    let awards = badges::awards_of(state, ctx, profile.id)
        .await?
        .into_iter()
        .map(|a| AwardView {
            can_withdraw: awardable.iter().any(|b| b.id == a.badge),
            badge: a.badge.to_string(),
            name: a.name,
            description: a.description,
            awarded_by: a.awarded_by,
            awarded: day(a.awarded_at),
            note: a.note,
        })
        .collect();
    let blocked = super::blocks::state_of(state, ctx, profile.member).await?;
    let record = match profile.member {
        Some(member) if !view.subject.is_applicant() => {
            Some(record_view(crate::synergy::record::track_record(state, ctx, member).await?))
        }
        _ => None,
    };
    Ok(ShowPage {
        message_to: match (blocked, profile.member) {
            (Some(false), Some(member)) if !view.subject.is_applicant() => Some(member.to_string()),
            _ => None,
        },
        blocked,
        layout: ctx.layout(profile.name.clone()),
        id: profile.id.to_string(),
        name: profile.name.clone(),
        kind: profile.kind.label(),
        is_person: !profile.kind.is_organisation(),
        photo: view.photo.map(|id| id.to_string()),
        applicant: view.subject.is_applicant(),
        is_me: view.is_me,
        can_edit: view.can_edit,
        runs_it: view.runs_it,
        tagline: profile.tagline.clone(),
        area: profile.area.clone(),
        website: profile.website.clone(),
        contacts: (view.contacts_visible && (profile.phone.is_some() || profile.contact_email.is_some()))
            .then(|| (profile.phone.clone(), profile.contact_email.clone())),
        description_html: markdown::render(&profile.description),
        offers_html: markdown::render(&profile.offers),
        needs_html: markdown::render(&profile.needs),
        skills: profile.tags.clone(),
        values: view.values.iter().map(|(v, words)| (v.id.to_string(), v.name.clone(), words.clone())).collect(),
        managers: view.managers.iter().map(|m| (m.member.to_string(), m.name.clone(), m.owner)).collect(),
        runs: view.runs.iter().map(entry_view).collect(),
        connections: view.connections,
        open: view.about.open.iter().map(statement_view).collect(),
        anonymous: view.about.anonymous,
        mine: view.about.mine.iter().map(statement_view).collect(),
        kinds: view.statement_kinds.iter().map(|k| (k.as_str(), k.label())).collect(),
        visibilities: TrustVisibility::ALL.iter().map(|v| (v.as_str(), v.label())).collect(),
        errors: forms.errors,
        form,
        manager_errors: forms.manager_errors,
        manager_email: forms.manager_email,
        awards,
        record,
        awardable: awardable.into_iter().map(|b| (b.id.to_string(), b.name)).collect(),
        badge_errors: forms.badge_errors,
    })
}

pub async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    Ok(show_page(&state, &ctx, &id, ShowForms::default()).await?.into_response())
}

/// My own entry in the directory.
pub async fn me(ctx: Ctx) -> AppResult<Response> {
    ctx.require(planet_domain::policy::Action::ViewDirectory)?;
    Ok(Redirect::to(&format!("/people/{}", service::my_profile(&ctx)?)).into_response())
}

pub async fn make_statement(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<StatementForm>,
) -> AppResult<Response> {
    let input = StatementInput {
        kind: &form.kind,
        visibility: &form.visibility,
        note: &form.note,
        met_in_person: form.met_in_person == "yes",
    };
    match crate::trust::service::make_statement(&state, &ctx, &id, input).await {
        Ok(admitted) => {
            let flash = if admitted { "admitted_by_vouches" } else { "statement_made" };
            Ok(Redirect::to(&format!("/people/{id}?done={flash}#say")).into_response())
        }
        Err(err) => {
            let page = show_page(&state, &ctx, &id, ShowForms { form, ..ShowForms::default() }).await?;
            form_again(err, |errors| ShowPage { errors, ..page })
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "people/edit.html")]
struct EditPage {
    layout: Layout,
    id: String,
    is_organisation: bool,
    errors: FormErrors,
    form: ProfileInput,
    visibilities: Vec<(&'static str, &'static str)>,
    areas: Vec<String>,
    values: Vec<ValueChoice>,
    photo: Option<String>,
    photo_errors: FormErrors,
}

pub struct ValueChoice {
    id: String,
    name: String,
    description: String,
    lived: bool,
    words: String,
}

async fn edit_page(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    errors: FormErrors,
    form: Option<ProfileInput>,
) -> AppResult<EditPage> {
    let profile = service::editable(state, ctx, id).await?;
    let areas = planet_store::queries::people::areas_in_use(state.db()).await?;
    let lived = planet_store::queries::people::values_of(state.db(), profile.id).await?;
    let form = form.unwrap_or_else(|| ProfileInput::from_profile(&profile, &lived));
    let values = service::community_values(state, ctx)
        .await?
        .into_iter()
        .map(|v| ValueChoice {
            id: v.id.to_string(),
            lived: form.lives(&v.id),
            words: form.words(&v.id),
            name: v.name,
            description: v.description,
        })
        .collect();
    let photo = planet_store::queries::people::photo_ids(state.db(), &[profile.id])
        .await?
        .get(&profile.id)
        .map(|id| id.to_string());
    Ok(EditPage {
        photo,
        photo_errors: FormErrors::none(),
        values,
        layout: ctx.layout(format!("Edit {}", profile.name)),
        id: profile.id.to_string(),
        is_organisation: profile.kind.is_organisation(),
        errors,
        form,
        visibilities: ContactVisibility::ALL.iter().map(|v| (v.as_str(), v.label())).collect(),
        areas,
    })
}

pub async fn edit_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    Ok(edit_page(&state, &ctx, &id, FormErrors::none(), None).await?.into_response())
}

pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<ProfileInput>,
) -> AppResult<Response> {
    match service::edit(&state, &ctx, &id, &form).await {
        Ok(profile) => Ok(Redirect::to(&format!("/people/{}?done=profile_saved", profile.id)).into_response()),
        Err(err) => {
            let page = edit_page(&state, &ctx, &id, FormErrors::none(), Some(form)).await?;
            form_again(err, |errors| EditPage { errors, ..page })
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "people/new.html")]
struct NewPage {
    layout: Layout,
    errors: FormErrors,
    kind: String,
    name: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewForm {
    kind: String,
    name: String,
}

pub async fn new_form(ctx: Ctx) -> AppResult<Response> {
    ctx.require(planet_domain::policy::Action::ListOrganisation)?;
    Ok(NewPage {
        layout: ctx.layout("Add a business or organisation"),
        errors: FormErrors::none(),
        kind: String::new(),
        name: String::new(),
    }
    .into_response())
}

pub async fn create(State(state): State<AppState>, ctx: Ctx, Form(form): Form<NewForm>) -> AppResult<Response> {
    match service::list_organisation(&state, &ctx, &form.kind, &form.name).await {
        Ok(id) => Ok(Redirect::to(&format!("/people/{id}/edit")).into_response()),
        Err(err) => form_again(err, |errors| NewPage {
            layout: ctx.layout("Add a business or organisation"),
            errors,
            kind: form.kind,
            name: form.name,
        }),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ManagerForm {
    email: String,
}

pub async fn add_manager(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<ManagerForm>,
) -> AppResult<Response> {
    match service::add_manager(&state, &ctx, &id, &form.email).await {
        Ok(profile) => Ok(Redirect::to(&format!("/people/{}?done=manager_added#managers", profile.id)).into_response()),
        Err(err) => {
            let page =
                show_page(&state, &ctx, &id, ShowForms { manager_email: form.email, ..ShowForms::default() }).await?;
            form_again(err, |manager_errors| ShowPage { manager_errors, ..page })
        }
    }
}

pub async fn remove_manager(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, member)): Path<(String, String)>,
) -> AppResult<Response> {
    let profile = service::remove_manager(&state, &ctx, &id, &member).await?;
    Ok(Redirect::to(&format!("/people/{}?done=manager_removed#managers", profile.id)).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "people/values.html")]
struct ValuesPage {
    layout: Layout,
    values: Vec<(String, String, String)>,
    errors: FormErrors,
    name: String,
    description: String,
}

async fn values_page(
    state: &AppState,
    ctx: &Ctx,
    errors: FormErrors,
    name: String,
    description: String,
) -> AppResult<ValuesPage> {
    ctx.require(planet_domain::policy::Action::KeepValues)?;
    let values = service::community_values(state, ctx)
        .await?
        .into_iter()
        .map(|v| (v.id.to_string(), v.name, v.description))
        .collect();
    Ok(ValuesPage { layout: ctx.layout("Our values"), values, errors, name, description })
}

pub async fn values(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    Ok(values_page(&state, &ctx, FormErrors::none(), String::new(), String::new()).await?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ValueForm {
    name: String,
    description: String,
}

pub async fn add_value(State(state): State<AppState>, ctx: Ctx, Form(form): Form<ValueForm>) -> AppResult<Response> {
    match service::add_value(&state, &ctx, &form.name, &form.description).await {
        Ok(()) => Ok(Redirect::to("/admin/values?done=value_added").into_response()),
        Err(err) => {
            let page = values_page(&state, &ctx, FormErrors::none(), form.name, form.description).await?;
            form_again(err, |errors| ValuesPage { errors, ..page })
        }
    }
}

pub async fn retire_value(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    service::retire_value(&state, &ctx, &id).await?;
    Ok(Redirect::to("/admin/values?done=value_retired").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AwardForm {
    badge: String,
    note: String,
}

pub async fn award_badge(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<AwardForm>,
) -> AppResult<Response> {
    match badges::award(&state, &ctx, &id, &form.badge, &form.note).await {
        Ok(()) => Ok(Redirect::to(&format!("/people/{id}?done=badge_awarded#badges")).into_response()),
        Err(err) => {
            let page = show_page(&state, &ctx, &id, ShowForms::default()).await?;
            form_again(err, |badge_errors| ShowPage { badge_errors, ..page })
        }
    }
}

pub async fn withdraw_badge(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, badge)): Path<(String, String)>,
) -> AppResult<Response> {
    badges::withdraw(&state, &ctx, &id, &badge).await?;
    Ok(Redirect::to(&format!("/people/{id}?done=badge_withdrawn#badges")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "people/badges.html")]
struct BadgesPage {
    layout: Layout,
    space_id: String,
    space_name: String,
    badges: Vec<(String, String)>,
    errors: FormErrors,
    name: String,
    description: String,
}

async fn badges_page(
    state: &AppState,
    ctx: &Ctx,
    space: &str,
    errors: FormErrors,
    form: ValueForm,
) -> AppResult<BadgesPage> {
    let (space_name, space_id, list) = badges::space_badges(state, ctx, space).await?;
    Ok(BadgesPage {
        layout: ctx.layout(format!("Badges of {space_name}")),
        space_id: space_id.to_string(),
        space_name,
        badges: list.into_iter().map(|b| (b.name, b.description)).collect(),
        errors,
        name: form.name,
        description: form.description,
    })
}

pub async fn space_badges(State(state): State<AppState>, ctx: Ctx, Path(space): Path<String>) -> AppResult<Response> {
    Ok(badges_page(&state, &ctx, &space, FormErrors::none(), ValueForm::default()).await?.into_response())
}

pub async fn create_badge(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Form(form): Form<ValueForm>,
) -> AppResult<Response> {
    match badges::create_badge(&state, &ctx, &space, &form.name, &form.description).await {
        Ok(()) => Ok(Redirect::to(&format!("/spaces/{space}/badges?done=badge_created")).into_response()),
        Err(err) => {
            let page = badges_page(&state, &ctx, &space, FormErrors::none(), form).await?;
            form_again(err, |errors| BadgesPage { errors, ..page })
        }
    }
}

/// Upload a photo or logo (a multipart form with one file field, `photo`).
pub async fn upload_photo(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> AppResult<Response> {
    // Who may change this entry is decided before anything sent is looked at.
    service::editable(&state, &ctx, &id).await?;
    let uploaded = match multipart {
        Ok(mut multipart) => read_photo(&mut multipart).await,
        Err(_) => Err(AppError::invalid("photo", "photo_required", "Choose a photo to upload")),
    };
    let saved = match uploaded {
        Ok(bytes) => service::upload_photo(&state, &ctx, &id, bytes).await,
        Err(err) => Err(err),
    };
    match saved {
        Ok(()) => Ok(Redirect::to(&format!("/people/{id}/edit?done=photo_saved")).into_response()),
        Err(err) => photo_again(&state, &ctx, &id, err).await,
    }
}

/// The bytes of the form's `photo` field, or why there are none.
async fn read_photo(multipart: &mut axum::extract::Multipart) -> AppResult<Vec<u8>> {
    let refused = |status: axum::http::StatusCode| {
        if status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            AppError::invalid("photo", "photo_too_big", "This picture is too big. Please choose one under 10 MB.")
        } else {
            AppError::invalid("photo", "photo_required", "Choose a photo to upload")
        }
    };
    let mut bytes = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| refused(e.status()))? {
        if field.name() == Some("photo") {
            bytes = field.bytes().await.map_err(|e| refused(e.status()))?.to_vec();
        }
    }
    if bytes.is_empty() {
        return Err(refused(axum::http::StatusCode::BAD_REQUEST));
    }
    Ok(bytes)
}

async fn photo_again(state: &AppState, ctx: &Ctx, id: &str, err: AppError) -> AppResult<Response> {
    let page = edit_page(state, ctx, id, FormErrors::none(), None).await?;
    form_again(err, |photo_errors| EditPage { photo_errors, ..page })
}

pub async fn remove_photo(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    service::remove_photo(&state, &ctx, &id).await?;
    Ok(Redirect::to(&format!("/people/{id}/edit?done=photo_removed")).into_response())
}

/// A photo, cached by the browser for good: a new photo has a new address.
pub async fn photo(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, size)): Path<(String, String)>,
) -> AppResult<Response> {
    let bytes = service::photo(&state, &ctx, &id, &size).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "image/jpeg"),
            (axum::http::header::CACHE_CONTROL, "private, max-age=31536000, immutable"),
        ],
        bytes,
    )
        .into_response())
}

//! Synergy's pages: browsing offers and wants (a list or a photo grid), posting and changing a
//! listing, its page (respond, promise, done, fell through, feedback), the member's own
//! listings, reporting, and the moderators' list of reported listings.

use super::browse::{self, BrowseForm};
use super::deals;
use super::input::{ListingForm, ListingInput};
use super::service::{self, Choices, ListingView};
use crate::error::{AppError, AppResult};
use crate::identity::session::Ctx;
use crate::state::AppState;
use crate::talk::pages::{ReportForm, when};
use crate::web::forms::{FormErrors, form_again};
use crate::web::layout::Layout;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use planet_domain::synergy::{
    DURATION_CHOICES, DealState, ListingKind, ListingStatus, MAX_PHOTOS, Rating, Side, default_days, done_phrase,
    kind_phrase,
};
use planet_store::queries::synergy::Card;
use serde::Deserialize;

/// The word members see for community credit until the accounts set their own.
const CREDITS: &str = "credits";

/// A listing as a list or the grid shows it.
pub struct CardView {
    id: String,
    title: String,
    phrase: &'static str,
    price: String,
    area: String,
    poster: String,
    posted: String,
    status: &'static str,
    promised: bool,
    photo: Option<String>,
    interested: u64,
    hidden: bool,
}

fn card(card: &Card, interested: u64) -> CardView {
    CardView {
        id: card.id.to_string(),
        title: card.title.clone(),
        phrase: kind_phrase(card.side, card.kind),
        price: card.price.describe(CREDITS),
        area: card.area.clone(),
        poster: card.poster.clone(),
        posted: card.created_at.format("%-d %B").to_string(),
        status: card.status.label(),
        promised: card.status == ListingStatus::Promised,
        photo: card.photo.map(|p| p.to_string()),
        interested,
        hidden: card.hidden,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "synergy/browse.html")]
struct BrowsePage {
    layout: Layout,
    form: BrowseForm,
    grid: bool,
    cards: Vec<CardView>,
    total: u64,
    categories: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    spaces: Vec<(String, String)>,
    areas: Vec<String>,
    more: bool,
    /// The filters as a query string, without the page, for the pager and the view switch.
    query: String,
    /// Something is searched for: it can be saved.
    searching: bool,
    moderates: bool,
}

impl BrowsePage {
    /// The search being looked at, for the form that saves it.
    fn search_fields(&self) -> Vec<(&'static str, &str)> {
        let f = &self.form;
        [
            ("side", &f.side),
            ("kind", &f.kind),
            ("category", &f.category),
            ("area", &f.area),
            ("space", &f.space),
            ("q", &f.q),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k, v.as_str()))
        .collect()
    }
}

struct BrowseQueryParts {
    form: BrowseForm,
    view: String,
}

/// How the listings are shown: `grid` for photos.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ViewQuery {
    view: String,
}

fn query_string(form: &BrowseForm, view: &str) -> String {
    let query = form.query();
    match (query.is_empty(), view.is_empty()) {
        (_, true) => query,
        (true, false) => format!("view={view}"),
        (false, false) => format!("{query}&view={view}"),
    }
}

pub async fn browse(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(form): Query<BrowseForm>,
    Query(view): Query<ViewQuery>,
) -> AppResult<Response> {
    let query = BrowseQueryParts { form, view: view.view };
    let found = browse::browse(&state, &ctx, &query.form).await?;
    let cards = found.cards.iter().map(|c| card(c, found.interest.get(&c.id).copied().unwrap_or(0))).collect();
    let grid = query.view == "grid";
    Ok(BrowsePage {
        layout: ctx.layout("Synergy: offers and wants"),
        grid,
        cards,
        total: found.total,
        more: found.cards.len() as u64 == browse::PAGE_SIZE
            && ((query.form.page + 1) * browse::PAGE_SIZE < found.total || found.total >= browse::COUNT_UP_TO),
        categories: found
            .categories
            .iter()
            .filter(|c| !c.retired)
            .map(|c| (c.id.to_string(), c.name.clone()))
            .collect(),
        kinds: ListingKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        spaces: found.spaces.iter().map(|(id, name)| (id.to_string(), name.clone())).collect(),
        areas: found.areas,
        query: query_string(&query.form, &query.view),
        searching: !query.form.filter().is_empty(),
        moderates: found.moderates,
        form: query.form,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "synergy/mine.html")]
struct MinePage {
    layout: Layout,
    live: Vec<CardView>,
    closed: Vec<CardView>,
}

pub async fn mine(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let cards = browse::mine(&state, &ctx).await?;
    let (live, closed): (Vec<&Card>, Vec<&Card>) = cards.iter().partition(|c| c.status.is_live());
    Ok(MinePage {
        layout: ctx.layout("Your offers and wants"),
        live: live.into_iter().map(|c| card(c, 0)).collect(),
        closed: closed.into_iter().map(|c| card(c, 0)).collect(),
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "synergy/form.html")]
struct FormPage {
    layout: Layout,
    /// None: a new listing.
    editing: Option<String>,
    side: Side,
    form: ListingForm,
    errors: FormErrors,
    categories: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    spaces: Vec<(String, String)>,
    profiles: Vec<(String, String)>,
    areas: Vec<String>,
    days: Vec<(String, String)>,
    /// Photos kept from before (editing).
    photos: Vec<String>,
    max_photos: usize,
}

impl FormPage {
    fn new(ctx: &Ctx, choices: Choices, side: Side, form: ListingForm, errors: FormErrors) -> Self {
        let title = match side {
            Side::Offer => "Offer something",
            Side::Want => "Ask for something",
        };
        let default = default_days(side);
        Self {
            layout: ctx.layout(title),
            editing: None,
            side,
            errors,
            categories: choices
                .categories
                .iter()
                .filter(|c| !c.retired)
                .map(|c| (c.id.to_string(), c.name.clone()))
                .collect(),
            kinds: ListingKind::ALL.iter().map(|k| (k.as_str(), kind_phrase(side, *k))).collect(),
            spaces: choices.spaces.iter().map(|(id, name)| (id.to_string(), name.clone())).collect(),
            profiles: choices.profiles.iter().map(|(id, name)| (id.to_string(), name.clone())).collect(),
            areas: choices.areas,
            days: DURATION_CHOICES
                .iter()
                .map(|d| {
                    let label = if *d == default { format!("{d} days (usual)") } else { format!("{d} days") };
                    (d.to_string(), label)
                })
                .collect(),
            photos: Vec::new(),
            max_photos: MAX_PHOTOS,
            form,
        }
    }

    fn heading(&self) -> &'static str {
        match (self.side, self.editing.is_some()) {
            (_, true) => "Change your listing",
            (Side::Offer, false) => "Offer something",
            (Side::Want, false) => "Ask for something",
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    side: String,
    space: String,
}

pub async fn new_form(State(state): State<AppState>, ctx: Ctx, Query(query): Query<NewQuery>) -> AppResult<Response> {
    let choices = service::choices(&state, &ctx).await?;
    let side = Side::parse(&query.side).unwrap_or(Side::Offer);
    let form = ListingForm {
        side: side.as_str().to_owned(),
        area: choices.my_area.clone(),
        space: query.space,
        days: default_days(side).to_string(),
        ..ListingForm::default()
    };
    Ok(FormPage::new(&ctx, choices, side, form, FormErrors::none()).into_response())
}

pub async fn create(State(state): State<AppState>, ctx: Ctx, input: ListingInput) -> AppResult<Response> {
    match service::post(&state, &ctx, &input.form, input.photos).await {
        Ok(id) => Ok(Redirect::to(&format!("/synergy/listings/{id}?posted=1")).into_response()),
        Err(err) => {
            let choices = service::choices(&state, &ctx).await?;
            let side = Side::parse(&input.form.side).unwrap_or(Side::Offer);
            form_again(err, |errors| FormPage::new(&ctx, choices, side, input.form, errors))
        }
    }
}

fn form_of(listing: &planet_store::queries::synergy::Listing) -> ListingForm {
    ListingForm {
        side: listing.side.as_str().to_owned(),
        kind: listing.kind.as_str().to_owned(),
        category: listing.category.to_string(),
        title: listing.title.clone(),
        body: listing.body.clone(),
        tags: listing.tags.join(", "),
        area: listing.area.clone(),
        available: listing.available.clone(),
        quantity: listing.quantity.to_string(),
        price_pounds: listing.price.pounds.map(|p| p.plain()).unwrap_or_default(),
        price_credits: listing.price.credits.map(|p| p.plain()).unwrap_or_default(),
        days: String::new(),
        space: listing.space.to_string(),
        profile: listing.profile.to_string(),
        remove_photos: Vec::new(),
    }
}

async fn edit_page(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    form: Option<ListingForm>,
    errors: FormErrors,
) -> AppResult<FormPage> {
    let (listing, photos) = service::for_editing(state, ctx, id).await?;
    let choices = service::choices(state, ctx).await?;
    let form = form.unwrap_or_else(|| form_of(&listing));
    let mut page = FormPage::new(ctx, choices, listing.side, form, errors);
    page.layout = ctx.layout("Change your listing");
    page.editing = Some(listing.id.to_string());
    page.photos = photos.iter().map(ToString::to_string).collect();
    Ok(page)
}

pub async fn edit_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    Ok(edit_page(&state, &ctx, &id, None, FormErrors::none()).await?.into_response())
}

pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    input: ListingInput,
) -> AppResult<Response> {
    match service::edit(&state, &ctx, &id, &input.form, input.photos).await {
        Ok(id) => Ok(Redirect::to(&format!("/synergy/listings/{id}?changed=1")).into_response()),
        Err(AppError::Invalid(fields)) => {
            let page = edit_page(&state, &ctx, &id, Some(input.form), fields.into()).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other),
    }
}

pub struct FeedbackView {
    author: String,
    rating: &'static str,
    positive: bool,
    comment: String,
}

pub struct DealRow {
    id: String,
    summary: String,
    /// "Pay now", filled in, for whoever received (when the deal is done).
    pay_now: String,
    /// What has been paid for it: (transfer, in words).
    paid: Vec<(String, String)>,
    feedback: Vec<FeedbackView>,
    mine: Option<FeedbackView>,
    may_write: bool,
    waiting: bool,
}

fn feedback_view(f: &planet_store::queries::synergy::deals::Feedback) -> FeedbackView {
    FeedbackView {
        author: f.author_name.clone(),
        rating: f.rating.label(),
        positive: f.rating == Rating::Positive,
        comment: f.comment.clone(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "synergy/listing.html")]
struct ListingPage {
    layout: Layout,
    v: ListingView,
    phrase: &'static str,
    price: String,
    status: &'static str,
    posted: String,
    closes: String,
    photos: Vec<String>,
    /// Who said they are interested (id, name, conversation, when).
    responders: Vec<(String, String, String, String)>,
    promised_to: String,
    done_label: &'static str,
    deals: Vec<DealRow>,
    ratings: Vec<(&'static str, &'static str)>,
    flash: &'static str,
    errors: FormErrors,
    message: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListingQuery {
    posted: String,
    changed: String,
    done: String,
    thanks: String,
    reported: String,
}

fn flash_of(query: &ListingQuery) -> &'static str {
    if !query.posted.is_empty() {
        "Your listing is up. We will tell you when someone is interested."
    } else if !query.changed.is_empty() {
        "Your changes are saved."
    } else if !query.done.is_empty() {
        "Done. Thank you for sharing! You can now leave feedback below."
    } else if !query.thanks.is_empty() {
        "Thank you. Your feedback is saved."
    } else if !query.reported.is_empty() {
        "Thank you for telling us. The moderators will look at it."
    } else {
        ""
    }
}

async fn listing_page(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    flash: &'static str,
    errors: FormErrors,
    message: String,
) -> AppResult<ListingPage> {
    let v = service::view(state, ctx, id).await?;
    let l = &v.listing;
    let responders =
        v.responders.iter().map(|r| (r.member.to_string(), r.name.clone(), r.topic.to_string(), when(r.at))).collect();
    let promised_to = l
        .promised_to
        .and_then(|m| v.deals.iter().find(|d| d.deal.other == m).map(|d| d.deal.other_name.clone()))
        .unwrap_or_default();
    let mut payments = Vec::new();
    for d in &v.deals {
        let paid = if d.deal.state == DealState::Done {
            crate::ledger::service::paid_for_deal(state, d.deal.id).await?
        } else {
            Vec::new()
        };
        payments.push(paid);
    }
    let deals = v
        .deals
        .iter()
        .zip(payments)
        .map(|(d, paid)| {
            // Whoever received pays whoever gave: the listing's entry for an offer.
            let (payee, receiver) = match d.deal.side {
                Side::Offer => (l.profile.to_string(), d.deal.other),
                Side::Want => (d.deal.other.to_string(), d.deal.poster),
            };
            let pay_now = if d.deal.state == DealState::Done && receiver == v.me && paid.is_empty() {
                let amount = l.price.credits.map(|c| c.plain()).unwrap_or_default();
                let deal = d.deal.id.to_string();
                let query = crate::web::forms::query_string(&[
                    ("to", &payee),
                    ("amount", &amount),
                    ("for", &d.deal.title),
                    ("deal", &deal),
                ]);
                format!("/pay?{query}")
            } else {
                String::new()
            };
            let paid = paid.into_iter().map(|(id, words)| (id.to_string(), words)).collect();
            let (giver, taker) = match d.deal.side {
                Side::Offer => (&d.deal.poster_name, &d.deal.other_name),
                Side::Want => (&d.deal.other_name, &d.deal.poster_name),
            };
            let date = d.deal.closed_at.unwrap_or(d.deal.promised_at).format("%-d %B %Y");
            let summary = match d.deal.state {
                DealState::Promised => {
                    format!("Promised by {giver} to {taker} on {}", d.deal.promised_at.format("%-d %B %Y"))
                }
                DealState::Done => format!("{giver} and {taker} made this deal on {date}"),
                DealState::FellThrough => format!("The promise to {} fell through on {date}", d.deal.other_name),
                DealState::NoShow => {
                    format!("The promise to {} fell through on {date}: someone did not turn up", d.deal.other_name)
                }
            };
            DealRow {
                id: d.deal.id.to_string(),
                summary,
                pay_now,
                paid,
                waiting: d.involved && d.mine.is_some() && d.feedback.is_empty(),
                feedback: d.feedback.iter().map(feedback_view).collect(),
                mine: d.mine.as_ref().map(feedback_view),
                may_write: d.may_write,
            }
        })
        .collect();
    Ok(ListingPage {
        layout: ctx.layout(l.title.clone()),
        phrase: kind_phrase(l.side, l.kind),
        price: l.price.describe(CREDITS),
        status: l.status.label(),
        posted: when(l.created_at),
        closes: l.expires_at.format("%-d %B %Y").to_string(),
        photos: v.photos.iter().map(ToString::to_string).collect(),
        responders,
        promised_to,
        done_label: done_phrase(l.side, l.kind),
        deals,
        ratings: Rating::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
        flash,
        errors,
        message,
        v,
    })
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(query): Query<ListingQuery>,
) -> AppResult<Response> {
    Ok(listing_page(&state, &ctx, &id, flash_of(&query), FormErrors::none(), String::new()).await?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InterestForm {
    message: String,
}

pub async fn interested(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<InterestForm>,
) -> AppResult<Response> {
    match deals::interested(&state, &ctx, &id, &form.message).await {
        Ok(topic) => Ok(Redirect::to(&format!("/topics/{topic}")).into_response()),
        Err(AppError::Invalid(fields)) => {
            let page = listing_page(&state, &ctx, &id, "", fields.into(), form.message).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PromiseForm {
    member: String,
}

pub async fn promise(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<PromiseForm>,
) -> AppResult<Response> {
    let id = deals::promise(&state, &ctx, &id, &form.member).await?;
    Ok(Redirect::to(&format!("/synergy/listings/{id}")).into_response())
}

pub async fn complete(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    deals::complete(&state, &ctx, &id).await?;
    Ok(Redirect::to(&format!("/synergy/listings/{id}?done=1#deals")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FallThroughForm {
    reason: String,
}

pub async fn fall_through(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<FallThroughForm>,
) -> AppResult<Response> {
    deals::fall_through(&state, &ctx, &id, &form.reason).await?;
    Ok(Redirect::to(&format!("/synergy/listings/{id}")).into_response())
}

pub async fn withdraw(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let id = service::withdraw(&state, &ctx, &id).await?;
    Ok(Redirect::to(&format!("/synergy/listings/{id}")).into_response())
}

pub async fn repost(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let id = service::repost(&state, &ctx, &id).await?;
    Ok(Redirect::to(&format!("/synergy/listings/{id}")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FeedbackForm {
    rating: String,
    comment: String,
}

pub async fn feedback(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<FeedbackForm>,
) -> AppResult<Response> {
    match deals::feedback(&state, &ctx, &id, &form.rating, &form.comment).await {
        Ok(listing) => Ok(Redirect::to(&format!("/synergy/listings/{listing}?thanks=1#deals")).into_response()),
        Err(AppError::Invalid(fields)) => {
            let deal: planet_domain::DealId = id.parse().map_err(|_| AppError::not_found())?;
            let listing = planet_store::queries::synergy::deals::get(state.db(), deal)
                .await?
                .ok_or_else(AppError::not_found)?
                .listing;
            let page = listing_page(&state, &ctx, &listing.to_string(), "", fields.into(), String::new()).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other),
    }
}

#[derive(Deserialize)]
pub struct PhotoQuery {
    #[serde(default)]
    size: String,
}

pub async fn photo(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(query): Query<PhotoQuery>,
) -> AppResult<Response> {
    let bytes = service::photo(&state, &ctx, &id, query.size == "thumb").await?;
    Ok(([(header::CONTENT_TYPE, "image/jpeg"), (header::CACHE_CONTROL, "private, max-age=86400")], bytes)
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "synergy/report.html")]
struct ReportPage {
    layout: Layout,
    id: String,
    title: String,
    errors: FormErrors,
    reason: String,
}

pub async fn report_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let v = service::view(&state, &ctx, &id).await?;
    if !v.may_report {
        return Err(AppError::Denied(planet_domain::policy::Denial::Forbidden));
    }
    Ok(ReportPage {
        layout: ctx.layout("Report a listing"),
        id: v.listing.id.to_string(),
        title: v.listing.title,
        errors: FormErrors::none(),
        reason: String::new(),
    }
    .into_response())
}

pub async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<ReportForm>,
) -> AppResult<Response> {
    match service::report(&state, &ctx, &id, &form.reason).await {
        Ok(id) => Ok(Redirect::to(&format!("/synergy/listings/{id}?reported=1")).into_response()),
        Err(err) => {
            let v = service::view(&state, &ctx, &id).await?;
            form_again(err, |errors| ReportPage {
                layout: ctx.layout("Report a listing"),
                id: v.listing.id.to_string(),
                title: v.listing.title,
                errors,
                reason: form.reason,
            })
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "synergy/reported.html")]
struct ReportedPage {
    layout: Layout,
    items: Vec<(String, String, bool, Vec<String>)>,
}

pub async fn reported(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let items = service::reported(&state, &ctx).await?;
    Ok(ReportedPage {
        layout: ctx.layout("Reported listings"),
        items: items.into_iter().map(|r| (r.listing.to_string(), r.title, r.hidden, r.reasons)).collect(),
    }
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ModerateForm {
    action: String,
}

pub async fn moderate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<ModerateForm>,
) -> AppResult<Response> {
    service::moderate(&state, &ctx, &id, form.action == "hide").await?;
    Ok(Redirect::to("/synergy/reported").into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "synergy/searches.html")]
struct SearchesPage {
    layout: Layout,
    /// (id, words, link)
    items: Vec<(String, String, String)>,
    errors: FormErrors,
}

/// A saved search in words: "apples · offers · Food".
fn describe_search(query: &str, categories: &[(String, String)]) -> String {
    let form: BrowseForm = Query::<BrowseForm>::try_from_uri(&format!("/?{query}").parse().unwrap_or_default())
        .map(|q| q.0)
        .unwrap_or_default();
    let mut parts = Vec::new();
    if !form.q.is_empty() {
        parts.push(format!("“{}”", form.q));
    }
    match Side::parse(&form.side) {
        Some(Side::Offer) => parts.push("offers".to_owned()),
        Some(Side::Want) => parts.push("wants".to_owned()),
        None => {}
    }
    if let Some(kind) = ListingKind::parse(&form.kind) {
        parts.push(kind.label().to_lowercase());
    }
    if let Some((_, name)) = categories.iter().find(|(id, _)| *id == form.category) {
        parts.push(name.clone());
    }
    if !form.area.is_empty() {
        parts.push(form.area.clone());
    }
    if !form.space.is_empty() {
        parts.push("in one group".to_owned());
    }
    parts.join(" · ")
}

async fn searches_page(state: &AppState, ctx: &Ctx, errors: FormErrors) -> AppResult<SearchesPage> {
    let saved = super::alerts::saved_searches(state, ctx).await?;
    let categories: Vec<(String, String)> = planet_store::queries::synergy::categories(state.db())
        .await?
        .into_iter()
        .map(|c| (c.id.to_string(), c.name))
        .collect();
    Ok(SearchesPage {
        layout: ctx.layout("Your saved searches"),
        items: saved
            .iter()
            .filter(|s| super::alerts::describes_something(&s.query))
            .map(|s| (s.id.to_string(), describe_search(&s.query, &categories), format!("/synergy?{}", s.query)))
            .collect(),
        errors,
    })
}

pub async fn searches(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    Ok(searches_page(&state, &ctx, FormErrors::none()).await?.into_response())
}

pub async fn save_search(State(state): State<AppState>, ctx: Ctx, Form(form): Form<BrowseForm>) -> AppResult<Response> {
    match super::alerts::save_search(&state, &ctx, &form).await {
        Ok(()) => Ok(Redirect::to("/synergy/searches?saved=1").into_response()),
        Err(err) => {
            let page = searches_page(&state, &ctx, FormErrors::none()).await?;
            form_again(err, |errors| SearchesPage { errors, ..page })
        }
    }
}

pub async fn delete_search(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    super::alerts::delete_search(&state, &ctx, &id).await?;
    Ok(Redirect::to("/synergy/searches").into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "synergy/feeds.html")]
struct FeedsPage {
    layout: Layout,
    made: Option<String>,
    /// The new link's token, shown once.
    token: Option<String>,
    base: String,
    spaces: Vec<(String, String)>,
}

async fn feeds_page(state: &AppState, ctx: &Ctx, token: Option<String>) -> AppResult<FeedsPage> {
    let made = super::alerts::feed_link_made(state, ctx).await?.map(when);
    let sight = crate::talk::sight::sight(state, ctx, false).await?;
    Ok(FeedsPage {
        layout: ctx.layout("Offers in a feed reader"),
        made,
        token,
        base: state.public_base().to_owned(),
        spaces: sight.spaces.iter().map(|s| (s.to_string(), sight.name(*s))).collect(),
    })
}

pub async fn feeds(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    Ok(feeds_page(&state, &ctx, None).await?.into_response())
}

pub async fn new_feed_link(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let token = super::alerts::new_feed_link(&state, &ctx).await?;
    Ok(feeds_page(&state, &ctx, Some(token)).await?.into_response())
}

pub async fn revoke_feed_link(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    super::alerts::revoke_feed_link(&state, &ctx).await?;
    Ok(Redirect::to("/synergy/feeds").into_response())
}

#[derive(Template)]
#[template(path = "synergy/feed.xml", escape = "html")]
struct FeedXml {
    id: String,
    title: String,
    updated: String,
    base: String,
    entries: Vec<(String, String, String, String, String)>,
}

/// The Atom feed of a space's newest offers, for a feed reader holding the secret link.
pub async fn feed(State(state): State<AppState>, Path((token, space)): Path<(String, String)>) -> AppResult<Response> {
    let feed = super::alerts::feed(&state, &token, &space).await?;
    let base = state.public_base().to_owned();
    let xml = FeedXml {
        id: format!("{base}/spaces/{}", feed.space),
        title: format!("New offers in {}", feed.space_name),
        updated: feed.updated.to_rfc3339(),
        entries: feed
            .offers
            .iter()
            .map(|c| {
                let summary = [
                    kind_phrase(c.side, c.kind).to_owned(),
                    c.price.describe(CREDITS),
                    c.area.clone(),
                    c.poster.clone(),
                ]
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(" · ");
                (c.id.to_string(), c.title.clone(), c.created_at.to_rfc3339(), summary, c.poster.clone())
            })
            .collect(),
        base,
    }
    .render()
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        xml,
    )
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "synergy/categories.html")]
struct CategoriesPage {
    layout: Layout,
    /// (id, name, retired)
    items: Vec<(String, String, bool)>,
    errors: FormErrors,
    name: String,
}

async fn categories_page(state: &AppState, ctx: &Ctx, errors: FormErrors, name: String) -> AppResult<CategoriesPage> {
    let items = super::categories::categories_to_keep(state, ctx).await?;
    Ok(CategoriesPage {
        layout: ctx.layout("Categories of offers and wants"),
        items: items.into_iter().map(|c| (c.id.to_string(), c.name, c.retired)).collect(),
        errors,
        name,
    })
}

pub async fn categories(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    Ok(categories_page(&state, &ctx, FormErrors::none(), String::new()).await?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CategoryForm {
    name: String,
    /// "retire" or "restore"; empty to rename.
    action: String,
}

pub async fn add_category(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<CategoryForm>,
) -> AppResult<Response> {
    match super::categories::add_category(&state, &ctx, &form.name).await {
        Ok(()) => Ok(Redirect::to("/admin/listing-categories").into_response()),
        Err(err) => {
            let page = categories_page(&state, &ctx, FormErrors::none(), form.name.clone()).await?;
            form_again(err, |errors| CategoriesPage { errors, ..page })
        }
    }
}

pub async fn change_category(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<CategoryForm>,
) -> AppResult<Response> {
    let retired = match form.action.as_str() {
        "retire" => Some(true),
        "restore" => Some(false),
        _ => None,
    };
    match super::categories::change_category(&state, &ctx, &id, &form.name, retired).await {
        Ok(()) => Ok(Redirect::to("/admin/listing-categories").into_response()),
        Err(err) => {
            let page = categories_page(&state, &ctx, FormErrors::none(), String::new()).await?;
            form_again(err, |errors| CategoriesPage { errors, ..page })
        }
    }
}

//! The green directory: browsing and searching it, entries for people, businesses and
//! organisations, and who runs them.

use crate::error::{AppError, AppResult, FieldError};
use crate::identity::service::Check;
use crate::identity::session::Ctx;
use crate::state::AppState;
use crate::trust::service::{self as trust_service, Subject};
use planet_domain::policy::{Action, Resource, authorize};
use planet_domain::profile::{ContactVisibility, ProfileKind, Website, may_see_contacts, parse_phone, parse_tags};
use planet_domain::text::{AreaName, Description, EmailAddress, LabelName, OrganisationName, ProfileText, Tagline};
use planet_domain::trust::{StatementKind, TrustVisibility};
use planet_domain::{MemberId, ProfileId, ValueId};
use planet_store::StoreError;
use planet_store::dialect::SearchTerms;
use planet_store::dialect::{self, Lockable};
use planet_store::queries::people::{
    self, CommunityValue, DirectoryOrder, DirectoryQuery, Manager, Profile, ProfileFields, person_profile,
};
use planet_store::queries::{accounts, audit, trust};
use std::collections::HashMap;

/// How the directory can be ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Name,
    Newest,
    Closeness,
}

impl Order {
    pub const ALL: [Order; 3] = [Order::Name, Order::Newest, Order::Closeness];

    pub fn parse(text: &str) -> Self {
        match text {
            "newest" => Order::Newest,
            "closeness" => Order::Closeness,
            _ => Order::Name,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Order::Name => "name",
            Order::Newest => "newest",
            Order::Closeness => "closeness",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Order::Name => "Name",
            Order::Newest => "Newest first",
            Order::Closeness => "Closest to me in the trust network",
        }
    }
}

/// A directory search as typed into the form (everything optional).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct DirectorySearch {
    /// Words to look for in names, descriptions, skills and areas.
    pub q: String,
    /// `person`, `business` or `organisation`.
    pub kind: String,
    /// A skill or interest.
    pub skill: String,
    pub area: String,
    /// The id of one of the community's values.
    pub value: String,
    /// `name` (default), `newest` or `closeness`.
    pub order: String,
    /// From 1.
    pub page: u64,
}

pub const PAGE_SIZE: u64 = 30;
pub const PRINT_SIZE: u64 = 1000;
/// Closeness ordering ranks at most this many matches (a town's directory fits easily).
const CLOSENESS_POOL: u64 = 2000;

pub struct DirectoryPage {
    pub entries: Vec<Profile>,
    pub total: u64,
    pub page: u64,
    pub order: Order,
    pub areas: Vec<String>,
    pub skills: Vec<String>,
    pub values: Vec<CommunityValue>,
    /// Entry → photo id, for thumbnails.
    pub photos: HashMap<ProfileId, uuid::Uuid>,
}

/// One page of `per_page` entries (the printable list asks for up to [`PRINT_SIZE`]).
pub async fn directory(
    state: &AppState,
    ctx: &Ctx,
    search: &DirectorySearch,
    per_page: u64,
) -> AppResult<DirectoryPage> {
    ctx.require(Action::ViewDirectory)?;
    let order = Order::parse(&search.order);
    // Far pages are empty anyway; the bound keeps offsets sane whatever is typed.
    let page = search.page.clamp(1, 10_000);
    let nonempty = |text: &str| Some(text.trim().to_lowercase()).filter(|t| !t.is_empty());
    let mut query = DirectoryQuery {
        terms: SearchTerms::parse(&search.q),
        kind: ProfileKind::parse(&search.kind),
        tag: nonempty(&search.skill),
        area: Some(search.area.trim().to_owned()).filter(|a| !a.is_empty()),
        value: search.value.parse::<ValueId>().ok().map(ValueId::uuid),
        order: if order == Order::Newest { DirectoryOrder::Newest } else { DirectoryOrder::Name },
        limit: per_page,
        offset: (page - 1).saturating_mul(per_page),
    };
    let (entries, total) = if order == Order::Closeness {
        query.limit = CLOSENESS_POOL;
        query.offset = 0;
        let (mut all, total) = people::directory(state.db(), &query).await?;
        let graph = state.trust_graph().await?;
        let scores = graph.closeness(person_profile(ctx.member()?.id), state.now());
        // Stable: equally close (or unconnected) entries stay in name order.
        all.sort_by(|a, b| {
            let (x, y) = (scores.get(&a.id).copied().unwrap_or(0.0), scores.get(&b.id).copied().unwrap_or(0.0));
            y.total_cmp(&x)
        });
        let start = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX).min(all.len());
        let end = start.saturating_add(usize::try_from(per_page).unwrap_or(usize::MAX)).min(all.len());
        (all.drain(start..end).collect(), total)
    } else {
        people::directory(state.db(), &query).await?
    };
    let ids: Vec<ProfileId> = entries.iter().map(|p| p.id).collect();
    Ok(DirectoryPage {
        photos: people::photo_ids(state.db(), &ids).await?,
        entries,
        total,
        page,
        order,
        areas: people::areas_in_use(state.db()).await?,
        skills: people::tags_in_use(state.db(), 40).await?,
        values: people::community_values(state.db()).await?,
    })
}

/// Everything a profile page shows.
pub struct ProfileView {
    pub subject: Subject,
    pub managers: Vec<Manager>,
    pub runs: Vec<Profile>,
    pub can_edit: bool,
    /// The viewer's own entry, or one they run.
    pub runs_it: bool,
    pub is_me: bool,
    pub contacts_visible: bool,
    pub connections: trust_service::ConnectionsView,
    pub about: trust_service::StatementsAbout,
    pub statement_kinds: Vec<StatementKind>,
    pub values: Vec<(CommunityValue, String)>,
    pub photo: Option<uuid::Uuid>,
}

async fn manages(state: &AppState, member: MemberId, profile: &Profile) -> AppResult<bool> {
    Ok(people::is_managed_by(state.db(), profile, member).await?)
}

pub async fn view(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<ProfileView> {
    let subject = trust_service::subject(state, ctx, id).await?;
    let me = ctx.member()?.id;
    let profile = &subject.profile;
    let is_mine = manages(state, me, profile).await?;
    let can_edit = authorize(ctx.actor, Action::EditProfile, Resource::Profile { actor_manages: is_mine }).is_allowed();
    let managers =
        if profile.kind.is_organisation() { people::managers(state.db(), profile.id).await? } else { Vec::new() };
    let runs = match profile.member {
        Some(member) => people::profiles_by_ids(state.db(), &people::managed_by(state.db(), member).await?).await?,
        None => Vec::new(),
    };
    // "People I trust" for contact details: the owner (or a manager) has vouched for or
    // trusted the viewer.
    let owners: Vec<MemberId> = match profile.member {
        Some(member) => vec![member],
        None => managers.iter().map(|m| m.member).collect(),
    };
    // Only standing, unexpired statements count, and not private ones: showing the contact
    // details would tell the viewer what the owner chose to keep to themselves.
    let now = state.now();
    let owner_trusts_viewer = trust::statements_about(state.db(), person_profile(me)).await?.iter().any(|s| {
        owners.contains(&s.author)
            && s.kind != StatementKind::Customer
            && s.visibility != TrustVisibility::Private
            && s.expires_at > now
    });
    let contacts_visible = may_see_contacts(profile.contact_visibility, is_mine, owner_trusts_viewer);
    let connections = if is_mine || profile.member == Some(me) {
        trust_service::ConnectionsView::default()
    } else {
        trust_service::connections(state, ctx, profile.id).await?
    };
    let about = trust_service::statements_about(state, ctx, profile.id).await?;
    let statement_kinds =
        if is_mine { Vec::new() } else { trust_service::kinds_for(profile.kind, subject.is_applicant()) };
    let values = people::values_of(state.db(), profile.id).await?;
    let photo = people::photo_ids(state.db(), &[profile.id]).await?.get(&profile.id).copied();
    Ok(ProfileView {
        photo,
        values,
        runs_it: is_mine,
        is_me: profile.member == Some(me),
        managers,
        runs,
        can_edit,
        contacts_visible,
        connections,
        about,
        statement_kinds,
        subject,
    })
}

/// The entry behind an id, if the member may change it.
pub async fn editable(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<Profile> {
    let subject = trust_service::subject(state, ctx, id).await?;
    let mine = manages(state, ctx.member()?.id, &subject.profile).await?;
    ctx.require_on(Action::EditProfile, Resource::Profile { actor_manages: mine })?;
    Ok(subject.profile)
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ProfileInput {
    pub name: String,
    pub tagline: String,
    pub description: String,
    pub offers: String,
    pub needs: String,
    pub area: String,
    pub skills: String,
    pub website: String,
    pub phone: String,
    pub contact_email: String,
    /// `nobody`, `trusted` or `members`.
    pub contact_visibility: String,
    /// `value-{id}` = `yes` for each value lived by, `words-{id}` = how.
    #[serde(flatten)]
    pub values: HashMap<String, String>,
}

impl ProfileInput {
    pub fn lives(&self, value: &ValueId) -> bool {
        self.values.get(&format!("value-{value}")).is_some_and(|v| v == "yes")
    }

    pub fn words(&self, value: &ValueId) -> String {
        self.values.get(&format!("words-{value}")).cloned().unwrap_or_default()
    }
}

impl ProfileInput {
    pub fn from_profile(profile: &Profile, lived: &[(CommunityValue, String)]) -> Self {
        let mut values = HashMap::new();
        for (value, words) in lived {
            values.insert(format!("value-{}", value.id), "yes".to_owned());
            values.insert(format!("words-{}", value.id), words.clone());
        }
        Self {
            values,
            name: profile.name.clone(),
            tagline: profile.tagline.clone(),
            description: profile.description.clone(),
            offers: profile.offers.clone(),
            needs: profile.needs.clone(),
            area: profile.area.clone(),
            skills: profile.tags.join(", "),
            website: profile.website.clone().unwrap_or_default(),
            phone: profile.phone.clone().unwrap_or_default(),
            contact_email: profile.contact_email.clone().unwrap_or_default(),
            contact_visibility: profile.contact_visibility.as_str().to_owned(),
        }
    }
}

pub async fn edit(state: &AppState, ctx: &Ctx, id: &str, input: &ProfileInput) -> AppResult<Profile> {
    let profile = editable(state, ctx, id).await?;
    let mut check = Check::new();
    // A person's name is their account's name (changed by stewards); businesses name themselves.
    let name = if profile.kind.is_organisation() {
        check.field("name", OrganisationName::parse(&input.name)).map(OrganisationName::into_string)
    } else {
        Some(profile.name.clone())
    };
    let tagline = check.field("tagline", Tagline::parse(&input.tagline));
    let description = check.field("description", Description::parse(&input.description));
    let offers = check.field("offers", ProfileText::parse(&input.offers));
    let needs = check.field("needs", ProfileText::parse(&input.needs));
    let area = check.field("area", AreaName::parse(&input.area));
    let tags = check.field("skills", parse_tags(&input.skills));
    let website = check.field("website", Website::parse(&input.website));
    let phone = check.field("phone", parse_phone(&input.phone));
    let contact_email = if input.contact_email.trim().is_empty() {
        Some(None)
    } else {
        check.field("contact_email", EmailAddress::parse(&input.contact_email)).map(Some)
    };
    let visibility = ContactVisibility::parse(&input.contact_visibility);
    if visibility.is_none() {
        check.fail("contact_visibility", "contact_visibility_required", "Choose who can see your contact details");
    }
    let lived = lived_values(state, input, &mut check).await?;
    check.finish()?;
    let (
        Some(name),
        Some(tagline),
        Some(description),
        Some(offers),
        Some(needs),
        Some(area),
        Some(tags),
        Some(website),
        Some(phone),
        Some(contact_email),
        Some(visibility),
    ) = (name, tagline, description, offers, needs, area, tags, website, phone, contact_email, visibility)
    else {
        return Err(AppError::Internal("profile parse".to_owned()));
    };
    let fields = ProfileFields {
        name: &name,
        tagline: tagline.as_str(),
        description: description.as_str(),
        offers: offers.as_str(),
        needs: needs.as_str(),
        area: area.as_str(),
        website: website.as_ref().map(Website::as_str),
        phone: phone.as_deref(),
        contact_email: contact_email.as_ref().map(EmailAddress::as_str),
        contact_visibility: visibility,
        tags: &tags,
    };
    let now = state.now();
    let txn = state.store().begin().await?;
    people::update_profile(&txn, profile.id, fields, now).await?;
    people::set_values(&txn, profile.id, &lived).await?;
    let me = ctx.member()?.id;
    if !manages(state, me, &profile).await? {
        audit::record(&txn, Some(me), "profile.edited_by_steward", &profile.name, "", now).await?;
    }
    state.commit(txn).await?;
    people::profile(state.db(), profile.id).await?.ok_or_else(AppError::not_found)
}

/// The community's values the form says the entry lives by, each with its words. A value the
/// community does not keep (or no longer keeps) is refused.
async fn lived_values(state: &AppState, input: &ProfileInput, check: &mut Check) -> AppResult<Vec<(ValueId, String)>> {
    let known = people::community_values(state.db()).await?;
    let mut lived = Vec::new();
    for (key, answer) in &input.values {
        let Some(id) = key.strip_prefix("value-") else {
            if !key.starts_with("words-") {
                check.fail("values", "unknown_field", "The form had a field we do not know. Please reload the page.");
            }
            continue;
        };
        let Some(value) = id.parse::<ValueId>().ok().and_then(|id| known.iter().find(|v| v.id == id)) else {
            check.fail(
                "values",
                "unknown_value",
                "One of the values is not one the community keeps. Please reload the page.",
            );
            continue;
        };
        if answer != "yes" {
            continue;
        }
        match ProfileText::parse(&input.words(&value.id)) {
            Ok(words) => lived.push((value.id, words.into_string())),
            Err(e) => check.fail("values", e.code, &format!("{} ({})", e.message, value.name)),
        }
    }
    lived.sort();
    Ok(lived)
}

/// The community's values.
pub async fn community_values(state: &AppState, ctx: &Ctx) -> AppResult<Vec<CommunityValue>> {
    ctx.require(Action::ViewDirectory)?;
    Ok(people::community_values(state.db()).await?)
}

/// Stewards add a value to the list.
pub async fn add_value(state: &AppState, ctx: &Ctx, name: &str, description: &str) -> AppResult<()> {
    ctx.require(Action::KeepValues)?;
    let mut check = Check::new();
    let name = check.field("name", LabelName::parse(name));
    let description = check.field("description", ProfileText::parse(description));
    check.finish()?;
    let (Some(name), Some(description)) = (name, description) else {
        return Err(AppError::Internal("value parse".to_owned()));
    };
    let now = state.now();
    let txn = state.store().begin().await?;
    match people::add_community_value(&txn, ValueId::new_v7(), name.as_str(), description.as_str(), now).await {
        Err(StoreError::Conflict(_)) => {
            return Err(AppError::invalid("name", "value_exists", format!("There is already a value called {name}.")));
        }
        other => other?,
    }
    audit::record(&txn, Some(ctx.member()?.id), "values.added", name.as_str(), "", now).await?;
    state.commit(txn).await?;
    Ok(())
}

/// Stewards retire a value: it is no longer offered or shown.
pub async fn retire_value(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<()> {
    ctx.require(Action::KeepValues)?;
    let id: ValueId = id.parse().map_err(|_| AppError::not_found())?;
    let now = state.now();
    let txn = state.store().begin().await?;
    if !people::retire_community_value(&txn, id, now).await? {
        return Err(AppError::not_found());
    }
    audit::record(&txn, Some(ctx.member()?.id), "values.retired", &id.to_string(), "", now).await?;
    state.commit(txn).await?;
    Ok(())
}

/// Add a business or organisation, run by the member who adds it.
pub async fn list_organisation(state: &AppState, ctx: &Ctx, kind: &str, name: &str) -> AppResult<ProfileId> {
    ctx.require(Action::ListOrganisation)?;
    let me = ctx.member()?.id;
    let mut check = Check::new();
    let kind = ProfileKind::parse(kind).filter(|k| k.is_organisation());
    if kind.is_none() {
        check.fail("kind", "kind_required", "Choose business or organisation");
    }
    let name = check.field("name", OrganisationName::parse(name));
    check.finish()?;
    let (Some(kind), Some(name)) = (kind, name) else {
        return Err(AppError::Internal("organisation parse".to_owned()));
    };
    let id = ProfileId::new_v7();
    let now = state.now();
    let txn = state.store().begin().await?;
    people::create_profile(&txn, id, kind, None, name.as_str(), now).await?;
    people::add_manager(&txn, id, me, true, now).await?;
    audit::record(&txn, Some(me), "profile.listed", name.as_str(), kind.as_str(), now).await?;
    state.commit(txn).await?;
    Ok(id)
}

/// Add a co-manager (a member, by email) to a business or organisation.
pub async fn add_manager(state: &AppState, ctx: &Ctx, id: &str, email: &str) -> AppResult<Profile> {
    let profile = editable(state, ctx, id).await?;
    if !profile.kind.is_organisation() {
        return Err(AppError::not_found());
    }
    let email = EmailAddress::parse(email).map_err(|e| AppError::Invalid(vec![FieldError::from_input("email", e)]))?;
    let member = accounts::member_by_email(state.db(), email.as_str())
        .await?
        .filter(|m| m.status == planet_domain::space::AccountStatus::Member)
        .ok_or_else(|| {
            AppError::invalid(
                "email",
                "not_a_member",
                "There is no member with this email address. Check it with them.",
            )
        })?;
    let now = state.now();
    let txn = state.store().begin().await?;
    match people::add_manager(&txn, profile.id, member.id, false, now).await {
        Err(StoreError::Conflict(_)) => {
            return Err(AppError::invalid(
                "email",
                "already_manager",
                format!("{} already helps run it.", member.name),
            ));
        }
        other => other?,
    }
    let adder = ctx.member()?;
    audit::record(&txn, Some(adder.id), "profile.manager_added", &profile.name, &member.name, now).await?;
    // They are told, and can take themselves off if it is a mistake.
    let body = format!(
        "Hello {},\n\n{} has added you as someone who helps run \u{201c}{}\u{201d} in the directory of {}.\n\n\
         If that is a mistake, open its page and remove yourself: {}/people/{}\n",
        member.name,
        adder.name,
        profile.name,
        state.community_name(),
        state.public_base(),
        profile.id
    );
    crate::notify::mail::queue(&txn, &member.email, &format!("You help run {}", profile.name), &body, now).await?;
    state.commit(txn).await?;
    state.wake_mailer();
    Ok(profile)
}

/// Remove a co-manager. A business always keeps at least one member running it.
pub async fn remove_manager(state: &AppState, ctx: &Ctx, id: &str, member: &str) -> AppResult<Profile> {
    let profile = editable(state, ctx, id).await?;
    let member: MemberId = member.parse().map_err(|_| AppError::not_found())?;
    let now = state.now();
    let txn = state.store().begin().await?;
    // Checked inside the transaction, with the entry locked: two managers removing each other
    // at once must still leave one.
    dialect::lock(&txn, Lockable::Profile(profile.id.uuid())).await?;
    let managers = people::managers(&txn, profile.id).await?;
    let Some(leaving) = managers.iter().find(|m| m.member == member) else {
        return Err(AppError::not_found());
    };
    if managers.len() == 1 {
        return Err(AppError::refused(
            "last_manager",
            "A business or organisation must always be linked to at least one member. Add someone else first.",
        ));
    }
    people::remove_manager(&txn, profile.id, member).await?;
    audit::record(&txn, Some(ctx.member()?.id), "profile.manager_removed", &profile.name, &leaving.name, now).await?;
    state.commit(txn).await?;
    Ok(profile)
}

/// Put up a photo (a person) or logo (a business): checked and re-encoded off the async
/// threads, then stored in place of any earlier one.
pub async fn upload_photo(state: &AppState, ctx: &Ctx, id: &str, bytes: Vec<u8>) -> AppResult<()> {
    let profile = editable(state, ctx, id).await?;
    let processed = tokio::task::spawn_blocking(move || super::photos::process(&bytes))
        .await
        .map_err(|e| AppError::Internal(format!("photo task: {e}")))?
        .map_err(|e| AppError::invalid("photo", e.code(), e.message()))?;
    let me = ctx.member()?.id;
    let now = state.now();
    let txn = state.store().begin().await?;
    people::set_photo(&txn, profile.id, processed.full, processed.thumb, processed.width, processed.height, me, now)
        .await?;
    if !manages(state, me, &profile).await? {
        audit::record(&txn, Some(me), "profile.photo_by_steward", &profile.name, "", now).await?;
    }
    state.commit(txn).await?;
    Ok(())
}

pub async fn remove_photo(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<()> {
    let profile = editable(state, ctx, id).await?;
    let me = ctx.member()?.id;
    let now = state.now();
    let txn = state.store().begin().await?;
    people::remove_photo(&txn, profile.id).await?;
    if !manages(state, me, &profile).await? {
        audit::record(&txn, Some(me), "profile.photo_removed_by_steward", &profile.name, "", now).await?;
    }
    state.commit(txn).await?;
    Ok(())
}

/// A photo's JPEG bytes, for members.
pub async fn photo(state: &AppState, ctx: &Ctx, id: &str, size: &str) -> AppResult<Vec<u8>> {
    ctx.require(Action::ViewDirectory)?;
    let id: uuid::Uuid = id.parse().map_err(|_| AppError::not_found())?;
    let size = match size {
        "full" => people::PhotoSize::Full,
        "thumb" => people::PhotoSize::Thumb,
        _ => return Err(AppError::not_found()),
    };
    let (profile, bytes) = people::photo_bytes(state.db(), id, size).await?.ok_or_else(AppError::not_found)?;
    // Only the photos of entries the member may see.
    trust_service::subject(state, ctx, &profile.to_string()).await?;
    Ok(bytes)
}

/// The member's own entry.
pub fn my_profile(ctx: &Ctx) -> AppResult<ProfileId> {
    Ok(person_profile(ctx.member()?.id))
}

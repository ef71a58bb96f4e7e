//! Pages for browsing and running groups.

use super::service::{self, SpaceInput};
use crate::access::{parse_space_id, require_space};
use crate::admission::pages::day;
use crate::error::{AppError, AppResult};
use crate::identity::session::Ctx;
use crate::state::AppState;
use crate::web::forms::FormErrors;
use crate::web::layout::Layout;
use crate::web::markdown;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use planet_domain::policy::Action;
use planet_domain::space::{JoinPolicy, Role, Visibility};
use serde::Deserialize;

pub struct EntryView {
    id: String,
    name: String,
    depth_class: usize,
    role: Option<&'static str>,
    members: u64,
    visibility: &'static str,
    can_join: bool,
}

fn entry_view(e: &service::SpaceEntry) -> EntryView {
    EntryView {
        id: e.space.id.to_string(),
        name: e.space.name.clone(),
        depth_class: e.depth.min(4),
        role: e.role.map(Role::label),
        members: e.members,
        visibility: match e.space.visibility {
            Visibility::Community => "open to view",
            Visibility::Members => "members only",
            Visibility::Secret => "secret",
        },
        can_join: e.can_join,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "spaces/list.html")]
struct ListPage {
    layout: Layout,
    entries: Vec<EntryView>,
}

pub async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let entries = service::visible_spaces(&state, &ctx).await?.iter().map(entry_view).collect();
    Ok(ListPage { layout: ctx.layout("Groups"), entries }.into_response())
}

pub struct MemberView {
    id: String,
    name: String,
    coordinator: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "spaces/show.html")]
struct ShowPage {
    layout: Layout,
    id: String,
    name: String,
    crumbs: Vec<(String, String)>,
    description_html: String,
    visibility: &'static str,
    join_policy: &'static str,
    role: Option<&'static str>,
    is_root: bool,
    can_join: bool,
    can_request: bool,
    can_edit: bool,
    can_create: bool,
    can_invite: bool,
    can_leave: bool,
    can_manage_roles: bool,
    has_requested: bool,
    waiting_requests: usize,
    children: Vec<EntryView>,
    members: Option<Vec<MemberView>>,
    errors: FormErrors,
    message: String,
    invite_errors: FormErrors,
    invite_email: String,
}

#[derive(Default)]
struct ShowForms {
    errors: FormErrors,
    message: String,
    invite_errors: FormErrors,
    invite_email: String,
}

async fn show_page(state: &AppState, ctx: &Ctx, id: &str, forms: ShowForms) -> AppResult<ShowPage> {
    let view = service::view(state, ctx, id).await?;
    let access = &view.access;
    let space = access.space();
    Ok(ShowPage {
        layout: ctx.layout(space.name.clone()),
        id: space.id.to_string(),
        name: space.name.clone(),
        crumbs: access.chain[..access.chain.len() - 1].iter().map(|s| (s.id.to_string(), s.name.clone())).collect(),
        description_html: markdown::render(&space.description),
        visibility: space.visibility.label(),
        join_policy: space.join_policy.label(),
        role: access.role().map(Role::label),
        is_root: space.parent_id.is_none(),
        can_join: access.allows(ctx, Action::JoinSpace),
        can_request: access.allows(ctx, Action::RequestToJoinSpace),
        can_edit: access.allows(ctx, Action::EditSpace),
        can_create: access.allows(ctx, Action::CreateSubspace),
        can_invite: access.allows(ctx, Action::InviteToSpace),
        can_leave: access.allows(ctx, Action::LeaveSpace),
        can_manage_roles: access.allows(ctx, Action::ManageSpaceRoles),
        has_requested: view.has_requested,
        waiting_requests: view.waiting_requests,
        children: view.children.iter().map(entry_view).collect(),
        members: view.members.map(|members| {
            members
                .into_iter()
                .map(|m| MemberView {
                    id: m.member.id.to_string(),
                    name: m.member.name,
                    coordinator: m.role == Role::Coordinator,
                })
                .collect()
        }),
        errors: forms.errors,
        message: forms.message,
        invite_errors: forms.invite_errors,
        invite_email: forms.invite_email,
    })
}

pub async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    Ok(show_page(&state, &ctx, &id, ShowForms::default()).await?.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "spaces/form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    back: String,
    submit: &'static str,
    errors: FormErrors,
    name: String,
    description: String,
    visibility: String,
    join_policy: String,
    visibilities: Choices,
    policies: Choices,
}

/// Radio choices: (stored value, plain words).
type Choices = Vec<(&'static str, &'static str)>;

fn choices() -> (Choices, Choices) {
    (
        Visibility::ALL.iter().map(|v| (v.as_str(), v.label())).collect(),
        JoinPolicy::ALL.iter().map(|p| (p.as_str(), p.label())).collect(),
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    parent: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SpaceForm {
    parent: String,
    name: String,
    description: String,
    visibility: String,
    join_policy: String,
}

impl SpaceForm {
    fn input(&self) -> SpaceInput<'_> {
        SpaceInput {
            name: &self.name,
            description: &self.description,
            visibility: &self.visibility,
            join_policy: &self.join_policy,
        }
    }
}

/// Where the form goes and what it says: starting a group inside a parent, or editing one.
enum FormPurpose<'a> {
    Start { parent: &'a str, parent_name: &'a str },
    Edit { id: &'a str, name: &'a str },
}

fn form_page(ctx: &Ctx, purpose: FormPurpose<'_>, errors: FormErrors, values: SpaceForm) -> FormPage {
    let (title, heading, action, back, submit) = match purpose {
        FormPurpose::Start { parent, parent_name } => (
            "Start a group".to_owned(),
            format!("Start a group inside {parent_name}"),
            format!("/spaces?parent={parent}"),
            format!("/spaces/{parent}"),
            "Start the group",
        ),
        FormPurpose::Edit { id, name } => (
            format!("Edit {name}"),
            format!("Edit {name}"),
            format!("/spaces/{id}/edit"),
            format!("/spaces/{id}"),
            "Save changes",
        ),
    };
    let (visibilities, policies) = choices();
    FormPage {
        layout: ctx.layout(title),
        heading,
        action,
        back,
        submit,
        errors,
        name: values.name,
        description: values.description,
        visibility: values.visibility,
        join_policy: values.join_policy,
        visibilities,
        policies,
    }
}

pub async fn new_form(State(state): State<AppState>, ctx: Ctx, Query(query): Query<NewQuery>) -> AppResult<Response> {
    let parent_id = if query.parent.is_empty() {
        state.community().map(|c| c.root_space_id.to_string()).unwrap_or_default()
    } else {
        query.parent
    };
    let parent = require_space(state.db(), &ctx, Action::CreateSubspace, parse_space_id(&parent_id)?).await?;
    let values = SpaceForm {
        visibility: Visibility::Community.as_str().to_owned(),
        join_policy: JoinPolicy::Open.as_str().to_owned(),
        ..SpaceForm::default()
    };
    let purpose = FormPurpose::Start { parent: &parent_id, parent_name: &parent.space().name };
    Ok(form_page(&ctx, purpose, FormErrors::none(), values).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<NewQuery>,
    Form(form): Form<SpaceForm>,
) -> AppResult<Response> {
    let parent = if form.parent.is_empty() { query.parent.clone() } else { form.parent.clone() };
    match service::create(&state, &ctx, &parent, form.input()).await {
        Ok(id) => Ok(Redirect::to(&format!("/spaces/{id}?done=created")).into_response()),
        Err(AppError::Invalid(fields)) => {
            // Creating was authorized, so the parent exists and may be named.
            let parent_space =
                require_space(state.db(), &ctx, Action::CreateSubspace, parse_space_id(&parent)?).await?;
            let purpose = FormPurpose::Start { parent: &parent, parent_name: &parent_space.space().name };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, form_page(&ctx, purpose, fields.into(), form)).into_response())
        }
        Err(err) => Err(err),
    }
}

pub async fn edit_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let access = require_space(state.db(), &ctx, Action::EditSpace, parse_space_id(&id)?).await?;
    let space = access.space();
    let values = SpaceForm {
        parent: String::new(),
        name: space.name.clone(),
        description: space.description.clone(),
        visibility: space.visibility.as_str().to_owned(),
        join_policy: space.join_policy.as_str().to_owned(),
    };
    Ok(form_page(&ctx, FormPurpose::Edit { id: &id, name: &space.name }, FormErrors::none(), values).into_response())
}

pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<SpaceForm>,
) -> AppResult<Response> {
    match service::edit(&state, &ctx, &id, form.input()).await {
        Ok(()) => Ok(Redirect::to(&format!("/spaces/{id}?done=saved")).into_response()),
        Err(AppError::Invalid(fields)) => {
            let access = require_space(state.db(), &ctx, Action::EditSpace, parse_space_id(&id)?).await?;
            let purpose = FormPurpose::Edit { id: &id, name: &access.space().name };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, form_page(&ctx, purpose, fields.into(), form)).into_response())
        }
        Err(err) => Err(err),
    }
}

pub async fn join(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    service::join(&state, &ctx, &id).await?;
    Ok(Redirect::to(&format!("/spaces/{id}?done=joined")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RequestForm {
    message: String,
}

pub async fn request(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<RequestForm>,
) -> AppResult<Response> {
    match service::request_to_join(&state, &ctx, &id, &form.message).await {
        Ok(()) => Ok(Redirect::to(&format!("/spaces/{id}?done=requested")).into_response()),
        Err(AppError::Invalid(fields)) => {
            let page = show_page(
                &state,
                &ctx,
                &id,
                ShowForms { errors: fields.into(), message: form.message.clone(), ..Default::default() },
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(err) => Err(err),
    }
}

pub async fn decline_invitation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    service::decline_invitation(&state, &ctx, &id).await?;
    Ok(Redirect::to("/?done=no-thanks").into_response())
}

pub async fn leave(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    service::leave(&state, &ctx, &id).await?;
    Ok(Redirect::to("/spaces?done=left").into_response())
}

pub struct RequestView {
    member_id: String,
    name: String,
    message: String,
    when: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "spaces/requests.html")]
struct RequestsPage {
    layout: Layout,
    id: String,
    name: String,
    requests: Vec<RequestView>,
}

pub async fn requests(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let (access, requests) = service::join_requests(&state, &ctx, &id).await?;
    Ok(RequestsPage {
        layout: ctx.layout(format!("Requests to join {}", access.space().name)),
        id: access.space().id.to_string(),
        name: access.space().name.clone(),
        requests: requests
            .into_iter()
            .map(|r| RequestView {
                member_id: r.member.id.to_string(),
                name: r.member.name,
                message: r.message,
                when: day(r.created_at),
            })
            .collect(),
    }
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
}

pub async fn decide_request(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, member)): Path<(String, String)>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    let accept = service::decide_request(&state, &ctx, &id, &member, &form.decision).await?;
    let done = if accept { "accepted" } else { "refused" };
    Ok(Redirect::to(&format!("/spaces/{id}/requests?done={done}")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InviteForm {
    email: String,
}

pub async fn invite(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<InviteForm>,
) -> AppResult<Response> {
    match service::invite_member(&state, &ctx, &id, &form.email).await {
        Ok(()) => Ok(Redirect::to(&format!("/spaces/{id}?done=invited")).into_response()),
        Err(AppError::Invalid(fields)) => {
            let page = show_page(
                &state,
                &ctx,
                &id,
                ShowForms { invite_errors: fields.into(), invite_email: form.email.clone(), ..Default::default() },
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(err) => Err(err),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RoleForm {
    role: String,
}

pub async fn set_role(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, member)): Path<(String, String)>,
    Form(form): Form<RoleForm>,
) -> AppResult<Response> {
    service::set_role(&state, &ctx, &id, &member, &form.role).await?;
    Ok(Redirect::to(&format!("/spaces/{id}?done=role")).into_response())
}

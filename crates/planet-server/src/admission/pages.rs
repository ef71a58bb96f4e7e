//! Pages for inviting, applying, and deciding applications.

use super::service::{self, ApplyInput};
use crate::error::{AppError, AppResult};
use crate::identity::session::{Ctx, session_cookie};
use crate::state::AppState;
use crate::trust::service::VouchSummary;
use crate::web::forms::{FormErrors, form_again};
use crate::web::layout::Layout;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use planet_domain::admission::{ApplicationStatus, InvitationState, VouchingRule, invitation_state};
use planet_store::queries::admission::{Application, Invitation};
use serde::Deserialize;
use std::net::SocketAddr;

pub fn day(time: chrono::DateTime<chrono::Utc>) -> String {
    time.format("%-d %B %Y").to_string()
}

pub struct InvitationRow {
    id: String,
    note: String,
    created: String,
    state: &'static str,
    usable: bool,
}

fn invitation_row(invitation: &Invitation, now: chrono::DateTime<chrono::Utc>) -> InvitationRow {
    let state = invitation_state(invitation.facts(), now);
    InvitationRow {
        id: invitation.id.to_string(),
        note: invitation.note.clone(),
        created: day(invitation.created_at),
        state: match state {
            InvitationState::Usable => "Not used yet",
            InvitationState::Used => "Used",
            InvitationState::Expired => "Expired",
            InvitationState::Revoked => "Withdrawn",
        },
        usable: state == InvitationState::Usable,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admission/invitations.html")]
struct InvitationsPage {
    layout: Layout,
    errors: FormErrors,
    note: String,
    new_link: Option<String>,
    invitations: Vec<InvitationRow>,
}

async fn invitations_page(
    state: &AppState,
    ctx: &Ctx,
    errors: FormErrors,
    note: String,
    new_link: Option<String>,
) -> AppResult<InvitationsPage> {
    let now = state.now();
    let invitations = service::my_invitations(state, ctx).await?.iter().map(|i| invitation_row(i, now)).collect();
    Ok(InvitationsPage { layout: ctx.layout("Invite someone"), errors, note, new_link, invitations })
}

pub async fn invitations(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    Ok(invitations_page(&state, &ctx, FormErrors::none(), String::new(), None).await?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InviteForm {
    note: String,
}

pub async fn invite(State(state): State<AppState>, ctx: Ctx, Form(form): Form<InviteForm>) -> AppResult<Response> {
    match service::invite(&state, &ctx, &form.note).await {
        Ok(new) => {
            Ok(invitations_page(&state, &ctx, FormErrors::none(), String::new(), Some(new.link)).await?.into_response())
        }
        Err(AppError::Invalid(fields)) => {
            let page = invitations_page(&state, &ctx, fields.into(), form.note.clone(), None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(err) => Err(err),
    }
}

pub async fn withdraw(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    service::withdraw_invitation(&state, &ctx, &id).await?;
    Ok(Redirect::to("/invitations?done=withdrawn").into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "admission/join.html")]
struct JoinPage {
    layout: Layout,
    errors: FormErrors,
    token: String,
    inviter: String,
    name: String,
    email: String,
    how_known: String,
    accept_rules: bool,
    conduct_html: String,
    conduct_version: i32,
}

/// The code of conduct in force: its version and its HTML.
async fn conduct(state: &AppState) -> AppResult<(i32, String)> {
    let (version, body) = crate::conduct::service::current(state.db()).await?;
    Ok((version, crate::web::markdown::render(&body)))
}

fn safe_token(token: &str) -> String {
    token.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').take(64).collect()
}

pub async fn join_form(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    if ctx.member.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    let token = safe_token(&token);
    let (_, inviter) = service::open_invitation(&state, &token, &peer.ip().to_string()).await?;
    let (conduct_version, conduct_html) = conduct(&state).await?;
    Ok(JoinPage {
        layout: ctx.layout("Apply to join"),
        errors: FormErrors::none(),
        token,
        inviter,
        name: String::new(),
        email: String::new(),
        how_known: String::new(),
        accept_rules: false,
        conduct_html,
        conduct_version,
    }
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct JoinForm {
    name: String,
    email: String,
    password: String,
    how_known: String,
    accept_rules: Option<String>,
    conduct_version: Option<i32>,
}

pub async fn join(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(form): Form<JoinForm>,
) -> AppResult<Response> {
    if ctx.member.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    let token = safe_token(&token);
    let client = peer.ip().to_string();
    let input = ApplyInput {
        name: &form.name,
        email: &form.email,
        password: &form.password,
        how_known: &form.how_known,
        accept_rules: form.accept_rules.is_some(),
        conduct_version: form.conduct_version,
    };
    match service::apply(&state, &token, input, &client).await {
        Ok(session) => {
            Ok(([(header::SET_COOKIE, session_cookie(&session, &state))], Redirect::to("/application")).into_response())
        }
        Err(err) => {
            let inviter = match &err {
                AppError::Invalid(_) => {
                    service::open_invitation(&state, &token, &client).await.map(|(_, name)| name).unwrap_or_default()
                }
                _ => String::new(),
            };
            let (conduct_version, conduct_html) = conduct(&state).await?;
            form_again(err, |errors| JoinPage {
                layout: ctx.layout("Apply to join"),
                errors,
                token: token.clone(),
                inviter,
                name: form.name.clone(),
                email: form.email.clone(),
                how_known: form.how_known.clone(),
                // Shown again with the code in force: ticked only if it is the one they accepted.
                accept_rules: form.accept_rules.is_some() && form.conduct_version == Some(conduct_version),
                conduct_html,
                conduct_version,
            })
        }
    }
}

pub struct ApplicationView {
    id: String,
    name: String,
    email: String,
    inviter: String,
    how_known: String,
    sent: String,
    status: &'static str,
    status_class: &'static str,
    waiting: bool,
    approved: bool,
    note: String,
}

fn view(a: &Application) -> ApplicationView {
    ApplicationView {
        id: a.id.to_string(),
        name: a.applicant_name.clone(),
        email: a.applicant_email.clone(),
        inviter: a.inviter_name.clone(),
        how_known: a.how_known.clone(),
        sent: day(a.created_at),
        status: a.status.label(),
        status_class: match a.status {
            ApplicationStatus::Waiting => "waiting",
            ApplicationStatus::Approved => "approved",
            _ => "declined",
        },
        waiting: a.status == ApplicationStatus::Waiting,
        approved: a.status == ApplicationStatus::Approved,
        note: a.decision_note.clone().unwrap_or_default(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admission/application.html")]
struct OwnApplicationPage {
    layout: Layout,
    application: Option<ApplicationView>,
    vouches: Option<VouchSummary>,
    rule: VouchingRule,
}

pub async fn own_application(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let application = service::own_application(&state, &ctx).await?;
    let vouches = match &application {
        Some(a) => Some(crate::trust::service::vouches_for_applicant(&state, &ctx, a).await?),
        None => None,
    };
    Ok(OwnApplicationPage {
        layout: ctx.layout("Your application"),
        application: application.as_ref().map(view),
        vouches,
        rule: service::current_rule(&state).await?,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "admission/rule.html")]
struct RulePage {
    layout: Layout,
    errors: FormErrors,
    form: RuleForm,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RuleForm {
    vouches_needed: String,
    standing_days: String,
    window_days: String,
    in_person_needed: String,
    weekly_vouches: String,
    active_vouches: String,
}

impl RuleForm {
    fn from_rule(rule: VouchingRule) -> Self {
        Self {
            vouches_needed: rule.vouches_needed.to_string(),
            standing_days: rule.standing_days.to_string(),
            window_days: rule.window_days.to_string(),
            in_person_needed: if rule.in_person_needed { "yes" } else { "no" }.to_owned(),
            weekly_vouches: rule.weekly_vouches.to_string(),
            active_vouches: rule.active_vouches.to_string(),
        }
    }

    fn input(&self) -> service::RuleInput<'_> {
        service::RuleInput {
            vouches_needed: &self.vouches_needed,
            standing_days: &self.standing_days,
            window_days: &self.window_days,
            in_person_needed: self.in_person_needed == "yes",
            weekly_vouches: &self.weekly_vouches,
            active_vouches: &self.active_vouches,
        }
    }
}

pub async fn rule_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let rule = service::rule(&state, &ctx).await?;
    Ok(RulePage { layout: ctx.layout("Admission rule"), errors: FormErrors::none(), form: RuleForm::from_rule(rule) }
        .into_response())
}

pub async fn save_rule(State(state): State<AppState>, ctx: Ctx, Form(form): Form<RuleForm>) -> AppResult<Response> {
    match service::save_rule(&state, &ctx, form.input()).await {
        Ok(()) => Ok(Redirect::to("/admin/admission-rule?done=rule_saved").into_response()),
        Err(err) => form_again(err, |errors| RulePage { layout: ctx.layout("Admission rule"), errors, form }),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admission/applications.html")]
struct ApplicationsPage {
    layout: Layout,
    applications: Vec<ApplicationView>,
}

pub async fn applications(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let applications = service::waiting_applications(&state, &ctx).await?.iter().map(view).collect();
    Ok(ApplicationsPage { layout: ctx.layout("Applications"), applications }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "admission/decide.html")]
struct DecidePage {
    layout: Layout,
    errors: FormErrors,
    note: String,
    a: ApplicationView,
    vouches: VouchSummary,
}

pub async fn application(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let application = service::application(&state, &ctx, &id).await?;
    Ok(DecidePage {
        layout: ctx.layout(format!("Application from {}", application.applicant_name)),
        errors: FormErrors::none(),
        note: String::new(),
        vouches: crate::trust::service::vouches_for_applicant(&state, &ctx, &application).await?,
        a: view(&application),
    }
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecideForm {
    decision: String,
    note: String,
}

pub async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<DecideForm>,
) -> AppResult<Response> {
    match service::decide(&state, &ctx, &id, &form.decision, &form.note).await {
        Ok(application) => Ok(Redirect::to(if application.status == ApplicationStatus::Approved {
            "/admin/applications?done=approved"
        } else {
            "/admin/applications?done=declined"
        })
        .into_response()),
        Err(AppError::Invalid(fields)) => {
            let application = service::application(&state, &ctx, &id).await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                DecidePage {
                    layout: ctx.layout("Application"),
                    errors: fields.into(),
                    note: form.note.clone(),
                    vouches: crate::trust::service::vouches_for_applicant(&state, &ctx, &application).await?,
                    a: view(&application),
                },
            )
                .into_response())
        }
        Err(err) => Err(err),
    }
}

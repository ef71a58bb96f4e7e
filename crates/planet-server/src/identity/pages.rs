//! Pages for setup, logging in and out, passwords, and one's own account.

use super::service::{self, SetupInput};
use super::session::{Ctx, clear_session_cookie, session_cookie};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::forms::{FormErrors, form_again};
use crate::web::layout::Layout;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use planet_domain::policy::Action;
use planet_store::queries::accounts;
use serde::Deserialize;
use std::net::SocketAddr;

fn signed_in(token: &str, state: &AppState, to: &str) -> Response {
    ([(header::SET_COOKIE, session_cookie(token, state))], Redirect::to(to)).into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "identity/setup.html")]
struct SetupPage {
    layout: Layout,
    errors: FormErrors,
    community_name: String,
    name: String,
    email: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SetupForm {
    community_name: String,
    name: String,
    email: String,
    password: String,
    password_again: String,
}

fn setup_layout() -> Layout {
    Layout {
        community: "PlaNet".to_owned(),
        title: "Set up your community".to_owned(),
        nav: Default::default(),
        flash: None,
    }
}

pub async fn setup_form(State(state): State<AppState>) -> Response {
    if state.is_set_up() {
        return Redirect::to("/").into_response();
    }
    SetupPage {
        layout: setup_layout(),
        errors: FormErrors::none(),
        community_name: String::new(),
        name: String::new(),
        email: String::new(),
    }
    .into_response()
}

pub async fn setup(State(state): State<AppState>, Form(form): Form<SetupForm>) -> AppResult<Response> {
    let input = SetupInput {
        community_name: &form.community_name,
        name: &form.name,
        email: &form.email,
        password: &form.password,
        password_again: &form.password_again,
    };
    match service::set_up(&state, input).await {
        Ok(token) => Ok(signed_in(&token, &state, "/")),
        Err(err) => form_again(err, |errors| SetupPage {
            layout: setup_layout(),
            errors,
            community_name: form.community_name.clone(),
            name: form.name.clone(),
            email: form.email.clone(),
        }),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "identity/login.html")]
struct LoginPage {
    layout: Layout,
    errors: FormErrors,
    email: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    email: String,
    password: String,
}

pub async fn login_form(ctx: Ctx) -> Response {
    if ctx.member.is_some() {
        return Redirect::to("/").into_response();
    }
    LoginPage { layout: ctx.layout("Log in"), errors: FormErrors::none(), email: String::new() }.into_response()
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ctx: Ctx,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    match service::log_in(&state, &form.email, &form.password, &peer.ip().to_string()).await {
        Ok(token) => {
            if let Some(old) = &ctx.session {
                accounts::delete_session(state.db(), old).await?;
                state.changed();
            }
            Ok(signed_in(&token, &state, "/"))
        }
        Err(err) => {
            form_again(err, |errors| LoginPage { layout: ctx.layout("Log in"), errors, email: form.email.clone() })
        }
    }
}

pub async fn logout(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    service::log_out(&state, &ctx).await?;
    Ok(([(header::SET_COOKIE, clear_session_cookie())], Redirect::to("/login?done=loggedout")).into_response())
}

pub async fn logout_everywhere(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    service::log_out_everywhere(&state, &ctx).await?;
    Ok(([(header::SET_COOKIE, clear_session_cookie())], Redirect::to("/login?done=everywhere")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "identity/forgot.html")]
struct ForgotPage {
    layout: Layout,
    errors: FormErrors,
    email: String,
    sent: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ForgotForm {
    email: String,
}

pub async fn forgot_form(ctx: Ctx) -> Response {
    ForgotPage {
        layout: ctx.layout("Forgotten password"),
        errors: FormErrors::none(),
        email: String::new(),
        sent: false,
    }
    .into_response()
}

pub async fn forgot(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ctx: Ctx,
    Form(form): Form<ForgotForm>,
) -> AppResult<Response> {
    match service::request_reset(&state, &form.email, &peer.ip().to_string()).await {
        Ok(()) => Ok(ForgotPage {
            layout: ctx.layout("Check your email"),
            errors: FormErrors::none(),
            email: String::new(),
            sent: true,
        }
        .into_response()),
        Err(err) => form_again(err, |errors| ForgotPage {
            layout: ctx.layout("Forgotten password"),
            errors,
            email: form.email.clone(),
            sent: false,
        }),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "identity/reset.html")]
struct ResetPage {
    layout: Layout,
    errors: FormErrors,
    token: String,
    live: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResetForm {
    password: String,
    password_again: String,
}

fn safe_token(token: &str) -> String {
    token.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').take(64).collect()
}

pub async fn reset_form(State(state): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> AppResult<Response> {
    let token = safe_token(&token);
    let live = service::reset_link_is_live(&state, &token).await?;
    let status = if live { StatusCode::OK } else { StatusCode::GONE };
    Ok((status, ResetPage { layout: ctx.layout("Choose a new password"), errors: FormErrors::none(), token, live })
        .into_response())
}

pub async fn reset(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(form): Form<ResetForm>,
) -> AppResult<Response> {
    let token = safe_token(&token);
    match service::reset_password(&state, &token, &form.password, &form.password_again, &peer.ip().to_string()).await {
        Ok(()) => {
            Ok(([(header::SET_COOKIE, clear_session_cookie())], Redirect::to("/login?done=password")).into_response())
        }
        Err(AppError::Refused { .. }) => Ok((
            StatusCode::GONE,
            ResetPage { layout: ctx.layout("Link expired"), errors: FormErrors::none(), token, live: false },
        )
            .into_response()),
        Err(err) => form_again(err, |errors| ResetPage {
            layout: ctx.layout("Choose a new password"),
            errors,
            token: token.clone(),
            live: true,
        }),
    }
}

pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub created: String,
    pub last_used: String,
    pub revoked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "identity/settings.html")]
struct SettingsPage {
    layout: Layout,
    name: String,
    email: String,
    steward: bool,
    sessions: u64,
    errors: FormErrors,
    token_errors: FormErrors,
    token_name: String,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
}

async fn settings_page(
    state: &AppState,
    ctx: &Ctx,
    errors: FormErrors,
    token_errors: FormErrors,
    token_name: String,
    new_token: Option<String>,
) -> AppResult<SettingsPage> {
    ctx.require(Action::ManageOwnAccount)?;
    let member = ctx.member()?;
    let tokens = service::tokens(state, ctx)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id.to_string(),
            name: t.name,
            created: t.created_at.format("%-d %B %Y").to_string(),
            last_used: t.last_used_at.map(|d| d.format("%-d %B %Y").to_string()).unwrap_or_else(|| "Never".to_owned()),
            revoked: t.revoked_at.is_some(),
        })
        .collect();
    Ok(SettingsPage {
        layout: ctx.layout("Your account"),
        name: member.name.clone(),
        email: member.email.clone(),
        steward: member.steward,
        sessions: accounts::count_member_sessions(state.db(), member.id, state.now()).await?,
        errors,
        token_errors,
        token_name,
        tokens,
        new_token,
    })
}

pub async fn settings(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    Ok(settings_page(&state, &ctx, FormErrors::none(), FormErrors::none(), String::new(), None).await?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    new_password_again: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    match service::change_password(&state, &ctx, &form.current_password, &form.new_password, &form.new_password_again)
        .await
    {
        Ok(()) => {
            Ok(([(header::SET_COOKIE, clear_session_cookie())], Redirect::to("/login?done=password")).into_response())
        }
        Err(AppError::Invalid(fields)) => {
            let page = settings_page(&state, &ctx, fields.into(), FormErrors::none(), String::new(), None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(err) => Err(err),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    name: String,
}

pub async fn create_token(State(state): State<AppState>, ctx: Ctx, Form(form): Form<TokenForm>) -> AppResult<Response> {
    match service::create_token(&state, &ctx, &form.name).await {
        Ok((_, secret)) => {
            Ok(settings_page(&state, &ctx, FormErrors::none(), FormErrors::none(), String::new(), Some(secret))
                .await?
                .into_response())
        }
        Err(AppError::Invalid(fields)) => {
            let page = settings_page(&state, &ctx, FormErrors::none(), fields.into(), form.name.clone(), None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(err) => Err(err),
    }
}

pub async fn revoke_token(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    service::revoke_token(&state, &ctx, &id).await?;
    Ok(Redirect::to("/settings?done=revoked").into_response())
}

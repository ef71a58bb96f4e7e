//! The code of conduct for members, and the stewards' page that writes it.

use super::service;
use crate::error::{AppError, AppResult};
use crate::identity::session::Ctx;
use crate::state::AppState;
use crate::talk::pages::when;
use crate::web::forms::FormErrors;
use crate::web::layout::Layout;
use crate::web::markdown;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "conduct/show.html")]
struct ShowPage {
    layout: Layout,
    html: String,
    version: i32,
    accepted: bool,
    steward: bool,
}

pub async fn show(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let (version, body, accepted) = service::read(&state, &ctx).await?;
    Ok(ShowPage {
        layout: ctx.layout("Our code of conduct"),
        html: markdown::render(&body),
        version,
        accepted: accepted.is_some_and(|v| v >= version),
        steward: ctx.actor.is_steward(),
    }
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AcceptForm {
    version: String,
}

pub async fn accept(State(state): State<AppState>, ctx: Ctx, Form(form): Form<AcceptForm>) -> AppResult<Response> {
    service::accept(&state, &ctx, &form.version).await?;
    Ok(Redirect::to("/code-of-conduct?done=conduct_accepted").into_response())
}

pub struct VersionView {
    version: i32,
    by: String,
    when: String,
    html: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "conduct/edit.html")]
struct EditPage {
    layout: Layout,
    errors: FormErrors,
    body: String,
    versions: Vec<VersionView>,
}

async fn edit_page(state: &AppState, ctx: &Ctx, errors: FormErrors, body: Option<String>) -> AppResult<EditPage> {
    let versions = service::history(state, ctx).await?;
    let body = match body {
        Some(body) => body,
        None => service::current(state.db()).await?.1,
    };
    Ok(EditPage {
        layout: ctx.layout("The code of conduct"),
        errors,
        body,
        versions: versions
            .into_iter()
            .map(|v| VersionView {
                version: v.version,
                by: v.written_by_name,
                when: when(v.created_at),
                html: markdown::render(&v.body),
            })
            .collect(),
    })
}

pub async fn edit_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    Ok(edit_page(&state, &ctx, FormErrors::none(), None).await?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConductForm {
    body: String,
}

pub async fn save(State(state): State<AppState>, ctx: Ctx, Form(form): Form<ConductForm>) -> AppResult<Response> {
    match service::write(&state, &ctx, &form.body).await {
        Ok(_) => Ok(Redirect::to("/admin/code-of-conduct?done=conduct_saved").into_response()),
        Err(AppError::Invalid(fields)) => {
            let page = edit_page(&state, &ctx, fields.into(), Some(form.body)).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(err) => Err(err),
    }
}

//! The OpenAPI document at `/api/v1/openapi.json`.

use axum::Json;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "PlaNet API", description = "The JSON API of a PlaNet community. Authenticate with a personal access token (Authorization: Bearer ...) made in your account settings."),
    paths(
        crate::identity::api::me,
        crate::spaces::api::list,
        crate::spaces::api::get,
        crate::spaces::api::create,
        crate::spaces::api::join,
        crate::spaces::api::request,
        crate::spaces::api::leave,
        crate::spaces::api::members,
        crate::admission::api::list,
        crate::admission::api::create,
        crate::people::api::search,
        crate::people::api::get,
        crate::people::api::connections,
        crate::people::api::badges,
        crate::people::api::edit,
        crate::people::api::create,
        crate::people::api::values,
        crate::trust::api::mine,
        crate::trust::api::make,
        crate::trust::api::withdraw,
        crate::trust::api::renew,
        crate::talk::api::topics,
        crate::talk::api::start,
        crate::talk::api::messages,
        crate::talk::api::post,
        crate::talk::api::read,
        crate::talk::api::edit,
        crate::talk::api::delete,
        crate::talk::api::react,
        crate::talk::api::report,
        crate::talk::api::follow_topic,
        crate::talk::api::follow_space,
        crate::talk::api::search,
        crate::talk::conversation::api::list,
        crate::talk::conversation::api::start,
        crate::talk::conversation::api::add,
        crate::talk::conversation::api::leave,
        crate::synergy::api::browse,
        crate::synergy::api::categories,
        crate::synergy::api::get,
        crate::synergy::api::create,
        crate::synergy::api::edit,
        crate::synergy::api::interest,
        crate::synergy::api::promise,
        crate::synergy::api::done,
        crate::synergy::api::fell_through,
        crate::synergy::api::withdraw,
        crate::synergy::api::repost,
        crate::synergy::api::report,
        crate::synergy::api::feedback,
        crate::ledger::api::currencies,
        crate::ledger::api::accounts,
        crate::ledger::api::statement,
        crate::ledger::api::limits,
        crate::ledger::api::settings,
        crate::ledger::api::start,
        crate::ledger::api::get,
        crate::ledger::api::accept,
        crate::ledger::api::decline,
        crate::ledger::api::cancel,
        crate::ledger::api::reverse,
        crate::decide::api::list,
        crate::decide::api::create,
        crate::decide::api::get,
        crate::decide::api::vote,
        crate::decide::api::close,
        crate::decide::api::extend,
        crate::decide::api::reopen,
        crate::decide::api::outcome,
        crate::notify::api::list,
        crate::notify::api::mark_read,
        crate::notify::api::mark_all_read,
    ),
    modifiers(&TokenAuth),
)]
pub struct ApiDoc;

struct TokenAuth;

impl Modify for TokenAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme("token", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
        }
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

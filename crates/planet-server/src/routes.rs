//! Every route, registered through one book so the authorization matrix test can walk them
//! all: a route added here without a matrix entry fails that test.

use crate::state::AppState;
use crate::{
    admission, conduct, decide, home, identity, ledger, notify, openapi, ops, people, spaces, synergy, talk, trust, web,
};
use axum::Router;
use axum::handler::Handler;
use axum::routing::{MethodRouter, get, post};

/// One route: its method and path template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteEntry {
    pub method: &'static str,
    pub path: &'static str,
}

struct RouteBook {
    router: Router<AppState>,
    entries: Vec<RouteEntry>,
}

impl RouteBook {
    fn new() -> Self {
        Self { router: Router::new(), entries: Vec::new() }
    }

    fn add(mut self, method: &'static str, path: &'static str, route: MethodRouter<AppState>) -> Self {
        self.entries.push(RouteEntry { method, path });
        self.router = self.router.route(path, route);
        self
    }

    fn get<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("GET", path, get(handler))
    }

    fn post<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("POST", path, post(handler))
    }

    /// A POST that may carry an upload larger than the usual body limit.
    fn post_upload<H, T>(self, path: &'static str, handler: H, limit: usize) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("POST", path, post(handler).layer(axum::extract::DefaultBodyLimit::max(limit)))
    }
}

fn book() -> RouteBook {
    let mut book = RouteBook::new()
        // Health and assets.
        .get("/healthz", ops::pages::healthz)
        .get("/assets/{*path}", web::assets::serve)
        // Setup and identity.
        .get("/setup", identity::pages::setup_form)
        .post("/setup", identity::pages::setup)
        .get("/login", identity::pages::login_form)
        .post("/login", identity::pages::login)
        .post("/logout", identity::pages::logout)
        .post("/logout-everywhere", identity::pages::logout_everywhere)
        .get("/forgot-password", identity::pages::forgot_form)
        .post("/forgot-password", identity::pages::forgot)
        .get("/reset-password/{token}", identity::pages::reset_form)
        .post("/reset-password/{token}", identity::pages::reset)
        .get("/settings", identity::pages::settings)
        .post("/settings/password", identity::pages::change_password)
        .post("/settings/tokens", identity::pages::create_token)
        .post("/settings/tokens/{id}/revoke", identity::pages::revoke_token)
        // Admission.
        .get("/invitations", admission::pages::invitations)
        .post("/invitations", admission::pages::invite)
        .post("/invitations/{id}/withdraw", admission::pages::withdraw)
        .get("/join/{token}", admission::pages::join_form)
        .post("/join/{token}", admission::pages::join)
        .get("/application", admission::pages::own_application)
        .get("/admin/applications", admission::pages::applications)
        .get("/admin/applications/{id}", admission::pages::application)
        .post("/admin/applications/{id}/decide", admission::pages::decide)
        // Home and the five areas.
        .get("/", home::pages::home);
    for path in home::pages::AREA_PATHS {
        book = book.get(path, home::pages::area);
    }
    book
        // Spaces.
        .get("/spaces", spaces::pages::list)
        .post("/spaces", spaces::pages::create)
        .get("/spaces/new", spaces::pages::new_form)
        .get("/spaces/{id}", spaces::pages::show)
        .get("/spaces/{id}/edit", spaces::pages::edit_form)
        .post("/spaces/{id}/edit", spaces::pages::edit)
        .post("/spaces/{id}/join", spaces::pages::join)
        .post("/spaces/{id}/request", spaces::pages::request)
        .post("/spaces/{id}/leave", spaces::pages::leave)
        .post("/spaces/{id}/decline-invitation", spaces::pages::decline_invitation)
        .get("/spaces/{id}/requests", spaces::pages::requests)
        .post("/spaces/{id}/requests/{member}", spaces::pages::decide_request)
        .post("/spaces/{id}/invite", spaces::pages::invite)
        .post("/spaces/{id}/members/{member}/role", spaces::pages::set_role)
        .get("/spaces/{id}/badges", people::pages::space_badges)
        .post("/spaces/{id}/badges", people::pages::create_badge)
        // Talk.
        .get("/spaces/{id}/topics", talk::pages::topics)
        .post_upload("/spaces/{id}/topics", talk::pages::create_topic, talk::pictures::MAX_BODY)
        .get("/spaces/{id}/moderation", talk::moderation::pages::queue)
        .post("/spaces/{id}/moderation/members", talk::moderation::pages::moderate_member)
        .post("/spaces/{id}/moderation/settings", talk::moderation::pages::save_rules)
        .get("/spaces/{id}/moderation-log", talk::moderation::pages::log)
        .get("/topics/{id}", talk::pages::topic)
        .post_upload("/topics/{id}/messages", talk::pages::post, talk::pictures::MAX_BODY)
        .get("/images/{id}", talk::pictures::image)
        .post("/topics/{id}/moderate", talk::moderation::pages::moderate_topic)
        .get("/topics/{id}/live", talk::live::socket)
        .post("/topics/{id}/follow", talk::follow::pages::follow_topic)
        .post("/spaces/{id}/follow", talk::follow::pages::follow_space)
        .get("/talk", talk::follow::pages::whats_new)
        .get("/talk/search", talk::search::pages::search)
        .get("/conversations", talk::conversation::pages::list)
        .post("/conversations", talk::conversation::pages::start)
        .get("/conversations/new", talk::conversation::pages::new_form)
        .get("/conversations/{id}/people", talk::conversation::pages::people)
        .post("/conversations/{id}/people", talk::conversation::pages::add)
        .post("/conversations/{id}/leave", talk::conversation::pages::leave)
        // Synergy.
        .get("/synergy", synergy::pages::browse)
        .get("/synergy/mine", synergy::pages::mine)
        .get("/synergy/new", synergy::pages::new_form)
        .get("/synergy/reported", synergy::pages::reported)
        .post_upload("/synergy/listings", synergy::pages::create, synergy::input::MAX_BODY)
        .get("/synergy/listings/{id}", synergy::pages::show)
        .get("/synergy/listings/{id}/edit", synergy::pages::edit_form)
        .post_upload("/synergy/listings/{id}/edit", synergy::pages::edit, synergy::input::MAX_BODY)
        .post("/synergy/listings/{id}/interest", synergy::pages::interested)
        .post("/synergy/listings/{id}/promise", synergy::pages::promise)
        .post("/synergy/listings/{id}/done", synergy::pages::complete)
        .post("/synergy/listings/{id}/fell-through", synergy::pages::fall_through)
        .post("/synergy/listings/{id}/withdraw", synergy::pages::withdraw)
        .post("/synergy/listings/{id}/repost", synergy::pages::repost)
        .get("/synergy/listings/{id}/report", synergy::pages::report_form)
        .post("/synergy/listings/{id}/report", synergy::pages::report)
        .post("/synergy/listings/{id}/moderate", synergy::pages::moderate)
        .post("/synergy/deals/{id}/feedback", synergy::pages::feedback)
        .get("/synergy/photos/{id}", synergy::pages::photo)
        .get("/synergy/searches", synergy::pages::searches)
        .post("/synergy/searches", synergy::pages::save_search)
        .post("/synergy/searches/{id}/delete", synergy::pages::delete_search)
        .get("/synergy/feeds", synergy::pages::feeds)
        .post("/synergy/feeds", synergy::pages::new_feed_link)
        .post("/synergy/feeds/revoke", synergy::pages::revoke_feed_link)
        .get("/feeds/{token}/spaces/{id}/offers", synergy::pages::feed)
        .get("/notifications", notify::pages::list)
        .post("/notifications/read", notify::pages::mark_all_read)
        .post("/notifications/{id}/read", notify::pages::mark_read)
        .get("/notifications/settings", notify::pages::settings)
        .post("/notifications/settings", notify::pages::save_settings)
        .get("/notifications/live", notify::bell::socket)
        .get("/messages/{id}/edit", talk::pages::edit_form)
        .post("/messages/{id}/edit", talk::pages::edit)
        .post("/messages/{id}/delete", talk::pages::delete)
        .post("/messages/{id}/react", talk::pages::react)
        .get("/messages/{id}/report", talk::pages::report_form)
        .post("/messages/{id}/report", talk::pages::report)
        .post("/messages/{id}/moderate", talk::moderation::pages::moderate_message)
        .get("/messages/{id}/history", talk::moderation::pages::history)
        // Who We Are.
        .get("/who-we-are", people::pages::directory)
        .get("/who-we-are/print", people::pages::print)
        .get("/people/me", people::pages::me)
        .get("/people/new", people::pages::new_form)
        .post("/people", people::pages::create)
        .get("/people/{id}", people::pages::show)
        .get("/people/{id}/edit", people::pages::edit_form)
        .post("/people/{id}/edit", people::pages::edit)
        .post("/people/{id}/managers", people::pages::add_manager)
        .post("/people/{id}/managers/{member}/remove", people::pages::remove_manager)
        .post("/people/{id}/statements", people::pages::make_statement)
        .post_upload("/people/{id}/photo", people::pages::upload_photo, people::photos::MAX_UPLOAD + 64 * 1024)
        .post("/people/{id}/photo/remove", people::pages::remove_photo)
        .get("/photos/{id}/{size}", people::pages::photo)
        .post("/people/{id}/badges", people::pages::award_badge)
        .post("/people/{id}/badges/{badge}/withdraw", people::pages::withdraw_badge)
        .get("/commons", decide::pages::commons)
        .get("/spaces/{id}/polls", decide::pages::space_polls)
        .post("/spaces/{id}/polls", decide::new_pages::create)
        .get("/spaces/{id}/polls/new", decide::new_pages::new_poll)
        .get("/polls/{id}", decide::pages::poll)
        .post("/polls/{id}/vote", decide::pages::vote)
        .post("/polls/{id}/close", decide::pages::close)
        .post("/polls/{id}/extend", decide::pages::extend)
        .post("/polls/{id}/reopen", decide::pages::reopen)
        .post("/polls/{id}/outcome", decide::pages::outcome)
        .get("/polls/{id}/results.csv", decide::pages::results_csv)
        .get("/polls/{id}/votes.csv", decide::pages::votes_csv)
        .get("/polls/{id}/meeting.ics", decide::pages::meeting_ics)
        .get("/accounts", ledger::pages::overview)
        .get("/accounts/{id}", ledger::statement_pages::statement)
        .get("/accounts/chain", ledger::statement_pages::chain)
        .get("/fund", ledger::statement_pages::fund)
        .post("/accounts/{id}/settings", ledger::pages::settings)
        .post("/accounts/{id}/limits", ledger::statement_pages::account_limits)
        .get("/accounts/{id}/statement.csv", ledger::statement_pages::statement_csv)
        .get("/pay", ledger::pages::pay_form)
        .post("/pay", ledger::pages::pay_check)
        .post("/pay/confirm", ledger::pages::pay_confirm)
        .get("/accounts/request", ledger::pages::request_form)
        .post("/accounts/request", ledger::pages::request_check)
        .post("/accounts/request/confirm", ledger::pages::request_confirm)
        .get("/accounts/transfers/{id}", ledger::pages::transfer)
        .post("/accounts/transfers/{id}/accept", ledger::pages::accept)
        .post("/accounts/transfers/{id}/decline", ledger::pages::decline)
        .post("/accounts/transfers/{id}/cancel", ledger::pages::cancel)
        .post("/accounts/transfers/{id}/reverse", ledger::pages::reverse)
        .get("/trust", trust::pages::mine)
        .post("/trust/statements/{id}/withdraw", trust::pages::withdraw)
        .post("/trust/statements/{id}/renew", trust::pages::renew)
        // Stewards.
        .get("/admin", ops::pages::admin)
        .get("/admin/admission-rule", admission::pages::rule_form)
        .post("/admin/admission-rule", admission::pages::save_rule)
        .get("/admin/members", ops::pages::members)
        .post("/admin/members/{id}/suspend", ops::pages::suspend)
        .post("/admin/members/{id}/restore", ops::pages::restore)
        .post("/admin/members/{id}/steward", ops::pages::set_steward)
        .get("/admin/members/{id}/remove", ops::pages::remove_form)
        .post("/admin/members/{id}/remove", ops::pages::remove)
        .get("/admin/review", ops::pages::review)
        .get("/code-of-conduct", conduct::pages::show)
        .post("/code-of-conduct/accept", conduct::pages::accept)
        .post("/people/{id}/block", people::blocks::block)
        .post("/people/{id}/unblock", people::blocks::unblock)
        .get("/settings/blocked", people::blocks::list)
        .get("/admin/code-of-conduct", conduct::pages::edit_form)
        .post("/admin/code-of-conduct", conduct::pages::save)
        .get("/admin/values", people::pages::values)
        .post("/admin/values", people::pages::add_value)
        .post("/admin/values/{id}/retire", people::pages::retire_value)
        .get("/admin/listing-categories", synergy::pages::categories)
        .post("/admin/listing-categories", synergy::pages::add_category)
        .post("/admin/listing-categories/{id}", synergy::pages::change_category)
        .get("/admin/currencies", ledger::steward_pages::currencies)
        .get("/admin/corrections", ledger::steward_pages::corrections)
        .post("/admin/corrections", ledger::steward_pages::propose_correction)
        .post("/admin/currencies", ledger::steward_pages::create_currency)
        .post("/admin/currencies/{id}", ledger::steward_pages::change_currency)
        .get("/admin/outbox", ops::pages::outbox)
        .get("/admin/outbox/{id}", ops::pages::outbox_message)
        .get("/admin/audit", ops::pages::audit)
        // JSON API.
        .get("/api/v1/openapi.json", openapi::document)
        .get("/api/v1/me", identity::api::me)
        .get("/api/v1/spaces", spaces::api::list)
        .post("/api/v1/spaces", spaces::api::create)
        .get("/api/v1/spaces/{id}", spaces::api::get)
        .post("/api/v1/spaces/{id}/join", spaces::api::join)
        .post("/api/v1/spaces/{id}/requests", spaces::api::request)
        .post("/api/v1/spaces/{id}/leave", spaces::api::leave)
        .get("/api/v1/spaces/{id}/members", spaces::api::members)
        .get("/api/v1/invitations", admission::api::list)
        .post("/api/v1/invitations", admission::api::create)
        .get("/api/v1/people", people::api::search)
        .post("/api/v1/people", people::api::create)
        .get("/api/v1/people/{id}", people::api::get)
        .post("/api/v1/people/{id}", people::api::edit)
        .get("/api/v1/people/{id}/connections", people::api::connections)
        .post("/api/v1/people/{id}/statements", trust::api::make)
        .get("/api/v1/people/{id}/badges", people::api::badges)
        .get("/api/v1/values", people::api::values)
        .get("/api/v1/trust", trust::api::mine)
        .post("/api/v1/trust/{id}/withdraw", trust::api::withdraw)
        .post("/api/v1/trust/{id}/renew", trust::api::renew)
        .get("/api/v1/spaces/{id}/topics", talk::api::topics)
        .post("/api/v1/spaces/{id}/topics", talk::api::start)
        .get("/api/v1/topics/{id}/messages", talk::api::messages)
        .post("/api/v1/topics/{id}/messages", talk::api::post)
        .post("/api/v1/topics/{id}/read", talk::api::read)
        .post("/api/v1/messages/{id}", talk::api::edit)
        .post("/api/v1/messages/{id}/delete", talk::api::delete)
        .post("/api/v1/messages/{id}/reactions", talk::api::react)
        .post("/api/v1/messages/{id}/report", talk::api::report)
        .post("/api/v1/topics/{id}/follow", talk::api::follow_topic)
        .get("/api/v1/talk/search", talk::api::search)
        .get("/api/v1/listings", synergy::api::browse)
        .post("/api/v1/listings", synergy::api::create)
        .get("/api/v1/listing-categories", synergy::api::categories)
        .get("/api/v1/listings/{id}", synergy::api::get)
        .post("/api/v1/listings/{id}", synergy::api::edit)
        .post("/api/v1/listings/{id}/interest", synergy::api::interest)
        .post("/api/v1/listings/{id}/promise", synergy::api::promise)
        .post("/api/v1/listings/{id}/done", synergy::api::done)
        .post("/api/v1/listings/{id}/fell-through", synergy::api::fell_through)
        .post("/api/v1/listings/{id}/withdraw", synergy::api::withdraw)
        .post("/api/v1/listings/{id}/repost", synergy::api::repost)
        .post("/api/v1/listings/{id}/report", synergy::api::report)
        .post("/api/v1/deals/{id}/feedback", synergy::api::feedback)
        .get("/api/v1/spaces/{id}/polls", decide::api::list)
        .post("/api/v1/spaces/{id}/polls", decide::api::create)
        .get("/api/v1/polls/{id}", decide::api::get)
        .post("/api/v1/polls/{id}/vote", decide::api::vote)
        .post("/api/v1/polls/{id}/close", decide::api::close)
        .post("/api/v1/polls/{id}/extend", decide::api::extend)
        .post("/api/v1/polls/{id}/reopen", decide::api::reopen)
        .post("/api/v1/polls/{id}/outcome", decide::api::outcome)
        .get("/api/v1/currencies", ledger::api::currencies)
        .get("/api/v1/accounts", ledger::api::accounts)
        .get("/api/v1/accounts/{id}/statement", ledger::api::statement)
        .post("/api/v1/accounts/{id}/limits", ledger::api::limits)
        .post("/api/v1/accounts/{id}/settings", ledger::api::settings)
        .post("/api/v1/transfers", ledger::api::start)
        .get("/api/v1/transfers/{id}", ledger::api::get)
        .post("/api/v1/transfers/{id}/accept", ledger::api::accept)
        .post("/api/v1/transfers/{id}/decline", ledger::api::decline)
        .post("/api/v1/transfers/{id}/cancel", ledger::api::cancel)
        .post("/api/v1/transfers/{id}/reverse", ledger::api::reverse)
        .get("/api/v1/conversations", talk::conversation::api::list)
        .post("/api/v1/conversations", talk::conversation::api::start)
        .post("/api/v1/conversations/{id}/people", talk::conversation::api::add)
        .post("/api/v1/conversations/{id}/leave", talk::conversation::api::leave)
        .post("/api/v1/spaces/{id}/follow", talk::api::follow_space)
        .get("/api/v1/notifications", notify::api::list)
        .post("/api/v1/notifications/read", notify::api::mark_all_read)
        .post("/api/v1/notifications/{id}/read", notify::api::mark_read)
}

/// Every route the server answers.
pub fn route_table() -> Vec<RouteEntry> {
    book().entries
}

pub(crate) fn router() -> Router<AppState> {
    book().router
}

//! Logging in and out, passwords, sessions and API tokens.

use crate::helpers::{PASSWORD, api_token_in, link_in, location, spawn_app};
use chrono::Duration;
use planet_domain::space::AccountStatus;

#[tokio::test]
async fn unknown_and_known_accounts_get_the_same_answer() {
    let app = spawn_app().await;
    app.set_up().await;
    let visitor = app.browser();
    let (status_wrong, wrong) =
        visitor.post_text("/login", &[("email", "margaret@diss.example"), ("password", "not the password")]).await;
    let (status_unknown, unknown) =
        visitor.post_text("/login", &[("email", "nobody@diss.example"), ("password", "not the password")]).await;
    assert_eq!((status_wrong, status_unknown), (422, 422));
    assert!(wrong.contains("The email address or the password is not right"));
    assert_eq!(wrong.replace("margaret@diss.example", "X"), unknown.replace("nobody@diss.example", "X"));
    // Forgot password: the same page whether or not the account exists; only real ones get mail.
    let (_, known) = visitor.post_text("/forgot-password", &[("email", "margaret@diss.example")]).await;
    let (_, unknown) = visitor.post_text("/forgot-password", &[("email", "nobody@diss.example")]).await;
    assert_eq!(known, unknown);
    assert!(known.contains("If there is an account for that address"));
    assert!(app.outbox().await.iter().all(|m| m.to_address != "nobody@diss.example"));
}

#[tokio::test]
async fn logging_in_is_rate_limited() {
    let app = spawn_app().await;
    app.set_up().await;
    let visitor = app.browser();
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let (status, _) =
            visitor.post_text("/login", &[("email", "margaret@diss.example"), ("password", "guess guess guess")]).await;
        statuses.push(status);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 422).count(), 10, "{statuses:?}");
    assert_eq!(*statuses.last().unwrap(), 429);
}

#[tokio::test]
async fn password_reset_works_once_and_ends_other_sessions() {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    app.browser().post("/forgot-password", &[("email", "Margaret@Diss.example")]).await;
    let email = app.last_email_to("margaret@diss.example").await;
    let link = link_in(&email.body, "http://");
    let path = link[link.find("/reset-password/").unwrap()..].to_owned();
    let visitor = app.browser();
    assert_eq!(visitor.get(&path).await.status().as_u16(), 200);
    // Mismatched passwords change nothing and keep the link alive.
    let (status, page) =
        visitor.post_text(&path, &[("password", "a brand new password"), ("password_again", "something else")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("not the same"));
    let done =
        visitor.post(&path, &[("password", "a brand new password"), ("password_again", "a brand new password")]).await;
    assert_eq!(location(&done), "/login?done=password");
    // The old session is gone, the old password no longer works, the link is used up.
    assert_eq!(location(&steward.get("/").await), "/login");
    assert_eq!(
        visitor.post("/login", &[("email", "margaret@diss.example"), ("password", PASSWORD)]).await.status().as_u16(),
        422
    );
    app.log_in("margaret@diss.example", "a brand new password").await;
    assert_eq!(visitor.get(&path).await.status().as_u16(), 410);
}

#[tokio::test]
async fn reset_links_expire() {
    let app = spawn_app().await;
    app.set_up().await;
    app.browser().post("/forgot-password", &[("email", "margaret@diss.example")]).await;
    let link = link_in(&app.last_email_to("margaret@diss.example").await.body, "http://");
    let path = link[link.find("/reset-password/").unwrap()..].to_owned();
    app.clock.advance(Duration::hours(3));
    let visitor = app.browser();
    assert_eq!(visitor.get(&path).await.status().as_u16(), 410);
    let (status, _) = visitor
        .post_text(&path, &[("password", "a brand new password"), ("password_again", "a brand new password")])
        .await;
    assert_eq!(status, 410);
}

#[tokio::test]
async fn log_out_and_log_out_everywhere() {
    let app = spawn_app().await;
    app.set_up().await;
    let phone = app.log_in("margaret@diss.example", PASSWORD).await;
    let laptop = app.log_in("margaret@diss.example", PASSWORD).await;
    let (_, settings) = laptop.get_text("/settings").await;
    assert!(settings.contains("logged in on 3 devices"), "{settings}");
    assert_eq!(location(&phone.post("/logout", &[]).await), "/login?done=loggedout");
    assert_eq!(location(&phone.get("/").await), "/login");
    assert_eq!(laptop.get("/").await.status().as_u16(), 200);
    let other = app.log_in("margaret@diss.example", PASSWORD).await;
    assert_eq!(location(&laptop.post("/logout-everywhere", &[]).await), "/login?done=everywhere");
    assert_eq!(location(&laptop.get("/").await), "/login");
    assert_eq!(location(&other.get("/").await), "/login");
}

#[tokio::test]
async fn sessions_expire_when_unused() {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    app.clock.advance(Duration::days(29));
    assert_eq!(steward.get("/").await.status().as_u16(), 200, "still alive, and slid forward");
    app.clock.advance(Duration::days(29));
    assert_eq!(steward.get("/").await.status().as_u16(), 200);
    app.clock.advance(Duration::days(31));
    assert_eq!(location(&steward.get("/").await), "/login");
}

#[tokio::test]
async fn api_tokens_work_until_revoked() {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    let (status, page) = steward.post_text("/settings/tokens", &[("name", "calendar script")]).await;
    assert_eq!(status, 200);
    let token = api_token_in(&page);
    let api = reqwest::Client::new();
    let me: serde_json::Value =
        api.get(format!("{}/api/v1/me", app.base)).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["name"], "Margaret Thompson");
    assert_eq!(me["steward"], true);
    let spaces: serde_json::Value =
        api.get(format!("{}/api/v1/spaces", app.base)).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(spaces[0]["name"], "PlaNet Diss");
    let (_, settings) = steward.get_text("/settings").await;
    let revoke = link_in(&settings, "/settings/tokens/");
    let revoke = revoke.trim_end_matches('"');
    assert_eq!(location(&steward.post(revoke, &[]).await), "/settings?done=revoked");
    let refused = api.get(format!("{}/api/v1/me", app.base)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_token");
}

#[tokio::test]
async fn a_suspended_member_is_shut_out_at_once() {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    let bob_id = app.add_account("Bob Cooper", "bob@diss.example", AccountStatus::Member, false).await;
    let bob = app.log_in("bob@diss.example", PASSWORD).await;
    let old_cookie_session = app.session_for(bob_id).await;
    assert_eq!(bob.get("/").await.status().as_u16(), 200);
    let done = steward.post(&format!("/admin/members/{bob_id}/suspend"), &[]).await;
    assert_eq!(location(&done), "/admin/members?done=suspended");
    assert_eq!(location(&bob.get("/").await), "/login");
    assert_eq!(location(&old_cookie_session.get("/").await), "/login");
    // Even a session that somehow survived gets nothing but a plain explanation.
    let survivor = app.session_for(bob_id).await;
    let (status, page) = survivor.get_text("/spaces").await;
    assert_eq!(status, 403);
    assert!(page.contains("suspended"));
    // Logging in again does not help.
    let (status, _) = app.browser().post_text("/login", &[("email", "bob@diss.example"), ("password", PASSWORD)]).await;
    assert_eq!(status, 303);
    assert_eq!(app.log_in("bob@diss.example", PASSWORD).await.get("/").await.status().as_u16(), 403);
    // The steward restores him.
    assert_eq!(
        location(&steward.post(&format!("/admin/members/{bob_id}/restore"), &[]).await),
        "/admin/members?done=restored"
    );
    assert_eq!(survivor.get("/").await.status().as_u16(), 200);
}

#[tokio::test]
async fn the_last_steward_cannot_step_down() {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    let me =
        planet_store::queries::accounts::member_by_email(app.db(), "margaret@diss.example").await.unwrap().unwrap();
    let refused = steward.post(&format!("/admin/members/{}/steward", me.id), &[("steward", "no")]).await;
    assert_eq!(refused.status().as_u16(), 409);
    assert!(planet_store::queries::accounts::member(app.db(), me.id).await.unwrap().unwrap().steward);
}

#[tokio::test]
async fn emailed_links_ignore_a_forged_host() {
    let app = spawn_app().await;
    app.set_up().await;
    let forged = app
        .browser()
        .client
        .post(format!("{}/forgot-password", app.base))
        .header("host", "evil.example")
        .form(&[("email", "margaret@diss.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 200);
    let email = app.last_email_to("margaret@diss.example").await;
    assert!(email.body.contains(&format!("{}/reset-password/", app.base)), "{}", email.body);
    assert!(!email.body.contains("evil.example"));
}

#[tokio::test]
async fn stewards_see_reset_links_only_when_they_must_pass_them_on() {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    app.add_account("Bob Cooper", "bob@diss.example", AccountStatus::Member, false).await;
    app.browser().post("/forgot-password", &[("email", "bob@diss.example")]).await;
    let email = app.last_email_to("bob@diss.example").await;
    assert!(email.sensitive);
    // No mail server: the steward can read the link to pass it on, and that is audited.
    let (_, page) = steward.get_text(&format!("/admin/outbox/{}", email.id)).await;
    assert!(page.contains("/reset-password/") && !page.contains("[hidden]"));
    let (_, audit) = steward.get_text("/admin/audit").await;
    assert!(audit.contains("outbox.secret_read") && audit.contains("bob@diss.example"));
    // Once sent, nobody reads it again.
    planet_store::queries::outbox::mark_sent(app.db(), email.id, app.clock_now()).await.unwrap();
    let (_, page) = steward.get_text(&format!("/admin/outbox/{}", email.id)).await;
    assert!(page.contains("/reset-password/[hidden]"), "{page}");
}

#[tokio::test]
async fn suspension_revokes_api_tokens_and_spares_stewards() {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    let bob_id = app.add_account("Bob Cooper", "bob@diss.example", AccountStatus::Member, false).await;
    let bob = app.session_for(bob_id).await;
    let (_, page) = bob.post_text("/settings/tokens", &[("name", "script")]).await;
    let token = api_token_in(&page);
    steward.post(&format!("/admin/members/{bob_id}/suspend"), &[]).await;
    steward.post(&format!("/admin/members/{bob_id}/restore"), &[]).await;
    let api = reqwest::Client::new().get(format!("{}/api/v1/me", app.base)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(api.status().as_u16(), 401, "a token does not come back to life on restore");
    let other = app.add_account("Sue Steward", "sue@diss.example", AccountStatus::Member, true).await;
    let refused = steward.post(&format!("/admin/members/{other}/suspend"), &[]).await;
    assert_eq!(refused.status().as_u16(), 409);
}

#[tokio::test]
async fn two_stewards_stepping_down_at_once_leave_one() {
    let app = spawn_app().await;
    let margaret = app.set_up().await;
    let me =
        planet_store::queries::accounts::member_by_email(app.db(), "margaret@diss.example").await.unwrap().unwrap();
    let sue_id = app.add_account("Sue Page", "sue@diss.example", AccountStatus::Member, true).await;
    let sue = app.session_for(sue_id).await;
    let (demote_sue, demote_margaret) =
        (format!("/admin/members/{sue_id}/steward"), format!("/admin/members/{}/steward", me.id));
    let (a, b) = tokio::join!(
        margaret.post(&demote_sue, &[("steward", "no")]),
        sue.post(&demote_margaret, &[("steward", "no")]),
    );
    let statuses = [a.status().as_u16(), b.status().as_u16()];
    assert!(statuses.contains(&303), "{statuses:?}");
    assert_eq!(planet_store::queries::accounts::count_stewards(app.db()).await.unwrap(), 1, "{statuses:?}");
}

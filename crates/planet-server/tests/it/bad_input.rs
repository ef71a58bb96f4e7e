//! Bad input gets a clear message and changes nothing.

use crate::helpers::{PASSWORD, link_in, location, spawn_app};
use chrono::Duration;
use planet_domain::space::AccountStatus;
use planet_store::queries::accounts;

#[tokio::test]
async fn setup_shows_every_problem_and_keeps_what_was_typed() {
    let app = spawn_app().await;
    let visitor = app.browser();
    let long = "x".repeat(5000);
    let (status, page) = visitor
        .post_text(
            "/setup",
            &[
                ("community_name", ""),
                ("name", &long),
                ("email", "not-an-email"),
                ("password", "short"),
                ("password_again", ""),
            ],
        )
        .await;
    assert_eq!(status, 422);
    for message in [
        "There is a problem",
        "Enter the community",
        "must be 100 characters or fewer",
        "Enter an email address in the right form",
        "Password must be at least 10 characters",
    ] {
        assert!(page.contains(message), "missing {message:?}");
    }
    assert!(page.contains("value=\"not-an-email\""), "what was typed is kept");
    assert!(!page.contains("value=\"short\""), "passwords are never echoed");
    assert_eq!(accounts::count_members(app.db()).await.unwrap(), 0);
    assert!(!app.state.is_set_up());
}

async fn invitation_path(app: &crate::helpers::TestApp, steward: &crate::helpers::Browser) -> String {
    let (_, page) = steward.post_text("/invitations", &[("note", "")]).await;
    let link = link_in(&page, "http://");
    link[link.find("/join/").unwrap()..].to_owned().to_string().replace(&app.base, "")
}

fn application(email: &str) -> [(&str, &str); 5] {
    [
        ("name", "Ann Baker"),
        ("email", email),
        ("password", PASSWORD),
        ("how_known", "We share an allotment on Mission Road."),
        ("accept_rules", "yes"),
    ]
}

#[tokio::test]
async fn an_invitation_works_once() {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    let path = invitation_path(&app, &steward).await;
    let first = app.browser();
    assert_eq!(location(&first.post(&path, &application("ann@diss.example")).await), "/application");
    // The same form sent again (a double click), or the link used by someone else.
    let (status, page) = app.browser().post_text(&path, &application("ann2@diss.example")).await;
    assert_eq!(status, 410);
    assert!(page.contains("already been used"));
    assert_eq!(app.browser().get(&path).await.status().as_u16(), 410);
    assert_eq!(accounts::count_members(app.db()).await.unwrap(), 2);
}

#[tokio::test]
async fn an_invitation_expires_after_fourteen_days() {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    let path = invitation_path(&app, &steward).await;
    app.clock.advance(Duration::days(14) + Duration::seconds(1));
    let (status, page) = app.browser().post_text(&path, &application("ann@diss.example")).await;
    assert_eq!(status, 410);
    assert!(page.contains("expired"));
    assert_eq!(accounts::count_members(app.db()).await.unwrap(), 1);
    let (_, list) = steward.get_text("/invitations").await;
    assert!(list.contains("Expired"));
}

#[tokio::test]
async fn a_withdrawn_or_made_up_invitation_does_nothing() {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    let path = invitation_path(&app, &steward).await;
    let (_, list) = steward.get_text("/invitations").await;
    let withdraw = link_in(&list, "/invitations/");
    assert_eq!(location(&steward.post(withdraw.trim_end_matches('"'), &[]).await), "/invitations?done=withdrawn");
    assert_eq!(app.browser().post(&path, &application("ann@diss.example")).await.status().as_u16(), 410);
    assert_eq!(app.browser().get("/join/made-up-token").await.status().as_u16(), 410);
    assert_eq!(accounts::count_members(app.db()).await.unwrap(), 1);
}

#[tokio::test]
async fn applying_with_bad_details_keeps_the_invitation() {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    let path = invitation_path(&app, &steward).await;
    let (status, page) = app
        .browser()
        .post_text(
            &path,
            &[("name", ""), ("email", "margaret@diss.example"), ("password", "short"), ("how_known", "hi")],
        )
        .await;
    assert_eq!(status, 422);
    for message in ["Enter your full name", "already an account", "at least 10 characters", "read the code of conduct"]
    {
        assert!(page.contains(message), "missing {message:?}");
    }
    // Nothing was used up: the same link still works.
    assert_eq!(location(&app.browser().post(&path, &application("ann@diss.example")).await), "/application");
}

#[tokio::test]
async fn a_secret_space_is_not_found_by_those_outside_it() {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    let room = steward.start_group(&app, "Stewards' room", "secret", "by_invitation").await;
    let bob = app.add_account("Bob Cooper", "bob@diss.example", AccountStatus::Member, false).await;
    let bob = app.session_for(bob).await;
    let (status, page) = bob.get_text(&room).await;
    assert_eq!(status, 404);
    assert!(!page.contains("Stewards"));
    let (missing_status, missing) = bob.get_text(&format!("/spaces/{}", uuid::Uuid::now_v7())).await;
    assert_eq!(
        (status, page.len()),
        (missing_status, missing.len()),
        "a secret space looks exactly like a missing one"
    );
    let (_, list) = bob.get_text("/spaces").await;
    assert!(!list.contains("Stewards"), "the secret group is not listed");
    let api = bob
        .client
        .get(format!("{}/api/v1/spaces{}", app.base, room.trim_start_matches("/spaces")))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status().as_u16(), 404);
    assert_eq!(bob.get("/spaces/not-a-uuid").await.status().as_u16(), 404);
}

#[tokio::test]
async fn a_forged_cross_site_post_is_refused() {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    let forged = steward
        .client
        .post(format!("{}/invitations", app.base))
        .header("origin", "https://evil.example")
        .form(&[("note", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 403);
    let fetch = steward
        .client
        .post(format!("{}/logout-everywhere", app.base))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(fetch.status().as_u16(), 403);
    assert_eq!(steward.get("/").await.status().as_u16(), 200, "still logged in");
    let (_, list) = steward.get_text("/invitations").await;
    assert!(!list.contains("forged"));
    let same_site = steward
        .client
        .post(format!("{}/invitations", app.base))
        .header("sec-fetch-site", "same-origin")
        .form(&[("note", "real")])
        .send()
        .await
        .unwrap();
    assert_eq!(same_site.status().as_u16(), 200);
}

#[tokio::test]
async fn groups_need_names_and_choices() {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    let parent = app.root().to_string();
    let (status, page) = steward
        .post_text(
            &format!("/spaces?parent={parent}"),
            &[("name", " "), ("description", &"d".repeat(4001)), ("visibility", "public"), ("join_policy", "")],
        )
        .await;
    assert_eq!(status, 422);
    for message in [
        "Enter a name for the group",
        "4000 characters or fewer",
        "Choose who can see the group",
        "Choose how people join",
    ] {
        assert!(page.contains(message), "missing {message:?}");
    }
    assert_eq!(planet_store::queries::spaces::all_spaces(app.db()).await.unwrap().len(), 1);
    // The whole community cannot be made secret.
    let (status, page) = steward
        .post_text(
            &format!("/spaces/{parent}/edit"),
            &[("name", "PlaNet Diss"), ("description", ""), ("visibility", "secret"), ("join_policy", "open")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("always visible"));
}

#[tokio::test]
async fn api_errors_are_json_with_stable_codes() {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    let response = steward
        .client
        .post(format!("{}/api/v1/spaces", app.base))
        .json(&serde_json::json!({ "parent_id": app.root().to_string(), "name": "", "visibility": "nope", "join_policy": "open" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 422);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_input");
    let fields: Vec<_> =
        body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap().to_owned()).collect();
    assert_eq!(fields, ["name", "visibility"]);
    let anonymous = reqwest::get(format!("{}/api/v1/spaces", app.base)).await.unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
    let body: serde_json::Value = anonymous.json().await.unwrap();
    assert_eq!(body["error"]["code"], "login_required");
}

#[tokio::test]
async fn a_double_submitted_group_is_made_once() {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    let path = format!("/spaces?parent={}", app.root());
    let form = [("name", "Repair Café"), ("description", ""), ("visibility", "community"), ("join_policy", "open")];
    assert_eq!(steward.post(&path, &form).await.status().as_u16(), 303);
    let again = [("name", "repair café"), ("description", ""), ("visibility", "community"), ("join_policy", "open")];
    let (status, page) = steward.post_text(&path, &again).await;
    assert_eq!(status, 422);
    assert!(page.contains("There is already a group called"), "{page}");
    assert_eq!(planet_store::queries::spaces::all_spaces(app.db()).await.unwrap().len(), 2);
}

//! The whole way in: setup → a steward invites → the invitee applies → the steward approves →
//! the new member logs in, joins a group, and sees it at home.

use crate::helpers::{PASSWORD, link_in, location, spawn_app};
use planet_store::queries::spaces;

#[tokio::test]
async fn first_run_leads_every_page_to_setup() {
    let app = spawn_app().await;
    let visitor = app.browser();
    for path in ["/", "/login", "/spaces", "/admin"] {
        let response = visitor.get(path).await;
        assert_eq!(location(&response), "/setup", "{path}");
    }
    assert_eq!(visitor.get("/healthz").await.status().as_u16(), 200);
    let (status, body) = visitor.get_text("/setup").await;
    assert_eq!(status, 200);
    assert!(body.contains("Name your community"));
    // After setup, nobody can set up again.
    let steward = app.set_up().await;
    assert_eq!(location(&visitor.get("/setup").await), "/");
    let (status, _) = steward.get_text("/").await;
    assert_eq!(status, 200);
    let again = app
        .browser()
        .post(
            "/setup",
            &[
                ("community_name", "Another"),
                ("name", "Eve Hacker"),
                ("email", "eve@evil.example"),
                ("password", PASSWORD),
                ("password_again", PASSWORD),
            ],
        )
        .await;
    assert_eq!(again.status().as_u16(), 409);
    assert_eq!(planet_store::queries::accounts::count_members(app.db()).await.unwrap(), 1);
}

#[tokio::test]
async fn invited_applicant_is_approved_and_joins_a_group() {
    let app = spawn_app().await;
    let steward = app.set_up().await;

    // The steward starts a group and invites someone.
    let created = steward
        .post(
            &format!("/spaces?parent={}", app.root()),
            &[
                ("name", "Community Farm"),
                ("description", "Saturday work days"),
                ("visibility", "community"),
                ("join_policy", "open"),
            ],
        )
        .await;
    assert!(location(&created).starts_with("/spaces/"), "{}", location(&created));
    let (status, page) = steward.post_text("/invitations", &[("note", "Ann from the allotments")]).await;
    assert_eq!(status, 200);
    assert!(page.contains("shown only once"));
    let link = link_in(&page, "http://");
    let path = &link[link.find("/join/").unwrap()..];

    // The invitee applies.
    let ann = app.browser();
    let (status, form) = ann.get_text(path).await;
    assert_eq!(status, 200);
    assert!(form.contains("Margaret Thompson has invited you"));
    let applied = ann
        .post(
            path,
            &[
                ("name", "Ann Baker"),
                ("email", "ann@diss.example"),
                ("password", PASSWORD),
                ("how_known", "We share an allotment on Mission Road."),
                ("accept_rules", "yes"),
            ],
        )
        .await;
    assert_eq!(location(&applied), "/application");
    let (_, status_page) = ann.get_text("/application").await;
    assert!(status_page.contains("or when a steward approves"), "{status_page}");
    assert!(status_page.contains("Who has vouched for you"), "{status_page}");
    // An applicant sees their own status and nothing else.
    assert_eq!(location(&ann.get("/").await), "/application");
    assert_eq!(location(&ann.get("/spaces").await), "/application");
    // The stewards were told by email.
    assert!(app.last_email_to("margaret@diss.example").await.subject.contains("Ann Baker"));

    // The steward approves.
    let (_, list) = steward.get_text("/admin/applications").await;
    assert!(list.contains("Ann Baker"));
    let application = link_in(&list, "/admin/applications/");
    let (_, detail) = steward.get_text(&application).await;
    assert!(detail.contains("We share an allotment"));
    let decided = steward.post(&format!("{application}/decide"), &[("decision", "approve"), ("note", "")]).await;
    assert_eq!(location(&decided), "/admin/applications?done=approved");
    assert!(app.last_email_to("ann@diss.example").await.subject.contains("Welcome"));
    // Deciding twice is refused.
    let twice = steward.post(&format!("{application}/decide"), &[("decision", "decline"), ("note", "")]).await;
    assert_eq!(twice.status().as_u16(), 409);

    // Ann logs in, finds the group and joins it.
    let ann = app.log_in("ann@diss.example", PASSWORD).await;
    let (_, groups) = ann.get_text("/spaces").await;
    assert!(groups.contains("Community Farm"));
    let end = groups.find("\">Community Farm</a>").unwrap();
    let farm = format!("/spaces/{}", &groups[end - 36..end]);
    let joined = ann.post(&format!("{farm}/join"), &[]).await;
    assert_eq!(location(&joined), format!("{farm}?done=joined"));
    let (status, home) = ann.get_text("/").await;
    assert_eq!(status, 200);
    assert!(home.contains("Your groups") && home.contains("Community Farm"), "{home}");

    // The audit log has the steward's actions.
    let (_, audit) = steward.get_text("/admin/audit").await;
    assert!(audit.contains("application.approved") && audit.contains("space.created"));
    let farm_id = farm.trim_start_matches("/spaces/").parse().unwrap();
    assert_eq!(spaces::count_members(app.db(), farm_id).await.unwrap(), 2);
}

#[tokio::test]
async fn a_declined_applicant_is_told_and_stays_out() {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    let (_, page) = steward.post_text("/invitations", &[("note", "")]).await;
    let link = link_in(&page, "http://");
    let path = &link[link.find("/join/").unwrap()..];
    let bot = app.browser();
    bot.post(
        path,
        &[
            ("name", "Totally Real"),
            ("email", "bot@spam.example"),
            ("password", PASSWORD),
            ("how_known", "I know everyone here very well"),
            ("accept_rules", "yes"),
        ],
    )
    .await;
    let (_, list) = steward.get_text("/admin/applications").await;
    let application = link_in(&list, "/admin/applications/");
    let decided =
        steward.post(&format!("{application}/decide"), &[("decision", "decline"), ("note", "Nobody knows you")]).await;
    assert_eq!(location(&decided), "/admin/applications?done=declined");
    let (_, status) = bot.get_text("/application").await;
    assert!(status.contains("not approved") && status.contains("Nobody knows you"));
    assert_eq!(location(&bot.get("/").await), "/application");
    assert!(app.last_email_to("bot@spam.example").await.body.contains("Nobody knows you"));
}

#[tokio::test]
async fn coordinators_decide_join_requests() {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    let rota = steward.start_group(&app, "Veg-box rota", "members", "by_request").await;
    let bob_id =
        app.add_account("Bob Cooper", "bob@diss.example", planet_domain::space::AccountStatus::Member, false).await;
    let bob = app.session_for(bob_id).await;
    // Bob sees the group exists but not who is in it.
    let (status, page) = bob.get_text(&rota).await;
    assert_eq!(status, 200);
    assert!(page.contains("Only members of this group can see"));
    assert!(!page.contains("Margaret Thompson</li>"));
    assert_eq!(bob.post(&format!("{rota}/join"), &[]).await.status().as_u16(), 403);
    let asked = bob.post(&format!("{rota}/request"), &[("message", "I can pack on Thursdays")]).await;
    assert_eq!(location(&asked), format!("{rota}?done=requested"));
    // A second request is refused, not duplicated.
    assert_eq!(bob.post(&format!("{rota}/request"), &[("message", "again")]).await.status().as_u16(), 409);
    let (_, requests) = steward.get_text(&format!("{rota}/requests")).await;
    assert!(requests.contains("I can pack on Thursdays"));
    let accepted = steward.post(&format!("{rota}/requests/{bob_id}"), &[("decision", "accept")]).await;
    assert_eq!(location(&accepted), format!("{rota}/requests?done=accepted"));
    let (_, page) = bob.get_text(&rota).await;
    assert!(page.contains("Margaret Thompson"));
    // Leaving is always possible.
    assert_eq!(location(&bob.post(&format!("{rota}/leave"), &[]).await), "/spaces?done=left");
}

#[tokio::test]
async fn an_invitation_into_a_secret_group_can_be_taken_or_declined() {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    let room = steward.start_group(&app, "Stewards' room", "secret", "by_invitation").await;
    let bob_id =
        app.add_account("Bob Cooper", "bob@diss.example", planet_domain::space::AccountStatus::Member, false).await;
    let sue_id =
        app.add_account("Sue Page", "sue@diss.example", planet_domain::space::AccountStatus::Member, false).await;
    let (bob, sue) = (app.session_for(bob_id).await, app.session_for(sue_id).await);
    assert_eq!(bob.get(&room).await.status().as_u16(), 404);
    // Not a member of the community: refused with a clear message, nothing written.
    let (status, page) = steward.post_text(&format!("{room}/invite"), &[("email", "stranger@diss.example")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("No member of the community has that email address"));
    for email in ["bob@diss.example", "sue@diss.example"] {
        assert_eq!(
            location(&steward.post(&format!("{room}/invite"), &[("email", email)]).await),
            format!("{room}?done=invited")
        );
    }
    assert!(app.last_email_to("bob@diss.example").await.subject.contains("invited"));
    // Bob sees the invitation at home and joins.
    let (_, home) = bob.get_text("/").await;
    assert!(home.contains("You are invited to join"), "{home}");
    assert_eq!(location(&bob.post(&format!("{room}/join"), &[]).await), format!("{room}?done=joined"));
    let (_, home) = bob.get_text("/").await;
    assert!(!home.contains("You are invited to join") && home.contains("Stewards&#39; room"), "{home}");
    // Sue says no thanks; the group is hidden from her again.
    assert_eq!(location(&sue.post(&format!("{room}/decline-invitation"), &[]).await), "/?done=no-thanks");
    assert_eq!(sue.get(&room).await.status().as_u16(), 404);
    assert_eq!(sue.post(&format!("{room}/decline-invitation"), &[]).await.status().as_u16(), 404);
    let (_, audit) = steward.get_text("/admin/audit").await;
    assert!(audit.contains("space.member_invited"));
}

#[tokio::test]
async fn an_invitation_into_a_group_lapses_after_fourteen_days() {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    let room = steward.start_group(&app, "Stewards' room", "secret", "by_invitation").await;
    let bob_id =
        app.add_account("Bob Cooper", "bob@diss.example", planet_domain::space::AccountStatus::Member, false).await;
    let bob = app.session_for(bob_id).await;
    steward.post(&format!("{room}/invite"), &[("email", "bob@diss.example")]).await;
    assert_eq!(bob.get(&room).await.status().as_u16(), 200);
    app.clock.advance(chrono::Duration::days(15));
    // Time travelled faster than the caches' few seconds: tell the server.
    app.state.changed();
    assert_eq!(bob.get(&room).await.status().as_u16(), 404, "a lapsed invitation no longer reveals the group");
    assert!(!bob.get_text("/").await.1.contains("You are invited to join"));
    assert_eq!(bob.post(&format!("{room}/join"), &[]).await.status().as_u16(), 404);
    // Inviting again renews it.
    steward.post(&format!("{room}/invite"), &[("email", "bob@diss.example")]).await;
    assert_eq!(location(&bob.post(&format!("{room}/join"), &[]).await), format!("{room}?done=joined"));
}

//! The code of conduct: stewards write it (versions kept), applicants accept the version in
//! force, members read it, and the report screen shows it.

use crate::helpers::{PASSWORD, link_in, location, spawn_app};
use planet_store::queries::{accounts, community};

#[tokio::test]
async fn stewards_write_the_code_applicants_accept_it_and_members_read_it() {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    let (status, page) = steward.get_text("/admin/code-of-conduct").await;
    assert_eq!(status, 200);
    assert!(page.contains("No trashing of people") && page.contains("None yet"), "{page}");

    let code = "We look after each other.\n\n**No gossip**, and no <script>alert(1)</script> either.";
    let saved = steward.post("/admin/code-of-conduct", &[("body", code)]).await;
    assert_eq!(location(&saved), "/admin/code-of-conduct?done=conduct_saved");
    // The same text again, or nothing at all, is refused.
    let (status, page) = steward.post_text("/admin/code-of-conduct", &[("body", code)]).await;
    assert_eq!(status, 422);
    assert!(page.contains("change something first"));
    assert_eq!(steward.post("/admin/code-of-conduct", &[("body", "  ")]).await.status().as_u16(), 422);
    let (_, page) = steward.get_text("/admin/code-of-conduct").await;
    assert!(page.contains("Version 1, by Margaret Thompson"), "{page}");

    // An applicant reads it on the form and accepts version 1.
    let (_, page) = steward.post_text("/invitations", &[("note", "Ann")]).await;
    let link = link_in(&page, "http://");
    let path = &link[link.find("/join/").unwrap()..];
    let ann = app.browser();
    let (_, form) = ann.get_text(path).await;
    assert!(form.contains("<strong>No gossip</strong>") && !form.contains("<script>alert(1)"), "{form}");
    let refused = ann
        .post_text(
            path,
            &[
                ("name", "Ann Baker"),
                ("email", "ann@diss.example"),
                ("password", PASSWORD),
                ("how_known", "Neighbours"),
            ],
        )
        .await;
    assert_eq!(refused.0, 422);
    assert!(refused.1.contains("read the code of conduct"));
    // A steward changes the code while Ann reads version 1: she is asked to read it again.
    steward.post("/admin/code-of-conduct", &[("body", "Version two: **be patient**.")]).await;
    let stale = ann
        .post_text(
            path,
            &[
                ("name", "Ann Baker"),
                ("email", "ann@diss.example"),
                ("password", PASSWORD),
                ("how_known", "Neighbours"),
                ("accept_rules", "yes"),
                ("conduct_version", "1"),
            ],
        )
        .await;
    assert_eq!(stale.0, 422);
    assert!(stale.1.contains("has just been changed") && stale.1.contains("<strong>be patient</strong>"));
    let applied = ann
        .post(
            path,
            &[
                ("name", "Ann Baker"),
                ("email", "ann@diss.example"),
                ("password", PASSWORD),
                ("how_known", "Neighbours"),
                ("accept_rules", "yes"),
                ("conduct_version", "2"),
            ],
        )
        .await;
    assert_eq!(location(&applied), "/application");
    let ann_id = accounts::member_by_email(app.db(), "ann@diss.example").await.unwrap().unwrap().id;
    assert_eq!(community::accepted_conduct(app.db(), ann_id).await.unwrap().map(|(v, _)| v), Some(2));

    // Members read it; only stewards change it.
    let (status, page) = steward.get_text("/code-of-conduct").await;
    assert_eq!(status, 200);
    assert!(page.contains("<strong>be patient</strong>") && !page.contains("No gossip"));
    let member =
        app.add_account("Bob Smith", "bob@diss.example", planet_domain::space::AccountStatus::Member, false).await;
    let bob = app.session_for(member).await;
    assert_eq!(bob.get("/code-of-conduct").await.status().as_u16(), 200);
    assert_eq!(bob.post("/admin/code-of-conduct", &[("body", "Anything goes")]).await.status().as_u16(), 403);

    // Bob joined without agreeing to version 2: he agrees before he writes.
    let steward_id = accounts::member_by_email(app.db(), "margaret@diss.example").await.unwrap().unwrap().id;
    let write = [("with", steward_id.to_string()), ("body", "Hello Margaret".to_owned())];
    let write: Vec<(&str, &str)> = write.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, page) = bob.post_text("/conversations", &write).await;
    assert_eq!(status, 409);
    assert!(page.contains("Our code of conduct has changed") && page.contains("href=\"/code-of-conduct\""), "{page}");
    let (_, page) = bob.get_text("/code-of-conduct").await;
    assert!(page.contains("I have read it and agree") && page.contains("name=\"version\" value=\"2\""), "{page}");
    assert_eq!(bob.post("/code-of-conduct/accept", &[("version", "1")]).await.status().as_u16(), 409);
    let agreed = bob.post("/code-of-conduct/accept", &[("version", "2")]).await;
    assert_eq!(location(&agreed), "/code-of-conduct?done=conduct_accepted");
    let (_, page) = bob.get_text("/code-of-conduct").await;
    assert!(page.contains("You have agreed to this code") && !page.contains("I have read it and agree"), "{page}");
    assert_eq!(bob.post("/conversations", &write).await.status().as_u16(), 303);
    // The steward who wrote it agreed to it in writing it.
    assert_eq!(community::accepted_conduct(app.db(), steward_id).await.unwrap().map(|(v, _)| v), Some(2));
}

//! Notifications on a real database: mentions, replies and followed topics and groups ring the
//! bell (live too), reach email at once or in the daily email, are gathered, read by opening the
//! topic, silenced by muting, and never reach someone who can no longer see the group.

use crate::helpers::{Browser, TestApp, location};
use crate::talk::{group, say, start};
use futures_util::StreamExt;
use planet_domain::{MemberId, TopicId};
use planet_server::notify::service::send_digests;
use std::time::Duration;

async fn unread(browser: &Browser) -> (usize, String) {
    let (status, page) = browser.get_text("/notifications").await;
    assert_eq!(status, 200);
    (page.matches("notification notification--unread").count(), page)
}

fn bell(page: &str) -> String {
    let start = page.find("id=\"bell-count\"").expect("a bell");
    page[start..].split('>').nth(1).unwrap_or_default().split('<').next().unwrap_or_default().to_owned()
}

async fn emails_to(app: &TestApp, to: &str) -> Vec<(String, String)> {
    app.outbox().await.into_iter().filter(|m| m.to_address == to).map(|m| (m.subject, m.body)).collect()
}

async fn reply(browser: &Browser, topic: TopicId, body: &str, to: i32) {
    let sent =
        browser.post(&format!("/topics/{topic}/messages"), &[("body", body), ("reply_to", &to.to_string())]).await;
    assert_eq!(sent.status().as_u16(), 303);
}

#[tokio::test]
async fn mentions_replies_and_followed_topics_are_told_once_and_read_by_opening_the_topic() {
    let g = group(3, false).await;
    let (ann, bob, cat) = (&g.members[0].1, &g.members[1].1, &g.members[2].1);
    // Bob wants an email for each; Cat keeps the daily email; Cat follows the group.
    let saved = bob.post("/notifications/settings", &[("email", "at_once")]).await;
    assert_eq!(saved.status().as_u16(), 303);
    assert_eq!(bob.post("/notifications/settings", &[("email", "hourly")]).await.status().as_u16(), 422);
    assert_eq!(
        cat.post(&format!("/spaces/{}/follow", g.space), &[("level", "following")]).await.status().as_u16(),
        303
    );

    let topic = start(ann, g.space, "Apple day", "Who has a press?").await;
    // Cat follows the group: told of the new topic. Nobody else is.
    let (count, page) = unread(cat).await;
    assert_eq!(count, 1, "{page}");
    assert!(page.contains("Member 0 started a conversation: “Apple day”") && page.contains("Who has a press?"));
    assert_eq!(bell(&page), "1");
    assert_eq!(unread(bob).await.0, 0);

    // Bob mentions Ann, who follows her own topic: told once, as a mention.
    say(bob, topic, "@Member 0 I have one").await;
    let (count, page) = unread(ann).await;
    assert_eq!(count, 1);
    assert!(page.contains("Member 1 mentioned you in “Apple day”"), "{page}");
    // Ann writes three times; Bob (who wrote in it, so follows it) is told once, gathered.
    for text in ["Lovely", "Saturday?", "At the hall"] {
        say(ann, topic, text).await;
    }
    let (count, page) = unread(bob).await;
    assert_eq!(count, 1, "{page}");
    assert!(page.contains("3 new messages in “Apple day”"), "{page}");
    // ...and emailed at once, for the first only.
    let mails = emails_to(&g.app, "m1@diss.example").await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].0, "Member 0 wrote in “Apple day”");
    assert!(mails[0].1.contains("> Lovely") && mails[0].1.contains(&format!("/topics/{topic}?upto=3#m3")));
    // Opening the topic reads them.
    assert_eq!(bob.get(&format!("/topics/{topic}")).await.status().as_u16(), 200);
    assert_eq!(unread(bob).await.0, 0);

    // A reply to Bob's message tells Bob.
    reply(ann, topic, "Thank you!", 2).await;
    let (_, page) = unread(bob).await;
    assert!(page.contains("Member 0 replied to you in “Apple day”"), "{page}");

    // Cat mutes the topic: a mention there no longer reaches her.
    assert_eq!(cat.post(&format!("/topics/{topic}/follow"), &[("level", "muted")]).await.status().as_u16(), 303);
    let before = unread(cat).await.0;
    say(ann, topic, "@Member 2 are you coming?").await;
    assert_eq!(unread(cat).await.0, before);
    assert_eq!(cat.post(&format!("/topics/{topic}/follow"), &[("level", "loud")]).await.status().as_u16(), 422);

    // Bob leaves the group: what he followed there no longer reaches him.
    assert_eq!(bob.post(&format!("/spaces/{}/leave", g.space), &[]).await.status().as_u16(), 303);
    assert_eq!(bob.post("/notifications/read", &[]).await.status().as_u16(), 303);
    say(ann, topic, "One more thing").await;
    assert_eq!(unread(bob).await.0, 0);
    // What he was told before keeps nothing of a group he can no longer see.
    let (_, page) = unread(bob).await;
    assert!(!page.contains("Apple day") && page.contains("a conversation you can no longer see"), "{page}");

    // Marking one read; someone else's cannot be touched.
    let (_, page) = unread(cat).await;
    let id = page
        .split("action=\"/notifications/")
        .filter_map(|rest| rest.get(..36))
        .find(|id| id.parse::<uuid::Uuid>().is_ok())
        .expect("a notification to mark read")
        .to_owned();
    assert_eq!(ann.post(&format!("/notifications/{id}/read"), &[]).await.status().as_u16(), 404);
    assert_eq!(cat.post(&format!("/notifications/{id}/read"), &[]).await.status().as_u16(), 303);
}

#[tokio::test]
async fn the_daily_email_gathers_what_was_not_read_once_a_day() {
    let g = group(2, false).await;
    let (ann, bob) = (&g.members[0].1, &g.members[1].1);
    let topic = start(ann, g.space, "Seed swap", "Bring seeds").await;
    say(bob, topic, "@Member 0 I have beans").await;
    reply(bob, topic, "And peas", 1).await;
    say(bob, topic, "Plain news").await;
    // Not yet: news waits an hour, in case it is read on the site.
    assert_eq!(send_digests(&g.app.state).await.unwrap(), 0);
    g.app.clock.advance(chrono::Duration::hours(2));
    assert_eq!(send_digests(&g.app.state).await.unwrap(), 1);
    let mails = emails_to(&g.app, "m0@diss.example").await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].0.starts_with("News from"), "{}", mails[0].0);
    assert!(mails[0].1.contains("Member 1 mentioned you") && mails[0].1.contains("Member 1 replied to you"));
    assert!(mails[0].1.contains("/notifications/settings"));
    assert!(mails[0].1.contains("Member 1 wrote in “Seed swap”"), "{}", mails[0].1);
    // Nothing twice, and not again the same day; news gathered into what was emailed is told again.
    say(bob, topic, "@Member 0 and carrots").await;
    say(bob, topic, "More plain news").await;
    g.app.clock.advance(chrono::Duration::hours(2));
    assert_eq!(send_digests(&g.app.state).await.unwrap(), 0);
    g.app.clock.advance(chrono::Duration::hours(22));
    assert_eq!(send_digests(&g.app.state).await.unwrap(), 1);
    let mails = emails_to(&g.app, "m0@diss.example").await;
    let newest = &mails[0].1;
    assert!(newest.contains("2 new messages in “Seed swap”") && newest.contains("and carrots"), "{newest}");
    // Whoever chose "never" gets none.
    assert_eq!(ann.post("/notifications/settings", &[("email", "never")]).await.status().as_u16(), 303);
    say(bob, topic, "@Member 0 last one").await;
    g.app.clock.advance(chrono::Duration::hours(30));
    assert_eq!(send_digests(&g.app.state).await.unwrap(), 0);
    assert_eq!(emails_to(&g.app, "m0@diss.example").await.len(), 2);
}

async fn bell_socket(
    app: &TestApp,
    member: MemberId,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let token = crate::helpers::session_token(app, member).await;
    let mut request =
        format!("{}/notifications/live", app.base.replace("http://", "ws://")).into_client_request().unwrap();
    request.headers_mut().insert("cookie", format!("planet_session={token}").parse().unwrap());
    tokio_tungstenite::connect_async(request).await.unwrap().0
}

#[tokio::test]
async fn the_bell_rings_live_and_programs_read_notifications() {
    let g = group(2, false).await;
    let (ann_id, ann) = (g.members[0].0, &g.members[0].1);
    let bob = &g.members[1].1;
    let topic = start(ann, g.space, "Lift share", "Norwich on Friday?").await;
    let mut socket = bell_socket(&g.app, ann_id).await;
    // First the count as it is.
    let hello = tokio::time::timeout(Duration::from_secs(10), socket.next()).await.unwrap().unwrap().unwrap();
    assert_eq!(hello.to_text().unwrap(), r#"{"kind":"bell","unread":0}"#);
    say(bob, topic, "@Member 0 yes please").await;
    let event = tokio::time::timeout(Duration::from_secs(10), socket.next()).await.unwrap().unwrap().unwrap();
    assert_eq!(event.to_text().unwrap(), r#"{"kind":"bell","unread":1}"#);

    let (_, page) = ann.post_text("/settings/tokens", &[("name", "phone")]).await;
    let token = crate::helpers::api_token_in(&page);
    let client = reqwest::Client::new();
    let api = |path: &str| format!("{}/api/v1{path}", g.app.base);
    let list: serde_json::Value =
        client.get(api("/notifications")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["unread"], 1);
    assert_eq!(list["notifications"][0]["kind"], "mention");
    assert_eq!(list["notifications"][0]["headline"], "Member 1 mentioned you in “Lift share”");
    assert_eq!(list["notifications"][0]["number"], 2);
    let followed: serde_json::Value = client
        .post(api(&format!("/topics/{topic}/follow")))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "level": "muted" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(followed["level"], "muted");
    let marked: serde_json::Value =
        client.post(api("/notifications/read")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(marked["marked"], 1);
    let event = tokio::time::timeout(Duration::from_secs(10), socket.next()).await.unwrap().unwrap().unwrap();
    assert_eq!(event.to_text().unwrap(), r#"{"kind":"bell","unread":0}"#);
    // Muted: Bob's next mention does not reach her.
    say(bob, topic, "@Member 0 see you").await;
    let list: serde_json::Value =
        client.get(api("/notifications")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["unread"], 0);
}

#[tokio::test]
async fn whats_new_lists_unread_topics_of_my_groups_but_not_muted_ones() {
    let g = group(2, false).await;
    let (ann, bob) = (&g.members[0].1, &g.members[1].1);
    let first = start(ann, g.space, "Repair café", "Next Saturday").await;
    let second = start(ann, g.space, "Bulk buying", "Oats and lentils").await;
    let (status, page) = bob.get_text("/talk").await;
    assert_eq!(status, 200);
    assert!(page.contains("Repair café") && page.contains("Bulk buying") && page.contains("Veg boxes"), "{page}");
    // Read one, mute the other: nothing left.
    bob.get(&format!("/topics/{first}")).await;
    bob.post(&format!("/topics/{second}/follow"), &[("level", "muted")]).await;
    let (_, page) = bob.get_text("/talk").await;
    assert!(page.contains("You are up to date"), "{page}");
    let (_, list) = bob.get_text(&format!("/spaces/{}/topics", g.space)).await;
    assert_eq!(list.matches("<span class=\"tag\">Muted</span>").count(), 1, "{list}");
    // Something new in the one read shows again, with how much is new.
    say(ann, first, "Bring a kettle").await;
    let (_, page) = bob.get_text("/talk").await;
    assert!(page.contains("Repair café") && page.contains("1 new"), "{page}");
    // Someone outside the group sees none of it.
    let (_, page) = g.outsider.get_text("/talk").await;
    assert!(!page.contains("Repair café"));
}

#[tokio::test]
async fn a_blocked_member_is_folded_away_and_cannot_make_the_blocker_hear_of_anything() {
    let g = group(2, false).await;
    let (ann_id, ann) = (g.members[0].0, &g.members[0].1);
    let (bob_id, bob) = (g.members[1].0, &g.members[1].1);
    let topic = start(ann, g.space, "Bus times", "The 8.15 is late again").await;
    let (_, profile) = ann.get_text(&format!("/people/{bob_id}")).await;
    assert!(profile.contains("Block Member 1"), "{profile}");
    assert_eq!(
        location(&ann.post(&format!("/people/{bob_id}/block"), &[]).await),
        format!("/people/{bob_id}?done=blocked#blocking")
    );
    // Bob mentions and replies to Ann: she hears nothing, and his message is folded away.
    say(bob, topic, "@Member 0 it was on time today").await;
    reply(bob, topic, "Really", 1).await;
    assert_eq!(unread(ann).await.0, 0);
    let (_, page) = ann.get_text(&format!("/topics/{topic}")).await;
    assert_eq!(page.matches("A message from someone you have blocked").count(), 2, "{page}");
    assert!(page.contains("meta name=\"planet-blocked\" content=\"") && page.contains(&bob_id.to_string()));
    // Nor is he found when she searches.
    let (_, found) = ann.get_text("/talk/search?q=time").await;
    assert!(!found.contains("on time today"), "{found}");
    // Others see him as before.
    let (_, page) = g.coordinator.get_text(&format!("/topics/{topic}")).await;
    assert!(!page.contains("someone you have blocked"));
    // Her list; unblocking brings him back.
    let (_, list) = ann.get_text("/settings/blocked").await;
    assert!(list.contains("Member 1"));
    ann.post(&format!("/people/{bob_id}/unblock"), &[]).await;
    let (_, page) = ann.get_text(&format!("/topics/{topic}")).await;
    assert!(!page.contains("someone you have blocked"));
    // Nobody blocks themselves.
    assert_eq!(ann.post(&format!("/people/{ann_id}/block"), &[]).await.status().as_u16(), 409);
}

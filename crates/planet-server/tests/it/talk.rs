//! Talk on a real database: topics and messages, approval of first messages, reports that hide,
//! moderation and its log, refusals, script injection, and live delivery over WebSocket.

use crate::helpers::{Browser, TestApp, location, spawn_app};
use futures_util::StreamExt;
use planet_domain::MemberId;
use planet_domain::space::AccountStatus;
use planet_domain::talk::TalkRules;
use planet_domain::{SpaceId, TopicId};
use planet_store::queries::{accounts, talk};
use std::time::Duration;

pub struct Group {
    pub app: TestApp,
    pub space: SpaceId,
    pub coordinator: Browser,
    /// Members of the group (not coordinators), with their ids.
    pub members: Vec<(MemberId, Browser)>,
    pub outsider: Browser,
}

/// A group started by a coordinator, with `n` members who joined it; first messages need no
/// approval unless `approve_first`.
pub async fn group(n: usize, approve_first: bool) -> Group {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    let path = steward.start_group(&app, "Veg boxes", "members", "open").await;
    let space: SpaceId = path.trim_start_matches("/spaces/").parse().unwrap();
    let coordinator_id = app.add_account("Colin Coordinator", "colin@diss.example", AccountStatus::Member, false).await;
    let coordinator = app.session_for(coordinator_id).await;
    assert_eq!(coordinator.post(&format!("{path}/join"), &[]).await.status().as_u16(), 303);
    let role = steward.post(&format!("{path}/members/{coordinator_id}/role"), &[("role", "coordinator")]).await;
    assert_eq!(role.status().as_u16(), 303);
    let mut members = Vec::new();
    for i in 0..n {
        let id =
            app.add_account(&format!("Member {i}"), &format!("m{i}@diss.example"), AccountStatus::Member, false).await;
        let browser = app.session_for(id).await;
        assert_eq!(browser.post(&format!("{path}/join"), &[]).await.status().as_u16(), 303);
        members.push((id, browser));
    }
    let outsider_id = app.add_account("Olive Outsider", "olive@diss.example", AccountStatus::Member, false).await;
    let outsider = app.session_for(outsider_id).await;
    if !approve_first {
        let rules = TalkRules { first_messages_to_approve: 0, ..TalkRules::default() };
        talk::set_rules(app.db(), space, rules).await.unwrap();
    }
    Group { app, space, coordinator, members, outsider }
}

/// Start a topic through the form; returns its id.
pub async fn start(browser: &Browser, space: SpaceId, title: &str, body: &str) -> TopicId {
    let response = browser.post(&format!("/spaces/{space}/topics"), &[("title", title), ("body", body)]).await;
    assert_eq!(response.status().as_u16(), 303, "starting {title}");
    let place = location(&response);
    place.trim_start_matches("/topics/").split(['?', '#']).next().unwrap().parse().unwrap()
}

pub async fn say(browser: &Browser, topic: TopicId, body: &str) -> reqwest::Response {
    browser.post(&format!("/topics/{topic}/messages"), &[("body", body)]).await
}

async fn message_id(app: &TestApp, topic: TopicId, number: i32) -> String {
    talk::message_by_number(app.db(), topic, number).await.unwrap().unwrap().id.to_string()
}

#[tokio::test]
async fn a_topic_is_a_thread_with_replies_reactions_edits_and_unread_counts() {
    let g = group(2, false).await;
    let (ann, bob) = (&g.members[0].1, &g.members[1].1);
    let topic = start(ann, g.space, "Veg-box rota for December", "Who can do the **first** week?").await;
    let replied = say(bob, topic, "I can, on the Saturday. @member 0 @Nobody Here").await;
    assert!(location(&replied).ends_with("done=posted#m2"), "{}", location(&replied));
    // Bob quotes Ann: the form comes filled in.
    let (_, page) = bob.get_text(&format!("/topics/{topic}?quote=1")).await;
    assert!(page.contains("&#62; **Member 0** wrote:") && page.contains("name=\"reply_to\" value=\"1\""), "{page}");
    assert!(
        bob.post(&format!("/topics/{topic}/messages"), &[("body", "> Ann\n\nYes"), ("reply_to", "1")])
            .await
            .status()
            .as_u16()
            == 303
    );
    // Ann sees the thread, rendered from Markdown, with one new line for Bob's messages.
    let (status, page) = ann.get_text(&format!("/topics/{topic}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("<strong>first</strong>"));
    assert!(page.contains("I can, on the Saturday."));
    // A mention of a member of the group links to their profile; anything else stays text.
    let ann_id = g.members[0].0;
    assert!(
        page.contains(&format!("<a href=\"/people/{ann_id}\" rel=\"noopener noreferrer nofollow ugc\">@Member 0</a>")),
        "{page}"
    );
    assert!(page.contains("@Nobody Here"));
    assert_eq!(page.matches("New since your last visit").count(), 1);
    assert!(page.contains("replying to <a href=\"/topics/"));
    // Reacting twice counts once; taking it back removes it.
    let first = message_id(&g.app, topic, 1).await;
    for _ in 0..2 {
        let reacted = bob.post(&format!("/messages/{first}/react"), &[("reaction", "thanks"), ("on", "1")]).await;
        assert_eq!(reacted.status().as_u16(), 303);
    }
    let (_, page) = ann.get_text(&format!("/topics/{topic}")).await;
    assert!(page.contains("🙏</span> 1<span class=\"visually-hidden\"> Thank you"), "{page}");
    let refused = bob.post(&format!("/messages/{first}/react"), &[("reaction", "<script>"), ("on", "1")]).await;
    assert_eq!(refused.status().as_u16(), 422);
    bob.post(&format!("/messages/{first}/react"), &[("reaction", "thanks"), ("on", "0")]).await;
    let (_, page) = ann.get_text(&format!("/topics/{topic}")).await;
    assert!(!page.contains("🙏</span> 1"));
    // Ann edits her message: marked "edited", the old text kept for moderators.
    let edited = ann.post(&format!("/messages/{first}/edit"), &[("body", "Who can do the second week?")]).await;
    assert_eq!(edited.status().as_u16(), 303);
    let (_, page) = bob.get_text(&format!("/topics/{topic}")).await;
    assert!(page.contains("second week") && page.contains("· edited"));
    let (_, history) = g.coordinator.get_text(&format!("/messages/{first}/history")).await;
    assert!(history.contains("<strong>first</strong>"), "{history}");
    assert_eq!(bob.get(&format!("/messages/{first}/history")).await.status().as_u16(), 403);
    // Editing or deleting someone else's message is refused; deleting one's own leaves a mark.
    assert_eq!(bob.post(&format!("/messages/{first}/edit"), &[("body", "mine now")]).await.status().as_u16(), 403);
    assert_eq!(bob.post(&format!("/messages/{first}/delete"), &[]).await.status().as_u16(), 403);
    assert_eq!(ann.post(&format!("/messages/{first}/delete"), &[]).await.status().as_u16(), 303);
    let (_, page) = bob.get_text(&format!("/topics/{topic}")).await;
    assert!(page.contains("Message deleted.") && !page.contains("second week"));
    // The group's list shows the topic, and nothing unread for Bob now.
    let (_, list) = bob.get_text(&format!("/spaces/{}/topics", g.space)).await;
    assert!(list.contains("Veg-box rota for December") && list.contains("3 messages"));
    assert!(!list.contains(" new</strong>"));
    say(ann, topic, "Thank you Bob").await;
    let (_, list) = bob.get_text(&format!("/spaces/{}/topics", g.space)).await;
    assert!(list.contains("<strong>1 new</strong>"), "{list}");
}

#[tokio::test]
async fn first_messages_wait_for_approval_and_reports_hide_a_message() {
    let g = group(4, true).await;
    let ann = &g.members[0].1;
    let topic = start(ann, g.space, "Apple pressing", "Bring your own jars").await;
    // Ann's first message waits: the others do not see it (nor its topic), the coordinator's
    // queue does.
    let (status, page) = g.members[1].1.get_text(&format!("/topics/{topic}")).await;
    assert_eq!(status, 404);
    assert!(!page.contains("Bring your own jars"));
    let (_, list) = g.members[1].1.get_text(&format!("/spaces/{}/topics", g.space)).await;
    assert!(!list.contains("Apple pressing"));
    let (_, list) = g.coordinator.get_text(&format!("/spaces/{}/topics", g.space)).await;
    assert!(list.contains("Apple pressing") && list.contains("(1 waiting)"));
    let (_, own) = ann.get_text(&format!("/topics/{topic}")).await;
    assert!(own.contains("waits for a coordinator") && own.contains("Bring your own jars"));
    let (_, queue) = g.coordinator.get_text(&format!("/spaces/{}/moderation", g.space)).await;
    assert!(queue.contains("First message from Member 0") && queue.contains("Bring your own jars"));
    let first = message_id(&g.app, topic, 1).await;
    let approved =
        g.coordinator.post(&format!("/messages/{first}/moderate"), &[("action", "approve"), ("back", "queue")]).await;
    assert_eq!(approved.status().as_u16(), 303);
    let (_, page) = g.members[1].1.get_text(&format!("/topics/{topic}")).await;
    assert!(page.contains("Bring your own jars"));
    // Approving twice says so.
    let again = g.coordinator.post(&format!("/messages/{first}/moderate"), &[("action", "approve")]).await;
    assert_eq!(again.status().as_u16(), 409);

    // Three different members report it: it is hidden until a moderator looks.
    let reason = [("reason", "It shares someone's phone number")];
    assert_eq!(ann.post(&format!("/messages/{first}/report"), &reason).await.status().as_u16(), 403, "not one's own");
    for (i, (_, member)) in g.members.iter().enumerate().skip(1) {
        let reported = member.post(&format!("/messages/{first}/report"), &reason).await;
        let expected = if i == 3 { "done=reported_hidden" } else { "done=reported" };
        assert!(location(&reported).contains(expected), "{i}: {}", location(&reported));
    }
    let twice = g.members[1].1.post(&format!("/messages/{first}/report"), &reason).await;
    assert_eq!(twice.status().as_u16(), 409);
    let (_, page) = g.members[1].1.get_text(&format!("/topics/{topic}")).await;
    assert!(page.contains("hidden by the moderators") && !page.contains("Bring your own jars"));
    let (_, page) = g.coordinator.get_text(&format!("/topics/{topic}")).await;
    assert!(page.contains("Only moderators see the text") && page.contains("Bring your own jars"));
    // A hidden message cannot be reported again (nor read on the report page), nor changed.
    let (status, page) = g.members[2].1.get_text(&format!("/messages/{first}/report")).await;
    assert_eq!(status, 409);
    assert!(!page.contains("Bring your own jars"));
    assert_eq!(
        ann.post(&format!("/messages/{first}/edit"), &[("body", "Nothing to see")]).await.status().as_u16(),
        409
    );
    // The log says so, without the text; the coordinator restores it.
    let (_, log) = g.members[1].1.get_text(&format!("/spaces/{}/moderation-log", g.space)).await;
    assert!(log.contains("A message was hidden after reports") && !log.contains("Bring your own jars"));
    let restored = g.coordinator.post(&format!("/messages/{first}/moderate"), &[("action", "restore")]).await;
    assert_eq!(restored.status().as_u16(), 303);
    let (_, page) = g.members[1].1.get_text(&format!("/topics/{topic}")).await;
    assert!(page.contains("Bring your own jars"));
    let (_, log) = g.members[2].1.get_text(&format!("/spaces/{}/moderation-log", g.space)).await;
    assert!(log.contains("Restored a message") && log.contains("Colin Coordinator"));
    // Members cannot moderate.
    let refused = g.members[1].1.post(&format!("/messages/{first}/moderate"), &[("action", "hide")]).await;
    assert_eq!(refused.status().as_u16(), 403);
}

#[tokio::test]
async fn moderators_warn_mute_and_lock_and_members_read_the_log_without_notes() {
    let g = group(2, false).await;
    let (ann_id, ann) = (&g.members[0].0, &g.members[0].1);
    let topic = start(ann, g.space, "Parking at the hall", "Somebody keeps blocking the gate").await;
    let path = format!("/spaces/{}/moderation/members", g.space);
    let warning = "Please talk about the parking, not about people.";
    let warned =
        g.coordinator.post(&path, &[("member", &ann_id.to_string()), ("action", "warn"), ("note", warning)]).await;
    assert_eq!(warned.status().as_u16(), 303);
    let email = g.app.last_email_to("m0@diss.example").await;
    assert!(email.body.contains(warning));
    // A warning needs words; a pause needs a number of days.
    let (status, page) =
        g.coordinator.post_text(&path, &[("member", &ann_id.to_string()), ("action", "warn"), ("note", "")]).await;
    assert_eq!(status, 422, "{page}");
    let (status, _) =
        g.coordinator.post_text(&path, &[("member", &ann_id.to_string()), ("action", "mute"), ("days", "lots")]).await;
    assert_eq!(status, 422);
    // Only the group's ordinary members can be warned or paused.
    let colin = accounts::member_by_email(g.app.db(), "colin@diss.example").await.unwrap().unwrap().id;
    let olive = accounts::member_by_email(g.app.db(), "olive@diss.example").await.unwrap().unwrap().id;
    let (status, _) =
        g.coordinator.post_text(&path, &[("member", &colin.to_string()), ("action", "warn"), ("note", warning)]).await;
    assert_eq!(status, 409);
    let (status, _) =
        g.coordinator.post_text(&path, &[("member", &olive.to_string()), ("action", "warn"), ("note", warning)]).await;
    assert_eq!(status, 422);
    assert!(!g.app.outbox().await.iter().any(|m| m.to_address == "olive@diss.example"));
    let muted = g.coordinator.post(&path, &[("member", &ann_id.to_string()), ("action", "mute"), ("days", "2")]).await;
    assert_eq!(muted.status().as_u16(), 303);
    assert_eq!(say(ann, topic, "But it is true").await.status().as_u16(), 403);
    let (_, page) = ann.get_text(&format!("/topics/{topic}")).await;
    assert!(page.contains("paused your messages"));
    // The pause ends by itself.
    g.app.clock.advance(chrono::Duration::days(3));
    let ann = g.app.session_for(*ann_id).await;
    assert_eq!(say(&ann, topic, "Sorry, everyone").await.status().as_u16(), 303);
    // A locked topic takes no more messages (but from moderators).
    let locked = g.coordinator.post(&format!("/topics/{topic}/moderate"), &[("action", "lock")]).await;
    assert_eq!(locked.status().as_u16(), 303);
    assert_eq!(say(&ann, topic, "One more thing").await.status().as_u16(), 403);
    // Members read the log without the warning's words; the coordinator sees them.
    let (_, log) = g.members[1].1.get_text(&format!("/spaces/{}/moderation-log", g.space)).await;
    assert!(
        log.contains("Warned a member privately") && log.contains("Muted a member") && log.contains("Locked a topic")
    );
    assert!(!log.contains(warning));
    let (_, log) = g.coordinator.get_text(&format!("/spaces/{}/moderation-log", g.space)).await;
    assert!(log.contains(warning));
}

#[tokio::test]
async fn posting_is_refused_outside_the_group_when_too_big_or_too_fast() {
    let g = group(1, false).await;
    let (ann_id, ann) = (&g.members[0].0, &g.members[0].1);
    let topic = start(ann, g.space, "Seed swap", "Bring seeds").await;
    // A page of topics far beyond the end is simply not there.
    assert_eq!(ann.get(&format!("/spaces/{}/topics?page=18446744073709551615", g.space)).await.status().as_u16(), 404);
    // Someone outside a members-only group cannot read or write there.
    assert_eq!(g.outsider.get(&format!("/topics/{topic}")).await.status().as_u16(), 403);
    assert_eq!(say(&g.outsider, topic, "Hello?").await.status().as_u16(), 403);
    // A huge message is refused politely, and nothing is written.
    let huge = "x".repeat(10_001);
    let (status, page) = ann.post_text(&format!("/topics/{topic}/messages"), &[("body", &huge)]).await;
    assert_eq!(status, 422);
    assert!(page.contains("10000 characters or fewer"));
    assert_eq!(talk::topic(g.app.db(), topic).await.unwrap().unwrap().last_number, 1);
    // A flood is refused.
    let mut statuses = Vec::new();
    for i in 0..12 {
        statuses.push(say(ann, topic, &format!("Message {i}")).await.status().as_u16());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 303).count(), 9, "{statuses:?}");
    assert_eq!(*statuses.last().unwrap(), 429);
    // Having left the group, Ann can no longer post there.
    assert_eq!(ann.post(&format!("/spaces/{}/leave", g.space), &[]).await.status().as_u16(), 303);
    g.app.clock.advance(chrono::Duration::minutes(2));
    let ann = g.app.session_for(*ann_id).await;
    assert_eq!(say(&ann, topic, "Still here?").await.status().as_u16(), 403);
}

/// Script injection in every field is shown as text, never run.
#[tokio::test]
async fn script_in_every_field_is_harmless() {
    const PAYLOADS: &[&str] = &[
        "<script>alert('x')</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "<svg onload=alert(1)>",
        "\"><script>alert(2)</script>",
        "<a href=\"javascript:alert(3)\">x</a>",
        "<iframe src=\"https://evil.example\"></iframe>",
    ];
    let app = spawn_app().await;
    let _ = app.set_up().await;
    let steward_id = accounts::member_by_email(app.db(), "margaret@diss.example").await.unwrap().unwrap().id;
    let steward = app.session_for(steward_id).await;
    let evil_name = "<script>alert('name')</script>";
    let author = app.add_account(evil_name, "evil@diss.example", AccountStatus::Member, false).await;
    let browser = app.session_for(author).await;
    let space = app.root();
    talk::set_rules(app.db(), space, TalkRules { first_messages_to_approve: 0, ..TalkRules::default() }).await.unwrap();
    let reader_id = app.add_account("Rita Reader", "rita@diss.example", AccountStatus::Member, false).await;
    let reader = app.session_for(reader_id).await;
    for payload in PAYLOADS {
        app.clock.advance(chrono::Duration::minutes(1));
        let topic = start(&browser, space, payload, payload).await;
        say(&browser, topic, &format!("{payload} again")).await;
        let message = message_id(&app, topic, 2).await;
        let reported = reader.post(&format!("/messages/{message}/report"), &[("reason", payload)]).await;
        assert_eq!(reported.status().as_u16(), 303);
        let pages = [
            (&reader, format!("/topics/{topic}")),
            (&reader, format!("/spaces/{space}/topics")),
            (&reader, format!("/messages/{message}/report")),
            (&reader, format!("/topics/{topic}?quote=2")),
            (&steward, format!("/spaces/{space}/moderation")),
            (&steward, format!("/spaces/{space}/moderation-log")),
        ];
        for (viewer, path) in pages {
            let (status, html) = viewer.get_text(&path).await;
            assert_eq!(status, 200, "{path}");
            // Escaped text may still read "onerror=" or "javascript:"; live markup may not.
            for bad in
                ["<script>alert", "<img src=x", "<svg onload", "href=\"javascript:", "<iframe", "<a href=\"javascript"]
            {
                assert!(!html.contains(bad), "{bad} in {path} for {payload}");
            }
        }
    }
    // A reaction that is not one of ours is refused without being echoed.
    let topic = start(&browser, space, "Reactions", "Hello").await;
    let message = message_id(&app, topic, 1).await;
    let (status, html) =
        reader.post_text(&format!("/messages/{message}/react"), &[("reaction", "<script>alert(4)</script>")]).await;
    assert_eq!(status, 422);
    assert!(!html.contains("alert(4)"));
}

/// A WebSocket client of a topic page.
async fn open_live(
    app: &TestApp,
    member: MemberId,
    topic: TopicId,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let (socket, _) = tokio_tungstenite::connect_async(live_request(app, member, topic).await).await.unwrap();
    socket
}

/// The request that opens a topic's live connection, with a new session of the member.
pub async fn live_request(
    app: &TestApp,
    member: MemberId,
    topic: TopicId,
) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let token = crate::helpers::session_token(app, member).await;
    let url = format!("{}/topics/{topic}/live", app.base.replace("http://", "ws://"));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert("cookie", format!("planet_session={token}").parse().unwrap());
    request
}

/// The next event of a kind, within a few seconds.
async fn next_event(
    socket: &mut tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    kind: &str,
) -> serde_json::Value {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let message = socket.next().await.unwrap().unwrap();
            if let Ok(text) = message.to_text() {
                let value: serde_json::Value = serde_json::from_str(text).unwrap();
                if value["kind"] == kind {
                    return value;
                }
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no {kind} event"))
}

#[tokio::test]
async fn an_open_topic_hears_new_messages_changes_and_who_is_here() {
    let g = group(2, false).await;
    let (ann_id, ann) = (g.members[0].0, &g.members[0].1);
    let bob_id = g.members[1].0;
    let topic = start(ann, g.space, "Choir practice", "Tuesday at seven").await;
    let mut socket = open_live(&g.app, bob_id, topic).await;
    let presence = next_event(&mut socket, "presence").await;
    assert_eq!(presence["names"], serde_json::json!(["Member 1"]));
    let mut ann_socket = open_live(&g.app, ann_id, topic).await;
    let presence = next_event(&mut socket, "presence").await;
    assert_eq!(presence["names"], serde_json::json!(["Member 0", "Member 1"]));
    drop(ann_socket.close(None).await);
    say(ann, topic, "See you there <script>alert(1)</script>").await;
    let posted = next_event(&mut socket, "posted").await;
    assert_eq!(posted["number"], 2);
    let html = posted["html"].as_str().unwrap();
    assert!(html.contains("See you there") && !html.contains("<script>"), "{html}");
    // The live copy carries the author's buttons hidden; the page's script shows them to her.
    assert!(html.contains("class=\"action-link for-author\" href=\"/messages/") && html.contains(" hidden>"));
    let second = message_id(&g.app, topic, 2).await;
    g.members[1].1.post(&format!("/messages/{second}/react"), &[("reaction", "heart"), ("on", "1")]).await;
    let changed = next_event(&mut socket, "changed").await;
    assert_eq!(changed["number"], 2);
    assert!(changed["html"].as_str().unwrap().contains("❤️</span> 1"));
}

#[tokio::test]
async fn a_topic_one_may_not_see_cannot_be_listened_to() {
    let g = group(1, false).await;
    let topic = start(&g.members[0].1, g.space, "Private plans", "Just us").await;
    let outsider =
        planet_store::queries::accounts::member_by_email(g.app.db(), "olive@diss.example").await.unwrap().unwrap().id;
    match tokio_tungstenite::connect_async(live_request(&g.app, outsider, topic).await).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status().as_u16(), 403),
        other => panic!("the outsider was let in: {:?}", other.map(|(_, r)| r.status())),
    }
    // Nor from another site with a member's cookie.
    let mut request = live_request(&g.app, g.members[0].0, topic).await;
    request.headers_mut().insert("origin", "https://evil.example".parse().unwrap());
    assert!(tokio_tungstenite::connect_async(request).await.is_err());
}

async fn get_json(client: &reqwest::Client, token: &str, url: String) -> serde_json::Value {
    client.get(url).bearer_auth(token).send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn programs_talk_through_the_api() {
    let g = group(2, false).await;
    let (_, page) = g.members[0].1.post_text("/settings/tokens", &[("name", "talk script")]).await;
    let token = crate::helpers::api_token_in(&page);
    let client = reqwest::Client::new();
    let api = |path: String| format!("{}/api/v1{path}", g.app.base);
    let started: serde_json::Value = client
        .post(api(format!("/spaces/{}/topics", g.space)))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "title": "Tool library", "body": "Who has a **ladder**?" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((started["number"].as_i64(), started["pending"].as_bool()), (Some(1), Some(false)));
    let topic = started["topic_id"].as_str().unwrap().to_owned();
    say(&g.members[1].1, topic.parse().unwrap(), "I have one").await;
    let listed: serde_json::Value = get_json(&client, &token, api(format!("/spaces/{}/topics", g.space))).await;
    assert_eq!(listed[0]["title"], "Tool library");
    assert_eq!(listed[0]["unread"], 1);
    let read: serde_json::Value = get_json(&client, &token, api(format!("/topics/{topic}/messages"))).await;
    assert_eq!(read["last_read"], 1, "reading through the API does not mark it read");
    assert_eq!(read["messages"][0]["html"], "<p>Who has a <strong>ladder</strong>?</p>\n");
    assert_eq!(read["messages"][1]["body"], "I have one");
    let marked: serde_json::Value = client
        .post(api(format!("/topics/{topic}/read")))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "number": 2 }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(marked["last_read"], 2);
    let second = read["messages"][1]["id"].as_str().unwrap().to_owned();
    let react = |reaction: &'static str| {
        client
            .post(api(format!("/messages/{second}/reactions")))
            .bearer_auth(&token)
            .json(&serde_json::json!({ "reaction": reaction, "on": true }))
            .send()
    };
    assert_eq!(react("celebrate").await.unwrap().status().as_u16(), 200);
    let refused = react("thumbs_down").await.unwrap();
    assert_eq!(refused.status().as_u16(), 422);
    let error: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(error["error"]["code"], "invalid_input");
    // Someone else's message cannot be changed.
    let edit = client
        .post(api(format!("/messages/{second}")))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "body": "mine" }))
        .send()
        .await
        .unwrap();
    assert_eq!(edit.status().as_u16(), 403);
    let read: serde_json::Value = get_json(&client, &token, api(format!("/topics/{topic}/messages?after=1"))).await;
    assert_eq!(read["messages"].as_array().unwrap().len(), 1);
    assert_eq!(
        read["messages"][0]["reactions"][0],
        serde_json::json!({ "reaction": "celebrate", "count": 1, "mine": true })
    );
}

#[tokio::test]
async fn a_message_waiting_for_approval_reaches_open_pages_only_once_approved() {
    let g = group(2, true).await;
    let (ann, bob_id) = (&g.members[0].1, g.members[1].0);
    let topic = start(&g.coordinator, g.space, "Litter pick", "Sunday at ten, meet at the Mere").await;
    let mut socket = open_live(&g.app, bob_id, topic).await;
    next_event(&mut socket, "presence").await;
    let waiting = say(ann, topic, "Count me in").await;
    assert!(location(&waiting).contains("done=message_waiting"));
    let second = message_id(&g.app, topic, 2).await;
    // Only the approval sends it: the first event Bob's page hears is the posted message.
    let approved = g.coordinator.post(&format!("/messages/{second}/moderate"), &[("action", "approve")]).await;
    assert_eq!(approved.status().as_u16(), 303);
    let posted = tokio::time::timeout(Duration::from_secs(10), socket.next()).await.unwrap().unwrap().unwrap();
    let posted: serde_json::Value = serde_json::from_str(posted.to_text().unwrap()).unwrap();
    assert_eq!((posted["kind"].as_str(), posted["number"].as_i64()), (Some("posted"), Some(2)));
    assert!(posted["html"].as_str().unwrap().contains("Count me in"));
}

#[tokio::test]
async fn an_open_page_is_let_go_when_its_member_leaves_or_is_suspended() {
    let g = group(2, false).await;
    let (ann_id, ann) = (g.members[0].0, &g.members[0].1);
    let bob_id = g.members[1].0;
    let topic = start(ann, g.space, "Committee", "Minutes to follow").await;
    let mut ann_socket = open_live(&g.app, ann_id, topic).await;
    let mut bob_socket = open_live(&g.app, bob_id, topic).await;
    next_event(&mut ann_socket, "presence").await;
    next_event(&mut bob_socket, "presence").await;
    // Ann leaves the members-only group: her page is told to reload (and then sees nothing).
    assert_eq!(ann.post(&format!("/spaces/{}/leave", g.space), &[]).await.status().as_u16(), 303);
    next_event(&mut ann_socket, "reload").await;
    // Bob's page stays.
    say(&g.coordinator, topic, "Still here").await;
    assert_eq!(next_event(&mut bob_socket, "posted").await["number"], 2);
    // Bob is suspended by a steward: his page is let go too.
    let steward = g.app.log_in("margaret@diss.example", crate::helpers::PASSWORD).await;
    assert_eq!(steward.post(&format!("/admin/members/{bob_id}/suspend"), &[]).await.status().as_u16(), 303);
    next_event(&mut bob_socket, "reload").await;
}

/// The latest page of a topic is kept in memory; a change made through the database by another
/// process (here: straight through the store) shows at once, because every change counts the
/// topic's version up.
#[tokio::test]
async fn a_topic_kept_in_memory_shows_changes_made_elsewhere_at_once() {
    let g = group(2, false).await;
    let (ann, bob) = (&g.members[0].1, &g.members[1].1);
    let topic = start(ann, g.space, "Seed swap", "Bring your spare seeds").await;
    let (_, page) = bob.get_text(&format!("/topics/{topic}")).await;
    assert!(page.contains("Bring your spare seeds") && !page.contains("aria-pressed=\"true\""), "{page}");
    let first = talk::message_by_number(g.app.db(), topic, 1).await.unwrap().unwrap().id;
    let now = g.app.clock_now();
    // Another process: a reaction, an edit, a new message.
    talk::set_reaction(g.app.db(), first, g.members[1].0, planet_domain::talk::Reaction::Heart, true, now)
        .await
        .unwrap();
    let (_, page) = bob.get_text(&format!("/topics/{topic}")).await;
    assert!(page.contains("aria-pressed=\"true\""), "the reaction shows: {page}");
    talk::edit_message(g.app.db(), first, "Bring spare beans", "<p>Bring spare beans</p>", false, now).await.unwrap();
    let (_, page) = bob.get_text(&format!("/topics/{topic}")).await;
    assert!(page.contains("Bring spare beans") && !page.contains("Bring your spare seeds"), "{page}");
    talk::hide_message(g.app.db(), first, now).await.unwrap();
    let (_, page) = bob.get_text(&format!("/topics/{topic}")).await;
    assert!(!page.contains("Bring spare beans"), "hidden at once: {page}");
}

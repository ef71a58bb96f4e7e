//! Private conversations on a real database: only those taking part read them (not other
//! members, not stewards, not through search, notifications or the live socket); people are
//! added and leave; blocking stops private messages; a reported message reaches the stewards
//! alone, without the rest of the conversation.

use crate::helpers::{Browser, TestApp, location, spawn_app};
use crate::talk::{live_request, say};
use planet_domain::space::AccountStatus;
use planet_domain::{MemberId, TopicId};
use planet_store::queries::talk;

struct People {
    app: TestApp,
    steward: Browser,
    ann: (MemberId, Browser),
    bob: (MemberId, Browser),
    cat: (MemberId, Browser),
}

async fn people() -> People {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    let mut made = Vec::new();
    for (name, email) in
        [("Ann Baker", "ann@diss.example"), ("Bob Cole", "bob@diss.example"), ("Cat Dunn", "cat@diss.example")]
    {
        let id = app.add_account(name, email, AccountStatus::Member, false).await;
        made.push((id, app.session_for(id).await));
    }
    let cat = made.pop().unwrap();
    let bob = made.pop().unwrap();
    let ann = made.pop().unwrap();
    People { app, steward, ann, bob, cat }
}

/// Write privately; returns the conversation.
async fn write(from: &Browser, to: &[MemberId], subject: &str, body: &str) -> TopicId {
    let mut form: Vec<(&str, String)> = to.iter().map(|id| ("with", id.to_string())).collect();
    form.push(("subject", subject.to_owned()));
    form.push(("body", body.to_owned()));
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = from.post("/conversations", &form).await;
    assert_eq!(response.status().as_u16(), 303, "{}", response.text().await.unwrap_or_default());
    let place = location(&response);
    assert!(place.contains("done=conversation_started"), "{place}");
    place.trim_start_matches("/topics/").split(['?', '#']).next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn only_those_taking_part_read_a_private_conversation() {
    let p = people().await;
    let (ann, bob, cat) = (&p.ann.1, &p.bob.1, &p.cat.1);
    // From Bob's page in Who We Are, Ann finds the button, and the form has Bob on its "To" line.
    let (_, profile) = ann.get_text(&format!("/people/{}", p.bob.0)).await;
    assert!(profile.contains(&format!("href=\"/conversations/new?with={}\"", p.bob.0)), "{profile}");
    let (_, form) = ann.get_text(&format!("/conversations/new?with={}", p.bob.0)).await;
    assert!(form.contains("Bob Cole") && form.contains(&format!("name=\"with\" value=\"{}\"", p.bob.0)), "{form}");
    let (_, found) = ann.get_text(&format!("/conversations/new?with={}&q=cat", p.bob.0)).await;
    assert!(found.contains(&format!("with={}&#38;with={}", p.bob.0, p.cat.0)), "{found}");

    let topic = write(ann, &[p.bob.0], "", "Would you like some *plums* from our tree?").await;
    // The subject is the start of the message.
    let (status, page) = bob.get_text(&format!("/topics/{topic}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("<h1>Would you like some *plums* from our tree?</h1>"), "{page}");
    assert!(page.contains("A private conversation with") && page.contains("Ann Baker"), "{page}");
    assert!(page.contains("<em>plums</em>"));
    // Bob is told, privately, and sees it in his list.
    let (_, notes) = bob.get_text("/notifications").await;
    assert!(notes.contains("Ann Baker wrote to you privately"), "{notes}");
    let (_, list) = bob.get_text("/conversations").await;
    assert!(list.contains(&format!("/topics/{topic}")) && list.contains("With Ann Baker"), "{list}");
    assert_eq!(say(bob, topic, "Yes please, plumcake for everyone").await.status().as_u16(), 303);

    // Nobody else: not Cat, not the steward, by page, API, socket, search, or the root's lists.
    for outsider in [cat, &p.steward] {
        assert_eq!(outsider.get(&format!("/topics/{topic}")).await.status().as_u16(), 404);
        assert_eq!(outsider.get(&format!("/api/v1/topics/{topic}/messages")).await.status().as_u16(), 404);
        assert_eq!(say(outsider, topic, "Hello?").await.status().as_u16(), 404);
        assert_eq!(outsider.get(&format!("/conversations/{topic}/people")).await.status().as_u16(), 404);
        let (_, search) = outsider.get_text("/talk/search?q=plumcake").await;
        assert!(!search.contains("plumcake for everyone"), "{search}");
        let (_, root) = outsider.get_text(&format!("/spaces/{}/topics", p.app.root())).await;
        assert!(!root.contains(&topic.to_string()), "{root}");
    }
    match tokio_tungstenite::connect_async(live_request(&p.app, p.cat.0, topic).await).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status().as_u16(), 404),
        other => panic!("Cat's socket should be refused: {:?}", other.map(|_| ())),
    }
    // Those taking part find it by searching.
    let (_, search) = ann.get_text("/talk/search?q=plumcake").await;
    assert!(search.contains("plumcake") && search.contains("Private conversation"), "{search}");

    // Ann adds Cat, who is told and can read it all; then Cat leaves, and it is gone for her.
    let (_, page) = ann.get_text(&format!("/conversations/{topic}/people?q=dunn")).await;
    assert!(page.contains("Add Cat Dunn"), "{page}");
    let added = ann.post(&format!("/conversations/{topic}/people"), &[("member", &p.cat.0.to_string())]).await;
    assert_eq!(added.status().as_u16(), 303);
    let again = ann.post(&format!("/conversations/{topic}/people"), &[("member", &p.cat.0.to_string())]).await;
    assert_eq!(again.status().as_u16(), 409);
    let (status, page) = cat.get_text(&format!("/topics/{topic}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("plums") && page.contains("plumcake"), "{page}");
    let (_, notes) = cat.get_text("/notifications").await;
    assert!(notes.contains("Would you like some"), "{notes}");
    assert_eq!(cat.post(&format!("/conversations/{topic}/leave"), &[]).await.status().as_u16(), 303);
    assert_eq!(cat.get(&format!("/topics/{topic}")).await.status().as_u16(), 404);
    let (_, notes) = cat.get_text("/notifications").await;
    assert!(!notes.contains("Would you like some") && !notes.contains("plums"), "{notes}");
    let (_, list) = cat.get_text("/conversations").await;
    assert!(!list.contains(&topic.to_string()), "{list}");
}

#[tokio::test]
async fn blocking_stops_private_messages_and_bad_input_is_refused() {
    let p = people().await;
    let (ann, bob) = (&p.ann.1, &p.bob.1);
    let topic = write(ann, &[p.bob.0], "Plums", "Would you like some?").await;
    // Nobody to write to, someone unknown, oneself only, an empty message: clear errors.
    for form in [
        vec![("body", "Hello")],
        vec![("with", "not-an-id"), ("body", "Hello")],
        vec![("with", &*p.ann.0.to_string().leak()), ("body", "Hello")],
        vec![("with", &*p.bob.0.to_string().leak()), ("body", "  ")],
    ] {
        let (status, page) = ann.post_text("/conversations", &form).await;
        assert_eq!(status, 422, "{form:?}: {page}");
        assert!(page.contains("There is a problem"), "{page}");
    }
    // Bob blocks Ann: she can neither start a new conversation with him nor write in theirs.
    assert_eq!(bob.post(&format!("/people/{}/block", p.ann.0), &[]).await.status().as_u16(), 303);
    let (status, page) = ann.post_text("/conversations", &[("with", &p.bob.0.to_string()), ("body", "Hello?")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("You cannot write privately to Bob Cole"), "{page}");
    assert_eq!(say(ann, topic, "Hello?").await.status().as_u16(), 403);
    let (_, page) = ann.get_text(&format!("/topics/{topic}")).await;
    assert!(page.contains("You cannot write in this conversation any more"), "{page}");
    // Nothing was written.
    let conversation = talk::topic(p.app.db(), topic).await.unwrap().unwrap();
    assert_eq!(conversation.last_number, 1);
    // Bob can still write to Ann? No: he blocked her, so he unblocks first.
    let (status, _) = bob.post_text("/conversations", &[("with", &p.ann.0.to_string()), ("body", "Sorry")]).await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn a_reported_private_message_reaches_the_stewards_alone() {
    let p = people().await;
    let (ann, bob) = (&p.ann.1, &p.bob.1);
    let topic = write(ann, &[p.bob.0], "Our secret plans", "Meet me at the mill").await;
    assert_eq!(say(ann, topic, "You are a fool, Bob").await.status().as_u16(), 303);
    let rude = talk::message_by_number(p.app.db(), topic, 2).await.unwrap().unwrap().id;
    let first = talk::message_by_number(p.app.db(), topic, 1).await.unwrap().unwrap().id;
    let reported = bob.post(&format!("/messages/{rude}/report"), &[("reason", "Calling me names")]).await;
    assert_eq!(reported.status().as_u16(), 303);
    // The steward's queue shows the reported message, not the conversation's subject.
    let root = p.app.root();
    let (status, queue) = p.steward.get_text(&format!("/spaces/{root}/moderation")).await;
    assert_eq!(status, 200);
    assert!(queue.contains("You are a fool") && queue.contains("in a private conversation"), "{queue}");
    assert!(!queue.contains("Our secret plans") && !queue.contains(&format!("/topics/{topic}")), "{queue}");
    // The steward decides on that message, and reaches nothing else of the conversation.
    let hidden = p.steward.post(&format!("/messages/{rude}/moderate"), &[("action", "hide"), ("back", "queue")]).await;
    assert_eq!(hidden.status().as_u16(), 303);
    assert_eq!(p.steward.get(&format!("/messages/{rude}/history")).await.status().as_u16(), 200);
    assert_eq!(p.steward.get(&format!("/messages/{first}/history")).await.status().as_u16(), 404);
    let moderate = p.steward.post(&format!("/messages/{first}/moderate"), &[("action", "hide")]).await;
    assert_eq!(moderate.status().as_u16(), 404);
    assert_eq!(p.steward.get(&format!("/topics/{topic}")).await.status().as_u16(), 404);
    // Bob no longer sees the text; the public log says what happened without pointing into it.
    let (_, page) = bob.get_text(&format!("/topics/{topic}")).await;
    assert!(!page.contains("You are a fool"), "{page}");
    let (_, log) = bob.get_text(&format!("/spaces/{root}/moderation-log")).await;
    assert!(!log.contains(&topic.to_string()) && !log.contains("Our secret plans"), "{log}");
    // Ann's private messages do not count as the first messages a coordinator approves.
    assert_eq!(talk::published_count(p.app.db(), root, p.ann.0).await.unwrap(), 0);
}

#[tokio::test]
async fn the_api_starts_lists_and_leaves_conversations() {
    let p = people().await;
    let token = api_token(&p.ann.1).await;
    let client = reqwest::Client::new();
    let api = |path: &str| format!("{}{path}", p.app.base);
    let started: serde_json::Value = client
        .post(api("/api/v1/conversations"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "with": [p.bob.0.to_string()], "body": "Lift to the market on Friday?" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let topic = started["topic_id"].as_str().unwrap().to_owned();
    let list: serde_json::Value =
        client.get(api("/api/v1/conversations")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(list[0]["id"], topic.as_str());
    assert_eq!(list[0]["with"][0], "Bob Cole");
    let bad = client
        .post(api("/api/v1/conversations"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "with": [], "body": "Hello" }))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 422);
    let added = client
        .post(api(&format!("/api/v1/conversations/{topic}/people")))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "member": p.cat.0.to_string() }))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status().as_u16(), 200);
    let left =
        client.post(api(&format!("/api/v1/conversations/{topic}/leave"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(left.status().as_u16(), 200);
    let gone = client.get(api(&format!("/api/v1/topics/{topic}/messages"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(gone.status().as_u16(), 404);
}

async fn api_token(browser: &Browser) -> String {
    let (_, page) = browser.post_text("/settings/tokens", &[("name", "script")]).await;
    crate::helpers::api_token_in(&page)
}

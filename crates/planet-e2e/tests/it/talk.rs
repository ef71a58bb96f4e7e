//! Talk in the browser: two members chat live in a group's topic, each in their own browser; a
//! third reports a message; a coordinator hides it (and it disappears from the open page); the
//! moderation log shows it.

use crate::journey::{Journey, PASSWORD, in_two_browsers};
use crate::trust::add_member;
use planet_domain::SpaceId;
use planet_domain::space::{JoinPolicy, Role, Visibility};
use planet_domain::talk::TalkRules;
use planet_store::queries::spaces::{self, SpaceFields};
use planet_store::queries::{community, talk};
use std::future::Future;
use std::pin::Pin;
use thirtyfour::prelude::*;

/// Send a message from the topic page (the page's script sends it without leaving the page).
async fn send(j: &mut Journey, text: &str) -> WebDriverResult<()> {
    j.fill("body", text).await?;
    j.browser.find(By::Css("#reply-form button[type=submit]")).await?.click().await
}

/// Wait until an element on the open page shows this text (it arrives over the WebSocket).
async fn shows(j: &Journey, by: By, text: &str) -> WebDriverResult<()> {
    let element = j.browser.query(by).first().await?;
    let text = text.to_owned();
    element
        .wait_until()
        .condition(Box::new(move |element: WebElement| {
            let text = text.clone();
            Box::pin(async move { Ok(element.text().await.map(|t| t.contains(&text)).unwrap_or(false)) })
        }))
        .await
}

/// Wait until message `number` on the open page shows this text.
async fn arrives(j: &Journey, number: i32, text: &str) -> WebDriverResult<()> {
    shows(j, By::Id(format!("m{number}")), text).await
}

/// A small purple picture, as a PNG.
pub(crate) const PLUMS_PNG: &[u8] = &[
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 64, 0, 0, 0, 48, 8, 2, 0, 0, 0, 46, 41, 235,
    72, 0, 0, 0, 67, 73, 68, 65, 84, 120, 218, 237, 207, 65, 9, 0, 0, 8, 4, 176, 139, 99, 58, 223, 198, 183, 130, 95,
    97, 176, 2, 203, 84, 191, 22, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 129, 171, 5, 199, 243, 168, 181, 27, 80, 98, 89, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

async fn walk(a: &mut Journey, b: &mut Journey) -> WebDriverResult<()> {
    // A steward, a coordinator of the Community Farm group, and three of its members.
    b.visit("/setup").await?;
    b.fill_setup().await?;
    // The steward writes the community's own code of conduct.
    b.visit("/admin/code-of-conduct").await?;
    b.check().await?;
    b.fill("body", "We are neighbours. **Be kind**, and no name-calling.").await?;
    b.submit("main form button[type=submit]").await?;
    assert!(b.text().await?.contains("Version 1"));
    let state = b.state.clone();
    let now = state.now();
    let colin = add_member(b, "Colin Coordinator", "colin@diss.example").await;
    let ann = add_member(b, "Ann Baker", "ann@diss.example").await;
    let bob = add_member(b, "Bob Smith", "bob@diss.example").await;
    let cath = add_member(b, "Cath Jones", "cath@diss.example").await;
    let farm = SpaceId::new_v7();
    let root = state.community().unwrap().root_space_id;
    let fields = SpaceFields {
        name: "Community Farm",
        description: "Growing food together at Roydon",
        visibility: Visibility::Members,
        join_policy: JoinPolicy::Open,
    };
    spaces::create_space(state.db(), farm, Some(root), fields, Some(colin), now).await.unwrap();
    spaces::add_member(state.db(), farm, colin, Role::Coordinator, now).await.unwrap();
    for member in [ann, bob, cath] {
        spaces::add_member(state.db(), farm, member, Role::Member, now).await.unwrap();
    }
    // They agreed to the code when they joined; Ann joined before it was written.
    for member in [colin, bob, cath] {
        community::accept_conduct(state.db(), member, 1, now).await.unwrap();
    }
    // A group whose members all know each other: no approval of first messages.
    talk::set_rules(state.db(), farm, TalkRules { first_messages_to_approve: 0, ..TalkRules::default() })
        .await
        .unwrap();
    state.changed();

    // Ann starts a topic; Bob opens it in his own browser.
    a.log_in("ann@diss.example").await?;
    a.visit(&format!("/spaces/{farm}")).await?;
    a.browser.find(By::LinkText("Conversations")).await?.click().await?;
    a.check().await?;
    a.fill("title", "Harvest day on Saturday").await?;
    a.fill("body", "Who can help pick the **squash**?").await?;
    a.submit("main form[action$='/topics'] button[type=submit]").await?;
    // She is asked to agree to the code of conduct first, and does.
    assert!(a.text().await?.contains("Our code of conduct has changed"));
    a.browser.find(By::LinkText("Read the code of conduct")).await?.click().await?;
    a.check().await?;
    a.submit("main form[action='/code-of-conduct/accept'] button[type=submit]").await?;
    assert!(a.browser.find(By::Css(".flash")).await?.text().await?.contains("Thank you for agreeing"));
    a.visit(&format!("/spaces/{farm}/topics")).await?;
    a.fill("title", "Harvest day on Saturday").await?;
    a.fill("body", "Who can help pick the **squash**?").await?;
    a.submit("main form[action$='/topics'] button[type=submit]").await?;
    assert!(a.text().await?.contains("Who can help pick the squash?"));
    let topic_url = a.browser.current_url().await?.to_string();
    let topic_path = topic_url.trim_start_matches(&a.base).split(['?', '#']).next().unwrap().to_owned();

    b.log_in("bob@diss.example").await?;
    b.visit(&topic_path).await?;
    // Each sees the other is here.
    shows(a, By::Id("here-now"), "Bob Smith").await?;
    shows(b, By::Id("here-now"), "Ann Baker").await?;

    // They chat: each message appears on the other's page without reloading.
    send(b, "I can come from ten o'clock.").await?;
    arrives(a, 2, "I can come from ten o'clock.").await?;
    send(a, "Wonderful, bring gloves!").await?;
    arrives(b, 3, "Wonderful, bring gloves!").await?;
    send(b, "Will do. Anyone who says otherwise is an idiot.").await?;
    arrives(a, 4, "Anyone who says otherwise").await?;
    a.check().await?;
    b.check().await?;
    send(b, "@Cath Jones could you bring the wheelbarrow?").await?;
    arrives(a, 5, "could you bring the wheelbarrow?").await?;

    // Cath was mentioned: her bell says so on every page; her notifications lead to the topic.
    b.log_in("cath@diss.example").await?;
    shows(b, By::Id("bell-count"), "1").await?;
    b.browser.find(By::Id("bell")).await?.click().await?;
    b.check().await?;
    assert!(b.text().await?.contains("Bob Smith mentioned you in “Harvest day on Saturday”"));
    b.visit("/notifications/settings").await?;
    b.check().await?;
    b.visit("/code-of-conduct").await?;
    b.check().await?;
    b.visit("/settings/blocked").await?;
    b.check().await?;
    b.visit("/talk").await?;
    b.check().await?;
    assert!(b.text().await?.contains("Harvest day on Saturday"));
    b.fill("q", "gloves").await?;
    b.submit("main form[role=search] button[type=submit]").await?;
    b.check().await?;
    assert!(b.text().await?.contains("Wonderful, bring gloves!"));
    b.visit("/notifications").await?;
    b.browser.find(By::PartialLinkText("mentioned you")).await?.click().await?;
    assert!(b.text().await?.contains("could you bring the wheelbarrow?"));
    assert!(!b.browser.find(By::Id("bell-count")).await?.is_displayed().await?, "the bell is quiet once read");

    // Cath reports Bob's unkind message.
    b.visit(&topic_path).await?;
    b.browser.find(By::Css("#m4 a[href$='/report']")).await?.click().await?;
    b.check().await?;
    assert!(b.text().await?.contains("no name-calling"));
    b.fill("reason", "It calls people names.").await?;
    b.submit("main form button[type=submit]").await?;
    assert!(b.text().await?.contains("The moderators will look at it"));

    // Colin, the coordinator, finds it in the moderation queue and hides it.
    b.log_in("colin@diss.example").await?;
    b.visit(&format!("/spaces/{farm}/moderation")).await?;
    assert!(b.text().await?.contains("It calls people names."));
    b.submit("main .queue form input[value=hide] ~ button").await?;
    assert!(b.text().await?.contains("It is in the moderation log"));
    // Ann's open page hears it: the message is hidden there too.
    arrives(a, 4, "hidden by the moderators").await?;
    assert!(!a.browser.find(By::Id("m4")).await?.text().await?.contains("idiot"));

    // The log shows what happened, to every member.
    b.log_in("cath@diss.example").await?;
    b.visit(&format!("/spaces/{farm}/moderation-log")).await?;
    let log = b.text().await?;
    assert!(log.contains("Hid a message") && log.contains("Colin Coordinator") && log.contains("Bob Smith"), "{log}");

    // Cath writes privately to Ann, from Ann's page in Who We Are.
    b.visit(&format!("/people/{ann}")).await?;
    b.browser.find(By::PartialLinkText("private message")).await?.click().await?;
    b.check().await?;
    assert!(b.text().await?.contains("Ann Baker"));
    b.fill("body", "Thank you for organising! Shall I bring a cake?").await?;
    b.submit("main form[action='/conversations'] button[type=submit]").await?;
    b.check().await?;
    assert!(b.text().await?.contains("Only the people in it can read it"));
    let private_url = b.browser.current_url().await?.to_string();
    let private_path = private_url.trim_start_matches(&b.base).split(['?', '#']).next().unwrap().to_owned();
    // Ann finds it under Messages and opens it; Cath's next message arrives there live.
    a.visit("/conversations").await?;
    a.check().await?;
    a.browser.find(By::PartialLinkText("Thank you for organising")).await?.click().await?;
    assert!(a.text().await?.contains("Shall I bring a cake?"));
    b.visit(&private_path).await?;
    send(b, "A lemon one, I think.").await?;
    arrives(a, 2, "A lemon one, I think.").await?;
    // A picture goes with a message (the browser sends the form itself; the page reloads).
    let picture = std::env::temp_dir().join(format!("planet-plums-{}.png", std::process::id()));
    std::fs::write(&picture, PLUMS_PNG).expect("a picture to upload");
    b.browser.find(By::Css("details.attach summary")).await?.click().await?;
    b.browser.find(By::Id("image")).await?.send_keys(picture.to_string_lossy()).await?;
    b.fill("image_description", "A bowl of plums").await?;
    b.fill("body", "Here they are").await?;
    b.submit("#reply-form button[type=submit]").await?;
    assert!(b.browser.find(By::Css("#m3 img[alt='A bowl of plums']")).await.is_ok());
    arrives(a, 3, "Here they are").await?;
    b.browser.find(By::LinkText("People in this conversation")).await?.click().await?;
    b.check().await?;
    assert!(b.text().await?.contains("Ann Baker"));
    // Nobody else reads it: not even Colin, who moderates the group.
    b.log_in("colin@diss.example").await?;
    b.visit(&private_path).await?;
    assert!(!b.text().await?.contains("lemon"));
    let _ = (PASSWORD, cath);
    Ok(())
}

fn both<'a>(a: &'a mut Journey, b: &'a mut Journey) -> Pin<Box<dyn Future<Output = WebDriverResult<()>> + 'a>> {
    Box::pin(walk(a, b))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_members_chat_live_and_a_report_is_moderated() {
    in_two_browsers(("talk-ann", "talk-others"), both).await;
}

//! Commons in the browser: a coordinator opens a consent proposal in a sub-group (the veg-box
//! rota inside the Community Farm) with results hidden until it closes; two members vote, one
//! with a reason; a member outside the group cannot see it; the results appear when it closes,
//! and the outcome the coordinator writes is posted in the poll's conversation.

use crate::journey::{Journey, click_link, in_two_browsers, pick};
use crate::trust::add_member;
use planet_domain::SpaceId;
use planet_domain::space::{JoinPolicy, Role, Visibility};
use planet_store::queries::spaces::{self, SpaceFields};
use std::future::Future;
use std::pin::Pin;
use thirtyfour::prelude::*;

async fn walk(a: &mut Journey, b: &mut Journey) -> WebDriverResult<()> {
    a.visit("/setup").await?;
    a.fill_setup().await?;
    let state = a.state.clone();
    let now = state.now();
    let colin = add_member(a, "Colin Coordinator", "colin@diss.example").await;
    let ann = add_member(a, "Ann Baker", "ann@diss.example").await;
    let bob = add_member(a, "Bob Smith", "bob@diss.example").await;
    let dan = add_member(a, "Dan Wood", "dan@diss.example").await;
    let root = state.community().unwrap().root_space_id;
    let farm = SpaceId::new_v7();
    let fields = SpaceFields {
        name: "Community Farm",
        description: "Growing food together at Roydon",
        visibility: Visibility::Members,
        join_policy: JoinPolicy::Open,
    };
    spaces::create_space(state.db(), farm, Some(root), fields, Some(colin), now).await.unwrap();
    let rota = SpaceId::new_v7();
    let fields = SpaceFields {
        name: "Veg-box rota",
        description: "Who packs the boxes, and when",
        visibility: Visibility::Members,
        join_policy: JoinPolicy::ByRequest,
    };
    spaces::create_space(state.db(), rota, Some(farm), fields, Some(colin), now).await.unwrap();
    for space in [farm, rota] {
        spaces::add_member(state.db(), space, colin, Role::Coordinator, now).await.unwrap();
        for member in [ann, bob] {
            spaces::add_member(state.db(), space, member, Role::Member, now).await.unwrap();
        }
    }
    // Dan belongs to the farm, not to its rota.
    spaces::add_member(state.db(), farm, dan, Role::Member, now).await.unwrap();
    state.changed();

    // Colin opens a proposal in the rota, its results hidden until it closes.
    a.log_in("colin@diss.example").await?;
    a.visit(&format!("/spaces/{rota}")).await?;
    click_link(a, "Polls").await?;
    click_link(a, "Start a poll or a proposal").await?;
    click_link(a, "Proposal").await?;
    a.fill("title", "Pack the boxes on Tuesdays instead of Fridays").await?;
    a.fill("details", "The farm shop now opens on **Wednesday** mornings.").await?;
    pick(a, "results-after_closing").await?;
    a.submit("main form[action$='/polls'] button[type=submit]").await?;
    assert!(a.text().await?.contains("Your poll is open"));
    let url = a.browser.current_url().await?.to_string();
    let poll = url.trim_start_matches(&a.base).split(['?', '#']).next().unwrap().to_owned();

    // Ann agrees; Bob agrees with a reason.
    b.log_in("ann@diss.example").await?;
    b.visit("/commons").await?;
    b.browser.find(By::LinkText("Pack the boxes on Tuesdays instead of Fridays")).await?.click().await?;
    b.check().await?;
    pick(b, "choice-0").await?;
    b.submit("main form[action$='/vote'] button[type=submit]").await?;
    let page = b.text().await?;
    assert!(page.contains("your vote has been counted"), "{page}");
    assert!(page.contains("The results will be shown when the poll closes"), "{page}");
    b.log_in("bob@diss.example").await?;
    b.visit(&poll).await?;
    pick(b, "choice-0").await?;
    b.fill("reason", "Tuesdays suit me better, too").await?;
    b.submit("main form[action$='/vote'] button[type=submit]").await?;
    let page = b.text().await?;
    assert!(page.contains("Ann Baker") && page.contains("Bob Smith"), "who has voted shows: {page}");
    assert!(page.contains("The results will be shown when the poll closes"), "{page}");
    assert!(!page.contains("How people voted"), "nothing of the votes shows before closing");

    // Dan, outside the rota, cannot see it.
    b.log_in("dan@diss.example").await?;
    b.visit(&poll).await?;
    let page = b.text().await?;
    assert!(!page.contains("Pack the boxes"), "{page}");
    b.visit("/commons").await?;
    assert!(!b.text().await?.contains("Pack the boxes"));

    // Colin closes it: the results appear, and the closing is posted in its conversation.
    a.visit(&poll).await?;
    assert!(a.text().await?.contains("The results will be shown when the poll closes"));
    a.submit("main form[action$='/close'] button[type=submit]").await?;
    let page = a.text().await?;
    assert!(page.contains("Passed") && page.contains("2 of 2 who took a side agreed"), "{page}");
    assert!(page.contains("Tuesdays suit me better, too"), "{page}");
    assert!(a.browser.find(By::Css("svg.chart rect.chart-bar")).await.is_ok());

    // He writes the outcome; it is posted in the topic.
    a.fill("outcome", "From January we pack on **Tuesdays**. Thank you all!").await?;
    a.submit("main form[action$='/outcome'] button[type=submit]").await?;
    assert!(a.text().await?.contains("What was decided"));
    a.browser.find(By::PartialLinkText("Pack the boxes on Tuesdays")).await?;
    let topic = a.browser.find(By::XPath("//main//a[starts-with(@href, '/topics/')]")).await?;
    topic.click().await?;
    a.check().await?;
    let page = a.text().await?;
    assert!(page.contains("has closed. Passed"), "{page}");
    assert!(page.contains("From January we pack on Tuesdays"), "{page}");
    Ok(())
}

fn both<'a>(a: &'a mut Journey, b: &'a mut Journey) -> Pin<Box<dyn Future<Output = WebDriverResult<()>> + 'a>> {
    Box::pin(walk(a, b))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_decides_by_consent_and_the_outcome_is_posted() {
    in_two_browsers(("polls-colin", "polls-ann"), both).await;
}

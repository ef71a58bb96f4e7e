//! Synergy in the browser: Bob asks for fruit; Ann offers apples with a photo and Bob is told of
//! the match; he says he is interested; Ann promises them to him and marks them taken; both
//! leave feedback, which shows once the second has written.

use crate::journey::{Journey, click_link, in_two_browsers, pick};
use crate::talk::PLUMS_PNG;
use crate::trust::add_member;
use std::future::Future;
use std::pin::Pin;
use thirtyfour::prelude::*;

async fn choose(j: &Journey, select: &str, option: &str) -> WebDriverResult<()> {
    j.browser
        .find(By::XPath(format!("//select[@id='{select}']/option[normalize-space()='{option}']")))
        .await?
        .click()
        .await
}

async fn walk(a: &mut Journey, b: &mut Journey) -> WebDriverResult<()> {
    a.visit("/setup").await?;
    a.fill_setup().await?;
    add_member(a, "Ann Baker", "ann@diss.example").await;
    add_member(a, "Bob Smith", "bob@diss.example").await;

    // Bob asks for fruit.
    b.log_in("bob@diss.example").await?;
    b.visit("/synergy").await?;
    click_link(b, "Ask for something").await?;
    pick(b, "kind-give").await?;
    b.fill("title", "Any fruit").await?;
    choose(b, "category", "Food").await?;
    b.fill("tags", "fruit").await?;
    b.submit("main form button[type=submit]").await?;
    assert!(b.text().await?.contains("Your listing is up"));

    // Ann offers apples, with a photo.
    a.log_in("ann@diss.example").await?;
    a.visit("/synergy").await?;
    click_link(a, "Offer something").await?;
    // A mistake first: the form comes back with the reason, and what was typed.
    a.fill("title", "Bramley apples").await?;
    a.submit("main form button[type=submit]").await?;
    assert!(a.text().await?.contains("There is a problem"));
    pick(a, "kind-give").await?;
    choose(a, "category", "Food").await?;
    a.fill("body", "A big bag from our tree. Lovely for crumble.").await?;
    a.fill("tags", "fruit, cooking").await?;
    a.fill("area", "Near the Mere").await?;
    a.fill("available", "Saturday mornings").await?;
    let picture = std::env::temp_dir().join(format!("planet-apples-{}.png", std::process::id()));
    std::fs::write(&picture, PLUMS_PNG).expect("a picture to upload");
    a.browser.find(By::Id("photos")).await?.send_keys(picture.to_string_lossy()).await?;
    a.submit("main form button[type=submit]").await?;
    assert!(a.text().await?.contains("Your listing is up"));
    assert!(a.browser.find(By::Css(".listing-photos img")).await.is_ok());
    let listing_url = a.browser.current_url().await?.to_string();
    let listing_path = listing_url.trim_start_matches(&a.base).split(['?', '#']).next().unwrap().to_owned();

    // Bob is told of the match, finds the apples and says he is interested.
    b.visit("/notifications").await?;
    b.browser.find(By::PartialLinkText("A new listing matches yours")).await?.click().await?;
    b.check().await?;
    assert!(b.text().await?.contains("Bramley apples"));
    b.fill("message", "Hello Ann, I would love some. Could I come on Saturday?").await?;
    b.submit("main form[action$='/interest'] button[type=submit]").await?;
    assert!(b.text().await?.contains("Could I come on Saturday?"));
    b.visit("/synergy?view=grid").await?;
    assert!(b.text().await?.contains("Bramley apples"));

    // Ann promises them to Bob, then marks them taken.
    a.visit(&listing_path).await?;
    assert!(a.text().await?.contains("Bob Smith"));
    a.submit("main form[action$='/promise'] button[type=submit]").await?;
    assert!(a.text().await?.contains("Promised to Bob Smith"));
    a.submit("main form[action$='/done'] button[type=submit]").await?;
    assert!(a.text().await?.contains("You can now leave feedback"));
    pick(a, "rating-positive").await?;
    a.fill("comment", "Bob was lovely to meet.").await?;
    a.submit("main form[action$='/feedback'] button[type=submit]").await?;
    let page = a.text().await?;
    assert!(page.contains("It will show when the other person has written theirs"), "{page}");
    assert!(!page.contains("Bob was lovely to meet."));

    // Bob writes his: now both show, to both.
    b.visit(&listing_path).await?;
    assert!(!b.text().await?.contains("Bob was lovely to meet."));
    pick(b, "rating-positive").await?;
    b.fill("comment", "Lovely apples, thank you!").await?;
    b.submit("main form[action$='/feedback'] button[type=submit]").await?;
    let page = b.text().await?;
    assert!(page.contains("Bob was lovely to meet.") && page.contains("Lovely apples, thank you!"), "{page}");
    a.visit(&listing_path).await?;
    assert!(a.text().await?.contains("Lovely apples, thank you!"));
    a.visit("/synergy/mine").await?;
    Ok(())
}

fn both<'a>(a: &'a mut Journey, b: &'a mut Journey) -> Pin<Box<dyn Future<Output = WebDriverResult<()>> + 'a>> {
    Box::pin(walk(a, b))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offer_is_matched_promised_done_and_given_feedback() {
    in_two_browsers(("synergy-ann", "synergy-bob"), both).await;
}

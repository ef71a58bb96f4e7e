//! The accounts in the browser: a steward sets up Diss Hours; Ann offers an hour of gardening
//! for 3 credits; Bob says he is interested, Ann promises it and marks it done; Bob pays her from
//! the deal ("Pay now", filled in) after a confirmation in plain words; Ann is told, sees it on
//! her accounts, her statement and its chart; the stewards' totals add up to zero.

use crate::journey::{Journey, click_link, in_two_browsers, pick};
use crate::trust::add_member;
use std::future::Future;
use std::pin::Pin;
use thirtyfour::prelude::*;

async fn walk(a: &mut Journey, b: &mut Journey) -> WebDriverResult<()> {
    a.visit("/setup").await?;
    a.fill_setup().await?;
    add_member(a, "Ann Baker", "ann@diss.example").await;
    add_member(a, "Bob Smith", "bob@diss.example").await;

    // The steward sets up the community's currency.
    a.visit("/admin").await?;
    click_link(a, "Currencies").await?;
    a.fill("name", "Diss Hours").await?;
    a.fill("symbol", "DH").await?;
    pick(a, "decimals-2").await?;
    a.submit("main form[action='/admin/currencies'] button[type=submit]").await?;
    assert!(a.text().await?.contains("Diss Hours (DH)"));

    // Ann offers an hour of gardening for 3 credits.
    a.log_in("ann@diss.example").await?;
    a.visit("/synergy/new?side=offer").await?;
    pick(a, "kind-help").await?;
    a.fill("title", "An hour of gardening").await?;
    a.browser
        .find(By::XPath("//select[@id='category']/option[normalize-space()='Home and garden']"))
        .await?
        .click()
        .await?;
    a.fill("price_credits", "3").await?;
    a.submit("main form button[type=submit]").await?;
    assert!(a.text().await?.contains("Your listing is up"));
    let url = a.browser.current_url().await?.to_string();
    let listing = url.trim_start_matches(&a.base).split(['?', '#']).next().unwrap().to_owned();

    // Bob is interested; Ann promises it to him and marks it done.
    b.log_in("bob@diss.example").await?;
    b.visit(&listing).await?;
    b.fill("message", "Hello Ann, could you help with my hedge?").await?;
    b.submit("main form[action$='/interest'] button[type=submit]").await?;
    a.visit(&listing).await?;
    a.submit("main form[action$='/promise'] button[type=submit]").await?;
    a.submit("main form[action$='/done'] button[type=submit]").await?;
    assert!(!a.text().await?.contains("Pay now"), "the one who gave is not asked to pay");

    // Bob pays from the deal: everything is filled in; he checks and confirms.
    b.visit(&listing).await?;
    click_link(b, "Pay now").await?;
    assert_eq!(b.browser.find(By::Id("amount")).await?.value().await?.as_deref(), Some("3"));
    b.submit("main form button[type=submit]").await?;
    let page = b.text().await?;
    assert!(page.contains("You are paying Ann Baker 3 Diss Hours for An hour of gardening."), "{page}");
    assert!(page.contains("Your balance will be \u{2212}3 Diss Hours."), "{page}");
    b.submit("main form button[type=submit]").await?;
    assert!(b.text().await?.contains("The payment has been made"));
    b.visit(&listing).await?;
    let page = b.text().await?;
    assert!(page.contains("Paid: 3 Diss Hours, done") && !page.contains("Pay now"), "{page}");

    // Ann is told, and sees it on her accounts, her statement and its chart.
    a.visit("/notifications").await?;
    a.browser.find(By::PartialLinkText("Bob Smith paid you")).await?.click().await?;
    a.check().await?;
    assert!(a.text().await?.contains("Done"));
    a.visit("/accounts").await?;
    assert!(a.text().await?.contains("3 Diss Hours"));
    a.browser.find(By::PartialLinkText("See the statement")).await?.click().await?;
    a.check().await?;
    let page = a.text().await?;
    assert!(page.contains("An hour of gardening") && page.contains("Bob Smith") && page.contains("+3"), "{page}");
    assert!(page.contains("the balance went from 0 Diss Hours to 3 Diss Hours"), "{page}");
    assert!(a.browser.find(By::Css("svg.chart path.chart-line")).await.is_ok());
    b.visit("/accounts/chain").await?;
    assert!(b.text().await?.contains("check out"));

    // The stewards' totals add up to zero.
    a.log_in("margaret@diss.example").await?;
    a.visit("/admin/currencies").await?;
    assert!(a.text().await?.contains("Adds up to zero"));
    Ok(())
}

fn both<'a>(a: &'a mut Journey, b: &'a mut Journey) -> Pin<Box<dyn Future<Output = WebDriverResult<()>> + 'a>> {
    Box::pin(walk(a, b))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bob_pays_ann_for_a_deal_and_the_books_add_up() {
    in_two_browsers(("ledger-ann", "ledger-bob"), both).await;
}

//! setup → the steward invites → the invitee applies → the steward approves → the new member
//! logs in, joins a group, and sees it on the home screen.

use crate::browser::{
    Driver, axe_violations, open_browser, screenshot_dir, start_chromedriver, start_server_with_state,
};
use std::future::Future;
use std::pin::Pin;
use thirtyfour::prelude::*;

pub(crate) const PASSWORD: &str = "correct horse battery";

/// Choose a radio button or checkbox by clicking its label, as a person would.
pub(crate) async fn pick(j: &Journey, id: &str) -> WebDriverResult<()> {
    j.browser.find(By::Css(format!("label[for='{id}']"))).await?.click().await
}

/// Follow a link in the page's main part by its words, and check the page it leads to.
pub(crate) async fn click_link(j: &mut Journey, text: &str) -> WebDriverResult<()> {
    j.browser.find(By::XPath(format!("//main//a[normalize-space()=\"{text}\"]"))).await?.click().await?;
    j.check().await
}

pub(crate) struct Journey {
    pub(crate) name: &'static str,
    pub(crate) state: planet_server::state::AppState,
    pub(crate) browser: WebDriver,
    pub(crate) base: String,
    pub(crate) checked: Vec<String>,
    pub(crate) violations: Vec<String>,
}

impl Journey {
    pub(crate) async fn visit(&mut self, path: &str) -> WebDriverResult<()> {
        self.browser.goto(format!("{}{path}", self.base)).await?;
        self.check().await
    }

    /// Run axe-core on the page now shown.
    pub(crate) async fn check(&mut self) -> WebDriverResult<()> {
        let url = self.browser.current_url().await?.to_string();
        for violation in axe_violations(&self.browser).await {
            self.violations.push(format!("{url}: {violation}"));
        }
        self.checked.push(url);
        // Every page is kept as a picture, for people to look at (target/e2e-screenshots).
        let shot = screenshot_dir().join(format!("{}-{:02}.png", self.name, self.checked.len()));
        self.browser.screenshot(&shot).await
    }

    pub(crate) async fn fill(&self, id: &str, text: &str) -> WebDriverResult<()> {
        let field = self.browser.find(By::Id(id)).await?;
        field.clear().await?;
        field.send_keys(text).await
    }

    pub(crate) async fn submit(&mut self, selector: &str) -> WebDriverResult<()> {
        self.browser.find(By::Css(selector)).await?.click().await?;
        self.check().await
    }

    pub(crate) async fn text(&self) -> WebDriverResult<String> {
        self.browser.find(By::Tag("main")).await?.text().await
    }

    /// On the setup page: PlaNet Diss, with Margaret as its first steward.
    pub(crate) async fn fill_setup(&mut self) -> WebDriverResult<()> {
        self.fill("community_name", "PlaNet Diss").await?;
        self.fill("name", "Margaret Thompson").await?;
        self.fill("email", "margaret@diss.example").await?;
        self.fill("password", PASSWORD).await?;
        self.fill("password_again", PASSWORD).await?;
        self.submit("main form button[type=submit]").await
    }

    pub(crate) async fn log_in(&mut self, email: &str) -> WebDriverResult<()> {
        self.browser.delete_all_cookies().await?;
        self.visit("/login").await?;
        self.fill("email", email).await?;
        self.fill("password", PASSWORD).await?;
        self.submit("main form button[type=submit]").await
    }
}

async fn walk(j: &mut Journey) -> WebDriverResult<()> {
    // First run: every page leads to setup.
    j.visit("/").await?;
    assert!(j.browser.current_url().await?.path().ends_with("/setup"));
    j.fill_setup().await?;
    assert!(j.text().await?.contains("Hello, Margaret"));

    // The steward starts a group.
    j.visit("/spaces").await?;
    j.browser.find(By::XPath("//main//a[normalize-space()=\"PlaNet Diss\"]")).await?.click().await?;
    j.check().await?;
    j.browser.find(By::XPath("//main//a[normalize-space()=\"Start a group inside it\"]")).await?.click().await?;
    j.check().await?;
    j.fill("name", "Community Farm").await?;
    j.fill("description", "Work days every **Saturday** morning.").await?;
    j.browser.find(By::Css("label[for=visibility-community]")).await?.click().await?;
    j.browser.find(By::Css("label[for=join_policy-open]")).await?.click().await?;
    j.submit("main form button[type=submit]").await?;
    assert!(j.text().await?.contains("You are its coordinator"));

    // … and invites someone.
    j.visit("/invitations").await?;
    j.fill("note", "Ann from the allotments").await?;
    j.submit("main form button[type=submit]").await?;
    let link = j.browser.find(By::ClassName("token")).await?.text().await?;
    assert!(link.contains("/join/"), "{link}");

    // The invitee applies.
    j.browser.delete_all_cookies().await?;
    j.browser.goto(&link).await?;
    j.check().await?;
    j.fill("name", "Ann Baker").await?;
    j.fill("email", "ann@diss.example").await?;
    j.fill("password", PASSWORD).await?;
    j.fill("how_known", "We share an allotment on Mission Road.").await?;
    j.browser.find(By::Css("label[for=accept_rules]")).await?.click().await?;
    j.submit("main form button[type=submit]").await?;
    assert!(j.text().await?.contains("or when a steward approves"));

    // The steward approves.
    j.log_in("margaret@diss.example").await?;
    j.visit("/admin").await?;
    j.visit("/admin/applications").await?;
    j.browser.find(By::XPath("//main//a[normalize-space()=\"Ann Baker\"]")).await?.click().await?;
    j.check().await?;
    j.submit("button[value=approve]").await?;
    assert!(j.text().await?.contains("approved"));
    j.visit("/admin/outbox").await?;
    j.visit("/admin/audit").await?;
    j.visit("/admin/members").await?;
    j.visit("/invitations").await?;

    // The new member logs in, joins the group and sees it at home.
    j.log_in("ann@diss.example").await?;
    j.visit("/spaces").await?;
    j.browser.find(By::XPath("//main//a[normalize-space()=\"Community Farm\"]")).await?.click().await?;
    j.check().await?;
    j.submit("main form[action$='/join'] button").await?;
    assert!(j.text().await?.contains("You have joined the group"));
    j.visit("/").await?;
    let home = j.text().await?;
    assert!(home.contains("Your groups") && home.contains("Community Farm"), "{home}");
    j.visit("/settings").await?;
    j.visit("/synergy").await?;
    // The coordinator's pages of the group Ann joined, seen by the steward.
    j.log_in("margaret@diss.example").await?;
    j.visit("/spaces").await?;
    j.browser.find(By::XPath("//main//a[normalize-space()=\"Community Farm\"]")).await?.click().await?;
    j.check().await?;
    j.browser.find(By::XPath("//main//a[normalize-space()=\"Edit the group\"]")).await?.click().await?;
    j.check().await?;
    // A form sent with mistakes: the error summary and the messages by the fields pass too.
    j.fill("name", "").await?;
    j.submit("main form button[type=submit]").await?;
    assert!(j.text().await?.contains("There is a problem"));
    // Logged out: the pages anyone may see.
    j.browser.delete_all_cookies().await?;
    j.visit("/forgot-password").await?;
    j.visit("/no-such-page").await?;
    Ok(())
}

/// A walk by two members, each in their own browser.
pub(crate) type PairWalk =
    for<'a> fn(&'a mut Journey, &'a mut Journey) -> Pin<Box<dyn Future<Output = WebDriverResult<()>> + 'a>>;

/// Two members walk through `walk` at once, the first on a desktop, the second on a phone-sized
/// window; axe runs on every page; a failure or a violation keeps a screenshot of each.
pub(crate) async fn in_two_browsers(names: (&'static str, &'static str), walk: PairWalk) {
    let driver: Driver = start_chromedriver();
    let (base, state) = start_server_with_state().await;
    let first = open_browser(&driver, 1280, 900).await;
    let second = open_browser(&driver, 390, 844).await;
    let journey = |name, browser| Journey {
        name,
        state: state.clone(),
        browser,
        base: base.clone(),
        checked: Vec::new(),
        violations: Vec::new(),
    };
    let (mut a, mut b) = (journey(names.0, first), journey(names.1, second));
    let outcome = walk(&mut a, &mut b).await;
    for j in [&a, &b] {
        if outcome.is_err() || !j.violations.is_empty() {
            let shot = screenshot_dir().join(format!("{}-failure.png", j.name));
            let _ = j.browser.screenshot(&shot).await;
            eprintln!("screenshot saved to {}", shot.display());
        }
    }
    let violations: Vec<String> = a.violations.iter().chain(b.violations.iter()).cloned().collect();
    let checked = a.checked.len() + b.checked.len();
    a.browser.quit().await.unwrap();
    b.browser.quit().await.unwrap();
    outcome.unwrap();
    assert!(checked >= 10, "axe ran on {checked} pages");
    assert!(violations.is_empty(), "serious or critical accessibility violations:\n{}", violations.join("\n"));
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Walk {
    Newcomer,
    Vouching,
}

async fn run_journey(driver: &Driver, width: u32, height: u32, name: &'static str) {
    run(driver, width, height, name, Walk::Newcomer).await
}

async fn run(driver: &Driver, width: u32, height: u32, name: &'static str, walk_kind: Walk) {
    let (base, state) = start_server_with_state().await;
    let browser = open_browser(driver, width, height).await;
    let mut journey = Journey { name, state, browser, base, checked: Vec::new(), violations: Vec::new() };
    let outcome = match walk_kind {
        Walk::Newcomer => walk(&mut journey).await,
        Walk::Vouching => crate::trust::walk(&mut journey).await,
    };
    if outcome.is_err() || !journey.violations.is_empty() {
        let shot = screenshot_dir().join(format!("{name}-failure.png"));
        let _ = journey.browser.screenshot(&shot).await;
        eprintln!("screenshot saved to {}", shot.display());
    }
    let Journey { browser, checked, violations, .. } = journey;
    browser.quit().await.unwrap();
    outcome.unwrap();
    assert!(checked.len() >= 15, "axe ran on {} pages", checked.len());
    let _ = walk_kind;
    assert!(violations.is_empty(), "serious or critical accessibility violations:\n{}", violations.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newcomer_is_invited_approved_and_joins_a_group() {
    let driver = start_chromedriver();
    run_journey(&driver, 1280, 900, "desktop").await;
}

/// Who We Are: two members vouch for an applicant, who is admitted; the applicant says they are
/// a regular customer of the bakery; a third member, who trusts one of the vouchers, sees the
/// trust path to the bakery on its profile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vouches_admit_a_newcomer_and_trust_paths_show() {
    let driver = start_chromedriver();
    run(&driver, 1280, 900, "trust", Walk::Vouching).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_journey_works_on_a_phone() {
    let driver = start_chromedriver();
    run_journey(&driver, 390, 844, "phone").await;
}

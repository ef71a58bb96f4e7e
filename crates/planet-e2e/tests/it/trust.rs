//! Who We Are in the browser: admission by vouching and trust paths.

use crate::journey::{Journey, PASSWORD, click_link};
use planet_domain::MemberId;
use planet_domain::space::{AccountStatus, Role};
use planet_domain::text::NewPassword;
use planet_store::queries::accounts::{self, NewMember};
use planet_store::queries::spaces;
use thirtyfour::prelude::*;

/// Members added behind the server's back (the membership journey is tested elsewhere).
pub(crate) async fn add_member(j: &Journey, name: &str, email: &str) -> MemberId {
    let state = &j.state;
    let hash = planet_server::identity::service::hash(&NewPassword::parse(PASSWORD).unwrap()).await.unwrap();
    let id = MemberId::new_v7();
    let now = state.now();
    let new = NewMember { id, email, name, password_hash: &hash, status: AccountStatus::Member, steward: false, now };
    accounts::create_member(state.db(), new).await.unwrap();
    let root = state.community().unwrap().root_space_id;
    spaces::add_member(state.db(), root, id, Role::Member, now).await.unwrap();
    state.changed();
    id
}

/// On someone's profile: say something about them.
async fn say(j: &mut Journey, kind: &str, in_person: bool) -> WebDriverResult<()> {
    j.browser.find(By::Css(format!("label[for=kind-{kind}]"))).await?.click().await?;
    if in_person {
        j.browser.find(By::Css("label[for=met_in_person]")).await?.click().await?;
    }
    j.submit("#say form button[type=submit]").await
}

pub(crate) async fn walk(j: &mut Journey) -> WebDriverResult<()> {
    // Setup, then three members of the community.
    j.visit("/setup").await?;
    j.fill_setup().await?;
    let root = j.state.community().unwrap().root_space_id;
    let ann = add_member(j, "Ann Baker", "ann@diss.example").await;
    add_member(j, "Bob Smith", "bob@diss.example").await;
    add_member(j, "Cath Jones", "cath@diss.example").await;

    // The stewards' pages of Who We Are: values, badges, removing a fake account, review.
    j.visit("/admin/values").await?;
    j.fill("name", "Local food").await?;
    j.fill("description", "Grown near Diss").await?;
    j.submit("main form button[type=submit]").await?;
    assert!(j.text().await?.contains("Local food"));
    j.visit(&format!("/spaces/{root}/badges")).await?;
    j.fill("name", "Green Fair volunteer").await?;
    j.submit("main form button[type=submit]").await?;
    assert!(j.text().await?.contains("Green Fair volunteer"));
    j.visit(&format!("/admin/members/{ann}/remove")).await?;
    assert!(j.text().await?.contains("What will happen"));
    j.visit("/admin/review").await?;

    // The community is new: members may vouch from their first day.
    j.visit("/admin/admission-rule").await?;
    j.fill("standing_days", "0").await?;
    j.submit("main form button[type=submit]").await?;
    assert!(j.text().await?.contains("The admission rule has been saved"));

    // Margaret lists the bakery she runs, and invites Pat.
    j.visit("/people/new").await?;
    j.browser.find(By::Css("label[for=kind-business]")).await?.click().await?;
    j.fill("name", "Diss Bakery").await?;
    j.submit("main form button[type=submit]").await?;
    j.fill("tagline", "Bread baked every morning on Mere Street").await?;
    j.fill("skills", "sourdough, cakes").await?;
    j.fill("area", "Town centre").await?;
    j.submit("main form[action$='/edit'] button[type=submit]").await?;
    assert!(j.text().await?.contains("Bread baked every morning"));
    j.visit("/invitations").await?;
    j.fill("note", "Pat from the choir").await?;
    j.submit("main form button[type=submit]").await?;
    let link = j.browser.find(By::ClassName("token")).await?.text().await?;

    // Pat applies, and sees nobody has vouched yet.
    j.browser.delete_all_cookies().await?;
    j.browser.goto(&link).await?;
    j.check().await?;
    j.fill("name", "Pat Newcomer").await?;
    j.fill("email", "pat@diss.example").await?;
    j.fill("password", PASSWORD).await?;
    j.fill("how_known", "We sing together in the Diss choir.").await?;
    j.browser.find(By::Css("label[for=accept_rules]")).await?.click().await?;
    j.submit("main form button[type=submit]").await?;
    assert!(j.text().await?.contains("Nobody yet"));

    // Ann and Bob know Margaret, so Pat (invited by her) is among the applicants they might
    // know. Each vouches; Bob's vouch admits Pat.
    for (email, in_person) in [("ann@diss.example", true), ("bob@diss.example", false)] {
        j.log_in(email).await?;
        j.visit("/who-we-are").await?;
        click_link(j, "Margaret Thompson").await?;
        say(j, "trust", false).await?;
        j.visit("/trust").await?;
        assert!(j.text().await?.contains("Invited by Margaret Thompson, whom you know"));
        click_link(j, "Pat Newcomer").await?;
        say(j, "vouch", in_person).await?;
    }
    assert!(j.text().await?.contains("they have been admitted"), "{}", j.text().await?);

    // Pat, now a member, is a regular customer of the bakery.
    j.log_in("pat@diss.example").await?;
    j.visit("/who-we-are?q=bakery").await?;
    click_link(j, "Diss Bakery").await?;
    say(j, "customer", false).await?;
    assert!(j.text().await?.contains("added to the trust network"));

    // Cath trusts Ann, and sees how she is connected to the bakery: Cath → Ann → Pat → bakery.
    j.log_in("cath@diss.example").await?;
    j.visit("/who-we-are?q=ann").await?;
    click_link(j, "Ann Baker").await?;
    say(j, "trust", false).await?;
    j.visit("/who-we-are?q=bakery").await?;
    click_link(j, "Diss Bakery").await?;
    let path = j.browser.find(By::Css("ol.trust-path")).await?.text().await?;
    let at = |needle: &str| path.find(needle).unwrap_or_else(|| panic!("{needle:?} not in {path:?}"));
    assert!(at("You") < at("Ann Baker (trust") && at("Ann Baker") < at("Pat Newcomer (vouch"), "{path}");
    assert!(at("Pat Newcomer") < at("Diss Bakery (customer"), "{path}");
    j.visit("/trust").await?;
    j.visit("/who-we-are/print").await?;
    j.visit("/people/me").await?;
    click_link(j, "Edit your profile").await?;
    // A form sent with mistakes: the error summary passes axe too.
    j.fill("website", "javascript:alert(1)").await?;
    j.submit("main form[action$='/edit'] button[type=submit]").await?;
    assert!(j.text().await?.contains("There is a problem"));
    Ok(())
}

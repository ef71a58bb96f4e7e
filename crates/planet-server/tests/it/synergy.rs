//! Synergy: an offer goes up with a photo, the member who wants something like it is told,
//! responds privately, is promised it, it is done, and both leave feedback (shown once both
//! have written). Bad input changes nothing; listings close on time and go up again.

use crate::helpers::{Browser, TestApp, api_token, location, post_files, spawn_app};
use crate::trust::photo_with_gps;
use chrono::Duration;
use planet_domain::space::AccountStatus;
use planet_domain::synergy::{DealState, ListingStatus};
use planet_domain::{ListingId, MemberId};
use planet_store::queries::synergy::{self, deals};

struct Market {
    app: TestApp,
    ann: (MemberId, Browser),
    bob: (MemberId, Browser),
    cat: (MemberId, Browser),
    food: String,
    steward: Browser,
}

async fn market() -> Market {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    let mut people = Vec::new();
    for (name, email) in
        [("Ann Baker", "ann@diss.example"), ("Bob Smith", "bob@diss.example"), ("Cat Jones", "cat@diss.example")]
    {
        let id = app.add_account(name, email, AccountStatus::Member, false).await;
        people.push((id, app.session_for(id).await));
    }
    let food =
        synergy::categories(app.db()).await.unwrap().into_iter().find(|c| c.name == "Food").unwrap().id.to_string();
    let cat = people.pop().unwrap();
    let bob = people.pop().unwrap();
    let ann = people.pop().unwrap();
    Market { app, ann, bob, cat, food, steward }
}

fn listing_in(place: &str) -> ListingId {
    place
        .trim_start_matches("/synergy/listings/")
        .split(['?', '/', '#'])
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("no listing in {place}"))
}

/// Post a listing through the form (with photos when there are any).
async fn post(browser: &Browser, fields: &[(&str, &str)], photos: &[&[u8]]) -> (u16, String, String) {
    if photos.is_empty() {
        let response = browser.post("/synergy/listings", fields).await;
        let status = response.status().as_u16();
        let place = location(&response);
        (status, place, response.text().await.unwrap_or_default())
    } else {
        post_files(browser, "/synergy/listings", fields, "photos", photos).await
    }
}

async fn posted(browser: &Browser, fields: &[(&str, &str)]) -> ListingId {
    let (status, place, page) = post(browser, fields, &[]).await;
    assert_eq!(status, 303, "{page}");
    listing_in(&place)
}

#[tokio::test]
async fn an_offer_goes_from_first_post_to_a_deal_and_feedback() {
    let m = market().await;
    let (ann, bob, cat) = (&m.ann.1, &m.bob.1, &m.cat.1);
    // Bob wants fruit.
    posted(bob, &[("side", "want"), ("kind", "give"), ("category", &m.food), ("title", "Any fruit")]).await;
    // Ann offers apples, with a photo; Bob is told of the match.
    let fields = [
        ("side", "offer"),
        ("kind", "give"),
        ("category", m.food.as_str()),
        ("title", "Bramley apples"),
        ("body", "A big bag from our tree"),
        ("tags", "fruit, cooking"),
        ("area", "Near the Mere"),
        ("available", "Saturday mornings"),
    ];
    let (status, place, page) = post(ann, &fields, &[&photo_with_gps()]).await;
    assert_eq!(status, 303, "{page}");
    let id = listing_in(&place);
    let (_, news) = bob.get_text("/notifications").await;
    assert!(news.contains("A new listing matches yours: “Bramley apples”"), "{news}");
    assert!(news.contains(&format!("/synergy/listings/{id}")));
    // Cat wants nothing: she is not told.
    let (_, news) = cat.get_text("/notifications").await;
    assert!(!news.contains("Bramley"), "{news}");

    // Browsing and searching find it; its page shows it and the photo, stripped of its GPS.
    let (_, list) = cat.get_text("/synergy?q=apple").await;
    assert!(list.contains("Bramley apples") && list.contains("Near the Mere"), "{list}");
    let (_, list) = cat.get_text("/synergy?q=pears").await;
    assert!(!list.contains("Bramley apples"));
    assert_eq!(cat.get("/synergy?q=apple&page=1").await.status().as_u16(), 200);
    let (_, list) = cat.get_text("/synergy?side=want&view=grid").await;
    assert!(list.contains("Any fruit") && !list.contains("Bramley apples"));
    let (status, page) = bob.get_text(&format!("/synergy/listings/{id}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Bramley apples") && page.contains("Free") && page.contains("Interested?"), "{page}");
    let photo = page.split("src=\"/synergy/photos/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let response = bob.get(&format!("/synergy/photos/{photo}")).await;
    assert_eq!(response.status().as_u16(), 200);
    let bytes = response.bytes().await.unwrap();
    assert!(!bytes.windows(11).any(|w| w == b"GPSLatitude"));

    // Bob is interested: a private conversation with Ann opens about it.
    let response = bob.post(&format!("/synergy/listings/{id}/interest"), &[("message", "I would love some!")]).await;
    assert_eq!(response.status().as_u16(), 303);
    let topic = location(&response);
    assert!(topic.starts_with("/topics/"), "{topic}");
    let (status, talk) = ann.get_text(&topic).await;
    assert_eq!(status, 200);
    assert!(talk.contains("I would love some!") && talk.contains("Bramley apples"), "{talk}");
    // Saying so again leads back to the same conversation.
    let again = bob.post(&format!("/synergy/listings/{id}/interest"), &[("message", "Hello?")]).await;
    assert_eq!(location(&again), topic);
    // An empty message is refused clearly.
    let (status, page) = cat.post_text(&format!("/synergy/listings/{id}/interest"), &[("message", " ")]).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("Enter a message"), "{page}");

    // Ann cannot promise it to Cat, who never responded; she promises it to Bob.
    let (status, page) =
        ann.post_text(&format!("/synergy/listings/{id}/promise"), &[("member", &m.cat.0.to_string())]).await;
    assert_eq!(status, 422);
    assert!(page.contains("only to someone who said they are interested"), "{page}");
    let response = ann.post(&format!("/synergy/listings/{id}/promise"), &[("member", &m.bob.0.to_string())]).await;
    assert_eq!(response.status().as_u16(), 303);
    let (_, news) = bob.get_text("/notifications").await;
    assert!(news.contains("Ann Baker promised you “Bramley apples”"), "{news}");
    // Nobody completes or changes someone else's listing.
    assert_eq!(cat.post(&format!("/synergy/listings/{id}/done"), &[]).await.status().as_u16(), 403);
    assert_eq!(bob.post(&format!("/synergy/listings/{id}/withdraw"), &[]).await.status().as_u16(), 403);
    assert_eq!(bob.get(&format!("/synergy/listings/{id}/edit")).await.status().as_u16(), 403);

    // Ann marks them taken; the deal records who, what and when.
    let response = ann.post(&format!("/synergy/listings/{id}/done"), &[]).await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(synergy::get(m.app.db(), id).await.unwrap().unwrap().status, ListingStatus::Done);
    let deal = deals::of_listing(m.app.db(), id).await.unwrap().pop().unwrap();
    assert_eq!((deal.state, deal.poster, deal.other), (DealState::Done, m.ann.0, m.bob.0));
    assert_eq!(ann.post(&format!("/synergy/listings/{id}/done"), &[]).await.status().as_u16(), 409);

    // Feedback shows once both have written.
    let feedback = format!("/synergy/deals/{}/feedback", deal.id);
    let (status, page) = bob.post_text(&feedback, &[("rating", ""), ("comment", "")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("Choose how it went"), "{page}");
    assert_eq!(
        bob.post(&feedback, &[("rating", "positive"), ("comment", "Lovely apples")]).await.status().as_u16(),
        303
    );
    let (_, page) = ann.get_text(&format!("/synergy/listings/{id}")).await;
    assert!(!page.contains("Lovely apples"), "{page}");
    let (_, page) = bob.get_text(&format!("/synergy/listings/{id}")).await;
    assert!(page.contains("is saved. It will show when"), "{page}");
    let (_, profile) = cat.get_text(&format!("/people/{}", m.ann.0)).await;
    assert!(profile.contains("Gave 1") && !profile.contains("Lovely apples"), "{profile}");
    assert_eq!(cat.post(&feedback, &[("rating", "negative")]).await.status().as_u16(), 403);
    assert_eq!(
        ann.post(&feedback, &[("rating", "positive"), ("comment", "Thank you, Bob")]).await.status().as_u16(),
        303
    );
    for browser in [ann, bob, cat] {
        let (_, page) = browser.get_text(&format!("/synergy/listings/{id}")).await;
        assert!(page.contains("Lovely apples") && page.contains("Thank you, Bob"), "{page}");
    }
    assert_eq!(ann.post(&feedback, &[("rating", "neutral")]).await.status().as_u16(), 409);
    // Their profiles show what they gave and received, and what the other said.
    let (_, profile) = cat.get_text(&format!("/people/{}", m.ann.0)).await;
    assert!(profile.contains("Gave 1 · received 0 · 1 of 1 said it went well"), "{profile}");
    assert!(profile.contains("Lovely apples") && profile.contains("Bramley apples"), "{profile}");
    let (_, profile) = cat.get_text(&format!("/people/{}", m.bob.0)).await;
    assert!(profile.contains("Received") && profile.contains("Thank you, Bob"), "{profile}");
}

#[tokio::test]
async fn bad_listings_are_refused_clearly_and_nothing_is_written() {
    let m = market().await;
    let ann = &m.ann.1;
    let base = [("side", "offer"), ("kind", "sell"), ("category", m.food.as_str()), ("title", "Plum jam")];
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("price_pounds", "-2")], "Enter the price in pounds as 0 or more."),
        (vec![("price_pounds", "1.234")], "at most two decimals"),
        (vec![("price_pounds", "250000")], "is too high"),
        (vec![], "Enter a price in pounds or in credits"),
        (vec![("price_pounds", "2"), ("area", "12 Mere Street")], "do not write an exact address"),
        (vec![("price_pounds", "2"), ("days", "3")], "Choose how long the listing stays up"),
        (vec![("price_pounds", "2"), ("quantity", "0")], "whole number from 1 to 999"),
        (vec![("price_pounds", "2"), ("category", "not-a-category")], "Choose a category."),
    ];
    for (extra, message) in cases {
        let mut fields: Vec<(&str, &str)> =
            base.iter().copied().filter(|(k, _)| !extra.iter().any(|(e, _)| e == k)).collect();
        fields.extend(extra.iter().copied());
        let (status, _, page) = post(ann, &fields, &[]).await;
        assert_eq!(status, 422, "{extra:?}");
        assert!(page.contains(message), "{extra:?}: {page}");
    }
    let fields = [base.as_slice(), &[("price_pounds", "2")]].concat();
    let photo = photo_with_gps();
    let seven: Vec<&[u8]> = (0..7).map(|_| photo.as_slice()).collect();
    let (status, _, page) = post(ann, &fields, &seven).await;
    assert_eq!(status, 422);
    assert!(page.contains("at most 6 photos"), "{page}");
    let (status, _, page) = post(ann, &fields, &[b"GIF89a not really a picture"]).await;
    assert_eq!(status, 422);
    assert!(page.contains("Please choose a photo"), "{page}");
    assert_eq!(synergy::posted_since(m.app.db(), m.ann.0, m.app.clock_now() - Duration::days(1)).await.unwrap(), 0);
    // Posting into a group one is not in is refused.
    let (status, _, _) =
        post(ann, &[fields.as_slice(), &[("space", "0190e3a8-0000-7000-8000-000000000000")]].concat(), &[]).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn listings_close_on_time_after_a_reminder_and_go_up_again() {
    let m = market().await;
    let ann = &m.ann.1;
    let id =
        posted(ann, &[("side", "offer"), ("kind", "lend"), ("category", &m.food), ("title", "Jam pan"), ("days", "7")])
            .await;
    m.app.clock.advance(Duration::days(5) + Duration::minutes(1));
    planet_server::synergy::expiry::expire_and_remind(&m.app.state).await.unwrap();
    let (_, news) = ann.get_text("/notifications").await;
    assert!(news.contains("Your listing “Jam pan” closes in two days"), "{news}");
    // Reminded once only.
    assert_eq!(planet_server::synergy::expiry::expire_and_remind(&m.app.state).await.unwrap(), 0);
    m.app.clock.advance(Duration::days(2));
    planet_server::synergy::expiry::expire_and_remind(&m.app.state).await.unwrap();
    assert_eq!(synergy::get(m.app.db(), id).await.unwrap().unwrap().status, ListingStatus::Expired);
    let (_, news) = ann.get_text("/notifications").await;
    assert!(news.contains("Your listing “Jam pan” has closed"), "{news}");
    // It no longer shows, nobody can respond; one click puts it up again.
    let (_, list) = m.bob.1.get_text("/synergy").await;
    assert!(!list.contains("Jam pan"));
    let (status, _) = m.bob.1.post_text(&format!("/synergy/listings/{id}/interest"), &[("message", "Hi")]).await;
    assert_eq!(status, 409);
    assert_eq!(ann.post(&format!("/synergy/listings/{id}/repost"), &[]).await.status().as_u16(), 303);
    let listing = synergy::get(m.app.db(), id).await.unwrap().unwrap();
    assert_eq!(listing.status, ListingStatus::Open);
    assert_eq!(listing.expires_at, m.app.clock_now() + Duration::days(14));
    let (_, list) = m.bob.1.get_text("/synergy").await;
    assert!(list.contains("Jam pan"));
}

#[tokio::test]
async fn a_group_listing_is_seen_and_matched_only_within_the_group() {
    let m = market().await;
    let group = m.steward.start_group(&m.app, "Allotments", "members", "open").await;
    assert_eq!(m.ann.1.post(&format!("{group}/join"), &[]).await.status().as_u16(), 303);
    let space = group.trim_start_matches("/spaces/");
    // Cat wants fruit, in the whole community; Ann offers pears only to the allotment group.
    posted(&m.cat.1, &[("side", "want"), ("kind", "give"), ("category", &m.food), ("title", "Fruit please")]).await;
    let id = posted(
        &m.ann.1,
        &[
            ("side", "offer"),
            ("kind", "give"),
            ("category", &m.food),
            ("title", "Pears"),
            ("tags", "fruit"),
            ("space", space),
        ],
    )
    .await;
    let (_, news) = m.cat.1.get_text("/notifications").await;
    assert!(!news.contains("Pears"), "{news}");
    assert_eq!(m.cat.1.get(&format!("/synergy/listings/{id}")).await.status().as_u16(), 403);
    let (_, list) = m.cat.1.get_text("/synergy").await;
    assert!(!list.contains("Pears"));
    // Bob joins, and sees it.
    assert_eq!(m.bob.1.post(&format!("{group}/join"), &[]).await.status().as_u16(), 303);
    m.app.state.changed();
    let (_, list) = m.bob.1.get_text("/synergy").await;
    assert!(list.contains("Pears"), "{list}");
}

#[tokio::test]
async fn programs_trade_through_the_api() {
    let m = market().await;
    let client = reqwest::Client::new();
    let api = |browser: &Browser, path: &str| format!("{}{path}", browser.base);
    // Ann and Bob each have a personal access token.
    let ann_token = api_token(&m.app, m.ann.0).await;
    let bob_token = api_token(&m.app, m.bob.0).await;
    let categories: serde_json::Value = client
        .get(api(&m.ann.1, "/api/v1/listing-categories"))
        .bearer_auth(&ann_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let food =
        categories.as_array().unwrap().iter().find(|c| c["name"] == "Food").unwrap()["id"].as_str().unwrap().to_owned();
    let body = serde_json::json!({"side": "offer", "kind": "sell", "category": food, "title": "Runner beans", "price_pounds": "1.50", "price_credits": "2", "tags": "veg"});
    let response =
        client.post(api(&m.ann.1, "/api/v1/listings")).bearer_auth(&ann_token).json(&body).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let listing: serde_json::Value = response.json().await.unwrap();
    assert_eq!(listing["price"]["pence"], 150);
    assert_eq!(listing["price"]["credit_hundredths"], 200);
    let id = listing["id"].as_str().unwrap().to_owned();
    // A bad body: a clear error with a stable code.
    let bad =
        serde_json::json!({"side": "offer", "kind": "sell", "category": food, "title": "Beans", "price_pounds": "-1"});
    let response =
        client.post(api(&m.ann.1, "/api/v1/listings")).bearer_auth(&ann_token).json(&bad).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 422);
    assert!(response.text().await.unwrap().contains("price_negative"));
    // Bob finds it, is interested, is promised it, and completes it.
    let page: serde_json::Value = client
        .get(api(&m.bob.1, "/api/v1/listings?q=beans"))
        .bearer_auth(&bob_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 1);
    let response = client
        .post(api(&m.bob.1, &format!("/api/v1/listings/{id}/interest")))
        .bearer_auth(&bob_token)
        .json(&serde_json::json!({"message": "I'll take them"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let response = client
        .post(api(&m.ann.1, &format!("/api/v1/listings/{id}/promise")))
        .bearer_auth(&ann_token)
        .json(&serde_json::json!({"member": m.bob.0.to_string()}))
        .send()
        .await
        .unwrap();
    let promised: serde_json::Value = response.json().await.unwrap();
    assert_eq!(promised["status"], "promised");
    let response = client
        .post(api(&m.bob.1, &format!("/api/v1/listings/{id}/done")))
        .bearer_auth(&bob_token)
        .send()
        .await
        .unwrap();
    let done: serde_json::Value = response.json().await.unwrap();
    assert_eq!(done["status"], "done");
    assert_eq!(done["deals"][0]["state"], "done");
    assert_eq!(done["deals"][0]["price"]["pence"], 150);
    let deal = done["deals"][0]["id"].as_str().unwrap().to_owned();
    let response = client
        .post(api(&m.bob.1, &format!("/api/v1/deals/{deal}/feedback")))
        .bearer_auth(&bob_token)
        .json(&serde_json::json!({"rating": "positive", "comment": "Fresh"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn saved_searches_alert_and_a_secret_feed_shows_new_offers() {
    let m = market().await;
    let (ann, bob, cat) = (&m.ann.1, &m.bob.1, &m.cat.1);
    // Cat saves a search for bikes; an empty search cannot be saved.
    let (status, page) = cat.post_text("/synergy/searches", &[("q", "")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("Search for something first"), "{page}");
    assert_eq!(cat.post("/synergy/searches", &[("q", "bikes"), ("side", "offer")]).await.status().as_u16(), 303);
    let (_, page) = cat.get_text("/synergy/searches").await;
    assert!(page.contains("“bikes” · offers"), "{page}");
    // Ann offers a bike (the word is in the description): Cat is told; Bob is not.
    let category =
        synergy::categories(m.app.db()).await.unwrap().into_iter().find(|c| c.name == "Transport").unwrap().id;
    let id = posted(
        ann,
        &[
            ("side", "offer"),
            ("kind", "sell"),
            ("category", &category.to_string()),
            ("title", "Child's first two-wheeler"),
            ("body", "Good for small bikes riders"),
            ("price_pounds", "15"),
        ],
    )
    .await;
    let (_, news) = cat.get_text("/notifications").await;
    assert!(news.contains("New for your saved search: “Child&#39;s first two-wheeler”"), "{news}");
    let (_, news) = bob.get_text("/notifications").await;
    assert!(!news.contains("two-wheeler"));

    // Bob makes a secret feed link; his reader gets the community's offers without a session.
    let (status, page) = bob.post_text("/synergy/feeds", &[]).await;
    assert_eq!(status, 200);
    let link = page.split("<code class=\"token\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    let path = link.trim_start_matches(&bob.base).to_owned();
    assert!(path.starts_with("/feeds/"), "{path}");
    let reader = m.app.browser();
    let response = reader.get(&path).await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("application/atom+xml"));
    let xml = response.text().await.unwrap();
    assert!(xml.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">") && xml.contains("two-wheeler"), "{xml}");
    assert!(xml.contains(&format!("/synergy/listings/{id}")));
    // A new link stops the old one; so does revoking it.
    assert_eq!(bob.post_text("/synergy/feeds", &[]).await.0, 200);
    assert_eq!(reader.get(&path).await.status().as_u16(), 404);
    assert_eq!(bob.post("/synergy/feeds/revoke", &[]).await.status().as_u16(), 303);
    let (_, page) = bob.get_text("/synergy/feeds").await;
    assert!(page.contains("You have no feed link yet"), "{page}");
    // Someone else's saved search cannot be deleted by Bob.
    let saved = planet_store::queries::synergy::alerts::of_member(m.app.db(), m.cat.0).await.unwrap();
    assert_eq!(bob.post(&format!("/synergy/searches/{}/delete", saved[0].id), &[]).await.status().as_u16(), 404);
    assert_eq!(cat.post(&format!("/synergy/searches/{}/delete", saved[0].id), &[]).await.status().as_u16(), 303);
}

#[tokio::test]
async fn a_promise_left_hanging_for_a_week_is_chased_up_once() {
    let m = market().await;
    let (ann, bob) = (&m.ann.1, &m.bob.1);
    let id = posted(ann, &[("side", "offer"), ("kind", "give"), ("category", &m.food), ("title", "Marrows")]).await;
    bob.post(&format!("/synergy/listings/{id}/interest"), &[("message", "Yes please")]).await;
    ann.post(&format!("/synergy/listings/{id}/promise"), &[("member", &m.bob.0.to_string())]).await;
    m.app.clock.advance(Duration::days(7) + Duration::minutes(1));
    planet_server::synergy::expiry::expire_and_remind(&m.app.state).await.unwrap();
    for browser in [ann, bob] {
        let (_, news) = browser.get_text("/notifications").await;
        assert!(news.contains("Did “Marrows” happen?"), "{news}");
    }
    // Once only; and a promised listing does not expire under them.
    m.app.clock.advance(Duration::days(10));
    planet_server::synergy::expiry::expire_and_remind(&m.app.state).await.unwrap();
    let (_, news) = ann.get_text("/notifications").await;
    assert_eq!(news.matches("Did “Marrows” happen?").count(), 1);
    assert_eq!(synergy::get(m.app.db(), id).await.unwrap().unwrap().status, ListingStatus::Promised);
    // It fell through: Bob did not turn up. It is open again, and the no-show is recorded.
    let response = ann.post(&format!("/synergy/listings/{id}/fell-through"), &[("reason", "no_show")]).await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(synergy::get(m.app.db(), id).await.unwrap().unwrap().status, ListingStatus::Open);
    let deal = deals::of_listing(m.app.db(), id).await.unwrap().pop().unwrap();
    assert_eq!(deal.state, DealState::NoShow);
    let (_, news) = bob.get_text("/notifications").await;
    assert!(news.contains("Ann Baker said “Marrows” fell through"), "{news}");
}

#[tokio::test]
async fn stewards_keep_the_categories() {
    let m = market().await;
    let steward = &m.steward;
    assert_eq!(m.ann.1.get("/admin/listing-categories").await.status().as_u16(), 403);
    assert_eq!(steward.post("/admin/listing-categories", &[("name", "Children")]).await.status().as_u16(), 303);
    let (status, page) = steward.post_text("/admin/listing-categories", &[("name", "children")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("There is already a category called children"), "{page}");
    let children = synergy::categories(m.app.db()).await.unwrap().into_iter().find(|c| c.name == "Children").unwrap();
    let path = format!("/admin/listing-categories/{}", children.id);
    assert_eq!(steward.post(&path, &[("name", "Children and babies")]).await.status().as_u16(), 303);
    assert_eq!(steward.post(&path, &[("name", "x"), ("action", "retire")]).await.status().as_u16(), 303);
    // A retired category is not offered, and nothing new goes in it.
    let (_, form) = m.ann.1.get_text("/synergy/new").await;
    assert!(!form.contains("Children and babies"), "{form}");
    let (status, _, page) = post(
        &m.ann.1,
        &[("side", "offer"), ("kind", "give"), ("category", &children.id.to_string()), ("title", "Cot")],
        &[],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("Choose a category."));
    assert_eq!(steward.post(&path, &[("name", "x"), ("action", "restore")]).await.status().as_u16(), 303);
    let (_, form) = m.ann.1.get_text("/synergy/new").await;
    assert!(form.contains("Children and babies"));
}

#[tokio::test]
async fn a_reported_listing_is_hidden_by_a_steward_and_not_put_up_again() {
    let m = market().await;
    let (ann, cat) = (&m.ann.1, &m.cat.1);
    let id = posted(
        ann,
        &[
            ("side", "offer"),
            ("kind", "sell"),
            ("category", &m.food),
            ("title", "Miracle honey"),
            ("body", "Pay by bank transfer first"),
            ("price_pounds", "30"),
        ],
    )
    .await;
    // A warning shows on a listing that asks to be paid outside the community.
    let (_, page) = cat.get_text(&format!("/synergy/listings/{id}")).await;
    assert!(page.contains("Take care:") && page.contains("bank transfer"), "{page}");
    assert_eq!(ann.get(&format!("/synergy/listings/{id}/report")).await.status().as_u16(), 403);
    let (status, _) = cat.post_text(&format!("/synergy/listings/{id}/report"), &[("reason", "")]).await;
    assert_eq!(status, 422);
    let response = cat.post(&format!("/synergy/listings/{id}/report"), &[("reason", "Looks like a scam")]).await;
    assert_eq!(location(&response), format!("/synergy/listings/{id}?reported=1"));
    let (_, page) = cat.get_text(&location(&response)).await;
    assert!(page.contains("The moderators will look at it"), "{page}");
    assert_eq!(
        cat.post(&format!("/synergy/listings/{id}/report"), &[("reason", "Again")]).await.status().as_u16(),
        409
    );
    // The steward sees it among reported listings and hides it: gone for Cat, marked for Ann.
    let (_, queue) = m.steward.get_text("/synergy/reported").await;
    assert!(queue.contains("Miracle honey") && queue.contains("Looks like a scam"), "{queue}");
    let (_, queue) = cat.get_text("/synergy/reported").await;
    assert!(!queue.contains("Miracle honey"));
    assert_eq!(
        m.steward.post(&format!("/synergy/listings/{id}/moderate"), &[("action", "hide")]).await.status().as_u16(),
        303
    );
    assert_eq!(cat.get(&format!("/synergy/listings/{id}")).await.status().as_u16(), 404);
    let (_, page) = ann.get_text(&format!("/synergy/listings/{id}")).await;
    assert!(page.contains("Hidden by a moderator"), "{page}");
    let (_, list) = cat.get_text("/synergy?q=honey").await;
    assert!(!list.contains("Miracle honey"));
    // Taken down and withdrawn, it cannot go up again.
    assert_eq!(ann.post(&format!("/synergy/listings/{id}/withdraw"), &[]).await.status().as_u16(), 303);
    assert_eq!(ann.post(&format!("/synergy/listings/{id}/repost"), &[]).await.status().as_u16(), 409);
}

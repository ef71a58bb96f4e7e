//! The accounts: a steward sets up a currency; members pay and ask to be paid, through the
//! forms (with a confirmation in plain words) and the API; what waits is accepted, declined,
//! cancelled or expires; statements and the stewards' totals add up; bad input changes nothing;
//! the same request twice pays once.

use crate::helpers::{Browser, TestApp, api_token, location, spawn_app};
use chrono::Duration;
use planet_domain::space::AccountStatus;
use planet_domain::{MemberId, TransferId};
use planet_store::queries::ledger::{self, chain, transfers};

pub struct Town {
    pub app: TestApp,
    pub steward: Browser,
    pub ann: (MemberId, Browser),
    pub bob: (MemberId, Browser),
    pub cat: (MemberId, Browser),
    pub hours: String,
}

pub async fn town() -> Town {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    let mut people = Vec::new();
    for (name, email) in
        [("Ann Baker", "ann@diss.example"), ("Bob Smith", "bob@diss.example"), ("Cat Jones", "cat@diss.example")]
    {
        let id = app.add_account(name, email, AccountStatus::Member, false).await;
        people.push((id, app.session_for(id).await));
    }
    let response = steward
        .post("/admin/currencies", &[("name", "Diss Hours"), ("symbol", "DH"), ("decimals", "2"), ("levy", "")])
        .await;
    assert_eq!(response.status().as_u16(), 303, "{}", response.text().await.unwrap());
    let hours = ledger::currencies(app.db()).await.unwrap()[0].id.to_string();
    let cat = people.pop().unwrap();
    let bob = people.pop().unwrap();
    let ann = people.pop().unwrap();
    Town { app, steward, ann, bob, cat, hours }
}

fn form_id(page: &str) -> String {
    page.split("name=\"id\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned()
}

/// Pay through the form and its confirmation; returns where it led.
pub async fn pay(t: &Town, from: &Browser, to: MemberId, amount: &str, what: &str) -> (u16, String) {
    let (status, page) = from.get_text(&format!("/pay?to={to}")).await;
    assert_eq!(status, 200, "{page}");
    let id = form_id(&page);
    let fields =
        [("id", id.as_str()), ("to", &to.to_string()), ("currency", &t.hours), ("amount", amount), ("for", what)];
    let response = from.post("/pay/confirm", &fields).await;
    let status = response.status().as_u16();
    let place = location(&response);
    (status, if place.is_empty() { response.text().await.unwrap() } else { place })
}

async fn balance(t: &Town, who: MemberId) -> i64 {
    let currency = t.hours.parse().unwrap();
    ledger::find_account(t.app.db(), currency, planet_domain::ledger::AccountKind::Person, who.uuid())
        .await
        .unwrap()
        .map(|a| a.standing.balance)
        .unwrap_or(0)
}

/// Invariants 1–3 and 8, read from the store.
pub async fn books_balance(app: &TestApp) {
    let db = app.db();
    for (currency, totals) in ledger::totals(db).await.unwrap() {
        assert_eq!(totals.balances, 0, "balances of {currency} add up to zero");
        assert_eq!(totals.pending_out, totals.pending_in, "pending amounts of {currency} match");
    }
    let folded = chain::fold(db).await.unwrap();
    let ids: Vec<_> = folded.keys().copied().collect();
    let accounts = ledger::accounts(db, &ids).await.unwrap();
    for (id, f) in &folded {
        let a = accounts[id];
        assert_eq!(
            (a.standing.balance, a.standing.pending_out, a.standing.pending_in),
            (f.balance, f.pending_out, f.pending_in),
            "account {id} is its entries folded"
        );
        assert_eq!(a.postings, f.postings, "account {id}'s statement lines");
        if f.postings > 0 {
            assert_eq!(f.last_posted_balance, a.standing.balance, "account {id}'s last line shows its balance");
        }
        assert!(a.standing.within(a.limits), "account {id} is within its limits: {a:?}");
    }
    assert!(chain::verify(db).await.unwrap().is_ok(), "the chain verifies from the first link");
}

#[tokio::test]
async fn a_payment_goes_from_the_form_to_both_statements() {
    let t = town().await;
    let (ann, bob) = (&t.ann, &t.bob);
    // Bob finds Ann by name.
    let (_, page) = bob.1.get_text("/pay?name=ann").await;
    assert!(page.contains("Ann Baker") && page.contains(&format!("/pay?to={}", ann.0)), "{page}");
    // The confirmation says what will happen, in plain words.
    let (_, form) = bob.1.get_text(&format!("/pay?to={}", ann.0)).await;
    let id = form_id(&form);
    let fields = [
        ("id", id.as_str()),
        ("to", &ann.0.to_string()),
        ("currency", &t.hours),
        ("amount", "3"),
        ("for", "gardening"),
    ];
    let (status, page) = bob.1.post_text("/pay", &fields).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("You are paying Ann Baker 3 Diss Hours for gardening."), "{page}");
    assert!(page.contains("Your balance will be \u{2212}3 Diss Hours."), "{page}");
    assert_eq!(balance(&t, bob.0).await, 0, "checking pays nothing");
    // Confirming pays at once.
    let response = bob.1.post("/pay/confirm", &fields).await;
    assert_eq!(response.status().as_u16(), 303);
    let place = location(&response);
    assert!(place.starts_with(&format!("/accounts/transfers/{id}")), "{place}");
    let (_, page) = bob.1.get_text(&place).await;
    assert!(page.contains("The payment has been made") && page.contains("Done"), "{page}");
    assert_eq!((balance(&t, bob.0).await, balance(&t, ann.0).await), (-300, 300));
    // Sending the same form again (a double click, a retry) pays once.
    let response = bob.1.post("/pay/confirm", &fields).await;
    assert_eq!(location(&response), place);
    assert_eq!((balance(&t, bob.0).await, balance(&t, ann.0).await), (-300, 300));
    // Ann sees it: told, on her accounts page and her statement.
    let (_, news) = ann.1.get_text("/notifications").await;
    assert!(news.contains("Bob Smith paid you, for “gardening”"), "{news}");
    assert!(news.contains(&format!("/accounts/transfers/{id}")), "{news}");
    let (_, mine) = ann.1.get_text("/accounts").await;
    assert!(mine.contains("3 Diss Hours"), "{mine}");
    let ann_account = ledger::find_account(
        t.app.db(),
        t.hours.parse().unwrap(),
        planet_domain::ledger::AccountKind::Person,
        ann.0.uuid(),
    )
    .await
    .unwrap()
    .unwrap();
    let (status, statement) = ann.1.get_text(&format!("/accounts/{}", ann_account.id)).await;
    assert_eq!(status, 200);
    assert!(
        statement.contains("gardening") && statement.contains("Bob Smith") && statement.contains("+3"),
        "{statement}"
    );
    // Nobody else sees Ann's statement or the transfer.
    assert_eq!(t.cat.1.get(&format!("/accounts/{}", ann_account.id)).await.status().as_u16(), 404);
    assert_eq!(t.cat.1.get(&place).await.status().as_u16(), 404);
    // The stewards' totals add up to zero.
    let (_, totals) = t.steward.get_text("/admin/currencies").await;
    assert!(totals.contains("Adds up to zero"), "{totals}");
    books_balance(&t.app).await;
}

#[tokio::test]
async fn requests_are_accepted_declined_cancelled_or_expire() {
    let t = town().await;
    let (ann, bob, cat) = (&t.ann, &t.bob, &t.cat);
    let ask = |who: &Browser, to: MemberId, amount: &'static str| {
        let who = who.clone();
        let hours = t.hours.clone();
        async move {
            let id = TransferId::new_v7().to_string();
            let fields = [
                ("id", id.as_str()),
                ("to", &to.to_string()),
                ("currency", &hours),
                ("amount", amount),
                ("for", "eggs"),
            ];
            let response = who.post("/accounts/request/confirm", &fields).await;
            assert_eq!(response.status().as_u16(), 303);
            id
        }
    };
    // Ann asks Bob for 2: nothing moves until he pays.
    let first = ask(&ann.1, bob.0, "2").await;
    assert_eq!(balance(&t, ann.0).await, 0);
    let (_, news) = bob.1.get_text("/notifications").await;
    assert!(news.contains("Ann Baker asks you to pay, for “eggs”"), "{news}");
    let (_, mine) = bob.1.get_text("/accounts").await;
    assert!(mine.contains("Ann Baker asks you for 2 Diss Hours") && mine.contains("For you to answer"), "{mine}");
    // Ann cannot pay her own request; Cat cannot even see it.
    assert_eq!(ann.1.post(&format!("/accounts/transfers/{first}/accept"), &[]).await.status().as_u16(), 403);
    assert_eq!(cat.1.post(&format!("/accounts/transfers/{first}/accept"), &[]).await.status().as_u16(), 404);
    let response = bob.1.post(&format!("/accounts/transfers/{first}/accept"), &[]).await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!((balance(&t, ann.0).await, balance(&t, bob.0).await), (200, -200));
    // Accepting again answers the same; declining now is refused, and changes nothing.
    assert_eq!(bob.1.post(&format!("/accounts/transfers/{first}/accept"), &[]).await.status().as_u16(), 303);
    assert_eq!(bob.1.post(&format!("/accounts/transfers/{first}/decline"), &[]).await.status().as_u16(), 409);
    assert_eq!((balance(&t, ann.0).await, balance(&t, bob.0).await), (200, -200));
    // Cat declines one; Ann cancels another.
    let second = ask(&ann.1, cat.0, "1").await;
    assert_eq!(cat.1.post(&format!("/accounts/transfers/{second}/decline"), &[]).await.status().as_u16(), 303);
    let third = ask(&ann.1, cat.0, "1").await;
    assert_eq!(ann.1.post(&format!("/accounts/transfers/{third}/cancel"), &[]).await.status().as_u16(), 303);
    assert_eq!(cat.1.post(&format!("/accounts/transfers/{third}/accept"), &[]).await.status().as_u16(), 409);
    assert_eq!(balance(&t, cat.0).await, 0);
    // One left too long expires, and is never paid.
    let fourth = ask(&ann.1, cat.0, "1").await;
    t.app.clock.advance(Duration::days(15));
    let (status, page) = cat.1.post_text(&format!("/accounts/transfers/{fourth}/accept"), &[]).await;
    assert_eq!(status, 410, "{page}");
    assert!(page.contains("expired"), "{page}");
    assert_eq!(balance(&t, cat.0).await, 0);
    let stored = transfers::transfer(t.app.db(), fourth.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(stored.state, planet_domain::ledger::TransferState::Expired);
    books_balance(&t.app).await;
}

#[tokio::test]
async fn a_payee_who_confirms_holds_the_amount_until_they_accept() {
    let t = town().await;
    let (ann, bob) = (&t.ann, &t.bob);
    // Ann accepts each payment before it arrives.
    let (status, _) = pay(&t, &bob.1, ann.0, "1", "seedlings").await;
    assert_eq!(status, 303);
    let account = ledger::find_account(
        t.app.db(),
        t.hours.parse().unwrap(),
        planet_domain::ledger::AccountKind::Person,
        ann.0.uuid(),
    )
    .await
    .unwrap()
    .unwrap();
    let response = ann.1.post(&format!("/accounts/{}/settings", account.id), &[("confirm_incoming", "yes")]).await;
    assert_eq!(response.status().as_u16(), 303);
    let (status, place) = pay(&t, &bob.1, ann.0, "60", "a trailer of logs").await;
    assert_eq!(status, 303);
    let (_, page) = bob.1.get_text(&place).await;
    assert!(page.contains("waiting for them to accept"), "{page}");
    assert_eq!(balance(&t, ann.0).await, 100);
    // The 60 is held against Bob's limit (−100): he cannot spend 50 more meanwhile.
    let (status, page) = pay(&t, &bob.1, t.cat.0, "50", "too much").await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("more than you can spend"), "{page}");
    let id = place.trim_start_matches("/accounts/transfers/").split('?').next().unwrap().to_owned();
    assert_eq!(ann.1.post(&format!("/accounts/transfers/{id}/accept"), &[]).await.status().as_u16(), 303);
    assert_eq!((balance(&t, ann.0).await, balance(&t, bob.0).await), (6100, -6100));
    books_balance(&t.app).await;
}

#[tokio::test]
async fn bad_payments_are_refused_and_change_nothing() {
    let t = town().await;
    let (ann, bob) = (&t.ann, &t.bob);
    let cases: [(&str, &str, &str, &str); 6] = [
        ("0", "x", "amount", "more than zero"),
        ("-3", "x", "amount", "more than zero"),
        ("2.555", "x", "amount", "at most 2 decimals"),
        ("abc", "x", "amount", "as a number"),
        ("3", "", "for", "Say what it is for"),
        ("101", "x", "amount", "more than you can spend"),
    ];
    for (amount, what, _field, says) in cases {
        let id = TransferId::new_v7().to_string();
        let fields = [
            ("id", id.as_str()),
            ("to", &ann.0.to_string()),
            ("currency", &t.hours),
            ("amount", amount),
            ("for", what),
        ];
        let (status, page) = bob.1.post_text("/pay/confirm", &fields).await;
        assert_eq!(status, 422, "{amount}: {page}");
        assert!(page.contains(says), "{amount} should say {says}: {page}");
    }
    // An unknown currency, paying yourself, an out-of-date form.
    let id = TransferId::new_v7().to_string();
    let unknown = uuid::Uuid::now_v7().to_string();
    let (status, page) = bob
        .1
        .post_text(
            "/pay/confirm",
            &[("id", &id), ("to", &ann.0.to_string()), ("currency", &unknown), ("amount", "1"), ("for", "x")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("Choose one of the community"), "{page}");
    let (status, page) = bob
        .1
        .post_text(
            "/pay/confirm",
            &[("id", &id), ("to", &bob.0.to_string()), ("currency", &t.hours), ("amount", "1"), ("for", "x")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("cannot pay yourself"), "{page}");
    let (status, page) = bob
        .1
        .post_text(
            "/pay/confirm",
            &[("id", "not-an-id"), ("to", &ann.0.to_string()), ("currency", &t.hours), ("amount", "1"), ("for", "x")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("out of date"), "{page}");
    assert_eq!((balance(&t, ann.0).await, balance(&t, bob.0).await), (0, 0));
    assert!(
        transfers::pending_of_kind(t.app.db(), planet_domain::ledger::TransferKind::Payment).await.unwrap().is_empty()
    );
    books_balance(&t.app).await;
}

#[tokio::test]
async fn the_api_is_idempotent_and_two_payments_cannot_together_pass_the_limit() {
    let t = town().await;
    let (ann, bob) = (&t.ann, &t.bob);
    let token = api_token(&t.app, bob.0).await;
    let client = reqwest::Client::new();
    let url = format!("{}/api/v1/transfers", t.app.base);
    let id = TransferId::new_v7().to_string();
    let body = serde_json::json!({"id": id, "kind": "payment", "to": ann.0.to_string(), "currency": t.hours, "amount": "4.50", "for": "bread"});
    let first: serde_json::Value =
        client.post(&url).bearer_auth(&token).json(&body).send().await.unwrap().json().await.unwrap();
    assert_eq!(first["state"], "completed", "{first}");
    assert_eq!(first["amount"], "4.50");
    // The same id and body: the same answer, paid once.
    let again: serde_json::Value =
        client.post(&url).bearer_auth(&token).json(&body).send().await.unwrap().json().await.unwrap();
    assert_eq!(again, first);
    assert_eq!(balance(&t, bob.0).await, -450);
    // The same id with another body: 409, nothing changes.
    let changed = serde_json::json!({"id": id, "kind": "payment", "to": ann.0.to_string(), "currency": t.hours, "amount": "5", "for": "bread"});
    let response = client.post(&url).bearer_auth(&token).json(&changed).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 409);
    let error: serde_json::Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], "idempotency_conflict");
    // Someone else using the id: 409 too, and they learn nothing of it.
    let ann_token = api_token(&t.app, ann.0).await;
    let theirs = serde_json::json!({"id": id, "kind": "payment", "to": bob.0.to_string(), "currency": t.hours, "amount": "4.50", "for": "bread"});
    assert_eq!(client.post(&url).bearer_auth(&ann_token).json(&theirs).send().await.unwrap().status().as_u16(), 409);
    assert_eq!(balance(&t, bob.0).await, -450);
    // Two payments at once that together pass Bob's limit: exactly one goes through.
    let pay_60 = |to: MemberId| serde_json::json!({"id": TransferId::new_v7().to_string(), "kind": "payment", "to": to.to_string(), "currency": t.hours, "amount": "60", "for": "logs"});
    let (a, b) = tokio::join!(
        client.post(&url).bearer_auth(&token).json(&pay_60(ann.0)).send(),
        client.post(&url).bearer_auth(&token).json(&pay_60(t.cat.0)).send()
    );
    // The second is refused when it is checked, or when it is written (if both were checked
    // before either was written).
    let mut statuses = [a.unwrap().status().as_u16(), b.unwrap().status().as_u16()];
    statuses.sort();
    assert!(statuses == [200, 409] || statuses == [200, 422], "{statuses:?}");
    assert_eq!(balance(&t, bob.0).await, -6450);
    // Accepting someone else's request through the API is refused.
    let ask = serde_json::json!({"id": TransferId::new_v7().to_string(), "kind": "request", "to": t.cat.0.to_string(), "currency": t.hours, "amount": "1", "for": "jam"});
    let asked: serde_json::Value =
        client.post(&url).bearer_auth(&ann_token).json(&ask).send().await.unwrap().json().await.unwrap();
    let accept = format!("{}/api/v1/transfers/{}/accept", t.app.base, asked["id"].as_str().unwrap());
    assert_eq!(client.post(&accept).bearer_auth(&token).send().await.unwrap().status().as_u16(), 404);
    assert_eq!(client.post(&accept).bearer_auth(&ann_token).send().await.unwrap().status().as_u16(), 403);
    // Accounts and statements.
    let mine: serde_json::Value = client
        .get(format!("{}/api/v1/accounts", t.app.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine["accounts"][0]["balance"], "-64.50", "{mine}");
    books_balance(&t.app).await;
}

#[tokio::test]
async fn two_stewards_pay_from_the_fund_and_anyone_can_check_the_books() {
    let t = town().await;
    let (ann, bob, cat) = (&t.ann, &t.bob, &t.cat);
    // Stewards set a 10 % levy for the fund, and members a limit of 50 below zero.
    let fields = [
        ("name", "Diss Hours"),
        ("symbol", "DH"),
        ("levy", "10"),
        ("pending_days", "14"),
        ("floor_person", "-50"),
        ("floor_business", "-500"),
        ("floor_organisation", "-500"),
        ("floor_group", "0"),
    ];
    let response = t.steward.post(&format!("/admin/currencies/{}", t.hours), &fields).await;
    assert_eq!(response.status().as_u16(), 303, "{}", response.text().await.unwrap());
    let (status, page) = pay(&t, &bob.1, ann.0, "46", "a bicycle").await;
    assert_eq!(status, 422, "46 and its levy pass the new limit: {page}");
    let (status, _) = pay(&t, &bob.1, ann.0, "10", "=HYPERLINK(\"x\")").await;
    assert_eq!(status, 303);
    assert_eq!((balance(&t, bob.0).await, balance(&t, ann.0).await), (-1100, 1000));
    // One steward proposes paying Cat 0.50 from the fund; she may not agree to it herself.
    let second = t.app.add_account("Sam Steward", "sam@diss.example", AccountStatus::Member, true).await;
    let sam = t.app.session_for(second).await;
    let (_, form) = t.steward.get_text("/admin/corrections").await;
    let id = form_id(&form);
    let fields = [
        ("id", id.as_str()),
        ("currency", &t.hours),
        ("from", "fund"),
        ("to", &cat.0.to_string()),
        ("amount", "0.50"),
        ("for", "seeds for the community garden"),
    ];
    let response = t.steward.post("/admin/corrections", &fields).await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(balance(&t, cat.0).await, 0, "nothing moves on one steward's word");
    assert_eq!(t.steward.post(&format!("/accounts/transfers/{id}/accept"), &[]).await.status().as_u16(), 403);
    assert_eq!(cat.1.post(&format!("/accounts/transfers/{id}/accept"), &[]).await.status().as_u16(), 403);
    let (_, waiting) = sam.get_text("/admin/corrections").await;
    assert!(waiting.contains("seeds for the community garden") && waiting.contains("For you to agree to"), "{waiting}");
    assert_eq!(sam.post(&format!("/accounts/transfers/{id}/accept"), &[]).await.status().as_u16(), 303);
    assert_eq!(balance(&t, cat.0).await, 50);
    // The fund is open to every member: money in, money out, and who decided.
    let (_, fund) = ann.1.get_text("/fund").await;
    assert!(fund.contains("Diss Hours: 0.50 Diss Hours"), "{fund}");
    assert!(fund.contains("Levy on a payment") && fund.contains("Margaret Thompson and Sam Steward"), "{fund}");
    // Members who read the fund's own statement see that levies came in, not whose payments
    // they came from or what for.
    let fund_account = ledger::fund(t.app.db(), t.hours.parse().unwrap()).await.unwrap().unwrap();
    let (_, lines) = cat.1.get_text(&format!("/accounts/{}", fund_account.id)).await;
    assert!(
        lines.contains("Levy on a payment") && !lines.contains("Bob Smith") && !lines.contains("HYPERLINK"),
        "{lines}"
    );
    let csv = cat.1.get(&format!("/accounts/{}/statement.csv", fund_account.id)).await.text().await.unwrap();
    assert!(!csv.contains("Bob Smith") && !csv.contains("HYPERLINK"), "{csv}");
    // A correction is not for its sides to undo between themselves.
    let response = cat
        .1
        .post(
            &format!("/accounts/transfers/{id}/reverse"),
            &[("id", &TransferId::new_v7().to_string()), ("for", "mine")],
        )
        .await;
    assert_eq!(response.status().as_u16(), 409);
    // Too much from the fund is refused when proposed.
    let id = TransferId::new_v7().to_string();
    let fields = [
        ("id", id.as_str()),
        ("currency", &t.hours),
        ("from", "fund"),
        ("to", &cat.0.to_string()),
        ("amount", "5"),
        ("for", "too much"),
    ];
    let (status, page) = t.steward.post_text("/admin/corrections", &fields).await;
    assert_eq!(status, 422, "{page}");
    // The statement: chart, and a CSV a spreadsheet cannot be tricked by.
    let account = ledger::find_account(
        t.app.db(),
        t.hours.parse().unwrap(),
        planet_domain::ledger::AccountKind::Person,
        ann.0.uuid(),
    )
    .await
    .unwrap()
    .unwrap();
    let (_, statement) = ann.1.get_text(&format!("/accounts/{}", account.id)).await;
    assert!(
        statement.contains("<svg class=\"chart\"")
            && statement.contains("the balance went from 0 Diss Hours to 10 Diss Hours"),
        "{statement}"
    );
    let response = ann.1.get(&format!("/accounts/{}/statement.csv", account.id)).await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = response.text().await.unwrap();
    assert!(csv.starts_with("date,what for,with,in or out,balance,transfer"), "{csv}");
    assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\")\",\"Bob Smith\",10.00,10.00"), "{csv}");
    assert_eq!(cat.1.get(&format!("/accounts/{}/statement.csv", account.id)).await.status().as_u16(), 404);
    // Anyone can check the books: every change links to the one before.
    let (_, books) = cat.1.get_text("/accounts/chain").await;
    assert!(books.contains("All 3 changes check out"), "{books}");
    let head = chain::head(t.app.db()).await.unwrap();
    assert!(books.contains(&head.hash), "{books}");
    books_balance(&t.app).await;
    // Rewriting history behind the server's back is found: here the correction made "declined".
    use planet_store::ConnectionTrait;
    t.app.db().execute_unprepared("UPDATE transfers SET state = 'declined' WHERE kind = 'adjustment'").await.unwrap();
    // (The page checks the whole chain at most once a minute while its head stands still.)
    assert!(chain::verify(t.app.db()).await.unwrap().is_err(), "the rewritten state is found");
}

/// Stewards give one account limits of its own (and take them back); members cannot; bad
/// limits are refused and change nothing. The pay form shows how the payer knows the payee.
#[tokio::test]
async fn stewards_set_an_accounts_own_limits_and_the_pay_form_shows_the_trust_path() {
    let t = town().await;
    let (ann, bob) = (t.ann.0, t.bob.0);
    let (_, page) = t.ann.1.get_text(&format!("/pay?to={bob}")).await;
    assert!(page.contains("How you know Bob Smith") && page.contains("We found no path of trust"), "{page}");
    let vouched =
        t.ann.1.post(&format!("/people/{bob}/statements"), &[("kind", "trust"), ("visibility", "members")]).await;
    assert_eq!(vouched.status().as_u16(), 303);
    let (_, page) = t.ann.1.get_text(&format!("/pay?to={bob}")).await;
    assert!(page.contains("trust-path") && !page.contains("We found no path of trust"), "{page}");

    assert_eq!(pay(&t, &t.ann.1, bob, "5", "eggs").await.0, 303);
    let currency = t.hours.parse().unwrap();
    let account = ledger::find_account(t.app.db(), currency, planet_domain::ledger::AccountKind::Person, ann.uuid())
        .await
        .unwrap()
        .unwrap()
        .id;
    let path = format!("/accounts/{account}/limits");
    assert_eq!(t.bob.1.post(&path, &[("floor", "-1000")]).await.status().as_u16(), 403, "members set no limits");
    let (_, page) = t.ann.1.get_text(&format!("/accounts/{account}")).await;
    assert!(!page.contains("Limits (for stewards)"));
    let (status, page) = t.steward.post_text(&path, &[("floor", "lots")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("Limits (for stewards)") && page.contains("field-error"), "{page}");
    let (status, _) = t.steward.post_text(&path, &[("floor", "-10"), ("ceiling", "-20")]).await;
    assert_eq!(status, 422, "a ceiling below the floor");
    let response = t.steward.post(&path, &[("floor", "-10"), ("ceiling", "")]).await;
    assert_eq!(location(&response), format!("/accounts/{account}?done=limits"));
    let (_, page) = t.steward.get_text(&format!("/accounts/{account}?done=limits")).await;
    assert!(page.contains("own limits") && page.contains("Go back to the usual limits"), "{page}");
    let (status, _) = pay(&t, &t.ann.1, bob, "6", "more eggs").await;
    assert_eq!(status, 422, "past her own floor of −10");
    assert_eq!(pay(&t, &t.ann.1, bob, "5", "more eggs").await.0, 303);
    assert_eq!(balance(&t, ann).await, -1000);
    let response = t.steward.post(&path, &[("usual", "yes")]).await;
    assert_eq!(location(&response), format!("/accounts/{account}?done=limits"));
    assert_eq!(pay(&t, &t.ann.1, bob, "50", "a hen").await.0, 303, "back to the usual −100");
    let audit = planet_store::queries::audit::recent(t.app.db(), 20, 0).await.unwrap();
    assert!(
        audit.iter().any(|e| e.action == "accounts.limits" && e.detail == "lowest -10.00, no highest"),
        "{audit:?}"
    );
    // Not one's own account: like every steward's change to money, that takes another steward.
    let margaret = planet_store::queries::accounts::member_by_email(t.app.db(), "margaret@diss.example")
        .await
        .unwrap()
        .unwrap()
        .id;
    assert_eq!(pay(&t, &t.steward, bob, "1", "stamps").await.0, 303);
    let own = ledger::find_account(t.app.db(), currency, planet_domain::ledger::AccountKind::Person, margaret.uuid())
        .await
        .unwrap()
        .unwrap()
        .id;
    let (status, page) = t.steward.post_text(&format!("/accounts/{own}/limits"), &[("floor", "-100000")]).await;
    assert_eq!(status, 409);
    assert!(page.contains("Ask another steward"), "{page}");
    books_balance(&t.app).await;
}

/// A member who asks for a monthly statement is sent last month's, once, in plain words; others
/// are sent none.
#[tokio::test]
async fn a_monthly_statement_is_emailed_to_those_who_ask() {
    let t = town().await;
    let (ann, bob) = (t.ann.0, t.bob.0);
    assert_eq!(pay(&t, &t.ann.1, bob, "3", "eggs").await.0, 303);
    assert_eq!(pay(&t, &t.bob.1, ann, "1", "jam").await.0, 303);
    let currency = t.hours.parse().unwrap();
    let account = ledger::find_account(t.app.db(), currency, planet_domain::ledger::AccountKind::Person, ann.uuid())
        .await
        .unwrap()
        .unwrap()
        .id;
    let response = t.ann.1.post(&format!("/accounts/{account}/settings"), &[("monthly_statement", "yes")]).await;
    assert_eq!(location(&response), "/accounts?done=saved");
    let (_, page) = t.ann.1.get_text("/accounts").await;
    assert!(page.contains("name=\"monthly_statement\" type=\"checkbox\" value=\"yes\" checked"), "{page}");
    let send = || planet_server::ledger::monthly::send_monthly_statements(&t.app.state);
    assert_eq!(send().await.unwrap(), 0, "November's statement waits for November to end");

    t.app.clock.advance(Duration::days(3));
    assert_eq!(send().await.unwrap(), 1);
    assert_eq!(send().await.unwrap(), 0, "once");
    let mail = t.app.last_email_to("ann@diss.example").await;
    assert_eq!(mail.subject, "Your Diss Hours statement for November 2026");
    for words in [
        "Hello Ann Baker",
        "Balance on 1 November 2026: 0 Diss Hours",
        "Paid in: 1 Diss Hours",
        "Paid out: 3 Diss Hours",
        "Balance at the end of the month: \u{2212}2 Diss Hours",
        "eggs (Bob Smith)",
        "jam (Bob Smith)",
    ] {
        assert!(mail.body.contains(words), "{words}: {}", mail.body);
    }
    assert!(
        !t.app.outbox().await.iter().any(|m| m.to_address == "bob@diss.example" && m.subject.contains("statement"))
    );
    // Unticked, no more (through the API this time, as a program would).
    let token = api_token(&t.app, ann).await;
    let body: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/api/v1/accounts/{account}/settings", t.app.base))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "monthly_statement": false }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["monthly_statement"], false, "{body}");
    assert_eq!(body["floor"], "-100.00", "{body}");
    assert_eq!(body["own_limits"], false, "{body}");
    t.app.clock.advance(Duration::days(31));
    assert_eq!(send().await.unwrap(), 0);
}

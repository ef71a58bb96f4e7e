//! The ledger survives a crash: `planet serve` is killed (SIGKILL) in the middle of a stream of
//! payments from several clients, and started again on the same database. Every payment whose
//! success was acknowledged is there, completed; every one whose answer was lost is sent again
//! with the same id and is then there exactly once; and the books still balance.

use super::{Server, serve, text};
use planet_domain::ledger::AccountKind;
use planet_domain::space::AccountStatus;
use planet_domain::{MemberId, TokenId, TransferId};
use planet_store::queries::ledger::{self, chain};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

async fn token_for(store: &planet_store::Store, member: MemberId) -> String {
    let token = format!("planet_{}", uuid::Uuid::now_v7().simple());
    let hash = planet_server::identity::crypto::token_hash(&token);
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-29T00:00:00Z").unwrap().to_utc();
    planet_store::queries::accounts::create_token(store.db(), TokenId::new_v7(), member, "crash test", &hash, now)
        .await
        .unwrap();
    token
}

/// One payment: its token, its body, and what came back (None: the answer was lost).
#[derive(Clone)]
struct Sent {
    payer: usize,
    body: serde_json::Value,
    acknowledged: bool,
}

async fn books_balance(store: &planet_store::Store) {
    let db = store.db();
    for (currency, totals) in ledger::totals(db).await.unwrap() {
        assert_eq!(totals.balances, 0, "balances of {currency} add up to zero");
        assert_eq!(totals.pending_out, totals.pending_in);
    }
    let folded = chain::fold(db).await.unwrap();
    let ids: Vec<_> = folded.keys().copied().collect();
    let accounts = ledger::accounts(db, &ids).await.unwrap();
    for (id, f) in &folded {
        let a = accounts[id];
        assert_eq!((a.standing.balance, a.postings), (f.balance, f.postings), "account {id} is its entries folded");
        assert!(a.standing.within(a.limits));
    }
    assert!(chain::verify(db).await.unwrap().is_ok(), "the chain verifies from the first link");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_payments_survive_a_kill_and_the_books_still_balance() {
    let url = planet_store::dialect::fresh_test_database().await.unwrap();
    let dir = super::data_dir();
    let demo = Command::new(env!("CARGO_BIN_EXE_planet"))
        .args(["--data-dir", &dir.display().to_string(), "--database-url", url.expose(), "demo"])
        .output()
        .unwrap();
    assert!(demo.status.success(), "{}", text(&demo));
    let store = planet_store::Store::open(&url).await.unwrap();
    let currency = ledger::currencies(store.db()).await.unwrap()[0].id;
    let people: Vec<MemberId> =
        planet_store::queries::accounts::list_members(store.db(), &[AccountStatus::Member], None, 8, 0)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.id)
            .collect();
    let mut tokens = Vec::new();
    for person in &people {
        tokens.push(token_for(&store, *person).await);
    }
    let tokens = Arc::new(tokens);

    let server: Server = serve(url.expose());
    let base = server.base.clone();
    let sent: Arc<Mutex<Vec<Sent>>> = Arc::default();
    let mut clients = Vec::new();
    for client_number in 0..8_usize {
        let (tokens, sent, base, people) = (tokens.clone(), sent.clone(), base.clone(), people.clone());
        clients.push(tokio::spawn(async move {
            let http = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap();
            for n in 0.. {
                let payer = (client_number + n) % people.len();
                let payee = (payer + 1 + n % (people.len() - 1)) % people.len();
                let body = serde_json::json!({
                    "id": TransferId::new_v7().to_string(), "kind": "payment", "to": people[payee].to_string(),
                    "currency": currency.to_string(), "amount": format!("0.{:02}", 1 + n % 50), "for": "crash test"
                });
                let answer =
                    http.post(format!("{base}/api/v1/transfers")).bearer_auth(&tokens[payer]).json(&body).send().await;
                let acknowledged = match answer {
                    Ok(response) if response.status().is_success() => true,
                    Ok(response) => panic!("a payment was refused: {}", response.text().await.unwrap_or_default()),
                    Err(_) => false,
                };
                sent.lock().unwrap().push(Sent { payer, body, acknowledged });
                if !acknowledged {
                    // The server is gone.
                    return;
                }
            }
        }));
    }
    // Kill the server in the middle of the stream.
    while sent.lock().unwrap().iter().filter(|s| s.acknowledged).count() < 200 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    drop(server);
    for client in clients {
        client.await.unwrap();
    }
    let sent = sent.lock().unwrap().clone();
    let acknowledged = sent.iter().filter(|s| s.acknowledged).count();
    assert!(acknowledged >= 200);

    // Started again on the same database: every acknowledged payment is there, completed.
    let server = serve(url.expose());
    let http = reqwest::Client::new();
    for s in sent.iter().filter(|s| s.acknowledged) {
        let id = s.body["id"].as_str().unwrap();
        let got = http
            .get(format!("{}/api/v1/transfers/{id}", server.base))
            .bearer_auth(&tokens[s.payer])
            .send()
            .await
            .unwrap();
        assert_eq!(got.status().as_u16(), 200, "an acknowledged payment was lost");
        let got: serde_json::Value = got.json().await.unwrap();
        assert_eq!(got["state"], "completed");
    }
    // Those whose answer was lost are sent again with the same id: each is then there once.
    for s in sent.iter().filter(|s| !s.acknowledged) {
        let again = http
            .post(format!("{}/api/v1/transfers", server.base))
            .bearer_auth(&tokens[s.payer])
            .json(&s.body)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status().as_u16(), 200, "{}", again.text().await.unwrap());
    }
    let before = planet_store::queries::ledger::transfers::transfers(
        store.db(),
        &sent.iter().map(|s| s.body["id"].as_str().unwrap().parse().unwrap()).collect::<Vec<TransferId>>(),
    )
    .await
    .unwrap();
    assert_eq!(before.len(), sent.len(), "every payment is there exactly once");
    drop(server);
    books_balance(&store).await;
    // And the members' accounts hold what was paid.
    let total: i64 = {
        let mut sum = 0;
        for person in &people {
            sum += ledger::find_account(store.db(), currency, AccountKind::Person, person.uuid())
                .await
                .unwrap()
                .map(|a| a.standing.balance)
                .unwrap_or(0);
        }
        sum
    };
    assert_eq!(total, 0, "between themselves, what they paid and received adds up to zero");
}

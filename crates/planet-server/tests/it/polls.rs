//! Commons: a coordinator opens a proposal in a group with results hidden until it closes;
//! members vote (with reasons), change their votes, and are refused clearly when they vote
//! twice, too late, out of turn or with a bad ballot; hidden results leave by no route; a secret
//! ballot stores nobody's name; two votes at once count once; the clock closes, announces and
//! reminds; ranked and meeting polls count and export.

use crate::helpers::{Browser, TestApp, api_token, location, spawn_app};
use chrono::Duration;
use planet_domain::space::{AccountStatus, Role};
use planet_domain::{MemberId, PollId, SpaceId};
use planet_store::queries::{polls, spaces, talk};
use serde_json::{Value, json};

struct Group {
    app: TestApp,
    food: SpaceId,
    /// The coordinator.
    ann: (MemberId, Browser),
    bob: (MemberId, Browser),
    cat: (MemberId, Browser),
    /// In the community, not in the group.
    dan: (MemberId, Browser),
}

async fn group() -> Group {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    let place = steward.start_group(&app, "Food", "members", "by_request").await;
    let food: SpaceId = place.trim_start_matches("/spaces/").parse().unwrap();
    let now = app.clock_now();
    let mut people = Vec::new();
    for (name, email, role) in [
        ("Ann Baker", "ann@diss.example", Some(Role::Coordinator)),
        ("Bob Smith", "bob@diss.example", Some(Role::Member)),
        ("Cat Jones", "cat@diss.example", Some(Role::Member)),
        ("Dan Wood", "dan@diss.example", None),
    ] {
        let id = app.add_account(name, email, AccountStatus::Member, false).await;
        if let Some(role) = role {
            spaces::add_member(app.db(), food, id, role, now).await.unwrap();
        }
        people.push((id, app.session_for(id).await));
    }
    app.state.changed();
    let dan = people.pop().unwrap();
    let cat = people.pop().unwrap();
    let bob = people.pop().unwrap();
    let ann = people.pop().unwrap();
    Group { app, food, ann, bob, cat, dan }
}

/// Open a poll through the form; returns its id.
async fn open_poll(g: &Group, who: &Browser, fields: &[(&str, &str)]) -> PollId {
    let response = who.post(&format!("/spaces/{}/polls", g.food), fields).await;
    let place = location(&response);
    assert!(place.starts_with("/polls/"), "{}", response.text().await.unwrap());
    place.trim_start_matches("/polls/").split('?').next().unwrap().parse().unwrap()
}

fn proposal<'a>(title: &'a str, results: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("kind", "proposal"),
        ("title", title),
        ("details", "We have **£120** in the kitty."),
        ("seen_by", "space"),
        ("voted_by", "space"),
        ("results", results),
        ("quorum", "50"),
        ("pass_rule", "more_than_half"),
        ("block_stops", "yes"),
        ("days", "7"),
    ]
}

async fn topic_text(g: &Group, poll: PollId) -> String {
    let (found, _) = polls::poll(g.app.db(), poll).await.unwrap().unwrap();
    let topic = found.topic.expect("a poll sits in a topic");
    talk::messages(g.app.db(), topic, 1, 1000)
        .await
        .unwrap()
        .iter()
        .map(|m| m.body.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn a_proposal_goes_from_opening_to_its_outcome() {
    let g = group().await;
    let poll = open_poll(&g, &g.ann.1, &proposal("Buy a chest freezer", "after_closing")).await;
    let path = format!("/polls/{poll}");
    // Those who can vote are told; someone outside the group cannot see it at all.
    let (_, bell) = g.bob.1.get_text("/notifications").await;
    assert!(bell.contains("opened a poll you can vote in"), "{bell}");
    assert_eq!(g.dan.1.get(&path).await.status().as_u16(), 403);
    let (_, commons) = g.dan.1.get_text("/commons").await;
    assert!(!commons.contains("Buy a chest freezer"));
    let (_, commons) = g.bob.1.get_text("/commons").await;
    assert!(commons.contains("Buy a chest freezer") && commons.contains("You can vote"), "{commons}");
    assert!(topic_text(&g, poll).await.contains("A poll: [Buy a chest freezer]"));

    // Bob agrees; Cat disagrees, first without the reason a disagreement needs.
    let response = g.bob.1.post(&format!("{path}/vote"), &[("choice", "0")]).await;
    assert_eq!(location(&response), format!("{path}?done=voted"));
    let (status, page) = g.cat.1.post_text(&format!("{path}/vote"), &[("choice", "2"), ("reason", "")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("Say why you disagree or block"), "{page}");
    // The roll: the steward who started the group, Ann, Bob and Cat.
    assert_eq!(polls::turnout(g.app.db(), poll).await.unwrap(), (4, 1), "nothing half-written");
    let response =
        g.cat.1.post(&format!("{path}/vote"), &[("choice", "2"), ("reason", "It uses too much power")]).await;
    assert_eq!(location(&response), format!("{path}?done=voted"));

    // Hidden until closing: not on the page, in the API, in the files or in the topic — for
    // voters, the proposer and stewards alike.
    for who in [&g.ann.1, &g.bob.1] {
        let (status, page) = who.get_text(&path).await;
        assert_eq!(status, 200);
        assert!(page.contains("The results will be shown when the poll closes"), "{page}");
        assert!(!page.contains("It uses too much power"));
        assert!(page.contains("Bob Smith") && page.contains("Cat Jones"), "who has voted is shown");
        assert_eq!(who.get(&format!("{path}/results.csv")).await.status().as_u16(), 403);
        assert_eq!(who.get(&format!("{path}/votes.csv")).await.status().as_u16(), 403);
    }
    let token = api_token(&g.app, g.ann.0).await;
    let api: Value = reqwest::Client::new()
        .get(format!("{}/api/v1/polls/{poll}", g.app.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(api["results"], Value::Null, "{api}");
    assert_eq!(api["votes"], json!([]));
    assert_eq!(api["voters"], json!(["Bob Smith", "Cat Jones"]));
    assert!(!topic_text(&g, poll).await.contains("agreed"));
    // Outcome before closing is refused.
    let (status, _) = g.ann.1.post_text(&format!("{path}/outcome"), &[("outcome", "We buy it")]).await;
    assert_eq!(status, 409);

    // Bob changes his mind; a stranger cannot close it; Ann (coordinator) closes it early.
    let (status, page) = g.bob.1.post_text(&format!("{path}/vote"), &[("choice", "1")]).await;
    assert_eq!(status, 409, "a second vote is a change only when asked for as one");
    assert!(page.contains("Change my vote"), "{page}");
    let response = g.bob.1.post(&format!("{path}/vote"), &[("choice", "1"), ("change", "yes")]).await;
    assert_eq!(location(&response), format!("{path}?done=changed"));
    assert_eq!(g.bob.1.post(&format!("{path}/close"), &[]).await.status().as_u16(), 403);
    let response = g.ann.1.post(&format!("{path}/close"), &[]).await;
    assert_eq!(location(&response), format!("{path}?done=closed"));
    let (status, _) = g.bob.1.post_text(&format!("{path}/vote"), &[("choice", "0")]).await;
    assert_eq!(status, 409, "no votes after closing");

    // The results show, with the reasons beside the votes; the closing is posted in the topic.
    let (_, page) = g.bob.1.get_text(&path).await;
    assert!(page.contains("Did not pass"), "{page}");
    assert!(page.contains("2 of 4 voted (50%)"), "{page}");
    assert!(page.contains("It uses too much power"));
    assert!(page.contains("<svg class=\"chart\""));
    let topic = topic_text(&g, poll).await;
    assert!(topic.contains("has closed.** Did not pass"), "{topic}");
    let (status, csv) = g.bob.1.get_text(&format!("{path}/votes.csv")).await;
    assert_eq!(status, 200);
    assert!(csv.contains("\"Cat Jones\"") && csv.contains("It uses too much power"), "{csv}");
    assert_eq!(planet_server::decide::manage::announce_closed(&g.app.state).await.unwrap(), 0, "announced once");

    // The proposer writes the outcome; it is posted in the topic and voters are told.
    let response = g.ann.1.post(&format!("{path}/outcome"), &[("outcome", "We will not buy it this year.")]).await;
    assert_eq!(location(&response), format!("{path}?done=outcome"));
    assert!(topic_text(&g, poll).await.contains("We will not buy it this year."));
    let (_, bell) = g.cat.1.get_text("/notifications").await;
    assert!(bell.contains("wrote what was decided"), "{bell}");
}

#[tokio::test]
async fn a_secret_ballot_names_nobody() {
    let g = group().await;
    let mut fields = proposal("Who keeps the key", "live");
    fields.push(("secret", "yes"));
    let (status, page) = g.ann.1.post_text(&format!("/spaces/{}/polls", g.food), &fields).await;
    assert_eq!(status, 422);
    assert!(page.contains("In a secret ballot the results are shown only when the poll closes"), "{page}");
    let fields: Vec<_> =
        fields.into_iter().map(|(k, v)| if k == "results" { (k, "after_closing") } else { (k, v) }).collect();
    let poll = open_poll(&g, &g.ann.1, &fields).await;
    let path = format!("/polls/{poll}");
    let mut ids_after = Vec::new();
    for (who, choice) in [(&g.bob.1, "0"), (&g.cat.1, "3")] {
        let reason = if choice == "3" { "We need two keys" } else { "" };
        let response = who.post(&format!("{path}/vote"), &[("choice", choice), ("reason", reason)]).await;
        assert_eq!(location(&response), format!("{path}?done=voted"));
        ids_after.push(ballot_rows(&g, poll).await.into_iter().map(|b| b.id).collect::<Vec<_>>());
    }
    // Each secret vote writes every ballot afresh: the first ballot's row is not there any more.
    assert!(!ids_after[1].contains(&ids_after[0][0]), "{ids_after:?}");
    let (status, page) = g.bob.1.post_text(&format!("{path}/vote"), &[("choice", "2"), ("change", "yes")]).await;
    assert_eq!(status, 409);
    assert!(page.contains("cannot be changed"), "{page}");
    // Nothing stored links a ballot to its voter or to when it was cast.
    let rows = ballot_rows(&g, poll).await;
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|b| b.member_id.is_none() && b.cast_at.is_none()), "{rows:?}");
    g.ann.1.post(&format!("{path}/close"), &[]).await;
    let (_, page) = g.bob.1.get_text(&path).await;
    assert!(page.contains("Did not pass") && page.contains("there was a block"), "{page}");
    assert!(page.contains("Reasons given (without names)") && page.contains("We need two keys"));
    assert!(!page.contains("How people voted"));
    assert_eq!(g.bob.1.get(&format!("{path}/votes.csv")).await.status().as_u16(), 409);
    // Its results have been seen: it is not opened again (votes after them would give people away).
    let (status, page) = g.ann.1.post_text(&format!("{path}/reopen"), &[("days", "3")]).await;
    assert_eq!(status, 409);
    assert!(page.contains("cannot be opened again"), "{page}");
}

async fn ballot_rows(g: &Group, poll: PollId) -> Vec<planet_store::entities::poll_ballot::Model> {
    use planet_store::entities::poll_ballot;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    poll_ballot::Entity::find().filter(poll_ballot::Column::PollId.eq(poll.uuid())).all(g.app.db()).await.unwrap()
}

async fn api(g: &Group, token: &str, method: &str, path: &str, body: Value) -> (u16, Value) {
    let client = reqwest::Client::new();
    let url = format!("{}{path}", g.app.base);
    let request = if method == "GET" { client.get(url) } else { client.post(url).json(&body) };
    let response = request.bearer_auth(token).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn two_votes_at_once_count_once() {
    let g = group().await;
    let poll = open_poll(&g, &g.ann.1, &proposal("Open on Sundays", "live")).await;
    let token = api_token(&g.app, g.bob.0).await;
    let path = format!("/api/v1/polls/{poll}/vote");
    let agree = json!({ "marks": [1, null, null, null] });
    let abstain = json!({ "marks": [null, 1, null, null] });
    let (first, second) = tokio::join!(api(&g, &token, "POST", &path, agree), api(&g, &token, "POST", &path, abstain));
    let mut statuses = [first.0, second.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{first:?} {second:?}");
    let loser = if first.0 == 409 { first.1 } else { second.1 };
    assert_eq!(loser["error"]["code"], "already_voted");
    let ballots = polls::ballots(g.app.db(), poll, 4).await.unwrap();
    assert_eq!(ballots.len(), 1, "exactly one counts");
    assert_eq!(polls::turnout(g.app.db(), poll).await.unwrap(), (4, 1));
    // Its results were always shown: closed, it may be opened again, and takes votes again.
    let ann = api_token(&g.app, g.ann.0).await;
    let (status, _) = api(&g, &ann, "POST", &format!("/api/v1/polls/{poll}/close"), json!({})).await;
    assert_eq!(status, 200);
    let (status, body) = api(&g, &ann, "POST", &format!("/api/v1/polls/{poll}/reopen"), json!({ "days": 1 })).await;
    assert_eq!((status, &body["open"]), (200, &json!(true)), "{body}");
    let (status, _) = api(&g, &ann, "POST", &format!("/api/v1/polls/{poll}/reopen"), json!({ "days": 1 })).await;
    assert_eq!(status, 409, "it is open already");
    let (status, body) = api(&g, &ann, "POST", &path, json!({ "marks": [1, null, null, null] })).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn bad_ballots_and_wrong_voters_are_refused_clearly() {
    let g = group().await;
    let ann = api_token(&g.app, g.ann.0).await;
    let bob = api_token(&g.app, g.bob.0).await;
    let dan = api_token(&g.app, g.dan.0).await;
    let create = |body: Value| {
        let g = &g;
        let ann = ann.clone();
        async move { api(g, &ann, "POST", &format!("/api/v1/spaces/{}/polls", g.food), body).await }
    };
    // Bad polls.
    let (status, body) = create(json!({ "kind": "ranked", "title": "Our name", "options": ["Diss Growers"] })).await;
    assert_eq!((status, body["error"]["fields"][0]["code"].as_str()), (422, Some("poll_options_too_few")), "{body}");
    let (status, body) = create(json!({ "kind": "single_choice", "title": "Day", "options": ["Mon", "mon"] })).await;
    assert_eq!((status, body["error"]["fields"][0]["code"].as_str()), (422, Some("option_twice")), "{body}");
    let (status, _) = create(json!({ "kind": "lottery", "title": "Who wins" })).await;
    assert_eq!(status, 422);
    let (status, body) = create(json!({ "kind": "yes_no", "title": "Forever", "days": 100_000_000 })).await;
    assert_eq!((status, body["error"]["fields"][0]["code"].as_str()), (422, Some("poll_closes_too_late")), "{body}");
    let (status, body) =
        create(json!({ "kind": "single_choice", "title": "Day", "options": ["Mon\nTue", "Wed"] })).await;
    assert_eq!((status, body["error"]["fields"][0]["code"].as_str()), (422, Some("option_invalid")), "{body}");
    let far =
        json!({ "kind": "meeting_time", "title": "Far away", "times": ["+262142-12-31T23:30", "2099-01-01T10:00"] });
    let (status, body) = create(far).await;
    assert_eq!(status, 422, "{body}");
    let polls_before = polls::in_space(g.app.db(), g.food).await.unwrap().len();
    assert_eq!(polls_before, 0, "nothing half-written");
    // A muted member opens no poll (it would post in the group's conversation).
    let now = g.app.clock_now();
    planet_store::queries::talk::restrict(
        g.app.db(),
        g.food,
        g.bob.0,
        planet_domain::talk::RestrictionKind::Mute,
        None,
        g.ann.0,
        now,
    )
    .await
    .unwrap();
    let (status, body) = api(
        &g,
        &bob,
        "POST",
        &format!("/api/v1/spaces/{}/polls", g.food),
        json!({ "kind": "yes_no", "title": "Mine" }),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    planet_store::queries::talk::lift(g.app.db(), g.food, g.bob.0, planet_domain::talk::RestrictionKind::Mute)
        .await
        .unwrap();

    // A ranked poll and a dot vote.
    let (status, ranked) = create(json!({
        "kind": "ranked", "title": "Our name", "options": ["Diss Growers", "Waveney Veg", "Mere Gardens"],
        "results": "live"
    }))
    .await;
    assert_eq!(status, 200, "{ranked}");
    let ranked = ranked["id"].as_str().unwrap().to_owned();
    let vote = format!("/api/v1/polls/{ranked}/vote");
    let (status, body) = api(&g, &bob, "POST", &vote, json!({ "marks": [1, 1, 2] })).await;
    assert_eq!((status, body["error"]["fields"][0]["code"].as_str()), (422, Some("ballot_rank_duplicate")), "{body}");
    let (status, body) = api(&g, &bob, "POST", &vote, json!({ "marks": [1, null, 3] })).await;
    assert_eq!((status, body["error"]["fields"][0]["code"].as_str()), (422, Some("ballot_rank_gap")), "{body}");
    let (status, _) = api(&g, &dan, "POST", &vote, json!({ "marks": [1, 2, 3] })).await;
    assert_eq!(status, 403, "outside the group, the poll is closed to them");
    let (status, body) = api(&g, &bob, "POST", &vote, json!({ "marks": [2, 1, 3] })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["results"]["tally"]["winner"], 1, "{body}");

    let (status, dots) =
        create(json!({ "kind": "dot_vote", "title": "Spend", "options": ["Seeds", "Tools"], "dots": 5 })).await;
    assert_eq!(status, 200, "{dots}");
    let vote = format!("/api/v1/polls/{}/vote", dots["id"].as_str().unwrap());
    let (status, body) = api(&g, &bob, "POST", &vote, json!({ "marks": [4, 2] })).await;
    assert_eq!((status, body["error"]["fields"][0]["code"].as_str()), (422, Some("ballot_over_budget")), "{body}");
    let extend = format!("/api/v1/polls/{}/extend", dots["id"].as_str().unwrap());
    let (status, body) = api(&g, &ann, "POST", &extend, json!({ "days": 4_000_000_000u32 })).await;
    assert_eq!((status, body["error"]["fields"][0]["code"].as_str()), (422, Some("poll_closes_too_late")), "{body}");
    let (status, _) = api(&g, &bob, "POST", &extend, json!({ "days": 3 })).await;
    assert_eq!(status, 403, "only its proposer and the group's coordinators manage a poll");

    // Someone who joins after a poll opens may not vote, unless the poll lets them.
    let now = g.app.clock_now();
    spaces::add_member(g.app.db(), g.food, g.dan.0, Role::Member, now).await.unwrap();
    g.app.state.changed();
    let (status, body) = api(&g, &dan, "POST", &vote, json!({ "marks": [3, 2] })).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("forbidden")), "{body}");
    let (status, late) = create(json!({
        "kind": "yes_no", "title": "Late?", "late_voters": true
    }))
    .await;
    assert_eq!(status, 200, "{late}");
    let late = late["id"].as_str().unwrap().to_owned();
    let dan_now = g.app.add_account("Eve Late", "eve@diss.example", AccountStatus::Member, false).await;
    spaces::add_member(g.app.db(), g.food, dan_now, Role::Member, g.app.clock_now()).await.unwrap();
    g.app.state.changed();
    let eve = api_token(&g.app, dan_now).await;
    let (status, body) =
        api(&g, &eve, "POST", &format!("/api/v1/polls/{late}/vote"), json!({ "marks": [1, null] })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["i_have_voted"], true);
}

#[tokio::test]
async fn the_clock_closes_announces_and_reminds() {
    let g = group().await;
    let mut fields = proposal("Plant an orchard", "after_voting");
    fields.retain(|(k, _)| *k != "days");
    fields.push(("days", "2"));
    let poll = open_poll(&g, &g.ann.1, &fields).await;
    let path = format!("/polls/{poll}");
    g.bob.1.post(&format!("{path}/vote"), &[("choice", "0")]).await;
    // After voting, Bob sees the results; Cat, who has not voted, does not.
    let (_, page) = g.bob.1.get_text(&path).await;
    assert!(page.contains("<svg class=\"chart\""), "{page}");
    let (_, page) = g.cat.1.get_text(&path).await;
    assert!(!page.contains("<svg class=\"chart\""));
    assert!(page.contains("shown to each person once they have voted"));

    g.app.clock.advance(Duration::hours(25));
    assert_eq!(planet_server::decide::manage::remind(&g.app.state).await.unwrap(), 1);
    assert_eq!(planet_server::decide::manage::remind(&g.app.state).await.unwrap(), 0, "once");
    let (_, cat) = g.cat.1.get_text("/notifications").await;
    assert!(cat.contains("closes within a day, and you have not voted yet"), "{cat}");
    let (_, bob) = g.bob.1.get_text("/notifications").await;
    assert!(!bob.contains("closes within a day"));

    g.app.clock.advance(Duration::days(1));
    assert_eq!(planet_server::decide::manage::announce_closed(&g.app.state).await.unwrap(), 1);
    let topic = topic_text(&g, poll).await;
    assert!(topic.contains("has closed.** Did not pass: 1 of 4 voted (25%); the quorum of 50% was not met"), "{topic}");
    let (_, page) = g.cat.1.get_text(&path).await;
    assert!(page.contains("<svg class=\"chart\""), "everyone sees them once it has closed");

    // Its results were hidden from those who had not voted: it is not opened again.
    let (status, _) = g.ann.1.post_text(&format!("{path}/reopen"), &[("days", "1")]).await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn a_meeting_poll_chooses_a_time_for_calendars() {
    let g = group().await;
    let fields = [
        ("kind", "meeting_time"),
        ("title", "Seed swap planning"),
        ("time1", "2026-12-03T19:00"),
        ("time2", "2026-12-05T10:30"),
        ("minutes", "90"),
        ("seen_by", "space"),
        ("voted_by", "space"),
        ("results", "live"),
        ("pass_rule", "none"),
        ("days", "1"),
    ];
    let poll = open_poll(&g, &g.ann.1, &fields).await;
    let path = format!("/polls/{poll}");
    let (status, page) = g.bob.1.post_text(&format!("{path}/vote"), &[("o0", "2")]).await;
    assert_eq!(status, 422, "every time needs an answer");
    assert!(page.contains("Say yes, if need be, or no for each time"), "{page}");
    g.bob.1.post(&format!("{path}/vote"), &[("o0", "0"), ("o1", "2")]).await;
    g.cat.1.post(&format!("{path}/vote"), &[("o0", "2"), ("o1", "1")]).await;
    assert_eq!(g.bob.1.get(&format!("{path}/meeting.ics")).await.status().as_u16(), 409, "not chosen yet");
    g.ann.1.post(&format!("{path}/close"), &[]).await;
    let (status, ics) = g.bob.1.get_text(&format!("{path}/meeting.ics")).await;
    assert_eq!(status, 200);
    assert!(ics.contains("DTSTART:20261205T103000Z") && ics.contains("DTEND:20261205T120000Z"), "{ics}");
    assert!(ics.contains("SUMMARY:Seed swap planning"));
    let (_, csv) = g.bob.1.get_text(&format!("{path}/results.csv")).await;
    assert!(csv.contains("\"Saturday 5 December 2026 at 10:30\",1,1,\"yes\""), "{csv}");
}

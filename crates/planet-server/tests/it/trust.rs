//! Who We Are on a real database: admission by vouching, trust statements and their bad
//! input, and the trust network as stored (on SQLite, and on PostgreSQL in CI).

use crate::helpers::{Browser, TestApp, location, spawn_app};
use chrono::Duration;
use planet_domain::admission::{ApplicationStatus, VouchFact, application_outcome};
use planet_domain::profile::ProfileKind;
use planet_domain::space::{AccountStatus, JoinPolicy, Role, Visibility};
use planet_domain::trust::graph::{EdgeFacts, TrustGraph};
use planet_domain::trust::{StatementKind, TrustVisibility};
use planet_domain::{ApplicationId, InvitationId, MemberId, ProfileId, SpaceId, StatementId};
use planet_server::identity::crypto::token_hash;
use planet_store::queries::people::person_profile;
use planet_store::queries::spaces::{self, SpaceFields};
use planet_store::queries::trust::{self, NewStatement};
use planet_store::queries::{accounts, admission};
use proptest::prelude::*;

/// An applicant invited by `inviter`, waiting.
async fn applicant(app: &TestApp, name: &str, email: &str, inviter: MemberId) -> MemberId {
    let now = app.clock_now();
    let id = app.add_account(name, email, AccountStatus::Applicant, false).await;
    let invitation = InvitationId::new_v7();
    admission::create_invitation(app.db(), invitation, inviter, &token_hash(email), "", now, now + Duration::days(14))
        .await
        .unwrap();
    admission::create_application(app.db(), ApplicationId::new_v7(), id, invitation, inviter, "We are neighbours", now)
        .await
        .unwrap();
    id
}

async fn vouch(browser: &Browser, who: MemberId, in_person: bool) -> reqwest::Response {
    let mut form = vec![("kind", "vouch"), ("visibility", "members"), ("note", "We sing in the same choir")];
    if in_person {
        form.push(("met_in_person", "yes"));
    }
    browser.post(&format!("/people/{who}/statements"), &form).await
}

/// The stored state of an application, and what the rule says it should be, recomputed from
/// scratch from the stored statements.
async fn stored_and_recomputed(app: &TestApp, who: MemberId) -> (ApplicationStatus, ApplicationStatus) {
    let application = admission::application_of(app.db(), who).await.unwrap().unwrap();
    let rule = trust::admission_rule(app.db()).await.unwrap();
    let vouches: Vec<VouchFact> =
        trust::vouches_for(app.db(), person_profile(who)).await.unwrap().into_iter().map(|v| v.fact).collect();
    let (recomputed, _) = application_outcome(&rule, application.created_at, None, &vouches, app.clock_now());
    (application.status, recomputed)
}

struct Community {
    app: TestApp,
    members: Vec<(MemberId, Browser)>,
    steward: Browser,
}

/// A community whose `n` members have been members for 31 days.
async fn community(n: usize) -> Community {
    let app = spawn_app().await;
    let _ = app.set_up().await;
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(
            app.add_account(&format!("Member {i}"), &format!("m{i}@diss.example"), AccountStatus::Member, false).await,
        );
    }
    app.clock.advance(Duration::days(31));
    let margaret = accounts::member_by_email(app.db(), "margaret@diss.example").await.unwrap().unwrap().id;
    let steward = app.session_for(margaret).await;
    let mut members = Vec::new();
    for id in ids {
        members.push((id, app.session_for(id).await));
    }
    Community { app, members, steward }
}

#[tokio::test]
async fn two_vouches_admit_an_applicant() {
    let Community { app, members, .. } = community(3).await;
    let (a, b) = (&members[0], &members[1]);
    let p = applicant(&app, "Pat Newcomer", "pat@diss.example", a.0).await;
    // Members see them among "applicants you might know" (A invited them).
    let (_, mine) = a.1.get_text("/trust").await;
    assert!(mine.contains("Pat Newcomer") && mine.contains("You invited them"), "{mine}");
    // A's vouch is kept private: it counts, but A is not named to anyone.
    let private = [("kind", "vouch"), ("visibility", "private"), ("note", ""), ("met_in_person", "yes")];
    let first = a.1.post(&format!("/people/{p}/statements"), &private).await;
    assert_eq!(location(&first), format!("/people/{p}?done=statement_made#say"));
    assert_eq!(stored_and_recomputed(&app, p).await, (ApplicationStatus::Waiting, ApplicationStatus::Waiting));
    // The applicant sees who has vouched.
    let pat = app.session_for(p).await;
    let (_, page) = pat.get_text("/application").await;
    assert!(!page.contains("<li>Member 0"), "{page}");
    assert!(page.contains("One more member has vouched for you without showing their name"), "{page}");
    assert!(page.contains("1 of the 2 vouches needed count"), "{page}");
    let second = vouch(&b.1, p, false).await;
    assert_eq!(location(&second), format!("/people/{p}?done=admitted_by_vouches#say"));
    assert_eq!(stored_and_recomputed(&app, p).await, (ApplicationStatus::Approved, ApplicationStatus::Approved));
    let member = accounts::member(app.db(), p).await.unwrap().unwrap();
    assert_eq!(member.status, AccountStatus::Member);
    assert!(app.last_email_to("pat@diss.example").await.subject.contains("Welcome"));
    let application = admission::application_of(app.db(), p).await.unwrap().unwrap();
    let mut vouchers = trust::admission_vouchers(app.db(), application.id).await.unwrap();
    vouchers.sort();
    let mut expected = vec![a.0, b.0];
    expected.sort();
    assert_eq!(vouchers, expected);
    // Now in the directory, and reachable through B's open vouch (A's private one is never
    // used): Member 2 trusts A and B, and sees 2 → B → Pat only.
    let c = &members[2];
    for whom in [a.0, b.0] {
        let made =
            c.1.post(&format!("/people/{whom}/statements"), &[("kind", "trust"), ("visibility", "members")]).await;
        assert_eq!(made.status().as_u16(), 303);
    }
    let (_, profile) = c.1.get_text(&format!("/people/{p}")).await;
    assert!(
        profile.contains("Member 1</a> <span class=\"muted\">(trust, ") && profile.contains("(vouch, "),
        "{profile}"
    );
    assert!(profile.contains("There is one shortest way"), "{profile}");
    assert!(!profile.contains("Member 0"), "{profile}");
}

#[tokio::test]
async fn statements_that_make_no_sense_are_refused_and_change_nothing() {
    let Community { app, members, .. } = community(3).await;
    let (a, b) = (&members[0], &members[1]);
    let post = |browser: &Browser, who: String, form: Vec<(&'static str, String)>| {
        let browser = browser.clone();
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            browser.post_text(&format!("/people/{who}/statements"), &form).await
        }
    };
    let trust = |note: &str| {
        vec![("kind", "trust".to_owned()), ("visibility", "members".to_owned()), ("note", note.to_owned())]
    };
    // Trusting yourself.
    let (status, page) = post(&a.1, a.0.to_string(), trust("")).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("yourself"), "{page}");
    // A huge note.
    let (status, page) = post(&a.1, b.0.to_string(), trust(&"x".repeat(501))).await;
    assert_eq!(status, 422);
    assert!(page.contains("500 characters or fewer"), "{page}");
    // Unknown kind and visibility.
    let (status, _) =
        post(&a.1, b.0.to_string(), vec![("kind", "adore".to_owned()), ("visibility", "everyone".to_owned())]).await;
    assert_eq!(status, 422);
    // "Regular customer" of a person.
    let (status, page) =
        post(&a.1, b.0.to_string(), vec![("kind", "customer".to_owned()), ("visibility", "members".to_owned())]).await;
    assert_eq!(status, 422);
    assert!(page.contains("businesses and organisations"), "{page}");
    assert!(trust::statements_by(app.db(), a.0).await.unwrap().is_empty());
    // A duplicate.
    assert_eq!(post(&a.1, b.0.to_string(), trust("")).await.0, 303);
    let (status, page) = post(&a.1, b.0.to_string(), trust("")).await;
    assert_eq!(status, 422);
    assert!(page.contains("already said this"), "{page}");
    assert_eq!(trust::statements_by(app.db(), a.0).await.unwrap().len(), 1);
    // An applicant cannot vouch: they are sent to their application.
    let p = applicant(&app, "Pat Newcomer", "pat@diss.example", a.0).await;
    let q = applicant(&app, "Quin Newcomer", "quin@diss.example", a.0).await;
    let pat = app.session_for(p).await;
    assert_eq!(location(&vouch(&pat, q, true).await), "/application");
    // Vouching beyond the weekly limit.
    assert_eq!(vouch(&a.1, p, true).await.status().as_u16(), 303);
    let (status, page) = {
        let r = vouch(&a.1, q, true).await;
        (r.status().as_u16(), r.text().await.unwrap())
    };
    assert_eq!(status, 409);
    assert!(page.contains("this week"), "{page}");
    // A member of too little standing.
    let newcomer = app.add_account("Nell New", "nell@diss.example", AccountStatus::Member, false).await;
    let nell = app.session_for(newcomer).await;
    let r = vouch(&nell, q, true).await;
    assert_eq!(r.status().as_u16(), 409);
    assert!(r.text().await.unwrap().contains("30 days"));
    assert!(trust::vouches_for(app.db(), person_profile(q)).await.unwrap().is_empty());
    // A business keeps at least one member running it.
    let r = a.1.post("/people", &[("kind", "business"), ("name", "Diss Bakery")]).await;
    let bakery = location(&r).trim_start_matches("/people/").trim_end_matches("/edit").to_owned();
    let r = a.1.post(&format!("/people/{bakery}/managers/{}/remove", a.0), &[]).await;
    assert_eq!(r.status().as_u16(), 409);
    assert!(r.text().await.unwrap().contains("at least one member"));
    // Vouching for a business makes no sense; being its regular customer does.
    let (status, _) =
        post(&b.1, bakery.clone(), vec![("kind", "vouch".to_owned()), ("visibility", "members".to_owned())]).await;
    assert_eq!(status, 422);
    let (status, _) =
        post(&b.1, bakery.clone(), vec![("kind", "customer".to_owned()), ("visibility", "members".to_owned())]).await;
    assert_eq!(status, 303);
    // Its owner cannot vouch for or trust it.
    let (status, _) = post(&a.1, bakery, trust("")).await;
    assert_eq!(status, 422);
    let _ = ProfileKind::Business;
}

#[tokio::test]
async fn the_directory_finds_people_by_skill_and_words() {
    let Community { app: _app, members, .. } = community(2).await;
    let a = &members[0];
    let form = [
        ("tagline", "Baker on Mere Street"),
        ("description", "Sourdough every morning"),
        ("offers", ""),
        ("needs", ""),
        ("area", "Town centre"),
        ("skills", "Bread, cakes"),
        ("website", "www.dissbakery.example"),
        ("phone", ""),
        ("contact_email", ""),
        ("contact_visibility", "members"),
    ];
    assert_eq!(a.1.post(&format!("/people/{}/edit", a.0), &form).await.status().as_u16(), 303);
    let (_, page) = members[1].1.get_text("/who-we-are?q=sourdough").await;
    assert!(page.contains("Member 0") && !page.contains("Member 1</a>"), "{page}");
    let (_, page) = members[1].1.get_text("/who-we-are?skill=bread").await;
    assert!(page.contains("Member 0"), "{page}");
    let (_, page) = members[1].1.get_text("/who-we-are?order=closeness").await;
    assert!(page.contains("Member 0"), "{page}");
    // A website that could run script is refused.
    let mut bad = form;
    bad[6] = ("website", "javascript:alert(1)");
    let (status, page) = a.1.post_text(&format!("/people/{}/edit", a.0), &bad).await;
    assert_eq!(status, 422);
    assert!(page.contains("website address"), "{page}");
}

#[derive(Debug, Clone)]
enum Step {
    Vouch { member: usize, in_person: bool },
    Withdraw { member: usize },
    Wait { days: i64 },
}

fn any_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..4usize, any::<bool>()).prop_map(|(member, in_person)| Step::Vouch { member, in_person }),
        (0..4usize).prop_map(|member| Step::Withdraw { member }),
        (1..40i64).prop_map(|days| Step::Wait { days }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// Whatever members do, the stored admission is what the rule computes from the stored
    /// statements and the clock.
    #[test]
    fn stored_admission_is_what_the_rule_computes(steps in prop::collection::vec(any_step(), 1..10)) {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let Community { app, members, .. } = community(4).await;
            let p = applicant(&app, "Pat Newcomer", "pat@diss.example", members[0].0).await;
            for step in steps {
                // Time moves on between two things people do (the rule orders events by time).
                app.clock.advance(Duration::seconds(1));
                match step {
                    Step::Vouch { member, in_person } => {
                        let status = vouch(&members[member].1, p, in_person).await.status().as_u16();
                        assert!([303, 404, 409, 422].contains(&status), "vouch answered {status}");
                    }
                    Step::Withdraw { member } => {
                        let mine = trust::statements_by(app.db(), members[member].0).await.unwrap();
                        if let Some(statement) = mine.first() {
                            members[member].1.post(&format!("/trust/statements/{}/withdraw", statement.id), &[]).await;
                        }
                    }
                    Step::Wait { days } => app.clock.advance(Duration::days(days)),
                }
                let (stored, recomputed) = stored_and_recomputed(&app, p).await;
                assert_eq!(stored, recomputed);
            }
        });
    }

    /// The trust network the server holds is the one the stored statements make: private,
    /// withdrawn and expired statements never in it.
    #[test]
    fn the_network_in_memory_matches_the_database(
        statements in prop::collection::vec((0..5usize, 0..5usize, prop::sample::select(TrustVisibility::ALL), any::<bool>(), any::<bool>()), 0..20)
    ) {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let Community { app, members, .. } = community(5).await;
            let now = app.clock_now();
            let mut expected = Vec::new();
            for (from, to, visibility, withdrawn, expired) in statements {
                let (author, subject) = (members[from].0, person_profile(members[to].0));
                let expires_at = if expired { now - Duration::days(1) } else { now + Duration::days(700) };
                let id = StatementId::new_v7();
                let new = NewStatement { id, author, subject, kind: StatementKind::Trust, visibility, note: "", met_in_person: false, now, expires_at };
                if from == to || trust::create_statement(app.db(), new).await.is_err() {
                    continue;
                }
                if withdrawn {
                    trust::revoke_statement(app.db(), id, author, now).await.unwrap();
                } else if visibility != TrustVisibility::Private && !expired {
                    expected.push((person_profile(author), subject, EdgeFacts::new(StatementKind::Trust, visibility, now, expires_at)));
                }
            }
            app.state.trust_stale();
            let held = app.state.trust_graph().await.unwrap();
            let built: TrustGraph<ProfileId> = TrustGraph::from_edges(expected);
            assert_eq!(held.edge_count(), built.edge_count());
            for (a, _) in &members {
                for (b, _) in &members {
                    let (x, y) = (held.connections(person_profile(*a), person_profile(*b), now), built.connections(person_profile(*a), person_profile(*b), now));
                    assert_eq!(x.shortest_count, y.shortest_count);
                }
            }
        });
    }
}

#[tokio::test]
async fn removing_a_fake_member_pauses_its_vouchers_and_lists_whom_it_admitted() {
    let Community { app, members, .. } = community(4).await;
    let (a, b) = (&members[0], &members[1]);
    let fake = applicant(&app, "Fay Fake", "fay@diss.example", a.0).await;
    vouch(&a.1, fake, true).await;
    assert_eq!(location(&vouch(&b.1, fake, true).await), format!("/people/{fake}?done=admitted_by_vouches#say"));
    // A month on, Fay and C admit Quin.
    app.clock.advance(Duration::days(31));
    // Sessions lapse after 30 days unused: everyone logs in again.
    let fay = app.session_for(fake).await;
    let c = &(members[2].0, app.session_for(members[2].0).await);
    let a = &(members[0].0, app.session_for(members[0].0).await);
    let d = app.session_for(members[3].0).await;
    let margaret = accounts::member_by_email(app.db(), "margaret@diss.example").await.unwrap().unwrap().id;
    let steward = app.session_for(margaret).await;
    let quin = applicant(&app, "Quin Quick", "quin@diss.example", c.0).await;
    vouch(&fay, quin, true).await;
    assert_eq!(location(&vouch(&c.1, quin, true).await), format!("/people/{quin}?done=admitted_by_vouches#say"));
    // The steward sees what removal will do, then removes Fay as not a real person.
    let (status, page) = steward.get_text(&format!("/admin/members/{fake}/remove")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Member 0") && page.contains("Member 1"), "{page}");
    let (status, _) = steward.post_text(&format!("/admin/members/{fake}/remove"), &[("reason", "")]).await;
    assert_eq!(status, 422);
    assert_eq!(accounts::member(app.db(), fake).await.unwrap().unwrap().status, AccountStatus::Member);
    let removed = steward.post(&format!("/admin/members/{fake}/remove"), &[("reason", "fake")]).await;
    assert_eq!(location(&removed), "/admin/review?done=removed");
    assert_eq!(accounts::member(app.db(), fake).await.unwrap().unwrap().status, AccountStatus::Removed);
    let (_, review) = steward.get_text("/admin/review").await;
    assert!(review.contains("Quin Quick") && review.contains("Fay Fake"), "{review}");
    // Fay can do nothing more; what she said is withdrawn.
    assert_eq!(fay.get("/who-we-are").await.status().as_u16(), 303);
    assert!(trust::statements_by(app.db(), fake).await.unwrap().is_empty());
    // Those who vouched for her cannot vouch for six months; others still can.
    let next = applicant(&app, "Rita Real", "rita@diss.example", c.0).await;
    let r = vouch(&a.1, next, true).await;
    assert_eq!(r.status().as_u16(), 409);
    assert!(r.text().await.unwrap().contains("because someone you vouched for was removed"));
    assert_eq!(vouch(&d, next, true).await.status().as_u16(), 303);
    app.clock.advance(Duration::days(184));
    let a_again = app.session_for(a.0).await;
    assert_eq!(vouch(&a_again, next, true).await.status().as_u16(), 303);
}

#[tokio::test]
async fn members_say_how_they_live_the_communitys_values() {
    let Community { app, members, steward } = community(2).await;
    let a = &members[0];
    assert_eq!(
        location(&steward.post("/admin/values", &[("name", "Local food"), ("description", "Grown near Diss")]).await),
        "/admin/values?done=value_added"
    );
    let (status, page) = steward.post_text("/admin/values", &[("name", "Local food")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("already a value called Local food"), "{page}");
    let (status, _) = a.1.post_text("/admin/values", &[("name", "Sneaky")]).await;
    assert_eq!(status, 403);
    let value = planet_store::queries::people::community_values(app.db()).await.unwrap().remove(0).id;
    let (value_key, words_key) = (format!("value-{value}"), format!("words-{value}"));
    let mut form = vec![
        ("tagline", "Grower"),
        ("description", ""),
        ("offers", ""),
        ("needs", ""),
        ("area", "Roydon"),
        ("skills", ""),
        ("website", ""),
        ("phone", ""),
        ("contact_email", ""),
        ("contact_visibility", "members"),
        (value_key.as_str(), "yes"),
        (words_key.as_str(), "Veg boxes from my allotment"),
    ];
    assert_eq!(a.1.post(&format!("/people/{}/edit", a.0), &form).await.status().as_u16(), 303);
    let (_, profile) = members[1].1.get_text(&format!("/people/{}", a.0)).await;
    assert!(profile.contains("Local food") && profile.contains("Veg boxes from my allotment"), "{profile}");
    let (_, found) = members[1].1.get_text(&format!("/who-we-are?value={value}")).await;
    assert!(found.contains("Member 0") && !found.contains("Member 1</a>"), "{found}");
    // A value the community does not keep is refused, and nothing changes.
    let unknown = format!("value-{}", planet_domain::ValueId::new_v7());
    form.push((unknown.as_str(), "yes"));
    form[0] = ("tagline", "Changed");
    let (status, page) = a.1.post_text(&format!("/people/{}/edit", a.0), &form).await;
    assert_eq!(status, 422);
    assert!(page.contains("not one the community keeps"), "{page}");
    let (_, profile) = members[1].1.get_text(&format!("/people/{}", a.0)).await;
    assert!(profile.contains("Grower") && !profile.contains("Changed"));
    // Retired, it is no longer shown.
    steward.post(&format!("/admin/values/{value}/retire"), &[]).await;
    let (_, profile) = members[1].1.get_text(&format!("/people/{}", a.0)).await;
    assert!(!profile.contains("Veg boxes from my allotment"));
}

#[tokio::test]
async fn coordinators_award_badges_that_profiles_show() {
    let Community { app, members, steward } = community(3).await;
    let (colin, mary, olive) = (&members[0], &members[1], &members[2]);
    // Colin coordinates the Repair café group.
    let group = SpaceId::new_v7();
    let now = app.clock_now();
    let fields = SpaceFields {
        name: "Repair café",
        description: "",
        visibility: Visibility::Community,
        join_policy: JoinPolicy::Open,
    };
    spaces::create_space(app.db(), group, Some(app.root()), fields, Some(colin.0), now).await.unwrap();
    spaces::add_member(app.db(), group, colin.0, Role::Coordinator, now).await.unwrap();
    app.state.changed();
    let made =
        colin.1.post(&format!("/spaces/{group}/badges"), &[("name", "Repair café host"), ("description", "")]).await;
    assert_eq!(location(&made), format!("/spaces/{group}/badges?done=badge_created"));
    let (status, page) = colin.1.post_text(&format!("/spaces/{group}/badges"), &[("name", "Repair café host")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("already has a badge called"), "{page}");
    assert_eq!(mary.1.post(&format!("/spaces/{group}/badges"), &[("name", "Mine")]).await.status().as_u16(), 403);
    let badge = planet_store::queries::badges::badges_in(app.db(), &[group]).await.unwrap().remove(0).id.to_string();
    // Colin awards it to Mary from her profile; she and everyone else see who and when.
    let (_, profile) = colin.1.get_text(&format!("/people/{}", mary.0)).await;
    assert!(profile.contains("Award a badge to Member 1"), "{profile}");
    let award = [("badge", badge.as_str()), ("note", "Fixed twenty kettles")];
    assert_eq!(
        location(&colin.1.post(&format!("/people/{}/badges", mary.0), &award).await),
        format!("/people/{}?done=badge_awarded#badges", mary.0)
    );
    let (_, profile) = olive.1.get_text(&format!("/people/{}", mary.0)).await;
    assert!(profile.contains("Repair café host") && profile.contains("awarded by Member 0"), "{profile}");
    assert!(!profile.contains("Award a badge"), "only coordinators award");
    // Twice is refused; a member who does not coordinate the group cannot award it.
    let (status, page) = colin.1.post_text(&format!("/people/{}/badges", mary.0), &award).await;
    assert_eq!(status, 422);
    assert!(page.contains("already has the badge"), "{page}");
    assert_eq!(olive.1.post(&format!("/people/{}/badges", colin.0), &award).await.status().as_u16(), 403);
    // A steward may take it back.
    let back = steward.post(&format!("/people/{}/badges/{badge}/withdraw", mary.0), &[]).await;
    assert_eq!(location(&back), format!("/people/{}?done=badge_withdrawn#badges", mary.0));
    let (_, profile) = olive.1.get_text(&format!("/people/{}", mary.0)).await;
    assert!(!profile.contains("Repair café host"));
}

#[tokio::test]
async fn vouching_limits_hold_after_a_decision_and_suspended_vouchers_do_not_count() {
    let Community { app, members, steward } = community(3).await;
    let (a, b, c) = (&members[0], &members[1], &members[2]);
    let p = applicant(&app, "Pat Newcomer", "pat@diss.example", a.0).await;
    let q = applicant(&app, "Quin Newcomer", "quin@diss.example", a.0).await;
    assert_eq!(vouch(&a.1, p, true).await.status().as_u16(), 303);
    app.clock.advance(Duration::minutes(5));
    // Pat is declined; A's vouch for her still counts against A's weekly limit.
    let application = admission::application_of(app.db(), p).await.unwrap().unwrap().id;
    let decided = steward.post(&format!("/admin/applications/{application}/decide"), &[("decision", "decline")]).await;
    assert_eq!(decided.status().as_u16(), 303);
    assert_eq!(vouch(&a.1, q, true).await.status().as_u16(), 409);
    // B vouches for Quin, then is suspended: B's vouch no longer counts, so C's does not admit.
    assert_eq!(vouch(&b.1, q, true).await.status().as_u16(), 303);
    assert_eq!(steward.post(&format!("/admin/members/{}/suspend", b.0), &[]).await.status().as_u16(), 303);
    assert_eq!(location(&vouch(&c.1, q, true).await), format!("/people/{q}?done=statement_made#say"));
    assert_eq!(stored_and_recomputed(&app, q).await, (ApplicationStatus::Waiting, ApplicationStatus::Waiting));
}

/// A multipart form with one file, as a browser sends it.
async fn upload(browser: &Browser, path: &str, bytes: &[u8]) -> (u16, String, String) {
    crate::helpers::post_multipart(browser, path, &[], "photo", bytes).await
}

pub fn photo_with_gps() -> Vec<u8> {
    let mut plain = Vec::new();
    let picture = image::RgbImage::from_pixel(1000, 700, image::Rgb([90, 140, 60]));
    image::codecs::jpeg::JpegEncoder::new(&mut plain).encode_image(&picture).unwrap();
    let payload = b"Exif\0\0MM\0*\0\0\0\x08GPSLatitude 52.3763N";
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    app1.extend_from_slice(payload);
    [&plain[..2], &app1[..], &plain[2..]].concat()
}

#[tokio::test]
async fn photos_are_cleaned_and_bad_uploads_refused() {
    let Community { app, members, .. } = community(2).await;
    let (a, b) = (&members[0], &members[1]);
    let path = format!("/people/{}/photo", a.0);
    let (status, place, _) = upload(&a.1, &path, &photo_with_gps()).await;
    assert_eq!((status, place.as_str()), (303, format!("/people/{}/edit?done=photo_saved", a.0).as_str()));
    let (_, profile) = b.1.get_text(&format!("/people/{}", a.0)).await;
    let src = profile.split("src=\"/photos/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    for size in [src.clone(), src.replace("/full", "/thumb")] {
        let response = b.1.get(&format!("/photos/{size}")).await;
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.headers()["content-type"], "image/jpeg");
        let bytes = response.bytes().await.unwrap();
        assert!(!bytes.windows(4).any(|w| w == b"Exif") && !bytes.windows(11).any(|w| w == b"GPSLatitude"));
    }
    // Someone else's profile: refused before anything is read.
    assert_eq!(upload(&b.1, &path, &photo_with_gps()).await.0, 403);
    // Logged out: no photos.
    assert_eq!(location(&app.browser().get(&format!("/photos/{src}")).await), "/login");
    // Not a picture, far too big, or a decompression bomb: a clear message, and the photo stays.
    let (status, _, page) = upload(&a.1, &path, b"%PDF-1.7 this is not a picture").await;
    assert_eq!(status, 422);
    assert!(page.contains("Please choose a photo"), "{page}");
    let (status, _, page) = upload(&a.1, &path, &vec![0xFFu8; 50 * 1024 * 1024]).await;
    assert_eq!(status, 422);
    assert!(page.contains("too big"), "{page}");
    let mut bomb = Vec::new();
    image::DynamicImage::new_rgb8(1, 1)
        .write_to(&mut std::io::Cursor::new(&mut bomb), image::ImageFormat::Png)
        .unwrap();
    bomb[16..24].copy_from_slice(&[0, 0, 0xC3, 0x50, 0, 0, 0xC3, 0x50]);
    let crc = {
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in &bomb[12..29] {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    };
    bomb[29..33].copy_from_slice(&crc.to_be_bytes());
    let (status, _, page) = upload(&a.1, &path, &bomb).await;
    assert_eq!(status, 422);
    assert!(page.contains("too many pixels"), "{page}");
    let (_, profile) = b.1.get_text(&format!("/people/{}", a.0)).await;
    assert!(profile.contains(&src), "the earlier photo stays");
}

#[tokio::test]
async fn profiles_can_be_changed_through_the_api() {
    let Community { app, members, .. } = community(2).await;
    let (a, b) = (&members[0], &members[1]);
    let url = format!("{}/api/v1/people/{}", app.base, a.0);
    let body = serde_json::json!({ "tagline": "Grower", "area": "Roydon", "skills": ["Eggs", "honey"], "contact_visibility": "members" });
    let response = a.1.client.post(&url).json(&body).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let profile: serde_json::Value = response.json().await.unwrap();
    assert_eq!(profile["tagline"], "Grower");
    assert_eq!(profile["skills"], serde_json::json!(["eggs", "honey"]));
    let bad = serde_json::json!({ "website": "javascript:alert(1)", "contact_visibility": "members" });
    let response = a.1.client.post(&url).json(&bad).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 422);
    let error: serde_json::Value = response.json().await.unwrap();
    assert_eq!(error["error"]["fields"][0]["code"], "website_invalid");
    assert_eq!(b.1.client.post(&url).json(&body).send().await.unwrap().status().as_u16(), 403);
    let listed = serde_json::json!({ "kind": "business", "name": "Roydon Eggs" });
    let response = a.1.client.post(format!("{}/api/v1/people", app.base)).json(&listed).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.json::<serde_json::Value>().await.unwrap()["kind"], "business");
}

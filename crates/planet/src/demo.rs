//! `planet demo`: a believable small market town to explore, the same every time (seeded).

use anyhow::bail;
use chrono::{DateTime, Duration, Utc};
use planet_domain::admission::INVITATION_LIFETIME;
use planet_domain::profile::{ContactVisibility, ProfileKind};
use planet_domain::space::{AccountStatus, JoinPolicy, Role, Visibility};
use planet_domain::trust::{STATEMENT_LIFETIME, StatementKind, TrustVisibility};
use planet_domain::{ApplicationId, Clock, InvitationId, MemberId, ProfileId, SpaceId, StatementId, ValueId};
use planet_server::identity::crypto::{hash_password, random_token, token_hash};
use planet_store::queries::accounts::{self, NewMember};
use planet_store::queries::people::{self, ProfileFields};
use planet_store::queries::spaces::SpaceFields;
use planet_store::queries::trust::{self, NewStatement};
use planet_store::queries::{admission, audit, community, spaces};
use planet_store::{DatabaseTransaction, Store};
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use uuid::Uuid;

/// Every demo account has this password; the README says so.
pub const DEMO_PASSWORD: &str = "diss-demo-town";
pub const DEMO_STEWARD: &str = "margaret.thompson@diss.example";
pub const DEMO_MEMBER: &str = "tom.baker@diss.example";

const FIRST: &[&str] = &[
    "Ann", "Bob", "Carol", "David", "Eileen", "Frank", "Grace", "Harry", "Irene", "Jack", "Kath", "Len", "Mary",
    "Nigel", "Olive", "Peter", "Rita", "Stan", "Sue", "Ted", "Una", "Vera", "Wendy", "Alan", "Brenda", "Colin",
    "Doris", "Eric", "Fiona", "Geoff", "Hazel", "Ian", "Joan", "Keith", "Linda", "Maureen", "Neil", "Pat", "Rosemary",
    "Sandra", "Trevor", "Valerie", "Amir", "Priya", "Kasia", "Tomasz", "Chloe", "Josh", "Ella", "Sam", "Zara",
    "Oliver", "Amelia", "Noah", "Freya", "Arthur", "Isla", "Leo",
];
const LAST: &[&str] = &[
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Wilson",
    "Cooper",
    "Ward",
    "Mayes",
    "Gooch",
    "Pye",
    "Spurgeon",
    "Howes",
    "Rackham",
    "Nunn",
    "Chilvers",
    "Thurston",
    "Eke",
    "Mobbs",
    "Leeder",
    "Self",
    "Bales",
    "Tooke",
    "Platten",
    "Seago",
    "Gotts",
    "Kerrison",
    "Hewitt",
    "Reeve",
    "Page",
    "Sadd",
    "Kemp",
    "Dunnett",
    "Woolnough",
    "Last",
    "Youngs",
    "Chapman",
    "Patel",
    "Nowak",
    "Khan",
];
const BUSINESSES: &[&str] = &[
    "Diss Community Bakery",
    "Mere Side Café",
    "Waveney Bike Repairs",
    "Park Road Greengrocer",
    "The Saturday Market Traders",
    "Diss Repair Café",
    "South Norfolk Solar Co-op",
    "Heywood Orchard",
    "Roydon Eggs",
    "Diss Youth Club",
    "St Mary's Church Hall",
    "Diss Library Friends",
    "Corn Hall Arts",
    "Waveney Valley Timebank",
    "Mere Street Books",
    "Green Lane Allotments Society",
    "Scole Community Shop",
    "Diss Men's Shed",
    "Waveney Walkers",
    "Diss Fairtrade Group",
    "Palgrave Honey",
    "The Refill Pantry",
    "Diss Town Football Club",
    "Morningside Care Co-op",
    "Waveney Wildlife Trust",
];

struct GroupSpec {
    name: &'static str,
    parent: Option<&'static str>,
    description: &'static str,
    visibility: Visibility,
    join_policy: JoinPolicy,
    size: usize,
}

const GROUPS: &[GroupSpec] = &[
    GroupSpec {
        name: "Food",
        parent: None,
        description: "Growing, sharing and cooking local food. Surplus from gardens and allotments finds a home here.",
        visibility: Visibility::Community,
        join_policy: JoinPolicy::Open,
        size: 60,
    },
    GroupSpec {
        name: "Community Farm",
        parent: Some("Food"),
        description: "The half-acre farm behind the Heywood Road. Work days every Saturday morning; all welcome, no experience needed.",
        visibility: Visibility::Community,
        join_policy: JoinPolicy::Open,
        size: 30,
    },
    GroupSpec {
        name: "Veg-box rota",
        parent: Some("Community Farm"),
        description: "Who packs and delivers the weekly veg boxes. **Packing: Thursdays 4–6pm** at the farm barn.",
        visibility: Visibility::Members,
        join_policy: JoinPolicy::ByRequest,
        size: 12,
    },
    GroupSpec {
        name: "Transport",
        parent: None,
        description: "Getting about without a car of your own: lifts, bikes, buses and walking.",
        visibility: Visibility::Community,
        join_policy: JoinPolicy::Open,
        size: 40,
    },
    GroupSpec {
        name: "Lift sharing",
        parent: Some("Transport"),
        description: "Offer and find lifts to Norwich, the hospital, the station and the supermarket.",
        visibility: Visibility::Community,
        join_policy: JoinPolicy::Open,
        size: 25,
    },
    GroupSpec {
        name: "Energy",
        parent: None,
        description: "Insulation, solar, heat pumps and using less. Ask the Energy Champions for a free home visit.",
        visibility: Visibility::Community,
        join_policy: JoinPolicy::Open,
        size: 35,
    },
    GroupSpec {
        name: "Caring",
        parent: None,
        description: "Looking out for each other: befriending, shopping for those who can't, and help after hospital.",
        visibility: Visibility::Community,
        join_policy: JoinPolicy::ByRequest,
        size: 30,
    },
    GroupSpec {
        name: "Green Living Day planning",
        parent: None,
        description: "Planning the Green Living Day on the Mere in June: stalls, talks and the repair tent.",
        visibility: Visibility::Members,
        join_policy: JoinPolicy::ByRequest,
        size: 14,
    },
    GroupSpec {
        name: "Repair and reuse",
        parent: None,
        description: "Fix it, don't bin it. The Repair Café meets on the first Saturday of the month at the Church Hall.",
        visibility: Visibility::Community,
        join_policy: JoinPolicy::Open,
        size: 28,
    },
    GroupSpec {
        name: "Stewards' room",
        parent: None,
        description: "Where the stewards talk about looking after the community.",
        visibility: Visibility::Secret,
        join_policy: JoinPolicy::ByInvitation,
        size: 0,
    },
];

/// Deterministic UUIDv7s from the seeded generator.
fn next_id(rng: &mut StdRng, counter: &mut u64) -> Uuid {
    *counter += 1;
    let mut bytes = [0u8; 10];
    rng.fill(&mut bytes);
    uuid::Builder::from_unix_timestamp_millis(1_767_225_600_000 + *counter, &bytes).into_uuid()
}

fn ago(now: DateTime<Utc>, rng: &mut StdRng, max_days: i64) -> DateTime<Utc> {
    now - Duration::days(rng.random_range(1..=max_days)) - Duration::minutes(rng.random_range(0..600))
}

pub async fn seed(store: &Store, clock: &dyn Clock) -> anyhow::Result<String> {
    if accounts::count_members(store.db()).await? > 0 || community::get(store.db()).await?.is_some() {
        bail!("the database is not empty: `planet demo` only fills a new database (use another --data-dir)");
    }
    let now = clock.now();
    let mut rng = StdRng::seed_from_u64(2026);
    let mut counter = 0u64;
    let hash = hash_password(DEMO_PASSWORD).map_err(|e| anyhow::anyhow!(e.to_string()))?;
    let txn = store.begin().await?;

    let root = SpaceId::from_uuid(next_id(&mut rng, &mut counter));
    let steward = MemberId::from_uuid(next_id(&mut rng, &mut counter));
    let founded = now - Duration::days(400);
    accounts::create_member(
        &txn,
        NewMember {
            id: steward,
            email: DEMO_STEWARD,
            name: "Margaret Thompson",
            password_hash: &hash,
            status: AccountStatus::Member,
            steward: true,
            now: founded,
        },
    )
    .await?;
    spaces::create_space(&txn, root, None, SpaceFields { name: "PlaNet Diss", description: "Everyone in PlaNet Diss: people, businesses and organisations in and around Diss building a greener, kinder local life.", visibility: Visibility::Community, join_policy: JoinPolicy::ByInvitation }, Some(steward), founded).await?;
    spaces::add_member(&txn, root, steward, Role::Coordinator, founded).await?;
    community::create(&txn, "PlaNet Diss", root, founded).await?;

    let mut people = vec![(steward, "Margaret Thompson".to_owned())];
    let tom = MemberId::from_uuid(next_id(&mut rng, &mut counter));
    create(&txn, tom, "Tom Baker", DEMO_MEMBER, &hash, ago(now, &mut rng, 300), root).await?;
    people.push((tom, "Tom Baker".to_owned()));
    let mut used = std::collections::HashSet::new();
    while people.len() < 150 {
        let first = FIRST.choose(&mut rng).copied().unwrap_or("Ann");
        let last = LAST.choose(&mut rng).copied().unwrap_or("Smith");
        let name = format!("{first} {last}");
        if !used.insert(name.clone()) || name == "Tom Baker" || name == "Margaret Thompson" {
            continue;
        }
        let email = format!("{}.{}@diss.example", first.to_lowercase(), last.to_lowercase());
        let id = MemberId::from_uuid(next_id(&mut rng, &mut counter));
        create(&txn, id, &name, &email, &hash, ago(now, &mut rng, 380), root).await?;
        people.push((id, name));
    }
    // Businesses and organisations are directory entries, each run by one of the people.
    let mut organisations = Vec::new();
    for (i, business) in BUSINESSES.iter().enumerate() {
        let id = ProfileId::from_uuid(next_id(&mut rng, &mut counter));
        let kind = if i % 3 == 2 { ProfileKind::Organisation } else { ProfileKind::Business };
        let listed = ago(now, &mut rng, 380);
        people::create_profile(&txn, id, kind, None, business, listed).await?;
        let owner = people_list_pick(&people, &mut rng);
        people::add_manager(&txn, id, owner, true, listed).await?;
        let tags = vec![SKILLS[i % SKILLS.len()].to_owned()];
        let fields = ProfileFields {
            name: business,
            tagline: TAGLINES[i % TAGLINES.len()],
            description: "",
            offers: "",
            needs: "",
            area: AREAS[i % AREAS.len()],
            website: None,
            phone: None,
            contact_email: None,
            contact_visibility: ContactVisibility::Members,
            tags: &tags,
        };
        people::update_profile(&txn, id, fields, listed).await?;
        organisations.push((id, (*business).to_owned()));
    }
    let mut group_ids: Vec<(&str, SpaceId)> = Vec::new();
    for spec in GROUPS {
        let id = SpaceId::from_uuid(next_id(&mut rng, &mut counter));
        let parent =
            spec.parent.and_then(|p| group_ids.iter().find(|(n, _)| *n == p).map(|(_, id)| *id)).unwrap_or(root);
        let created = ago(now, &mut rng, 360);
        spaces::create_space(
            &txn,
            id,
            Some(parent),
            SpaceFields {
                name: spec.name,
                description: spec.description,
                visibility: spec.visibility,
                join_policy: spec.join_policy,
            },
            Some(steward),
            created,
        )
        .await?;
        group_ids.push((spec.name, id));
        let mut pool: Vec<MemberId> = people.iter().skip(1).map(|(id, _)| *id).collect();
        pool.shuffle(&mut rng);
        let mut members: Vec<MemberId> = pool.into_iter().take(spec.size).collect();
        if spec.name == "Stewards' room" {
            members = vec![steward];
        } else if matches!(spec.name, "Food" | "Community Farm" | "Lift sharing" | "Energy") && !members.contains(&tom)
        {
            members.push(tom);
        }
        for (i, member) in members.iter().enumerate() {
            let role = if i < 2 && *member != tom { Role::Coordinator } else { Role::Member };
            spaces::add_member(&txn, id, *member, role, ago(now, &mut rng, 200)).await?;
        }
        audit::record(&txn, Some(steward), "space.created", spec.name, "demo", created).await?;
    }
    trust_network(&txn, &mut rng, &mut counter, &people, &organisations, now).await?;
    crate::market::plant(&txn, &mut rng, &mut |rng| next_id(rng, &mut counter), &people, tom, root, now).await?;
    // The town's time credit: an hour of help is one Diss Hour.
    let hours = planet_store::queries::ledger::NewCurrency {
        id: planet_domain::CurrencyId::from_uuid(next_id(&mut rng, &mut counter)),
        name: "Diss Hours",
        symbol: "DH",
        decimals: planet_domain::ledger::Decimals::new(2).ok_or_else(|| anyhow::anyhow!("two decimals"))?,
        levy_bp: 0,
        pending_days: planet_domain::ledger::DEFAULT_PENDING_DAYS,
        now,
    };
    planet_store::queries::ledger::create_currency(&txn, hours).await?;
    if let Some((_, farm)) = group_ids.iter().find(|(n, _)| *n == "Community Farm") {
        let poll = planet_domain::PollId::from_uuid(next_id(&mut rng, &mut counter));
        let topic = planet_domain::TopicId::from_uuid(next_id(&mut rng, &mut counter));
        let message = planet_domain::MessageId::from_uuid(next_id(&mut rng, &mut counter));
        plant_proposal(&txn, *farm, poll, topic, message, now).await?;
    }
    // A few people asking to join, and applications waiting for the stewards.
    if let Some((_, veg)) = group_ids.iter().find(|(n, _)| *n == "Veg-box rota") {
        for (member, _) in people.iter().rev().take(3) {
            if spaces::roles_in(&txn, *member, &[*veg]).await?.is_empty() {
                spaces::create_join_request(&txn, *veg, *member, "I can help on Thursdays.", ago(now, &mut rng, 5))
                    .await?;
            }
        }
    }
    for (name, email, how) in [
        (
            "Jenny Wren",
            "jenny.wren@diss.example",
            "Tom and I are neighbours on Denmark Street, and I help at the farm.",
        ),
        ("Raj Mistry", "raj.mistry@diss.example", "I run the stall next to Tom's on market day."),
    ] {
        let applicant = MemberId::from_uuid(next_id(&mut rng, &mut counter));
        accounts::create_member(
            &txn,
            NewMember {
                id: applicant,
                email,
                name,
                password_hash: &hash,
                status: AccountStatus::Applicant,
                steward: false,
                now: ago(now, &mut rng, 3),
            },
        )
        .await?;
        let invitation = InvitationId::from_uuid(next_id(&mut rng, &mut counter));
        let made = now - Duration::days(4);
        admission::create_invitation(
            &txn,
            invitation,
            tom,
            &token_hash(&random_token()),
            name,
            made,
            made + INVITATION_LIFETIME,
        )
        .await?;
        admission::consume_invitation(&txn, invitation, now - Duration::days(2)).await?;
        admission::create_application(
            &txn,
            ApplicationId::from_uuid(next_id(&mut rng, &mut counter)),
            applicant,
            invitation,
            tom,
            how,
            now - Duration::days(2),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(format!(
        "Planted PlaNet Diss: {} people, {} businesses and organisations, {} groups.\nLog in as {DEMO_MEMBER} (a member) or {DEMO_STEWARD} (a steward); every demo password is {DEMO_PASSWORD}",
        people.len(),
        organisations.len(),
        GROUPS.len()
    ))
}

/// An open proposal in the Community Farm, a few votes in, its results shown as they come.
async fn plant_proposal(
    txn: &DatabaseTransaction,
    farm: SpaceId,
    poll: planet_domain::PollId,
    topic: planet_domain::TopicId,
    message: planet_domain::MessageId,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    use planet_domain::poll::count::Rules;
    use planet_domain::poll::{Audience, Ballot, PollKind, ResultsShown, STANCES, Settings, Shape};
    use planet_store::queries::{polls, talk};
    let members = spaces::members_of(txn, farm).await?;
    let Some(author) = members.first().map(|m| m.member.id) else { return Ok(()) };
    let opened = now - Duration::days(2);
    let title = "Plant a community orchard on the Roydon field";
    let details = "The parish council offers us the corner of the Roydon field for ten years. We would plant \
                   twenty fruit trees this winter and look after them together.";
    let options: Vec<polls::PollOption> = STANCES
        .iter()
        .map(|s| polls::PollOption { label: s.label().to_owned(), starts_at: None, minutes: 0 })
        .collect();
    let new = polls::NewPoll {
        id: poll,
        space: farm,
        topic: Some(topic),
        author,
        title,
        details,
        details_html: &planet_server::web::markdown::render(details),
        shape: Shape::simple(PollKind::Proposal, STANCES.len()),
        settings: Settings {
            seen_by: Audience::Space,
            voted_by: Audience::Space,
            late_voters: false,
            secret: false,
            results: ResultsShown::Live,
        },
        rules: Rules::default(),
        options: &options,
        now: opened,
        closes_at: now + Duration::days(5),
    };
    talk::create_topic(txn, topic, farm, title, author, false, opened).await?;
    polls::open(txn, new, farm).await?;
    let body = format!("**A poll: [{title}](/polls/{poll})**\n\n{details}");
    let html = planet_server::web::markdown::render(&body);
    let first = talk::NewMessage {
        id: message,
        topic,
        author,
        body: &body,
        html: &html,
        reply_to: None,
        pending: false,
        now: opened,
    };
    talk::post_message(txn, first).await?;
    for (i, member) in members.iter().take(5).enumerate() {
        let stance = if i == 3 { 1 } else { 0 };
        let mut marks = vec![0; STANCES.len()];
        marks[stance] = 1;
        polls::mark_voted(txn, poll, member.member.id).await?;
        let reason = (i == 1).then_some("We have the volunteers, and the trees would feed the food bank too.");
        polls::cast(
            txn,
            poll,
            Some((member.member.id, opened + Duration::hours(i as i64 + 1))),
            &Ballot(marks),
            reason,
        )
        .await?;
    }
    Ok(())
}

fn people_list_pick(people: &[(MemberId, String)], rng: &mut StdRng) -> MemberId {
    people.get(rng.random_range(1..people.len())).map_or(people[0].0, |(id, _)| *id)
}

const VALUES: &[(&str, &str)] = &[
    ("Local food", "Growing, buying and sharing food from near Diss"),
    ("Repair and reuse", "Mending things and passing them on"),
    ("Renewable energy", "Sun, wind and saving energy"),
    ("Care", "Looking out for each other"),
    ("Fair trade", "Paying and being paid fairly"),
    ("Nature", "Making room for wildlife"),
];
const AREAS: &[&str] = &["Town centre", "Mere Street", "Roydon", "Palgrave", "Scole", "Heywood", "Denmark Street"];
const SKILLS: &[&str] = &[
    "bread",
    "gardening",
    "bike repair",
    "sewing",
    "solar panels",
    "cooking",
    "carpentry",
    "choir",
    "walking",
    "knitting",
    "beekeeping",
    "maths tutoring",
    "first aid",
    "electrics",
    "history",
    "pottery",
];
const TAGLINES: &[&str] = &[
    "Fresh every morning",
    "Mending and making do",
    "Happy to lend a hand",
    "Growing more than we eat",
    "Here on market days",
    "Volunteer on Saturdays",
];
const WORDS: &[&str] = &[
    "I buy my veg from the market and grow the rest.",
    "I fix what I can and pass on the rest.",
    "We put panels on the roof last spring.",
    "I visit two neighbours every week.",
    "I choose fairly traded tea and coffee.",
    "Our garden has a pond and a wild corner.",
];

/// Profiles for the people, the community's values, and a believable web of trust: people
/// vouch for and trust those they know (more often those who have been here longest) and are
/// regular customers of a few local businesses.
async fn trust_network(
    txn: &DatabaseTransaction,
    rng: &mut StdRng,
    counter: &mut u64,
    everyone: &[(MemberId, String)],
    organisations: &[(ProfileId, String)],
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let mut values = Vec::new();
    for (name, description) in VALUES {
        let id = ValueId::from_uuid(next_id(rng, counter));
        people::add_community_value(txn, id, name, description, now - Duration::days(390)).await?;
        values.push(id);
    }
    for (i, (member, name)) in everyone.iter().enumerate() {
        let profile = people::person_profile(*member);
        let tags: Vec<String> = {
            let mut tags = vec![SKILLS[i % SKILLS.len()].to_owned(), SKILLS[(i * 7 + 3) % SKILLS.len()].to_owned()];
            tags.dedup();
            tags
        };
        let fields = ProfileFields {
            name,
            tagline: TAGLINES[(i * 5) % TAGLINES.len()],
            description: "",
            offers: if i % 3 == 0 { "Lifts to Norwich on Tuesdays." } else { "" },
            needs: if i % 4 == 0 { "Help with the garden now and then." } else { "" },
            area: AREAS[(i * 3) % AREAS.len()],
            website: None,
            phone: None,
            contact_email: None,
            contact_visibility: ContactVisibility::Trusted,
            tags: &tags,
        };
        people::update_profile(txn, profile, fields, now - Duration::days(200)).await?;
        let lived: Vec<(ValueId, String)> =
            (0..2).map(|k| (values[(i + k * 2) % values.len()], WORDS[(i + k * 2) % WORDS.len()].to_owned())).collect();
        people::set_values(txn, profile, &lived).await?;
    }
    for (i, (author, _)) in everyone.iter().enumerate() {
        let mut known = std::collections::HashSet::new();
        for _ in 0..rng.random_range(3..9) {
            // Earlier members are better known: pick from the front more often.
            let u: f64 = rng.random();
            let j = ((everyone.len() as f64) * u * u) as usize;
            let (subject, _) = everyone[j.min(everyone.len() - 1)];
            if subject == *author || !known.insert(subject) {
                continue;
            }
            let kind = if rng.random_range(0..3) == 0 { StatementKind::Vouch } else { StatementKind::Trust };
            let visibility = match rng.random_range(0..10) {
                0 => TrustVisibility::Private,
                1 | 2 => TrustVisibility::Paths,
                _ => TrustVisibility::Members,
            };
            let made = ago(now, rng, 300);
            trust::create_statement(
                txn,
                NewStatement {
                    id: StatementId::from_uuid(next_id(rng, counter)),
                    author: *author,
                    subject: people::person_profile(subject),
                    kind,
                    visibility,
                    note: "",
                    met_in_person: kind == StatementKind::Vouch,
                    now: made,
                    expires_at: made + STATEMENT_LIFETIME,
                },
            )
            .await?;
        }
        for k in 0..(i % 3) {
            let (business, _) = &organisations[(i * 5 + k * 11) % organisations.len()];
            let made = ago(now, rng, 300);
            trust::create_statement(
                txn,
                NewStatement {
                    id: StatementId::from_uuid(next_id(rng, counter)),
                    author: *author,
                    subject: *business,
                    kind: StatementKind::Customer,
                    visibility: TrustVisibility::Members,
                    note: "",
                    met_in_person: false,
                    now: made,
                    expires_at: made + STATEMENT_LIFETIME,
                },
            )
            .await?;
        }
    }
    Ok(())
}

async fn create(
    txn: &DatabaseTransaction,
    id: MemberId,
    name: &str,
    email: &str,
    hash: &str,
    when: DateTime<Utc>,
    root: SpaceId,
) -> anyhow::Result<()> {
    accounts::create_member(
        txn,
        NewMember { id, email, name, password_hash: hash, status: AccountStatus::Member, steward: false, now: when },
    )
    .await?;
    spaces::add_member(txn, root, id, Role::Member, when).await?;
    Ok(())
}

//! `planet demo`: a believable small market town to explore, the same every time (seeded).

use anyhow::bail;
use chrono::{DateTime, Duration, Utc};
use planet_domain::admission::INVITATION_LIFETIME;
use planet_domain::space::{AccountStatus, JoinPolicy, Role, Visibility};
use planet_domain::{ApplicationId, Clock, InvitationId, MemberId, SpaceId};
use planet_server::identity::crypto::{hash_password, random_token, token_hash};
use planet_store::queries::accounts::{self, NewMember};
use planet_store::queries::spaces::SpaceFields;
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
    let mut organisations = Vec::new();
    for business in BUSINESSES {
        let slug: String = business.to_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        let id = MemberId::from_uuid(next_id(&mut rng, &mut counter));
        create(&txn, id, business, &format!("hello@{slug}.example"), &hash, ago(now, &mut rng, 380), root).await?;
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
        if matches!(spec.name, "Repair and reuse" | "Food") {
            for (org, _) in organisations.iter().take(6) {
                if !members.contains(org) {
                    spaces::add_member(&txn, id, *org, Role::Member, ago(now, &mut rng, 200)).await?;
                }
            }
        }
        audit::record(&txn, Some(steward), "space.created", spec.name, "demo", created).await?;
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

//! The demo town's market: offers and wants of every kind, one promise and one done deal with
//! feedback from both sides (so profiles show what was given and received).

use chrono::{DateTime, Duration, Utc};
use planet_domain::synergy::words::{keywords, words};
use planet_domain::synergy::{DealState, ListingKind, ListingStatus, Minor, Price, Rating, Side, default_days};
use planet_domain::{DealId, ListingId, MemberId, SpaceId};
use planet_store::DatabaseTransaction;
use planet_store::queries::people::person_profile;
use planet_store::queries::synergy::deals::{self, NewDeal};
use planet_store::queries::synergy::{self as listings, ListingFields, ListingWords, NewListing};
use rand::Rng;
use rand::rngs::StdRng;

struct Spec {
    side: Side,
    kind: ListingKind,
    category: &'static str,
    title: &'static str,
    body: &'static str,
    tags: &'static [&'static str],
    area: &'static str,
    pounds: Option<i64>,
    credits: Option<i64>,
}

const fn offer(kind: ListingKind, category: &'static str, title: &'static str, body: &'static str) -> Spec {
    Spec { side: Side::Offer, kind, category, title, body, tags: &[], area: "", pounds: None, credits: None }
}

const fn want(kind: ListingKind, category: &'static str, title: &'static str, body: &'static str) -> Spec {
    Spec { side: Side::Want, kind, category, title, body, tags: &[], area: "", pounds: None, credits: None }
}

const MARKET: &[Spec] = &[
    Spec {
        tags: &["fruit", "cooking"],
        area: "Near the Mere",
        ..offer(
            ListingKind::Give,
            "Food",
            "Bramley apples, a big bag",
            "Windfalls from our old tree. Lovely for crumble and chutney. Bring a bag.",
        )
    },
    Spec {
        tags: &["eggs"],
        area: "Roydon",
        pounds: Some(200),
        credits: Some(100),
        ..offer(
            ListingKind::Sell,
            "Food",
            "Free-range eggs, half a dozen",
            "Our hens are laying well. I can leave them in the box by the gate.",
        )
    },
    Spec {
        tags: &["bread", "baking"],
        area: "Town centre",
        credits: Some(100),
        ..offer(
            ListingKind::Sell,
            "Food",
            "Sourdough loaves on Fridays",
            "I bake on Thursday night. Order by Wednesday.",
        )
    },
    Spec {
        tags: &["veg", "courgettes"],
        area: "Palgrave",
        ..offer(
            ListingKind::Give,
            "Food",
            "Courgettes, far too many",
            "Help! Green and yellow ones. Take as many as you like.",
        )
    },
    Spec {
        tags: &["jam", "preserves"],
        area: "Near the Mere",
        ..offer(
            ListingKind::Swap,
            "Food",
            "Plum jam for anything from your garden",
            "Twelve jars of this year's plum jam to swap.",
        )
    },
    Spec {
        tags: &["fruit"],
        ..want(
            ListingKind::Give,
            "Food",
            "Any fruit for a school project",
            "Our class is making fruit prints. Bruised is fine!",
        )
    },
    Spec {
        tags: &["lift", "norwich"],
        area: "Roydon",
        ..offer(
            ListingKind::Help,
            "Transport",
            "Lift to Norwich on Tuesdays",
            "I drive to Norwich every Tuesday at 9 and come back at 4. Room for two.",
        )
    },
    Spec {
        tags: &["lift", "hospital"],
        ..want(
            ListingKind::Help,
            "Transport",
            "Lift to the hospital on the 14th",
            "I have an appointment at the Norfolk and Norwich at 11. I can pay for fuel.",
        )
    },
    Spec {
        tags: &["bike", "children"],
        area: "Heywood",
        pounds: Some(1500),
        ..offer(
            ListingKind::Sell,
            "Transport",
            "Child's bike, 16-inch wheels",
            "Outgrown, good tyres, new brakes last spring.",
        )
    },
    Spec {
        tags: &["trailer"],
        area: "Palgrave",
        ..offer(
            ListingKind::Lend,
            "Transport",
            "Bike trailer to borrow",
            "For shopping or a small child. A week at a time.",
        )
    },
    Spec {
        tags: &["solar", "advice"],
        credits: Some(200),
        ..offer(
            ListingKind::Help,
            "Energy",
            "Advice on solar panels",
            "I fitted ours last year and can tell you what I learnt, and look at your roof.",
        )
    },
    Spec {
        tags: &["insulation"],
        ..want(
            ListingKind::Lend,
            "Energy",
            "Thermal camera to borrow",
            "To find where the heat leaks out of our cottage.",
        )
    },
    Spec {
        tags: &["logs", "firewood"],
        area: "Roydon",
        pounds: Some(4000),
        ..offer(
            ListingKind::Sell,
            "Energy",
            "Seasoned logs, a trailer load",
            "Ash and oak, dried for two years. I can deliver in town.",
        )
    },
    Spec {
        tags: &["garden", "tools"],
        area: "Denmark Street area",
        ..offer(
            ListingKind::Lend,
            "Home and garden",
            "Hedge trimmer to lend",
            "Electric, with a long cable. Back within the week, please.",
        )
    },
    Spec {
        tags: &["gardening"],
        credits: Some(100),
        ..want(
            ListingKind::Help,
            "Home and garden",
            "An hour of help in the garden",
            "My knees are not what they were. Weeding and some digging.",
        )
    },
    Spec {
        tags: &["seedlings", "tomatoes"],
        area: "Near the Mere",
        ..offer(
            ListingKind::Give,
            "Home and garden",
            "Tomato seedlings",
            "Gardener's Delight and Moneymaker. Ready to plant out.",
        )
    },
    Spec {
        tags: &["compost"],
        ..want(
            ListingKind::Give,
            "Home and garden",
            "Grass cuttings for the compost heap",
            "I can collect with my car.",
        )
    },
    Spec {
        tags: &["sitting", "pets"],
        credits: Some(300),
        ..offer(
            ListingKind::Help,
            "Care",
            "Cat-sitting while you are away",
            "Retired and at home most days. References from neighbours.",
        )
    },
    Spec {
        tags: &["company", "reading"],
        ..want(
            ListingKind::Help,
            "Care",
            "Someone to read with my mother",
            "She loves Dickens and cannot see well now. An hour a week?",
        )
    },
    Spec {
        tags: &["repairs", "sewing"],
        credits: Some(100),
        ..offer(
            ListingKind::Help,
            "Skills and services",
            "Clothes mended and hemmed",
            "Bring them round; most things done within the week.",
        )
    },
    Spec {
        tags: &["computer", "help"],
        ..want(
            ListingKind::Help,
            "Skills and services",
            "Help setting up a new laptop",
            "Email, video calls with the grandchildren, and printing.",
        )
    },
    Spec {
        tags: &["bikes", "repairs"],
        area: "Town centre",
        credits: Some(150),
        ..offer(
            ListingKind::Help,
            "Skills and services",
            "Bike check and puncture repair",
            "Saturday mornings at the repair café, or at your door.",
        )
    },
    Spec {
        tags: &["books", "children"],
        area: "Heywood",
        ..offer(
            ListingKind::Give,
            "Things",
            "Box of children's books",
            "Picture books and early readers, all in good condition.",
        )
    },
    Spec {
        tags: &["ladder"],
        ..want(ListingKind::Lend, "Things", "Long ladder for a day", "To clear the gutters before winter.")
    },
    Spec {
        tags: &["furniture"],
        area: "Palgrave",
        pounds: Some(2500),
        credits: Some(1000),
        ..offer(
            ListingKind::Sell,
            "Things",
            "Pine kitchen table and four chairs",
            "Solid and sturdy. You would need a van.",
        )
    },
    Spec {
        tags: &["wool", "knitting"],
        ..want(
            ListingKind::Swap,
            "Things",
            "Spare wool for knitted blankets",
            "We knit blankets for the night shelter. Any colour.",
        )
    },
];

/// Listings from the demo's people, in the whole community; the first is promised, the second
/// done with feedback.
pub async fn plant(
    txn: &DatabaseTransaction,
    rng: &mut StdRng,
    next_id: &mut dyn FnMut(&mut StdRng) -> uuid::Uuid,
    people: &[(MemberId, String)],
    tom: MemberId,
    root: SpaceId,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let categories = listings::categories(txn).await?;
    let mut posted = Vec::new();
    for (i, spec) in MARKET.iter().enumerate() {
        let category = categories
            .iter()
            .find(|c| c.name == spec.category)
            .map(|c| c.id)
            .ok_or_else(|| anyhow::anyhow!("no category {}", spec.category))?;
        // Tom posts a few, so the demo member has listings of his own.
        let member = if i % 9 == 4 { tom } else { people[1 + rng.random_range(0..people.len() - 1)].0 };
        let tags: Vec<String> = spec.tags.iter().map(|t| (*t).to_owned()).collect();
        let keywords = keywords(spec.title, &tags);
        let mut all = words(spec.body);
        all.extend(keywords.iter().cloned());
        let created = now - Duration::hours(rng.random_range(2..24 * 12));
        let price = Price { pounds: spec.pounds.and_then(Minor::new), credits: spec.credits.and_then(Minor::new) };
        let id = ListingId::from_uuid(next_id(rng));
        let html = planet_server::web::markdown::render(spec.body);
        let fields = ListingFields {
            side: spec.side,
            kind: spec.kind,
            category,
            title: spec.title,
            body: spec.body,
            body_html: &html,
            tags: &tags,
            area: spec.area,
            available: "",
            quantity: 1,
            price,
        };
        let new = NewListing {
            id,
            space: root,
            profile: person_profile(member),
            member,
            fields,
            words: &ListingWords { keywords, all },
            expires_at: created + Duration::days(default_days(spec.side)),
            now: created,
        };
        listings::insert(txn, new).await?;
        posted.push((id, member, spec));
    }
    // The apples are promised; the eggs were bought, and both sides were glad.
    for (n, (id, poster, spec)) in posted.iter().take(2).enumerate() {
        let other = people.iter().map(|(m, _)| *m).find(|m| m != poster && *m != tom).unwrap_or(tom);
        let deal = DealId::from_uuid(next_id(rng));
        let promised = now - Duration::hours(30);
        let price = Price { pounds: spec.pounds.and_then(Minor::new), credits: spec.credits.and_then(Minor::new) };
        let new = NewDeal {
            id: deal,
            listing: *id,
            poster: *poster,
            other,
            side: spec.side,
            title: spec.title,
            price,
            now: promised,
        };
        deals::create(txn, new).await?;
        listings::transition(txn, *id, &[ListingStatus::Open], ListingStatus::Promised, Some(other), promised).await?;
        if n == 1 {
            let done = now - Duration::hours(20);
            listings::transition(txn, *id, &[ListingStatus::Promised], ListingStatus::Done, Some(other), done).await?;
            deals::close(txn, deal, DealState::Done, other, done).await?;
            deals::add_feedback(txn, deal, other, *poster, Rating::Positive, "Lovely fresh eggs, thank you!", done)
                .await?;
            deals::add_feedback(txn, deal, *poster, other, Rating::Positive, "On time and very friendly.", done)
                .await?;
        }
    }
    Ok(())
}

//! The store on a real database: SQLite by default, PostgreSQL when
//! PLANET_TEST_DATABASE_URL names a server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, Utc};
use planet_domain::ProfileId;
use planet_domain::profile::{ContactVisibility, ProfileKind};
use planet_domain::space::AccountStatus;
use planet_domain::{InvitationId, MemberId};
use planet_store::dialect::SearchTerms;
use planet_store::queries::accounts::{self, NewMember};
use planet_store::queries::admission;
use planet_store::queries::people::{self, DirectoryOrder, DirectoryQuery, ProfileFields};
use planet_store::{Backend, ConnectionTrait, DatabaseUrl, Store, StoreError};

async fn fresh_store() -> Store {
    let url = planet_store::dialect::fresh_test_database().await.unwrap();
    Store::open(&url).await.unwrap()
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T10:00:00Z").unwrap().with_timezone(&Utc)
}

async fn member(store: &Store, email: &str) -> MemberId {
    let id = MemberId::new_v7();
    accounts::create_member(
        store.db(),
        NewMember {
            id,
            email,
            name: "Ann Baker",
            password_hash: "x",
            status: AccountStatus::Member,
            steward: false,
            now: now(),
        },
    )
    .await
    .unwrap();
    id
}

#[tokio::test]
async fn an_empty_database_gets_the_whole_schema() {
    let store = fresh_store().await;
    let tables = store.table_names().await.unwrap();
    for table in [
        "api_tokens",
        "applications",
        "audit_log",
        "community",
        "invitations",
        "join_requests",
        "members",
        "outbox",
        "password_resets",
        "seaql_migrations",
        "sessions",
        "space_invitations",
        "space_members",
        "spaces",
        "profiles",
        "profile_managers",
        "profile_tags",
        "profile_values",
        "community_values",
        "trust_statements",
        "admission_rule",
        "admission_vouches",
        "vouching_bans",
        "profile_search",
        "topics",
        "messages",
        "message_edits",
        "reactions",
        "topic_reads",
        "message_reports",
        "moderation_log",
        "talk_restrictions",
        "talk_settings",
        "notifications",
        "space_follows",
        "notification_settings",
        "message_search",
        "conduct_versions",
        "conduct_acceptances",
        "member_blocks",
        "conversation_members",
        "message_images",
        "listing_categories",
        "listings",
        "listing_photos",
        "listing_words",
        "listing_interests",
        "deals",
        "deal_feedback",
        "listing_reports",
        "saved_searches",
        "feed_tokens",
        "currencies",
        "currency_limits",
        "ledger_accounts",
        "transfers",
        "transfer_entries",
        "ledger_postings",
        "ledger_chain",
        "ledger_head",
        "polls",
        "poll_options",
        "poll_roll",
        "poll_ballots",
        "poll_marks",
    ] {
        assert!(tables.iter().any(|t| t == table), "missing table {table} in {tables:?}");
    }
    assert_eq!(
        store.applied_migrations().await.unwrap(),
        [
            "m20261128_000001_foundation",
            "m20261128_000002_who_we_are",
            "m20261128_000003_search_order",
            "m20261128_000004_talk",
            "m20261128_000005_notifications",
            "m20261128_000006_message_search",
            "m20261128_000007_code_of_conduct",
            "m20261128_000008_blocks",
            "m20261128_000009_conversations",
            "m20261128_000010_message_images",
            "m20261128_000011_topic_version",
            "m20261128_000012_synergy",
            "m20261128_000013_synergy_alerts",
            "m20261129_000014_ledger",
            "m20261129_000015_polls",
            "m20261129_000016_monthly_statements"
        ]
    );
    // Migrating again changes nothing.
    store.migrate().await.unwrap();
    assert_eq!(store.table_names().await.unwrap(), tables);
}

#[tokio::test]
async fn sqlite_is_opened_for_durability() {
    let store = fresh_store().await;
    if store.backend() != Backend::Sqlite {
        return;
    }
    let pragma = |name: &'static str| {
        let db = store.db().clone();
        async move {
            let row = db
                .query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), format!("PRAGMA {name}")))
                .await
                .unwrap()
                .unwrap();
            row.try_get_by_index::<String>(0)
                .or_else(|_| row.try_get_by_index::<i64>(0).map(|n| n.to_string()))
                .unwrap()
        }
    };
    assert_eq!(pragma("journal_mode").await, "wal");
    assert_eq!(pragma("foreign_keys").await, "1");
    assert_eq!(pragma("synchronous").await, "2", "FULL");
    assert_eq!(pragma("busy_timeout").await, "10000");
}

#[tokio::test]
async fn one_email_is_one_account() {
    let store = fresh_store().await;
    member(&store, "ann@diss.example").await;
    let again = accounts::create_member(
        store.db(),
        NewMember {
            id: MemberId::new_v7(),
            email: "ann@diss.example",
            name: "Ann Again",
            password_hash: "x",
            status: AccountStatus::Member,
            steward: false,
            now: now(),
        },
    )
    .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
}

#[tokio::test]
async fn an_invitation_is_consumed_exactly_once() {
    let store = fresh_store().await;
    let inviter = member(&store, "ann@diss.example").await;
    let id = InvitationId::new_v7();
    admission::create_invitation(store.db(), id, inviter, "hash", "", now(), now() + Duration::days(14)).await.unwrap();
    let (a, b) = tokio::join!(
        admission::consume_invitation(store.db(), id, now()),
        admission::consume_invitation(store.db(), id, now())
    );
    assert_eq!([a.unwrap(), b.unwrap()].iter().filter(|won| **won).count(), 1);
    // Expired ones cannot be consumed at all.
    let late = InvitationId::new_v7();
    admission::create_invitation(store.db(), late, inviter, "hash2", "", now(), now() + Duration::days(14))
        .await
        .unwrap();
    assert!(!admission::consume_invitation(store.db(), late, now() + Duration::days(15)).await.unwrap());
}

#[tokio::test]
async fn foreign_keys_are_enforced() {
    let store = fresh_store().await;
    let result =
        accounts::create_session(store.db(), "hash", MemberId::new_v7(), now(), now() + Duration::days(1)).await;
    assert!(result.is_err(), "a session for nobody must be refused");
}

#[tokio::test]
async fn a_backup_is_a_complete_database() {
    let store = fresh_store().await;
    member(&store, "ann@diss.example").await;
    let dir = std::env::temp_dir().join("planet-tests");
    let file = dir.join(format!("backup-{}.db", uuid::Uuid::now_v7()));
    match store.backend() {
        Backend::Sqlite => {
            store.backup_to(&file).await.unwrap();
            let copy = Store::open(&DatabaseUrl::sqlite_file(&file)).await.unwrap();
            assert_eq!(accounts::count_members(copy.db()).await.unwrap(), 1);
            // Never overwrite an existing file.
            assert!(store.backup_to(&file).await.is_err());
        }
        Backend::Postgres => assert!(store.backup_to(&file).await.is_err(), "PostgreSQL is backed up with pg_dump"),
    }
}

async fn business(store: &Store, name: &str, owner: MemberId, tags: &[&str], description: &str) -> ProfileId {
    let id = ProfileId::new_v7();
    people::create_profile(store.db(), id, ProfileKind::Business, None, name, now()).await.unwrap();
    people::add_manager(store.db(), id, owner, true, now()).await.unwrap();
    let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
    let fields = ProfileFields {
        name,
        tagline: "",
        description,
        offers: "",
        needs: "",
        area: "Town centre",
        website: None,
        phone: None,
        contact_email: None,
        contact_visibility: ContactVisibility::Members,
        tags: &tags,
    };
    assert!(people::update_profile(store.db(), id, fields, now()).await.unwrap());
    id
}

fn search(words: &str) -> DirectoryQuery {
    DirectoryQuery {
        terms: SearchTerms::parse(words),
        kind: None,
        tag: None,
        area: None,
        value: None,
        order: DirectoryOrder::Name,
        limit: 20,
        offset: 0,
    }
}

async fn names_found(store: &Store, query: &DirectoryQuery) -> Vec<String> {
    people::directory(store.db(), query).await.unwrap().0.into_iter().map(|p| p.name).collect()
}

/// Full-text search behaves the same on both databases: every word must match, words match by
/// their beginning, and search syntax in the input is just text.
#[tokio::test]
async fn the_directory_searches_names_descriptions_and_skills() {
    let store = fresh_store().await;
    let owner = member(&store, "owner@diss.example").await;
    let bakery =
        business(&store, "Diss Bakery", owner, &["sourdough", "cakes"], "Bread baked every morning on Mere Street")
            .await;
    business(&store, "Waveney Bike Repair", owner, &["bike repair"], "Fixing bicycles since 1990").await;
    let bakes = "Diss Bakery".to_owned();
    let bikes = "Waveney Bike Repair".to_owned();
    for (words, expected, not) in [
        ("bakery", &bakes, &bikes),
        ("bak", &bakes, &bikes),
        ("SOURDOUGH", &bakes, &bikes),
        ("bicycles", &bikes, &bakes),
        ("repair bike", &bikes, &bakes),
        ("\"bakery* (-", &bakes, &bikes),
    ] {
        let found = names_found(&store, &search(words)).await;
        assert!(found.contains(expected) && !found.contains(not), "{words:?} found {found:?}");
    }
    assert!(names_found(&store, &search("bakery bike")).await.is_empty());
    // The owner's own entry is listed too (a member in good standing); filters narrow it.
    let everyone = DirectoryQuery { terms: None, ..search("") };
    assert_eq!(names_found(&store, &everyone).await, ["Ann Baker", "Diss Bakery", "Waveney Bike Repair"]);
    let tagged = DirectoryQuery { tag: Some("cakes".to_owned()), ..everyone.clone() };
    assert_eq!(names_found(&store, &tagged).await, ["Diss Bakery"]);
    let people_only = DirectoryQuery { kind: Some(ProfileKind::Person), ..everyone.clone() };
    assert_eq!(names_found(&store, &people_only).await, ["Ann Baker"]);
    assert_eq!(people::areas_in_use(store.db()).await.unwrap(), ["Town centre"]);
    let profile = people::profile(store.db(), bakery).await.unwrap().unwrap();
    assert_eq!(profile.tags, ["cakes", "sourdough"]);
    // Changing an entry replaces its words in the index; the old words no longer find it.
    let owner2 = member(&store, "owner2@diss.example").await;
    let again = business(&store, "Diss Bakery", owner2, &["rye"], "A second bakery").await;
    let renamed = ProfileFields {
        name: "Mere Street Loaves",
        tagline: "",
        description: "Rye and spelt",
        offers: "",
        needs: "",
        area: "",
        website: None,
        phone: None,
        contact_email: None,
        contact_visibility: ContactVisibility::Members,
        tags: &[],
    };
    people::update_profile(store.db(), again, renamed, now()).await.unwrap();
    assert_eq!(names_found(&store, &search("loaves spelt")).await, ["Mere Street Loaves"]);
    assert_eq!(names_found(&store, &search("bakery")).await.iter().filter(|n| *n == "Diss Bakery").count(), 1);
    // Totals are counted only up to a cap (SeaORM counts the limited query).
    use sea_orm::{EntityTrait, PaginatorTrait, QuerySelect};
    let capped = planet_store::entities::profile::Entity::find().limit(2).count(store.db()).await.unwrap();
    assert_eq!(capped, 2);
    // The index survives a backup.
    if store.backend() == Backend::Sqlite {
        let copy = std::env::temp_dir().join(format!("planet-search-backup-{}.db", uuid::Uuid::now_v7()));
        store.backup_to(&copy).await.unwrap();
        let restored = Store::open(&DatabaseUrl::sqlite_file(&copy)).await.unwrap();
        assert_eq!(names_found(&restored, &search("sourdough")).await, ["Diss Bakery"]);
        people::update_profile(restored.db(), bakery, renamed, now()).await.unwrap();
        assert!(names_found(&restored, &search("sourdough")).await.is_empty());
    }
}

/// A search most entries match walks the directory in name order and stops after one page;
/// its total is counted no further than the cap.
#[tokio::test]
async fn a_broad_search_is_one_page_in_name_order() {
    let store = fresh_store().await;
    let txn = sea_orm::TransactionTrait::begin(store.db()).await.unwrap();
    for n in (0..(people::COUNT_CAP as usize + 5)).rev() {
        let id = ProfileId::new_v7();
        let name = format!("Stall{n:04}");
        people::create_profile(&txn, id, ProfileKind::Business, None, &name, now()).await.unwrap();
        let fields = ProfileFields {
            name: &name,
            tagline: "At the Friday market",
            description: "",
            offers: "",
            needs: "",
            area: "",
            website: None,
            phone: None,
            contact_email: None,
            contact_visibility: ContactVisibility::Members,
            tags: &[],
        };
        people::update_profile(&txn, id, fields, now()).await.unwrap();
    }
    txn.commit().await.unwrap();
    let query = DirectoryQuery { limit: 3, offset: 2, ..search("market") };
    let (page, total) = people::directory(store.db(), &query).await.unwrap();
    let names: Vec<_> = page.into_iter().map(|p| p.name).collect();
    assert_eq!(names, ["Stall0002", "Stall0003", "Stall0004"]);
    assert_eq!(total, people::COUNT_CAP + 1);
    // A narrow search in the same directory.
    let (page, total) = people::directory(store.db(), &search("stall0303")).await.unwrap();
    assert_eq!((page.len(), total), (1, 1));
    // Every way of finding a page gives the same page: walking a window too small to settle
    // it, the full-text index's first matches, and sorting every match.
    for window in [None, Some(3), Some(50), Some(400)] {
        for (words, offset, expected, expected_total) in [
            ("market", 2, vec!["Stall0002", "Stall0003", "Stall0004"], people::COUNT_CAP + 1),
            ("stall0303", 0, vec!["Stall0303"], 1),
            ("stall030", 0, vec!["Stall0300", "Stall0301", "Stall0302"], 5),
            ("nothing", 0, Vec::<&str>::new(), 0),
        ] {
            let query = DirectoryQuery { limit: 3, offset, ..search(words) };
            let (page, total) = people::directory_walking(store.db(), &query, window).await.unwrap();
            let names: Vec<_> = page.into_iter().map(|p| p.name).collect();
            assert_eq!(
                (names.iter().map(String::as_str).collect::<Vec<_>>(), total),
                (expected, expected_total),
                "{words} with window {window:?}"
            );
        }
    }
}

#[tokio::test]
async fn messages_whose_search_keys_clash_are_found_and_forgotten_each_on_its_own() {
    use planet_domain::space::{JoinPolicy, Visibility};
    use planet_domain::{MessageId, SpaceId, TopicId};
    use planet_store::queries::spaces::{self, SpaceFields};
    use planet_store::queries::talk_search::Within;
    use planet_store::queries::{talk, talk_search};
    let store = fresh_store().await;
    let db = store.db();
    let author = member(&store, "ann@diss.example").await;
    let space = SpaceId::new_v7();
    let fields = SpaceFields {
        name: "Garden",
        description: "",
        visibility: Visibility::Community,
        join_policy: JoinPolicy::Open,
    };
    spaces::create_space(db, space, None, fields, Some(author), now()).await.unwrap();
    let topic = TopicId::new_v7();
    talk::create_topic(db, topic, space, "Seeds", author, false, now()).await.unwrap();
    // Five messages made in the same millisecond with the same first 64 bits.
    let high = uuid::Uuid::now_v7().as_u128() & !((1u128 << 64) - 1);
    let ids: Vec<MessageId> = (1..=5u128)
        .map(|low| MessageId::from_uuid(uuid::Uuid::from_u128(high | (low << 8) | 0x8000_0000_0000_0000)))
        .collect();
    for (i, id) in ids.iter().enumerate() {
        let body = format!("beans number{i}");
        let new = talk::NewMessage {
            id: *id,
            topic,
            author,
            body: &body,
            html: "",
            reply_to: None,
            pending: false,
            now: now(),
        };
        talk::post_message(db, new).await.unwrap();
    }
    let found = |query: &str| {
        let terms = SearchTerms::parse(query).unwrap();
        async move {
            talk_search::messages(db, &terms, Within { spaces: &[space], conversations: &[] }, 50, 0)
                .await
                .unwrap()
                .into_iter()
                .map(|f| f.message.body)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(found("beans").await.len(), 5);
    assert_eq!(found("number3").await, ["beans number3"]);
    // Deleting the third forgets only it; editing the fourth changes only it.
    talk::delete_message(db, ids[2], now()).await.unwrap();
    talk::edit_message(db, ids[3], "peas", "", false, now()).await.unwrap();
    let mut left = found("beans").await;
    left.sort();
    assert_eq!(left, ["beans number0", "beans number1", "beans number4"]);
    assert_eq!(found("peas").await, ["peas"]);
    // Nothing from a space not asked about.
    let terms = SearchTerms::parse("beans").unwrap();
    assert!(
        talk_search::messages(db, &terms, Within { spaces: &[SpaceId::new_v7()], conversations: &[] }, 50, 0)
            .await
            .unwrap()
            .is_empty()
    );
}

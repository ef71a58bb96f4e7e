//! The authorization matrix: every route of the router, asked by every kind of actor. A route
//! added without an entry here fails `every_route_has_an_entry`.

use crate::helpers::{Browser, TestApp, spawn_app};
use planet_domain::profile::ProfileKind;
use planet_domain::space::{AccountStatus, JoinPolicy, Role, Visibility};
use planet_domain::synergy::{ListingKind, ListingStatus, Price, Side};
use planet_domain::trust::{StatementKind, TrustVisibility};
use planet_domain::{
    AccountId, ApplicationId, CurrencyId, DealId, InvitationId, ListingId, MemberId, MessageId, PollId, ProfileId,
    SpaceId, StatementId, TokenId, TopicId, TransferId,
};
use planet_server::identity::crypto::token_hash;
use planet_server::routes::{RouteEntry, route_table};
use planet_store::queries::spaces::SpaceFields;
use planet_store::queries::trust::{self, NewStatement};
use planet_store::queries::{accounts, admission, conversations, outbox, people, spaces, synergy, talk};

/// What an actor gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Let through (the page, a redirect onwards, or a complaint about the input).
    P,
    /// Sent to log in (HTML) or 401 (API).
    L,
    /// An applicant sent to their application (HTML) or 403 `not_admitted` (API).
    A,
    /// 403.
    F,
    /// 404: not allowed to know it exists.
    N,
}
use Outcome::*;

/// The actors, in the order of each row; the least privileged act first, so that a refused
/// attempt never changes what the next actor meets.
const ACTORS: [&str; 7] = ["anonymous", "applicant", "suspended", "outsider", "member", "coordinator", "steward"];

const ALL: [Outcome; 7] = [P, P, P, P, P, P, P];
const MEMBERS: [Outcome; 7] = [L, A, F, P, P, P, P];
const STEWARDS: [Outcome; 7] = [L, A, F, F, F, F, P];
const SPACE_VIEW: [Outcome; 7] = [L, A, F, N, P, P, P];
const SPACE_COORD: [Outcome; 7] = [L, A, F, N, F, P, P];

fn expected(method: &str, path: &str) -> Option<[Outcome; 7]> {
    Some(match (method, path) {
        ("GET", "/healthz") | ("GET", "/assets/{*path}") => ALL,
        ("GET", "/setup") | ("POST", "/setup") => ALL,
        ("GET", "/login") | ("POST", "/login") | ("POST", "/logout") => ALL,
        ("POST", "/logout-everywhere") => MEMBERS,
        ("GET", "/forgot-password") | ("POST", "/forgot-password") => ALL,
        ("GET", "/reset-password/{token}") | ("POST", "/reset-password/{token}") => ALL,
        ("GET", "/settings") | ("POST", "/settings/password") | ("POST", "/settings/tokens") => MEMBERS,
        // Only the steward's own token: everyone else is told it does not exist.
        ("POST", "/settings/tokens/{id}/revoke") => [L, A, F, N, N, N, P],
        ("GET", "/invitations") | ("POST", "/invitations") => MEMBERS,
        ("POST", "/invitations/{id}/withdraw") => [L, A, F, N, N, N, P],
        ("GET", "/join/{token}") | ("POST", "/join/{token}") => ALL,
        ("GET", "/application") => [L, P, F, P, P, P, P],
        ("GET", "/admin/applications") | ("GET", "/admin/applications/{id}") => STEWARDS,
        ("POST", "/admin/applications/{id}/decide") => STEWARDS,
        ("GET", "/") => MEMBERS,
        ("GET", p) if planet_server::home::pages::AREA_PATHS.contains(&p) => MEMBERS,
        ("GET", "/spaces") => MEMBERS,
        ("POST", "/spaces") | ("GET", "/spaces/new") => SPACE_COORD,
        ("GET", "/spaces/{id}") => SPACE_VIEW,
        ("GET", "/spaces/{id}/edit") | ("POST", "/spaces/{id}/edit") => SPACE_COORD,
        // The secret space is joined by invitation: only a steward may step in unasked.
        ("POST", "/spaces/{id}/join") => [L, A, F, N, F, F, P],
        ("POST", "/spaces/{id}/request") => [L, A, F, N, F, F, F],
        ("POST", "/spaces/{id}/leave") => [L, A, F, N, P, P, F],
        // Nobody in the fixture is invited: there is nothing to decline.
        ("POST", "/spaces/{id}/decline-invitation") => [L, A, F, N, N, N, N],
        ("GET", "/spaces/{id}/requests") | ("POST", "/spaces/{id}/requests/{member}") => SPACE_COORD,
        ("POST", "/spaces/{id}/invite") | ("POST", "/spaces/{id}/members/{member}/role") => SPACE_COORD,
        ("GET", "/admin") | ("GET", "/admin/members") => STEWARDS,
        ("POST", "/admin/members/{id}/suspend") | ("POST", "/admin/members/{id}/restore") => STEWARDS,
        ("POST", "/admin/members/{id}/steward") => STEWARDS,
        ("GET", "/admin/members/{id}/remove") | ("POST", "/admin/members/{id}/remove") | ("GET", "/admin/review") => {
            STEWARDS
        }
        ("GET", "/admin/outbox") | ("GET", "/admin/outbox/{id}") | ("GET", "/admin/audit") => STEWARDS,
        ("GET", "/api/v1/openapi.json") => ALL,
        ("GET", "/api/v1/me") => [L, P, F, P, P, P, P],
        ("GET", "/api/v1/spaces") | ("GET", "/api/v1/invitations") | ("POST", "/api/v1/invitations") => MEMBERS,
        ("POST", "/api/v1/spaces") => SPACE_COORD,
        ("GET", "/api/v1/spaces/{id}") | ("GET", "/api/v1/spaces/{id}/members") => SPACE_VIEW,
        ("POST", "/api/v1/spaces/{id}/join") => [L, A, F, N, F, F, P],
        ("POST", "/api/v1/spaces/{id}/requests") => [L, A, F, N, F, F, F],
        ("POST", "/api/v1/spaces/{id}/leave") => [L, A, F, N, P, P, F],
        // Who We Are. The entry in the fixture is a business the coordinator runs; stewards
        // may correct any entry.
        ("GET", "/who-we-are") | ("GET", "/who-we-are/print") | ("GET", "/people/me") => MEMBERS,
        ("GET", "/people/new") | ("POST", "/people") | ("GET", "/people/{id}") => MEMBERS,
        ("GET", "/people/{id}/edit") | ("POST", "/people/{id}/edit") => [L, A, F, F, F, P, P],
        ("POST", "/people/{id}/managers") => [L, A, F, F, F, P, P],
        // The member is not among its managers: nothing to remove.
        ("POST", "/people/{id}/managers/{member}/remove") => [L, A, F, F, F, N, N],
        ("POST", "/people/{id}/statements") => MEMBERS,
        // No picture is sent: the coordinator (who runs the entry) and stewards are told so.
        ("POST", "/people/{id}/photo") | ("POST", "/people/{id}/photo/remove") => [L, A, F, F, F, P, P],
        ("GET", "/photos/{id}/{size}") => [L, A, F, N, N, N, N],
        // No badge with that id: nobody can award or take it back.
        ("POST", "/people/{id}/badges") | ("POST", "/people/{id}/badges/{badge}/withdraw") => [L, A, F, N, N, N, N],
        ("GET", "/spaces/{id}/badges") | ("POST", "/spaces/{id}/badges") => SPACE_COORD,
        ("GET", "/trust") => MEMBERS,
        // The statement is the member's own: everyone else is told it does not exist.
        ("POST", "/trust/statements/{id}/withdraw") | ("POST", "/trust/statements/{id}/renew") => [L, A, F, N, P, N, N],
        ("GET", "/admin/admission-rule") | ("POST", "/admin/admission-rule") => STEWARDS,
        ("GET", "/admin/values") | ("POST", "/admin/values") => STEWARDS,
        ("GET", "/admin/listing-categories") | ("POST", "/admin/listing-categories") => STEWARDS,
        // No category has that id: the steward is told it does not exist.
        ("POST", "/admin/listing-categories/{id}") => [L, A, F, F, F, F, N],
        ("GET", "/code-of-conduct") | ("GET", "/settings/blocked") => MEMBERS,
        // No version is sent: each member is told the code changed while they read it (409).
        ("POST", "/code-of-conduct/accept") => MEMBERS,
        // The entry is the business the coordinator runs: not a person, so blocking it is refused
        // with an explanation (409).
        ("POST", "/people/{id}/block") | ("POST", "/people/{id}/unblock") => MEMBERS,
        ("GET", "/admin/code-of-conduct") | ("POST", "/admin/code-of-conduct") => STEWARDS,
        // No value has that id: the steward is told it does not exist.
        ("POST", "/admin/values/{id}/retire") => [L, A, F, F, F, F, N],
        ("GET", "/api/v1/people") | ("GET", "/api/v1/people/{id}") | ("POST", "/api/v1/people") => MEMBERS,
        ("POST", "/api/v1/people/{id}") => [L, A, F, F, F, P, P],
        ("GET", "/api/v1/people/{id}/connections") | ("POST", "/api/v1/people/{id}/statements") => MEMBERS,
        ("GET", "/api/v1/trust") | ("GET", "/api/v1/values") | ("GET", "/api/v1/people/{id}/badges") => MEMBERS,
        ("POST", "/api/v1/trust/{id}/withdraw") | ("POST", "/api/v1/trust/{id}/renew") => [L, A, F, N, P, N, N],
        // Talk in the secret group. Writing needs membership of the group (the steward is not a
        // member); the message is the member's own.
        ("GET", "/spaces/{id}/topics") | ("GET", "/spaces/{id}/moderation-log") | ("GET", "/topics/{id}") => SPACE_VIEW,
        ("GET", "/topics/{id}/live") => SPACE_VIEW,
        ("POST", "/spaces/{id}/topics") | ("POST", "/topics/{id}/messages") => [L, A, F, N, P, P, F],
        ("POST", "/messages/{id}/react") => [L, A, F, N, P, P, F],
        ("GET", "/spaces/{id}/moderation") | ("POST", "/spaces/{id}/moderation/members") => SPACE_COORD,
        ("POST", "/spaces/{id}/moderation/settings") | ("POST", "/topics/{id}/moderate") => SPACE_COORD,
        ("POST", "/messages/{id}/moderate") | ("GET", "/messages/{id}/history") => SPACE_COORD,
        ("GET", "/messages/{id}/edit") | ("POST", "/messages/{id}/edit") | ("POST", "/messages/{id}/delete") => {
            [L, A, F, N, P, F, F]
        }
        ("GET", "/messages/{id}/report") | ("POST", "/messages/{id}/report") => [L, A, F, N, F, P, P],
        ("GET", "/api/v1/spaces/{id}/topics") | ("GET", "/api/v1/topics/{id}/messages") => SPACE_VIEW,
        ("POST", "/api/v1/topics/{id}/read") => SPACE_VIEW,
        ("POST", "/api/v1/spaces/{id}/topics") | ("POST", "/api/v1/topics/{id}/messages") => [L, A, F, N, P, P, F],
        ("POST", "/api/v1/messages/{id}/reactions") => [L, A, F, N, P, P, F],
        ("POST", "/api/v1/messages/{id}") | ("POST", "/api/v1/messages/{id}/delete") => [L, A, F, N, P, F, F],
        ("POST", "/api/v1/messages/{id}/report") => [L, A, F, N, F, P, P],
        // Following needs only sight of the conversation.
        ("POST", "/topics/{id}/follow") | ("POST", "/spaces/{id}/follow") => SPACE_VIEW,
        ("POST", "/api/v1/topics/{id}/follow") | ("POST", "/api/v1/spaces/{id}/follow") => SPACE_VIEW,
        // Notifications are each member's own.
        ("GET", "/talk") | ("GET", "/notifications") | ("POST", "/notifications/read") => MEMBERS,
        ("GET", "/talk/search") | ("GET", "/api/v1/talk/search") => MEMBERS,
        ("GET", "/notifications/settings") | ("POST", "/notifications/settings") => MEMBERS,
        ("GET", "/notifications/live") | ("GET", "/api/v1/notifications") => MEMBERS,
        ("POST", "/api/v1/notifications/read") => MEMBERS,
        // Private conversations: anyone may write to someone; a conversation (between the member
        // and the coordinator) is not there for anyone else, stewards included.
        ("GET", "/conversations") | ("GET", "/conversations/new") | ("POST", "/conversations") => MEMBERS,
        ("GET", "/api/v1/conversations") | ("POST", "/api/v1/conversations") => MEMBERS,
        ("GET", "/conversations/{id}/people") | ("POST", "/conversations/{id}/people") => [L, A, F, N, P, P, N],
        ("POST", "/conversations/{id}/leave") | ("POST", "/api/v1/conversations/{id}/people") => [L, A, F, N, P, P, N],
        ("POST", "/api/v1/conversations/{id}/leave") => [L, A, F, N, P, P, N],
        // No picture has that id.
        ("GET", "/images/{id}") => [L, A, F, N, N, N, N],
        // Synergy. The listing is the member's, in the secret group, promised to the coordinator
        // (who said they were interested); the steward sees it but takes no part.
        ("GET", "/synergy") | ("GET", "/synergy/mine") | ("GET", "/synergy/new") => MEMBERS,
        ("GET", "/synergy/reported") | ("POST", "/synergy/listings") => MEMBERS,
        ("GET", "/synergy/listings/{id}") => SPACE_VIEW,
        ("GET", "/synergy/listings/{id}/edit") | ("POST", "/synergy/listings/{id}/edit") => [L, A, F, N, P, F, F],
        ("POST", "/synergy/listings/{id}/promise") | ("POST", "/synergy/listings/{id}/withdraw") => {
            [L, A, F, N, P, F, F]
        }
        ("POST", "/synergy/listings/{id}/repost") => [L, A, F, N, P, F, F],
        ("POST", "/synergy/listings/{id}/done") | ("POST", "/synergy/listings/{id}/fell-through") => {
            [L, A, F, N, P, P, F]
        }
        ("POST", "/synergy/deals/{id}/feedback") => [L, A, F, N, P, P, F],
        ("POST", "/synergy/listings/{id}/interest") => [L, A, F, N, F, P, P],
        ("GET", "/synergy/listings/{id}/report") | ("POST", "/synergy/listings/{id}/report") => [L, A, F, N, F, P, P],
        ("POST", "/synergy/listings/{id}/moderate") => [L, A, F, N, F, P, P],
        // No photo has that id.
        ("GET", "/synergy/photos/{id}") => [L, A, F, N, N, N, N],
        ("GET", "/synergy/searches") | ("POST", "/synergy/searches") | ("GET", "/synergy/feeds") => MEMBERS,
        ("POST", "/synergy/feeds") | ("POST", "/synergy/feeds/revoke") => MEMBERS,
        // No saved search has that id; no feed has that secret.
        ("POST", "/synergy/searches/{id}/delete") => [L, A, F, N, N, N, N],
        ("GET", "/feeds/{token}/spaces/{id}/offers") => [N, N, N, N, N, N, N],
        ("GET", "/api/v1/listings") | ("POST", "/api/v1/listings") | ("GET", "/api/v1/listing-categories") => MEMBERS,
        ("GET", "/api/v1/listings/{id}") => SPACE_VIEW,
        ("POST", "/api/v1/listings/{id}") | ("POST", "/api/v1/listings/{id}/promise") => [L, A, F, N, P, F, F],
        ("POST", "/api/v1/listings/{id}/withdraw") | ("POST", "/api/v1/listings/{id}/repost") => [L, A, F, N, P, F, F],
        ("POST", "/api/v1/listings/{id}/done") | ("POST", "/api/v1/listings/{id}/fell-through") => {
            [L, A, F, N, P, P, F]
        }
        ("POST", "/api/v1/deals/{id}/feedback") => [L, A, F, N, P, P, F],
        ("POST", "/api/v1/listings/{id}/interest") | ("POST", "/api/v1/listings/{id}/report") => [L, A, F, N, F, P, P],
        // The accounts. The member's account, and a request from the coordinator that the member
        // is asked to pay: only they and stewards see them; only the member decides the request,
        // only the coordinator cancels it, only its two sides start putting it right.
        ("GET", "/accounts") | ("GET", "/pay") | ("POST", "/pay") | ("POST", "/pay/confirm") => MEMBERS,
        ("GET", "/accounts/request") | ("POST", "/accounts/request") | ("POST", "/accounts/request/confirm") => MEMBERS,
        ("GET", "/accounts/{id}") | ("GET", "/api/v1/accounts/{id}/statement") => [L, A, F, N, P, N, P],
        ("GET", "/accounts/{id}/statement.csv") => [L, A, F, N, P, N, P],
        ("POST", "/accounts/{id}/settings") | ("POST", "/api/v1/accounts/{id}/settings") => [L, A, F, N, P, N, F],
        // Stewards give an account its own limits; the form is sent empty, so they are told what
        // to fill in.
        ("POST", "/accounts/{id}/limits") | ("POST", "/api/v1/accounts/{id}/limits") => [L, A, F, F, F, F, P],
        ("GET", "/accounts/transfers/{id}") | ("GET", "/api/v1/transfers/{id}") => [L, A, F, N, P, P, P],
        ("POST", "/accounts/transfers/{id}/accept") | ("POST", "/accounts/transfers/{id}/decline") => {
            [L, A, F, N, P, F, F]
        }
        ("POST", "/api/v1/transfers/{id}/accept") | ("POST", "/api/v1/transfers/{id}/decline") => [L, A, F, N, P, F, F],
        ("POST", "/accounts/transfers/{id}/cancel") | ("POST", "/api/v1/transfers/{id}/cancel") => {
            [L, A, F, N, F, P, F]
        }
        ("POST", "/accounts/transfers/{id}/reverse") | ("POST", "/api/v1/transfers/{id}/reverse") => {
            [L, A, F, N, P, P, F]
        }
        ("GET", "/admin/currencies") | ("POST", "/admin/currencies") | ("POST", "/admin/currencies/{id}") => STEWARDS,
        ("GET", "/admin/corrections") | ("POST", "/admin/corrections") => STEWARDS,
        ("GET", "/fund") | ("GET", "/accounts/chain") => MEMBERS,
        ("GET", "/api/v1/currencies") | ("GET", "/api/v1/accounts") | ("POST", "/api/v1/transfers") => MEMBERS,
        // Commons. A poll the coordinator opened in the secret group, its results hidden until
        // it closes: its members vote (stewards see it but are not on its roll); the coordinator
        // (who opened it) and stewards manage it; nobody sees its results early, by any route.
        ("GET", "/commons") => MEMBERS,
        ("GET", "/spaces/{id}/polls") | ("GET", "/api/v1/spaces/{id}/polls") => SPACE_VIEW,
        ("GET", "/spaces/{id}/polls/new") | ("POST", "/spaces/{id}/polls") | ("POST", "/api/v1/spaces/{id}/polls") => {
            [L, A, F, N, P, P, F]
        }
        ("GET", "/polls/{id}") | ("GET", "/api/v1/polls/{id}") => SPACE_VIEW,
        ("POST", "/polls/{id}/vote") | ("POST", "/api/v1/polls/{id}/vote") => [L, A, F, N, P, P, F],
        ("POST", "/polls/{id}/close") | ("POST", "/polls/{id}/extend") | ("POST", "/polls/{id}/reopen") => SPACE_COORD,
        ("POST", "/polls/{id}/outcome") => SPACE_COORD,
        ("POST", "/api/v1/polls/{id}/close") | ("POST", "/api/v1/polls/{id}/extend") => SPACE_COORD,
        ("POST", "/api/v1/polls/{id}/reopen") | ("POST", "/api/v1/polls/{id}/outcome") => SPACE_COORD,
        ("GET", "/polls/{id}/results.csv") | ("GET", "/polls/{id}/votes.csv") | ("GET", "/polls/{id}/meeting.ics") => {
            [L, A, F, N, F, F, F]
        }
        // Nobody has a notification with that id.
        ("POST", "/notifications/{id}/read") | ("POST", "/api/v1/notifications/{id}/read") => [L, A, F, N, N, N, N],
        _ => return None,
    })
}

#[test]
fn every_route_has_an_entry() {
    let missing: Vec<_> = route_table()
        .into_iter()
        .filter(|r| expected(r.method, r.path).is_none())
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(missing.is_empty(), "routes without an authorization matrix entry: {missing:?}");
}

/// A community with one of each kind of actor, and a secret group.
struct Fixture {
    _app: TestApp,
    actors: Vec<Browser>,
    secret: SpaceId,
    member: MemberId,
    outsider: MemberId,
    application: ApplicationId,
    invitation: InvitationId,
    invitation_token: String,
    steward_token: TokenId,
    email: uuid::Uuid,
    business: ProfileId,
    statement: StatementId,
    topic: TopicId,
    message: MessageId,
    conversation: TopicId,
    listing: ListingId,
    deal: DealId,
    currency: CurrencyId,
    account: AccountId,
    transfer: TransferId,
    poll: PollId,
}

async fn fixture() -> Fixture {
    let app = spawn_app().await;
    let _ = app.set_up().await;
    let now = app.clock_now();
    let steward = accounts::member_by_email(app.db(), "margaret@diss.example").await.unwrap().unwrap().id;
    let applicant = app.add_account("Andy Applicant", "andy@diss.example", AccountStatus::Applicant, false).await;
    let suspended = app.add_account("Sid Suspended", "sid@diss.example", AccountStatus::Member, false).await;
    let outsider = app.add_account("Olive Outsider", "olive@diss.example", AccountStatus::Member, false).await;
    let member = app.add_account("Mary Member", "mary@diss.example", AccountStatus::Member, false).await;
    let coordinator = app.add_account("Colin Coordinator", "colin@diss.example", AccountStatus::Member, false).await;
    let secret = SpaceId::new_v7();
    let fields = SpaceFields {
        name: "Secret group",
        description: "",
        visibility: Visibility::Secret,
        join_policy: JoinPolicy::ByInvitation,
    };
    spaces::create_space(app.db(), secret, Some(app.root()), fields, Some(coordinator), now).await.unwrap();
    spaces::add_member(app.db(), secret, coordinator, Role::Coordinator, now).await.unwrap();
    spaces::add_member(app.db(), secret, member, Role::Member, now).await.unwrap();
    spaces::add_member(app.db(), secret, suspended, Role::Member, now).await.unwrap();
    let invitation = InvitationId::new_v7();
    let invitation_token = "matrix-invitation-token".to_owned();
    let expires = now + chrono::Duration::days(14);
    admission::create_invitation(app.db(), invitation, steward, &token_hash(&invitation_token), "", now, expires)
        .await
        .unwrap();
    let used = InvitationId::new_v7();
    admission::create_invitation(app.db(), used, member, &token_hash("used"), "", now, expires).await.unwrap();
    let application = ApplicationId::new_v7();
    admission::create_application(app.db(), application, applicant, used, member, "We are neighbours", now)
        .await
        .unwrap();
    let steward_token = TokenId::new_v7();
    accounts::create_token(app.db(), steward_token, steward, "script", &token_hash("planet_matrix"), now)
        .await
        .unwrap();
    let email = outbox::enqueue(app.db(), "x@diss.example", "Hello", "Body", false, now).await.unwrap();
    let business = ProfileId::new_v7();
    people::create_profile(app.db(), business, ProfileKind::Business, None, "Diss Bakery", now).await.unwrap();
    people::add_manager(app.db(), business, coordinator, true, now).await.unwrap();
    let statement = StatementId::new_v7();
    let new = NewStatement {
        id: statement,
        author: member,
        subject: business,
        kind: StatementKind::Customer,
        visibility: TrustVisibility::Members,
        note: "",
        met_in_person: false,
        now,
        expires_at: now + chrono::Duration::days(730),
    };
    trust::create_statement(app.db(), new).await.unwrap();
    let topic = TopicId::new_v7();
    talk::create_topic(app.db(), topic, secret, "Plans", member, false, now).await.unwrap();
    let message = MessageId::new_v7();
    let first = talk::NewMessage {
        id: message,
        topic,
        author: member,
        body: "Hello",
        html: "<p>Hello</p>",
        reply_to: None,
        pending: false,
        now,
    };
    talk::post_message(app.db(), first).await.unwrap();
    let conversation = TopicId::new_v7();
    talk::create_topic(app.db(), conversation, app.root(), "Just us", member, true, now).await.unwrap();
    for person in [member, coordinator] {
        conversations::add(app.db(), conversation, person, member, now).await.unwrap();
    }
    let private = talk::NewMessage { id: MessageId::new_v7(), topic: conversation, ..first };
    talk::post_message(app.db(), private).await.unwrap();
    let (listing, deal) = listing_fixture(&app, secret, member, coordinator, conversation).await;
    let (currency, account, transfer) = ledger_fixture(&app, member, coordinator).await;
    let poll = poll_fixture(&app, secret, coordinator).await;
    // The suspended member's old session outlives the suspension (as a stolen cookie would).
    let suspended_browser = app.session_for(suspended).await;
    accounts::set_status(app.db(), suspended, AccountStatus::Suspended, now).await.unwrap();
    app.state.changed();
    let actors = vec![
        app.browser(),
        app.session_for(applicant).await,
        suspended_browser,
        app.session_for(outsider).await,
        app.session_for(member).await,
        app.session_for(coordinator).await,
        app.session_for(steward).await,
    ];
    Fixture {
        _app: app,
        actors,
        secret,
        member,
        outsider,
        application,
        invitation,
        invitation_token,
        steward_token,
        email,
        business,
        statement,
        topic,
        message,
        conversation,
        listing,
        deal,
        currency,
        account,
        transfer,
        poll,
    }
}

/// A proposal the coordinator opened in the secret group, its results hidden until it closes.
async fn poll_fixture(app: &TestApp, secret: SpaceId, author: MemberId) -> PollId {
    use planet_domain::poll::count::Rules;
    use planet_domain::poll::{Audience, PollKind, ResultsShown, Settings, Shape};
    use planet_store::queries::polls::{self, NewPoll, PollOption};
    let now = app.clock_now();
    let id = PollId::new_v7();
    let options: Vec<PollOption> = planet_domain::poll::STANCES
        .iter()
        .map(|s| PollOption { label: s.label().to_owned(), starts_at: None, minutes: 0 })
        .collect();
    let new = NewPoll {
        id,
        space: secret,
        topic: None,
        author,
        title: "Buy a freezer",
        details: "",
        details_html: "",
        shape: Shape::simple(PollKind::Proposal, 4),
        settings: Settings {
            seen_by: Audience::Space,
            voted_by: Audience::Space,
            late_voters: false,
            secret: false,
            results: ResultsShown::AfterClosing,
        },
        rules: Rules::default(),
        options: &options,
        now,
        closes_at: now + chrono::Duration::days(7),
    };
    polls::open(app.db(), new, secret).await.unwrap();
    id
}

/// A currency; the member's account; the coordinator asks the member to pay.
async fn ledger_fixture(app: &TestApp, member: MemberId, coordinator: MemberId) -> (CurrencyId, AccountId, TransferId) {
    use planet_domain::ledger::{AccountKind, Amount, Decimals, TransferKind, TransferState, entries};
    use planet_store::queries::ledger;
    let now = app.clock_now();
    let currency = CurrencyId::new_v7();
    let decimals = Decimals::new(2).unwrap();
    let new = ledger::NewCurrency {
        id: currency,
        name: "Diss Hours",
        symbol: "DH",
        decimals,
        levy_bp: 0,
        pending_days: 14,
        now,
    };
    ledger::create_currency(app.db(), new).await.unwrap();
    let payer = ledger::open_account(app.db(), currency, AccountKind::Person, member.uuid(), now).await.unwrap();
    let payee = ledger::open_account(app.db(), currency, AccountKind::Person, coordinator.uuid(), now).await.unwrap();
    let amount = Amount::new(100, decimals).unwrap();
    let transfer = ledger::transfers::Transfer {
        id: TransferId::new_v7(),
        kind: TransferKind::Request,
        state: TransferState::Pending,
        currency,
        payer: payer.id,
        payee: payee.id,
        amount: amount.minor(),
        description: "eggs".to_owned(),
        listing: None,
        deal: None,
        reversal_of: None,
        started_by: coordinator,
        request_hash: String::new(),
        created_at: now,
        expires_at: Some(now + chrono::Duration::days(14)),
        finished_at: None,
        finished_by: None,
        entries: entries(TransferKind::Request, payer.id, payee.id, amount, None, 0),
    };
    ledger::transfers::insert(app.db(), &transfer).await.unwrap();
    (currency, payer.id, transfer.id)
}

/// The member's offer in the secret group, promised to the coordinator.
async fn listing_fixture(
    app: &TestApp,
    space: SpaceId,
    member: MemberId,
    coordinator: MemberId,
    conversation: TopicId,
) -> (ListingId, DealId) {
    let now = app.clock_now();
    let category = synergy::categories(app.db()).await.unwrap()[0].id;
    let listing = ListingId::new_v7();
    let fields = synergy::ListingFields {
        side: Side::Offer,
        kind: ListingKind::Give,
        category,
        title: "Apples",
        body: "",
        body_html: "",
        tags: &[],
        area: "",
        available: "",
        quantity: 1,
        price: Price::default(),
    };
    let new = synergy::NewListing {
        id: listing,
        space,
        profile: people::person_profile(member),
        member,
        fields,
        words: &synergy::ListingWords::default(),
        expires_at: now + chrono::Duration::days(14),
        now,
    };
    synergy::insert(app.db(), new).await.unwrap();
    synergy::deals::add_interest(app.db(), listing, coordinator, conversation, now).await.unwrap();
    let deal = DealId::new_v7();
    let new = synergy::deals::NewDeal {
        id: deal,
        listing,
        poster: member,
        other: coordinator,
        side: Side::Offer,
        title: "Apples",
        price: Price::default(),
        now,
    };
    synergy::deals::create(app.db(), new).await.unwrap();
    synergy::transition(app.db(), listing, &[ListingStatus::Open], ListingStatus::Promised, Some(coordinator), now)
        .await
        .unwrap();
    (listing, deal)
}

impl Fixture {
    fn concrete(&self, route: &RouteEntry) -> String {
        let path = route.path;
        let id = if path.starts_with("/settings/tokens") {
            self.steward_token.to_string()
        } else if path.starts_with("/invitations") {
            self.invitation.to_string()
        } else if path.starts_with("/admin/applications") {
            self.application.to_string()
        } else if path.starts_with("/admin/members") {
            self.outsider.to_string()
        } else if path.starts_with("/admin/outbox") {
            self.email.to_string()
        } else if path.starts_with("/people/") || path.starts_with("/api/v1/people/") {
            self.business.to_string()
        } else if path.starts_with("/trust/statements") || path.starts_with("/api/v1/trust/") {
            self.statement.to_string()
        } else if path.starts_with("/topics/") || path.starts_with("/api/v1/topics/") {
            self.topic.to_string()
        } else if path.starts_with("/conversations/") || path.starts_with("/api/v1/conversations/") {
            self.conversation.to_string()
        } else if path.starts_with("/messages/") || path.starts_with("/api/v1/messages/") {
            self.message.to_string()
        } else if path.starts_with("/synergy/listings/") || path.starts_with("/api/v1/listings/") {
            self.listing.to_string()
        } else if path.starts_with("/synergy/deals/") || path.starts_with("/api/v1/deals/") {
            self.deal.to_string()
        } else if path.starts_with("/accounts/transfers/") || path.starts_with("/api/v1/transfers/") {
            self.transfer.to_string()
        } else if path.starts_with("/accounts/") || path.starts_with("/api/v1/accounts/") {
            self.account.to_string()
        } else if path.starts_with("/polls/") || path.starts_with("/api/v1/polls/") {
            self.poll.to_string()
        } else if path.starts_with("/admin/currencies/") {
            self.currency.to_string()
        } else if path.starts_with("/synergy/photos/") {
            uuid::Uuid::now_v7().to_string()
        } else {
            self.secret.to_string()
        };
        let member = if path.contains("/requests/") { self.outsider.to_string() } else { self.member.to_string() };
        let mut concrete = path
            .replace("{*path}", "planet.css")
            .replace("{token}", &self.invitation_token)
            .replace("{member}", &member)
            .replace("{badge}", &uuid::Uuid::now_v7().to_string())
            .replace("{id}", &id);
        if (route.method == "POST" && path == "/spaces") || path == "/spaces/new" {
            concrete.push_str(&format!("?parent={}", self.secret));
        }
        concrete
    }
}

async fn outcome(browser: &Browser, route: &RouteEntry, path: &str, secret: SpaceId) -> (Outcome, u16, String) {
    let url = format!("{}{path}", browser.base);
    let response = match route.method {
        "GET" => browser.client.get(&url).send().await.unwrap(),
        _ if path.starts_with("/api/") => browser
            .client
            .post(&url)
            .json(&serde_json::json!({ "parent_id": secret.to_string() }))
            .send()
            .await
            .unwrap(),
        _ => browser.client.post(&url).form(&[("unused", "")]).send().await.unwrap(),
    };
    let status = response.status().as_u16();
    let location = crate::helpers::location(&response);
    let body = response.text().await.unwrap_or_default();
    let got = match status {
        303 if location == "/login" => L,
        303 if location == "/application" => A,
        401 => L,
        403 if body.contains("\"not_admitted\"") => A,
        403 => F,
        404 => N,
        500..=599 => panic!("{} {path} answered {status}: {body}", route.method),
        _ => P,
    };
    (got, status, location)
}

async fn check_routes(routes: Vec<RouteEntry>) {
    let mut failures = Vec::new();
    let mut shared: Option<Fixture> = None;
    for route in routes {
        let Some(expected) = expected(route.method, route.path) else { continue };
        // Reading shares one community; each change gets a fresh one.
        let fresh;
        let fixture = if route.method == "GET" {
            if shared.is_none() {
                shared = Some(fixture().await);
            }
            shared.as_ref().unwrap()
        } else {
            fresh = fixture().await;
            &fresh
        };
        let path = fixture.concrete(&route);
        for (i, browser) in fixture.actors.iter().enumerate() {
            let (got, status, location) = outcome(browser, &route, &path, fixture.secret).await;
            if got != expected[i] {
                failures.push(format!(
                    "{} {} as {}: expected {:?}, got {:?} ({status} {location})",
                    route.method, route.path, ACTORS[i], expected[i], got
                ));
            }
        }
    }
    assert!(failures.is_empty(), "authorization matrix mismatches:\n{}", failures.join("\n"));
}

#[tokio::test]
async fn pages_answer_every_actor_as_the_matrix_says() {
    check_routes(route_table().into_iter().filter(|r| !r.path.starts_with("/api/")).collect()).await;
}

#[tokio::test]
async fn api_answers_every_actor_as_the_matrix_says() {
    check_routes(route_table().into_iter().filter(|r| r.path.starts_with("/api/")).collect()).await;
}

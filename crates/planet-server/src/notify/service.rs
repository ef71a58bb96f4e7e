//! Notifications: telling members about mentions, replies and news in what they follow, in the
//! app (the bell) and by email (at once, in a daily email, or never); and the member's own
//! list, read state and settings.

use crate::access::facts_for;
use crate::error::{AppError, AppResult};
use crate::identity::session::{Ctx, actor_for};
use crate::notify::mail;
use crate::state::AppState;
use crate::talk::service::TalkPlace;
use crate::talk::sight::{Sight, sight, sight_of};
use chrono::Duration;
use planet_domain::notification::{EmailFrequency, NewMessageFacts, NotificationKind, recipients};
use planet_domain::policy::{Action, Resource, authorize};
use planet_domain::space::AccountStatus;
use planet_domain::{ListingId, MemberId, MessageId, NotificationId, PollId, TopicId, TransferId};
use planet_store::ConnectionTrait;
use planet_store::queries::accounts::{self, Member};
use planet_store::queries::notifications::{self, NewNotification, Notification};
use planet_store::queries::{blocks, spaces};
use std::collections::{HashMap, HashSet};

/// Notifications a page shows at once.
pub const PAGE_SIZE: u64 = 30;
/// Hours between two daily emails to one member, at least.
const DIGEST_EVERY: i64 = 23;
/// Daily emails written in one run (the next run, ten minutes later, goes on).
const DIGESTS_PER_RUN: u64 = 500;
/// A daily email waits this long after the news, so that what is read on the site meanwhile is
/// left out.
const DIGEST_GRACE: i64 = 1;

/// A message just published, as far as telling people about it goes.
pub struct AboutMessage<'a> {
    pub place: &'a TalkPlace,
    pub topic: TopicId,
    pub topic_title: &'a str,
    pub message: MessageId,
    pub number: i32,
    pub author: &'a Member,
    pub body: &'a str,
    pub mentioned: Vec<MemberId>,
    pub replied_to: Option<MemberId>,
    pub new_topic: bool,
}

/// Tell whoever should hear of a message, inside the transaction that publishes it. Returns the
/// members whose bell changed (ring them once the transaction has committed).
pub async fn tell(state: &AppState, db: &impl ConnectionTrait, about: AboutMessage<'_>) -> AppResult<Vec<MemberId>> {
    let space = about.place.space_id();
    let mut facts = NewMessageFacts {
        author: about.author.id,
        mentioned: about.mentioned.clone(),
        replied_to: about.replied_to,
        new_topic: about.new_topic,
        topic_levels: notifications::topic_levels(db, about.topic).await?,
        space_levels: notifications::space_levels(db, space).await?,
        blocked_author: HashSet::new(),
    };
    let everyone: Vec<MemberId> = facts
        .mentioned
        .iter()
        .copied()
        .chain(facts.replied_to)
        .chain(facts.topic_levels.keys().copied())
        .chain(facts.space_levels.keys().copied())
        .collect();
    facts.blocked_author = blocks::who_blocked(db, about.author.id, &everyone).await?;
    let wanted = recipients(&facts);
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<MemberId> = wanted.iter().map(|(m, _)| *m).collect();
    let able = who_may_see(db, about.place, &ids).await?;
    let frequencies = notifications::email_frequencies(db, &ids).await?;
    let now = state.now();
    let mut told = Vec::new();
    for (member, kind) in wanted {
        let Some(member) = able.get(&member) else { continue };
        let new = NewNotification {
            member: member.id,
            kind,
            topic: about.topic,
            message: about.message,
            actor: about.author.id,
            now,
        };
        let made = notifications::notify(db, new).await?;
        told.push(member.id);
        if let Some(id) = made
            && frequencies.get(&member.id) == Some(&EmailFrequency::AtOnce)
        {
            let (subject, body) = email_at_once(state, &about, member, kind);
            mail::queue(db, &member.email, &subject, &body, now).await?;
            notifications::mark_emailed(db, &[id], now).await?;
        }
    }
    Ok(told)
}

/// Of some members, those who may read the topic (members in good standing who see inside the
/// space; in a private conversation, those taking part), by the one authorization path.
async fn who_may_see(
    db: &impl ConnectionTrait,
    place: &TalkPlace,
    ids: &[MemberId],
) -> AppResult<HashMap<MemberId, Member>> {
    let chain_ids: Vec<_> = place.access.chain.iter().map(|s| s.id).collect();
    let roles = spaces::roles_of_many(db, ids, &chain_ids).await?;
    let none = HashMap::new();
    Ok(accounts::members_by_ids(db, ids)
        .await?
        .into_iter()
        .filter(|member| {
            let facts = facts_for(&place.access.chain, roles.get(&member.id).unwrap_or(&none), &HashSet::new());
            let talk = place.reader_facts(&facts, member.id);
            authorize(actor_for(member), Action::ReadTopic, Resource::Talk(talk)).is_allowed()
        })
        .map(|member| (member.id, member))
        .collect())
}

/// Tell members something about a listing, inside the transaction that changed it: each of
/// them who is an active member and has not blocked `actor`. Those who chose it get an email at
/// once. Returns whom to ring once the transaction has committed.
pub async fn tell_listing(
    state: &AppState,
    db: &impl ConnectionTrait,
    members: &[MemberId],
    listing: ListingId,
    title: &str,
    kind: NotificationKind,
    actor: Option<&Member>,
) -> AppResult<Vec<MemberId>> {
    let headline = listing_headline(kind, actor.map(|a| a.name.as_str()).unwrap_or_default(), title);
    let about = notifications::About { listing: Some(listing), ..Default::default() };
    tell_each(state, db, members, kind, actor, about, &headline, &format!("/synergy/listings/{listing}")).await
}

/// Tell members about a transfer, inside its transaction (never whoever did it, never from
/// someone they blocked). Returns whom to ring.
pub async fn tell_transfer(
    state: &AppState,
    db: &impl ConnectionTrait,
    members: &[MemberId],
    transfer: TransferId,
    what: &str,
    kind: NotificationKind,
    actor: Option<&Member>,
) -> AppResult<Vec<MemberId>> {
    let headline = transfer_headline(kind, actor.map(|a| a.name.as_str()).unwrap_or_default(), what);
    let about = notifications::About { transfer: Some(transfer), ..Default::default() };
    tell_each(state, db, members, kind, actor, about, &headline, &format!("/accounts/transfers/{transfer}")).await
}

/// Tell members about a poll, inside the transaction that changed it. Returns whom to ring.
pub async fn tell_poll(
    state: &AppState,
    db: &impl ConnectionTrait,
    members: &[MemberId],
    poll: PollId,
    title: &str,
    kind: NotificationKind,
    actor: Option<&Member>,
) -> AppResult<Vec<MemberId>> {
    let headline = poll_headline(kind, actor.map(|a| a.name.as_str()).unwrap_or_default(), title);
    let about = notifications::About { poll: Some(poll), ..Default::default() };
    tell_each(state, db, members, kind, actor, about, &headline, &format!("/polls/{poll}")).await
}

/// Write a notification about something for each member in good standing (each once; never
/// the actor, never someone who blocked them), and an email at once for those who chose it.
#[allow(clippy::too_many_arguments)]
async fn tell_each(
    state: &AppState,
    db: &impl ConnectionTrait,
    members: &[MemberId],
    kind: NotificationKind,
    actor: Option<&Member>,
    about: notifications::About,
    headline: &str,
    path: &str,
) -> AppResult<Vec<MemberId>> {
    let blocked = match actor {
        Some(actor) => blocks::who_blocked(db, actor.id, members).await?,
        None => HashSet::new(),
    };
    let frequencies = notifications::email_frequencies(db, members).await?;
    let now = state.now();
    let mut told = Vec::new();
    for member in accounts::members_by_ids(db, members).await? {
        if member.status != AccountStatus::Member
            || blocked.contains(&member.id)
            || Some(member.id) == actor.map(|a| a.id)
            || told.contains(&member.id)
        {
            continue;
        }
        let new = notifications::Notice { member: member.id, kind, about, actor: actor.map(|a| a.id), now };
        let id = notifications::notify_about(db, new).await?;
        told.push(member.id);
        if frequencies.get(&member.id) == Some(&EmailFrequency::AtOnce) {
            let body = format!(
                "Hello {name},\n\n{headline}.\n\nSee it here:\n{base}{path}\n\n\
                 You get an email for each notification. To change that:\n{base}/notifications/settings\n",
                name = member.name,
                base = state.public_base(),
            );
            mail::queue(db, &member.email, headline, &body, now).await?;
            notifications::mark_emailed(db, &[id], now).await?;
        }
    }
    Ok(told)
}

fn topic_link(state: &AppState, topic: TopicId, number: i32) -> String {
    format!("{}/topics/{topic}?upto={number}#m{number}", state.public_base())
}

/// "Ann Baker mentioned you in “Apple day”".
fn headline(kind: NotificationKind, actor: &str, topic: &str, count: i32, private: bool) -> String {
    match kind {
        NotificationKind::Message | NotificationKind::Topic if private && count > 1 => {
            format!("{count} new private messages in “{topic}”")
        }
        NotificationKind::Message | NotificationKind::Topic if private => {
            format!("{actor} wrote to you privately: “{topic}”")
        }
        NotificationKind::Message if count > 1 => format!("{count} new messages in “{topic}”"),
        NotificationKind::Message => format!("{actor} wrote in “{topic}”"),
        NotificationKind::Topic => format!("{actor} started a conversation: “{topic}”"),
        _ => format!("{actor} {} in “{topic}”", kind.label()),
    }
}

fn email_at_once(
    state: &AppState,
    about: &AboutMessage<'_>,
    member: &Member,
    kind: NotificationKind,
) -> (String, String) {
    let headline = headline(kind, &about.author.name, about.topic_title, 1, about.place.is_private());
    let link = topic_link(state, about.topic, about.number);
    let place = if about.place.is_private() {
        "a private conversation".to_owned()
    } else {
        about.place.access.space().name.clone()
    };
    let quoted: String = about.body.lines().take(20).map(|line| format!("> {line}\n")).collect();
    let body = format!(
        "Hello {name},\n\n{headline} ({space}):\n\n{quoted}\nRead it and reply:\n{link}\n\n\
         You get an email for each notification. To change that:\n{base}/notifications/settings\n",
        name = member.name,
        space = place,
        base = state.public_base(),
    );
    (headline, body)
}

/// The words a list shows for one notification.
pub fn describe(notification: &Notification) -> String {
    if notification.transfer.is_some() {
        return transfer_headline(notification.kind, &notification.actor_name, &notification.topic_title);
    }
    if notification.poll.is_some() {
        return poll_headline(notification.kind, &notification.actor_name, &notification.topic_title);
    }
    if notification.listing.is_some() {
        return listing_headline(notification.kind, &notification.actor_name, &notification.topic_title);
    }
    if notification.topic.is_none() {
        return "Something in a conversation you can no longer see".to_owned();
    }
    headline(
        notification.kind,
        &notification.actor_name,
        &notification.topic_title,
        notification.count,
        notification.private,
    )
}

/// "Ann Baker promised you “Bramley apples”".
fn listing_headline(kind: NotificationKind, actor: &str, title: &str) -> String {
    match kind {
        NotificationKind::Match => format!("A new listing matches yours: “{title}”"),
        NotificationKind::Promised => format!("{actor} promised you “{title}”"),
        NotificationKind::DealDone => format!("{actor} marked “{title}” as done. You can leave feedback now"),
        NotificationKind::FellThrough => format!("{actor} said “{title}” fell through"),
        NotificationKind::Feedback => format!("{actor} left feedback about “{title}”"),
        NotificationKind::Expiring => format!("Your listing “{title}” closes in two days"),
        NotificationKind::Expired => format!("Your listing “{title}” has closed. You can put it up again"),
        NotificationKind::SavedSearch => format!("New for your saved search: “{title}”"),
        NotificationKind::Chase => format!("Did “{title}” happen? Mark it done, or say it fell through"),
        _ => format!("{actor} {} “{title}”", kind.label()),
    }
}

/// "Ann Baker opened a poll: “Solar panels on the hall”". Never a result: a poll's results
/// are seen on its page, where `authorize` decides.
fn poll_headline(kind: NotificationKind, actor: &str, title: &str) -> String {
    let actor = if actor.is_empty() { "Someone" } else { actor };
    match kind {
        NotificationKind::PollOpened => format!("{actor} opened a poll you can vote in: “{title}”"),
        NotificationKind::PollClosing => format!("“{title}” closes within a day, and you have not voted yet"),
        NotificationKind::PollClosed => format!("The poll “{title}” has closed"),
        NotificationKind::PollOutcome => format!("{actor} wrote what was decided: “{title}”"),
        _ => format!("{actor} {} “{title}”", kind.label()),
    }
}

/// "Ann Baker paid you, for “gardening”".
pub(crate) fn transfer_headline(kind: NotificationKind, actor: &str, what: &str) -> String {
    let actor = if actor.is_empty() { "Someone" } else { actor };
    match kind {
        NotificationKind::Paid => format!("{actor} paid you, for “{what}”"),
        NotificationKind::PaymentWaiting => format!("{actor} sent you a payment to accept, for “{what}”"),
        NotificationKind::PaymentAsked => format!("{actor} asks you to pay, for “{what}”"),
        NotificationKind::TransferAccepted => format!("{actor} accepted “{what}”"),
        NotificationKind::TransferDeclined => format!("{actor} declined “{what}”"),
        NotificationKind::TransferExpired => format!("“{what}” waited too long and has expired"),
        NotificationKind::ReversalAsked => format!("{actor} asks to put right “{what}”"),
        NotificationKind::CorrectionWaiting => format!("{actor} proposed a correction to agree to: “{what}”"),
        _ => format!("{actor} {} “{what}”", kind.label()),
    }
}

/// Notifications about conversations the member can no longer see (they left the group or the
/// private conversation, the group became secret, the topic moved) keep nothing of them: no
/// title, text, author or link.
fn forget_unseen(items: &mut [Notification], sight: &Sight) {
    // A transfer is the member's own business, in no space.
    let unseen = |n: &Notification| {
        n.transfer.is_none()
            && !(n.poll.is_some() && n.poll_watched)
            && ((n.topic.is_none() && n.listing.is_none() && n.poll.is_none())
                || n.space.is_none_or(|s| !sight.spaces.contains(&s))
                || (n.private && n.topic.is_none_or(|t| !sight.conversations.contains(&t))))
    };
    for item in items.iter_mut().filter(|n| unseen(n)) {
        item.topic = None;
        item.listing = None;
        item.poll = None;
        item.space = None;
        item.number = None;
        item.topic_title.clear();
        item.excerpt.clear();
        item.actor_name.clear();
    }
}

/// Where a notification leads.
pub fn link(notification: &Notification) -> String {
    if let Some(transfer) = notification.transfer {
        return format!("/accounts/transfers/{transfer}");
    }
    if let Some(listing) = notification.listing {
        return format!("/synergy/listings/{listing}");
    }
    if let Some(poll) = notification.poll {
        return format!("/polls/{poll}");
    }
    match (notification.topic, notification.number) {
        (Some(topic), Some(number)) => format!("/topics/{topic}?upto={number}#m{number}"),
        (Some(topic), None) => format!("/topics/{topic}"),
        _ => "/notifications".to_owned(),
    }
}

pub struct NotificationList {
    pub items: Vec<Notification>,
    pub total: u64,
    pub unread: u64,
    pub email: EmailFrequency,
}

pub async fn list(state: &AppState, ctx: &Ctx, page: u64) -> AppResult<NotificationList> {
    ctx.require(Action::ViewCommunity)?;
    let member = ctx.member()?.id;
    if page > 100_000 {
        return Err(AppError::not_found());
    }
    let mut items = notifications::list(state.db(), member, PAGE_SIZE, page * PAGE_SIZE).await?;
    forget_unseen(&mut items, &sight(state, ctx, false).await?);
    let total = notifications::count(state.db(), member).await?;
    let unread = notifications::unread_count(state.db(), member).await?;
    let email = email_frequency(state, member).await?;
    Ok(NotificationList { items, total, unread, email })
}

async fn email_frequency(state: &AppState, member: MemberId) -> AppResult<EmailFrequency> {
    Ok(notifications::email_frequencies(state.db(), &[member])
        .await?
        .remove(&member)
        .unwrap_or(EmailFrequency::DEFAULT))
}

/// Mark one of my notifications read (answers "not found" for anyone else's).
pub async fn mark_read(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<Notification> {
    ctx.require(Action::ViewCommunity)?;
    let member = ctx.member()?.id;
    let id: NotificationId = id.parse().map_err(|_| AppError::not_found())?;
    let mut notification = notifications::one(state.db(), member, id).await?.ok_or_else(AppError::not_found)?;
    forget_unseen(std::slice::from_mut(&mut notification), &sight(state, ctx, false).await?);
    if notifications::mark_read(state.db(), member, id, state.now()).await? {
        state.changed();
        state.ring(vec![member]).await;
    }
    Ok(notification)
}

pub async fn mark_all_read(state: &AppState, ctx: &Ctx) -> AppResult<u64> {
    ctx.require(Action::ViewCommunity)?;
    let member = ctx.member()?.id;
    let marked = notifications::mark_all_read(state.db(), member, state.now()).await?;
    if marked > 0 {
        state.changed();
        state.ring(vec![member]).await;
    }
    Ok(marked)
}

/// Reading a topic up to `upto` reads what I was told about it. Returns how many that was.
pub async fn topic_read(state: &AppState, member: MemberId, topic: TopicId, upto: i32) -> AppResult<u64> {
    let marked = notifications::mark_topic_read(state.db(), member, topic, upto, state.now()).await?;
    if marked > 0 {
        state.changed();
        state.ring(vec![member]).await;
    }
    Ok(marked)
}

pub async fn settings(state: &AppState, ctx: &Ctx) -> AppResult<EmailFrequency> {
    ctx.require(Action::ViewCommunity)?;
    email_frequency(state, ctx.member()?.id).await
}

pub async fn save_settings(state: &AppState, ctx: &Ctx, email: &str) -> AppResult<EmailFrequency> {
    ctx.require(Action::ViewCommunity)?;
    let frequency = EmailFrequency::parse(email)
        .ok_or_else(|| AppError::invalid("email", "frequency_unknown", "Choose how often you would like email"))?;
    notifications::set_email_frequency(state.db(), ctx.member()?.id, frequency).await?;
    state.changed();
    Ok(frequency)
}

/// Send each daily email that is due: to members who chose one a day (or never chose), with
/// unread news not yet emailed that is at least an hour old, at most once a day. Returns how
/// many were sent.
pub async fn send_digests(state: &AppState) -> AppResult<usize> {
    let now = state.now();
    let members = notifications::members_with_news(
        state.db(),
        now - Duration::hours(DIGEST_GRACE),
        now - Duration::hours(DIGEST_EVERY),
        DIGESTS_PER_RUN,
    )
    .await?;
    let mut sent = 0;
    for member in accounts::members_by_ids(state.db(), &members).await? {
        let last = notifications::digest_sent_at(state.db(), member.id).await?;
        let mut news = notifications::unemailed(state.db(), member.id).await?;
        let ids: Vec<NotificationId> = news.iter().map(|n| n.id).collect();
        if member.status == AccountStatus::Member {
            forget_unseen(&mut news, &sight_of(state, actor_for(&member), member.id, false).await?);
            // What they can no longer see is not news: marked emailed below, but not told.
            news.retain(|n| n.topic.is_some());
        } else {
            // Suspended or removed: no email at all.
            news.clear();
        }
        let txn = state.store().begin().await?;
        if !news.is_empty() {
            // Another process may be sending it: the claim lets one of them.
            if !notifications::claim_digest(&txn, member.id, last, now).await? {
                continue;
            }
            let (subject, body) = digest(state, &member, &news);
            mail::queue(&txn, &member.email, &subject, &body, now).await?;
            sent += 1;
        }
        notifications::mark_emailed(&txn, &ids, now).await?;
        state.commit(txn).await?;
    }
    if sent > 0 {
        state.wake_mailer();
    }
    Ok(sent)
}

fn digest(state: &AppState, member: &Member, news: &[Notification]) -> (String, String) {
    let subject = match news.len() {
        1 => format!("News from {}: {}", state.community_name(), describe(&news[0])),
        n => format!("News from {}: {n} things since yesterday", state.community_name()),
    };
    let mut body = format!("Hello {},\n\nHere is what happened since yesterday:\n\n", member.name);
    for item in news {
        body.push_str(&format!("• {}\n", describe(item)));
        if !item.excerpt.is_empty() {
            body.push_str(&format!("  “{}”\n", item.excerpt));
        }
        body.push_str(&format!("  {}{}\n\n", state.public_base(), link(item)));
    }
    body.push_str(&format!(
        "All your notifications: {base}/notifications\n\
         You get one email a day at most. To change that: {base}/notifications/settings\n",
        base = state.public_base()
    ));
    (subject, body)
}

/// Send the daily emails every ten minutes until the server stops.
pub async fn run_digests(state: AppState) {
    loop {
        if let Err(err) = send_digests(&state).await {
            tracing::warn!("daily emails: {err:?}");
        }
        tokio::time::sleep(std::time::Duration::from_secs(600)).await;
    }
}

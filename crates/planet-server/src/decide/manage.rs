//! Opening a poll (in a new topic, or in the topic it was started from), closing it early,
//! extending it, opening it again, writing its outcome; and the polls' clock: announcing closed
//! polls in their topics and reminding those who have not voted, a day before closing.

use super::service::{count, poll_access, poll_facts};
use crate::access::{parse_space_id, require_space};
use crate::error::{AppError, AppResult, FieldError};
use crate::identity::service::Check;
use crate::identity::session::{Ctx, actor_for};
use crate::notify::service::tell_poll;
use crate::state::AppState;
use crate::talk::live::Announcement;
use crate::talk::place::{place as talk_place, topic_place};
use crate::talk::service::{needs_approval, refuse_floods};
use crate::web::markdown;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use planet_domain::clock::uk;
use planet_domain::notification::NotificationKind;
use planet_domain::policy::{Action, Resource, authorize};
use planet_domain::poll::count::{PassRule, Results, Rules, Tally};
use planet_domain::poll::{
    Audience, PollKind, RankedMethod, ResultsShown, STANCES, Settings, Shape, YES_NO, check_option, closing_in,
};
use planet_domain::space::Visibility;
use planet_domain::text::{Description, MessageText, TopicTitle};
use planet_domain::{MemberId, MessageId, PollId, TopicId};
use planet_store::DatabaseTransaction;
use planet_store::queries::accounts;
use planet_store::queries::polls::{self, NewPoll, Poll, PollOption};
use planet_store::queries::talk::{self, NewMessage};
use serde::Deserialize;

/// How many meeting times the form offers.
pub const MEETING_TIMES: usize = 8;
/// Polls one member may open in a day.
const POLLS_PER_DAY: usize = 10;

/// The create-poll form, as sent. Numbers stay text until checked, so a wrong one is said
/// plainly next to its field.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct NewPollForm {
    pub kind: String,
    pub title: String,
    pub details: String,
    /// One option a line.
    pub options: String,
    /// Meeting times, as a browser's `datetime-local` sends them (UK time).
    pub time1: String,
    pub time2: String,
    pub time3: String,
    pub time4: String,
    pub time5: String,
    pub time6: String,
    pub time7: String,
    pub time8: String,
    pub minutes: String,
    pub min_picks: String,
    pub max_picks: String,
    pub max_score: String,
    pub dots: String,
    pub method: String,
    pub seats: String,
    pub seen_by: String,
    pub voted_by: String,
    pub late_voters: String,
    pub secret: String,
    pub results: String,
    pub quorum: String,
    pub pass_rule: String,
    pub block_stops: String,
    /// How many days it stays open.
    pub days: String,
    /// The topic it sits in (empty: a new topic is started for it).
    pub topic: String,
}

impl NewPollForm {
    pub fn times(&self) -> [&str; MEETING_TIMES] {
        [&self.time1, &self.time2, &self.time3, &self.time4, &self.time5, &self.time6, &self.time7, &self.time8]
    }

    /// The form as a new one starts: sensible defaults for the kind.
    pub fn defaults(kind: PollKind) -> Self {
        NewPollForm {
            kind: kind.as_str().to_owned(),
            minutes: "60".to_owned(),
            min_picks: "1".to_owned(),
            max_picks: String::new(),
            max_score: "5".to_owned(),
            dots: "10".to_owned(),
            method: RankedMethod::InstantRunoff.as_str().to_owned(),
            seats: "2".to_owned(),
            seen_by: Audience::Space.as_str().to_owned(),
            voted_by: Audience::Space.as_str().to_owned(),
            results: ResultsShown::AfterVoting.as_str().to_owned(),
            quorum: "0".to_owned(),
            pass_rule: if kind == PollKind::Proposal { PassRule::MoreThanHalf } else { PassRule::None }
                .as_str()
                .to_owned(),
            block_stops: "yes".to_owned(),
            days: "7".to_owned(),
            ..NewPollForm::default()
        }
    }
}

fn ticked(value: &str) -> bool {
    matches!(value, "yes" | "true" | "on" | "1")
}

fn number(check: &mut Check, field: &'static str, text: &str, default: u32, what: &str) -> u32 {
    let text = text.trim();
    if text.is_empty() {
        return default;
    }
    match text.parse::<u32>() {
        Ok(value) => value,
        Err(_) => {
            check.fail(field, "not_a_number", &format!("Enter {what} as a whole number, like 3."));
            default
        }
    }
}

fn word<T: Copy>(check: &mut Check, field: &'static str, parsed: Option<T>, default: T) -> T {
    match parsed {
        Some(value) => value,
        None => {
            check.fail(field, "choose_one", "Choose one of the answers.");
            default
        }
    }
}

/// A meeting time typed into a `datetime-local` field ("2026-12-03T19:00"), on a UK clock.
fn meeting_time(text: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M").ok().and_then(uk::from_local)
}

/// How far ahead a meeting may be planned.
const MEETING_HORIZON_DAYS: i64 = 2 * 365;

/// The options a form gives for its kind, checked.
fn options_of(check: &mut Check, kind: PollKind, form: &NewPollForm, now: DateTime<Utc>) -> Vec<PollOption> {
    let fixed = |labels: &[&str]| -> Vec<PollOption> {
        labels.iter().map(|label| PollOption { label: (*label).to_owned(), starts_at: None, minutes: 0 }).collect()
    };
    match kind {
        PollKind::Proposal => fixed(&STANCES.map(|s| s.label())),
        PollKind::YesNo => fixed(&YES_NO),
        PollKind::MeetingTime => {
            let minutes = number(check, "minutes", &form.minutes, 60, "how long the meeting lasts");
            if !(5..=24 * 60).contains(&minutes) {
                check.fail("minutes", "minutes_invalid", "A meeting lasts between 5 minutes and a day.");
            }
            let mut times = Vec::new();
            for text in form.times().iter().filter(|t| !t.trim().is_empty()) {
                match meeting_time(text) {
                    Some(at) if at <= now => {
                        check.fail("times", "time_in_past", "Each time must be in the future.");
                    }
                    Some(at) if at > now + Duration::days(MEETING_HORIZON_DAYS) => {
                        check.fail("times", "time_too_far", "Each time must be within the next two years.");
                    }
                    Some(at) if times.contains(&at) => {
                        check.fail("times", "time_twice", "The same time is given twice.");
                    }
                    Some(at) => times.push(at),
                    None => check.fail("times", "time_invalid", "Give each time as a date and a time of day."),
                }
            }
            times.sort();
            times.into_iter().map(|at| PollOption { label: uk::describe(at), starts_at: Some(at), minutes }).collect()
        }
        _ => {
            let mut labels: Vec<String> = Vec::new();
            for line in form.options.lines().filter(|l| !l.trim().is_empty()) {
                match check_option(line) {
                    Ok(label) if labels.iter().any(|l| l.to_lowercase() == label.to_lowercase()) => {
                        check.fail("options", "option_twice", &format!("“{label}” is given twice."));
                    }
                    Ok(label) => labels.push(label),
                    Err(err) => check.add(FieldError::from_input("options", err)),
                }
            }
            labels.into_iter().map(|label| PollOption { label, starts_at: None, minutes: 0 }).collect()
        }
    }
}

/// Open a poll in a space. Returns it and the topic it sits in.
pub async fn start(state: &AppState, ctx: &Ctx, space: &str, form: &NewPollForm) -> AppResult<(PollId, TopicId)> {
    let access = require_space(state.db(), ctx, Action::StartPoll, parse_space_id(space)?).await?;
    let me = ctx.member()?.clone();
    let now = state.now();
    let mut check = Check::new();
    let kind = word(&mut check, "kind", PollKind::parse(&form.kind), PollKind::Proposal);
    let title = check.field("title", TopicTitle::parse(&form.title));
    let details = check.field("details", Description::parse(&form.details));
    let options = options_of(&mut check, kind, form, now);
    let option_count = options.len() as u32;
    let shape = Shape {
        kind,
        options: options.len(),
        min_picks: number(&mut check, "min_picks", &form.min_picks, 1, "the fewest picks"),
        max_picks: number(&mut check, "max_picks", &form.max_picks, option_count, "the most picks"),
        max_score: number(&mut check, "max_score", &form.max_score, 5, "the highest score"),
        dots: number(&mut check, "dots", &form.dots, 10, "the number of dots"),
        method: if kind == PollKind::Ranked {
            word(&mut check, "method", RankedMethod::parse(&form.method), RankedMethod::InstantRunoff)
        } else {
            RankedMethod::InstantRunoff
        },
        seats: number(&mut check, "seats", &form.seats, 1, "the places to fill"),
    };
    let options_field = if kind == PollKind::MeetingTime { "times" } else { "options" };
    if let Err(err) = shape.check() {
        let field = match err.code {
            "poll_picks_invalid" => "min_picks",
            "poll_score_invalid" => "max_score",
            "poll_dots_invalid" => "dots",
            "poll_seats_invalid" => "seats",
            _ => options_field,
        };
        check.add(FieldError::from_input(field, err));
    }
    let chain_secret = access.chain.iter().any(|s| s.visibility == Visibility::Secret);
    let community_wide = access.space().visibility == Visibility::Community && !chain_secret;
    let settings = Settings {
        seen_by: word(&mut check, "seen_by", Audience::parse(&form.seen_by), Audience::Space),
        voted_by: word(&mut check, "voted_by", Audience::parse(&form.voted_by), Audience::Space),
        late_voters: ticked(&form.late_voters),
        secret: ticked(&form.secret),
        results: word(&mut check, "results", ResultsShown::parse(&form.results), ResultsShown::AfterClosing),
    };
    if let Err(err) = settings.check(community_wide, chain_secret) {
        let field = if err.code == "poll_secret_results" { "results" } else { "seen_by" };
        check.add(FieldError::from_input(field, err));
    }
    let quorum = number(&mut check, "quorum", &form.quorum, 0, "the quorum");
    if quorum > 100 {
        check.fail("quorum", "quorum_invalid", "The quorum is a share of those who may vote: 0 to 100 per cent.");
    }
    let rules = Rules {
        quorum_percent: u8::try_from(quorum.min(100)).unwrap_or(0),
        pass: word(&mut check, "pass_rule", PassRule::parse(&form.pass_rule), PassRule::None),
        block_stops: ticked(&form.block_stops),
    };
    let days = number(&mut check, "days", &form.days, 7, "the number of days");
    let closes_at = check.field("days", closing_in(now, days, now));
    let topic = in_topic(&mut check, &form.topic);
    check.finish()?;
    let (Some(title), Some(details), Some(closes_at)) = (title, details, closes_at) else {
        return Err(AppError::Internal("poll parse".to_owned()));
    };
    let topic = may_post(state, ctx, &access, topic).await?;
    crate::conduct::service::require_accepted(state, ctx).await?;
    if polls::opened_since(state.db(), me.id, now - Duration::days(1)).await? >= POLLS_PER_DAY as u64 {
        return Err(AppError::refused(
            "too_many_polls",
            "You have opened many polls today. Please wait until tomorrow.",
        ));
    }
    let id = PollId::new_v7();
    let details_html = markdown::render(details.as_str());
    let root = access.chain.first().map(|s| s.id).unwrap_or(access.space().id);
    let roll_space = if settings.voted_by == Audience::Community { root } else { access.space().id };
    let txn = state.store().begin().await?;
    let new = NewPoll {
        id,
        space: access.space().id,
        topic: None,
        author: me.id,
        title: title.as_str(),
        details: details.as_str(),
        details_html: &details_html,
        shape,
        settings,
        rules,
        options: &options,
        now,
        closes_at,
    };
    polls::open(&txn, new, roll_space).await?;
    let link = format!("[{}](/polls/{id})", plain(title.as_str()));
    let (topic, number) = match topic {
        Some(topic) => {
            let body = format!("I have opened a poll here: {link}. {}", closes_phrase(closes_at));
            (topic, post_to_topic(&txn, topic, me.id, &body, now).await?)
        }
        None => {
            let topic = TopicId::new_v7();
            talk::create_topic(&txn, topic, access.space().id, title.as_str(), me.id, false, now).await?;
            let mut body = format!("**A poll: {link}**\n\n");
            if !details.as_str().is_empty() {
                body.push_str(details.as_str());
                body.push_str("\n\n");
            }
            body.push_str(&closes_phrase(closes_at));
            (topic, post_to_topic(&txn, topic, me.id, &body, now).await?)
        }
    };
    polls::set_topic(&txn, id, topic).await?;
    let roll = polls::roll(&txn, id).await?;
    let told = tell_poll(state, &txn, &roll, id, title.as_str(), NotificationKind::PollOpened, Some(&me)).await?;
    state.commit(txn).await?;
    state.announce(Announcement::posted(topic, number)).await;
    state.ring(told).await;
    state.wake_mailer();
    Ok((id, topic))
}

/// Text put into Markdown as it stands: every ASCII punctuation mark escaped, so a title or an
/// option can make no link, emphasis or HTML.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn closes_phrase(closes_at: DateTime<Utc>) -> String {
    format!("It closes on {}.", uk::describe(closes_at))
}

/// The topic a poll is started from, as sent (checked by `may_post`).
fn in_topic(check: &mut Check, text: &str) -> Option<TopicId> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match text.parse::<TopicId>() {
        Ok(id) => Some(id),
        Err(_) => {
            check.fail("topic", "topic_not_found", "That conversation is not in this group.");
            None
        }
    }
}

/// A poll is posted in a conversation, so whoever may not write there now may not open one:
/// the topic it is started from must be in the same space, not private, and open to the actor
/// (locked ones only to moderators); a new topic needs `StartTopic`. Muted members, and those
/// whose messages still wait for a coordinator's approval, are refused; the flood limit counts.
async fn may_post(
    state: &AppState,
    ctx: &Ctx,
    access: &crate::access::SpaceAccess,
    topic: Option<TopicId>,
) -> AppResult<Option<TopicId>> {
    let not_here = || AppError::invalid("topic", "topic_not_found", "That conversation is not in this group.");
    let place = match topic {
        Some(id) => {
            let (topic, place) = topic_place(state, ctx, &id.to_string()).await.map_err(|_| not_here())?;
            if topic.space != access.space().id || topic.private {
                return Err(not_here());
            }
            place.require(ctx, Action::PostMessage, topic.locked, false)?;
            place
        }
        None => {
            let place = talk_place(state, ctx, access.space().id).await?;
            place.require(ctx, Action::StartTopic, false, false)?;
            place
        }
    };
    let me = ctx.member()?.id;
    refuse_floods(state, me).await?;
    if needs_approval(state, &place, ctx, me).await? {
        return Err(AppError::refused(
            "poll_needs_approval",
            "A coordinator reads your first messages in this group before others see them, so you cannot open a \
             poll here yet. Once one of your messages has been approved, you can.",
        ));
    }
    Ok(topic)
}

/// Writes a message into a poll's topic, in the poll's transaction. The poll's own words (that
/// it opened, closed, what was decided) are not held for approval and go into a locked topic
/// too: they are the poll's record, written by whoever did it.
async fn post_to_topic(
    txn: &DatabaseTransaction,
    topic: TopicId,
    author: MemberId,
    body: &str,
    now: DateTime<Utc>,
) -> AppResult<i32> {
    let body = MessageText::parse(body).map_err(|e| AppError::Internal(e.message))?;
    let html = markdown::render(body.as_str());
    let new = NewMessage {
        id: MessageId::new_v7(),
        topic,
        author,
        body: body.as_str(),
        html: &html,
        reply_to: None,
        pending: false,
        now,
    };
    let number = talk::post_message(txn, new).await?.ok_or_else(AppError::not_found)?;
    talk::mark_read(txn, author, topic, number).await?;
    Ok(number)
}

/// Close a poll now (its proposer, a coordinator or a steward).
pub async fn close(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<()> {
    let found = poll_access(state, ctx, id, Action::ManagePoll).await?;
    let now = state.now();
    if !found.open {
        return Err(AppError::refused("poll_already_closed", "This poll has already closed."));
    }
    let txn = state.store().begin().await?;
    if !polls::close(&txn, found.poll.id, now).await? {
        return Err(AppError::refused("poll_already_closed", "This poll has already closed."));
    }
    state.commit(txn).await?;
    // The poll has closed; if its announcement fails now, the clock posts it within a minute.
    if let Err(err) = announce_closed(state).await {
        tracing::warn!("poll announcement after closing: {err:?}");
    }
    Ok(())
}

/// Move the closing time of an open poll later, or open a closed one again, for `days` from
/// its closing time (extend) or from now (reopen). A poll whose results were hidden until the
/// end is not opened again: its results have been seen, and votes cast after them (or, in a
/// secret ballot, the change in the totals as each name appears) would give people away.
pub async fn extend(state: &AppState, ctx: &Ctx, id: &str, days: &str, reopen: bool) -> AppResult<()> {
    let found = poll_access(state, ctx, id, Action::ManagePoll).await?;
    let now = state.now();
    let poll = &found.poll;
    if reopen && found.open {
        return Err(AppError::refused("poll_still_open", "This poll is still open."));
    }
    if !reopen && !found.open {
        return Err(AppError::refused("poll_closed", "This poll has closed."));
    }
    if reopen && (poll.settings.secret || poll.settings.results != ResultsShown::Live) {
        return Err(AppError::refused(
            "poll_cannot_reopen",
            "Its results have been shown, so this poll cannot be opened again. Start a new poll instead.",
        ));
    }
    let mut check = Check::new();
    let days = number(&mut check, "days", days, 0, "the number of days");
    check.finish()?;
    if days == 0 {
        return Err(AppError::invalid("days", "days_required", "Choose how many days."));
    }
    let from = if reopen { now } else { poll.closes_at };
    let closes_at =
        closing_in(from, days, now).map_err(|e| AppError::Invalid(vec![FieldError::from_input("days", e)]))?;
    let txn = state.store().begin().await?;
    let moved = if reopen {
        polls::reopen(&txn, poll.id, closes_at, now).await?
    } else {
        polls::extend(&txn, poll.id, closes_at, now).await?
    };
    if !moved {
        return Err(AppError::refused("poll_changed", "Someone changed this poll a moment ago. Please look again."));
    }
    let mut posted = None;
    if let Some(topic) = poll.topic {
        let me = ctx.member()?.id;
        let verb = if reopen { "opened the poll again" } else { "extended the poll" };
        let body = format!("I have {verb}. {}", closes_phrase(closes_at));
        posted = Some((topic, post_to_topic(&txn, topic, me, &body, now).await?));
    }
    state.commit(txn).await?;
    if let Some((topic, number)) = posted {
        state.announce(Announcement::posted(topic, number)).await;
    }
    Ok(())
}

/// The longest outcome: a message, less the words around it.
pub const MAX_OUTCOME_CHARS: usize = 9000;

/// Write what was decided, once the poll has closed; it is posted in the poll's topic.
pub async fn write_outcome(state: &AppState, ctx: &Ctx, id: &str, text: &str) -> AppResult<()> {
    let found = poll_access(state, ctx, id, Action::ManagePoll).await?;
    if found.open {
        return Err(AppError::refused("poll_still_open", "Write the outcome once the poll has closed."));
    }
    let outcome =
        MessageText::parse(text).map_err(|e| AppError::Invalid(vec![FieldError::from_input("outcome", e)]))?;
    if outcome.as_str().chars().count() > MAX_OUTCOME_CHARS {
        return Err(AppError::invalid(
            "outcome",
            "outcome_too_long",
            format!("Keep the outcome under {MAX_OUTCOME_CHARS} characters."),
        ));
    }
    let me = ctx.member()?.clone();
    let now = state.now();
    let html = markdown::render(outcome.as_str());
    let poll = &found.poll;
    let txn = state.store().begin().await?;
    polls::set_outcome(&txn, poll.id, outcome.as_str(), &html, me.id, now).await?;
    let mut announced = None;
    if let Some(topic) = poll.topic {
        let body = format!("**The outcome of [{}](/polls/{})**\n\n{}", plain(&poll.title), poll.id, outcome.as_str());
        announced = Some((topic, post_to_topic(&txn, topic, me.id, &body, now).await?));
    }
    let roll = readers(state, poll, &polls::roll(&txn, poll.id).await?).await?;
    let told = tell_poll(state, &txn, &roll, poll.id, &poll.title, NotificationKind::PollOutcome, Some(&me)).await?;
    state.commit(txn).await?;
    if let Some((topic, number)) = announced {
        state.announce(Announcement::posted(topic, number)).await;
    }
    state.ring(told).await;
    state.wake_mailer();
    Ok(())
}

/// The words posted in a poll's topic when it closes: the verdict and what was chosen.
fn closing_words(poll: &Poll, options: &[PollOption], results: &Results) -> String {
    let chosen = results.chosen(poll.shape.kind);
    let names: Vec<String> =
        chosen.iter().filter_map(|i| options.get(*i)).map(|o| format!("“{}”", plain(&o.label))).collect();
    let link = format!("[{}](/polls/{})", plain(&poll.title), poll.id);
    let mut body = format!("**{link} has closed.** {}", results.verdict.explanation);
    let lead = match (poll.shape.kind, &results.tally) {
        (PollKind::Ranked, Tally::SingleTransferableVote(_)) => "Elected",
        (PollKind::MeetingTime, _) => "The time most people can make",
        _ if names.len() > 1 => "Tied",
        _ => "Chosen",
    };
    if !names.is_empty() {
        body.push_str(&format!(" {lead}: {}.", names.join(", ")));
    }
    if poll.shape.kind == PollKind::MeetingTime && !names.is_empty() {
        body.push_str(&format!(" Add it to your calendar from [the poll's page](/polls/{}).", poll.id));
    }
    body.push_str(&format!("\n\nSee the full results: {link}"));
    body
}

/// Announce each poll that has closed (by time or early) in its topic, once, and tell those
/// who could vote (and may still see it). A poll that fails is logged and left for the next
/// round; the rest go on. Returns how many were announced.
pub async fn announce_closed(state: &AppState) -> AppResult<usize> {
    let now = state.now();
    let mut announced = 0;
    for id in polls::to_announce(state.db(), now).await? {
        match announce(state, id, now).await {
            Ok(true) => announced += 1,
            Ok(false) => {}
            Err(err) => tracing::warn!("announcing poll {id}: {err:?}"),
        }
    }
    if announced > 0 {
        state.wake_mailer();
    }
    Ok(announced)
}

async fn announce(state: &AppState, id: PollId, now: DateTime<Utc>) -> AppResult<bool> {
    let txn = state.store().begin().await?;
    if !polls::claim_announcement(&txn, id, now).await? {
        return Ok(false);
    }
    let Some((poll, options)) = polls::poll(&txn, id).await? else { return Ok(false) };
    let results = count(state, &poll).await?;
    let mut posted = None;
    if let Some(topic) = poll.topic {
        let body = closing_words(&poll, &options, &results);
        posted = Some((topic, post_to_topic(&txn, topic, poll.author, &body, now).await?));
    }
    let roll = readers(state, &poll, &polls::roll(&txn, id).await?).await?;
    let told = tell_poll(state, &txn, &roll, id, &poll.title, NotificationKind::PollClosed, None).await?;
    state.commit(txn).await?;
    if let Some((topic, number)) = posted {
        state.announce(Announcement::posted(topic, number)).await;
    }
    state.ring(told).await;
    Ok(true)
}

/// Of these members, those who may see the poll now: someone who has left a group hears no
/// more of its polls.
pub(crate) async fn readers(state: &AppState, poll: &Poll, members: &[MemberId]) -> AppResult<Vec<MemberId>> {
    let index = state.directory().await?;
    let Some(i) = index.position.get(&poll.space).copied() else { return Ok(Vec::new()) };
    let people = accounts::members_by_ids(state.db(), members).await?;
    Ok(people
        .into_iter()
        .filter(|member| {
            let facts = index.facts(i, member.id);
            // As if on the roll and not yet voted: only whether they may see it is asked.
            let asked = poll_facts(poll, &facts, false, Some(false), poll.author == member.id);
            authorize(actor_for(member), Action::ReadPoll, Resource::Poll(asked)).is_allowed()
        })
        .map(|member| member.id)
        .collect())
}

/// Remind those on the roll who have not voted, a day before a poll closes, once.
pub async fn remind(state: &AppState) -> AppResult<usize> {
    let now = state.now();
    let mut reminded = 0;
    for id in polls::to_remind(state.db(), now).await? {
        let txn = state.store().begin().await?;
        if !polls::claim_reminder(&txn, id, now).await? {
            continue;
        }
        let Some((poll, _)) = polls::poll(&txn, id).await? else { continue };
        let waiting = readers(state, &poll, &polls::not_voted(&txn, id).await?).await?;
        let told = tell_poll(state, &txn, &waiting, id, &poll.title, NotificationKind::PollClosing, None).await?;
        state.commit(txn).await?;
        state.ring(told).await;
        reminded += 1;
    }
    if reminded > 0 {
        state.wake_mailer();
    }
    Ok(reminded)
}

/// Announce closed polls and send reminders every minute until the server stops.
pub async fn run_clock(state: AppState) {
    loop {
        if let Err(err) = announce_closed(&state).await {
            tracing::warn!("poll announcements: {err:?}");
        }
        if let Err(err) = remind(&state).await {
            tracing::warn!("poll reminders: {err:?}");
        }
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
    }
}

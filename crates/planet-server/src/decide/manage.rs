//! Opening a poll (in a new topic, or in the topic it was started from), closing it early,
//! extending it, opening it again, writing its outcome; and the polls' clock: announcing closed
//! polls in their topics and reminding those who have not voted, a day before closing.

use super::service::{count, poll_access};
use crate::access::{parse_space_id, require_space};
use crate::error::{AppError, AppResult, FieldError};
use crate::identity::service::Check;
use crate::identity::session::Ctx;
use crate::notify::service::tell_poll;
use crate::state::AppState;
use crate::talk::live::Announcement;
use crate::web::markdown;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use planet_domain::clock::uk;
use planet_domain::notification::NotificationKind;
use planet_domain::policy::Action;
use planet_domain::poll::count::{PassRule, Rules, Tally};
use planet_domain::poll::{
    Audience, PollKind, RankedMethod, ResultsShown, STANCES, Settings, Shape, YES_NO, check_closing, check_option,
    closing_after,
};
use planet_domain::space::Visibility;
use planet_domain::text::{Description, MessageText, TopicTitle};
use planet_domain::{MemberId, MessageId, PollId, TopicId};
use planet_store::DatabaseTransaction;
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
    NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M").ok().map(uk::from_local)
}

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
                        check.fail("time1", "time_in_past", "Each time must be in the future.");
                    }
                    Some(at) if times.contains(&at) => {
                        check.fail("time1", "time_twice", "The same time is given twice.");
                    }
                    Some(at) => times.push(at),
                    None => check.fail("time1", "time_invalid", "Give each time as a date and a time of day."),
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
    let options_field = if kind == PollKind::MeetingTime { "time1" } else { "options" };
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
    let closes_at = check.field("days", check_closing(closing_after(now, days), now));
    let topic = in_topic(state, &access, &form.topic).await?;
    check.finish()?;
    let (Some(title), Some(details), Some(closes_at)) = (title, details, closes_at) else {
        return Err(AppError::Internal("poll parse".to_owned()));
    };
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
    let link = format!("[{}](/polls/{id})", escape_link_text(title.as_str()));
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

/// Markdown link text with its brackets escaped, so a title cannot make another link.
fn escape_link_text(text: &str) -> String {
    text.replace('\\', "\\\\").replace('[', "\\[").replace(']', "\\]")
}

fn closes_phrase(closes_at: DateTime<Utc>) -> String {
    format!("It closes on {}.", uk::describe(closes_at))
}

/// The topic a poll is started from: in the same space, and not a private conversation.
async fn in_topic(state: &AppState, access: &crate::access::SpaceAccess, text: &str) -> AppResult<Option<TopicId>> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let Ok(id) = text.trim().parse::<TopicId>() else {
        return Err(AppError::invalid("topic", "topic_not_found", "That conversation is not in this group."));
    };
    match talk::topic(state.db(), id).await? {
        Some(topic) if topic.space == access.space().id && !topic.private => Ok(Some(id)),
        _ => Err(AppError::invalid("topic", "topic_not_found", "That conversation is not in this group.")),
    }
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
    announce_closed(state).await?;
    Ok(())
}

/// Move the closing time of an open poll later, or open a closed one again, for `days` from
/// its closing time (extend) or from now (reopen).
pub async fn extend(state: &AppState, ctx: &Ctx, id: &str, days: &str, reopen: bool) -> AppResult<()> {
    let found = poll_access(state, ctx, id, Action::ManagePoll).await?;
    let now = state.now();
    if reopen && found.open {
        return Err(AppError::refused("poll_still_open", "This poll is still open."));
    }
    if !reopen && !found.open {
        return Err(AppError::refused("poll_closed", "This poll has closed: open it again instead."));
    }
    let mut check = Check::new();
    let days = number(&mut check, "days", days, 0, "the number of days");
    check.finish()?;
    if days == 0 {
        return Err(AppError::invalid("days", "days_required", "Choose how many days."));
    }
    let from = if reopen { now } else { found.poll.closes_at };
    let closes_at = check_closing(closing_after(from, days), now)
        .map_err(|e| AppError::Invalid(vec![FieldError::from_input("days", e)]))?;
    let txn = state.store().begin().await?;
    polls::set_closing(&txn, found.poll.id, closes_at).await?;
    if let Some(topic) = found.poll.topic {
        let me = ctx.member()?.id;
        let verb = if reopen { "opened the poll again" } else { "extended the poll" };
        let body = format!("I have {verb}. {}", closes_phrase(closes_at));
        let number = post_to_topic(&txn, topic, me, &body, now).await?;
        state.commit(txn).await?;
        state.announce(Announcement::posted(topic, number)).await;
    } else {
        state.commit(txn).await?;
    }
    Ok(())
}

/// Write what was decided, once the poll has closed; it is posted in the poll's topic.
pub async fn write_outcome(state: &AppState, ctx: &Ctx, id: &str, text: &str) -> AppResult<()> {
    let found = poll_access(state, ctx, id, Action::ManagePoll).await?;
    if found.open {
        return Err(AppError::refused("poll_still_open", "Write the outcome once the poll has closed."));
    }
    let outcome =
        MessageText::parse(text).map_err(|e| AppError::Invalid(vec![FieldError::from_input("outcome", e)]))?;
    let me = ctx.member()?.clone();
    let now = state.now();
    let html = markdown::render(outcome.as_str());
    let poll = &found.poll;
    let txn = state.store().begin().await?;
    polls::set_outcome(&txn, poll.id, outcome.as_str(), &html, me.id, now).await?;
    let mut announced = None;
    if let Some(topic) = poll.topic {
        let body = format!(
            "**The outcome of [{}](/polls/{})**\n\n{}",
            escape_link_text(&poll.title),
            poll.id,
            outcome.as_str()
        );
        announced = Some((topic, post_to_topic(&txn, topic, me.id, &body, now).await?));
    }
    let roll = polls::roll(&txn, poll.id).await?;
    let told = tell_poll(state, &txn, &roll, poll.id, &poll.title, NotificationKind::PollOutcome, Some(&me)).await?;
    state.commit(txn).await?;
    if let Some((topic, number)) = announced {
        state.announce(Announcement::posted(topic, number)).await;
    }
    state.ring(told).await;
    state.wake_mailer();
    Ok(())
}

/// The words posted in a poll's topic when it closes: the verdict and who won.
fn closing_words(poll: &Poll, options: &[PollOption], tally: &Tally, explanation: &str) -> String {
    let names: Vec<String> =
        tally.winners().iter().filter_map(|i| options.get(*i)).map(|o| format!("“{}”", o.label)).collect();
    let mut body = format!("**[{}](/polls/{}) has closed.** {explanation}", escape_link_text(&poll.title), poll.id);
    let lead = match (poll.shape.kind, &tally) {
        (PollKind::Proposal | PollKind::YesNo, _) => None,
        (PollKind::Ranked, Tally::SingleTransferableVote(_)) => Some("Elected"),
        (PollKind::MeetingTime, _) => Some("The time most people can make"),
        _ => Some(if names.len() > 1 { "Tied" } else { "Chosen" }),
    };
    if let Some(lead) = lead
        && !names.is_empty()
    {
        body.push_str(&format!(" {lead}: {}.", names.join(", ")));
    }
    if poll.shape.kind == PollKind::MeetingTime
        && let Some(best) = tally.winners().first().and_then(|i| options.get(*i))
        && best.starts_at.is_some()
    {
        body.push_str(&format!(" Add it to your calendar from [the poll's page](/polls/{}).", poll.id));
    }
    body.push_str(&format!("\n\nSee the full results: [{}](/polls/{})", escape_link_text(&poll.title), poll.id));
    body
}

/// Announce each poll that has closed (by time or early) in its topic, once, and tell those
/// who could vote. Returns how many were announced.
pub async fn announce_closed(state: &AppState) -> AppResult<usize> {
    let now = state.now();
    let mut announced = 0;
    for id in polls::to_announce(state.db(), now).await? {
        let txn = state.store().begin().await?;
        if !polls::claim_announcement(&txn, id, now).await? {
            continue;
        }
        let Some((poll, options)) = polls::poll(&txn, id).await? else { continue };
        let results = count(state, &poll).await?;
        let mut posted = None;
        if let Some(topic) = poll.topic {
            let body = closing_words(&poll, &options, &results.tally, &results.verdict.explanation);
            posted = Some((topic, post_to_topic(&txn, topic, poll.author, &body, now).await?));
        }
        let roll = polls::roll(&txn, id).await?;
        let told = tell_poll(state, &txn, &roll, id, &poll.title, NotificationKind::PollClosed, None).await?;
        state.commit(txn).await?;
        if let Some((topic, number)) = posted {
            state.announce(Announcement::posted(topic, number)).await;
        }
        state.ring(told).await;
        announced += 1;
    }
    if announced > 0 {
        state.wake_mailer();
    }
    Ok(announced)
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
        let waiting = polls::not_voted(&txn, id).await?;
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

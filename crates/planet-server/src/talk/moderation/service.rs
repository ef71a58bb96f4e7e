//! Moderation use cases: decisions on messages and topics, limits on members, the queue, the
//! public log and the settings. Each asks the one authorization path (`ModerateTalk`) first.

use crate::access::parse_space_id;
use crate::error::{AppError, AppResult};
use crate::identity::service::Check;
use crate::identity::session::Ctx;
use crate::notify::mail;
use crate::notify::service::{self as notify, AboutMessage};
use crate::state::AppState;
use crate::talk::live::Announcement;
use crate::talk::service::{TalkPlace, mentioned, message_place, place, topic_place};
use chrono::Duration;
use planet_domain::MemberId;
use planet_domain::policy::Action;
use planet_domain::space::Role;
use planet_domain::talk::{ModerationKind, RestrictionKind, TalkRules};
use planet_domain::text::ShortNote;
use planet_store::ConnectionTrait;
use planet_store::queries::talk::{self, Message, ModerationEntry, NewModerationEntry, QueueItem, Topic};
use planet_store::queries::{accounts, audit, spaces};

/// A moderator's decision on one message.
pub async fn moderate_message(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    action: &str,
) -> AppResult<(Message, ModerationKind)> {
    let (message, topic, place) = message_place(state, ctx, id).await?;
    place.require(ctx, Action::ModerateTalk, topic.locked, false)?;
    let kind = match ModerationKind::parse(action) {
        Some(
            kind @ (ModerationKind::Hide
            | ModerationKind::Restore
            | ModerationKind::Approve
            | ModerationKind::Reject
            | ModerationKind::Dismiss),
        ) => kind,
        _ => return Err(AppError::invalid("action", "action_unknown", "Choose what to do with the message")),
    };
    let now = state.now();
    let txn = state.store().begin().await?;
    let done = match kind {
        // Hiding a message the reports already hid confirms it (the reports are dealt with).
        ModerationKind::Hide if message.hidden_at.is_some() => talk::resolve_reports(&txn, message.id, now).await? > 0,
        ModerationKind::Hide => talk::hide_message(&txn, message.id, now).await?,
        ModerationKind::Restore => talk::restore_message(&txn, message.id).await?,
        ModerationKind::Approve => talk::approve_message(&txn, message.id, now).await?,
        // Not approved: it stays out of sight for good (its author sees it as hidden).
        ModerationKind::Reject => message.pending && talk::hide_message(&txn, message.id, now).await?,
        _ => talk::resolve_reports(&txn, message.id, now).await? > 0,
    };
    if !done {
        return Err(AppError::refused("already_done", "That has already been done (perhaps by another moderator)."));
    }
    talk::resolve_reports(&txn, message.id, now).await?;
    let entry = NewModerationEntry {
        space: place.space_id(),
        kind,
        moderator: Some(ctx.member()?.id),
        member: Some(message.author),
        topic: Some(topic.id),
        message: Some(message.id),
        note: "",
        now,
    };
    talk::log_moderation(&txn, entry).await?;
    audit_talk(&txn, ctx, kind, &message.id.to_string(), &place).await?;
    let told = match kind {
        ModerationKind::Approve => tell_approved(state, &txn, &place, &topic, &message).await?,
        _ => Vec::new(),
    };
    state.commit(txn).await?;
    state.ring(told).await;
    state.wake_mailer();
    match kind {
        ModerationKind::Approve => state.announce(Announcement::posted(topic.id, message.number)).await,
        // A message waiting for approval was never sent to pages.
        _ if message.pending => {}
        _ => state.announce(Announcement::changed(topic.id, message.number)).await,
    }
    Ok((message, kind))
}

/// A message just approved is news, as if it had just been posted.
async fn tell_approved(
    state: &AppState,
    db: &impl ConnectionTrait,
    place: &TalkPlace,
    topic: &Topic,
    message: &Message,
) -> AppResult<Vec<MemberId>> {
    // A message edited back into waiting was news once already.
    if planet_store::queries::notifications::told_of(db, message.id).await? {
        return Ok(Vec::new());
    }
    let Some(author) = accounts::member(db, message.author).await? else {
        return Ok(Vec::new());
    };
    let replied_to = match message.reply_to {
        Some(number) => talk::message_by_number(db, topic.id, number).await?.map(|m| m.author),
        None => None,
    };
    let about = AboutMessage {
        place,
        topic: topic.id,
        topic_title: &topic.title,
        message: message.id,
        number: message.number,
        author: &author,
        body: &message.body,
        mentioned: mentioned(state, place, &message.body).await?,
        replied_to,
        new_topic: message.number == 1,
    };
    notify::tell(state, db, about).await
}

/// Pin or unpin, lock or unlock a topic, or move it to another space.
pub async fn moderate_topic(state: &AppState, ctx: &Ctx, id: &str, action: &str, to: &str) -> AppResult<Topic> {
    let (topic, place) = topic_place(state, ctx, id).await?;
    place.require(ctx, Action::ModerateTalk, topic.locked, false)?;
    let kind = ModerationKind::parse(action);
    let (mut pinned, mut locked, mut space) = (topic.pinned, topic.locked, topic.space);
    match kind {
        Some(ModerationKind::Pin) => pinned = true,
        Some(ModerationKind::Unpin) => pinned = false,
        Some(ModerationKind::Lock) => locked = true,
        Some(ModerationKind::Unlock) => locked = false,
        Some(ModerationKind::Move) => {
            let target = parse_space_id(to)
                .map_err(|_| AppError::invalid("to", "space_required", "Choose the group to move it to"))?;
            // The moderator must moderate there too.
            let there = self::place(state, ctx, target).await?;
            there.require(ctx, Action::ModerateTalk, false, false)?;
            space = target;
        }
        _ => return Err(AppError::invalid("action", "action_unknown", "Choose what to do with the topic")),
    }
    let kind = kind.unwrap_or(ModerationKind::Pin);
    let now = state.now();
    let txn = state.store().begin().await?;
    talk::set_topic_flags(&txn, topic.id, pinned, locked, space).await?;
    let entry = NewModerationEntry {
        space: place.space_id(),
        kind,
        moderator: Some(ctx.member()?.id),
        member: None,
        topic: Some(topic.id),
        message: None,
        note: "",
        now,
    };
    talk::log_moderation(&txn, entry).await?;
    audit_talk(&txn, ctx, kind, &topic.id.to_string(), &place).await?;
    state.commit(txn).await?;
    if kind == ModerationKind::Move {
        // Pages open on it were let in for the old space: they reload and are asked again.
        state.announce(Announcement::closed(topic.id)).await;
    }
    Ok(Topic { pinned, locked, space, ..topic })
}

/// Warn a member privately, mute them for some days, or put their messages on approval (and
/// lift either).
pub async fn moderate_member(
    state: &AppState,
    ctx: &Ctx,
    space: &str,
    member: &str,
    action: &str,
    days: &str,
    note: &str,
) -> AppResult<ModerationKind> {
    let place = place(state, ctx, parse_space_id(space)?).await?;
    place.require(ctx, Action::ModerateTalk, false, false)?;
    let choose = || AppError::invalid("member", "member_required", "Choose a member of the group");
    let member: MemberId = member.parse().map_err(|_| choose())?;
    let who = accounts::member(state.db(), member).await?.ok_or_else(choose)?;
    // Only the group's ordinary members: not someone outside it, not its coordinators or the
    // stewards (who answer to each other, not to one coordinator).
    let role = spaces::roles_in(state.db(), member, &[place.space_id()]).await?.get(&place.space_id()).copied();
    match role {
        None => return Err(choose()),
        Some(Role::Coordinator) => {
            return Err(AppError::refused("moderator", "Coordinators and stewards cannot be warned or paused here."));
        }
        Some(_) if who.steward => {
            return Err(AppError::refused("moderator", "Coordinators and stewards cannot be warned or paused here."));
        }
        Some(_) => {}
    }
    let kind = ModerationKind::parse(action)
        .filter(|k| {
            matches!(
                k,
                ModerationKind::Warn
                    | ModerationKind::Mute
                    | ModerationKind::Unmute
                    | ModerationKind::PreModerate
                    | ModerationKind::EndPreModeration
            )
        })
        .ok_or_else(|| AppError::invalid("action", "action_unknown", "Choose what to do"))?;
    let mut check = Check::new();
    let note = check.field("note", ShortNote::parse(note));
    let days = match kind {
        ModerationKind::Mute => match days.trim().parse::<i64>() {
            Ok(days @ 1..=365) => Some(days),
            _ => {
                check.fail("days", "days_required", "Enter how many days, from 1 to 365");
                None
            }
        },
        _ => None,
    };
    if kind == ModerationKind::Warn && note.as_ref().is_some_and(|n| n.as_str().len() < 10) {
        check.fail("note", "warning_required", "Write the warning they will receive (at least 10 characters)");
    }
    check.finish()?;
    let note = note.map(ShortNote::into_string).unwrap_or_default();
    let moderator = ctx.member()?;
    let now = state.now();
    let space_name = place.access.space().name.clone();
    let txn = state.store().begin().await?;
    let space_id = place.space_id();
    match kind {
        ModerationKind::Warn => {
            let body = format!(
                "Hello {},\n\nA moderator of {space_name} has sent you this warning:\n\n{note}\n\n\
                 Please read the community's code of conduct. If you think this is unfair, you can \
                 reply to any steward.\n",
                who.name
            );
            mail::queue(&txn, &who.email, &format!("A warning from the moderators of {space_name}"), &body, now)
                .await?;
        }
        ModerationKind::Mute => {
            let until = now + Duration::days(days.unwrap_or(1));
            talk::restrict(&txn, space_id, member, RestrictionKind::Mute, Some(until), moderator.id, now).await?;
        }
        ModerationKind::Unmute => {
            talk::lift(&txn, space_id, member, RestrictionKind::Mute).await?;
        }
        ModerationKind::PreModerate => {
            talk::restrict(&txn, space_id, member, RestrictionKind::PreModerate, None, moderator.id, now).await?;
        }
        _ => {
            talk::lift(&txn, space_id, member, RestrictionKind::PreModerate).await?;
        }
    }
    let entry = NewModerationEntry {
        space: space_id,
        kind,
        moderator: Some(moderator.id),
        member: Some(member),
        topic: None,
        message: None,
        note: &note,
        now,
    };
    talk::log_moderation(&txn, entry).await?;
    audit_talk(&txn, ctx, kind, &member.to_string(), &place).await?;
    state.commit(txn).await?;
    state.wake_mailer();
    Ok(kind)
}

pub struct Queue {
    pub place: TalkPlace,
    pub items: Vec<QueueItem>,
    /// The space's members, for the member actions (id, name).
    pub members: Vec<(MemberId, String)>,
}

pub async fn queue(state: &AppState, ctx: &Ctx, space: &str) -> AppResult<Queue> {
    let place = place(state, ctx, parse_space_id(space)?).await?;
    place.require(ctx, Action::ModerateTalk, false, false)?;
    // Reports from private conversations go to the stewards only.
    let items = talk::moderation_queue(state.db(), place.space_id(), ctx.actor.is_steward()).await?;
    let members = spaces::members_of(state.db(), place.space_id())
        .await?
        .into_iter()
        .filter(|m| m.role != Role::Coordinator)
        .map(|m| (m.member.id, m.member.name))
        .collect();
    Ok(Queue { place, items, members })
}

/// The moderation log members may read. The notes (a warning's words) are for moderators only.
pub async fn log(state: &AppState, ctx: &Ctx, space: &str) -> AppResult<(TalkPlace, Vec<ModerationEntry>)> {
    let place = place(state, ctx, parse_space_id(space)?).await?;
    place.require(ctx, Action::ReadModerationLog, false, false)?;
    let moderator = place.is_moderator(ctx);
    let entries = talk::moderation_log(state.db(), place.space_id(), 200)
        .await?
        .into_iter()
        .map(|e| if moderator { e } else { ModerationEntry { note: String::new(), ..e } })
        .collect();
    Ok((place, entries))
}

/// Earlier texts of a message (moderators).
pub async fn history(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
) -> AppResult<(Message, Topic, Vec<(String, chrono::DateTime<chrono::Utc>)>)> {
    let (message, topic, place) = message_place(state, ctx, id).await?;
    place.require(ctx, Action::ModerateTalk, topic.locked, false)?;
    let edits = talk::edits(state.db(), message.id).await?;
    Ok((message, topic, edits))
}

/// Every moderator's action also goes into the stewards' audit log.
async fn audit_talk(
    txn: &impl planet_store::ConnectionTrait,
    ctx: &Ctx,
    kind: ModerationKind,
    subject: &str,
    place: &TalkPlace,
) -> AppResult<()> {
    let action = format!("talk.{}", kind.as_str());
    let detail = format!("{} in {}", kind.label(), place.access.space().name);
    audit::record(txn, Some(ctx.member()?.id), &action, subject, &detail, ctx.now).await?;
    Ok(())
}

/// Change a space's moderation settings.
pub async fn save_rules(state: &AppState, ctx: &Ctx, space: &str, threshold: &str, first: &str) -> AppResult<()> {
    let place = place(state, ctx, parse_space_id(space)?).await?;
    place.require(ctx, Action::ModerateTalk, false, false)?;
    let mut check = Check::new();
    let threshold = match threshold.trim().parse::<u32>() {
        Ok(n @ 1..=TalkRules::MAX_THRESHOLD) => Some(n),
        _ => {
            check.fail("report_threshold", "threshold_invalid", "Enter a number of reports from 1 to 20");
            None
        }
    };
    let first = match first.trim().parse::<u32>() {
        Ok(n @ 0..=TalkRules::MAX_FIRST_MESSAGES) => Some(n),
        _ => {
            check.fail("first_messages", "first_messages_invalid", "Enter a number of messages from 0 to 10");
            None
        }
    };
    check.finish()?;
    let rules = TalkRules {
        report_threshold: threshold.unwrap_or(TalkRules::default().report_threshold),
        first_messages_to_approve: first.unwrap_or(TalkRules::default().first_messages_to_approve),
    };
    let txn = state.store().begin().await?;
    talk::set_rules(&txn, place.space_id(), rules).await?;
    let detail = format!(
        "in {}: {} reports hide, {} first messages approved",
        place.access.space().name,
        rules.report_threshold,
        rules.first_messages_to_approve
    );
    audit::record(&txn, Some(ctx.member()?.id), "talk.settings", &place.space_id().to_string(), &detail, state.now())
        .await?;
    state.commit(txn).await?;
    Ok(())
}

//! Commons: polls, their options, their roll of voters and their ballots. The roll says who may
//! vote and whether they have; a secret ballot is stored with neither its voter nor its time.
//! Casting, changing and reading ballots are in `votes`.

mod votes;
pub use votes::*;

use super::corrupt;
use crate::StoreResult;
use crate::entities::{member, poll, poll_option, poll_roll, space_member};
use chrono::{DateTime, Utc};
use planet_domain::poll::count::{PassRule, Rules};
use planet_domain::poll::{Audience, PollKind, RankedMethod, ResultsShown, Settings, Shape};
use planet_domain::space::AccountStatus;
use planet_domain::{MemberId, PollId, SpaceId, TopicId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::collections::HashMap;
use uuid::Uuid;

/// A poll as stored, with its settings in their typed forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Poll {
    pub id: PollId,
    pub space: SpaceId,
    pub topic: Option<TopicId>,
    pub author: MemberId,
    pub title: String,
    pub details: String,
    pub details_html: String,
    pub shape: Shape,
    pub settings: Settings,
    pub rules: Rules,
    pub opened_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub outcome: Option<String>,
    pub outcome_html: Option<String>,
    pub outcome_by: Option<MemberId>,
    pub outcome_at: Option<DateTime<Utc>>,
}

impl Poll {
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        planet_domain::poll::is_open(self.closes_at, self.closed_at, now)
    }

    /// When it stopped taking votes (or will).
    pub fn ends_at(&self) -> DateTime<Utc> {
        self.closed_at.unwrap_or(self.closes_at).min(self.closes_at)
    }
}

fn word<T>(parsed: Option<T>, what: &str, text: &str) -> StoreResult<T> {
    parsed.ok_or_else(|| corrupt(what, text))
}

fn count(value: i32) -> u32 {
    u32::try_from(value).unwrap_or(0)
}

impl TryFrom<poll::Model> for Poll {
    type Error = crate::StoreError;
    fn try_from(row: poll::Model) -> Result<Self, Self::Error> {
        Ok(Poll {
            id: PollId::from_uuid(row.id),
            space: SpaceId::from_uuid(row.space_id),
            topic: row.topic_id.map(TopicId::from_uuid),
            author: MemberId::from_uuid(row.author_id),
            title: row.title,
            details: row.details,
            details_html: row.details_html,
            shape: Shape {
                kind: word(PollKind::parse(&row.kind), "poll kind", &row.kind)?,
                // Filled in from the options by `poll`.
                options: 0,
                min_picks: count(row.min_picks),
                max_picks: count(row.max_picks),
                max_score: count(row.max_score),
                dots: count(row.dots),
                method: word(RankedMethod::parse(&row.method), "ranked method", &row.method)?,
                seats: count(row.seats),
            },
            settings: Settings {
                seen_by: word(Audience::parse(&row.seen_by), "audience", &row.seen_by)?,
                voted_by: word(Audience::parse(&row.voted_by), "audience", &row.voted_by)?,
                late_voters: row.late_voters,
                secret: row.secret,
                results: word(ResultsShown::parse(&row.results), "results shown", &row.results)?,
            },
            rules: Rules {
                quorum_percent: u8::try_from(row.quorum_percent).unwrap_or(0),
                pass: word(PassRule::parse(&row.pass_rule), "pass rule", &row.pass_rule)?,
                block_stops: row.block_stops,
            },
            opened_at: row.opened_at,
            closes_at: row.closes_at,
            closed_at: row.closed_at,
            outcome: row.outcome,
            outcome_html: row.outcome_html,
            outcome_by: row.outcome_by.map(MemberId::from_uuid),
            outcome_at: row.outcome_at,
        })
    }
}

/// One option of a poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollOption {
    pub label: String,
    /// Meeting polls: when, and for how long.
    pub starts_at: Option<DateTime<Utc>>,
    pub minutes: u32,
}

/// A new poll: what `open` writes.
pub struct NewPoll<'a> {
    pub id: PollId,
    pub space: SpaceId,
    pub topic: Option<TopicId>,
    pub author: MemberId,
    pub title: &'a str,
    pub details: &'a str,
    pub details_html: &'a str,
    pub shape: Shape,
    pub settings: Settings,
    pub rules: Rules,
    pub options: &'a [PollOption],
    pub now: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
}

/// Writes a poll with its options, and its roll: the admitted members of `roll_space` (the
/// poll's space, or the community's root space when the whole community votes).
pub async fn open(db: &impl ConnectionTrait, new: NewPoll<'_>, roll_space: SpaceId) -> StoreResult<()> {
    let shape = new.shape;
    poll::Entity::insert(poll::ActiveModel {
        id: Set(new.id.uuid()),
        space_id: Set(new.space.uuid()),
        topic_id: Set(new.topic.map(TopicId::uuid)),
        author_id: Set(new.author.uuid()),
        kind: Set(shape.kind.as_str().to_owned()),
        title: Set(new.title.to_owned()),
        details: Set(new.details.to_owned()),
        details_html: Set(new.details_html.to_owned()),
        seen_by: Set(new.settings.seen_by.as_str().to_owned()),
        voted_by: Set(new.settings.voted_by.as_str().to_owned()),
        late_voters: Set(new.settings.late_voters),
        secret: Set(new.settings.secret),
        results: Set(new.settings.results.as_str().to_owned()),
        min_picks: Set(shape.min_picks as i32),
        max_picks: Set(shape.max_picks as i32),
        max_score: Set(shape.max_score as i32),
        dots: Set(shape.dots as i32),
        method: Set(shape.method.as_str().to_owned()),
        seats: Set(shape.seats as i32),
        quorum_percent: Set(i32::from(new.rules.quorum_percent)),
        pass_rule: Set(new.rules.pass.as_str().to_owned()),
        block_stops: Set(new.rules.block_stops),
        opened_at: Set(new.now),
        closes_at: Set(new.closes_at),
        closed_at: Set(None),
        // A poll open for a day and a half or less needs no reminder: everyone was just told.
        reminded_at: Set((new.closes_at - new.now <= chrono::Duration::hours(36)).then_some(new.now)),
        announced_at: Set(None),
        outcome: Set(None),
        outcome_html: Set(None),
        outcome_by: Set(None),
        outcome_at: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    poll_option::Entity::insert_many(new.options.iter().enumerate().map(|(position, option)| {
        poll_option::ActiveModel {
            poll_id: Set(new.id.uuid()),
            position: Set(position as i32),
            label: Set(option.label.clone()),
            starts_at: Set(option.starts_at),
            minutes: Set(option.minutes as i32),
        }
    }))
    .exec_without_returning(db)
    .await?;
    let voters = admitted_members_of(db, roll_space).await?;
    for chunk in voters.chunks(500) {
        poll_roll::Entity::insert_many(chunk.iter().map(|member| poll_roll::ActiveModel {
            poll_id: Set(new.id.uuid()),
            member_id: Set(*member),
            voted: Set(false),
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

async fn admitted_members_of(db: &impl ConnectionTrait, space: SpaceId) -> StoreResult<Vec<Uuid>> {
    let members: Vec<Uuid> = space_member::Entity::find()
        .select_only()
        .column(space_member::Column::MemberId)
        .filter(space_member::Column::SpaceId.eq(space.uuid()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(member::Entity::find()
        .select_only()
        .column(member::Column::Id)
        .filter(member::Column::Id.is_in(members))
        .filter(member::Column::Status.eq(AccountStatus::Member.as_str()))
        .into_tuple()
        .all(db)
        .await?)
}

/// How many polls a member has opened since then (a limit against floods).
pub async fn opened_since(db: &impl ConnectionTrait, member: MemberId, since: DateTime<Utc>) -> StoreResult<u64> {
    Ok(poll::Entity::find()
        .filter(poll::Column::AuthorId.eq(member.uuid()))
        .filter(poll::Column::OpenedAt.gte(since))
        .count(db)
        .await?)
}

/// A poll with its options.
pub async fn poll(db: &impl ConnectionTrait, id: PollId) -> StoreResult<Option<(Poll, Vec<PollOption>)>> {
    let Some(row) = poll::Entity::find_by_id(id.uuid()).one(db).await? else { return Ok(None) };
    let mut poll = Poll::try_from(row)?;
    let options = options(db, id).await?;
    poll.shape.options = options.len();
    Ok(Some((poll, options)))
}

async fn options(db: &impl ConnectionTrait, id: PollId) -> StoreResult<Vec<PollOption>> {
    Ok(poll_option::Entity::find()
        .filter(poll_option::Column::PollId.eq(id.uuid()))
        .order_by_asc(poll_option::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|row| PollOption { label: row.label, starts_at: row.starts_at, minutes: count(row.minutes) })
        .collect())
}

/// A space's polls, newest first (without their options).
pub async fn in_space(db: &impl ConnectionTrait, space: SpaceId) -> StoreResult<Vec<Poll>> {
    poll::Entity::find()
        .filter(poll::Column::SpaceId.eq(space.uuid()))
        .order_by_desc(poll::Column::OpenedAt)
        .limit(200)
        .all(db)
        .await?
        .into_iter()
        .map(Poll::try_from)
        .collect()
}

/// Polls in any of these spaces, or seen by the whole community, still open or closed since
/// `since`, newest first: the Commons page filters them further by `authorize`.
pub async fn recent(
    db: &impl ConnectionTrait,
    spaces: &[SpaceId],
    since: DateTime<Utc>,
    limit: u64,
) -> StoreResult<Vec<Poll>> {
    poll::Entity::find()
        .filter(
            Condition::any()
                .add(poll::Column::SpaceId.is_in(spaces.iter().map(|s| s.uuid())))
                .add(poll::Column::SeenBy.eq(Audience::Community.as_str())),
        )
        .filter(
            Condition::any()
                .add(Condition::all().add(poll::Column::ClosedAt.is_null()).add(poll::Column::ClosesAt.gte(since)))
                .add(poll::Column::ClosedAt.gte(since)),
        )
        .order_by_desc(poll::Column::OpenedAt)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(Poll::try_from)
        .collect()
}

/// Where a member stands on a poll's roll: None when not on it, else whether they have voted.
pub async fn roll_entry(db: &impl ConnectionTrait, poll: PollId, member: MemberId) -> StoreResult<Option<bool>> {
    Ok(poll_roll::Entity::find_by_id((poll.uuid(), member.uuid())).one(db).await?.map(|row| row.voted))
}

/// Where a member stands on the rolls of some polls (absent: not on it; else whether voted).
pub async fn rolls_of(
    db: &impl ConnectionTrait,
    member: MemberId,
    polls: &[PollId],
) -> StoreResult<HashMap<PollId, bool>> {
    Ok(poll_roll::Entity::find()
        .filter(poll_roll::Column::MemberId.eq(member.uuid()))
        .filter(poll_roll::Column::PollId.is_in(polls.iter().map(|p| p.uuid())))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (PollId::from_uuid(row.poll_id), row.voted))
        .collect())
}

/// How many may vote, and how many have.
pub async fn turnout(db: &impl ConnectionTrait, poll: PollId) -> StoreResult<(u64, u64)> {
    let eligible = poll_roll::Entity::find().filter(poll_roll::Column::PollId.eq(poll.uuid())).count(db).await?;
    let voted = poll_roll::Entity::find()
        .filter(poll_roll::Column::PollId.eq(poll.uuid()))
        .filter(poll_roll::Column::Voted.eq(true))
        .count(db)
        .await?;
    Ok((eligible, voted))
}

/// The members on a poll's roll: all, or those who have (or have not) voted.
async fn roll_ids(db: &impl ConnectionTrait, poll: PollId, voted: Option<bool>) -> StoreResult<Vec<Uuid>> {
    let mut query = poll_roll::Entity::find()
        .select_only()
        .column(poll_roll::Column::MemberId)
        .filter(poll_roll::Column::PollId.eq(poll.uuid()));
    if let Some(voted) = voted {
        query = query.filter(poll_roll::Column::Voted.eq(voted));
    }
    Ok(query.into_tuple().all(db).await?)
}

/// Who has voted (never how), by name.
pub async fn voters(db: &impl ConnectionTrait, poll: PollId) -> StoreResult<Vec<(MemberId, String)>> {
    names(db, roll_ids(db, poll, Some(true)).await?).await
}

/// Those on the roll who have not voted yet (to remind them).
pub async fn not_voted(db: &impl ConnectionTrait, poll: PollId) -> StoreResult<Vec<MemberId>> {
    Ok(roll_ids(db, poll, Some(false)).await?.into_iter().map(MemberId::from_uuid).collect())
}

/// Everyone on the roll.
pub async fn roll(db: &impl ConnectionTrait, poll: PollId) -> StoreResult<Vec<MemberId>> {
    Ok(roll_ids(db, poll, None).await?.into_iter().map(MemberId::from_uuid).collect())
}

async fn names(db: &impl ConnectionTrait, ids: Vec<Uuid>) -> StoreResult<Vec<(MemberId, String)>> {
    let mut people: Vec<(Uuid, String)> = member::Entity::find()
        .select_only()
        .column(member::Column::Id)
        .column(member::Column::Name)
        .filter(member::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    people.sort_by(|a, b| a.1.to_lowercase().cmp(&b.1.to_lowercase()).then(a.0.cmp(&b.0)));
    Ok(people.into_iter().map(|(id, name)| (MemberId::from_uuid(id), name)).collect())
}

/// Closes an open poll now. False when it was already closed.
pub async fn close(db: &impl ConnectionTrait, poll: PollId, now: DateTime<Utc>) -> StoreResult<bool> {
    let result = poll::Entity::update_many()
        .col_expr(poll::Column::ClosedAt, Expr::value(Some(now)))
        .filter(poll::Column::Id.eq(poll.uuid()))
        .filter(poll::Column::ClosedAt.is_null())
        .filter(poll::Column::ClosesAt.gt(now))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Moves the closing time of an open poll later. False when it has closed meanwhile.
pub async fn extend(
    db: &impl ConnectionTrait,
    poll: PollId,
    closes_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let result = poll::Entity::update_many()
        .col_expr(poll::Column::ClosesAt, Expr::value(closes_at))
        .col_expr(poll::Column::RemindedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(poll::Column::Id.eq(poll.uuid()))
        .filter(poll::Column::ClosedAt.is_null())
        .filter(poll::Column::ClosesAt.gt(now))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Opens a closed poll again until `closes_at`; it will be announced again when it closes.
/// False when it is open (someone opened it again first).
pub async fn reopen(
    db: &impl ConnectionTrait,
    poll: PollId,
    closes_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let result = poll::Entity::update_many()
        .col_expr(poll::Column::ClosesAt, Expr::value(closes_at))
        .col_expr(poll::Column::ClosedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(poll::Column::RemindedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(poll::Column::AnnouncedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(poll::Column::Id.eq(poll.uuid()))
        .filter(Condition::any().add(poll::Column::ClosedAt.is_not_null()).add(poll::Column::ClosesAt.lte(now)))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Writes what was decided.
pub async fn set_outcome(
    db: &impl ConnectionTrait,
    poll: PollId,
    outcome: &str,
    html: &str,
    by: MemberId,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let result = poll::Entity::update_many()
        .col_expr(poll::Column::Outcome, Expr::value(Some(outcome.to_owned())))
        .col_expr(poll::Column::OutcomeHtml, Expr::value(Some(html.to_owned())))
        .col_expr(poll::Column::OutcomeBy, Expr::value(Some(by.uuid())))
        .col_expr(poll::Column::OutcomeAt, Expr::value(Some(now)))
        .filter(poll::Column::Id.eq(poll.uuid()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Links a poll to the topic it sits in.
pub async fn set_topic(db: &impl ConnectionTrait, poll: PollId, topic: TopicId) -> StoreResult<()> {
    poll::Entity::update_many()
        .col_expr(poll::Column::TopicId, Expr::value(Some(topic.uuid())))
        .filter(poll::Column::Id.eq(poll.uuid()))
        .exec(db)
        .await?;
    Ok(())
}

/// Polls that have closed (by time or early) and not been announced in their topic yet.
pub async fn to_announce(db: &impl ConnectionTrait, now: DateTime<Utc>) -> StoreResult<Vec<PollId>> {
    let ids: Vec<Uuid> = poll::Entity::find()
        .select_only()
        .column(poll::Column::Id)
        .filter(poll::Column::AnnouncedAt.is_null())
        .filter(Condition::any().add(poll::Column::ClosedAt.is_not_null()).add(poll::Column::ClosesAt.lte(now)))
        .limit(100)
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.into_iter().map(PollId::from_uuid).collect())
}

/// Claims the announcement of a closed poll: true for exactly one caller.
pub async fn claim_announcement(db: &impl ConnectionTrait, poll: PollId, now: DateTime<Utc>) -> StoreResult<bool> {
    let result = poll::Entity::update_many()
        .col_expr(poll::Column::AnnouncedAt, Expr::value(Some(now)))
        .filter(poll::Column::Id.eq(poll.uuid()))
        .filter(poll::Column::AnnouncedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Open polls closing within a day whose reminder has not gone out.
pub async fn to_remind(db: &impl ConnectionTrait, now: DateTime<Utc>) -> StoreResult<Vec<PollId>> {
    let ids: Vec<Uuid> = poll::Entity::find()
        .select_only()
        .column(poll::Column::Id)
        .filter(poll::Column::RemindedAt.is_null())
        .filter(poll::Column::ClosedAt.is_null())
        .filter(poll::Column::ClosesAt.gt(now))
        .filter(poll::Column::ClosesAt.lte(now + chrono::Duration::hours(24)))
        .limit(100)
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.into_iter().map(PollId::from_uuid).collect())
}

/// Claims a poll's reminder: true for exactly one caller.
pub async fn claim_reminder(db: &impl ConnectionTrait, poll: PollId, now: DateTime<Utc>) -> StoreResult<bool> {
    let result = poll::Entity::update_many()
        .col_expr(poll::Column::RemindedAt, Expr::value(Some(now)))
        .filter(poll::Column::Id.eq(poll.uuid()))
        .filter(poll::Column::RemindedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

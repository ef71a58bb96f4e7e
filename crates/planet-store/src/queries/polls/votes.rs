//! Voting: marking the roll, casting, changing and (for secret ballots) rewriting ballots, and
//! reading them back for the count, the named votes and a member's own.

use super::{corrupt, count, names};
use crate::StoreResult;
use crate::entities::{poll, poll_ballot, poll_mark, poll_roll};
use chrono::{DateTime, Utc};
use planet_domain::poll::Ballot;
use planet_domain::{MemberId, PollId};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use std::collections::HashMap;
use uuid::Uuid;

/// Marks a member on the roll as having voted. False when they already had (or are not on it):
/// of two votes sent at once, the row lock lets exactly one through.
pub async fn mark_voted(db: &impl ConnectionTrait, poll: PollId, member: MemberId) -> StoreResult<bool> {
    let result = poll_roll::Entity::update_many()
        .col_expr(poll_roll::Column::Voted, Expr::value(true))
        .filter(poll_roll::Column::PollId.eq(poll.uuid()))
        .filter(poll_roll::Column::MemberId.eq(member.uuid()))
        .filter(poll_roll::Column::Voted.eq(false))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Adds someone who became eligible after the poll opened, as having voted. A second vote sent
/// at once fails on the roll's primary key (`StoreError::Conflict`).
pub async fn add_late_voter(db: &impl ConnectionTrait, poll: PollId, member: MemberId) -> StoreResult<()> {
    poll_roll::Entity::insert(poll_roll::ActiveModel {
        poll_id: Set(poll.uuid()),
        member_id: Set(member.uuid()),
        voted: Set(true),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Stores a ballot: a named one with its voter and time, a secret one with neither, under a
/// random id.
pub async fn cast(
    db: &impl ConnectionTrait,
    poll: PollId,
    voter: Option<(MemberId, DateTime<Utc>)>,
    ballot: &Ballot,
    reason: Option<&str>,
) -> StoreResult<()> {
    let id = Uuid::new_v4();
    poll_ballot::Entity::insert(poll_ballot::ActiveModel {
        id: Set(id),
        poll_id: Set(poll.uuid()),
        member_id: Set(voter.map(|(member, _)| member.uuid())),
        reason: Set(reason.map(str::to_owned)),
        cast_at: Set(voter.map(|(_, at)| at)),
    })
    .exec_without_returning(db)
    .await?;
    write_marks(db, id, ballot).await
}

async fn write_marks(db: &impl ConnectionTrait, ballot_id: Uuid, ballot: &Ballot) -> StoreResult<()> {
    let marks: Vec<poll_mark::ActiveModel> = ballot
        .0
        .iter()
        .enumerate()
        .filter(|(_, value)| **value > 0)
        .map(|(position, value)| poll_mark::ActiveModel {
            ballot_id: Set(ballot_id),
            position: Set(position as i32),
            value: Set(*value as i32),
        })
        .collect();
    if !marks.is_empty() {
        poll_mark::Entity::insert_many(marks).exec_without_returning(db).await?;
    }
    Ok(())
}

/// Replaces a member's named ballot (changing their vote). False when they have none. Writes
/// before it reads, so two changes at once wait for each other (SQLite would otherwise refuse
/// the second transaction's write after its read).
pub async fn replace(
    db: &impl ConnectionTrait,
    poll: PollId,
    member: MemberId,
    ballot: &Ballot,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let changed = poll_ballot::Entity::update_many()
        .col_expr(poll_ballot::Column::Reason, Expr::value(reason.map(str::to_owned)))
        .col_expr(poll_ballot::Column::CastAt, Expr::value(Some(now)))
        .filter(poll_ballot::Column::PollId.eq(poll.uuid()))
        .filter(poll_ballot::Column::MemberId.eq(member.uuid()))
        .exec(db)
        .await?;
    if changed.rows_affected != 1 {
        return Ok(false);
    }
    let Some(id) = poll_ballot::Entity::find()
        .select_only()
        .column(poll_ballot::Column::Id)
        .filter(poll_ballot::Column::PollId.eq(poll.uuid()))
        .filter(poll_ballot::Column::MemberId.eq(member.uuid()))
        .into_tuple::<Uuid>()
        .one(db)
        .await?
    else {
        return Ok(false);
    };
    poll_mark::Entity::delete_many().filter(poll_mark::Column::BallotId.eq(id)).exec(db).await?;
    write_marks(db, id, ballot).await?;
    Ok(true)
}

/// Rewrites every secret ballot of a poll, in the order of what they say and under new random
/// ids, and touches every row of its roll, in the transaction of each secret vote. So neither
/// the order rows are stored in (SQLite's rowids, PostgreSQL's heap) nor the transaction that
/// last wrote them (PostgreSQL's `xmin`) tells which ballot came with which voter.
pub async fn reshuffle_secret(db: &impl ConnectionTrait, poll: PollId, options: usize) -> StoreResult<()> {
    let ballots = ballots(db, poll, options).await?;
    let reasons = secret_reasons(db, poll).await?;
    poll_ballot::Entity::delete_many()
        .filter(poll_ballot::Column::PollId.eq(poll.uuid()))
        .filter(poll_ballot::Column::MemberId.is_null())
        .exec(db)
        .await?;
    // A secret ballot's reason is shown only in the poll's list of reasons, never beside its
    // choice, so the reasons go back in their sorted order, one to each ballot in turn.
    let mut reasons = reasons.into_iter();
    for ballot in &ballots {
        cast(db, poll, None, ballot, reasons.next().as_deref()).await?;
    }
    poll_roll::Entity::update_many()
        .col_expr(poll_roll::Column::Voted, Expr::col(poll_roll::Column::Voted))
        .filter(poll_roll::Column::PollId.eq(poll.uuid()))
        .exec(db)
        .await?;
    Ok(())
}

/// Takes the poll's row for a vote: true when it is open now. The first write of a vote's
/// transaction, so a close that commits first is seen, and a vote is never counted after one.
pub async fn lock_open(db: &impl ConnectionTrait, poll: PollId, now: DateTime<Utc>) -> StoreResult<bool> {
    let result = poll::Entity::update_many()
        .col_expr(poll::Column::Id, Expr::col(poll::Column::Id))
        .filter(poll::Column::Id.eq(poll.uuid()))
        .filter(poll::Column::ClosedAt.is_null())
        .filter(poll::Column::ClosesAt.gt(now))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// A named vote: who, what, why, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedVote {
    pub member: MemberId,
    pub name: String,
    pub ballot: Ballot,
    pub reason: Option<String>,
    pub cast_at: Option<DateTime<Utc>>,
}

async fn marks_of(db: &impl ConnectionTrait, ballots: &[Uuid], options: usize) -> StoreResult<HashMap<Uuid, Ballot>> {
    let mut out: HashMap<Uuid, Ballot> = ballots.iter().map(|id| (*id, Ballot(vec![0; options]))).collect();
    for chunk in ballots.chunks(500) {
        let rows = poll_mark::Entity::find().filter(poll_mark::Column::BallotId.is_in(chunk.to_vec())).all(db).await?;
        for row in rows {
            let slot = out
                .get_mut(&row.ballot_id)
                .and_then(|ballot| ballot.0.get_mut(usize::try_from(row.position).unwrap_or(usize::MAX)));
            match slot {
                Some(slot) => *slot = count(row.value),
                None => return Err(corrupt("poll mark position", &row.position.to_string())),
            }
        }
    }
    Ok(out)
}

/// Every ballot of a poll, for the count, in an order that says nothing about who cast them or
/// when (sorted by what they say).
pub async fn ballots(db: &impl ConnectionTrait, poll: PollId, options: usize) -> StoreResult<Vec<Ballot>> {
    let ids: Vec<Uuid> = poll_ballot::Entity::find()
        .select_only()
        .column(poll_ballot::Column::Id)
        .filter(poll_ballot::Column::PollId.eq(poll.uuid()))
        .into_tuple()
        .all(db)
        .await?;
    let mut ballots: Vec<Ballot> = marks_of(db, &ids, options).await?.into_values().collect();
    ballots.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(ballots)
}

/// The named votes of a poll that is not secret, by name.
pub async fn named_votes(db: &impl ConnectionTrait, poll: PollId, options: usize) -> StoreResult<Vec<NamedVote>> {
    let rows = poll_ballot::Entity::find()
        .filter(poll_ballot::Column::PollId.eq(poll.uuid()))
        .filter(poll_ballot::Column::MemberId.is_not_null())
        .all(db)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
    let mut marks = marks_of(db, &ids, options).await?;
    let people: HashMap<MemberId, String> =
        names(db, rows.iter().filter_map(|row| row.member_id).collect()).await?.into_iter().collect();
    let mut votes: Vec<NamedVote> = rows
        .into_iter()
        .filter_map(|row| {
            let member = MemberId::from_uuid(row.member_id?);
            Some(NamedVote {
                member,
                name: people.get(&member).cloned().unwrap_or_default(),
                ballot: marks.remove(&row.id)?,
                reason: row.reason,
                cast_at: row.cast_at,
            })
        })
        .collect();
    votes.sort_by_key(|a| a.name.to_lowercase());
    Ok(votes)
}

/// The reasons given beside a secret ballot's votes, without names, in alphabetical order (so
/// their order says nothing about who wrote them, or when).
pub async fn secret_reasons(db: &impl ConnectionTrait, poll: PollId) -> StoreResult<Vec<String>> {
    let mut reasons: Vec<String> = poll_ballot::Entity::find()
        .select_only()
        .column(poll_ballot::Column::Reason)
        .filter(poll_ballot::Column::PollId.eq(poll.uuid()))
        .filter(poll_ballot::Column::Reason.is_not_null())
        .into_tuple::<Option<String>>()
        .all(db)
        .await?
        .into_iter()
        .flatten()
        .collect();
    reasons.sort();
    Ok(reasons)
}

/// A member's own named ballot, if they have one.
pub async fn own_vote(
    db: &impl ConnectionTrait,
    poll: PollId,
    member: MemberId,
    options: usize,
) -> StoreResult<Option<NamedVote>> {
    let Some(row) = poll_ballot::Entity::find()
        .filter(poll_ballot::Column::PollId.eq(poll.uuid()))
        .filter(poll_ballot::Column::MemberId.eq(member.uuid()))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let mut marks = marks_of(db, &[row.id], options).await?;
    Ok(marks.remove(&row.id).map(|ballot| NamedVote {
        member,
        name: String::new(),
        ballot,
        reason: row.reason,
        cast_at: row.cast_at,
    }))
}

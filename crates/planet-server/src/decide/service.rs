//! Polls: seeing one, voting, and the results. Every use case asks `authorize` with the poll's
//! facts first (`poll_access`); results and named votes are read only when `ReadPollResults`
//! is allowed, so hidden results leave by no route.

use crate::access::{SpaceAccess, require_space};
use crate::error::{AppError, AppResult, FieldError};
use crate::identity::session::Ctx;
use crate::state::AppState;
use planet_domain::policy::{Action, PollFacts, Resource, SpaceFacts, authorize};
use planet_domain::poll::count::{Results, tally};
use planet_domain::poll::{BallotInput, check_reason, lot};
use planet_domain::{MemberId, PollId};
use planet_store::StoreError;
use planet_store::queries::accounts;
use planet_store::queries::polls::{self, NamedVote, Poll, PollOption};
use planet_store::queries::talk::{self, Topic};

/// A poll and how the actor stands to it, decided by `authorize`.
pub struct PollAccess {
    pub poll: Poll,
    pub options: Vec<PollOption>,
    pub access: SpaceAccess,
    /// None: not on the roll; else whether they have voted.
    pub on_roll: Option<bool>,
    pub started: bool,
    pub open: bool,
}

impl PollAccess {
    fn facts(&self) -> PollFacts<'_> {
        poll_facts(&self.poll, &self.access.facts, self.open, self.on_roll, self.started)
    }

    pub fn allows(&self, ctx: &Ctx, action: Action) -> bool {
        authorize(ctx.actor, action, Resource::Poll(self.facts())).is_allowed()
    }

    pub fn require(&self, ctx: &Ctx, action: Action) -> AppResult<()> {
        authorize(ctx.actor, action, Resource::Poll(self.facts())).into_result().map_err(AppError::from)
    }

    pub fn voted(&self) -> bool {
        self.on_roll == Some(true)
    }
}

/// The facts `authorize` decides a poll on, for one actor: where they stand on its roll
/// (None: not on it; else whether they have voted) and whether they opened it.
pub(crate) fn poll_facts<'a>(
    poll: &Poll,
    space: &'a SpaceFacts,
    open: bool,
    on_roll: Option<bool>,
    started: bool,
) -> PollFacts<'a> {
    PollFacts {
        space,
        seen_by: poll.settings.seen_by,
        voted_by: poll.settings.voted_by,
        late_voters: poll.settings.late_voters,
        results: poll.settings.results,
        open,
        actor_on_roll: on_roll.is_some(),
        actor_voted: on_roll == Some(true),
        actor_started: started,
    }
}

pub(crate) fn parse_poll_id(text: &str) -> AppResult<PollId> {
    text.parse().map_err(|_| AppError::not_found())
}

/// Load a poll and decide `action` on it (after `ReadPoll`, so those who may not see it are
/// told it is not there).
pub(crate) async fn poll_access(state: &AppState, ctx: &Ctx, id: &str, action: Action) -> AppResult<PollAccess> {
    ctx.require(Action::ViewCommunity)?;
    let id = parse_poll_id(id)?;
    let (poll, options) = polls::poll(state.db(), id).await?.ok_or_else(AppError::not_found)?;
    let access = require_space(state.db(), ctx, Action::SeeSpace, poll.space).await?;
    let me = ctx.member()?.id;
    let on_roll = polls::roll_entry(state.db(), poll.id, me).await?;
    let open = poll.is_open(state.now());
    let found = PollAccess { started: poll.author == me, poll, options, access, on_roll, open };
    found.require(ctx, Action::ReadPoll)?;
    found.require(ctx, action)?;
    Ok(found)
}

/// The count of a poll. Callers ask `ReadPollResults` first (the clock counts only closed
/// polls).
pub(crate) async fn count(state: &AppState, poll: &Poll) -> AppResult<Results> {
    let ballots = polls::ballots(state.db(), poll.id, poll.shape.options).await?;
    let (eligible, _) = polls::turnout(state.db(), poll.id).await?;
    let lot = lot(poll.id.uuid().as_bytes(), poll.shape.options);
    Ok(tally(&poll.shape, &poll.rules, &ballots, eligible, &lot))
}

/// A poll's page: the poll, who has voted, the actor's own vote, and — when the poll's setting
/// shows them to this actor — the results and named votes.
pub struct PollView {
    pub found: PollAccess,
    pub author_name: String,
    pub outcome_by: String,
    pub topic: Option<Topic>,
    pub eligible: u64,
    pub voters: Vec<(MemberId, String)>,
    pub mine: Option<NamedVote>,
    pub may_vote: bool,
    pub may_manage: bool,
    pub results: Option<Results>,
    /// Named votes (polls that are not secret, once results show).
    pub named: Vec<NamedVote>,
    /// A secret ballot's reasons, without names, once results show.
    pub reasons: Vec<String>,
}

pub async fn view(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<PollView> {
    let found = poll_access(state, ctx, id, Action::ReadPoll).await?;
    let me = ctx.member()?.id;
    let poll = &found.poll;
    let voters = polls::voters(state.db(), poll.id).await?;
    let (eligible, _) = polls::turnout(state.db(), poll.id).await?;
    let mine =
        if poll.settings.secret { None } else { polls::own_vote(state.db(), poll.id, me, poll.shape.options).await? };
    let (results, named, reasons) = if found.allows(ctx, Action::ReadPollResults) {
        let results = count(state, poll).await?;
        if poll.settings.secret {
            (Some(results), Vec::new(), polls::secret_reasons(state.db(), poll.id).await?)
        } else {
            (Some(results), polls::named_votes(state.db(), poll.id, poll.shape.options).await?, Vec::new())
        }
    } else {
        (None, Vec::new(), Vec::new())
    };
    let mut ids = vec![poll.author];
    ids.extend(poll.outcome_by);
    let names = accounts::members_by_ids(state.db(), &ids).await?;
    let name_of = |id: Option<MemberId>| {
        id.and_then(|id| names.iter().find(|m| m.id == id)).map(|m| m.name.clone()).unwrap_or_default()
    };
    // A poll the whole community watches may sit in a conversation only the group reads.
    let topic = match poll.topic {
        Some(topic) if found.access.allows(ctx, Action::ViewSpaceContent) => talk::topic(state.db(), topic).await?,
        _ => None,
    };
    Ok(PollView {
        author_name: name_of(Some(poll.author)),
        outcome_by: name_of(poll.outcome_by),
        topic,
        eligible,
        voters,
        mine,
        may_vote: found.open && found.allows(ctx, Action::VoteInPoll) && !(poll.settings.secret && found.voted()),
        may_manage: found.allows(ctx, Action::ManagePoll),
        results,
        named,
        reasons,
        found,
    })
}

/// What became of a vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Voted {
    Cast,
    Changed,
}

/// Vote, or change one's vote (not in a secret ballot, where nobody — the voter included — can
/// find the ballot again). Of two first votes sent at once, the roll lets exactly one through.
/// A vote sent again without `change` (a double click, or two requests at once) is refused: a
/// change of vote is asked for as such.
pub async fn vote(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    input: &BallotInput,
    reason: &str,
    change: bool,
) -> AppResult<Voted> {
    let found = poll_access(state, ctx, id, Action::VoteInPoll).await?;
    let poll = &found.poll;
    if !found.open {
        return Err(AppError::refused("poll_closed", "This poll has closed, so it no longer takes votes."));
    }
    if found.voted() && (poll.settings.secret || !change) {
        return Err(already_voted(poll.settings.secret));
    }
    let ballot = poll.shape.ballot(input).map_err(|e| AppError::Invalid(vec![FieldError::from_input("ballot", e)]))?;
    let reason = check_reason(reason, poll.shape.needs_reason(&ballot))
        .map_err(|e| AppError::Invalid(vec![FieldError::from_input("reason", e)]))?;
    let me = ctx.member()?.id;
    let now = state.now();
    let txn = state.store().begin().await?;
    // The first write: a close that committed first is seen here, and none comes between.
    if !polls::lock_open(&txn, poll.id, now).await? {
        return Err(AppError::refused("poll_closed", "This poll has closed, so it no longer takes votes."));
    }
    let outcome = match found.on_roll {
        Some(true) => {
            if !polls::replace(&txn, poll.id, me, &ballot, reason.as_deref(), now).await? {
                return Err(already_voted(poll.settings.secret));
            }
            Voted::Changed
        }
        Some(false) => {
            if !polls::mark_voted(&txn, poll.id, me).await? {
                return Err(already_voted(poll.settings.secret));
            }
            Voted::Cast
        }
        None => match polls::add_late_voter(&txn, poll.id, me).await {
            Ok(()) => Voted::Cast,
            Err(StoreError::Conflict(_)) => return Err(already_voted(poll.settings.secret)),
            Err(other) => return Err(other.into()),
        },
    };
    if outcome == Voted::Cast {
        let voter = if poll.settings.secret { None } else { Some((me, now)) };
        polls::cast(&txn, poll.id, voter, &ballot, reason.as_deref()).await?;
        if poll.settings.secret {
            polls::reshuffle_secret(&txn, poll.id, poll.shape.options).await?;
        }
    }
    state.commit(txn).await?;
    Ok(outcome)
}

fn already_voted(secret: bool) -> AppError {
    if secret {
        AppError::refused(
            "already_voted",
            "You have already voted in this secret ballot. Nobody can see how you voted, so it cannot be changed.",
        )
    } else {
        AppError::refused(
            "already_voted",
            "Your vote was already counted (perhaps the form was sent twice). To change it, use \"Change my vote\".",
        )
    }
}

/// A poll in a list, as the actor stands to it.
pub struct Listed {
    pub poll: Poll,
    pub space_name: String,
    pub open: bool,
    /// None: not on the roll; else whether they have voted.
    pub on_roll: Option<bool>,
}

/// Keeps the polls the actor may see, decided one by one by `authorize`, with the space facts
/// from the cached directory.
async fn visible(state: &AppState, ctx: &Ctx, found: Vec<Poll>) -> AppResult<Vec<Listed>> {
    let me = ctx.member()?.id;
    let ids: Vec<PollId> = found.iter().map(|p| p.id).collect();
    let rolls = polls::rolls_of(state.db(), me, &ids).await?;
    let index = state.directory().await?;
    let now = state.now();
    let mut out = Vec::new();
    for poll in found {
        let Some(i) = index.position.get(&poll.space).copied() else { continue };
        let facts = index.facts(i, me);
        let on_roll = rolls.get(&poll.id).copied();
        let open = poll.is_open(now);
        let asked = poll_facts(&poll, &facts, open, on_roll, poll.author == me);
        if authorize(ctx.actor, Action::ReadPoll, Resource::Poll(asked)).is_allowed() {
            let space_name = index.directory.spaces[i].name.clone();
            out.push(Listed { poll, space_name, open, on_roll });
        }
    }
    Ok(out)
}

/// A space's polls, and whether the actor may open one there.
pub async fn in_space(state: &AppState, ctx: &Ctx, space: &str) -> AppResult<(SpaceAccess, Vec<Listed>, bool)> {
    let access = require_space(state.db(), ctx, Action::SeeSpace, crate::access::parse_space_id(space)?).await?;
    let found = polls::in_space(state.db(), access.space().id).await?;
    let listed = visible(state, ctx, found).await?;
    let may_start = access.allows(ctx, Action::StartPoll);
    if listed.is_empty() && !may_start && !access.allows(ctx, Action::ViewSpaceContent) {
        return Err(AppError::Denied(planet_domain::policy::Denial::Forbidden));
    }
    Ok((access, listed, may_start))
}

/// The Commons page: polls open now or closed in the last month, in every space the actor may
/// see, and the groups they may open one in.
pub async fn commons(state: &AppState, ctx: &Ctx) -> AppResult<(Vec<Listed>, Vec<(planet_domain::SpaceId, String)>)> {
    ctx.require(Action::ViewCommunity)?;
    let me = ctx.member()?.id;
    let index = state.directory().await?;
    let mut seen = Vec::new();
    let mut startable = Vec::new();
    for (i, _) in &index.order {
        let facts = index.facts(*i, me);
        let space = &index.directory.spaces[*i];
        if authorize(ctx.actor, Action::ViewSpaceContent, Resource::Space(&facts)).is_allowed() {
            seen.push(space.id);
        }
        if authorize(ctx.actor, Action::StartPoll, Resource::Space(&facts)).is_allowed() {
            startable.push((space.id, space.name.clone()));
        }
    }
    let found = polls::recent(state.db(), &seen, state.now() - chrono::Duration::days(30), 200).await?;
    Ok((visible(state, ctx, found).await?, startable))
}

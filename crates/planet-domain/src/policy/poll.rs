//! Who may see, vote in, manage and see the results of a poll. Seeing follows the poll's
//! "seen by" setting (its space's members, or the whole community — never beyond a secret
//! space's members). Voting needs a place on the roll fixed when the poll opened, or, when the
//! poll allows late voters, being eligible now. Results follow the poll's setting for everyone
//! alike: not the proposer, not a coordinator, not a steward sees hidden results early.

use super::{Action, Decision, Denial, SpaceFacts, allow_if, space_action};
use crate::poll::{Audience, ResultsShown, results_visible};
use crate::space::Role;

/// A poll, and how the actor stands to it.
#[derive(Debug, Clone, Copy)]
pub struct PollFacts<'a> {
    pub space: &'a SpaceFacts,
    pub seen_by: Audience,
    pub voted_by: Audience,
    pub late_voters: bool,
    pub results: ResultsShown,
    pub open: bool,
    /// The actor is on the roll (fixed when it opened).
    pub actor_on_roll: bool,
    pub actor_voted: bool,
    /// The actor opened it.
    pub actor_started: bool,
}

pub(super) fn poll_action(steward: bool, action: Action, poll: &PollFacts<'_>) -> Decision {
    let sight = match poll.seen_by {
        // Whoever may know the space exists sees a community-wide poll (a secret space's polls
        // are never community-wide: `Settings::check`).
        Audience::Community => space_action(steward, Action::SeeSpace, poll.space),
        Audience::Space => space_action(steward, Action::ViewSpaceContent, poll.space),
    };
    if !sight.is_allowed() {
        return sight;
    }
    let this = poll.space.chain.last();
    let member_here = this.is_some_and(|level| level.actor_role.is_some());
    let coordinator = this.is_some_and(|level| level.actor_role == Some(Role::Coordinator));
    match action {
        Action::ReadPoll => Decision::Allow,
        Action::VoteInPoll => {
            let eligible_now = match poll.voted_by {
                Audience::Community => true,
                Audience::Space => member_here,
            };
            allow_if(poll.actor_on_roll || (poll.late_voters && eligible_now), Denial::Forbidden)
        }
        Action::ReadPollResults => {
            allow_if(results_visible(poll.results, poll.open, poll.actor_voted), Denial::Forbidden)
        }
        Action::ManagePoll => allow_if(poll.actor_started || coordinator || steward, Denial::Forbidden),
        _ => Decision::Deny(Denial::Forbidden),
    }
}

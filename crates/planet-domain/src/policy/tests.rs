//! The access invariants, as property tests.

use super::*;
use proptest::prelude::*;

fn any_level() -> impl Strategy<Value = SpaceLevel> {
    (
        prop::sample::select(Visibility::ALL),
        prop::sample::select(JoinPolicy::ALL),
        prop::option::of(prop::sample::select(Role::ALL)),
        any::<bool>(),
    )
        .prop_map(|(visibility, join_policy, actor_role, actor_invited)| SpaceLevel {
            visibility,
            join_policy,
            actor_role,
            actor_invited,
        })
}

fn any_facts() -> impl Strategy<Value = SpaceFacts> {
    prop::collection::vec(any_level(), 1..5).prop_map(|chain| SpaceFacts { chain })
}

fn any_actor() -> impl Strategy<Value = Actor> {
    let id = MemberId::from_uuid(uuid::Uuid::nil());
    prop_oneof![
        Just(Actor::Anonymous),
        Just(Actor::Applicant(id)),
        Just(Actor::Declined(id)),
        Just(Actor::Suspended(id)),
        any::<bool>().prop_map(move |steward| Actor::Member { id, steward }),
    ]
}

fn hidden_from(facts: &SpaceFacts) -> bool {
    facts.chain.iter().any(|l| l.visibility == Visibility::Secret && l.actor_role.is_none() && !l.actor_invited)
}

proptest! {
    /// Nobody outside the community is ever allowed anything but their own application.
    #[test]
    fn only_admitted_members_act(actor in any_actor(), facts in any_facts(), action in prop::sample::select(Action::ALL)) {
        let not_admitted = !matches!(actor, Actor::Member { .. });
        for resource in [Resource::Community, Resource::Space(&facts)] {
            let decision = authorize(actor, action, resource);
            if not_admitted && decision.is_allowed() {
                prop_assert!(matches!(actor, Actor::Applicant(_) | Actor::Declined(_)));
                prop_assert_eq!(action, Action::ViewOwnApplication);
            }
        }
    }

    /// A secret space, or one inside a secret space, is answered as "not found" to a
    /// member who does not belong there — never "forbidden", which would reveal it.
    #[test]
    fn secret_spaces_do_not_leak(facts in any_facts(), action in prop::sample::select(Action::ALL)) {
        let member = Actor::Member { id: MemberId::from_uuid(uuid::Uuid::nil()), steward: false };
        if hidden_from(&facts) {
            prop_assert_eq!(authorize(member, action, Resource::Space(&facts)), Decision::Deny(Denial::NotFound));
        }
    }

    /// Coordination needs the coordinator role in that very space, or a steward.
    #[test]
    fn coordination_needs_the_role(actor in any_actor(), facts in any_facts(), action in prop::sample::select(Action::ALL)) {
        if action.is_coordination() && authorize(actor, action, Resource::Space(&facts)).is_allowed() {
            let this = facts.chain.last().unwrap();
            prop_assert!(actor.is_steward() || this.actor_role == Some(Role::Coordinator));
        }
    }

    /// Listings follow sight like talk; only their poster manages them; only the two
    /// sides of a deal take part in it; nobody responds to or reports their own.
    #[test]
    fn listings_follow_sight(actor in any_actor(), facts in any_facts(), action in prop::sample::select(Action::ALL), posted: bool, promised: bool) {
        let listing = ListingFacts { space: &facts, actor_posted: posted, actor_promised: promised };
        let decision = authorize(actor, action, Resource::Listing(listing));
        let sees = authorize(actor, Action::ViewSpaceContent, Resource::Space(&facts));
        if !sees.is_allowed() {
            prop_assert_eq!(decision, sees);
        }
        if decision.is_allowed() {
            prop_assert!(action.is_listing());
            match action {
                Action::ManageListing => prop_assert!(posted),
                Action::TakePartInDeal => prop_assert!(posted || promised),
                Action::RespondToListing | Action::ReportListing => prop_assert!(!posted),
                Action::ModerateListings => prop_assert!(actor.is_steward() || facts.chain.last().unwrap().actor_role == Some(Role::Coordinator)),
                _ => {}
            }
        }
    }

    /// Stewards may do everything except leave the community's root space.
    #[test]
    fn stewards_do_everything(facts in any_facts(), action in prop::sample::select(Action::ALL)) {
        let steward = Actor::Member { id: MemberId::from_uuid(uuid::Uuid::nil()), steward: true };
        let this = *facts.chain.last().unwrap();
        let decision = authorize(steward, action, Resource::Space(&facts));
        let expected_denied = match action {
            Action::LeaveSpace => this.actor_role.is_none() || facts.chain.len() == 1,
            Action::JoinSpace => this.actor_role.is_some() || (facts.chain.len() == 1 && this.join_policy != JoinPolicy::Open && !this.actor_invited),
            Action::RequestToJoinSpace => this.actor_role.is_some() || this.join_policy != JoinPolicy::ByRequest,
            Action::PostListing | Action::StartPoll => this.actor_role.is_none(),
            a => a.is_talk() || a.is_listing() || a.is_poll() || (!matches!(a, Action::SeeSpace | Action::ViewSpaceContent) && !a.is_coordination()),
        };
        prop_assert_eq!(decision.is_allowed(), !expected_denied, "{:?}", action);
    }

    /// Talk follows sight: whoever may not see inside a space may do nothing with its talk,
    /// and a secret space they do not belong to stays "not found".
    #[test]
    fn talk_follows_sight(actor in any_actor(), facts in any_facts(), action in prop::sample::select(Action::ALL), muted: bool, locked: bool, author: bool) {
        let talk = TalkFacts { space: &facts, actor_muted: muted, topic_locked: locked, actor_is_author: author, private: None };
        let decision = authorize(actor, action, Resource::Talk(talk));
        let sees = authorize(actor, Action::ViewSpaceContent, Resource::Space(&facts));
        if !sees.is_allowed() {
            prop_assert_eq!(decision, sees);
        }
        if decision.is_allowed() {
            prop_assert!(action.is_talk());
            let this = facts.chain.last().unwrap();
            let moderator = actor.is_steward() || this.actor_role == Some(Role::Coordinator);
            match action {
                // Writing needs membership of the space and no mute; a locked topic is for moderators.
                Action::StartTopic | Action::React => prop_assert!(this.actor_role.is_some() && !muted),
                Action::PostMessage => prop_assert!(this.actor_role.is_some() && !muted && (!locked || moderator)),
                Action::EditOwnMessage => prop_assert!(author && !muted),
                Action::ReportMessage => prop_assert!(!author),
                Action::ModerateTalk => prop_assert!(moderator),
                _ => {}
            }
        }
    }

    /// A private conversation is for those taking part: to anyone else (stewards included)
    /// it is not there, but for a steward deciding on a reported message. Nobody moderates
    /// it otherwise, and whoever everyone there has blocked cannot write into it.
    #[test]
    fn private_conversations_are_for_those_taking_part(
        actor in any_actor(), facts in any_facts(), action in prop::sample::select(Action::ALL),
        muted: bool, locked: bool, author: bool, participant: bool, shut_out: bool, reported: bool,
    ) {
        let private = PrivateFacts { participant, shut_out, reported };
        let talk = TalkFacts { space: &facts, actor_muted: muted, topic_locked: locked, actor_is_author: author, private: Some(private) };
        let decision = authorize(actor, action, Resource::Talk(talk));
        let sees = authorize(actor, Action::ViewSpaceContent, Resource::Space(&facts));
        if !sees.is_allowed() {
            prop_assert_eq!(decision, sees);
        } else if !participant && action.is_talk() {
            let allowed = action == Action::ModerateTalk && actor.is_steward() && reported;
            prop_assert_eq!(decision, if allowed { Decision::Allow } else { Decision::Deny(Denial::NotFound) });
        }
        if decision.is_allowed() {
            match action {
                Action::ModerateTalk => prop_assert!(actor.is_steward() && reported),
                Action::PostMessage | Action::React | Action::AddToConversation => prop_assert!(participant && !shut_out),
                Action::EditOwnMessage => prop_assert!(participant && author),
                Action::StartTopic => prop_assert!(false, "no topics in a conversation"),
                _ => prop_assert!(participant),
            }
        }
    }

    /// Leaving is always possible for a member of a group (not the community itself).
    #[test]
    fn members_can_always_leave(mut facts in any_facts(), role in prop::sample::select(Role::ALL)) {
        prop_assume!(facts.chain.len() > 1);
        if let Some(last) = facts.chain.last_mut() { last.actor_role = Some(role); }
        for level in &mut facts.chain { if level.visibility == Visibility::Secret && level.actor_role.is_none() { level.actor_invited = true; } }
        let member = Actor::Member { id: MemberId::from_uuid(uuid::Uuid::nil()), steward: false };
        prop_assert!(authorize(member, Action::LeaveSpace, Resource::Space(&facts)).is_allowed());
    }
}

fn level(visibility: Visibility, join_policy: JoinPolicy, actor_role: Option<Role>) -> SpaceLevel {
    SpaceLevel { visibility, join_policy, actor_role, actor_invited: false }
}

#[test]
fn worked_examples() {
    let ann = Actor::Member { id: MemberId::new_v7(), steward: false };
    let root = level(Visibility::Community, JoinPolicy::ByInvitation, Some(Role::Member));
    let members_only = SpaceFacts { chain: vec![root, level(Visibility::Members, JoinPolicy::ByRequest, None)] };
    assert_eq!(authorize(ann, Action::SeeSpace, Resource::Space(&members_only)), Decision::Allow);
    assert_eq!(
        authorize(ann, Action::ViewSpaceContent, Resource::Space(&members_only)),
        Decision::Deny(Denial::Forbidden)
    );
    assert_eq!(authorize(ann, Action::RequestToJoinSpace, Resource::Space(&members_only)), Decision::Allow);
    assert_eq!(authorize(ann, Action::JoinSpace, Resource::Space(&members_only)), Decision::Deny(Denial::Forbidden));

    let open = SpaceFacts { chain: vec![root, level(Visibility::Community, JoinPolicy::Open, None)] };
    assert_eq!(authorize(ann, Action::JoinSpace, Resource::Space(&open)), Decision::Allow);
    assert_eq!(authorize(ann, Action::EditSpace, Resource::Space(&open)), Decision::Deny(Denial::Forbidden));

    let root_only = SpaceFacts { chain: vec![root] };
    assert_eq!(authorize(ann, Action::LeaveSpace, Resource::Space(&root_only)), Decision::Deny(Denial::Forbidden));
    assert_eq!(authorize(ann, Action::DecideApplications, Resource::Community), Decision::Deny(Denial::Forbidden));
    assert_eq!(authorize(Actor::Anonymous, Action::ViewCommunity, Resource::Community), Decision::Deny(Denial::LogIn));
}

mod ledger {
    use super::super::*;
    use crate::ledger::{TransferKind, TransferRoles};
    use proptest::prelude::*;

    fn member(steward: bool) -> Actor {
        Actor::Member { id: MemberId::from_uuid(uuid::Uuid::nil()), steward }
    }

    proptest! {
        /// Accounts: only holders spend, never from the fund or the system account; whoever
        /// neither holds an account nor is a steward sees only the fund.
        #[test]
        fn accounts_are_their_holders(holds in any::<bool>(), fund in any::<bool>(), system in any::<bool>(), steward in any::<bool>()) {
            let facts = AccountFacts { actor_holds: holds, fund, system };
            let spend = authorize(member(steward), Action::HoldAccount, Resource::Account(facts)).is_allowed();
            prop_assert_eq!(spend, holds && !fund && !system);
            let read = authorize(member(steward), Action::ReadAccount, Resource::Account(facts)).is_allowed();
            prop_assert_eq!(read, holds || fund || steward);
            prop_assert!(!authorize(Actor::Anonymous, Action::ReadAccount, Resource::Account(facts)).is_allowed());
        }

        /// A transfer is nobody else's business: someone with no part in it who is not a steward
        /// may neither see nor decide it.
        #[test]
        fn transfers_are_their_sides(kind in prop::sample::select(TransferKind::ALL), pays in any::<bool>(), receives in any::<bool>(), started in any::<bool>(), steward in any::<bool>()) {
            let facts = TransferFacts { kind, roles: TransferRoles { pays, receives, started, ..Default::default() } };
            let outsider = !pays && !receives && !started && !steward;
            for action in [Action::ReadTransfer, Action::DecideTransfer] {
                let allowed = authorize(member(steward), action, Resource::Transfer(facts)).is_allowed();
                if outsider {
                    prop_assert!(!allowed);
                }
            }
        }
    }
}

use crate::poll::{Audience, ResultsShown};

proptest! {
    /// Polls: whoever may not see inside the space sees nothing of a poll kept to the space,
    /// and a secret space stays "not found"; results hidden until closing are shown to nobody —
    /// proposer, coordinator or steward — while the poll is open, and results shown after voting
    /// only to those who voted; only those on the roll vote, unless the poll lets late
    /// eligible members in; managing needs the proposer, a coordinator there, or a steward.
    #[test]
    fn polls_follow_their_settings(
        actor in any_actor(),
        facts in any_facts(),
        action in prop::sample::select(Action::ALL),
        seen_by in prop::sample::select(Audience::ALL),
        voted_by in prop::sample::select(Audience::ALL),
        results in prop::sample::select(ResultsShown::ALL),
        flags in any::<[bool; 5]>(),
    ) {
        let [late_voters, open, actor_on_roll, actor_voted, actor_started] = flags;
        let poll = PollFacts {
            space: &facts, seen_by, voted_by, late_voters, results, open, actor_on_roll, actor_voted, actor_started,
        };
        let decision = authorize(actor, action, Resource::Poll(poll));
        let sees_inside = authorize(actor, Action::ViewSpaceContent, Resource::Space(&facts));
        let member = Actor::Member { id: MemberId::from_uuid(uuid::Uuid::nil()), steward: false };
        if actor == member && hidden_from(&facts) {
            prop_assert_eq!(decision, Decision::Deny(Denial::NotFound));
        }
        if seen_by == Audience::Space && !sees_inside.is_allowed() {
            prop_assert!(!decision.is_allowed());
        }
        if decision.is_allowed() {
            prop_assert!(action.is_poll());
            let this = facts.chain.last().unwrap();
            match action {
                Action::ReadPollResults => match results {
                    ResultsShown::AfterClosing => prop_assert!(!open),
                    ResultsShown::AfterVoting => prop_assert!(!open || actor_voted),
                    ResultsShown::Live => {}
                },
                Action::VoteInPoll => prop_assert!(
                    actor_on_roll || (late_voters && (voted_by == Audience::Community || this.actor_role.is_some()))
                ),
                Action::ManagePoll => {
                    prop_assert!(actor_started || actor.is_steward() || this.actor_role == Some(Role::Coordinator))
                }
                _ => {}
            }
        }
    }
}

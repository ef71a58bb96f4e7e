//! The one authorization path: `authorize(actor, action, resource)`.
//!
//! Every route and every service asks this function and nothing else decides access. The
//! server gathers the facts (who the actor is, their role at each level of a space's chain of
//! parents); the decision is made here, as a pure function, so it can be tested exhaustively.

use crate::ids::MemberId;
use crate::space::{JoinPolicy, Role, Visibility};

mod ledger;
mod poll;
pub use ledger::{AccountFacts, TransferFacts};
pub use poll::PollFacts;

/// Who is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Anonymous,
    /// Has applied and waits for approval: sees their own application and nothing else.
    Applicant(MemberId),
    /// Was not admitted: sees the outcome of their application and nothing else.
    Declined(MemberId),
    /// A suspended member: may do nothing until a steward lifts the suspension.
    Suspended(MemberId),
    Member {
        id: MemberId,
        steward: bool,
    },
}

impl Actor {
    pub fn member_id(self) -> Option<MemberId> {
        match self {
            Actor::Anonymous => None,
            Actor::Applicant(id) | Actor::Declined(id) | Actor::Suspended(id) => Some(id),
            Actor::Member { id, .. } => Some(id),
        }
    }

    pub fn is_steward(self) -> bool {
        matches!(self, Actor::Member { steward: true, .. })
    }
}

/// What they want to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    // Community-wide.
    /// The opening screen, the area pages, the list of groups.
    ViewCommunity,
    ViewOwnApplication,
    /// Settings, API tokens, logging out everywhere.
    ManageOwnAccount,
    InviteToCommunity,
    DecideApplications,
    ReadOutbox,
    ReadAuditLog,
    /// Suspend and restore members, make stewards.
    ManageMembers,
    ViewMemberList,
    /// The green directory, profiles, trust paths.
    ViewDirectory,
    /// Vouch, trust, "regular customer"; withdraw and renew one's own.
    MakeStatements,
    /// Add a business or organisation to the directory.
    ListOrganisation,
    /// See who is applying, to vouch for people one knows.
    ViewApplicants,
    /// Set the community's admission rule.
    ConfigureAdmission,
    /// Keep the list of the community's values.
    KeepValues,
    /// Write the code of conduct.
    WriteCodeOfConduct,
    /// Start a private conversation with other members.
    StartConversation,
    /// Keep the categories of offers and wants.
    KeepCategories,
    // On a directory entry.
    /// Change an entry, and who runs it.
    EditProfile,
    // In a space.
    /// Know the space exists: its name, description and how to join.
    SeeSpace,
    /// What happens inside: its members, sub-groups' activity, content.
    ViewSpaceContent,
    JoinSpace,
    RequestToJoinSpace,
    LeaveSpace,
    EditSpace,
    CreateSubspace,
    DecideJoinRequests,
    InviteToSpace,
    ManageSpaceRoles,
    /// Define the space's badges and award them.
    ManageBadges,
    // Talk in a space (`Resource::Talk`).
    /// Read a topic (in a private conversation: only those taking part).
    ReadTopic,
    /// Open a new topic.
    StartTopic,
    /// Write in a topic.
    PostMessage,
    /// Change or delete one's own message.
    EditOwnMessage,
    React,
    /// Report a message to the moderators.
    ReportMessage,
    /// Hide and restore messages, approve first messages, warn, mute, pin, lock, move.
    ModerateTalk,
    /// The space's moderation log (without the hidden text).
    ReadModerationLog,
    /// Add someone to a private conversation.
    AddToConversation,
    /// Leave a private conversation.
    LeaveConversation,
    // Synergy: offers and wants in a space.
    /// Post an offer or a want in a space (asked with `Resource::Space`).
    PostListing,
    /// See a listing (`Resource::Listing`, as are the rest).
    ReadListing,
    /// Say "I'm interested": anyone who sees it but its poster.
    RespondToListing,
    /// Change, promise, withdraw or repost a listing: its poster (or whoever runs the entry
    /// it was posted for).
    ManageListing,
    /// Mark a promised listing done, or say it fell through, and leave feedback: the two
    /// sides of the deal.
    TakePartInDeal,
    ReportListing,
    /// Take down a reported listing: the space's coordinators and stewards.
    ModerateListings,
    // The accounts (`policy::ledger`).
    /// See one's own accounts, pay and ask to be paid; see the community fund and the chain.
    UseAccounts,
    /// Currencies, limits, levies, totals, corrections and the fund's payments.
    KeepAccounts,
    /// See an account's statement (`Resource::Account`).
    ReadAccount,
    /// Pay or ask from an account, change its settings (`Resource::Account`).
    HoldAccount,
    /// See a transfer (`Resource::Transfer`).
    ReadTransfer,
    /// Accept, decline or cancel a pending transfer, or start its reversal (`Resource::Transfer`).
    DecideTransfer,
    // Commons: polls (`policy::poll`).
    /// Open a poll in a space (asked with `Resource::Space`): its members.
    StartPoll,
    /// See a poll, who may vote and who has voted (`Resource::Poll`, as are the rest).
    ReadPoll,
    /// Vote, or change one's vote.
    VoteInPoll,
    /// See the results, when the poll's setting shows them.
    ReadPollResults,
    /// Close early, extend, reopen and write the outcome: who opened it, the space's
    /// coordinators and stewards.
    ManagePoll,
}

impl Action {
    pub const ALL: &'static [Action] = &[
        Action::ViewCommunity,
        Action::ViewOwnApplication,
        Action::ManageOwnAccount,
        Action::InviteToCommunity,
        Action::DecideApplications,
        Action::ReadOutbox,
        Action::ReadAuditLog,
        Action::ManageMembers,
        Action::ViewMemberList,
        Action::ViewDirectory,
        Action::MakeStatements,
        Action::ListOrganisation,
        Action::ViewApplicants,
        Action::ConfigureAdmission,
        Action::KeepValues,
        Action::WriteCodeOfConduct,
        Action::StartConversation,
        Action::KeepCategories,
        Action::EditProfile,
        Action::SeeSpace,
        Action::ViewSpaceContent,
        Action::JoinSpace,
        Action::RequestToJoinSpace,
        Action::LeaveSpace,
        Action::EditSpace,
        Action::CreateSubspace,
        Action::DecideJoinRequests,
        Action::InviteToSpace,
        Action::ManageSpaceRoles,
        Action::ManageBadges,
        Action::ReadTopic,
        Action::StartTopic,
        Action::PostMessage,
        Action::EditOwnMessage,
        Action::React,
        Action::ReportMessage,
        Action::ModerateTalk,
        Action::ReadModerationLog,
        Action::AddToConversation,
        Action::LeaveConversation,
        Action::PostListing,
        Action::ReadListing,
        Action::RespondToListing,
        Action::ManageListing,
        Action::TakePartInDeal,
        Action::ReportListing,
        Action::ModerateListings,
        Action::UseAccounts,
        Action::KeepAccounts,
        Action::ReadAccount,
        Action::HoldAccount,
        Action::ReadTransfer,
        Action::DecideTransfer,
        Action::StartPoll,
        Action::ReadPoll,
        Action::VoteInPoll,
        Action::ReadPollResults,
        Action::ManagePoll,
    ];

    /// Actions that a space's coordinators (and stewards) may take.
    pub fn is_coordination(self) -> bool {
        matches!(
            self,
            Action::EditSpace
                | Action::CreateSubspace
                | Action::DecideJoinRequests
                | Action::InviteToSpace
                | Action::ManageSpaceRoles
                | Action::ManageBadges
                | Action::ModerateTalk
        )
    }

    /// Actions on a listing, asked with `Resource::Listing`.
    pub fn is_listing(self) -> bool {
        matches!(
            self,
            Action::ReadListing
                | Action::RespondToListing
                | Action::ManageListing
                | Action::TakePartInDeal
                | Action::ReportListing
                | Action::ModerateListings
        )
    }

    /// Actions on talk, asked with `Resource::Talk`.
    pub fn is_talk(self) -> bool {
        matches!(
            self,
            Action::ReadTopic
                | Action::StartTopic
                | Action::PostMessage
                | Action::EditOwnMessage
                | Action::React
                | Action::ReportMessage
                | Action::ModerateTalk
                | Action::ReadModerationLog
                | Action::AddToConversation
                | Action::LeaveConversation
        )
    }

    pub fn is_steward_only(self) -> bool {
        matches!(
            self,
            Action::DecideApplications
                | Action::ReadOutbox
                | Action::ReadAuditLog
                | Action::ManageMembers
                | Action::ConfigureAdmission
                | Action::KeepValues
                | Action::WriteCodeOfConduct
                | Action::KeepCategories
                | Action::KeepAccounts
        )
    }

    /// Actions on an account or a transfer, asked with `Resource::Account` or `Resource::Transfer`.
    /// Actions on a poll, asked with `Resource::Poll`.
    pub fn is_poll(self) -> bool {
        matches!(self, Action::ReadPoll | Action::VoteInPoll | Action::ReadPollResults | Action::ManagePoll)
    }

    pub fn is_ledger(self) -> bool {
        matches!(self, Action::ReadAccount | Action::HoldAccount | Action::ReadTransfer | Action::DecideTransfer)
    }
}

/// One level of a space's chain, from the root down: what the actor is there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpaceLevel {
    pub visibility: Visibility,
    pub join_policy: JoinPolicy,
    pub actor_role: Option<Role>,
    /// A coordinator has invited the actor into this space.
    pub actor_invited: bool,
}

/// The facts about a space needed to decide: its chain from the root to itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpaceFacts {
    /// Root first, the space itself last. Never empty.
    pub chain: Vec<SpaceLevel>,
}

impl SpaceFacts {
    fn this(&self) -> Option<&SpaceLevel> {
        self.chain.last()
    }

    fn is_root(&self) -> bool {
        self.chain.len() == 1
    }
}

/// Talk in a space: the space, and the actor's standing in its conversation.
#[derive(Debug, Clone, Copy)]
pub struct TalkFacts<'a> {
    pub space: &'a SpaceFacts,
    /// A moderator has muted the actor in this space.
    pub actor_muted: bool,
    /// The topic asked about is locked (no new messages but from moderators).
    pub topic_locked: bool,
    /// The message asked about is the actor's own.
    pub actor_is_author: bool,
    /// The topic is a private conversation: how the actor stands in it.
    pub private: Option<PrivateFacts>,
}

/// A private conversation as the actor stands in it. Only those taking part see it — not
/// coordinators, not stewards; stewards see a reported message, to decide on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrivateFacts {
    /// The actor takes part.
    pub participant: bool,
    /// Everyone else taking part has blocked the actor: nobody there would hear them.
    pub shut_out: bool,
    /// The message asked about has been reported.
    pub reported: bool,
}

/// An offer or a want in a space, and how the actor stands to it.
#[derive(Debug, Clone, Copy)]
pub struct ListingFacts<'a> {
    pub space: &'a SpaceFacts,
    /// The actor posted it, or runs the directory entry it was posted for.
    pub actor_posted: bool,
    /// It is promised to the actor.
    pub actor_promised: bool,
}

/// What it is about.
#[derive(Debug, Clone, Copy)]
pub enum Resource<'a> {
    Community,
    Space(&'a SpaceFacts),
    /// A directory entry: whether it is the actor's own or one they run.
    Profile {
        actor_manages: bool,
    },
    Talk(TalkFacts<'a>),
    Listing(ListingFacts<'a>),
    Account(AccountFacts),
    Transfer(TransferFacts),
    Poll(PollFacts<'a>),
}

/// Why not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Denial {
    /// Not logged in: log in first.
    LogIn,
    /// An applicant or a declined applicant: only their own application.
    NotAdmitted,
    Suspended,
    /// Known, but not allowed.
    Forbidden,
    /// Not allowed to know it exists (a secret space): answered exactly like a missing one.
    NotFound,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny(Denial),
}

impl Decision {
    pub fn is_allowed(self) -> bool {
        self == Decision::Allow
    }

    pub fn into_result(self) -> Result<(), Denial> {
        match self {
            Decision::Allow => Ok(()),
            Decision::Deny(denial) => Err(denial),
        }
    }
}

fn allow_if(condition: bool, otherwise: Denial) -> Decision {
    if condition { Decision::Allow } else { Decision::Deny(otherwise) }
}

/// The single decision on who may do what.
pub fn authorize(actor: Actor, action: Action, resource: Resource<'_>) -> Decision {
    let steward = match actor {
        Actor::Anonymous => return Decision::Deny(Denial::LogIn),
        Actor::Suspended(_) => return Decision::Deny(Denial::Suspended),
        Actor::Applicant(_) | Actor::Declined(_) => {
            return allow_if(
                matches!((action, resource), (Action::ViewOwnApplication, Resource::Community)),
                Denial::NotAdmitted,
            );
        }
        Actor::Member { steward, .. } => steward,
    };
    match resource {
        Resource::Community => community_action(steward, action),
        // Talk is asked about with its own facts; asked about a bare space, it is refused in
        // the words viewing the space would get (so a secret space stays unknown).
        Resource::Space(facts) if action.is_talk() || action.is_listing() || action.is_poll() => {
            match space_action(steward, Action::ViewSpaceContent, facts) {
                Decision::Allow => Decision::Deny(Denial::Forbidden),
                denied => denied,
            }
        }
        Resource::Space(facts) => space_action(steward, action, facts),
        Resource::Talk(talk) => talk_action(steward, action, &talk),
        Resource::Listing(listing) => listing_action(steward, action, &listing),
        Resource::Account(account) => ledger::account_action(steward, action, account),
        Resource::Transfer(transfer) => ledger::transfer_action(steward, action, transfer),
        Resource::Poll(poll) => poll::poll_action(steward, action, &poll),
        // Stewards may correct any entry (moderation); otherwise only its own people.
        Resource::Profile { actor_manages } => {
            allow_if(action == Action::EditProfile && (actor_manages || steward), Denial::Forbidden)
        }
    }
}

fn community_action(steward: bool, action: Action) -> Decision {
    match action {
        Action::ViewCommunity
        | Action::ViewOwnApplication
        | Action::ManageOwnAccount
        | Action::InviteToCommunity
        | Action::ViewMemberList
        | Action::ViewDirectory
        | Action::MakeStatements
        | Action::ListOrganisation
        | Action::ViewApplicants
        | Action::StartConversation
        | Action::UseAccounts => Decision::Allow,
        a if a.is_steward_only() => allow_if(steward, Denial::Forbidden),
        // Space actions asked about the community as a whole make no sense.
        _ => Decision::Deny(Denial::Forbidden),
    }
}

fn space_action(steward: bool, action: Action, facts: &SpaceFacts) -> Decision {
    let Some(this) = facts.this() else {
        return Decision::Deny(Denial::NotFound);
    };
    let knows_it_exists = facts
        .chain
        .iter()
        .all(|level| level.visibility != Visibility::Secret || level.actor_role.is_some() || level.actor_invited);
    if !steward && !knows_it_exists {
        return Decision::Deny(Denial::NotFound);
    }
    let is_member = this.actor_role.is_some();
    let is_coordinator = this.actor_role == Some(Role::Coordinator);
    match action {
        Action::SeeSpace => Decision::Allow,
        Action::ViewSpaceContent => {
            allow_if(steward || is_member || this.visibility == Visibility::Community, Denial::Forbidden)
        }
        Action::JoinSpace => allow_if(
            !is_member && (this.join_policy == JoinPolicy::Open || this.actor_invited || (steward && !facts.is_root())),
            Denial::Forbidden,
        ),
        Action::RequestToJoinSpace => {
            allow_if(!is_member && this.join_policy == JoinPolicy::ByRequest, Denial::Forbidden)
        }
        Action::LeaveSpace => allow_if(is_member && !facts.is_root(), Denial::Forbidden),
        Action::PostListing | Action::StartPoll => allow_if(is_member, Denial::Forbidden),
        a if a.is_coordination() => allow_if(steward || is_coordinator, Denial::Forbidden),
        // Community actions asked about a space make no sense.
        _ => Decision::Deny(Denial::Forbidden),
    }
}

fn talk_action(steward: bool, action: Action, talk: &TalkFacts<'_>) -> Decision {
    // Talk is content: whoever may not see inside the space may do nothing with it (and a
    // secret space stays "not found").
    let view = space_action(steward, Action::ViewSpaceContent, talk.space);
    if !view.is_allowed() || !action.is_talk() {
        return if view.is_allowed() { Decision::Deny(Denial::Forbidden) } else { view };
    }
    if let Some(private) = talk.private {
        return private_action(steward, action, talk, private);
    }
    let Some(this) = talk.space.this() else {
        return Decision::Deny(Denial::NotFound);
    };
    let moderator = steward || this.actor_role == Some(Role::Coordinator);
    let may_write = this.actor_role.is_some() && !talk.actor_muted;
    match action {
        Action::ReadTopic | Action::ReadModerationLog => Decision::Allow,
        Action::StartTopic | Action::React => allow_if(may_write, Denial::Forbidden),
        Action::PostMessage => allow_if(may_write && (!talk.topic_locked || moderator), Denial::Forbidden),
        Action::EditOwnMessage => allow_if(talk.actor_is_author && !talk.actor_muted, Denial::Forbidden),
        Action::ReportMessage => allow_if(!talk.actor_is_author, Denial::Forbidden),
        Action::ModerateTalk => allow_if(moderator, Denial::Forbidden),
        _ => Decision::Deny(Denial::Forbidden),
    }
}

/// Listings are content: whoever may not see inside the space may do nothing with them.
fn listing_action(steward: bool, action: Action, listing: &ListingFacts<'_>) -> Decision {
    let view = space_action(steward, Action::ViewSpaceContent, listing.space);
    if !view.is_allowed() || !action.is_listing() {
        return if view.is_allowed() { Decision::Deny(Denial::Forbidden) } else { view };
    }
    let coordinator = listing.space.this().is_some_and(|l| l.actor_role == Some(Role::Coordinator));
    match action {
        Action::ReadListing => Decision::Allow,
        Action::RespondToListing | Action::ReportListing => allow_if(!listing.actor_posted, Denial::Forbidden),
        Action::ManageListing => allow_if(listing.actor_posted, Denial::Forbidden),
        Action::TakePartInDeal => allow_if(listing.actor_posted || listing.actor_promised, Denial::Forbidden),
        Action::ModerateListings => allow_if(steward || coordinator, Denial::Forbidden),
        _ => Decision::Deny(Denial::Forbidden),
    }
}

/// A private conversation: whoever does not take part is told it is not there — but a steward
/// may decide on a reported message. Mutes in a space do not reach into it.
fn private_action(steward: bool, action: Action, talk: &TalkFacts<'_>, private: PrivateFacts) -> Decision {
    let decides_report = steward && private.reported;
    if !private.participant {
        return allow_if(action == Action::ModerateTalk && decides_report, Denial::NotFound);
    }
    match action {
        Action::ReadTopic | Action::ReadModerationLog | Action::LeaveConversation => Decision::Allow,
        Action::PostMessage | Action::React | Action::AddToConversation => {
            allow_if(!private.shut_out, Denial::Forbidden)
        }
        Action::EditOwnMessage => allow_if(talk.actor_is_author, Denial::Forbidden),
        Action::ReportMessage => allow_if(!talk.actor_is_author, Denial::Forbidden),
        Action::ModerateTalk => allow_if(decides_report, Denial::Forbidden),
        // A conversation has no topics of its own.
        _ => Decision::Deny(Denial::Forbidden),
    }
}

#[cfg(test)]
mod tests;

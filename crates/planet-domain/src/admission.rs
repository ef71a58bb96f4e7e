//! Admission: how a person invited by a member becomes a member.
//!
//! An application is a small state machine. Whether a steward may approve it is decided by an
//! [`AdmissionRule`]; today the rule is "a steward approves", and the vouching rule of Who We
//! Are ("two members who know them in real life have vouched") plugs in as another rule
//! without touching the machine.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How long an invitation link can be used.
pub const INVITATION_LIFETIME: Duration = Duration::days(14);

/// How long an invitation into a group stands (after that, a secret group is hidden again).
pub const SPACE_INVITATION_LIFETIME: Duration = Duration::days(14);

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    Waiting,
    Approved,
    Declined,
    Withdrawn,
}

impl ApplicationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationStatus::Waiting => "waiting",
            ApplicationStatus::Approved => "approved",
            ApplicationStatus::Declined => "declined",
            ApplicationStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "waiting" => Some(ApplicationStatus::Waiting),
            "approved" => Some(ApplicationStatus::Approved),
            "declined" => Some(ApplicationStatus::Declined),
            "withdrawn" => Some(ApplicationStatus::Withdrawn),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ApplicationStatus::Waiting => "Waiting for a steward",
            ApplicationStatus::Approved => "Approved",
            ApplicationStatus::Declined => "Not admitted",
            ApplicationStatus::Withdrawn => "Withdrawn",
        }
    }
}

/// What can happen to an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdmissionEvent {
    Approve,
    Decline,
    Withdraw,
}

/// What is known about an application when a decision is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AdmissionFacts {
    /// Members (other than the applicant) who have vouched for the applicant.
    pub vouches: u32,
}

/// Why an application cannot move.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdmissionError {
    #[error("This application has already been decided ({})", .0.label().to_lowercase())]
    AlreadyDecided(ApplicationStatus),
    #[error("{0}")]
    NotReady(String),
}

impl AdmissionError {
    pub fn code(&self) -> &'static str {
        match self {
            AdmissionError::AlreadyDecided(_) => "application_already_decided",
            AdmissionError::NotReady(_) => "application_not_ready",
        }
    }
}

/// The community's rule for when an application may be approved.
pub trait AdmissionRule {
    fn may_approve(&self, facts: &AdmissionFacts) -> Result<(), AdmissionError>;
}

/// The foundation's rule: a steward's approval is enough.
#[derive(Debug, Clone, Copy, Default)]
pub struct StewardApproval;

impl AdmissionRule for StewardApproval {
    fn may_approve(&self, _facts: &AdmissionFacts) -> Result<(), AdmissionError> {
        Ok(())
    }
}

/// Move an application on, or say why it cannot.
pub fn next_status(
    current: ApplicationStatus,
    event: AdmissionEvent,
    rule: &dyn AdmissionRule,
    facts: &AdmissionFacts,
) -> Result<ApplicationStatus, AdmissionError> {
    if current != ApplicationStatus::Waiting {
        return Err(AdmissionError::AlreadyDecided(current));
    }
    match event {
        AdmissionEvent::Approve => {
            rule.may_approve(facts)?;
            Ok(ApplicationStatus::Approved)
        }
        AdmissionEvent::Decline => Ok(ApplicationStatus::Declined),
        AdmissionEvent::Withdraw => Ok(ApplicationStatus::Withdrawn),
    }
}

/// What an invitation link is good for now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationState {
    Usable,
    Used,
    Expired,
    Revoked,
}

/// The stored facts of an invitation.
#[derive(Debug, Clone, Copy)]
pub struct InvitationFacts {
    pub expires_at: DateTime<Utc>,
    pub used: bool,
    pub revoked: bool,
}

pub fn invitation_state(invitation: InvitationFacts, now: DateTime<Utc>) -> InvitationState {
    if invitation.revoked {
        InvitationState::Revoked
    } else if invitation.used {
        InvitationState::Used
    } else if now >= invitation.expires_at {
        InvitationState::Expired
    } else {
        InvitationState::Usable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NeedsVouches(u32);
    impl AdmissionRule for NeedsVouches {
        fn may_approve(&self, facts: &AdmissionFacts) -> Result<(), AdmissionError> {
            if facts.vouches >= self.0 {
                Ok(())
            } else {
                Err(AdmissionError::NotReady(format!("needs {} vouches", self.0)))
            }
        }
    }

    #[test]
    fn a_waiting_application_moves_once() {
        use AdmissionEvent::*;
        use ApplicationStatus::*;
        let facts = AdmissionFacts::default();
        for (event, expected) in [(Approve, Approved), (Decline, Declined), (Withdraw, Withdrawn)] {
            let status = next_status(Waiting, event, &StewardApproval, &facts).unwrap();
            assert_eq!(status, expected);
            for again in [Approve, Decline, Withdraw] {
                assert_eq!(
                    next_status(status, again, &StewardApproval, &facts),
                    Err(AdmissionError::AlreadyDecided(status))
                );
            }
        }
    }

    #[test]
    fn another_rule_plugs_in() {
        let rule = NeedsVouches(2);
        let one = AdmissionFacts { vouches: 1 };
        let two = AdmissionFacts { vouches: 2 };
        assert_eq!(
            next_status(ApplicationStatus::Waiting, AdmissionEvent::Approve, &rule, &one).unwrap_err().code(),
            "application_not_ready"
        );
        assert_eq!(
            next_status(ApplicationStatus::Waiting, AdmissionEvent::Approve, &rule, &two),
            Ok(ApplicationStatus::Approved)
        );
        // Declining never waits for vouches.
        assert_eq!(
            next_status(ApplicationStatus::Waiting, AdmissionEvent::Decline, &rule, &one),
            Ok(ApplicationStatus::Declined)
        );
    }

    #[test]
    fn invitations_expire_after_fourteen_days() {
        let made = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let facts = InvitationFacts { expires_at: made + INVITATION_LIFETIME, used: false, revoked: false };
        assert_eq!(invitation_state(facts, made), InvitationState::Usable);
        assert_eq!(invitation_state(facts, made + Duration::days(14) - Duration::seconds(1)), InvitationState::Usable);
        assert_eq!(invitation_state(facts, made + Duration::days(14)), InvitationState::Expired);
        assert_eq!(invitation_state(InvitationFacts { used: true, ..facts }, made), InvitationState::Used);
        assert_eq!(
            invitation_state(InvitationFacts { revoked: true, used: true, ..facts }, made),
            InvitationState::Revoked
        );
    }
}

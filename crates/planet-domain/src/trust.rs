//! The trust network's words and rules: what a statement says, who may see it, and which
//! statements make sense. The graph algorithms (trust paths, closeness) are in [`graph`].

pub mod graph;

use crate::profile::ProfileKind;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

string_enum!(
    /// What a member says about someone in the directory.
    StatementKind {
        Vouch => "vouch", "I know them in real life and confirm who they are";
        Trust => "trust", "I trust them to deal fairly";
        Customer => "customer", "I am a regular customer";
    }
);

impl StatementKind {
    /// The short word shown on a step of a trust path.
    pub fn word(self) -> &'static str {
        match self {
            StatementKind::Vouch => "vouch",
            StatementKind::Trust => "trust",
            StatementKind::Customer => "customer",
        }
    }
}

string_enum!(
    /// Who may see a statement.
    TrustVisibility {
        Members => "members", "Any member can see it";
        Paths => "paths", "Used in trust paths, but shown only as \u{201c}someone you trust\u{201d}";
        Private => "private", "Only me";
    }
);

impl TrustVisibility {
    /// Private statements are never used in trust paths or scores, not even the author's own.
    pub fn usable_in_paths(self) -> bool {
        !matches!(self, TrustVisibility::Private)
    }
}

/// How long a statement stands before it must be renewed (24 months).
pub const STATEMENT_LIFETIME: Duration = Duration::days(730);

/// Statements expiring within this time are listed under "near expiry".
pub const RENEWAL_NOTICE: Duration = Duration::days(60);

/// Why a statement cannot be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    #[error("You cannot make a statement about yourself or a business you run.")]
    AboutOneself,
    #[error("Vouching is for people: it says you know them in real life.")]
    VouchForOrganisation,
    #[error("\u{201c}Regular customer\u{201d} is for businesses and organisations.")]
    CustomerOfPerson,
}

impl StatementError {
    pub fn code(self) -> &'static str {
        match self {
            StatementError::AboutOneself => "statement_about_oneself",
            StatementError::VouchForOrganisation => "vouch_for_organisation",
            StatementError::CustomerOfPerson => "customer_of_person",
        }
    }
}

/// Whether a statement of `kind` about an entry of `subject_kind` makes sense. `about_oneself`
/// is true when the subject is the author's own profile or a business they manage.
pub fn check_statement(
    kind: StatementKind,
    subject_kind: ProfileKind,
    about_oneself: bool,
) -> Result<(), StatementError> {
    if about_oneself {
        return Err(StatementError::AboutOneself);
    }
    match (kind, subject_kind.is_organisation()) {
        (StatementKind::Vouch, true) => Err(StatementError::VouchForOrganisation),
        (StatementKind::Customer, false) => Err(StatementError::CustomerOfPerson),
        _ => Ok(()),
    }
}

/// Where a statement stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementState {
    Active,
    NearExpiry,
    Expired,
    Revoked,
}

pub fn statement_state(expires_at: DateTime<Utc>, revoked: bool, now: DateTime<Utc>) -> StatementState {
    if revoked {
        StatementState::Revoked
    } else if now >= expires_at {
        StatementState::Expired
    } else if expires_at - now <= RENEWAL_NOTICE {
        StatementState::NearExpiry
    } else {
        StatementState::Active
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_that_make_sense() {
        use ProfileKind::*;
        use StatementKind::*;
        assert_eq!(check_statement(Trust, Person, true), Err(StatementError::AboutOneself));
        assert_eq!(check_statement(Vouch, Business, false), Err(StatementError::VouchForOrganisation));
        assert_eq!(check_statement(Customer, Person, false), Err(StatementError::CustomerOfPerson));
        assert_eq!(check_statement(Vouch, Person, false), Ok(()));
        assert_eq!(check_statement(Trust, Organisation, false), Ok(()));
        assert_eq!(check_statement(Customer, Business, false), Ok(()));
    }

    #[test]
    fn statements_expire_and_warn_first() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let made = now;
        let expires = made + STATEMENT_LIFETIME;
        assert_eq!(statement_state(expires, false, now), StatementState::Active);
        assert_eq!(statement_state(expires, false, expires - Duration::days(59)), StatementState::NearExpiry);
        assert_eq!(statement_state(expires, false, expires), StatementState::Expired);
        assert_eq!(statement_state(expires, true, now), StatementState::Revoked);
    }
}

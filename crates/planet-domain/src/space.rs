//! The words of recursive spaces: visibility, join policy and roles.

use serde::{Deserialize, Serialize};

string_enum!(
    /// Who may see that a space exists and what happens in it.
    Visibility {
        Community => "community", "Everyone in the community can see it";
        Members => "members", "Only its members can see what happens in it";
        Secret => "secret", "Secret: only its members know it exists";
    }
);

string_enum!(
    /// How a member becomes a member of a space.
    JoinPolicy {
        Open => "open", "Anyone can join";
        ByRequest => "by_request", "Ask to join; a coordinator says yes";
        ByInvitation => "by_invitation", "By invitation from a coordinator";
    }
);

string_enum!(
    /// A member's role in one space.
    Role {
        Member => "member", "member";
        Coordinator => "coordinator", "coordinator";
    }
);

string_enum!(
    /// Where an account stands in the community.
    AccountStatus {
        Applicant => "applicant", "waiting for approval";
        Member => "member", "member";
        Suspended => "suspended", "suspended";
        Declined => "declined", "not admitted";
        Removed => "removed", "removed (not a real person, or a second account)";
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_round_trips() {
        for v in Visibility::ALL {
            assert_eq!(Visibility::parse(v.as_str()), Some(*v));
        }
        for p in JoinPolicy::ALL {
            assert_eq!(JoinPolicy::parse(p.as_str()), Some(*p));
        }
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(*r));
        }
        for s in AccountStatus::ALL {
            assert_eq!(AccountStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(Visibility::parse("public"), None);
    }
}

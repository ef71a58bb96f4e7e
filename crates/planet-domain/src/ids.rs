//! Identifiers: UUIDv7 in newtypes, so a member id can never be passed where a space id is meant.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new time-ordered id.
            pub fn new_v7() -> Self {
                Self(Uuid::now_v7())
            }
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }
            pub const fn uuid(self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }
    };
}

id_type!(
    /// A person's account, from application onwards.
    MemberId
);
id_type!(
    /// A space: the community (the root) or a group nested inside it.
    SpaceId
);
id_type!(
    /// An invitation link to join the community.
    InvitationId
);
id_type!(
    /// An application to join the community.
    ApplicationId
);
id_type!(
    /// A personal access token for the JSON API.
    TokenId
);

id_type!(
    /// An entry in the directory: a person, a business or an organisation.
    ProfileId
);
id_type!(
    /// A trust statement: a vouch, trust, or "regular customer".
    StatementId
);
id_type!(
    /// A badge stewards or coordinators award for contributions.
    BadgeId
);
id_type!(
    /// One of the community's values (local food, repair and reuse, …).
    ValueId
);
id_type!(
    /// A topic of conversation in a space.
    TopicId
);
id_type!(
    /// A message in a topic.
    MessageId
);
id_type!(
    /// A member's report of a message to the moderators.
    ReportId
);
id_type!(
    /// Something a member is told about (a mention, a reply, news in what they follow).
    NotificationId
);
id_type!(
    /// An offer or a want in Synergy.
    ListingId
);
id_type!(
    /// One of the categories stewards keep for listings (Food, Transport, …).
    CategoryId
);
id_type!(
    /// A promise of a listing to one member, and how it ended.
    DealId
);
id_type!(
    /// A currency of the community's ledger (Diss Hours, Planet Pounds, …).
    CurrencyId
);
id_type!(
    /// An account in one currency: a member's, a business's, a group's, the fund's.
    AccountId
);
id_type!(
    /// A poll or proposal in a space.
    PollId
);
id_type!(
    /// A transfer between accounts; chosen by the client, so a repeated request is recognised.
    TransferId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text() {
        let id = MemberId::new_v7();
        let parsed: MemberId = id.to_string().parse().unwrap();
        assert_eq!(id, parsed);
        assert_eq!(parsed.uuid().get_version_num(), 7);
    }

    #[test]
    fn garbage_is_not_an_id() {
        assert!("not-an-id".parse::<SpaceId>().is_err());
    }
}

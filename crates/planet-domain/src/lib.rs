//! Pure rules of PlaNet.
//!
//! Architecture invariant: this crate does no IO, has no async, and knows nothing of axum,
//! SeaORM or HTTP. Everything here is a value or a function of values, so it can be
//! property-tested.

/// A closed set of words stored as text: `as_str` for storage and the API, `label` for people.
macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal, $label:literal;)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stored and API form.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            /// Plain words for people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

pub mod admission;
pub mod clock;
pub mod ids;
pub mod ledger;
pub mod notification;
pub mod policy;
pub mod poll;
pub mod profile;
pub mod space;
pub mod synergy;
pub mod talk;
pub mod text;
pub mod trust;

pub use clock::{Clock, FixedClock, SystemClock};
pub use ids::{
    AccountId, ApplicationId, BadgeId, CategoryId, CurrencyId, DealId, InvitationId, ListingId, MemberId, MessageId,
    NotificationId, PollId, ProfileId, ReportId, SpaceId, StatementId, TokenId, TopicId, TransferId, ValueId,
};

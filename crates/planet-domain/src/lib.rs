//! Pure rules of PlaNet.
//!
//! Architecture invariant: this crate does no IO, has no async, and knows nothing of axum,
//! SeaORM or HTTP. Everything here is a value or a function of values, so it can be
//! property-tested.

pub mod admission;
pub mod clock;
pub mod ids;
pub mod policy;
pub mod space;
pub mod text;

pub use clock::{Clock, FixedClock, SystemClock};
pub use ids::{ApplicationId, InvitationId, MemberId, SpaceId, TokenId};

//! SeaORM entities, one file a table. Columns hold plain values; the typed forms
//! (ids, enums) are made in `queries`.

pub mod api_token;
pub mod application;
pub mod audit_entry;
pub mod community;
pub mod invitation;
pub mod join_request;
pub mod member;
pub mod outbox_message;
pub mod password_reset;
pub mod session;
pub mod space;
pub mod space_invitation;
pub mod space_member;

//! SeaORM entities, one file a table. Columns hold plain values; the typed forms
//! (ids, enums) are made in `queries`.

pub mod admission_rule;
pub mod admission_vouch;
pub mod api_token;
pub mod application;
pub mod audit_entry;
pub mod badge;
pub mod badge_award;
pub mod community;
pub mod community_value;
pub mod invitation;
pub mod join_request;
pub mod member;
pub mod outbox_message;
pub mod password_reset;
pub mod photo;
pub mod profile;
pub mod profile_manager;
pub mod profile_tag;
pub mod profile_value;
pub mod session;
pub mod space;
pub mod space_invitation;
pub mod space_member;
pub mod trust_statement;
pub mod vouching_ban;

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
pub mod message;
pub mod message_edit;
pub mod message_report;
pub mod moderation_entry;
pub mod outbox_message;
pub mod password_reset;
pub mod photo;
pub mod profile;
pub mod profile_manager;
pub mod profile_tag;
pub mod profile_value;
pub mod reaction;
pub mod session;
pub mod space;
pub mod space_invitation;
pub mod space_member;
pub mod talk_restriction;
pub mod talk_setting;
pub mod topic;
pub mod topic_read;
pub mod trust_statement;
pub mod vouching_ban;

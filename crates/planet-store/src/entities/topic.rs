//! The `topics` table: a topic of conversation in a space.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "topics")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub space_id: Uuid,
    pub title: String,
    pub author_id: Uuid,
    pub created_at: DateTimeUtc,
    pub last_message_at: DateTimeUtc,
    pub last_number: i32,
    pub pinned: bool,
    pub locked: bool,
    /// A private conversation: seen only by the members taking part.
    pub private: bool,
    /// Counted up by every change to its messages or their reactions.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

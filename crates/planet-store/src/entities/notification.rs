//! The `notifications` table: something a member is told about.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub kind: String,
    pub topic_id: Option<Uuid>,
    pub message_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub count: i32,
    pub created_at: DateTimeUtc,
    pub read_at: Option<DateTimeUtc>,
    pub emailed_at: Option<DateTimeUtc>,
    pub listing_id: Option<Uuid>,
    pub transfer_id: Option<Uuid>,
    pub poll_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

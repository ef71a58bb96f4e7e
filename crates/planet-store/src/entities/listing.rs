//! The `listings` table: an offer or a want.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "listings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub space_id: Uuid,
    pub profile_id: Uuid,
    pub member_id: Uuid,
    pub side: String,
    pub kind: String,
    pub category_id: Uuid,
    pub title: String,
    pub body: String,
    pub body_html: String,
    pub tags: String,
    pub area: String,
    pub available: String,
    pub quantity: i32,
    pub price_pence: Option<i64>,
    pub price_credits: Option<i64>,
    pub status: String,
    pub live: bool,
    pub promised_to: Option<Uuid>,
    pub expires_at: DateTimeUtc,
    pub reminded_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub hidden_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

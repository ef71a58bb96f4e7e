//! The `deals` table: a listing promised to one member, and how it ended.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub listing_id: Uuid,
    pub poster_id: Uuid,
    pub other_id: Uuid,
    pub side: String,
    pub title: String,
    pub price_pence: Option<i64>,
    pub price_credits: Option<i64>,
    pub state: String,
    pub promised_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
    pub closed_by: Option<Uuid>,
    pub chased_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! The `transfers` table: a payment, request, correction or reversal, and where it stands.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "transfers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    pub state: String,
    pub currency_id: Uuid,
    pub payer_id: Uuid,
    pub payee_id: Uuid,
    pub amount: i64,
    pub description: String,
    pub listing_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub reversal_of: Option<Uuid>,
    pub started_by: Uuid,
    pub request_hash: String,
    pub created_at: DateTimeUtc,
    pub expires_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
    pub finished_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

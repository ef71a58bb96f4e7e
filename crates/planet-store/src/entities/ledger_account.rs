//! The `ledger_accounts` table: an account in one currency, its balance and what pending transfers hold.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub currency_id: Uuid,
    pub kind: String,
    pub owner_id: Uuid,
    pub balance: i64,
    pub pending_out: i64,
    pub pending_in: i64,
    pub own_limits: bool,
    pub floor: Option<i64>,
    pub ceiling: Option<i64>,
    pub confirm_incoming: bool,
    pub postings: i64,
    pub created_at: DateTimeUtc,
    pub statement_to: Option<Uuid>,
    pub statement_sent_for: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

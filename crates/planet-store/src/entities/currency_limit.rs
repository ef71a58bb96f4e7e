//! The `currency_limits` table: each kind of account's floor and ceiling in a currency.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "currency_limits")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub currency_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    pub floor: Option<i64>,
    pub ceiling: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

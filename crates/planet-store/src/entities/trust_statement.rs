//! The `trust_statements` table: a vouch, trust or "regular customer" statement.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trust_statements")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub author_id: Uuid,
    pub subject_id: Uuid,
    pub kind: String,
    pub visibility: String,
    pub note: String,
    pub met_in_person: bool,
    pub made_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub renewed_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

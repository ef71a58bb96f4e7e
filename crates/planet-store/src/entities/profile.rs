//! The `profiles` table: a directory entry: a person, a business or an organisation.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "profiles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    #[sea_orm(unique)]
    pub member_id: Option<Uuid>,
    pub name: String,
    pub tagline: String,
    pub description: String,
    pub offers: String,
    pub needs: String,
    pub area: String,
    pub website: Option<String>,
    pub phone: Option<String>,
    pub contact_email: Option<String>,
    pub contact_visibility: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(unique)]
    pub search_key: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

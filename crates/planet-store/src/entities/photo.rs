//! The `photos` table: a directory entry's photo or logo, re-encoded, with its thumbnail.
//! Kept in the database so that a backup holds everything.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "photos")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub profile_id: Uuid,
    pub full_jpeg: Vec<u8>,
    pub thumb_jpeg: Vec<u8>,
    pub width: i32,
    pub height: i32,
    pub uploaded_by: Uuid,
    pub uploaded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

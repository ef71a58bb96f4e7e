//! Pictures in messages: uploaded with a message, re-encoded (nothing of the original file is
//! kept), and kept in the database so that a backup holds everything.

use super::columns::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                table("message_images")
                    .col(id_pk())
                    .col(id("message_id"))
                    .col(ColumnDef::new(Alias::new("jpeg")).binary().not_null())
                    .col(int("width"))
                    .col(int("height"))
                    .col(time("created_at"))
                    .foreign_key(&mut fk("message_images", "message_id", "messages", true))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("message_images", &["message_id"], false)).await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("PlaNet migrations only go forward; restore a backup instead".to_owned()))
    }
}

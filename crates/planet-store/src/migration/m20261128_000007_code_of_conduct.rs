//! The code of conduct, as stewards write it (every version kept), and who accepted which
//! version (at admission). Version 0 is the text PlaNet starts with, kept in the server.

use super::columns::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                table("conduct_versions")
                    .col(ColumnDef::new(Alias::new("version")).integer().not_null().primary_key())
                    // Markdown.
                    .col(text("body"))
                    .col(id("written_by"))
                    .col(time("created_at"))
                    .foreign_key(&mut fk("conduct_versions", "written_by", "members", false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("conduct_acceptances")
                    .col(id("member_id"))
                    .col(int("version"))
                    .col(time("accepted_at"))
                    .primary_key(&mut primary(&["member_id", "version"]))
                    .foreign_key(&mut fk("conduct_acceptances", "member_id", "members", true))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("PlaNet migrations only go forward; restore a backup instead".to_owned()))
    }
}

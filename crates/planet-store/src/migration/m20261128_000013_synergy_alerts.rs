//! Synergy's alerts: saved searches (a member is told of new listings that answer one), each
//! member's secret feed link (stored only as its hash), and when a stale promise was chased up.

use super::columns::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                table("saved_searches")
                    .col(id_pk())
                    .col(id("member_id"))
                    // The search as its query string (side, kind, category, area, space, q).
                    .col(text("query"))
                    .col(time("created_at"))
                    .foreign_key(&mut fk("saved_searches", "member_id", "members", true))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("saved_searches", &["member_id", "query"], true)).await?;
        manager
            .create_table(
                table("feed_tokens")
                    .col(ColumnDef::new(Alias::new("member_id")).uuid().not_null().primary_key())
                    .col(text("token_hash"))
                    .col(time("created_at"))
                    .foreign_key(&mut fk("feed_tokens", "member_id", "members", true))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("feed_tokens", &["token_hash"], true)).await?;
        manager
            .alter_table(Table::alter().table(Alias::new("deals")).add_column(time_null("chased_at")).to_owned())
            .await?;
        manager.create_index(index("deals", &["state", "promised_at"], false)).await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("PlaNet migrations only go forward; restore a backup instead".to_owned()))
    }
}

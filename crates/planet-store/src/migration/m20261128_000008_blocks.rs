//! Members blocking other members: their messages are folded away, and they cannot make the
//! blocker hear of anything.

use super::columns::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                table("member_blocks")
                    .col(id("member_id"))
                    .col(id("blocked_id"))
                    .col(time("created_at"))
                    .primary_key(&mut primary(&["member_id", "blocked_id"]))
                    .foreign_key(&mut fk("member_blocks", "member_id", "members", true))
                    .foreign_key(&mut fk("member_blocks", "blocked_id", "members", true))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("member_blocks", &["blocked_id"], false)).await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("PlaNet migrations only go forward; restore a backup instead".to_owned()))
    }
}

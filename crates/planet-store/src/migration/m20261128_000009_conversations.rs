//! Private conversations: topics outside every group's listing, seen only by the members taking
//! part (not even by stewards, who see a reported message and nothing else).

use super::columns::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Alias::new("topics")).add_column(boolean("private")).to_owned())
            .await?;
        manager
            .create_table(
                table("conversation_members")
                    .col(id("topic_id"))
                    .col(id("member_id"))
                    .col(id("added_by"))
                    .col(time("joined_at"))
                    // Set when they leave; a member added again takes part again.
                    .col(time_null("left_at"))
                    .primary_key(&mut primary(&["topic_id", "member_id"]))
                    .foreign_key(&mut fk("conversation_members", "topic_id", "topics", true))
                    .foreign_key(&mut fk("conversation_members", "member_id", "members", true))
                    .foreign_key(&mut fk("conversation_members", "added_by", "members", false))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("conversation_members", &["member_id", "topic_id"], false)).await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("PlaNet migrations only go forward; restore a backup instead".to_owned()))
    }
}

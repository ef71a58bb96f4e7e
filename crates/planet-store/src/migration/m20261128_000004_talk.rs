//! Talk: topics and messages in spaces, edits kept for moderators, reactions, what each member
//! has read, reports, the moderation log, limits on members, and each space's settings.

use super::columns::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                table("topics")
                    .col(id_pk())
                    .col(id("space_id"))
                    .col(text("title"))
                    .col(id("author_id"))
                    .col(time("created_at"))
                    .col(time("last_message_at"))
                    // The number of the topic's last message (messages are numbered 1, 2, 3…).
                    .col(int("last_number"))
                    .col(boolean("pinned"))
                    .col(boolean("locked"))
                    .foreign_key(&mut fk("topics", "space_id", "spaces", true))
                    .foreign_key(&mut fk("topics", "author_id", "members", false))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("topics", &["space_id", "pinned", "last_message_at"], false)).await?;
        manager
            .create_table(
                table("messages")
                    .col(id_pk())
                    .col(id("topic_id"))
                    .col(int("number"))
                    .col(id("author_id"))
                    .col(text("body"))
                    // The body rendered and sanitised once, when written (pages show it as is).
                    .col(text("html"))
                    .col(ColumnDef::new(Alias::new("reply_to")).integer().null())
                    .col(time("created_at"))
                    .col(time_null("edited_at"))
                    .col(time_null("deleted_at"))
                    .col(time_null("hidden_at"))
                    .col(boolean("pending"))
                    .foreign_key(&mut fk("messages", "topic_id", "topics", true))
                    .foreign_key(&mut fk("messages", "author_id", "members", false))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("messages", &["topic_id", "number"], true)).await?;
        manager.create_index(index("messages", &["author_id", "created_at"], false)).await?;
        manager
            .create_table(
                table("message_edits")
                    .col(id_pk())
                    .col(id("message_id"))
                    // The text as it was before this edit.
                    .col(text("body"))
                    .col(time("edited_at"))
                    .foreign_key(&mut fk("message_edits", "message_id", "messages", true))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("message_edits", &["message_id"], false)).await?;
        manager
            .create_table(
                table("reactions")
                    .col(id("message_id"))
                    .col(id("member_id"))
                    .col(text("reaction"))
                    .col(time("created_at"))
                    .primary_key(&mut primary(&["message_id", "member_id", "reaction"]))
                    .foreign_key(&mut fk("reactions", "message_id", "messages", true))
                    .foreign_key(&mut fk("reactions", "member_id", "members", true))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("topic_reads")
                    .col(id("member_id"))
                    .col(id("topic_id"))
                    .col(int("last_read"))
                    .col(text("level"))
                    .primary_key(&mut primary(&["member_id", "topic_id"]))
                    .foreign_key(&mut fk("topic_reads", "member_id", "members", true))
                    .foreign_key(&mut fk("topic_reads", "topic_id", "topics", true))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("topic_reads", &["topic_id"], false)).await?;
        manager
            .create_table(
                table("message_reports")
                    .col(id_pk())
                    .col(id("message_id"))
                    .col(id("reporter_id"))
                    .col(text("reason"))
                    .col(time("created_at"))
                    .col(time_null("resolved_at"))
                    .foreign_key(&mut fk("message_reports", "message_id", "messages", true))
                    .foreign_key(&mut fk("message_reports", "reporter_id", "members", true))
                    .to_owned(),
            )
            .await?;
        // One report a member and message: reports count distinct members.
        manager.create_index(index("message_reports", &["message_id", "reporter_id"], true)).await?;
        manager
            .create_table(
                table("moderation_log")
                    .col(id_pk())
                    .col(id("space_id"))
                    .col(text("kind"))
                    // None when the community's rules acted (reports reached the threshold).
                    .col(id_null("moderator_id"))
                    .col(id_null("member_id"))
                    .col(id_null("topic_id"))
                    .col(id_null("message_id"))
                    // Seen by moderators only (a warning's words, a reason).
                    .col(text("note"))
                    .col(time("created_at"))
                    .foreign_key(&mut fk("moderation_log", "space_id", "spaces", true))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("moderation_log", &["space_id", "created_at"], false)).await?;
        manager
            .create_table(
                table("talk_restrictions")
                    .col(id("space_id"))
                    .col(id("member_id"))
                    .col(text("kind"))
                    .col(time_null("until"))
                    .col(id("created_by"))
                    .col(time("created_at"))
                    .primary_key(&mut primary(&["space_id", "member_id", "kind"]))
                    .foreign_key(&mut fk("talk_restrictions", "space_id", "spaces", true))
                    .foreign_key(&mut fk("talk_restrictions", "member_id", "members", true))
                    .foreign_key(&mut fk("talk_restrictions", "created_by", "members", false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("talk_settings")
                    .col(ColumnDef::new(Alias::new("space_id")).uuid().not_null().primary_key())
                    .col(int("report_threshold"))
                    .col(int("first_messages_to_approve"))
                    .foreign_key(&mut fk("talk_settings", "space_id", "spaces", true))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("PlaNet migrations only go forward; restore a backup instead".to_owned()))
    }
}

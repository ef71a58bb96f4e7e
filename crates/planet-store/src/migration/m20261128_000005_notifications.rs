//! Notifications: what each member is told about (mentions, replies, news in what they follow),
//! which groups they follow or have muted, and how often they want email.
//! (Following or muting a topic is `topic_reads.level`.)

use super::columns::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                table("notifications")
                    .col(id_pk())
                    .col(id("member_id"))
                    .col(text("kind"))
                    .col(id_null("topic_id"))
                    // The latest message it is about.
                    .col(id_null("message_id"))
                    .col(id_null("actor_id"))
                    // How many messages it stands for (news in a followed topic is gathered into
                    // one notification until it is read).
                    .col(int("count"))
                    .col(time("created_at"))
                    .col(time_null("read_at"))
                    .col(time_null("emailed_at"))
                    .foreign_key(&mut fk("notifications", "member_id", "members", true))
                    .foreign_key(&mut fk("notifications", "topic_id", "topics", true))
                    .foreign_key(&mut fk("notifications", "message_id", "messages", true))
                    .foreign_key(&mut fk("notifications", "actor_id", "members", false))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("notifications", &["member_id", "read_at", "created_at"], false)).await?;
        manager.create_index(index("notifications", &["topic_id", "member_id"], false)).await?;
        manager
            .create_table(
                table("space_follows")
                    .col(id("member_id"))
                    .col(id("space_id"))
                    .col(text("level"))
                    .primary_key(&mut primary(&["member_id", "space_id"]))
                    .foreign_key(&mut fk("space_follows", "member_id", "members", true))
                    .foreign_key(&mut fk("space_follows", "space_id", "spaces", true))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("space_follows", &["space_id", "level"], false)).await?;
        manager
            .create_table(
                table("notification_settings")
                    .col(ColumnDef::new(Alias::new("member_id")).uuid().not_null().primary_key())
                    .col(text("email"))
                    // When the last daily email went out.
                    .col(time_null("digest_at"))
                    .foreign_key(&mut fk("notification_settings", "member_id", "members", true))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("PlaNet migrations only go forward; restore a backup instead".to_owned()))
    }
}

//! Commons: polls and proposals. A poll's roll (who may vote, fixed when it opens, and whether
//! each has voted) is kept apart from its ballots: a secret ballot carries neither its voter nor
//! when it was cast, and its id is random, so nothing stored links a voter to a choice. One
//! roll row per voter and one named ballot per voter are database constraints, so of two votes
//! sent at once exactly one counts.

use super::columns::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                table("polls")
                    .col(id_pk())
                    .col(id("space_id"))
                    // The topic it sits in; its outcome is posted there.
                    .col(id_null("topic_id"))
                    .col(id("author_id"))
                    .col(text("kind"))
                    .col(text("title"))
                    // Markdown as written, and its sanitised HTML.
                    .col(text("details"))
                    .col(text("details_html"))
                    .col(text("seen_by"))
                    .col(text("voted_by"))
                    .col(boolean("late_voters"))
                    .col(boolean("secret"))
                    .col(text("results"))
                    .col(int("min_picks"))
                    .col(int("max_picks"))
                    .col(int("max_score"))
                    .col(int("dots"))
                    .col(text("method"))
                    .col(int("seats"))
                    .col(int("quorum_percent"))
                    .col(text("pass_rule"))
                    .col(boolean("block_stops"))
                    .col(time("opened_at"))
                    .col(time("closes_at"))
                    .col(time_null("closed_at"))
                    .col(time_null("reminded_at"))
                    // Posted into the topic once, when it first closes.
                    .col(time_null("announced_at"))
                    .col(text_null("outcome"))
                    .col(text_null("outcome_html"))
                    .col(id_null("outcome_by"))
                    .col(time_null("outcome_at"))
                    .foreign_key(&mut fk("polls", "space_id", "spaces", false))
                    .foreign_key(&mut fk("polls", "topic_id", "topics", false))
                    .foreign_key(&mut fk("polls", "author_id", "members", false))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("polls", &["space_id", "closes_at"], false)).await?;
        manager.create_index(index("polls", &["closed_at", "closes_at"], false)).await?;
        manager.create_index(index("polls", &["topic_id"], false)).await?;
        manager
            .create_table(
                table("poll_options")
                    .col(id("poll_id"))
                    .col(int("position"))
                    .col(text("label"))
                    // Meeting polls: the time this option stands for.
                    .col(time_null("starts_at"))
                    .col(int("minutes"))
                    .primary_key(&mut primary(&["poll_id", "position"]))
                    .foreign_key(&mut fk("poll_options", "poll_id", "polls", true))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("poll_roll")
                    .col(id("poll_id"))
                    .col(id("member_id"))
                    .col(boolean("voted"))
                    .primary_key(&mut primary(&["poll_id", "member_id"]))
                    .foreign_key(&mut fk("poll_roll", "poll_id", "polls", true))
                    .foreign_key(&mut fk("poll_roll", "member_id", "members", false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("poll_ballots")
                    // Random (not time-ordered) ids: the order of secret ballots says nothing.
                    .col(id_pk())
                    .col(id("poll_id"))
                    // Empty for a secret ballot.
                    .col(id_null("member_id"))
                    .col(text_null("reason"))
                    .col(time_null("cast_at"))
                    .foreign_key(&mut fk("poll_ballots", "poll_id", "polls", true))
                    .foreign_key(&mut fk("poll_ballots", "member_id", "members", false))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("poll_ballots", &["poll_id", "member_id"], true)).await?;
        manager
            .create_table(
                table("poll_marks")
                    .col(id("ballot_id"))
                    .col(int("position"))
                    .col(int("value"))
                    .primary_key(&mut primary(&["ballot_id", "position"]))
                    .foreign_key(&mut fk("poll_marks", "ballot_id", "poll_ballots", true))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(Table::alter().table(Alias::new("notifications")).add_column(id_null("poll_id")).to_owned())
            .await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("PlaNet migrations only go forward; restore a backup instead".to_owned()))
    }
}

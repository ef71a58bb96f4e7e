//! Synergy: offers and wants (listings) with their photos and words, the categories stewards
//! keep, who responded, deals (each promise of a listing to one member, and how it ended),
//! feedback after a deal, reports of listings, and notifications about listings.

use super::columns::*;
use sea_orm_migration::prelude::*;
use uuid::Uuid;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The categories a new community starts with; stewards change them.
const CATEGORIES: [&str; 8] =
    ["Food", "Transport", "Energy", "Home and garden", "Care", "Skills and services", "Things", "Other"];

fn money(name: &'static str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).big_integer().null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                table("listing_categories")
                    .col(id_pk())
                    .col(text("name"))
                    .col(int("position"))
                    .col(boolean("retired"))
                    .col(time("created_at"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("listing_categories", &["name"], true)).await?;
        // The seeded categories are dated with the migration (no clock reaches a migration).
        let now = chrono::DateTime::from_timestamp(1_795_824_000, 0)
            .ok_or_else(|| DbErr::Migration("the categories' date".to_owned()))?;
        for (position, name) in CATEGORIES.iter().enumerate() {
            let insert = Query::insert()
                .into_table(Alias::new("listing_categories"))
                .columns([
                    Alias::new("id"),
                    Alias::new("name"),
                    Alias::new("position"),
                    Alias::new("retired"),
                    Alias::new("created_at"),
                ])
                .values([Uuid::now_v7().into(), (*name).into(), (position as i32).into(), false.into(), now.into()])
                .map_err(|e| DbErr::Migration(e.to_string()))?
                .to_owned();
            manager.exec_stmt(insert).await?;
        }
        manager
            .create_table(
                table("listings")
                    .col(id_pk())
                    .col(id("space_id"))
                    .col(id("profile_id"))
                    .col(id("member_id"))
                    .col(text("side"))
                    .col(text("kind"))
                    .col(id("category_id"))
                    .col(text("title"))
                    .col(text("body"))
                    .col(text("body_html"))
                    .col(text("tags"))
                    .col(text("area"))
                    .col(text("available"))
                    .col(int("quantity"))
                    .col(money("price_pence"))
                    .col(money("price_credits"))
                    .col(text("status"))
                    // Open or promised: what browsing shows (kept with the status, for the index).
                    .col(boolean("live"))
                    .col(id_null("promised_to"))
                    .col(time("expires_at"))
                    .col(time_null("reminded_at"))
                    .col(time("created_at"))
                    .col(time("updated_at"))
                    .col(time_null("hidden_at"))
                    .foreign_key(&mut fk("listings", "space_id", "spaces", false))
                    .foreign_key(&mut fk("listings", "profile_id", "profiles", false))
                    .foreign_key(&mut fk("listings", "member_id", "members", false))
                    .foreign_key(&mut fk("listings", "category_id", "listing_categories", false))
                    .foreign_key(&mut fk("listings", "promised_to", "members", false))
                    .to_owned(),
            )
            .await?;
        // Browsing walks the live listings newest first, by itself or within a side or category.
        manager.create_index(index("listings", &["live", "created_at"], false)).await?;
        manager.create_index(index("listings", &["live", "side", "created_at"], false)).await?;
        manager.create_index(index("listings", &["live", "category_id", "created_at"], false)).await?;
        manager.create_index(index("listings", &["member_id", "created_at"], false)).await?;
        manager.create_index(index("listings", &["profile_id", "created_at"], false)).await?;
        manager.create_index(index("listings", &["status", "expires_at"], false)).await?;
        manager
            .create_table(
                table("listing_photos")
                    .col(id_pk())
                    .col(id("listing_id"))
                    .col(int("position"))
                    .col(ColumnDef::new(Alias::new("jpeg")).binary().not_null())
                    .col(ColumnDef::new(Alias::new("thumb")).binary().not_null())
                    .col(int("width"))
                    .col(int("height"))
                    .col(time("created_at"))
                    .foreign_key(&mut fk("listing_photos", "listing_id", "listings", true))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("listing_photos", &["listing_id", "position"], false)).await?;
        manager
            .create_table(
                table("listing_words")
                    .col(text("word"))
                    .col(id("listing_id"))
                    // A word of the title or tags (matching uses these; search uses all).
                    .col(boolean("keyword"))
                    .primary_key(&mut primary(&["word", "listing_id"]))
                    .foreign_key(&mut fk("listing_words", "listing_id", "listings", true))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("listing_words", &["listing_id"], false)).await?;
        manager
            .create_table(
                table("listing_interests")
                    .col(id("listing_id"))
                    .col(id("member_id"))
                    .col(id("topic_id"))
                    .col(time("created_at"))
                    .primary_key(&mut primary(&["listing_id", "member_id"]))
                    .foreign_key(&mut fk("listing_interests", "listing_id", "listings", true))
                    .foreign_key(&mut fk("listing_interests", "member_id", "members", true))
                    .foreign_key(&mut fk("listing_interests", "topic_id", "topics", true))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("deals")
                    .col(id_pk())
                    .col(id("listing_id"))
                    .col(id("poster_id"))
                    .col(id("other_id"))
                    .col(text("side"))
                    .col(text("title"))
                    .col(money("price_pence"))
                    .col(money("price_credits"))
                    .col(text("state"))
                    .col(time("promised_at"))
                    .col(time_null("closed_at"))
                    .col(id_null("closed_by"))
                    .foreign_key(&mut fk("deals", "listing_id", "listings", false))
                    .foreign_key(&mut fk("deals", "poster_id", "members", false))
                    .foreign_key(&mut fk("deals", "other_id", "members", false))
                    .foreign_key(&mut fk("deals", "closed_by", "members", false))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("deals", &["listing_id"], false)).await?;
        manager.create_index(index("deals", &["poster_id", "promised_at"], false)).await?;
        manager.create_index(index("deals", &["other_id", "promised_at"], false)).await?;
        manager
            .create_table(
                table("deal_feedback")
                    .col(id("deal_id"))
                    .col(id("author_id"))
                    .col(id("subject_id"))
                    .col(text("rating"))
                    .col(text("comment"))
                    .col(time("created_at"))
                    .primary_key(&mut primary(&["deal_id", "author_id"]))
                    .foreign_key(&mut fk("deal_feedback", "deal_id", "deals", true))
                    .foreign_key(&mut fk("deal_feedback", "author_id", "members", false))
                    .foreign_key(&mut fk("deal_feedback", "subject_id", "members", false))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("deal_feedback", &["subject_id", "created_at"], false)).await?;
        manager
            .create_table(
                table("listing_reports")
                    .col(id_pk())
                    .col(id("listing_id"))
                    .col(id("reporter_id"))
                    .col(text("reason"))
                    .col(time("created_at"))
                    .col(time_null("resolved_at"))
                    .col(id_null("resolved_by"))
                    .foreign_key(&mut fk("listing_reports", "listing_id", "listings", true))
                    .foreign_key(&mut fk("listing_reports", "reporter_id", "members", true))
                    .foreign_key(&mut fk("listing_reports", "resolved_by", "members", false))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("listing_reports", &["listing_id", "reporter_id"], true)).await?;
        manager
            .alter_table(Table::alter().table(Alias::new("notifications")).add_column(id_null("listing_id")).to_owned())
            .await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("PlaNet migrations only go forward; restore a backup instead".to_owned()))
    }
}

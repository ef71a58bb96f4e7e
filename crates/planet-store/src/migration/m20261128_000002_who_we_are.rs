//! Who We Are: directory entries (people, businesses, organisations), the community's values,
//! skills, badges, trust statements, and admission by vouching.

use super::columns::*;
use crate::dialect::{self, FullTextSearch};
use sea_orm::Statement;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                table("profiles")
                    .col(id_pk())
                    .col(text("kind"))
                    // A person's entry has the id of their account; businesses have none.
                    .col(id_null("member_id").unique_key())
                    .col(text("name"))
                    .col(text("tagline"))
                    .col(text("description"))
                    .col(text("offers"))
                    .col(text("needs"))
                    .col(text("area"))
                    .col(text_null("website"))
                    .col(text_null("phone"))
                    .col(text_null("contact_email"))
                    .col(text("contact_visibility"))
                    .col(time("created_at"))
                    .col(time("updated_at"))
                    // The entry's row in the SQLite search index (see `dialect::search_rowid`).
                    .col(ColumnDef::new(Alias::new("search_key")).big_integer().null().unique_key())
                    .foreign_key(&mut fk("profiles", "member_id", "members", true))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("profiles", &["kind"], false)).await?;
        manager.create_index(index("profiles", &["area"], false)).await?;
        manager.create_index(index("profiles", &["created_at"], false)).await?;
        manager.create_index(index("profiles", &["name", "id"], false)).await?;
        manager
            .create_table(
                table("profile_managers")
                    .col(id("profile_id"))
                    .col(id("member_id"))
                    .col(boolean("is_owner"))
                    .col(time("added_at"))
                    .primary_key(&mut primary(&["profile_id", "member_id"]))
                    .foreign_key(&mut fk("profile_managers", "profile_id", "profiles", true))
                    .foreign_key(&mut fk("profile_managers", "member_id", "members", true))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("profile_managers", &["member_id"], false)).await?;
        manager
            .create_table(
                table("profile_tags")
                    .col(id("profile_id"))
                    .col(text("tag"))
                    .primary_key(&mut primary(&["profile_id", "tag"]))
                    .foreign_key(&mut fk("profile_tags", "profile_id", "profiles", true))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("profile_tags", &["tag"], false)).await?;
        manager
            .create_table(
                table("community_values")
                    .col(id_pk())
                    .col(text("name").unique_key())
                    .col(text("description"))
                    .col(int("position"))
                    .col(time("created_at"))
                    .col(time_null("retired_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("profile_values")
                    .col(id("profile_id"))
                    .col(id("value_id"))
                    .col(text("words"))
                    .primary_key(&mut primary(&["profile_id", "value_id"]))
                    .foreign_key(&mut fk("profile_values", "profile_id", "profiles", true))
                    .foreign_key(&mut fk("profile_values", "value_id", "community_values", true))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("profile_values", &["value_id"], false)).await?;
        manager
            .create_table(
                table("photos")
                    .col(id_pk())
                    .col(id("profile_id").unique_key())
                    .col(ColumnDef::new(Alias::new("full_jpeg")).binary().not_null())
                    .col(ColumnDef::new(Alias::new("thumb_jpeg")).binary().not_null())
                    .col(int("width"))
                    .col(int("height"))
                    .col(id("uploaded_by"))
                    .col(time("uploaded_at"))
                    .foreign_key(&mut fk("photos", "profile_id", "profiles", true))
                    .foreign_key(&mut fk("photos", "uploaded_by", "members", false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("badges")
                    .col(id_pk())
                    .col(id("space_id"))
                    .col(text("name"))
                    .col(text("description"))
                    .col(id("created_by"))
                    .col(time("created_at"))
                    .foreign_key(&mut fk("badges", "space_id", "spaces", true))
                    .foreign_key(&mut fk("badges", "created_by", "members", false))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("badges", &["space_id", "name"], true)).await?;
        manager
            .create_table(
                table("badge_awards")
                    .col(id_pk())
                    .col(id("badge_id"))
                    .col(id("profile_id"))
                    .col(id("awarded_by"))
                    .col(text("note"))
                    .col(time("awarded_at"))
                    .foreign_key(&mut fk("badge_awards", "badge_id", "badges", true))
                    .foreign_key(&mut fk("badge_awards", "profile_id", "profiles", true))
                    .foreign_key(&mut fk("badge_awards", "awarded_by", "members", false))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("badge_awards", &["badge_id", "profile_id"], true)).await?;
        manager.create_index(index("badge_awards", &["profile_id"], false)).await?;
        manager
            .create_table(
                table("trust_statements")
                    .col(id_pk())
                    .col(id("author_id"))
                    .col(id("subject_id"))
                    .col(text("kind"))
                    .col(text("visibility"))
                    .col(text("note"))
                    .col(boolean("met_in_person"))
                    .col(time("made_at"))
                    .col(time("expires_at"))
                    .col(time_null("renewed_at"))
                    .col(time_null("revoked_at"))
                    .foreign_key(&mut fk("trust_statements", "author_id", "members", true))
                    .foreign_key(&mut fk("trust_statements", "subject_id", "profiles", true))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("trust_statements", &["subject_id"], false)).await?;
        manager.create_index(index("trust_statements", &["author_id", "made_at"], false)).await?;
        // One standing statement of a kind per author and subject; withdrawn ones stay as history.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_trust_statements_standing ON trust_statements (author_id, subject_id, kind) WHERE revoked_at IS NULL",
            )
            .await?;
        manager
            .create_table(
                table("admission_rule")
                    .col(ColumnDef::new(Alias::new("id")).integer().not_null().primary_key())
                    .col(int("vouches_needed"))
                    .col(int("standing_days"))
                    .col(int("window_days"))
                    .col(boolean("in_person_needed"))
                    .col(int("weekly_vouches"))
                    .col(int("active_vouches"))
                    .col(time("updated_at"))
                    .col(id_null("updated_by"))
                    .foreign_key(&mut fk("admission_rule", "updated_by", "members", false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("admission_vouches")
                    .col(id("application_id"))
                    .col(id("voucher_id"))
                    .primary_key(&mut primary(&["application_id", "voucher_id"]))
                    .foreign_key(&mut fk("admission_vouches", "application_id", "applications", true))
                    .foreign_key(&mut fk("admission_vouches", "voucher_id", "members", true))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("admission_vouches", &["voucher_id"], false)).await?;
        manager
            .create_table(
                table("vouching_bans")
                    .col(id_pk())
                    .col(id("member_id"))
                    .col(id("removed_member_id"))
                    .col(time("until"))
                    .col(time("created_at"))
                    .col(id("created_by"))
                    .foreign_key(&mut fk("vouching_bans", "member_id", "members", true))
                    .foreign_key(&mut fk("vouching_bans", "removed_member_id", "members", true))
                    .foreign_key(&mut fk("vouching_bans", "created_by", "members", false))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("vouching_bans", &["member_id"], false)).await?;
        let backend = dialect::backend_of(manager.get_database_backend());
        let db = manager.get_connection();
        for statement in dialect::search_schema(backend) {
            db.execute_unprepared(statement).await?;
        }
        // Everyone who already has an account gets their entry in the directory.
        db.execute_unprepared(
            "INSERT INTO profiles (id, kind, member_id, name, tagline, description, offers, needs, area, contact_visibility, created_at, updated_at) \
             SELECT id, 'person', id, name, '', '', '', '', '', 'nobody', created_at, created_at FROM members",
        )
        .await?;
        // Their names go into the search index, one row at a time: the search key is worked
        // out from the id and the name (`dialect::search_rowid`), which SQL cannot do portably.
        let mut used = std::collections::HashSet::new();
        let everyone = Statement::from_string(db.get_database_backend(), "SELECT id, name FROM profiles");
        for row in db.query_all_raw(everyone).await? {
            let id: uuid::Uuid = row.try_get("", "id")?;
            let name: String = row.try_get("", "name")?;
            let mut key = dialect::search_rowid(id, &name);
            while !used.insert(key) {
                key += 1;
            }
            for statement in backend.index_profile(None, key, id, &name, "") {
                db.execute_raw(statement).await?;
            }
            let set_key = Query::update()
                .table(Alias::new("profiles"))
                .value(Alias::new("search_key"), key)
                .and_where(Expr::col(Alias::new("id")).eq(id))
                .to_owned();
            db.execute(&set_key).await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("PlaNet migrations only go forward; restore a backup instead".to_owned()))
    }
}

//! The foundation: accounts, sessions, tokens, invitations, applications, spaces, audit, outbox.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn id(name: &'static str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).uuid().not_null().to_owned()
}

fn id_pk() -> ColumnDef {
    ColumnDef::new(Alias::new("id")).uuid().not_null().primary_key().to_owned()
}

fn text(name: &'static str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).text().not_null().to_owned()
}

fn time(name: &'static str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).timestamp_with_time_zone().not_null().to_owned()
}

fn time_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).timestamp_with_time_zone().null().to_owned()
}

fn fk(table: &'static str, column: &'static str, to: &'static str, cascade: bool) -> ForeignKeyCreateStatement {
    let mut fk = ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(Alias::new(table), Alias::new(column))
        .to(Alias::new(to), Alias::new("id"))
        .to_owned();
    if cascade {
        fk.on_delete(ForeignKeyAction::Cascade);
    }
    fk
}

fn table(name: &'static str) -> TableCreateStatement {
    Table::create().table(Alias::new(name)).to_owned()
}

fn index(table: &'static str, columns: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut index =
        Index::create().name(format!("ix_{table}_{}", columns.join("_"))).table(Alias::new(table)).to_owned();
    for column in columns {
        index.col(Alias::new(*column));
    }
    if unique {
        index.unique();
    }
    index
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                table("members")
                    .col(id_pk())
                    .col(text("email").unique_key())
                    .col(text("name"))
                    .col(text("password_hash"))
                    .col(text("status"))
                    .col(ColumnDef::new(Alias::new("is_steward")).boolean().not_null().default(false))
                    .col(time("created_at"))
                    .col(time_null("admitted_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("spaces")
                    .col(id_pk())
                    .col(ColumnDef::new(Alias::new("parent_id")).uuid().null())
                    .col(text("name"))
                    .col(text("description"))
                    .col(text("visibility"))
                    .col(text("join_policy"))
                    .col(time("created_at"))
                    .col(ColumnDef::new(Alias::new("created_by")).uuid().null())
                    .foreign_key(&mut fk("spaces", "parent_id", "spaces", false))
                    .foreign_key(&mut fk("spaces", "created_by", "members", false))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("spaces", &["parent_id"], false)).await?;
        manager
            .create_table(
                table("community")
                    .col(id_pk())
                    .col(text("name"))
                    .col(id("root_space_id"))
                    .col(time("created_at"))
                    .foreign_key(&mut fk("community", "root_space_id", "spaces", false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("sessions")
                    .col(ColumnDef::new(Alias::new("token_hash")).text().not_null().primary_key())
                    .col(id("member_id"))
                    .col(time("created_at"))
                    .col(time("expires_at"))
                    .col(time("last_seen_at"))
                    .foreign_key(&mut fk("sessions", "member_id", "members", true))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("sessions", &["member_id"], false)).await?;
        manager
            .create_table(
                table("api_tokens")
                    .col(id_pk())
                    .col(id("member_id"))
                    .col(text("name"))
                    .col(text("token_hash").unique_key())
                    .col(time("created_at"))
                    .col(time_null("last_used_at"))
                    .col(time_null("revoked_at"))
                    .foreign_key(&mut fk("api_tokens", "member_id", "members", true))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("api_tokens", &["member_id"], false)).await?;
        manager
            .create_table(
                table("invitations")
                    .col(id_pk())
                    .col(id("inviter_id"))
                    .col(text("token_hash").unique_key())
                    .col(text("note"))
                    .col(time("created_at"))
                    .col(time("expires_at"))
                    .col(time_null("used_at"))
                    .col(time_null("revoked_at"))
                    .foreign_key(&mut fk("invitations", "inviter_id", "members", true))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("invitations", &["inviter_id"], false)).await?;
        manager
            .create_table(
                table("applications")
                    .col(id_pk())
                    .col(id("member_id").unique_key())
                    .col(id("invitation_id").unique_key())
                    .col(id("inviter_id"))
                    .col(text("how_known"))
                    .col(text("status"))
                    .col(time("created_at"))
                    .col(time_null("decided_at"))
                    .col(ColumnDef::new(Alias::new("decided_by")).uuid().null())
                    .col(ColumnDef::new(Alias::new("decision_note")).text().null())
                    .foreign_key(&mut fk("applications", "member_id", "members", true))
                    .foreign_key(&mut fk("applications", "invitation_id", "invitations", false))
                    .foreign_key(&mut fk("applications", "inviter_id", "members", false))
                    .foreign_key(&mut fk("applications", "decided_by", "members", false))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("applications", &["status"], false)).await?;
        manager
            .create_table(
                table("password_resets")
                    .col(id_pk())
                    .col(id("member_id"))
                    .col(text("token_hash").unique_key())
                    .col(time("created_at"))
                    .col(time("expires_at"))
                    .col(time_null("used_at"))
                    .foreign_key(&mut fk("password_resets", "member_id", "members", true))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("space_members")
                    .col(id("space_id"))
                    .col(id("member_id"))
                    .col(text("role"))
                    .col(time("joined_at"))
                    .primary_key(Index::create().col(Alias::new("space_id")).col(Alias::new("member_id")))
                    .foreign_key(&mut fk("space_members", "space_id", "spaces", true))
                    .foreign_key(&mut fk("space_members", "member_id", "members", true))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("space_members", &["member_id"], false)).await?;
        manager
            .create_table(
                table("join_requests")
                    .col(id("space_id"))
                    .col(id("member_id"))
                    .col(text("message"))
                    .col(time("created_at"))
                    .primary_key(Index::create().col(Alias::new("space_id")).col(Alias::new("member_id")))
                    .foreign_key(&mut fk("join_requests", "space_id", "spaces", true))
                    .foreign_key(&mut fk("join_requests", "member_id", "members", true))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("space_invitations")
                    .col(id("space_id"))
                    .col(id("member_id"))
                    .col(id("invited_by"))
                    .col(time("created_at"))
                    .primary_key(Index::create().col(Alias::new("space_id")).col(Alias::new("member_id")))
                    .foreign_key(&mut fk("space_invitations", "space_id", "spaces", true))
                    .foreign_key(&mut fk("space_invitations", "member_id", "members", true))
                    .foreign_key(&mut fk("space_invitations", "invited_by", "members", true))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("audit_log")
                    .col(id_pk())
                    .col(ColumnDef::new(Alias::new("actor_id")).uuid().null())
                    .col(text("action"))
                    .col(text("subject"))
                    .col(text("detail"))
                    .col(time("created_at"))
                    .foreign_key(&mut fk("audit_log", "actor_id", "members", false))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("audit_log", &["created_at"], false)).await?;
        manager
            .create_table(
                table("outbox")
                    .col(id_pk())
                    .col(text("to_address"))
                    .col(text("subject"))
                    .col(text("body"))
                    .col(time("created_at"))
                    .col(time_null("sent_at"))
                    .col(ColumnDef::new(Alias::new("attempts")).integer().not_null().default(0))
                    .col(ColumnDef::new(Alias::new("sensitive")).boolean().not_null().default(false))
                    .col(ColumnDef::new(Alias::new("last_error")).text().null())
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("outbox", &["created_at"], false)).await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("PlaNet does not roll migrations back: restore a backup instead".to_owned()))
    }
}

//! A topic's version: counted up by every change to its messages or their reactions, so that a
//! server may keep a topic's latest messages in memory and know, with the topic's row alone,
//! whether they are still right (in every process on one database).

use super::columns::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(Alias::new("topics")).add_column(int("version").default(0).to_owned()).to_owned(),
            )
            .await
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("PlaNet migrations only go forward; restore a backup instead".to_owned()))
    }
}

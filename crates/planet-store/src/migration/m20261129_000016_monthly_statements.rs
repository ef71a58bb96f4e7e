//! The accounts' monthly statement by email: which of the account's holders asked for one (it
//! goes to them alone), and the last month one was sent for (claimed before sending, so each
//! month goes out once).

use super::columns::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(Alias::new("ledger_accounts")).add_column(id_null("statement_to")).to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("ledger_accounts"))
                    // "2026-11": the month the last statement covered.
                    .add_column(text_null("statement_sent_for"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("PlaNet migrations only go forward; restore a backup instead".to_owned()))
    }
}

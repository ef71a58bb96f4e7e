//! Directory search in name order on PostgreSQL: each entry's search key beside its words, so
//! that a search can walk the index in name order (see `dialect::FullTextSearch::walk_matches`).

use crate::dialect::{self, FullTextSearch};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = dialect::backend_of(manager.get_database_backend());
        let db = manager.get_connection();
        for statement in backend.name_order_schema() {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("PlaNet migrations only go forward; restore a backup instead".to_owned()))
    }
}

//! Full-text search of messages (`dialect::message_search`), with every message already
//! published put in it.

use crate::dialect::{self, message_search};
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::Statement;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = dialect::backend_of(manager.get_database_backend());
        let db = manager.get_connection();
        for statement in message_search::schema(backend) {
            db.execute_unprepared(statement).await?;
        }
        let published = Statement::from_string(
            db.get_database_backend(),
            "SELECT id, body FROM messages WHERE pending = false AND deleted_at IS NULL AND hidden_at IS NULL",
        );
        for row in db.query_all_raw(published).await? {
            let id: uuid::Uuid = row.try_get("", "id")?;
            let body: String = row.try_get("", "body")?;
            for statement in message_search::index(backend, id, Some(&body)) {
                db.execute_raw(statement).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("PlaNet migrations only go forward; restore a backup instead".to_owned()))
    }
}

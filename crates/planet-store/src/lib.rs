//! PlaNet storage: SeaORM entities, the single migration tree, the dialect module and the
//! queries every area uses.
//!
//! Architecture invariant: all SQL lives here, and all SQL that differs between SQLite and
//! PostgreSQL lives in [`dialect`]. Callers see typed records and domain ids, never rows.

pub mod dialect;
pub mod entities;
pub mod migration;
pub mod queries;

pub use dialect::{Backend, DatabaseUrl};
pub use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, TransactionTrait};

use sea_orm::SqlErr;
use sea_orm_migration::MigratorTrait;

/// A storage failure. `Conflict` is a uniqueness rule the database enforced; the rest are
/// faults the caller cannot fix.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(DbErr),
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(detail)) => StoreError::Conflict(detail),
            _ => StoreError::Database(err),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The database, opened and migrated.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    backend: Backend,
}

impl Store {
    /// Open the database the URL names and bring its schema up to date.
    pub async fn open(url: &DatabaseUrl) -> StoreResult<Self> {
        let db = dialect::connect(url).await?;
        let store = Self { db, backend: url.backend() };
        store.migrate().await?;
        Ok(store)
    }

    /// Open without migrating (for `planet migrate` to report on).
    pub async fn open_unmigrated(url: &DatabaseUrl) -> StoreResult<Self> {
        let db = dialect::connect(url).await?;
        Ok(Self { db, backend: url.backend() })
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        migration::Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// Names of migrations applied so far.
    pub async fn applied_migrations(&self) -> StoreResult<Vec<String>> {
        let applied = migration::Migrator::get_applied_migrations(&self.db).await?;
        Ok(applied.iter().map(|m| m.name().to_owned()).collect())
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn begin(&self) -> StoreResult<DatabaseTransaction> {
        Ok(self.db.begin().await?)
    }

    /// The names of the tables in the schema, sorted (for the schema test and `planet migrate`).
    pub async fn table_names(&self) -> StoreResult<Vec<String>> {
        dialect::table_names(&self.db, self.backend).await
    }

    /// An online copy of the whole database into a new file.
    pub async fn backup_to(&self, path: &std::path::Path) -> StoreResult<()> {
        dialect::backup_to(&self.db, self.backend, path).await
    }

    pub async fn close(self) -> StoreResult<()> {
        self.db.close().await?;
        Ok(())
    }
}

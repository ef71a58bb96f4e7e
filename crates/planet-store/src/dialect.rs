//! Everything that differs between SQLite and PostgreSQL, in one place.

use crate::{StoreError, StoreResult};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::sqlx::postgres::PgPoolOptions;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, SqlxPostgresConnector, SqlxSqliteConnector, Statement};
use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database URL whose scheme has been checked. Its password never appears in `Debug` or
/// `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    url: String,
    backend: Backend,
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, String> {
        let url = url.trim();
        let url = match url.strip_prefix("postgresql://") {
            Some(rest) => format!("postgres://{rest}"),
            None => url.to_owned(),
        };
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") {
            Backend::Postgres
        } else {
            return Err(format!(
                "unsupported database URL {:?}: use sqlite://PATH or postgres://USER@HOST/DB",
                redact(&url)
            ));
        };
        Ok(Self { url, backend })
    }

    /// SQLite in a file (created if missing).
    pub fn sqlite_file(path: &Path) -> Self {
        Self { url: format!("sqlite://{}?mode=rwc", path.display()), backend: Backend::Sqlite }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn expose(&self) -> &str {
        &self.url
    }

    /// The same server, another database (PostgreSQL): used to make a fresh test database.
    pub fn with_database(&self, name: &str) -> Self {
        let base = self.url.split('?').next().unwrap_or(&self.url);
        let server = match base.rfind('/') {
            Some(slash) if slash > "postgres://".len() => &base[..slash],
            _ => base,
        };
        Self { url: format!("{server}/{name}"), backend: self.backend }
    }
}

fn redact(url: &str) -> String {
    // postgres://user:secret@host/db → postgres://user:***@host/db
    if let (Some(scheme_end), Some(at)) = (url.find("://"), url.rfind('@'))
        && let Some(colon) = url[scheme_end + 3..at].find(':')
    {
        let colon = scheme_end + 3 + colon;
        return format!("{}:***{}", &url[..colon], &url[at..]);
    }
    url.to_owned()
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", redact(&self.url))
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.url))
    }
}

fn connect_error(err: impl fmt::Display) -> StoreError {
    StoreError::Database(sea_orm::DbErr::Conn(sea_orm::RuntimeErr::Internal(err.to_string())))
}

/// Open a pool. SQLite gets WAL, foreign keys, a busy timeout and `synchronous=FULL`, so an
/// acknowledged write survives a power cut on a Raspberry Pi.
pub async fn connect(url: &DatabaseUrl) -> StoreResult<DatabaseConnection> {
    match url.backend {
        Backend::Sqlite => {
            let options = SqliteConnectOptions::from_str(&url.url)
                .map_err(connect_error)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let pool =
                SqlitePoolOptions::new().max_connections(8).connect_with(options).await.map_err(connect_error)?;
            Ok(SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
        }
        Backend::Postgres => {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(&url.url)
                .await
                .map_err(connect_error)?;
            Ok(SqlxPostgresConnector::from_sqlx_postgres_pool(pool))
        }
    }
}

pub(crate) async fn table_names(db: &DatabaseConnection, backend: Backend) -> StoreResult<Vec<String>> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name"
        }
    };
    let rows = db.query_all_raw(Statement::from_string(db_backend(backend), sql)).await?;
    rows.iter().map(|row| row.try_get::<String>("", "name").map_err(StoreError::from)).collect()
}

pub(crate) async fn backup_to(db: &DatabaseConnection, backend: Backend, path: &Path) -> StoreResult<()> {
    match backend {
        Backend::Sqlite => {
            if path.exists() {
                return Err(StoreError::Conflict(format!("{} already exists; choose a new file name", path.display())));
            }
            let target = path.to_string_lossy().replace('\'', "''");
            db.execute_unprepared(&format!("VACUUM INTO '{target}'")).await?;
            Ok(())
        }
        Backend::Postgres => {
            Err(StoreError::Corrupt("on PostgreSQL, back up with pg_dump (see the README)".to_owned()))
        }
    }
}

/// Create a database on a PostgreSQL server (tests and `planet` setup scripts).
pub async fn create_postgres_database(server: &DatabaseUrl, name: &str) -> StoreResult<DatabaseUrl> {
    if server.backend != Backend::Postgres || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(StoreError::Corrupt(format!("cannot create database {name:?}")));
    }
    let db = connect(server).await?;
    db.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await?;
    db.close().await?;
    Ok(server.with_database(name))
}

/// Take the stewards' rows for the rest of the transaction, so that two stewards stepping down
/// at once cannot both see the other still in place. PostgreSQL needs the rows locked; SQLite
/// already runs one writing transaction at a time.
pub async fn lock_stewards(db: &impl ConnectionTrait) -> StoreResult<()> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared("SELECT id FROM members WHERE is_steward FOR UPDATE").await?;
    }
    Ok(())
}

/// Rows that a use case locks for the rest of its transaction, so that two requests deciding
/// on the same thing at once are served one after the other.
#[derive(Debug, Clone, Copy)]
pub enum Lockable {
    /// A member's account (their vouching limits).
    Member(Uuid),
    /// The application of this applicant (so that two vouches at once both count).
    ApplicationOf(Uuid),
    /// A directory entry (who runs it).
    Profile(Uuid),
}

/// Lock a row for the rest of the transaction. PostgreSQL needs `FOR UPDATE`; SQLite already
/// runs one writing transaction at a time, and callers write before they read what the lock
/// protects.
pub async fn lock(db: &impl ConnectionTrait, what: Lockable) -> StoreResult<()> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let (sql, id) = match what {
        Lockable::Member(id) => ("SELECT id FROM members WHERE id = $1 FOR UPDATE", id),
        Lockable::ApplicationOf(id) => ("SELECT id FROM applications WHERE member_id = $1 FOR UPDATE", id),
        Lockable::Profile(id) => ("SELECT id FROM profiles WHERE id = $1 FOR UPDATE", id),
    };
    db.execute_raw(Statement::from_sql_and_values(DbBackend::Postgres, sql, [id.into()])).await?;
    Ok(())
}

/// A new, empty database for one test: a new SQLite file in the temp dir, or a new database on
/// the PostgreSQL server that `PLANET_TEST_DATABASE_URL` names.
pub async fn fresh_test_database() -> StoreResult<DatabaseUrl> {
    match std::env::var("PLANET_TEST_DATABASE_URL") {
        Ok(server) if !server.is_empty() => {
            let server = DatabaseUrl::parse(&server).map_err(StoreError::Corrupt)?;
            let name = format!("planet_test_{}", uuid::Uuid::now_v7().simple());
            create_postgres_database(&server, &name).await
        }
        _ => {
            let dir = std::env::temp_dir().join("planet-tests");
            std::fs::create_dir_all(&dir).map_err(|e| StoreError::Corrupt(format!("{}: {e}", dir.display())))?;
            Ok(DatabaseUrl::sqlite_file(&dir.join(format!("{}.db", uuid::Uuid::now_v7()))))
        }
    }
}

pub(crate) fn backend_of(backend: DbBackend) -> Backend {
    match backend {
        DbBackend::Postgres => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

/// Full-text search over directory entries: SQLite FTS5 and PostgreSQL tsvector + GIN behind
/// one interface. The index holds, per entry, its name and the rest of its words (tagline,
/// description, offers, needs, skills, area).
pub trait FullTextSearch {
    /// The statements that make the index (run once, by the migration).
    fn search_schema(&self) -> &'static [&'static str];
    /// A condition on `profiles` that holds for entries matching every word of the query.
    /// `broad` (more than [`BROAD_MATCHES`] matches) asks for a plan that walks the entries in
    /// name order and stops at the page's end, instead of sorting every match.
    fn profile_matches(&self, query: &SearchTerms, broad: bool) -> SimpleExpr;
    /// How many entries match the words alone, counting no further than `cap`.
    fn count_matches(&self, query: &SearchTerms, cap: u64) -> Statement;
    /// The statements that replace an entry's words in the index.
    fn index_profile(&self, id: Uuid, name: &str, body: &str) -> Vec<Statement>;
}

/// The FTS5 row of an entry. FTS5 finds rows quickly only by rowid, so each entry's rowid is
/// taken from the random half of its UUIDv7 (62 random bits: a clash is vanishingly unlikely,
/// and would be refused by the index rather than mix two entries up). Unlike `profiles.rowid`,
/// it survives `VACUUM` and backups.
pub(crate) fn search_rowid(id: Uuid) -> i64 {
    let bytes = id.as_bytes();
    let mut low = [0u8; 8];
    low.copy_from_slice(&bytes[8..16]);
    (u64::from_be_bytes(low) & 0x3fff_ffff_ffff_ffff) as i64
}

impl FullTextSearch for Backend {
    fn search_schema(&self) -> &'static [&'static str] {
        match self {
            Backend::Sqlite => &[
                "CREATE VIRTUAL TABLE profile_search USING fts5(profile_id UNINDEXED, name, body, tokenize = 'porter unicode61 remove_diacritics 2')",
            ],
            Backend::Postgres => &[
                "CREATE TABLE profile_search (profile_id uuid PRIMARY KEY REFERENCES profiles (id) ON DELETE CASCADE, name text NOT NULL, body text NOT NULL, \
                 document tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', name), 'A') || setweight(to_tsvector('english', body), 'B')) STORED)",
                "CREATE INDEX ix_profile_search_document ON profile_search USING GIN (document)",
            ],
        }
    }

    fn index_profile(&self, id: Uuid, name: &str, body: &str) -> Vec<Statement> {
        match self {
            Backend::Sqlite => vec![
                Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    "DELETE FROM profile_search WHERE rowid = ?",
                    [search_rowid(id).into()],
                ),
                Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    "INSERT INTO profile_search (rowid, profile_id, name, body) VALUES (?, ?, ?, ?)",
                    [search_rowid(id).into(), id.into(), name.into(), body.into()],
                ),
            ],
            Backend::Postgres => vec![Statement::from_sql_and_values(
                DbBackend::Postgres,
                "INSERT INTO profile_search (profile_id, name, body) VALUES ($1, $2, $3) \
                 ON CONFLICT (profile_id) DO UPDATE SET name = excluded.name, body = excluded.body",
                [id.into(), name.into(), body.into()],
            )],
        }
    }

    fn profile_matches(&self, query: &SearchTerms, broad: bool) -> SimpleExpr {
        match self {
            // `+` keeps SQLite from using the search_key index, so it walks `profiles` in name
            // order (ix_profiles_name_id) and stops after one page: fast when most entries
            // match, slow when few do — hence the choice by `broad`.
            Backend::Sqlite => Expr::cust_with_values(
                if broad {
                    "+profiles.search_key IN (SELECT rowid FROM profile_search WHERE profile_search MATCH ?)"
                } else {
                    "profiles.search_key IN (SELECT rowid FROM profile_search WHERE profile_search MATCH ?)"
                },
                [query.fts5()],
            ),
            Backend::Postgres => Expr::cust_with_values(
                "profiles.id IN (SELECT profile_id FROM profile_search WHERE document @@ to_tsquery('english', $1))",
                [query.tsquery()],
            ),
        }
    }

    fn count_matches(&self, query: &SearchTerms, cap: u64) -> Statement {
        let cap = i64::try_from(cap).unwrap_or(i64::MAX);
        match self {
            Backend::Sqlite => Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "SELECT COUNT(*) AS n FROM (SELECT 1 FROM profile_search WHERE profile_search MATCH ? LIMIT ?)",
                [query.fts5().into(), cap.into()],
            ),
            Backend::Postgres => Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT COUNT(*) AS n FROM (SELECT 1 FROM profile_search WHERE document @@ to_tsquery('english', $1) LIMIT $2) AS matches",
                [query.tsquery().into(), cap.into()],
            ),
        }
    }
}

/// Above this many matches a search is "broad" (see [`FullTextSearch::profile_matches`]).
pub const BROAD_MATCHES: u64 = 10_000;

pub(crate) fn search_schema(backend: Backend) -> &'static [&'static str] {
    backend.search_schema()
}

/// The words of a search, reduced to letters and digits so they cannot be read as search
/// syntax by either database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerms {
    words: Vec<String>,
}

impl SearchTerms {
    const MAX_WORDS: usize = 8;
    const MAX_CHARS: usize = 40;

    /// FTS5: every word, as a phrase (so nothing is syntax), matching by its beginning.
    fn fts5(&self) -> String {
        self.words.iter().map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" ")
    }

    /// PostgreSQL: every word, matching by its beginning.
    fn tsquery(&self) -> String {
        self.words.iter().map(|w| format!("{w}:*")).collect::<Vec<_>>().join(" & ")
    }

    /// `None` when nothing searchable is left.
    pub fn parse(input: &str) -> Option<Self> {
        let words: Vec<String> = input
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| w.to_lowercase().chars().take(Self::MAX_CHARS).collect())
            .take(Self::MAX_WORDS)
            .collect();
        (!words.is_empty()).then_some(Self { words })
    }
}

fn db_backend(backend: Backend) -> DbBackend {
    match backend {
        Backend::Sqlite => DbBackend::Sqlite,
        Backend::Postgres => DbBackend::Postgres,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_the_backend_and_hide_passwords() {
        let pg = DatabaseUrl::parse("postgresql://planet:hunter2@db.local/planet").unwrap();
        assert_eq!(pg.backend(), Backend::Postgres);
        assert_eq!(pg.expose(), "postgres://planet:hunter2@db.local/planet");
        assert_eq!(format!("{pg:?}"), "DatabaseUrl(postgres://planet:***@db.local/planet)");
        assert!(!pg.to_string().contains("hunter2"));
        assert_eq!(pg.with_database("t1").expose(), "postgres://planet:hunter2@db.local/t1");
        assert_eq!(DatabaseUrl::parse("sqlite://x.db").unwrap().backend(), Backend::Sqlite);
        assert!(DatabaseUrl::parse("mysql://root@localhost/x").is_err());
    }
}

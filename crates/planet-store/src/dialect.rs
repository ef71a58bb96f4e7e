//! Everything that differs between SQLite and PostgreSQL, in one place.

use crate::{StoreError, StoreResult};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Order, SelectStatement};
use sea_orm::sqlx::postgres::PgPoolOptions;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, SqlxPostgresConnector, SqlxSqliteConnector, Statement};
pub mod message_search;

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
    /// A topic (the numbering of its messages).
    Topic(Uuid),
    /// A message (its reports, counted against the threshold).
    Message(Uuid),
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
        Lockable::Topic(id) => ("SELECT id FROM topics WHERE id = $1 FOR UPDATE", id),
        Lockable::Message(id) => ("SELECT id FROM messages WHERE id = $1 FOR UPDATE", id),
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

/// Tell every server process on this database about something (PostgreSQL `NOTIFY`): several
/// `planet serve` processes share live events this way. `false` on SQLite, where one process
/// serves and delivers its own events.
pub async fn notify(db: &impl ConnectionTrait, channel: &str, payload: &str) -> StoreResult<bool> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(false);
    }
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_notify($1, $2)",
        [channel.into(), payload.into()],
    ))
    .await?;
    Ok(true)
}

/// Notifications from every process on this database (PostgreSQL `LISTEN`).
pub struct Listener(sea_orm::sqlx::postgres::PgListener);

impl Listener {
    /// Listen on `channel`; `None` on SQLite.
    pub async fn start(db: &DatabaseConnection, channel: &str) -> StoreResult<Option<Self>> {
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(None);
        }
        let pool = db.get_postgres_connection_pool();
        let mut listener = sea_orm::sqlx::postgres::PgListener::connect_with(pool)
            .await
            .map_err(|e| StoreError::Database(sea_orm::DbErr::Custom(e.to_string())))?;
        listener.listen(channel).await.map_err(|e| StoreError::Database(sea_orm::DbErr::Custom(e.to_string())))?;
        Ok(Some(Self(listener)))
    }

    /// The next payload. A lost connection is made again (what was sent meanwhile is lost).
    pub async fn next(&mut self) -> StoreResult<String> {
        let notification =
            self.0.recv().await.map_err(|e| StoreError::Database(sea_orm::DbErr::Custom(e.to_string())))?;
        Ok(notification.payload().to_owned())
    }
}

/// Full-text search over directory entries: SQLite FTS5 and PostgreSQL tsvector + GIN behind
/// one interface. The index holds, per entry, its name and the rest of its words (tagline,
/// description, offers, needs, skills, area).
pub trait FullTextSearch {
    /// The statements that make the index (run once, by the migration).
    fn search_schema(&self) -> &'static [&'static str];
    /// Keep only the entries (`profiles`) matching every word of the query.
    fn keep_matches(&self, select: &mut SelectStatement, query: &SearchTerms);
    /// Order the matches by name. On SQLite the index hands them over in name order itself
    /// (see [`search_rowid`]), so one page is read without sorting every match.
    fn order_matches_by_name(&self, select: &mut SelectStatement);
    /// The statements that replace an entry's words in the index. `old_key` is the entry's
    /// search key before (its name may have changed), `key` the one now.
    fn index_profile(&self, old_key: Option<i64>, key: i64, id: Uuid, name: &str, body: &str) -> Vec<Statement>;
    /// The statements that let the index be read in name order (run once, by the third
    /// migration): on PostgreSQL, the search key beside each entry's words, with its own index.
    fn name_order_schema(&self) -> &'static [&'static str];
    /// Keep the entry's search key beside its words (after `index_profile`).
    fn keep_name_order(&self, id: Uuid, key: i64) -> Option<Statement>;
    /// How many entries a search in name order reads before it gives up walking and asks the
    /// full-text index instead; `None` when the index itself hands matches over in name order.
    fn walk_limit(&self) -> Option<u64>;
    /// Keep the entries matching every word among the first `window` entries in name order,
    /// in that order (PostgreSQL; see `walk_limit`).
    fn walk_matches(&self, select: &mut SelectStatement, query: &SearchTerms, window: u64);
    /// Keep the first `window` entries, in name order, of those matching every word
    /// (PostgreSQL: from the full-text index, sorting only the matches' keys).
    fn first_matches(&self, select: &mut SelectStatement, query: &SearchTerms, window: u64);
    /// How many entries match every word, counted up to `cap`.
    fn count_matches(&self, query: &SearchTerms, cap: u64) -> Statement;
}

/// The search key of an entry: its row in the SQLite FTS5 index, and `profiles.search_key`.
///
/// FTS5 returns matches in rowid order and can stop after a page, so the key follows the order
/// of names: the first nine characters of the name, folded to lower case without accents, are
/// read as a number in base 37 (end or space, a–z, 0–9) in the high bits, and 16 bits of the
/// entry's random id tell apart entries whose names start alike (in any order; a clash is
/// resolved by the caller trying the next key). Unlike `profiles.rowid`, it survives `VACUUM` and backups.
pub fn search_rowid(id: Uuid, name: &str) -> i64 {
    let mut key: i64 = 0;
    let mut chars = name.trim().chars().flat_map(char::to_lowercase).map(fold_accent);
    for _ in 0..9 {
        let symbol = match chars.next() {
            Some(c @ 'a'..='z') => c as i64 - 'a' as i64 + 1,
            Some(c @ '0'..='9') => c as i64 - '0' as i64 + 27,
            _ => 0,
        };
        key = key * 37 + symbol;
    }
    // 37^9 < 2^47, so with 16 more bits the key stays positive.
    let bytes = id.as_bytes();
    (key << 16) | (i64::from(bytes[14]) << 8) | i64::from(bytes[15])
}

fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'æ' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'œ' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        other => other,
    }
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

    fn index_profile(&self, old_key: Option<i64>, key: i64, id: Uuid, name: &str, body: &str) -> Vec<Statement> {
        match self {
            Backend::Sqlite => vec![
                Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    "DELETE FROM profile_search WHERE rowid = ? OR rowid = ?",
                    [old_key.unwrap_or(key).into(), key.into()],
                ),
                Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    "INSERT INTO profile_search (rowid, profile_id, name, body) VALUES (?, ?, ?, ?)",
                    [key.into(), id.into(), name.into(), body.into()],
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

    fn name_order_schema(&self) -> &'static [&'static str] {
        match self {
            Backend::Sqlite => &[],
            Backend::Postgres => &[
                "ALTER TABLE profile_search ADD COLUMN search_key bigint",
                "UPDATE profile_search SET search_key = profiles.search_key FROM profiles WHERE profiles.id = profile_search.profile_id",
                "CREATE INDEX ix_profile_search_search_key ON profile_search (search_key)",
            ],
        }
    }

    fn keep_name_order(&self, id: Uuid, key: i64) -> Option<Statement> {
        match self {
            Backend::Sqlite => None,
            Backend::Postgres => Some(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "UPDATE profile_search SET search_key = $1 WHERE profile_id = $2",
                [key.into(), id.into()],
            )),
        }
    }

    fn walk_limit(&self) -> Option<u64> {
        match self {
            Backend::Sqlite => None,
            // About 3 µs an entry: a walk costs at most ~6 ms, and finds a page of any word in
            // more than one entry in seven; rarer words are few enough for the GIN index.
            Backend::Postgres => Some(2000),
        }
    }

    fn walk_matches(&self, select: &mut SelectStatement, query: &SearchTerms, window: u64) {
        match self {
            Backend::Sqlite => {
                self.keep_matches(select, query);
                self.order_matches_by_name(select);
            }
            Backend::Postgres => {
                // The window is read through the search-key index; each entry's words are then
                // tested as they come. The GIN index is kept out of it on purpose: for a common
                // word, collecting every match costs more than walking to the first few hundred.
                let walk = Alias::new("walk");
                let window = sea_orm::sea_query::Query::select()
                    .columns([Alias::new("profile_id"), Alias::new("search_key"), Alias::new("document")])
                    .from(Alias::new("profile_search"))
                    .order_by(Alias::new("search_key"), Order::Asc)
                    .limit(window)
                    .to_owned();
                select
                    .join_subquery(
                        JoinType::InnerJoin,
                        window,
                        walk.clone(),
                        Expr::col((walk.clone(), Alias::new("profile_id")))
                            .equals((Alias::new("profiles"), Alias::new("id"))),
                    )
                    .and_where(Expr::cust_with_values("walk.document @@ to_tsquery('english', $1)", [query.tsquery()]))
                    .order_by((walk, Alias::new("search_key")), Order::Asc);
            }
        }
    }

    fn first_matches(&self, select: &mut SelectStatement, query: &SearchTerms, window: u64) {
        match self {
            Backend::Sqlite => self.walk_matches(select, query, window),
            Backend::Postgres => {
                // Only the matches' keys are sorted; the entries (for the filters) are read for
                // the first page's worth, in order.
                let first = Alias::new("first_matches");
                let matches = sea_orm::sea_query::Query::select()
                    .columns([Alias::new("profile_id"), Alias::new("search_key")])
                    .from(Alias::new("profile_search"))
                    .and_where(Expr::cust_with_values("document @@ to_tsquery('english', $1)", [query.tsquery()]))
                    .order_by(Alias::new("search_key"), Order::Asc)
                    .limit(window)
                    .to_owned();
                select
                    .join_subquery(
                        JoinType::InnerJoin,
                        matches,
                        first.clone(),
                        Expr::col((first.clone(), Alias::new("profile_id")))
                            .equals((Alias::new("profiles"), Alias::new("id"))),
                    )
                    .order_by((first, Alias::new("search_key")), Order::Asc);
            }
        }
    }

    fn count_matches(&self, query: &SearchTerms, cap: u64) -> Statement {
        match self {
            Backend::Sqlite => Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "SELECT count(*) AS n FROM (SELECT 1 FROM profile_search WHERE profile_search MATCH ? LIMIT ?)",
                [query.fts5().into(), (cap as i64).into()],
            ),
            Backend::Postgres => Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT count(*) AS n FROM (SELECT 1 FROM profile_search WHERE document @@ to_tsquery('english', $1) LIMIT $2) AS m",
                [query.tsquery().into(), (cap as i64).into()],
            ),
        }
    }

    fn keep_matches(&self, select: &mut SelectStatement, query: &SearchTerms) {
        match self {
            Backend::Sqlite => {
                let search = Alias::new("profile_search");
                select
                    .join(
                        JoinType::InnerJoin,
                        search.clone(),
                        Expr::col((search, Alias::new("rowid")))
                            .equals((Alias::new("profiles"), Alias::new("search_key"))),
                    )
                    .and_where(Expr::cust_with_values("profile_search MATCH ?", [query.fts5()]));
            }
            Backend::Postgres => {
                select.and_where(Expr::cust_with_values(
                    "profiles.id IN (SELECT profile_id FROM profile_search WHERE document @@ to_tsquery('english', $1))",
                    [query.tsquery()],
                ));
            }
        }
    }

    fn order_matches_by_name(&self, select: &mut SelectStatement) {
        match self {
            Backend::Sqlite => {
                select.order_by((Alias::new("profile_search"), Alias::new("rowid")), Order::Asc);
            }
            // The same order as a walk (see `walk_matches`).
            Backend::Postgres => {
                select.order_by((Alias::new("profiles"), Alias::new("search_key")), Order::Asc);
            }
        }
    }
}

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

    /// The words, lower case.
    pub fn words(&self) -> &[String] {
        &self.words
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
mod search_key_tests {
    use super::search_rowid;
    use uuid::Uuid;

    #[test]
    fn search_keys_follow_the_order_of_names() {
        let id = Uuid::now_v7();
        let names = ["", "Ann", "Ann Baker", "Anna Bell", "Émile Zola", "Stall0002", "Stall0010", "Zoë", "zz9"];
        let keys: Vec<i64> = names.iter().map(|n| search_rowid(id, n)).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        assert!(keys.iter().all(|k| *k >= 0));
        assert_eq!(search_rowid(id, "ANN BAKER"), search_rowid(id, "ann baker"));
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

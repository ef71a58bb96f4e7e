//! Full-text search of messages. SQLite: FTS5, each message's row keyed by [`message_key`],
//! which follows the order messages were written, so the newest matches stream first.
//! PostgreSQL: a tsvector per message with a GIN index. Only published messages are in it
//! (`queries::talk_search::reindex` keeps it so).

use super::{Backend, SearchTerms, db_backend};
use sea_orm::Statement;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, SelectStatement};
use uuid::Uuid;

/// Where a message's row goes in the SQLite index: the first 64 bits of its UUIDv7 (the
/// milliseconds it was made, then random bits), so rows follow the order of writing. Messages
/// whose keys clash take the next free row within [`SPREAD`] of it.
pub fn message_key(id: Uuid) -> i64 {
    (id.as_u128() >> 64) as i64
}

/// How far past its key a message's row may lie.
const SPREAD: i64 = 4096;

/// The statements that make the index (run once, by the migration).
pub fn schema(backend: Backend) -> &'static [&'static str] {
    match backend {
        Backend::Sqlite => &[
            "CREATE VIRTUAL TABLE message_search USING fts5(message_id UNINDEXED, body, tokenize = 'porter unicode61 remove_diacritics 2')",
        ],
        Backend::Postgres => &[
            "CREATE TABLE message_search (message_id uuid PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE, document tsvector NOT NULL)",
            "CREATE INDEX ix_message_search_document ON message_search USING GIN (document)",
        ],
    }
}

/// The statements that put a message's words in the index (`Some(body)`) or take them out.
pub fn index(backend: Backend, id: Uuid, body: Option<&str>) -> Vec<Statement> {
    let db = db_backend(backend);
    let mut out = Vec::with_capacity(2);
    match backend {
        Backend::Sqlite => {
            let (key, last) = (message_key(id), message_key(id) + SPREAD);
            out.push(Statement::from_sql_and_values(
                db,
                "DELETE FROM message_search WHERE rowid BETWEEN ? AND ? AND message_id = ?",
                [key.into(), last.into(), id.into()],
            ));
            if let Some(body) = body {
                out.push(Statement::from_sql_and_values(
                    db,
                    "INSERT INTO message_search (rowid, message_id, body) \
                     SELECT coalesce((SELECT max(rowid) + 1 FROM message_search WHERE rowid BETWEEN ? AND ?), ?), ?, ?",
                    [key.into(), last.into(), key.into(), id.into(), body.into()],
                ));
            }
        }
        Backend::Postgres => {
            out.push(Statement::from_sql_and_values(
                db,
                "DELETE FROM message_search WHERE message_id = $1",
                [id.into()],
            ));
            if let Some(body) = body {
                out.push(Statement::from_sql_and_values(
                    db,
                    "INSERT INTO message_search (message_id, document) VALUES ($1, to_tsvector('english', $2))",
                    [id.into(), body.into()],
                ));
            }
        }
    }
    out
}

/// Keep the messages (a select from `messages`) matching every word, newest first.
pub fn keep_matches(backend: Backend, select: &mut SelectStatement, query: &SearchTerms) {
    match backend {
        Backend::Sqlite => {
            let search = Alias::new("message_search");
            select
                .join(
                    sea_orm::sea_query::JoinType::InnerJoin,
                    search.clone(),
                    Expr::col((search.clone(), Alias::new("message_id")))
                        .equals((Alias::new("messages"), Alias::new("id"))),
                )
                .and_where(Expr::cust_with_values("message_search MATCH ?", [query.fts5()]))
                .order_by((search, Alias::new("rowid")), Order::Desc);
        }
        Backend::Postgres => {
            select
                .and_where(Expr::cust_with_values(
                    "messages.id IN (SELECT message_id FROM message_search WHERE document @@ to_tsquery('english', $1))",
                    [query.tsquery()],
                ))
                .order_by((Alias::new("messages"), Alias::new("created_at")), Order::Desc)
                .order_by((Alias::new("messages"), Alias::new("id")), Order::Desc);
        }
    }
}

//! Searching talk: messages by their words (`dialect::message_search`), topics by their titles.
//! The index holds exactly the published messages: every change to a message calls `reindex`.

use super::talk::{Message, Topic, listed_to, with_names};
use crate::StoreResult;
use crate::dialect::{SearchTerms, backend_of, message_search};
use crate::entities::{message, topic};
use planet_domain::{MemberId, MessageId, SpaceId, TopicId};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use uuid::Uuid;

/// Put a message's words in the index if it is published (not waiting, deleted or hidden),
/// or take them out.
pub async fn reindex(db: &impl ConnectionTrait, id: MessageId) -> StoreResult<()> {
    let row = message::Entity::find_by_id(id.uuid()).one(db).await?;
    let shown = row.as_ref().filter(|m| !m.pending && m.deleted_at.is_none() && m.hidden_at.is_none());
    let backend = backend_of(db.get_database_backend());
    for statement in message_search::index(backend, id.uuid(), shown.map(|m| m.body.as_str())) {
        db.execute_raw(statement).await?;
    }
    Ok(())
}

/// A message found, with its topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub message: Message,
    pub topic: Topic,
}

/// Where to search: the topics of some spaces, and some private conversations.
#[derive(Debug, Clone, Copy)]
pub struct Within<'a> {
    pub spaces: &'a [SpaceId],
    pub conversations: &'a [TopicId],
}

impl Within<'_> {
    fn is_empty(&self) -> bool {
        self.spaces.is_empty() && self.conversations.is_empty()
    }

    /// Topics of the spaces (private conversations left out), and the conversations.
    fn condition(&self) -> Condition {
        let column = |name: &str| Expr::col((Alias::new("topics"), Alias::new(name)));
        Condition::any()
            .add(
                Condition::all()
                    .add(column("space_id").is_in(self.spaces.iter().map(|s| s.uuid())))
                    .add(column("private").eq(false)),
            )
            .add(column("id").is_in(self.conversations.iter().map(|t| t.uuid())))
    }
}

/// Published messages matching every word, newest first.
pub async fn messages(
    db: &impl ConnectionTrait,
    terms: &SearchTerms,
    within: Within<'_>,
    limit: u64,
    offset: u64,
) -> StoreResult<Vec<Found>> {
    if within.is_empty() {
        return Ok(Vec::new());
    }
    let mut select = Query::select()
        .column((Alias::new("messages"), Alias::new("id")))
        .from(Alias::new("messages"))
        .inner_join(
            Alias::new("topics"),
            Expr::col((Alias::new("topics"), Alias::new("id")))
                .equals((Alias::new("messages"), Alias::new("topic_id"))),
        )
        .cond_where(within.condition())
        .limit(limit)
        .offset(offset)
        .to_owned();
    message_search::keep_matches(backend_of(db.get_database_backend()), &mut select, terms);
    let ids: Vec<Uuid> =
        db.query_all(&select).await?.iter().map(|row| row.try_get::<Uuid>("", "id")).collect::<Result<_, _>>()?;
    let rows = message::Entity::find().filter(message::Column::Id.is_in(ids.clone())).all(db).await?;
    let mut by_id: HashMap<Uuid, Message> = with_names(db, rows).await?.into_iter().map(|m| (m.id.uuid(), m)).collect();
    let topic_ids: Vec<Uuid> = by_id.values().map(|m| m.topic.uuid()).collect();
    let topics: HashMap<Uuid, Topic> = topic::Entity::find()
        .filter(topic::Column::Id.is_in(topic_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, Topic::from(t)))
        .collect();
    Ok(ids
        .iter()
        .filter_map(|id| by_id.remove(id))
        .filter_map(|message| topics.get(&message.topic.uuid()).cloned().map(|topic| Found { message, topic }))
        .collect())
}

/// Topics whose titles hold every word, the most recently active first. `moderated` are the
/// spaces where the viewer also sees topics waiting for approval.
pub async fn topics(
    db: &impl ConnectionTrait,
    terms: &SearchTerms,
    viewer: MemberId,
    within: Within<'_>,
    moderated: &[SpaceId],
    limit: u64,
) -> StoreResult<Vec<Topic>> {
    let in_spaces = |ids: &[SpaceId]| topic::Column::SpaceId.is_in(ids.iter().map(|s| s.uuid()).collect::<Vec<_>>());
    let mut titled = Condition::all();
    for word in terms.words() {
        // Words are letters and digits only (`SearchTerms`), so nothing in them is a pattern.
        let lower = Func::lower(Expr::col((topic::Entity, topic::Column::Title)));
        titled = titled.add(Expr::expr(lower).like(format!("%{word}%")));
    }
    Ok(topic::Entity::find()
        .filter(
            Condition::any()
                .add(Condition::all().add(in_spaces(moderated)).add(topic::Column::Private.eq(false)))
                .add(Condition::all().add(within.condition()).add(listed_to(viewer, false))),
        )
        .filter(titled)
        .order_by_desc(topic::Column::LastMessageAt)
        .order_by_asc(topic::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(Topic::from)
        .collect())
}

//! Where talk happens, as the actor stands there: a space's conversation (`TalkPlace`), a topic,
//! a message, and a private conversation's people. Each is decided by the one authorization
//! path (`Resource::Talk`) before anything else is read.

use super::service::PAGE_SIZE;
use crate::access::{SpaceAccess, require_space_cached};
use crate::cache::LatestPage;
use crate::error::{AppError, AppResult};
use crate::identity::session::Ctx;
use crate::state::AppState;
use planet_domain::policy::{Action, Decision, PrivateFacts, Resource, TalkFacts, authorize};
use planet_domain::talk::TalkRules;
use planet_domain::{MemberId, MessageId, SpaceId, TopicId};
use planet_store::ConnectionTrait;
use planet_store::queries::blocks;
use planet_store::queries::conversations::{self, Participant};
use planet_store::queries::talk::{self, Message, Topic};

/// A space's conversation as the actor stands in it.
pub struct TalkPlace {
    pub access: SpaceAccess,
    pub muted: bool,
    pub premoderated: bool,
    pub rules: TalkRules,
    /// The topic is a private conversation (in the community's root space).
    pub conversation: Option<Conversation>,
}

/// A private conversation: who takes part, and how the actor stands in it.
pub struct Conversation {
    /// Everyone who takes or took part, in the order they joined.
    pub participants: Vec<Participant>,
    /// The actor's standing (`reported`: the message asked about has been reported).
    pub actor: PrivateFacts,
}

impl Conversation {
    /// Load a conversation as a member stands in it.
    pub async fn load(db: &impl ConnectionTrait, topic: TopicId, viewer: Option<MemberId>) -> AppResult<Self> {
        let participants = conversations::participants(db, topic).await?;
        let taking_part = |m: MemberId| participants.iter().any(|p| p.member == m && p.takes_part());
        let others: Vec<MemberId> =
            participants.iter().filter(|p| p.takes_part() && Some(p.member) != viewer).map(|p| p.member).collect();
        let shut_out = match viewer {
            Some(viewer) if !others.is_empty() => blocks::who_blocked(db, viewer, &others).await?.len() == others.len(),
            _ => false,
        };
        let participant = viewer.is_some_and(taking_part);
        Ok(Self { participants, actor: PrivateFacts { participant, shut_out, reported: false } })
    }

    /// Whether a member takes part now.
    pub fn takes_part(&self, member: MemberId) -> bool {
        self.participants.iter().any(|p| p.member == member && p.takes_part())
    }

    /// How someone else stands in it, as far as reading goes.
    pub fn facts_for(&self, member: MemberId) -> PrivateFacts {
        PrivateFacts { participant: self.takes_part(member), shut_out: false, reported: false }
    }

    /// Those taking part now.
    pub fn present(&self) -> impl Iterator<Item = &Participant> {
        self.participants.iter().filter(|p| p.takes_part())
    }
}

impl TalkPlace {
    fn facts(&self, locked: bool, author: bool) -> TalkFacts<'_> {
        TalkFacts {
            space: &self.access.facts,
            actor_muted: self.muted,
            topic_locked: locked,
            actor_is_author: author,
            private: self.conversation.as_ref().map(|c| c.actor),
        }
    }

    /// The facts for someone else reading here (who may be told of a message).
    pub fn reader_facts<'a>(&'a self, space: &'a planet_domain::policy::SpaceFacts, member: MemberId) -> TalkFacts<'a> {
        TalkFacts {
            space,
            actor_muted: false,
            topic_locked: false,
            actor_is_author: false,
            private: self.conversation.as_ref().map(|c| c.facts_for(member)),
        }
    }

    pub fn is_private(&self) -> bool {
        self.conversation.is_some()
    }

    pub fn decide(&self, ctx: &Ctx, action: Action, locked: bool, author: bool) -> Decision {
        authorize(ctx.actor, action, Resource::Talk(self.facts(locked, author)))
    }

    pub fn allows(&self, ctx: &Ctx, action: Action, locked: bool, author: bool) -> bool {
        self.decide(ctx, action, locked, author).is_allowed()
    }

    pub fn require(&self, ctx: &Ctx, action: Action, locked: bool, author: bool) -> AppResult<()> {
        self.decide(ctx, action, locked, author).into_result().map_err(AppError::from)
    }

    pub fn space_id(&self) -> SpaceId {
        self.access.space().id
    }

    pub fn is_moderator(&self, ctx: &Ctx) -> bool {
        self.allows(ctx, Action::ModerateTalk, false, false)
    }
}

/// Load a space's conversation for the actor. Whoever may not see inside the space is answered
/// as viewing it would be (a secret space is "not found").
pub async fn place(state: &AppState, ctx: &Ctx, space: SpaceId) -> AppResult<TalkPlace> {
    let access = require_space_cached(state, ctx, Action::ViewSpaceContent, space).await?;
    let (muted, premoderated) = match ctx.member.as_ref() {
        Some(member) => talk::limits(state.db(), space, member.id, ctx.now).await?,
        None => (false, false),
    };
    let rules = talk::rules(state.db(), space).await?;
    Ok(TalkPlace { access, muted, premoderated, rules, conversation: None })
}

fn parse_topic_id(text: &str) -> AppResult<TopicId> {
    text.parse().map_err(|_| AppError::not_found())
}

fn parse_message_id(text: &str) -> AppResult<MessageId> {
    text.parse().map_err(|_| AppError::not_found())
}

/// A topic and its place, before asking whether the actor may read it.
async fn load_topic(state: &AppState, ctx: &Ctx, id: TopicId) -> AppResult<(Topic, TalkPlace)> {
    // Before the topic is read: those outside the community learn nothing.
    ctx.require(Action::ViewCommunity)?;
    let topic = talk::topic(state.db(), id).await?.ok_or_else(AppError::not_found)?;
    let mut place = place(state, ctx, topic.space).await?;
    if topic.private {
        // Limits on members in the space do not reach into private conversations, and nobody
        // (but the stewards, for a reported message) reads them to approve anything.
        place.muted = false;
        place.premoderated = false;
        place.conversation = Some(Conversation::load(state.db(), topic.id, ctx.member.as_ref().map(|m| m.id)).await?);
    }
    Ok((topic, place))
}

/// A topic and its place; "not found" for a topic the actor may not know of.
pub async fn topic_place(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<(Topic, TalkPlace)> {
    let (topic, place) = load_topic(state, ctx, parse_topic_id(id)?).await?;
    place.require(ctx, Action::ReadTopic, topic.locked, false)?;
    readable(state, ctx, topic, place).await
}

/// A topic whose first message waits for approval is not there yet for others.
async fn readable(state: &AppState, ctx: &Ctx, topic: Topic, place: TalkPlace) -> AppResult<(Topic, TalkPlace)> {
    let own = ctx.member.as_ref().is_some_and(|m| m.id == topic.author);
    if own || place.is_moderator(ctx) {
        return Ok((topic, place));
    }
    let published = match state.topic_pages().get(&topic) {
        Some(page) => page.published,
        None => talk::has_published(state.db(), topic.id).await?,
    };
    if !published {
        return Err(AppError::not_found());
    }
    Ok((topic, place))
}

/// A topic's latest page of messages: from memory while the topic's version says it is right,
/// otherwise read (and kept).
pub(crate) async fn latest_page(state: &AppState, topic: &Topic) -> AppResult<std::sync::Arc<LatestPage>> {
    if let Some(page) = state.topic_pages().get(topic) {
        return Ok(page);
    }
    let first = (topic.last_number - PAGE_SIZE + 1).max(1);
    let messages = talk::messages(state.db(), topic.id, first, topic.last_number).await?;
    let ids: Vec<MessageId> = messages.iter().map(|m| m.id).collect();
    let reactors = talk::reactors(state.db(), &ids).await?;
    let published = messages.iter().any(|m| !m.pending) || talk::has_published(state.db(), topic.id).await?;
    let page = std::sync::Arc::new(LatestPage::new(topic, messages, reactors, published));
    state.topic_pages().remember(topic.id, page.clone());
    Ok(page)
}

/// A message, its topic and place. In a private conversation, a steward who does not take part
/// may reach a reported message (to decide on it), and nothing else.
pub async fn message_place(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<(Message, Topic, TalkPlace)> {
    let id = parse_message_id(id)?;
    ctx.require(Action::ViewCommunity)?;
    let message = talk::message(state.db(), id).await?.ok_or_else(AppError::not_found)?;
    let (topic, mut place) = load_topic(state, ctx, message.topic).await?;
    if let Some(conversation) = place.conversation.as_mut() {
        conversation.actor.reported = talk::ever_reported(state.db(), message.id).await?;
    }
    let (topic, place) = match place.decide(ctx, Action::ReadTopic, topic.locked, false) {
        Decision::Allow => readable(state, ctx, topic, place).await?,
        _ => {
            place.require(ctx, Action::ModerateTalk, topic.locked, false)?;
            (topic, place)
        }
    };
    // A message waiting for approval is not there for anyone but its author and moderators.
    let own = ctx.member.as_ref().is_some_and(|m| m.id == message.author);
    if message.pending && !own && !place.is_moderator(ctx) {
        return Err(AppError::not_found());
    }
    Ok((message, topic, place))
}

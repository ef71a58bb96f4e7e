//! Following and muting, and what's new. Following needs only sight of the conversation: the
//! one authorization path is asked through `topic_place` and `place`.

use crate::access::parse_space_id;
use crate::error::{AppError, AppResult};
use crate::identity::session::Ctx;
use crate::state::AppState;
use crate::talk::service::{TalkPlace, place, topic_place};
use chrono::Duration;
use planet_domain::SpaceId;
use planet_domain::notification::Follow;
use planet_domain::policy::{Action, Resource, TalkFacts, authorize};
use planet_store::queries::notifications;
use planet_store::queries::talk::{self, Topic, TopicSummary};
use std::collections::HashMap;

/// How far back "what's new" looks.
const NEWS_DAYS: i64 = 30;
/// At most this many topics on "what's new".
const NEWS_LIMIT: u64 = 200;

fn parse_level(level: &str) -> AppResult<Follow> {
    Follow::parse(level).ok_or_else(|| AppError::invalid("level", "level_unknown", "Choose how closely to follow it"))
}

pub async fn topic_level(state: &AppState, ctx: &Ctx, topic: &Topic) -> AppResult<Follow> {
    Ok(notifications::topic_level(state.db(), ctx.member()?.id, topic.id).await?)
}

pub async fn space_level(state: &AppState, ctx: &Ctx, place: &TalkPlace) -> AppResult<Follow> {
    Ok(notifications::space_level(state.db(), ctx.member()?.id, place.space_id()).await?)
}

pub async fn follow_topic(state: &AppState, ctx: &Ctx, id: &str, level: &str) -> AppResult<(Topic, Follow)> {
    let (topic, _) = topic_place(state, ctx, id).await?;
    let level = parse_level(level)?;
    notifications::set_topic_level(state.db(), ctx.member()?.id, topic.id, level).await?;
    state.changed();
    Ok((topic, level))
}

pub async fn follow_space(state: &AppState, ctx: &Ctx, space: &str, level: &str) -> AppResult<(SpaceId, Follow)> {
    let place = place(state, ctx, parse_space_id(space)?).await?;
    let level = parse_level(level)?;
    notifications::set_space_level(state.db(), ctx.member()?.id, place.space_id(), level).await?;
    state.changed();
    Ok((place.space_id(), level))
}

/// One group's topics with news.
pub struct GroupNews {
    pub space: SpaceId,
    pub name: String,
    pub topics: Vec<TopicSummary>,
}

/// Topics with messages the member has not read, in the groups they belong to (the last 30
/// days), grouped by group in the directory's order. Muted groups and topics are left out,
/// except topics followed on purpose in a muted group.
pub async fn whats_new(state: &AppState, ctx: &Ctx) -> AppResult<Vec<GroupNews>> {
    ctx.require(Action::ViewCommunity)?;
    let member = ctx.member()?.id;
    let index = state.directory().await?;
    let mine = index.roles.get(&member).cloned().unwrap_or_default();
    let (mut visible, mut moderated) = (Vec::new(), Vec::new());
    let mut names = HashMap::new();
    let mut order = HashMap::new();
    for (rank, (i, _)) in index.order.iter().enumerate() {
        let space = &index.directory.spaces[*i];
        if !mine.contains_key(&space.id) {
            continue;
        }
        let facts = index.facts(*i, member);
        if !authorize(ctx.actor, Action::ViewSpaceContent, Resource::Space(&facts)).is_allowed() {
            continue;
        }
        let talk = TalkFacts { space: &facts, actor_muted: false, topic_locked: false, actor_is_author: false };
        if authorize(ctx.actor, Action::ModerateTalk, Resource::Talk(talk)).is_allowed() {
            moderated.push(space.id);
        }
        visible.push(space.id);
        names.insert(space.id, space.name.clone());
        order.insert(space.id, rank);
    }
    let space_levels = notifications::space_levels_of(state.db(), member, &visible).await?;
    let since = ctx.now - Duration::days(NEWS_DAYS);
    let topics = talk::unread_topics(state.db(), member, &visible, &moderated, since, NEWS_LIMIT).await?;
    let mut groups: Vec<GroupNews> = Vec::new();
    for topic in topics {
        let space = topic.topic.space;
        let muted = match topic.level {
            Follow::Muted => true,
            Follow::Following => false,
            Follow::Normal => space_levels.get(&space) == Some(&Follow::Muted),
        };
        if muted {
            continue;
        }
        match groups.iter_mut().find(|g| g.space == space) {
            Some(group) => group.topics.push(topic),
            None => groups.push(GroupNews {
                space,
                name: names.get(&space).cloned().unwrap_or_default(),
                topics: vec![topic],
            }),
        }
    }
    groups.sort_by_key(|g| order.get(&g.space).copied().unwrap_or(usize::MAX));
    Ok(groups)
}

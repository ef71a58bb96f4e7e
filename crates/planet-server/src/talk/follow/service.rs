//! Following and muting, and what's new. Following needs only sight of the conversation: the
//! one authorization path is asked through `topic_place` and `place`.

use crate::access::parse_space_id;
use crate::error::{AppError, AppResult};
use crate::identity::session::Ctx;
use crate::state::AppState;
use crate::talk::service::{TalkPlace, place, topic_place};
use crate::talk::sight::sight;
use chrono::Duration;
use planet_domain::SpaceId;
use planet_domain::notification::Follow;
use planet_store::queries::notifications;
use planet_store::queries::talk::{self, Topic, TopicSummary};

/// How far back "what's new" looks.
const NEWS_DAYS: i64 = 30;
/// At most this many topics on "what's new".
const NEWS_LIMIT: u64 = 200;

fn parse_level(level: &str) -> AppResult<Follow> {
    Follow::parse(level).ok_or_else(|| AppError::invalid("level", "level_unknown", "Choose how closely to follow it"))
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
    let sight = sight(state, ctx, true).await?;
    let member = ctx.member()?.id;
    let (visible, moderated) = (&sight.spaces, &sight.moderated);
    let space_levels = notifications::space_levels_of(state.db(), member, visible).await?;
    let since = ctx.now - Duration::days(NEWS_DAYS);
    let topics = talk::unread_topics(state.db(), member, visible, moderated, since, NEWS_LIMIT).await?;
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
            None => groups.push(GroupNews { space, name: sight.name(space), topics: vec![topic] }),
        }
    }
    groups.sort_by_key(|g| sight.rank(g.space));
    Ok(groups)
}

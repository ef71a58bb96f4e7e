//! Which spaces' talk a member may see (for what's new and search across spaces), decided for
//! each space by the one authorization path on the cached directory; and the private
//! conversations they take part in.

use crate::error::AppResult;
use crate::identity::session::Ctx;
use crate::state::AppState;
use planet_domain::policy::{Action, Actor, Resource, TalkFacts, authorize};
use planet_domain::{MemberId, SpaceId, TopicId};
use planet_store::queries::conversations;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Default)]
pub struct Sight {
    /// Spaces whose talk the member may read, in the directory's order.
    pub spaces: Vec<SpaceId>,
    /// Of those, the ones the member moderates.
    pub moderated: Vec<SpaceId>,
    pub names: HashMap<SpaceId, String>,
    /// The private conversations the member takes part in.
    pub conversations: HashSet<TopicId>,
}

impl Sight {
    /// The space's place in the directory's order.
    pub fn rank(&self, space: SpaceId) -> usize {
        self.spaces.iter().position(|s| *s == space).unwrap_or(usize::MAX)
    }

    pub fn name(&self, space: SpaceId) -> String {
        self.names.get(&space).cloned().unwrap_or_default()
    }
}

/// The spaces whose talk the member may see: all of them, or only those they belong to.
pub async fn sight(state: &AppState, ctx: &Ctx, only_mine: bool) -> AppResult<Sight> {
    ctx.require(Action::ViewCommunity)?;
    sight_of(state, ctx.actor, ctx.member()?.id, only_mine).await
}

/// The spaces whose content the member may see, without their private conversations (for
/// what lives in spaces only, like offers and wants).
pub async fn spaces_seen(state: &AppState, ctx: &Ctx) -> AppResult<Sight> {
    ctx.require(Action::ViewCommunity)?;
    spaces_of(state, ctx.actor, ctx.member()?.id, false).await
}

/// The same for any member (the daily email, written with nobody asking).
pub async fn sight_of(state: &AppState, actor: Actor, member: MemberId, only_mine: bool) -> AppResult<Sight> {
    let mut sight = spaces_of(state, actor, member, only_mine).await?;
    sight.conversations = conversations::taking_part(state.db(), member).await?.into_iter().collect();
    Ok(sight)
}

async fn spaces_of(state: &AppState, actor: Actor, member: MemberId, only_mine: bool) -> AppResult<Sight> {
    let index = state.directory().await?;
    let mine = index.roles.get(&member);
    let mut sight = Sight::default();
    for (i, _) in &index.order {
        let space = &index.directory.spaces[*i];
        if only_mine && !mine.is_some_and(|roles| roles.contains_key(&space.id)) {
            continue;
        }
        let facts = index.facts(*i, member);
        if !authorize(actor, Action::ViewSpaceContent, Resource::Space(&facts)).is_allowed() {
            continue;
        }
        let talk =
            TalkFacts { space: &facts, actor_muted: false, topic_locked: false, actor_is_author: false, private: None };
        if authorize(actor, Action::ModerateTalk, Resource::Talk(talk)).is_allowed() {
            sight.moderated.push(space.id);
        }
        sight.spaces.push(space.id);
        sight.names.insert(space.id, space.name.clone());
    }
    Ok(sight)
}

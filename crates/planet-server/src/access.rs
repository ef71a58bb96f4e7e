//! Gathering the facts for the one authorization path (`planet_domain::policy::authorize`)
//! about spaces. Services call these; nothing else decides access.

use crate::error::{AppError, AppResult};
use crate::identity::session::Ctx;
use planet_domain::SpaceId;
use planet_domain::admission::SPACE_INVITATION_LIFETIME;
use planet_domain::policy::{Action, Resource, SpaceFacts, SpaceLevel, authorize};
use planet_domain::space::Role;
use planet_store::ConnectionTrait;
use planet_store::queries::spaces::{self, Space};
use std::collections::{HashMap, HashSet};

/// A space as the actor may see it: its chain from the root and the facts decided on.
#[derive(Debug, Clone)]
pub struct SpaceAccess {
    pub chain: Vec<Space>,
    pub facts: SpaceFacts,
}

impl SpaceAccess {
    pub fn space(&self) -> &Space {
        // The chain is never empty: `load` answers "not found" first.
        &self.chain[self.chain.len() - 1]
    }

    pub fn role(&self) -> Option<Role> {
        self.facts.chain.last().and_then(|level| level.actor_role)
    }

    pub fn invited(&self) -> bool {
        self.facts.chain.last().is_some_and(|level| level.actor_invited)
    }

    pub fn allows(&self, ctx: &Ctx, action: Action) -> bool {
        authorize(ctx.actor, action, Resource::Space(&self.facts)).is_allowed()
    }

    pub fn require(&self, ctx: &Ctx, action: Action) -> AppResult<()> {
        authorize(ctx.actor, action, Resource::Space(&self.facts)).into_result().map_err(AppError::from)
    }
}

/// The facts for one chain, given the actor's roles and invitations.
pub fn facts_for(chain: &[Space], roles: &HashMap<SpaceId, Role>, invited: &HashSet<SpaceId>) -> SpaceFacts {
    SpaceFacts {
        chain: chain
            .iter()
            .map(|space| SpaceLevel {
                visibility: space.visibility,
                join_policy: space.join_policy,
                actor_role: roles.get(&space.id).copied(),
                actor_invited: invited.contains(&space.id),
            })
            .collect(),
    }
}

/// Those outside the community learn nothing, not even whether the space exists.
fn refuse_outsiders(ctx: &Ctx, action: Action) -> AppResult<()> {
    if !matches!(ctx.actor, planet_domain::policy::Actor::Member { .. }) {
        let nowhere = SpaceFacts { chain: Vec::new() };
        authorize(ctx.actor, action, Resource::Space(&nowhere)).into_result()?;
    }
    Ok(())
}

/// Load a space and decide `action` on it for the actor.
pub async fn require_space(
    db: &impl ConnectionTrait,
    ctx: &Ctx,
    action: Action,
    id: SpaceId,
) -> AppResult<SpaceAccess> {
    refuse_outsiders(ctx, action)?;
    let chain = spaces::chain(db, id).await?;
    if chain.is_empty() {
        return Err(AppError::not_found());
    }
    let (roles, invited) = match ctx.actor.member_id() {
        Some(member) => {
            let ids: Vec<_> = chain.iter().map(|s| s.id).collect();
            let invited_since = ctx.now - SPACE_INVITATION_LIFETIME;
            (spaces::roles_in(db, member, &ids).await?, spaces::invitations_for(db, member, invited_since).await?)
        }
        None => (HashMap::new(), HashSet::new()),
    };
    let access = SpaceAccess { facts: facts_for(&chain, &roles, &invited), chain };
    access.require(ctx, action)?;
    Ok(access)
}

/// The same decision, on the cached directory (`AppState::directory`): for the busiest pages.
/// The cache is cleared by every change in this process and lives a few seconds, which bounds
/// how long a change made by another process goes unseen (as for sessions).
pub async fn require_space_cached(
    state: &crate::state::AppState,
    ctx: &Ctx,
    action: Action,
    id: SpaceId,
) -> AppResult<SpaceAccess> {
    refuse_outsiders(ctx, action)?;
    let index = state.directory().await?;
    let Some(i) = index.position.get(&id).copied() else {
        return Err(AppError::not_found());
    };
    let chain: Vec<Space> = index.chains[i].iter().map(|j| index.directory.spaces[*j].clone()).collect();
    let facts = match ctx.actor.member_id() {
        Some(member) => index.facts(i, member),
        None => facts_for(&chain, &HashMap::new(), &HashSet::new()),
    };
    let access = SpaceAccess { facts, chain };
    access.require(ctx, action)?;
    Ok(access)
}

/// Parse a space id from a path; a malformed id is simply not found.
pub fn parse_space_id(text: &str) -> AppResult<SpaceId> {
    text.parse().map_err(|_| AppError::not_found())
}

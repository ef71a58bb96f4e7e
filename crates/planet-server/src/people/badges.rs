//! Badges for contributions: a space's coordinators (and the stewards, everywhere) define
//! badges and award them to people, businesses and organisations.

use crate::access::{parse_space_id, require_space};
use crate::error::{AppError, AppResult};
use crate::identity::service::Check;
use crate::identity::session::Ctx;
use crate::state::AppState;
use crate::trust::service::subject;
use planet_domain::policy::Action;
use planet_domain::space::Role;
use planet_domain::text::{LabelName, ProfileText, ShortNote};
use planet_domain::{BadgeId, SpaceId};
use planet_store::StoreError;
use planet_store::queries::badges::{self, Award, Badge};
use planet_store::queries::{audit, spaces};

/// A space's badges, for its coordinators.
pub async fn space_badges(state: &AppState, ctx: &Ctx, space: &str) -> AppResult<(String, SpaceId, Vec<Badge>)> {
    let access = require_space(state.db(), ctx, Action::ManageBadges, parse_space_id(space)?).await?;
    let space = access.space();
    Ok((space.name.clone(), space.id, badges::badges_in(state.db(), &[space.id]).await?))
}

pub async fn create_badge(state: &AppState, ctx: &Ctx, space: &str, name: &str, description: &str) -> AppResult<()> {
    let access = require_space(state.db(), ctx, Action::ManageBadges, parse_space_id(space)?).await?;
    let mut check = Check::new();
    let name = check.field("name", LabelName::parse(name));
    let description = check.field("description", ProfileText::parse(description));
    check.finish()?;
    let (Some(name), Some(description)) = (name, description) else {
        return Err(AppError::Internal("badge parse".to_owned()));
    };
    let me = ctx.member()?.id;
    let now = state.now();
    let space = access.space();
    let txn = state.store().begin().await?;
    let made = badges::create_badge(&txn, BadgeId::new_v7(), space.id, name.as_str(), description.as_str(), me, now);
    match made.await {
        Err(StoreError::Conflict(_)) => {
            return Err(AppError::invalid(
                "name",
                "badge_exists",
                format!("{} already has a badge called {name}.", space.name),
            ));
        }
        other => other?,
    }
    audit::record(&txn, Some(me), "badge.created", name.as_str(), &space.name, now).await?;
    state.commit(txn).await?;
    Ok(())
}

/// The badges this member may award: those of every space they coordinate (every space, for
/// a steward).
pub async fn awardable(state: &AppState, ctx: &Ctx) -> AppResult<Vec<Badge>> {
    ctx.require(Action::ViewDirectory)?;
    let me = ctx.member()?;
    let space_ids: Vec<SpaceId> = if me.steward {
        spaces::all_spaces(state.db()).await?.into_iter().map(|s| s.id).collect()
    } else {
        spaces::all_roles(state.db(), me.id)
            .await?
            .into_iter()
            .filter(|(_, role)| *role == Role::Coordinator)
            .map(|(space, _)| space)
            .collect()
    };
    Ok(badges::badges_in(state.db(), &space_ids).await?)
}

/// The badge behind an id, if the member may award (or take back) it.
async fn own_badge(state: &AppState, ctx: &Ctx, badge: &str) -> AppResult<Badge> {
    ctx.require(Action::ViewDirectory)?;
    let id: BadgeId = badge.parse().map_err(|_| AppError::not_found())?;
    let badge = badges::badge(state.db(), id).await?.ok_or_else(AppError::not_found)?;
    require_space(state.db(), ctx, Action::ManageBadges, badge.space).await?;
    Ok(badge)
}

pub async fn award(state: &AppState, ctx: &Ctx, profile: &str, badge: &str, note: &str) -> AppResult<()> {
    let badge = own_badge(state, ctx, badge).await?;
    let subject = subject(state, ctx, profile).await?;
    if subject.is_applicant() {
        return Err(AppError::refused("badge_for_applicant", "Badges are for members: wait until they are admitted."));
    }
    let note =
        ShortNote::parse(note).map_err(|e| AppError::Invalid(vec![crate::error::FieldError::from_input("note", e)]))?;
    let me = ctx.member()?.id;
    let now = state.now();
    let txn = state.store().begin().await?;
    match badges::award(&txn, badge.id, subject.profile.id, me, note.as_str(), now).await {
        Err(StoreError::Conflict(_)) => {
            return Err(AppError::invalid(
                "badge",
                "badge_already_awarded",
                format!("{} already has the badge \u{201c}{}\u{201d}.", subject.profile.name, badge.name),
            ));
        }
        other => other?,
    }
    audit::record(&txn, Some(me), "badge.awarded", &subject.profile.name, &badge.name, now).await?;
    state.commit(txn).await?;
    Ok(())
}

pub async fn withdraw(state: &AppState, ctx: &Ctx, profile: &str, badge: &str) -> AppResult<()> {
    let badge = own_badge(state, ctx, badge).await?;
    let subject = subject(state, ctx, profile).await?;
    let me = ctx.member()?.id;
    let now = state.now();
    let txn = state.store().begin().await?;
    if !badges::withdraw(&txn, badge.id, subject.profile.id).await? {
        return Err(AppError::not_found());
    }
    audit::record(&txn, Some(me), "badge.withdrawn", &subject.profile.name, &badge.name, now).await?;
    state.commit(txn).await?;
    Ok(())
}

/// The badges on an entry.
pub async fn awards_of(state: &AppState, ctx: &Ctx, profile: planet_domain::ProfileId) -> AppResult<Vec<Award>> {
    ctx.require(Action::ViewDirectory)?;
    Ok(badges::awards_of(state.db(), profile).await?)
}

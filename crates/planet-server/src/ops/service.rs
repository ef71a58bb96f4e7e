//! Stewards' use cases: suspend and restore members, appoint stewards, read the outbox and
//! the audit log.

use crate::error::{AppError, AppResult};
use crate::identity::session::Ctx;
use crate::state::AppState;
use planet_domain::MemberId;
use planet_domain::admission::VOUCHING_BAN;
use planet_domain::policy::Action;
use planet_domain::space::AccountStatus;
use planet_store::queries::accounts::{self, Member};
use planet_store::queries::audit::{self, AuditEntry};
use planet_store::queries::outbox::{self, OutboxMessage};
use planet_store::queries::{people, trust};

pub async fn members(state: &AppState, ctx: &Ctx, search: &str) -> AppResult<Vec<Member>> {
    ctx.require(Action::ManageMembers)?;
    Ok(accounts::list_members(
        state.db(),
        &[AccountStatus::Member, AccountStatus::Suspended, AccountStatus::Removed],
        Some(search.trim()),
        500,
        0,
    )
    .await?)
}

async fn target(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<(Member, Member)> {
    ctx.require(Action::ManageMembers)?;
    let steward = ctx.member()?.clone();
    let id: MemberId = id.parse().map_err(|_| AppError::not_found())?;
    let member = accounts::member(state.db(), id).await?.ok_or_else(AppError::not_found)?;
    Ok((steward, member))
}

/// Suspend a member: they are logged out everywhere and can do nothing until restored.
pub async fn suspend(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<()> {
    let (steward, member) = target(state, ctx, id).await?;
    if member.id == steward.id {
        return Err(AppError::refused("cannot_suspend_self", "You cannot suspend yourself."));
    }
    if member.status != AccountStatus::Member {
        return Err(AppError::refused("not_a_member", "Only active members can be suspended."));
    }
    if member.steward {
        return Err(AppError::refused(
            "suspend_steward",
            "Stewards cannot be suspended. Remove their steward role first, so the community always keeps its stewards.",
        ));
    }
    let now = state.now();
    let txn = state.store().begin().await?;
    accounts::set_status(&txn, member.id, AccountStatus::Suspended, now).await?;
    accounts::delete_member_sessions(&txn, member.id).await?;
    accounts::revoke_member_tokens(&txn, member.id, now).await?;
    audit::record(&txn, Some(steward.id), "member.suspended", &member.name, "", now).await?;
    state.commit(txn).await?;
    state.trust_stale();
    state.recheck(Some(member.id)).await;
    Ok(())
}

pub async fn restore(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<()> {
    let (steward, member) = target(state, ctx, id).await?;
    if member.status != AccountStatus::Suspended {
        return Err(AppError::refused("not_suspended", "This member is not suspended."));
    }
    let now = state.now();
    let txn = state.store().begin().await?;
    accounts::set_status(&txn, member.id, AccountStatus::Member, now).await?;
    audit::record(&txn, Some(steward.id), "member.restored", &member.name, "", now).await?;
    state.commit(txn).await?;
    state.trust_stale();
    Ok(())
}

/// Make a member a steward, or not. The community always keeps at least one steward.
pub async fn set_steward(state: &AppState, ctx: &Ctx, id: &str, choice: &str) -> AppResult<()> {
    let (steward, member) = target(state, ctx, id).await?;
    let steward_role = match choice {
        "yes" => true,
        "no" => false,
        _ => return Err(AppError::invalid("steward", "choice_required", "Choose yes or no")),
    };
    if member.status != AccountStatus::Member {
        return Err(AppError::refused("not_a_member", "Only active members can be stewards."));
    }
    let now = state.now();
    let txn = state.store().begin().await?;
    planet_store::dialect::lock_stewards(&txn).await?;
    accounts::set_steward(&txn, member.id, steward_role).await?;
    if accounts::count_stewards(&txn).await? == 0 {
        return Err(AppError::refused(
            "last_steward",
            "The community needs at least one steward. Appoint another before stepping down.",
        ));
    }
    let action = if steward_role { "member.made_steward" } else { "member.steward_removed" };
    audit::record(&txn, Some(steward.id), action, &member.name, "", now).await?;
    state.commit(txn).await?;
    Ok(())
}

pub async fn outbox(state: &AppState, ctx: &Ctx) -> AppResult<Vec<OutboxMessage>> {
    ctx.require(Action::ReadOutbox)?;
    Ok(outbox::recent(state.db(), 200).await?)
}

/// One email. A secret link (a password reset) is shown only while stewards are the only way
/// to pass it on (no mail server, not yet sent), and reading it is written in the audit log.
pub async fn outbox_message(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<OutboxMessage> {
    ctx.require(Action::ReadOutbox)?;
    let id = id.parse().map_err(|_| AppError::not_found())?;
    let mut message = outbox::get(state.db(), id).await?.ok_or_else(AppError::not_found)?;
    if message.sensitive {
        if message.sent_at.is_some() || state.config().smtp.is_some() {
            message.body = crate::notify::mail::redact_secrets(&message.body);
        } else {
            let steward = ctx.member()?;
            let txn = state.store().begin().await?;
            audit::record(
                &txn,
                Some(steward.id),
                "outbox.secret_read",
                &message.to_address,
                &message.subject,
                state.now(),
            )
            .await?;
            state.commit(txn).await?;
        }
    }
    Ok(message)
}

/// The audit log, newest first, with the actors' names.
pub async fn audit_log(state: &AppState, ctx: &Ctx, page: u64) -> AppResult<(Vec<(AuditEntry, String)>, u64)> {
    ctx.require(Action::ReadAuditLog)?;
    const PER_PAGE: u64 = 100;
    let entries = audit::recent(state.db(), PER_PAGE, page * PER_PAGE).await?;
    let ids: Vec<_> = entries.iter().filter_map(|e| e.actor_id).map(MemberId::from_uuid).collect();
    let people = accounts::members_by_ids(state.db(), &ids).await?;
    let total = audit::count(state.db()).await?;
    let named = entries
        .into_iter()
        .map(|e| {
            let name = e
                .actor_id
                .and_then(|id| people.iter().find(|p| p.id.uuid() == id))
                .map(|p| p.name.clone())
                .unwrap_or_else(|| "PlaNet".to_owned());
            (e, name)
        })
        .collect();
    Ok((named, total))
}

/// What removing a member as fake or a duplicate would do, for the confirmation page.
pub struct Removal {
    pub member: Member,
    /// They will not be able to vouch for six months.
    pub vouchers: Vec<(MemberId, String)>,
}

pub async fn removal(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<Removal> {
    let (steward, member) = target(state, ctx, id).await?;
    if member.id == steward.id {
        return Err(AppError::refused("cannot_remove_self", "You cannot remove yourself."));
    }
    if member.steward {
        return Err(AppError::refused(
            "remove_steward",
            "Stewards cannot be removed. Remove their steward role first.",
        ));
    }
    if !matches!(member.status, AccountStatus::Member | AccountStatus::Suspended) {
        return Err(AppError::refused("not_a_member", "Only members and suspended members can be removed."));
    }
    let vouchers = trust::vouchers_of(state.db(), people::person_profile(member.id)).await?.into_iter().collect();
    Ok(Removal { member, vouchers })
}

/// Remove a member who is not a real person, or is someone's second account: they can do
/// nothing more, what they said about others no longer counts, those who vouched for them may
/// not vouch for six months, and the people their vouches admitted are listed for review.
pub async fn remove(state: &AppState, ctx: &Ctx, id: &str, reason: &str) -> AppResult<Member> {
    let Removal { member, vouchers } = removal(state, ctx, id).await?;
    let reason = match reason {
        "fake" => "not a real person",
        "duplicate" => "a second account of someone already a member",
        _ => return Err(AppError::invalid("reason", "reason_required", "Choose why they are being removed")),
    };
    let steward = ctx.member()?.id;
    let now = state.now();
    let txn = state.store().begin().await?;
    accounts::set_status(&txn, member.id, AccountStatus::Removed, now).await?;
    accounts::delete_member_sessions(&txn, member.id).await?;
    accounts::revoke_member_tokens(&txn, member.id, now).await?;
    trust::revoke_all_by(&txn, member.id, now).await?;
    for (voucher, name) in &vouchers {
        trust::ban_voucher(&txn, *voucher, member.id, now + VOUCHING_BAN, steward, now).await?;
        audit::record(&txn, Some(steward), "trust.vouching_paused", name, &member.name, now).await?;
    }
    audit::record(&txn, Some(steward), "member.removed", &member.name, reason, now).await?;
    state.commit(txn).await?;
    state.trust_stale();
    state.recheck(Some(member.id)).await;
    Ok(member)
}

/// Members admitted through the vouches of someone since removed.
pub async fn to_review(state: &AppState, ctx: &Ctx) -> AppResult<Vec<trust::ToReview>> {
    ctx.require(Action::ManageMembers)?;
    Ok(trust::admitted_through_removed(state.db()).await?)
}

//! Space use cases: browse, create, edit, join, ask to join, leave, decide requests, invite,
//! change roles. Each asks the one authorization path first.

use crate::access::{SpaceAccess, parse_space_id, require_space};
use crate::error::{AppError, AppResult, FieldError};
use crate::identity::service::Check;
use crate::identity::session::Ctx;
use crate::notify::mail;
use crate::state::AppState;
use planet_domain::policy::{Action, Resource, authorize};
use planet_domain::space::{AccountStatus, JoinPolicy, Role, Visibility};
use planet_domain::text::{Description, EmailAddress, ShortNote, SpaceName};
use planet_domain::{MemberId, SpaceId};
use planet_store::queries::spaces::{self, JoinRequest, Space, SpaceFields, SpaceMember};
use planet_store::queries::{accounts, audit};

/// What a form or API call gives for a space's settings.
pub struct SpaceInput<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub visibility: &'a str,
    pub join_policy: &'a str,
}

pub struct ParsedSpace {
    pub name: SpaceName,
    pub description: Description,
    pub visibility: Visibility,
    pub join_policy: JoinPolicy,
}

impl ParsedSpace {
    fn fields(&self) -> SpaceFields<'_> {
        SpaceFields {
            name: self.name.as_str(),
            description: self.description.as_str(),
            visibility: self.visibility,
            join_policy: self.join_policy,
        }
    }
}

pub fn parse_space(input: &SpaceInput<'_>) -> AppResult<ParsedSpace> {
    let mut check = Check::new();
    let name = check.field("name", SpaceName::parse(input.name));
    let description = check.field("description", Description::parse(input.description));
    let visibility = Visibility::parse(input.visibility);
    if visibility.is_none() {
        check.fail("visibility", "visibility_required", "Choose who can see the group");
    }
    let join_policy = JoinPolicy::parse(input.join_policy);
    if join_policy.is_none() {
        check.fail("join_policy", "join_policy_required", "Choose how people join the group");
    }
    check.finish()?;
    match (name, description, visibility, join_policy) {
        (Some(name), Some(description), Some(visibility), Some(join_policy)) => {
            Ok(ParsedSpace { name, description, visibility, join_policy })
        }
        _ => Err(AppError::Internal("space parse".to_owned())),
    }
}

/// One space in the list of groups, as the actor sees it.
#[derive(Debug, Clone)]
pub struct SpaceEntry {
    pub space: Space,
    pub depth: usize,
    pub role: Option<Role>,
    pub members: u64,
    pub can_join: bool,
    pub can_request: bool,
}

/// Every space the actor may know of, as a tree in reading order (parents before children).
pub async fn visible_spaces(state: &AppState, ctx: &Ctx) -> AppResult<Vec<SpaceEntry>> {
    ctx.require(Action::ViewCommunity)?;
    let member = ctx.member()?;
    let index = state.directory().await?;
    let roles = index.roles.get(&member.id);
    let mut out = Vec::new();
    for &(i, depth) in &index.order {
        let facts = index.facts(i, member.id);
        let decide = |action| authorize(ctx.actor, action, Resource::Space(&facts)).is_allowed();
        if !decide(Action::SeeSpace) {
            continue;
        }
        let space = &index.directory.spaces[i];
        out.push(SpaceEntry {
            space: space.clone(),
            depth,
            role: roles.and_then(|r| r.get(&space.id)).copied(),
            members: index.counts.get(&space.id).copied().unwrap_or(0),
            can_join: decide(Action::JoinSpace),
            can_request: decide(Action::RequestToJoinSpace),
        });
    }
    Ok(out)
}

/// The groups the actor belongs to (not the root), in reading order, with their roles.
pub async fn my_spaces(state: &AppState, ctx: &Ctx) -> AppResult<Vec<SpaceEntry>> {
    ctx.require(Action::ViewCommunity)?;
    let member = ctx.member()?;
    let index = state.directory().await?;
    let Some(roles) = index.roles.get(&member.id) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(roles.len());
    for &(i, depth) in &index.order {
        let space = &index.directory.spaces[i];
        let Some(role) = roles.get(&space.id) else { continue };
        if space.parent_id.is_none() {
            continue;
        }
        let facts = index.facts(i, member.id);
        if !authorize(ctx.actor, Action::SeeSpace, Resource::Space(&facts)).is_allowed() {
            continue;
        }
        out.push(SpaceEntry {
            space: space.clone(),
            depth,
            role: Some(*role),
            members: index.counts.get(&space.id).copied().unwrap_or(0),
            can_join: false,
            can_request: false,
        });
    }
    Ok(out)
}

/// A space's page.
pub struct SpaceView {
    pub access: SpaceAccess,
    pub children: Vec<SpaceEntry>,
    /// Present when the actor may see inside.
    pub members: Option<Vec<SpaceMember>>,
    pub has_requested: bool,
    pub waiting_requests: usize,
}

pub async fn view(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<SpaceView> {
    let id = parse_space_id(id)?;
    let access = require_space(state.db(), ctx, Action::SeeSpace, id).await?;
    let member = ctx.member()?;
    let children = visible_spaces(state, ctx).await?.into_iter().filter(|e| e.space.parent_id == Some(id)).collect();
    let members = if access.allows(ctx, Action::ViewSpaceContent) {
        Some(spaces::members_of(state.db(), id).await?)
    } else {
        None
    };
    let has_requested = spaces::has_join_request(state.db(), id, member.id).await?;
    let waiting_requests = if access.allows(ctx, Action::DecideJoinRequests) {
        spaces::join_requests(state.db(), id).await?.len()
    } else {
        0
    };
    Ok(SpaceView { access, children, members, has_requested, waiting_requests })
}

/// Create a group inside `parent`; its creator becomes its coordinator.
pub async fn create(state: &AppState, ctx: &Ctx, parent: &str, input: SpaceInput<'_>) -> AppResult<SpaceId> {
    let parent = parse_space_id(parent)?;
    require_space(state.db(), ctx, Action::CreateSubspace, parent).await?;
    let parsed = parse_space(&input)?;
    let member = ctx.member()?;
    let id = SpaceId::new_v7();
    let now = state.now();
    let txn = state.store().begin().await?;
    // Two groups of one name side by side confuse everyone (and a double click would make them).
    let wanted = parsed.name.as_str().to_lowercase();
    if spaces::children(&txn, parent).await?.iter().any(|s| s.name.to_lowercase() == wanted) {
        return Err(AppError::invalid(
            "name",
            "space_name_taken",
            format!("There is already a group called {} here", parsed.name),
        ));
    }
    spaces::create_space(&txn, id, Some(parent), parsed.fields(), Some(member.id), now).await?;
    spaces::add_member(&txn, id, member.id, Role::Coordinator, now).await?;
    audit::record(
        &txn,
        Some(member.id),
        "space.created",
        parsed.name.as_str(),
        &format!("{} · {}", parsed.visibility.as_str(), parsed.join_policy.as_str()),
        now,
    )
    .await?;
    state.commit(txn).await?;
    Ok(id)
}

pub async fn edit(state: &AppState, ctx: &Ctx, id: &str, input: SpaceInput<'_>) -> AppResult<()> {
    let id = parse_space_id(id)?;
    let access = require_space(state.db(), ctx, Action::EditSpace, id).await?;
    let parsed = parse_space(&input)?;
    let is_root = access.space().parent_id.is_none();
    if is_root && (parsed.visibility != Visibility::Community || parsed.join_policy != JoinPolicy::ByInvitation) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "visibility",
            "root_space_fixed",
            "The whole community is always visible to its members and joined by invitation",
        )]));
    }
    let member = ctx.member()?;
    let now = state.now();
    let txn = state.store().begin().await?;
    spaces::update_space(&txn, id, parsed.fields()).await?;
    audit::record(
        &txn,
        Some(member.id),
        "space.edited",
        parsed.name.as_str(),
        &format!("{} · {}", parsed.visibility.as_str(), parsed.join_policy.as_str()),
        now,
    )
    .await?;
    state.commit(txn).await?;
    // Who may see inside may have changed.
    if parsed.visibility != access.space().visibility {
        state.recheck(None).await;
    }
    Ok(())
}

pub async fn join(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<SpaceAccess> {
    let id = parse_space_id(id)?;
    let access = require_space(state.db(), ctx, Action::JoinSpace, id).await?;
    let member = ctx.member()?;
    let now = state.now();
    let txn = state.store().begin().await?;
    spaces::add_member(&txn, id, member.id, Role::Member, now).await?;
    if access.space().join_policy != JoinPolicy::Open && !access.invited() {
        audit::record(&txn, Some(member.id), "space.steward_joined", &access.space().name, "", now).await?;
    }
    state.commit(txn).await?;
    Ok(access)
}

pub async fn request_to_join(state: &AppState, ctx: &Ctx, id: &str, message: &str) -> AppResult<()> {
    let id = parse_space_id(id)?;
    let access = require_space(state.db(), ctx, Action::RequestToJoinSpace, id).await?;
    let message =
        ShortNote::parse(message).map_err(|e| AppError::Invalid(vec![FieldError::from_input("message", e)]))?;
    let member = ctx.member()?;
    let now = state.now();
    let txn = state.store().begin().await?;
    spaces::create_join_request(&txn, id, member.id, message.as_str(), now).await?;
    for coordinator in spaces::members_of(&txn, id).await?.into_iter().filter(|m| m.role == Role::Coordinator) {
        let body = format!(
            "Hello {},\n\n{} would like to join {}.\n{}\nYou can say yes or no on the group's page.\n",
            coordinator.member.name,
            member.name,
            access.space().name,
            if message.as_str().is_empty() { String::new() } else { format!("\nTheir message: {message}\n") }
        );
        mail::queue(
            &txn,
            &coordinator.member.email,
            &format!("{} asks to join {}", member.name, access.space().name),
            &body,
            now,
        )
        .await?;
    }
    state.commit(txn).await?;
    state.wake_mailer();
    Ok(())
}

pub async fn leave(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<()> {
    let id = parse_space_id(id)?;
    require_space(state.db(), ctx, Action::LeaveSpace, id).await?;
    spaces::remove_member(state.db(), id, ctx.member()?.id).await?;
    state.changed();
    state.recheck(Some(ctx.member()?.id)).await;
    Ok(())
}

/// Say no to an invitation into a space. Only the invited member can; to anyone else there is
/// nothing here.
pub async fn decline_invitation(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<()> {
    let id = parse_space_id(id)?;
    let access = require_space(state.db(), ctx, Action::SeeSpace, id).await?;
    if !access.invited() || !spaces::decline_space_invitation(state.db(), id, ctx.member()?.id).await? {
        return Err(AppError::not_found());
    }
    state.changed();
    Ok(())
}

/// The spaces the actor has been invited into (and may still join).
pub async fn my_invitations(state: &AppState, ctx: &Ctx) -> AppResult<Vec<Space>> {
    ctx.require(Action::ViewCommunity)?;
    let member = ctx.member()?;
    let index = state.directory().await?;
    let Some(invited) = index.invited.get(&member.id) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for &(i, _) in &index.order {
        let space = &index.directory.spaces[i];
        let facts = index.facts(i, member.id);
        if invited.contains(&space.id) && authorize(ctx.actor, Action::JoinSpace, Resource::Space(&facts)).is_allowed()
        {
            out.push(space.clone());
        }
    }
    Ok(out)
}

pub async fn join_requests(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<(SpaceAccess, Vec<JoinRequest>)> {
    let id = parse_space_id(id)?;
    let access = require_space(state.db(), ctx, Action::DecideJoinRequests, id).await?;
    Ok((access, spaces::join_requests(state.db(), id).await?))
}

/// Accept ("accept") or decline ("decline") a request; returns whether it was accepted.
pub async fn decide_request(state: &AppState, ctx: &Ctx, id: &str, who: &str, decision: &str) -> AppResult<bool> {
    let id = parse_space_id(id)?;
    let access = require_space(state.db(), ctx, Action::DecideJoinRequests, id).await?;
    let accept = match decision {
        "accept" => true,
        "decline" => false,
        _ => return Err(AppError::invalid("decision", "decision_required", "Choose to let them in or say no")),
    };
    let who: MemberId = who.parse().map_err(|_| AppError::not_found())?;
    let coordinator = ctx.member()?;
    let applicant = accounts::member(state.db(), who).await?.ok_or_else(AppError::not_found)?;
    let now = state.now();
    let name = &access.space().name;
    let txn = state.store().begin().await?;
    if !spaces::delete_join_request(&txn, id, who).await? {
        return Err(AppError::refused("request_already_decided", "This request has already been answered."));
    }
    let (subject, body, action) = if accept {
        spaces::add_member(&txn, id, who, Role::Member, now).await?;
        (
            format!("You have joined {name}"),
            format!("Hello {},\n\nYour request to join {name} has been accepted. Welcome!\n", applicant.name),
            "space.request_accepted",
        )
    } else {
        (
            format!("Your request to join {name}"),
            format!(
                "Hello {},\n\nThe coordinators of {name} have not accepted your request this time.\n",
                applicant.name
            ),
            "space.request_declined",
        )
    };
    mail::queue(&txn, &applicant.email, &subject, &body, now).await?;
    audit::record(&txn, Some(coordinator.id), action, name, &applicant.name, now).await?;
    state.commit(txn).await?;
    state.wake_mailer();
    Ok(accept)
}

/// Invite a member of the community into a space (by their email address).
pub async fn invite_member(state: &AppState, ctx: &Ctx, id: &str, email: &str) -> AppResult<()> {
    let id = parse_space_id(id)?;
    let access = require_space(state.db(), ctx, Action::InviteToSpace, id).await?;
    let email = EmailAddress::parse(email).map_err(|e| AppError::Invalid(vec![FieldError::from_input("email", e)]))?;
    let not_found =
        || AppError::invalid("email", "member_not_found", "No member of the community has that email address");
    let invitee = accounts::member_by_email(state.db(), email.as_str()).await?.ok_or_else(not_found)?;
    if invitee.status != AccountStatus::Member {
        return Err(not_found());
    }
    if spaces::roles_in(state.db(), invitee.id, &[id]).await?.contains_key(&id) {
        return Err(AppError::invalid("email", "already_member", "They are already a member of this group"));
    }
    let by = ctx.member()?;
    let now = state.now();
    let name = &access.space().name;
    let txn = state.store().begin().await?;
    spaces::invite_to_space(&txn, id, invitee.id, by.id, now).await?;
    let body = format!(
        "Hello {},\n\n{} has invited you to join {name}. Open the group's page to join.\n",
        invitee.name, by.name
    );
    mail::queue(&txn, &invitee.email, &format!("You are invited to join {name}"), &body, now).await?;
    audit::record(&txn, Some(by.id), "space.member_invited", name, &invitee.name, now).await?;
    state.commit(txn).await?;
    state.wake_mailer();
    Ok(())
}

pub async fn set_role(state: &AppState, ctx: &Ctx, id: &str, who: &str, role: &str) -> AppResult<()> {
    let id = parse_space_id(id)?;
    let access = require_space(state.db(), ctx, Action::ManageSpaceRoles, id).await?;
    let who: MemberId = who.parse().map_err(|_| AppError::not_found())?;
    let role =
        Role::parse(role).ok_or_else(|| AppError::invalid("role", "role_required", "Choose member or coordinator"))?;
    let by = ctx.member()?;
    let now = state.now();
    let txn = state.store().begin().await?;
    if !spaces::set_role(&txn, id, who, role).await? {
        return Err(AppError::not_found());
    }
    let person = accounts::member(&txn, who).await?.map(|m| m.name).unwrap_or_default();
    audit::record(
        &txn,
        Some(by.id),
        "space.role_changed",
        &access.space().name,
        &format!("{person} is now {}", role.label()),
        now,
    )
    .await?;
    state.commit(txn).await?;
    Ok(())
}

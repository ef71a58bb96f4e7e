//! Admission use cases. Nobody signs up alone: a member invites, the invitee applies, a
//! steward decides (under the community's `AdmissionRule`).

use crate::error::{AppError, AppResult};
use crate::identity::crypto::{random_token, token_hash};
use crate::identity::service::{Check, start_session};
use crate::identity::session::Ctx;
use crate::notify::mail;
use crate::ratelimit;
use crate::state::AppState;
use planet_domain::admission::{
    AdmissionEvent, AdmissionFacts, ApplicationStatus, INVITATION_LIFETIME, InvitationState, StewardApproval,
    invitation_state, next_status,
};
use planet_domain::policy::Action;
use planet_domain::space::{AccountStatus, Role};
use planet_domain::text::{EmailAddress, HowKnown, NewPassword, PersonName, ShortNote};
use planet_domain::{ApplicationId, InvitationId, MemberId};
use planet_store::queries::accounts::{self, NewMember};
use planet_store::queries::admission::{self, Application, Invitation};
use planet_store::queries::{audit, spaces};

/// An invitation just made: the link is shown once and never stored.
pub struct NewInvitation {
    pub invitation: Invitation,
    pub link: String,
}

pub async fn invite(state: &AppState, ctx: &Ctx, note: &str) -> AppResult<NewInvitation> {
    ctx.require(Action::InviteToCommunity)?;
    let member = ctx.member()?;
    let note =
        ShortNote::parse(note).map_err(|e| AppError::Invalid(vec![crate::error::FieldError::from_input("note", e)]))?;
    if !ratelimit::allow(&state.limits().invitations_per_member, &member.id.to_string()) {
        return Err(AppError::RateLimited);
    }
    let token = random_token();
    let id = InvitationId::new_v7();
    let now = state.now();
    admission::create_invitation(
        state.db(),
        id,
        member.id,
        &token_hash(&token),
        note.as_str(),
        now,
        now + INVITATION_LIFETIME,
    )
    .await?;
    let invitation = admission::invitation_by_hash(state.db(), &token_hash(&token))
        .await?
        .ok_or_else(|| AppError::Internal("invitation vanished".to_owned()))?;
    Ok(NewInvitation { invitation, link: format!("{}/join/{token}", state.public_base()) })
}

pub async fn my_invitations(state: &AppState, ctx: &Ctx) -> AppResult<Vec<Invitation>> {
    ctx.require(Action::InviteToCommunity)?;
    Ok(admission::invitations_by(state.db(), ctx.member()?.id).await?)
}

pub async fn withdraw_invitation(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<()> {
    ctx.require(Action::InviteToCommunity)?;
    let id: InvitationId = id.parse().map_err(|_| AppError::not_found())?;
    if admission::revoke_invitation(state.db(), id, ctx.member()?.id, state.now()).await? {
        Ok(())
    } else {
        Err(AppError::not_found())
    }
}

fn unusable(state: InvitationState) -> AppError {
    let message = match state {
        InvitationState::Used => {
            "This invitation has already been used. Each invitation link works once. Please ask the person who invited you for a new one."
        }
        InvitationState::Expired => {
            "This invitation has expired: invitations work for 14 days. Please ask the person who invited you for a new one."
        }
        InvitationState::Revoked => "This invitation has been withdrawn. Please talk to the person who invited you.",
        InvitationState::Usable => "This invitation cannot be used.",
    };
    AppError::gone("invitation_unusable", message)
}

/// The invitation behind a link, with the inviter's name, if it can still be used.
pub async fn open_invitation(state: &AppState, token: &str, client: &str) -> AppResult<(Invitation, String)> {
    if !ratelimit::allow(&state.limits().applications_per_address, client) {
        return Err(AppError::RateLimited);
    }
    let invitation = admission::invitation_by_hash(state.db(), &token_hash(token)).await?.ok_or_else(|| {
        AppError::gone(
            "invitation_unknown",
            "This invitation link is not right. Please check you copied all of it, or ask for a new one.",
        )
    })?;
    match invitation_state(invitation.facts(), state.now()) {
        InvitationState::Usable => {}
        other => return Err(unusable(other)),
    }
    let inviter = accounts::member(state.db(), invitation.inviter).await?.map(|m| m.name).unwrap_or_default();
    Ok((invitation, inviter))
}

pub struct ApplyInput<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub password: &'a str,
    pub how_known: &'a str,
    pub accept_rules: bool,
}

/// Apply through an invitation: the account waits as an applicant. Returns a session secret.
pub async fn apply(state: &AppState, token: &str, input: ApplyInput<'_>, client: &str) -> AppResult<String> {
    let (invitation, inviter_name) = open_invitation(state, token, client).await?;
    let mut check = Check::new();
    let name = check.field("name", PersonName::parse(input.name));
    let email = check.field("email", EmailAddress::parse(input.email));
    let password = check.field("password", NewPassword::parse(input.password));
    let how_known = check.field("how_known", HowKnown::parse(input.how_known));
    if !input.accept_rules {
        check.fail(
            "accept_rules",
            "rules_not_accepted",
            "Please confirm that you will treat other members with respect",
        );
    }
    if let Some(email) = &email
        && accounts::member_by_email(state.db(), email.as_str()).await?.is_some()
    {
        check.fail(
            "email",
            "email_taken",
            "There is already an account with this email address. Try logging in instead.",
        );
    }
    check.finish()?;
    let (Some(name), Some(email), Some(password), Some(how_known)) = (name, email, password, how_known) else {
        return Err(AppError::Internal("apply parse".to_owned()));
    };
    let password_hash = crate::identity::service::hash(&password).await?;
    let now = state.now();
    let member = MemberId::new_v7();
    let txn = state.store().begin().await?;
    if !admission::consume_invitation(&txn, invitation.id, now).await? {
        return Err(unusable(InvitationState::Used));
    }
    accounts::create_member(
        &txn,
        NewMember {
            id: member,
            email: email.as_str(),
            name: name.as_str(),
            password_hash: &password_hash,
            status: AccountStatus::Applicant,
            steward: false,
            now,
        },
    )
    .await?;
    admission::create_application(
        &txn,
        ApplicationId::new_v7(),
        member,
        invitation.id,
        invitation.inviter,
        how_known.as_str(),
        now,
    )
    .await?;
    let community = state.community_name();
    for steward in accounts::stewards(&txn).await? {
        let body = format!(
            "Hello {},\n\n{} has applied to join {community}, invited by {inviter_name}.\n\nHow they know {inviter_name}: {}\n\nPlease look at the application in the stewards' pages.\n",
            steward.name, name, how_known
        );
        mail::queue(&txn, &steward.email, &format!("New application: {name}"), &body, now).await?;
    }
    let session = start_session(state, &txn, member).await?;
    state.commit(txn).await?;
    state.wake_mailer();
    Ok(session)
}

/// An applicant's own application (or a member's, once approved).
pub async fn own_application(state: &AppState, ctx: &Ctx) -> AppResult<Option<Application>> {
    ctx.require(Action::ViewOwnApplication)?;
    Ok(admission::application_of(state.db(), ctx.member()?.id).await?)
}

pub async fn waiting_applications(state: &AppState, ctx: &Ctx) -> AppResult<Vec<Application>> {
    ctx.require(Action::DecideApplications)?;
    Ok(admission::applications_with_status(state.db(), ApplicationStatus::Waiting, 500).await?)
}

pub async fn application(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<Application> {
    ctx.require(Action::DecideApplications)?;
    let id: ApplicationId = id.parse().map_err(|_| AppError::not_found())?;
    admission::application(state.db(), id).await?.ok_or_else(AppError::not_found)
}

/// A steward approves or declines. Exactly one decision wins, even if two stewards click at once.
pub async fn decide(state: &AppState, ctx: &Ctx, id: &str, decision: &str, note: &str) -> AppResult<Application> {
    let application = application(state, ctx, id).await?;
    let event = match decision {
        "approve" => AdmissionEvent::Approve,
        "decline" => AdmissionEvent::Decline,
        _ => return Err(AppError::invalid("decision", "decision_required", "Choose approve or decline")),
    };
    let steward = ctx.member()?;
    let note =
        ShortNote::parse(note).map_err(|e| AppError::Invalid(vec![crate::error::FieldError::from_input("note", e)]))?;
    let to = next_status(application.status, event, &StewardApproval, &AdmissionFacts::default())
        .map_err(|e| AppError::refused(e.code(), e.to_string()))?;
    let now = state.now();
    let community = state.community();
    let community_name = state.community_name();
    let txn = state.store().begin().await?;
    if !admission::decide(&txn, application.id, application.status, to, Some(steward.id), note.as_str(), now).await? {
        return Err(AppError::refused(
            "application_already_decided",
            "Another steward has just decided this application.",
        ));
    }
    let (subject, body, action) = match to {
        ApplicationStatus::Approved => {
            accounts::set_status(&txn, application.member, AccountStatus::Member, now).await?;
            if let Some(community) = &community {
                spaces::add_member(&txn, community.root_space_id, application.member, Role::Member, now).await?;
            }
            (
                format!("Welcome to {community_name}"),
                format!(
                    "Hello {},\n\nGood news: your application to join {community_name} has been approved. Welcome!\n\nLog in to find the groups you would like to join.\n",
                    application.applicant_name
                ),
                "application.approved",
            )
        }
        _ => {
            accounts::set_status(&txn, application.member, AccountStatus::Declined, now).await?;
            (
                format!("Your application to {community_name}"),
                format!(
                    "Hello {},\n\nThank you for applying to join {community_name}. The stewards have not admitted you this time.\n{}\nIf you think this is a mistake, please talk to {} who invited you.\n",
                    application.applicant_name,
                    if note.as_str().is_empty() { String::new() } else { format!("\nTheir note: {note}\n") },
                    application.inviter_name
                ),
                "application.declined",
            )
        }
    };
    mail::queue(&txn, &application.applicant_email, &subject, &body, now).await?;
    audit::record(&txn, Some(steward.id), action, &application.applicant_name, note.as_str(), now).await?;
    state.commit(txn).await?;
    state.wake_mailer();
    admission::application(state.db(), application.id).await?.ok_or_else(AppError::not_found)
}

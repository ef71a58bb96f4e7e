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
    VouchingRule, admission_by_vouches, invitation_state, next_status,
};
use planet_domain::policy::Action;
use planet_domain::space::{AccountStatus, Role};
use planet_domain::text::{EmailAddress, HowKnown, NewPassword, PersonName, ShortNote};
use planet_domain::{ApplicationId, InvitationId, MemberId};
use planet_store::queries::accounts::{self, NewMember};
use planet_store::queries::admission::{self, Application, Invitation};
use planet_store::queries::{audit, people, spaces, trust};

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
    /// The version of the code of conduct the form showed (None: whatever is in force).
    pub conduct_version: Option<i32>,
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
            "Please confirm that you have read the code of conduct and will keep to it",
        );
    }
    let (conduct_version, _) = crate::conduct::service::current(state.db()).await?;
    if input.accept_rules && input.conduct_version.is_some_and(|shown| shown != conduct_version) {
        check.fail(
            "accept_rules",
            "conduct_changed",
            "The code of conduct has just been changed: please read the new version and tick the box again",
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
    planet_store::queries::community::accept_conduct(&txn, member, conduct_version, now).await?;
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
            let (subject, body) = welcome(state, &txn, &application, now).await?;
            (subject, body, "application.approved")
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
    state.trust_stale();
    admission::application(state.db(), application.id).await?.ok_or_else(AppError::not_found)
}

/// What admission does, whoever decided it: the applicant becomes a member of the community
/// and of its root space. Returns the welcome email's subject and body (queued by the caller,
/// which adds its own words).
async fn welcome(
    state: &AppState,
    txn: &impl planet_store::ConnectionTrait,
    application: &Application,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<(String, String)> {
    let community_name = state.community_name();
    accounts::set_status(txn, application.member, AccountStatus::Member, now).await?;
    if let Some(community) = state.community() {
        spaces::add_member(txn, community.root_space_id, application.member, Role::Member, now).await?;
    }
    Ok((
        format!("Welcome to {community_name}"),
        format!(
            "Hello {},\n\nGood news: your application to join {community_name} has been approved. Welcome!\n\nLog in to find the groups you would like to join.\n",
            application.applicant_name
        ),
    ))
}

/// Admit an applicant whose vouches now satisfy the community's rule, inside the transaction
/// that recorded the last vouch. Returns whether they were admitted.
pub(crate) async fn admit_if_vouched(
    state: &AppState,
    txn: &impl planet_store::ConnectionTrait,
    applicant: MemberId,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<bool> {
    let Some(application) = admission::application_of(txn, applicant).await? else {
        return Ok(false);
    };
    if application.status != ApplicationStatus::Waiting {
        return Ok(false);
    }
    let rule = trust::admission_rule(txn).await?;
    let vouches: Vec<_> =
        trust::vouches_for(txn, people::person_profile(applicant)).await?.into_iter().map(|v| v.fact).collect();
    let Some(admission) = admission_by_vouches(&rule, application.created_at, &vouches, now) else {
        return Ok(false);
    };
    let note = "Admitted by the vouches of members who know them";
    if !admission::decide(txn, application.id, ApplicationStatus::Waiting, ApplicationStatus::Approved, None, note, now)
        .await?
    {
        return Ok(false);
    }
    trust::record_admission_vouches(txn, application.id, &admission.vouchers).await?;
    let (subject, body) = welcome(state, txn, &application, now).await?;
    let body = format!("{body}\nYou were admitted because members who know you vouched for you.\n");
    mail::queue(txn, &application.applicant_email, &subject, &body, now).await?;
    audit::record(txn, None, "application.admitted_by_vouches", &application.applicant_name, "", now).await?;
    Ok(true)
}

/// The community's admission rule.
pub async fn current_rule(state: &AppState) -> AppResult<VouchingRule> {
    Ok(trust::admission_rule(state.db()).await?)
}

pub async fn rule(state: &AppState, ctx: &Ctx) -> AppResult<VouchingRule> {
    ctx.require(Action::ConfigureAdmission)?;
    current_rule(state).await
}

pub struct RuleInput<'a> {
    pub vouches_needed: &'a str,
    pub standing_days: &'a str,
    pub window_days: &'a str,
    pub in_person_needed: bool,
    pub weekly_vouches: &'a str,
    pub active_vouches: &'a str,
}

/// Stewards set how many vouches admit, and who may vouch how often.
pub async fn save_rule(state: &AppState, ctx: &Ctx, input: RuleInput<'_>) -> AppResult<()> {
    ctx.require(Action::ConfigureAdmission)?;
    let mut errors = Vec::new();
    let mut number = |field: &'static str, text: &str| -> u32 {
        text.trim().parse::<u32>().unwrap_or_else(|_| {
            errors.push(crate::error::FieldError::new(field, "whole_number_required", "Enter a whole number, like 2"));
            u32::MAX
        })
    };
    let rule = VouchingRule {
        vouches_needed: number("vouches_needed", input.vouches_needed),
        standing_days: number("standing_days", input.standing_days),
        window_days: number("window_days", input.window_days),
        in_person_needed: input.in_person_needed,
        weekly_vouches: number("weekly_vouches", input.weekly_vouches),
        active_vouches: number("active_vouches", input.active_vouches),
    };
    if let Err(out_of_range) = rule.check() {
        for e in out_of_range {
            if !errors.iter().any(|f| f.field == e.field) {
                errors.push(crate::error::FieldError::new(e.field, "out_of_range", e.message));
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let steward = ctx.member()?.id;
    let now = state.now();
    let txn = state.store().begin().await?;
    trust::set_admission_rule(&txn, rule, steward, now).await?;
    let summary = format!(
        "{} vouches, {} days' standing, within {} days, in person: {}, {} a week, {} at once",
        rule.vouches_needed,
        rule.standing_days,
        rule.window_days,
        rule.in_person_needed,
        rule.weekly_vouches,
        rule.active_vouches
    );
    audit::record(&txn, Some(steward), "admission.rule_changed", "admission rule", &summary, now).await?;
    state.commit(txn).await?;
    Ok(())
}

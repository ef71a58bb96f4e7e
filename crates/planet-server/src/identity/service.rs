//! Identity use cases: set up the community, log in and out, reset a password, API tokens.

use super::crypto::{hash_password_off_thread, random_token, token_hash, verify_password_off_thread};
use super::session::Ctx;
use crate::error::{AppError, AppResult, FieldError};
use crate::notify::mail;
use crate::ratelimit;
use crate::state::AppState;
use chrono::Duration;
use planet_domain::policy::Action;
use planet_domain::space::{AccountStatus, JoinPolicy, Role, Visibility};
use planet_domain::text::{CommunityName, EmailAddress, NewPassword, PersonName, TokenName};
use planet_domain::{MemberId, SpaceId, TokenId};
use planet_store::ConnectionTrait;
use planet_store::queries::accounts::{self, NewMember};
use planet_store::queries::community::{self, Community};
use planet_store::queries::{audit, spaces};

/// How long a password-reset link works.
pub const RESET_LIFETIME: Duration = Duration::hours(2);

/// Collect field errors from several parses, so a form shows them all at once.
pub struct Check(Vec<FieldError>);

impl Check {
    pub fn new() -> Self {
        Self(Vec::new())
    }

    pub fn field<T>(&mut self, field: &'static str, parsed: Result<T, planet_domain::text::InputError>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(err) => {
                self.0.push(FieldError::from_input(field, err));
                None
            }
        }
    }

    pub fn add(&mut self, error: FieldError) {
        self.0.push(error);
    }

    pub fn fail(&mut self, field: &'static str, code: &'static str, message: &str) {
        self.0.push(FieldError::new(field, code, message));
    }

    pub fn finish(self) -> AppResult<()> {
        if self.0.is_empty() { Ok(()) } else { Err(AppError::Invalid(self.0)) }
    }
}

impl Default for Check {
    fn default() -> Self {
        Self::new()
    }
}

pub struct SetupInput<'a> {
    pub community_name: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub password: &'a str,
    pub password_again: &'a str,
}

pub async fn hash(password: &NewPassword) -> AppResult<String> {
    hash_password_off_thread(password.expose().to_owned())
        .await
        .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
}

fn already_set_up() -> AppError {
    AppError::refused("already_set_up", "This community has already been set up. Please log in.")
}

/// Start a session for a member; returns the cookie's secret.
pub async fn start_session(state: &AppState, db: &impl ConnectionTrait, member: MemberId) -> AppResult<String> {
    let token = random_token();
    let now = state.now();
    let expires = now + Duration::days(state.config().session_days);
    accounts::create_session(db, &token_hash(&token), member, now, expires).await?;
    Ok(token)
}

/// First run: name the community and create the first steward. Returns a session secret.
pub async fn set_up(state: &AppState, input: SetupInput<'_>) -> AppResult<String> {
    let mut check = Check::new();
    let community_name = check.field("community_name", CommunityName::parse(input.community_name));
    let name = check.field("name", PersonName::parse(input.name));
    let email = check.field("email", EmailAddress::parse(input.email));
    let password = check.field("password", NewPassword::parse(input.password));
    if password.is_some() && input.password != input.password_again {
        check.fail("password_again", "passwords_differ", "The two passwords are not the same");
    }
    check.finish()?;
    let (Some(community_name), Some(name), Some(email), Some(password)) = (community_name, name, email, password)
    else {
        return Err(AppError::Internal("setup parse".to_owned()));
    };
    // Refuse before the slow hashing, so nobody can keep the server busy here.
    if state.is_set_up() {
        return Err(already_set_up());
    }
    let password_hash = hash(&password).await?;
    let now = state.now();
    let txn = state.store().begin().await?;
    if community::get(&txn).await?.is_some() || accounts::count_members(&txn).await? > 0 {
        return Err(already_set_up());
    }
    let steward = MemberId::new_v7();
    let root = SpaceId::new_v7();
    accounts::create_member(
        &txn,
        NewMember {
            id: steward,
            email: email.as_str(),
            name: name.as_str(),
            password_hash: &password_hash,
            status: AccountStatus::Member,
            steward: true,
            now,
        },
    )
    .await?;
    let description = format!("Everyone in {community_name}.");
    spaces::create_space(
        &txn,
        root,
        None,
        spaces::SpaceFields {
            name: community_name.as_str(),
            description: &description,
            visibility: Visibility::Community,
            join_policy: JoinPolicy::ByInvitation,
        },
        Some(steward),
        now,
    )
    .await?;
    spaces::add_member(&txn, root, steward, Role::Coordinator, now).await?;
    community::create(&txn, community_name.as_str(), root, now).await?;
    audit::record(
        &txn,
        Some(steward),
        "community.set_up",
        community_name.as_str(),
        "created the community and its first steward",
        now,
    )
    .await?;
    let token = start_session(state, &txn, steward).await?;
    state.commit(txn).await?;
    state.set_community(Community { name: community_name.into_string(), root_space_id: root });
    Ok(token)
}

/// Log in. Unknown accounts and wrong passwords get the same answer, in the same time.
pub async fn log_in(state: &AppState, email: &str, password: &str, client: &str) -> AppResult<String> {
    let wrong = || AppError::invalid("email", "login_failed", "The email address or the password is not right");
    let email_key = email.trim().to_lowercase();
    if !ratelimit::allow(&state.limits().login_per_address, client)
        || !ratelimit::allow(&state.limits().login_per_account, &email_key)
    {
        return Err(AppError::RateLimited);
    }
    let found = match EmailAddress::parse(email) {
        Ok(email) => accounts::member_with_hash_by_email(state.db(), email.as_str()).await?,
        Err(_) => None,
    };
    let (member, hash) = match &found {
        Some((member, hash)) => (Some(member), Some(hash.as_str())),
        None => (None, None),
    };
    let ok = verify_password_off_thread(password.to_owned(), hash.map(str::to_owned)).await;
    match member {
        Some(member) if ok => start_session(state, state.db(), member.id).await,
        _ => Err(wrong()),
    }
}

pub async fn log_out(state: &AppState, ctx: &Ctx) -> AppResult<()> {
    if let Some(session) = &ctx.session {
        accounts::delete_session(state.db(), session).await?;
        state.changed();
    }
    Ok(())
}

pub async fn log_out_everywhere(state: &AppState, ctx: &Ctx) -> AppResult<u64> {
    ctx.require(Action::ManageOwnAccount)?;
    let member = ctx.member()?;
    let ended = accounts::delete_member_sessions(state.db(), member.id).await?;
    state.changed();
    Ok(ended)
}

/// Send a reset link if the account exists. The answer is the same either way.
pub async fn request_reset(state: &AppState, email: &str, client: &str) -> AppResult<()> {
    let email = EmailAddress::parse(email).map_err(|e| AppError::Invalid(vec![FieldError::from_input("email", e)]))?;
    if !ratelimit::allow(&state.limits().reset_per_address, client) {
        return Err(AppError::RateLimited);
    }
    if !ratelimit::allow(&state.limits().reset_per_account, email.as_str()) {
        // Quietly: telling would reveal that the account exists.
        return Ok(());
    }
    let Some(member) = accounts::member_by_email(state.db(), email.as_str()).await? else {
        return Ok(());
    };
    if matches!(member.status, AccountStatus::Declined | AccountStatus::Removed) {
        return Ok(());
    }
    let token = random_token();
    let now = state.now();
    let community = state.community_name();
    let base_url = state.public_base();
    let body = format!(
        "Hello {name},\n\nSomeone (we hope you) asked to set a new password for your account at {community}.\n\n\
         To choose a new password, open this link within 2 hours:\n\n{base_url}/reset-password/{token}\n\n\
         If it was not you, you can ignore this email: your password has not changed.\n",
        name = member.name
    );
    let txn = state.store().begin().await?;
    accounts::create_reset(&txn, member.id, &token_hash(&token), now, now + RESET_LIFETIME).await?;
    mail::queue_secret(&txn, &member.email, &format!("Set a new password for {community}"), &body, now).await?;
    state.commit(txn).await?;
    state.wake_mailer();
    Ok(())
}

/// Whether a reset link is still good (for showing the form).
pub async fn reset_link_is_live(state: &AppState, token: &str) -> AppResult<bool> {
    Ok(accounts::reset_member(state.db(), &token_hash(token), state.now()).await?.is_some())
}

/// Set a new password through a reset link; ends every session of the account.
pub async fn reset_password(
    state: &AppState,
    token: &str,
    password: &str,
    password_again: &str,
    client: &str,
) -> AppResult<()> {
    let expired = || {
        AppError::gone(
            "reset_link_expired",
            "This link has expired or has already been used. Please ask for a new one.",
        )
    };
    if !ratelimit::allow(&state.limits().reset_per_address, client) {
        return Err(AppError::RateLimited);
    }
    if !reset_link_is_live(state, token).await? {
        return Err(expired());
    }
    let mut check = Check::new();
    let password = check.field("password", NewPassword::parse(password));
    if let Some(p) = &password
        && p.expose() != password_again
    {
        check.fail("password_again", "passwords_differ", "The two passwords are not the same");
    }
    check.finish()?;
    let Some(password) = password else {
        return Err(AppError::Internal("reset parse".to_owned()));
    };
    let password_hash = hash(&password).await?;
    let now = state.now();
    let txn = state.store().begin().await?;
    let Some(member) = accounts::consume_reset(&txn, &token_hash(token), now).await? else {
        return Err(AppError::gone(
            "reset_link_expired",
            "This link has expired or has already been used. Please ask for a new one.",
        ));
    };
    accounts::set_password_hash(&txn, member, &password_hash).await?;
    accounts::delete_member_sessions(&txn, member).await?;
    state.commit(txn).await?;
    Ok(())
}

/// Change one's password, knowing the current one.
pub async fn change_password(state: &AppState, ctx: &Ctx, current: &str, new: &str, again: &str) -> AppResult<()> {
    ctx.require(Action::ManageOwnAccount)?;
    let member = ctx.member()?;
    let mut check = Check::new();
    let password = check.field("new_password", NewPassword::parse(new));
    if password.is_some() && new != again {
        check.fail("new_password_again", "passwords_differ", "The two new passwords are not the same");
    }
    let stored = accounts::member_with_hash_by_email(state.db(), &member.email).await?.map(|(_, h)| h);
    let ok = verify_password_off_thread(current.to_owned(), stored).await;
    if !ok {
        check.fail("current_password", "password_wrong", "Your current password is not right");
    }
    check.finish()?;
    let Some(password) = password else {
        return Err(AppError::Internal("password parse".to_owned()));
    };
    let password_hash = hash(&password).await?;
    let txn = state.store().begin().await?;
    accounts::set_password_hash(&txn, member.id, &password_hash).await?;
    // Other devices and programs must be let in again with the new password.
    accounts::delete_member_sessions(&txn, member.id).await?;
    accounts::revoke_member_tokens(&txn, member.id, state.now()).await?;
    state.commit(txn).await?;
    Ok(())
}

/// Make a personal access token; the secret is returned once and stored only hashed.
pub async fn create_token(state: &AppState, ctx: &Ctx, name: &str) -> AppResult<(TokenId, String)> {
    ctx.require(Action::ManageOwnAccount)?;
    let member = ctx.member()?;
    let name = TokenName::parse(name).map_err(|e| AppError::Invalid(vec![FieldError::from_input("name", e)]))?;
    let id = TokenId::new_v7();
    let secret = format!("planet_{}", random_token());
    accounts::create_token(state.db(), id, member.id, name.as_str(), &token_hash(&secret), state.now()).await?;
    Ok((id, secret))
}

pub async fn revoke_token(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<()> {
    ctx.require(Action::ManageOwnAccount)?;
    let member = ctx.member()?;
    let id: TokenId = id.parse().map_err(|_| AppError::not_found())?;
    if accounts::revoke_token(state.db(), member.id, id, state.now()).await? {
        Ok(())
    } else {
        Err(AppError::not_found())
    }
}

pub async fn tokens(state: &AppState, ctx: &Ctx) -> AppResult<Vec<accounts::ApiToken>> {
    ctx.require(Action::ManageOwnAccount)?;
    let member = ctx.member()?;
    Ok(accounts::member_tokens(state.db(), member.id).await?)
}

//! Who is asking: the session cookie or an API token, turned into an `Actor` for every request.

use super::crypto::token_hash;
use crate::error::{ApiError, AppError};
use crate::state::AppState;
use crate::web::layout::{Layout, Nav, flash_message};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use chrono::Duration;
use planet_domain::policy::{Action, Actor, Resource, authorize};
use planet_domain::space::AccountStatus;
use planet_store::queries::accounts::{self, Member};
use planet_store::queries::notifications;

pub const SESSION_COOKIE: &str = "planet_session";

/// The actor behind a request, with what pages need to know about them.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub actor: Actor,
    pub member: Option<Member>,
    /// The hash of this request's session token, when it came with one.
    pub session: Option<String>,
    pub community: String,
    pub flash: Option<&'static str>,
    /// The time this request is answered at (from the server's `Clock`).
    pub now: chrono::DateTime<chrono::Utc>,
    /// The member's notifications not yet read (the bell).
    pub unread: u64,
}

impl Ctx {
    pub fn layout(&self, title: impl Into<String>) -> Layout {
        let nav = match &self.member {
            Some(member) => Nav {
                signed_in: true,
                member: member.status == AccountStatus::Member,
                steward: self.actor.is_steward(),
                name: member.name.clone(),
                unread: self.unread,
            },
            None => Nav::default(),
        };
        Layout { community: self.community.clone(), title: title.into(), nav, flash: self.flash }
    }

    /// Ask the one authorization path about a community-wide action.
    pub fn require(&self, action: Action) -> Result<(), AppError> {
        authorize(self.actor, action, Resource::Community).into_result().map_err(AppError::from)
    }

    /// Ask the one authorization path about an action on something in particular.
    pub fn require_on(&self, action: Action, resource: Resource<'_>) -> Result<(), AppError> {
        authorize(self.actor, action, resource).into_result().map_err(AppError::from)
    }

    /// The member, for actions that `require` has already allowed.
    pub fn member(&self) -> Result<&Member, AppError> {
        self.member.as_ref().ok_or(AppError::Denied(planet_domain::policy::Denial::LogIn))
    }
}

pub fn actor_for(member: &Member) -> Actor {
    match member.status {
        AccountStatus::Applicant => Actor::Applicant(member.id),
        AccountStatus::Declined => Actor::Declined(member.id),
        // A removed account can do nothing at all, like a suspended one.
        AccountStatus::Suspended | AccountStatus::Removed => Actor::Suspended(member.id),
        AccountStatus::Member => Actor::Member { id: member.id, steward: member.steward },
    }
}

fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

async fn resolve(parts: &Parts, state: &AppState) -> Result<Ctx, AppError> {
    let now = state.now();
    let flash = parts
        .uri
        .query()
        .and_then(|q| q.split('&').find_map(|pair| pair.strip_prefix("done=")))
        .and_then(|code| flash_message(Some(code)));
    let mut ctx = Ctx {
        actor: Actor::Anonymous,
        member: None,
        session: None,
        community: state.community_name(),
        flash,
        now,
        unread: 0,
    };
    if let Some(token) = bearer_token(&parts.headers) {
        // A token that does not open anything is an error, not an anonymous visit: the
        // program should learn its token was revoked.
        let member =
            accounts::token_member(state.db(), &token_hash(token), now).await?.ok_or_else(|| AppError::Refused {
                status: axum::http::StatusCode::UNAUTHORIZED,
                code: "invalid_token",
                message: "This API token is not valid: it may have been revoked.".to_owned(),
            })?;
        ctx.actor = actor_for(&member);
        ctx.unread = notifications::unread_count(state.db(), member.id).await?;
        ctx.member = Some(member);
        return Ok(ctx);
    }
    if let Some(token) = cookie_value(&parts.headers, SESSION_COOKIE) {
        let hash = token_hash(token);
        let session = match state.caches().session(&hash) {
            Some(cached) => Some(cached),
            None => {
                let generation = state.caches().generation();
                match accounts::session_member(state.db(), &hash, now).await? {
                    Some((member, last_seen, expires_at)) => {
                        let unread = notifications::unread_count(state.db(), member.id).await?;
                        let session = (member, last_seen, expires_at, unread);
                        state.caches().remember_session(generation, &hash, session.clone());
                        Some(session)
                    }
                    None => None,
                }
            }
        };
        if let Some((member, last_seen, expires_at, unread)) = session
            && expires_at > now
        {
            // Slide the expiry forward, at most once an hour, to keep writes rare.
            if now - last_seen > Duration::hours(1) {
                let expires = now + Duration::days(state.config().session_days);
                accounts::touch_session(state.db(), &hash, now, expires).await?;
                state.changed();
            }
            ctx.actor = actor_for(&member);
            ctx.member = Some(member);
            ctx.session = Some(hash);
            ctx.unread = unread;
        }
    }
    Ok(ctx)
}

/// The same actor, asked again now (for a live connection held open: the session may have
/// ended, the member been suspended). None when the session no longer opens anything.
pub async fn refresh(state: &AppState, ctx: &Ctx) -> Option<Ctx> {
    let hash = ctx.session.as_ref()?;
    let now = state.now();
    let (member, _, expires_at) = accounts::session_member(state.db(), hash, now).await.ok()??;
    if expires_at <= now {
        return None;
    }
    let mut fresh = ctx.clone();
    fresh.actor = actor_for(&member);
    fresh.member = Some(member);
    fresh.now = now;
    Some(fresh)
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        resolve(parts, state).await
    }
}

/// The same, for the JSON API: failures answer as JSON.
pub struct ApiCtx(pub Ctx);

impl FromRequestParts<AppState> for ApiCtx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ApiCtx(resolve(parts, state).await?))
    }
}

/// The `Set-Cookie` header for a new session.
pub fn session_cookie(token: &str, state: &AppState) -> HeaderValue {
    let max_age = state.config().session_days * 24 * 3600;
    let secure = if state.config().secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("planet_session=; Path=/"))
}

pub fn clear_session_cookie() -> HeaderValue {
    HeaderValue::from_static("planet_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

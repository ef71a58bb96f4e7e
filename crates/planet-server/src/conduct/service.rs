//! Reading and writing the code of conduct, and accepting it.

use crate::error::{AppError, AppResult, FieldError};
use crate::identity::session::Ctx;
use crate::state::AppState;
use planet_domain::policy::Action;
use planet_domain::text::MessageText;
use planet_store::ConnectionTrait;
use planet_store::StoreError;
use planet_store::queries::audit;
use planet_store::queries::community::{self, Conduct};

/// The code of conduct PlaNet starts with (version 0), until stewards write their own.
pub const FIRST_CODE: &str = "We are neighbours. **Be kind**, even when you disagree: talk about ideas, \
not about people.\n\n**No trashing of people**: no insults, mockery, threats or rumours.\n\n**Be honest**: no \
spam, no selling outside the community's rules, no pretending to be someone else.\n\n**Respect privacy**: \
do not share what others told you in confidence, or anyone's address or phone number.\n\nWhen something \
goes wrong, report it and let the moderators help — or ask the peacemakers.";

/// The code in force: its version and its Markdown.
pub async fn current(db: &impl ConnectionTrait) -> AppResult<(i32, String)> {
    Ok(match community::conduct(db).await? {
        Some(conduct) => (conduct.version, conduct.body),
        None => (0, FIRST_CODE.to_owned()),
    })
}

/// The code, for members to read.
pub async fn read(state: &AppState, ctx: &Ctx) -> AppResult<(i32, String, Option<i32>)> {
    ctx.require(Action::ViewCommunity)?;
    let (version, body) = current(state.db()).await?;
    let accepted = community::accepted_conduct(state.db(), ctx.member()?.id).await?.map(|(v, _)| v);
    Ok((version, body, accepted))
}

/// Accept the code in force (a member who joined before it was written or changed). `version` is
/// the one they read: if it changed meanwhile, they are asked to read the new one.
pub async fn accept(state: &AppState, ctx: &Ctx, version: &str) -> AppResult<i32> {
    ctx.require(Action::ViewCommunity)?;
    let (current, _) = current(state.db()).await?;
    if version.trim().parse::<i32>().ok() != Some(current) {
        return Err(AppError::refused(
            "conduct_changed",
            "The code of conduct changed while you were reading it. Please read the new version.",
        ));
    }
    community::accept_conduct(state.db(), ctx.member()?.id, current, state.now()).await?;
    Ok(current)
}

/// Writing (a topic, a message, a private message) needs the code in force accepted, once the
/// stewards have written one: whoever joined before it, or before it changed, agrees first.
pub async fn require_accepted(state: &AppState, ctx: &Ctx) -> AppResult<()> {
    let Some(conduct) = community::conduct(state.db()).await? else {
        return Ok(());
    };
    let accepted = community::accepted_conduct(state.db(), ctx.member()?.id).await?.map(|(v, _)| v);
    if accepted.is_some_and(|v| v >= conduct.version) {
        return Ok(());
    }
    Err(AppError::refused(
        "conduct_not_accepted",
        "Our code of conduct has changed. Please read it and agree to it before you write.",
    ))
}

/// The versions so far (stewards).
pub async fn history(state: &AppState, ctx: &Ctx) -> AppResult<Vec<Conduct>> {
    ctx.require(Action::WriteCodeOfConduct)?;
    Ok(community::conduct_versions(state.db(), 50).await?)
}

/// A steward writes a new version. Returns its number.
pub async fn write(state: &AppState, ctx: &Ctx, body: &str) -> AppResult<i32> {
    ctx.require(Action::WriteCodeOfConduct)?;
    let body = MessageText::parse(body).map_err(|e| AppError::Invalid(vec![FieldError::from_input("body", e)]))?;
    if body.as_str() == current(state.db()).await?.1 {
        return Err(AppError::invalid("body", "unchanged", "This is the code as it is: change something first"));
    }
    let me = ctx.member()?.id;
    let now = state.now();
    let txn = state.store().begin().await?;
    let version = match community::write_conduct(&txn, body.as_str(), me, now).await {
        Err(StoreError::Conflict(_)) => {
            return Err(AppError::refused(
                "conduct_changed",
                "Another steward saved a new version just now. Please read it and try again.",
            ));
        }
        other => other?,
    };
    audit::record(&txn, Some(me), "conduct.written", &format!("version {version}"), "", now).await?;
    // Whoever writes it agrees to it.
    community::accept_conduct(&txn, me, version, now).await?;
    state.commit(txn).await?;
    Ok(version)
}

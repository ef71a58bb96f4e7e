//! `/api/v1/transfers`, `/api/v1/accounts` and `/api/v1/currencies`: paying, asking, deciding
//! and statements for programs. A transfer's id is chosen by the client (a UUIDv7): the same id
//! with the same body answers the same; the same id with another body is 409.

use super::service::{self, TransferForm};
use super::statements;
use crate::error::{ApiResult, ErrorBody};
use crate::identity::session::{ApiCtx, Ctx};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::{DateTime, Utc};
use planet_domain::ledger::{EntryPurpose, TransferEvent, TransferKind, TransferState, format_minor_plain};
use planet_domain::{AccountId, CurrencyId, TransferId};
use planet_store::queries::ledger::transfers::Transfer;
use planet_store::queries::ledger::{Account, Currency};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct CurrencyDto {
    #[schema(value_type = String, format = Uuid)]
    pub id: CurrencyId,
    pub name: String,
    pub symbol: String,
    pub decimals: u8,
    /// Hundredths of a per cent of each payment that go to the community fund.
    pub levy_basis_points: u16,
}

impl From<&Currency> for CurrencyDto {
    fn from(c: &Currency) -> Self {
        Self {
            id: c.id,
            name: c.name.clone(),
            symbol: c.symbol.clone(),
            decimals: c.decimals.get(),
            levy_basis_points: c.levy_bp,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EntryDto {
    #[schema(value_type = String, format = Uuid)]
    pub from: AccountId,
    #[schema(value_type = String, format = Uuid)]
    pub to: AccountId,
    /// In the currency's units, as text ("2.50").
    pub amount: String,
    #[schema(value_type = String)]
    pub purpose: EntryPurpose,
}

#[derive(Serialize, ToSchema)]
pub struct TransferDto {
    #[schema(value_type = String, format = Uuid)]
    pub id: TransferId,
    #[schema(value_type = String)]
    pub kind: TransferKind,
    #[schema(value_type = String)]
    pub state: TransferState,
    #[schema(value_type = String, format = Uuid)]
    pub currency_id: CurrencyId,
    #[schema(value_type = String, format = Uuid)]
    pub payer_account: AccountId,
    #[schema(value_type = String, format = Uuid)]
    pub payee_account: AccountId,
    /// In the currency's units, as text ("2.50").
    pub amount: String,
    pub description: String,
    pub entries: Vec<EntryDto>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

async fn dto(state: &AppState, t: &Transfer) -> Result<TransferDto, crate::error::AppError> {
    let currency = service::currency_by_id(state, t.currency).await?.ok_or_else(crate::error::AppError::not_found)?;
    let plain = |minor: i64| format_minor_plain(minor, currency.decimals);
    Ok(TransferDto {
        id: t.id,
        kind: t.kind,
        state: t.state,
        currency_id: t.currency,
        payer_account: t.payer,
        payee_account: t.payee,
        amount: plain(t.amount),
        description: t.description.clone(),
        entries: t
            .entries
            .iter()
            .map(|e| EntryDto { from: e.from, to: e.to, amount: plain(e.amount), purpose: e.purpose })
            .collect(),
        created_at: t.created_at,
        expires_at: t.expires_at,
        finished_at: t.finished_at,
    })
}

/// The community's currencies.
#[utoipa::path(get, path = "/api/v1/currencies", tag = "accounts",
    responses((status = 200, body = [CurrencyDto]), (status = 401, body = ErrorBody)), security(("token" = [])))]
pub async fn currencies(State(state): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<Vec<CurrencyDto>> {
    ctx.require(planet_domain::policy::Action::UseAccounts)?;
    Ok(Json(service::live_currencies(&state).await?.iter().map(CurrencyDto::from).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct AccountDto {
    /// Nil until the account is first used.
    #[schema(value_type = String, format = Uuid)]
    pub id: AccountId,
    #[schema(value_type = String, format = Uuid)]
    pub currency_id: CurrencyId,
    /// Whose: "You", or the business or organisation.
    pub whose: String,
    pub balance: String,
    /// What may still be spent (none: no limit).
    pub spendable: Option<String>,
    pub pending_out: String,
    pub pending_in: String,
    /// The lowest and highest balance allowed (none: no limit), and whether they are the
    /// account's own (set by a steward) rather than the usual ones for its kind.
    pub floor: Option<String>,
    pub ceiling: Option<String>,
    pub own_limits: bool,
    /// Payments wait for a holder to accept them.
    pub confirm_incoming: bool,
    /// The caller is sent its statement by email each month.
    pub monthly_statement: bool,
}

fn account_dto(
    account: &Account,
    currency: &Currency,
    whose: String,
    me: Option<planet_domain::MemberId>,
) -> AccountDto {
    let d = currency.decimals;
    let s = account.standing;
    AccountDto {
        id: account.id,
        currency_id: currency.id,
        whose,
        balance: format_minor_plain(s.balance, d),
        spendable: s.spendable(account.limits).map(|m| format_minor_plain(m, d)),
        pending_out: format_minor_plain(s.pending_out, d),
        pending_in: format_minor_plain(s.pending_in, d),
        floor: account.limits.floor.map(|f| format_minor_plain(f, d)),
        ceiling: account.limits.ceiling.map(|c| format_minor_plain(c, d)),
        own_limits: account.own_limits,
        confirm_incoming: account.confirm_incoming,
        monthly_statement: me.is_some_and(|me| account.statement_to == Some(me)),
    }
}

#[derive(Serialize, ToSchema)]
pub struct AccountsDto {
    pub accounts: Vec<AccountDto>,
    /// Transfers waiting, that touch these accounts.
    pub waiting: Vec<TransferDto>,
}

/// My accounts and what waits.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts",
    responses((status = 200, body = AccountsDto), (status = 401, body = ErrorBody)), security(("token" = [])))]
pub async fn accounts(State(state): State<AppState>, ApiCtx(ctx): ApiCtx) -> ApiResult<AccountsDto> {
    let found = service::overview(&state, &ctx).await?;
    let me = ctx.member.as_ref().map(|m| m.id);
    let accounts = found.accounts.iter().map(|v| account_dto(&v.account, &v.currency, v.name.clone(), me)).collect();
    let mut waiting = Vec::new();
    for t in &found.waiting {
        waiting.push(dto(&state, t).await?);
    }
    Ok(Json(AccountsDto { accounts, waiting }))
}

#[derive(Serialize, ToSchema)]
pub struct LineDto {
    pub seq: i64,
    #[schema(value_type = String, format = Uuid)]
    pub transfer_id: TransferId,
    /// Signed: + in, − out.
    pub amount: String,
    pub balance: String,
    pub at: DateTime<Utc>,
    pub description: String,
    pub with: String,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct StatementParams {
    /// Lines before this line number (the `seq` of the last line of the previous page).
    pub before: Option<i64>,
}

/// An account's statement, newest first, 50 lines a page.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/statement", tag = "accounts", params(("id" = String, Path, description = "account id"), StatementParams),
    responses((status = 200, body = [LineDto]), (status = 404, body = ErrorBody)), security(("token" = [])))]
pub async fn statement(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Query(params): Query<StatementParams>,
) -> ApiResult<Vec<LineDto>> {
    let s = statements::statement(&state, &ctx, &id, params.before).await?;
    let d = s.currency.decimals;
    Ok(Json(
        s.lines
            .iter()
            .map(|l| LineDto {
                seq: l.seq,
                transfer_id: l.transfer,
                amount: format_minor_plain(l.amount, d),
                balance: format_minor_plain(l.balance, d),
                at: l.at,
                description: l.description.clone(),
                with: l.other_name.clone(),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct TransferBody {
    /// A UUIDv7 the client chooses; sending the same request again with it is safe.
    #[schema(value_type = String, format = Uuid)]
    pub id: String,
    /// "payment" (I pay them) or "request" (I ask them to pay me).
    pub kind: String,
    /// Their directory entry.
    #[schema(value_type = String, format = Uuid)]
    pub to: String,
    #[schema(value_type = String, format = Uuid)]
    pub currency: String,
    /// In the currency's units, as text ("2.50").
    pub amount: String,
    /// What it is for.
    #[serde(rename = "for")]
    pub what: String,
    /// Pay from a business or organisation one runs (its entry id).
    pub from: String,
    /// The deal it settles, if any.
    pub deal: String,
}

/// Pay someone, or ask them to pay.
#[utoipa::path(post, path = "/api/v1/transfers", tag = "accounts", request_body = TransferBody,
    responses((status = 200, body = TransferDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
pub async fn start(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Json(body): Json<TransferBody>,
) -> ApiResult<TransferDto> {
    let kind = match body.kind.as_str() {
        "payment" | "" => TransferKind::Payment,
        "request" => TransferKind::Request,
        _ => {
            return Err(crate::error::AppError::invalid("kind", "kind", "Say \"payment\" or \"request\".").into());
        }
    };
    let form = TransferForm {
        id: body.id,
        to: body.to,
        currency: body.currency,
        amount: body.amount,
        what: body.what,
        from: body.from,
        deal: body.deal,
    };
    let applied = service::start(&state, &ctx, kind, &form).await?;
    Ok(Json(dto(&state, &applied.transfer).await?))
}

/// A transfer one takes part in.
#[utoipa::path(get, path = "/api/v1/transfers/{id}", tag = "accounts", params(("id" = String, Path, description = "transfer id")),
    responses((status = 200, body = TransferDto), (status = 404, body = ErrorBody)), security(("token" = [])))]
pub async fn get(State(state): State<AppState>, ApiCtx(ctx): ApiCtx, Path(id): Path<String>) -> ApiResult<TransferDto> {
    let view = service::view(&state, &ctx, &id).await?;
    Ok(Json(dto(&state, &view.transfer).await?))
}

async fn decide(state: &AppState, ctx: &Ctx, id: &str, event: TransferEvent) -> ApiResult<TransferDto> {
    let t = service::decide(state, ctx, id, event).await?;
    Ok(Json(dto(state, &t).await?))
}

/// Accept a waiting payment or request (the one it waits for). Asking again answers the same.
#[utoipa::path(post, path = "/api/v1/transfers/{id}/accept", tag = "accounts", params(("id" = String, Path, description = "transfer id")),
    responses((status = 200, body = TransferDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 410, body = ErrorBody)), security(("token" = [])))]
pub async fn accept(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> ApiResult<TransferDto> {
    decide(&state, &ctx, &id, TransferEvent::Accept).await
}

/// Decline a waiting payment or request (the one it waits for).
#[utoipa::path(post, path = "/api/v1/transfers/{id}/decline", tag = "accounts", params(("id" = String, Path, description = "transfer id")),
    responses((status = 200, body = TransferDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 410, body = ErrorBody)), security(("token" = [])))]
pub async fn decline(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> ApiResult<TransferDto> {
    decide(&state, &ctx, &id, TransferEvent::Decline).await
}

/// Cancel a transfer one started, while it waits.
#[utoipa::path(post, path = "/api/v1/transfers/{id}/cancel", tag = "accounts", params(("id" = String, Path, description = "transfer id")),
    responses((status = 200, body = TransferDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 410, body = ErrorBody)), security(("token" = [])))]
pub async fn cancel(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> ApiResult<TransferDto> {
    decide(&state, &ctx, &id, TransferEvent::Cancel).await
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ReverseBody {
    /// A UUIDv7 the client chooses for the reversal.
    #[schema(value_type = String, format = Uuid)]
    pub id: String,
    /// Why it is put right.
    #[serde(rename = "for")]
    pub why: String,
}

/// Ask to put a completed payment right (either side): a payment back of each of its entries,
/// waiting for the other side to accept it.
#[utoipa::path(post, path = "/api/v1/transfers/{id}/reverse", tag = "accounts", params(("id" = String, Path, description = "transfer id")), request_body = ReverseBody,
    responses((status = 200, body = TransferDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
pub async fn reverse(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Json(body): Json<ReverseBody>,
) -> ApiResult<TransferDto> {
    let applied = service::reverse(&state, &ctx, &id, &body.id, &body.why).await?;
    Ok(Json(dto(&state, &applied.transfer).await?))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct LimitsBody {
    /// The lowest balance allowed, in the currency's units ("-250", "0").
    pub floor: String,
    /// The highest balance allowed (empty: none).
    pub ceiling: String,
    /// True to go back to the usual limits for the account's kind.
    pub usual: bool,
}

/// Give an account limits of its own, or return it to the usual ones (stewards).
#[utoipa::path(post, path = "/api/v1/accounts/{id}/limits", tag = "accounts", params(("id" = String, Path, description = "account id")), request_body = LimitsBody,
    responses((status = 200, body = AccountDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("token" = [])))]
pub async fn limits(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Json(body): Json<LimitsBody>,
) -> ApiResult<AccountDto> {
    let form = super::stewards::AccountLimitsForm {
        floor: body.floor,
        ceiling: body.ceiling,
        usual: if body.usual { "yes".to_owned() } else { String::new() },
    };
    super::stewards::set_account_limits(&state, &ctx, &id, &form).await?;
    one_account(&state, &ctx, &id).await
}

async fn one_account(state: &AppState, ctx: &Ctx, id: &str) -> ApiResult<AccountDto> {
    let (account, _) = service::readable_account(state, ctx, id).await?;
    let currency =
        service::currency_by_id(state, account.currency).await?.ok_or_else(crate::error::AppError::not_found)?;
    let whose = planet_store::queries::ledger::statement::account_names(state.db(), &[account.id])
        .await?
        .remove(&account.id)
        .unwrap_or_default();
    Ok(Json(account_dto(&account, &currency, whose, ctx.member.as_ref().map(|m| m.id))))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct SettingsBody {
    /// Payments wait for a holder to accept them.
    pub confirm_incoming: bool,
    /// Send me its statement by email each month.
    pub monthly_statement: bool,
}

/// An account's settings, for one who holds it.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/settings", tag = "accounts", params(("id" = String, Path, description = "account id")), request_body = SettingsBody,
    responses((status = 200, body = AccountDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("token" = [])))]
pub async fn settings(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    Json(body): Json<SettingsBody>,
) -> ApiResult<AccountDto> {
    service::set_account_settings(&state, &ctx, &id, body.confirm_incoming, body.monthly_statement).await?;
    one_account(&state, &ctx, &id).await
}

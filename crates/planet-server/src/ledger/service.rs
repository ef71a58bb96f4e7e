//! The accounts' use cases: my accounts, paying and asking to be paid (checked, then written by
//! the group-commit writer), deciding what waits, statements, and the stewards' currencies.

use super::apply::{Applied, Op};
use super::holders::{holds, owners_held_by};
use super::writer::submit;
use crate::error::{AppError, AppResult, FieldError};
use crate::identity::crypto::token_hash;
use crate::identity::session::Ctx;
use crate::state::AppState;
use chrono::Duration;
use planet_domain::ledger::{
    AccountKind, Amount, Entry, TransferEvent, TransferKind, TransferRoles, TransferState, check_parties, entries,
    parse_description, reversed,
};
use planet_domain::policy::{AccountFacts, Action, Resource, TransferFacts};
use planet_domain::profile::ProfileKind;
use planet_domain::{AccountId, CurrencyId, DealId, MemberId, ProfileId, TransferId};
use planet_store::queries::ledger::statement::{self};
use planet_store::queries::ledger::transfers::{self, Transfer};
use planet_store::queries::ledger::{self, Account, Currency};
use planet_store::queries::people;
use std::collections::HashMap;
use uuid::Uuid;

/// Statement lines on a page.
pub const STATEMENT_PAGE: u64 = 50;

fn currency_not_found() -> AppError {
    AppError::invalid("currency", "unknown_currency", "Choose one of the community's currencies.")
}

/// Every currency, retired ones too (cached; see `ledger::cache`).
async fn all_currencies(state: &AppState) -> AppResult<std::sync::Arc<Vec<Currency>>> {
    if let Some(found) = state.ledger_cache().currencies() {
        return Ok(found);
    }
    let found = std::sync::Arc::new(ledger::currencies(state.db()).await?);
    state.ledger_cache().remember_currencies(found.clone());
    Ok(found)
}

pub(crate) async fn currency_by_id(state: &AppState, id: CurrencyId) -> AppResult<Option<Currency>> {
    Ok(all_currencies(state).await?.iter().find(|c| c.id == id).cloned())
}

/// The currencies members use now (not retired).
pub async fn live_currencies(state: &AppState) -> AppResult<Vec<Currency>> {
    Ok(all_currencies(state).await?.iter().filter(|c| !c.retired).cloned().collect())
}

pub(crate) async fn live_currency(state: &AppState, id: &str) -> AppResult<Currency> {
    let id: CurrencyId = id.trim().parse().map_err(|_| currency_not_found())?;
    match currency_by_id(state, id).await? {
        Some(c) if !c.retired => Ok(c),
        _ => Err(currency_not_found()),
    }
}

/// An account as a member sees it: whose, in what, and how it stands.
#[derive(Debug, Clone)]
pub struct AccountView {
    pub account: Account,
    pub currency: Currency,
    pub name: String,
}

/// The member's own accounts, one per live currency (shown at zero before their first use),
/// and those of the entries they run; and the transfers waiting for them.
pub struct Overview {
    pub accounts: Vec<AccountView>,
    pub waiting: Vec<Transfer>,
    pub names: HashMap<AccountId, String>,
    pub currencies: HashMap<CurrencyId, Currency>,
    pub held: Vec<AccountId>,
}

pub async fn overview(state: &AppState, ctx: &Ctx) -> AppResult<Overview> {
    ctx.require(Action::UseAccounts)?;
    let me = ctx.member()?.id;
    let currencies = live_currencies(state).await?;
    let owners = owners_held_by(state.db(), me).await?;
    let existing = ledger::accounts_of(state.db(), &owners).await?;
    let entry_names =
        people::names(state.db(), &owners.iter().map(|o| ProfileId::from_uuid(*o)).collect::<Vec<_>>()).await?;
    let mut accounts = Vec::new();
    for currency in &currencies {
        let mine = existing.iter().find(|a| a.currency == currency.id && a.owner == me.uuid()).copied();
        let account = mine.unwrap_or(Account {
            id: AccountId::from_uuid(Uuid::nil()),
            currency: currency.id,
            kind: AccountKind::Person,
            owner: me.uuid(),
            standing: Default::default(),
            limits: currency.kind_limits(AccountKind::Person),
            own_limits: false,
            confirm_incoming: false,
            statement_to: None,
            postings: 0,
        });
        accounts.push(AccountView { account, currency: currency.clone(), name: "You".to_owned() });
    }
    for account in existing.iter().filter(|a| a.owner != me.uuid()) {
        let Some(currency) = currencies.iter().find(|c| c.id == account.currency) else { continue };
        let name = entry_names.get(&ProfileId::from_uuid(account.owner)).map(|(n, _)| n.clone()).unwrap_or_default();
        accounts.push(AccountView { account: *account, currency: currency.clone(), name });
    }
    let held: Vec<AccountId> = existing.iter().map(|a| a.id).collect();
    let waiting = transfers::pending_for(state.db(), &held).await?;
    let mut ids: Vec<AccountId> = waiting.iter().flat_map(|t| [t.payer, t.payee]).collect();
    ids.dedup();
    let names = statement::account_names(state.db(), &ids).await?;
    let currencies = currencies.into_iter().map(|c| (c.id, c)).collect();
    Ok(Overview { accounts, waiting, names, currencies, held })
}

/// What a member fills in to pay someone or ask them for payment.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct TransferForm {
    /// The request's id (a UUIDv7 chosen by the client; the same id is the same request).
    #[serde(default)]
    pub id: String,
    /// The directory entry to pay, or to ask.
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub amount: String,
    /// What it is for.
    #[serde(default, rename = "for")]
    pub what: String,
    /// Pay from a business or organisation one runs (its entry); empty: one's own account.
    #[serde(default)]
    pub from: String,
    /// The deal on the offers page it settles, if any.
    #[serde(default)]
    pub deal: String,
}

/// A payment or request, checked and ready to confirm.
#[derive(Debug, Clone)]
pub struct Checked {
    pub kind: TransferKind,
    pub id: TransferId,
    pub currency: Currency,
    pub amount: Amount,
    pub what: String,
    pub mine: Account,
    pub mine_name: String,
    pub other: Account,
    pub other_name: String,
    pub deal: Option<DealId>,
    pub entries: Vec<Entry<AccountId>>,
    /// What the member's account will stand at once it completes.
    pub balance_after: i64,
    pub levy: i64,
}

/// Check a payment (`Payment`) or a request (`Request`) without writing anything but the
/// accounts it needs (opened empty on first use).
pub async fn check(state: &AppState, ctx: &Ctx, kind: TransferKind, form: &TransferForm) -> AppResult<Checked> {
    ctx.require(Action::UseAccounts)?;
    let me = ctx.member()?;
    let mut errors = Vec::new();
    let currency = match live_currency(state, &form.currency).await {
        Ok(c) => Some(c),
        Err(AppError::Invalid(mut e)) => {
            errors.append(&mut e);
            None
        }
        Err(other) => return Err(other),
    };
    let other = match form.to.trim().parse::<ProfileId>() {
        Ok(id) => people::profile(state.db(), id).await?,
        Err(_) => None,
    };
    if other.is_none() {
        errors.push(FieldError::new("to", "unknown_person", "Choose who it is with from the directory."));
    }
    let amount = currency.as_ref().map(|c| Amount::parse(&form.amount, c.decimals));
    if let Some(Err(e)) = &amount {
        errors.push(FieldError::from_input("amount", e.clone()));
    }
    let what = parse_description(&form.what);
    if let Err(e) = &what {
        errors.push(FieldError::from_input("for", e.clone()));
    }
    let from_owner = if form.from.trim().is_empty() {
        me.id.uuid()
    } else {
        let owner: Uuid = form
            .from
            .trim()
            .parse()
            .map_err(|_| AppError::invalid("from", "not_yours", "Choose an account you hold."))?;
        if !owners_held_by(state.db(), me.id).await?.contains(&owner) {
            return Err(AppError::invalid("from", "not_yours", "Choose an account you hold."));
        }
        owner
    };
    if let Some(other) = &other
        && let Err(e) = check_parties(&other.id.uuid(), &from_owner)
    {
        errors.push(FieldError::from_input("to", e));
    }
    let id = parse_request_id(&form.id);
    if let Err(e) = &id {
        errors.push(e.clone());
    }
    let (Some(currency), Some(other), Some(Ok(amount)), Ok(what), Ok(id)) = (currency, other, amount, what, id) else {
        return Err(AppError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let deal = deal_of(state, form, me.id).await?;
    let now = state.now();
    let mine_kind = if from_owner == me.id.uuid() {
        AccountKind::Person
    } else {
        let entry =
            people::profile(state.db(), ProfileId::from_uuid(from_owner)).await?.ok_or_else(AppError::not_found)?;
        kind_of(entry.kind)
    };
    let mine = ledger::open_account(state.db(), currency.id, mine_kind, from_owner, now).await?;
    let theirs = ledger::open_account(state.db(), currency.id, kind_of(other.kind), other.id.uuid(), now).await?;
    let fund = ledger::fund(state.db(), currency.id).await?;
    let (payer, payee) = if kind == TransferKind::Request { (theirs, mine) } else { (mine, theirs) };
    let moves = entries(kind, payer.id, payee.id, amount, fund.map(|f| f.id), currency.levy_bp);
    let levy: i64 = moves.iter().skip(1).map(|e| e.amount).sum();
    let balance_after = if kind == TransferKind::Request {
        mine.standing.balance + amount.minor()
    } else {
        mine.standing.balance - amount.minor() - levy
    };
    if kind == TransferKind::Payment && !mine.standing.may_send(amount.minor() + levy, mine.limits) {
        let spendable = mine.standing.spendable(mine.limits).unwrap_or(0);
        return Err(AppError::invalid(
            "amount",
            "over_limit",
            format!(
                "This is more than you can spend just now. You can spend up to {} {}.",
                planet_domain::ledger::format_minor(spendable, currency.decimals),
                currency.name
            ),
        ));
    }
    let mine_name = if from_owner == me.id.uuid() { me.name.clone() } else { String::new() };
    Ok(Checked {
        kind,
        id,
        currency,
        amount,
        what,
        mine,
        mine_name,
        other: theirs,
        other_name: other.name,
        deal,
        entries: moves,
        balance_after,
        levy,
    })
}

/// The deal a payment settles: only one the member took part in (anything else is left out,
/// so nobody marks someone else's deal as paid).
async fn deal_of(state: &AppState, form: &TransferForm, me: MemberId) -> AppResult<Option<DealId>> {
    let Ok(id) = form.deal.trim().parse::<DealId>() else { return Ok(None) };
    let deal = planet_store::queries::synergy::deals::get(state.db(), id).await?;
    Ok(deal.filter(|d| d.poster == me || d.other == me).map(|d| d.id))
}

pub(crate) fn kind_of(kind: ProfileKind) -> AccountKind {
    match kind {
        ProfileKind::Person => AccountKind::Person,
        ProfileKind::Business => AccountKind::Business,
        ProfileKind::Organisation => AccountKind::Organisation,
    }
}

pub(crate) fn parse_request_id(text: &str) -> Result<TransferId, FieldError> {
    match text.trim().parse::<Uuid>() {
        Ok(id) if id.get_version_num() == 7 => Ok(TransferId::from_uuid(id)),
        _ => Err(FieldError::new(
            "id",
            "request_id",
            "This form is out of date. Please go back, reload the page and try again.",
        )),
    }
}

/// A new request id for a form (so that sending it twice pays once).
pub fn new_request_id() -> String {
    TransferId::new_v7().to_string()
}

/// Pay someone, or ask them for payment: checked again, then written. The same request (same
/// id, same details, same member) answers with the same transfer; the same id with other
/// details is refused.
pub async fn start(state: &AppState, ctx: &Ctx, kind: TransferKind, form: &TransferForm) -> AppResult<Applied> {
    ctx.require(Action::UseAccounts)?;
    let me = ctx.member()?.id;
    // What was sent, as sent: the same id with this very body is the same request, answered as
    // before whatever has changed since (a balance, a limit); with another body it is refused.
    let hash = request_hash(&[
        kind.as_str(),
        form.to.trim(),
        form.currency.trim(),
        form.amount.trim(),
        form.what.trim(),
        form.from.trim(),
        form.deal.trim(),
    ]);
    if let Ok(id) = parse_request_id(&form.id)
        && let Some(existing) = transfers::transfer(state.db(), id).await?
    {
        return same_request(existing, me, &hash);
    }
    let checked = check(state, ctx, kind, form).await?;
    let (payer, payee) = if kind == TransferKind::Request {
        (checked.other.id, checked.mine.id)
    } else {
        (checked.mine.id, checked.other.id)
    };
    let now = state.now();
    let transfer = Transfer {
        id: checked.id,
        kind,
        state: TransferState::Pending,
        currency: checked.currency.id,
        payer,
        payee,
        amount: checked.amount.minor(),
        description: checked.what.clone(),
        listing: None,
        deal: checked.deal,
        reversal_of: None,
        started_by: me,
        request_hash: hash,
        created_at: now,
        expires_at: Some(now + Duration::days(checked.currency.pending_days)),
        finished_at: None,
        finished_by: None,
        entries: checked.entries,
    };
    submit(state, Op::Start { transfer: Box::new(transfer) }).await
}

/// What was sent, as one hash: each field with its length before it, so no two different
/// requests run together into the same text.
pub(crate) fn request_hash(fields: &[&str]) -> String {
    let text: String = fields.iter().map(|f| format!("{}:{f};", f.len())).collect();
    token_hash(&text)
}

/// A request whose id is already used: the same answer when it is the same member's same
/// request; refused otherwise (and nothing is said about the transfer that has the id).
pub(crate) fn same_request(existing: Transfer, me: MemberId, hash: &str) -> AppResult<Applied> {
    if existing.started_by == me && existing.request_hash == hash {
        return Ok(Applied { transfer: existing, repeated: true, told: Vec::new() });
    }
    Err(AppError::refused(
        "idempotency_conflict",
        "This request's id was already used for a different request. Nothing was changed.",
    ))
}

/// A transfer and how the member stands to it.
pub struct TransferView {
    pub transfer: Transfer,
    pub currency: Currency,
    pub names: HashMap<AccountId, String>,
    pub roles: TransferRoles,
    pub started_by_name: String,
    pub finished_by_name: String,
    /// A reversal of it waiting or done.
    pub reversed_by: Option<TransferId>,
}

async fn roles_of(state: &AppState, ctx: &Ctx, t: &Transfer) -> AppResult<TransferRoles> {
    let me = ctx.member()?.id;
    let accounts = ledger::accounts(state.db(), &[t.payer, t.payee]).await?;
    let holds_it = |who: MemberId, id: AccountId| {
        let account = accounts.get(&id).copied();
        async move {
            match account {
                Some(a) => holds(state.db(), who, &a).await,
                None => Ok(false),
            }
        }
    };
    Ok(TransferRoles {
        pays: holds_it(me, t.payer).await?,
        receives: holds_it(me, t.payee).await?,
        started: t.started_by == me,
        steward: false,
        system: false,
        starter_pays: holds_it(t.started_by, t.payer).await?,
        starter_receives: holds_it(t.started_by, t.payee).await?,
    })
}

async fn transfer_for(state: &AppState, ctx: &Ctx, id: &str, action: Action) -> AppResult<(Transfer, TransferRoles)> {
    ctx.require(Action::UseAccounts)?;
    let id: TransferId = id.parse().map_err(|_| AppError::not_found())?;
    let t = transfers::transfer(state.db(), id).await?.ok_or_else(AppError::not_found)?;
    let roles = roles_of(state, ctx, &t).await?;
    let facts = TransferFacts { kind: t.kind, roles };
    // Whoever may not see it is told it is not there.
    ctx.require_on(Action::ReadTransfer, Resource::Transfer(facts)).map_err(|_| AppError::not_found())?;
    ctx.require_on(action, Resource::Transfer(facts))?;
    Ok((t, TransferRoles { steward: ctx.actor.is_steward(), ..roles }))
}

pub async fn view(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<TransferView> {
    let (transfer, roles) = transfer_for(state, ctx, id, Action::ReadTransfer).await?;
    let currency = currency_by_id(state, transfer.currency).await?.ok_or_else(AppError::not_found)?;
    let mut ids: Vec<AccountId> = transfer.entries.iter().flat_map(|e| [e.from, e.to]).collect();
    ids.dedup();
    let names = statement::account_names(state.db(), &ids).await?;
    let people: Vec<MemberId> = [Some(transfer.started_by), transfer.finished_by].into_iter().flatten().collect();
    let found = planet_store::queries::accounts::members_by_ids(state.db(), &people).await?;
    let name_of = |id: Option<MemberId>| {
        id.and_then(|id| found.iter().find(|m| m.id == id)).map(|m| m.name.clone()).unwrap_or_default()
    };
    let reversed_by = transfers::reversals_of(state.db(), transfer.id).await?.first().map(|r| r.id);
    Ok(TransferView {
        started_by_name: name_of(Some(transfer.started_by)),
        finished_by_name: name_of(transfer.finished_by),
        transfer,
        currency,
        names,
        roles,
        reversed_by,
    })
}

/// Accept, decline or cancel a waiting transfer. Asking again after it is done answers the same.
pub async fn decide(state: &AppState, ctx: &Ctx, id: &str, event: TransferEvent) -> AppResult<Transfer> {
    let (t, roles) = transfer_for(state, ctx, id, Action::DecideTransfer).await?;
    let applied = submit(state, Op::Decide { id: t.id, event, roles, by: Some(ctx.member()?.id) }).await?;
    if applied.transfer.state == TransferState::Expired && event != TransferEvent::Expire {
        return Err(AppError::gone("transfer_expired", "This waited too long and has expired. Nothing was paid."));
    }
    Ok(applied.transfer)
}

/// Ask to put a completed payment right: a reversal of each of its entries, waiting for the
/// other side to agree.
pub async fn reverse(state: &AppState, ctx: &Ctx, id: &str, request_id: &str, why: &str) -> AppResult<Applied> {
    let (original, roles) = transfer_for(state, ctx, id, Action::DecideTransfer).await?;
    if !planet_domain::ledger::may_start_reversal(roles) {
        return Err(AppError::Denied(planet_domain::policy::Denial::Forbidden));
    }
    let request = parse_request_id(request_id).map_err(|e| AppError::Invalid(vec![e]))?;
    let hash = request_hash(&["reversal", &original.id.to_string(), why.trim()]);
    if let Some(existing) = transfers::transfer(state.db(), request).await? {
        return same_request(existing, ctx.member()?.id, &hash);
    }
    let why = parse_description(why).map_err(|e| AppError::Invalid(vec![FieldError::from_input("for", e)]))?;
    let currency = currency_by_id(state, original.currency).await?.ok_or_else(AppError::not_found)?;
    let now = state.now();
    let me = ctx.member()?.id;
    let transfer = Transfer {
        id: request,
        kind: TransferKind::Reversal,
        state: TransferState::Pending,
        currency: original.currency,
        payer: original.payee,
        payee: original.payer,
        amount: original.amount,
        description: why.clone(),
        listing: original.listing,
        deal: original.deal,
        reversal_of: Some(original.id),
        started_by: me,
        request_hash: hash,
        created_at: now,
        expires_at: Some(now + Duration::days(currency.pending_days)),
        finished_at: None,
        finished_by: None,
        entries: reversed(&original.entries),
    };
    submit(state, Op::Start { transfer: Box::new(transfer) }).await
}

/// An account the member may read ("not found" otherwise), with how they stand to it.
pub(crate) async fn readable_account(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<(Account, AccountFacts)> {
    ctx.require(Action::UseAccounts)?;
    let id: AccountId = id.parse().map_err(|_| AppError::not_found())?;
    let account = ledger::account(state.db(), id).await?.ok_or_else(AppError::not_found)?;
    let facts = AccountFacts {
        actor_holds: holds(state.db(), ctx.member()?.id, &account).await?,
        fund: account.kind == AccountKind::Fund,
        system: account.kind == AccountKind::System,
    };
    ctx.require_on(Action::ReadAccount, Resource::Account(facts)).map_err(|_| AppError::not_found())?;
    Ok((account, facts))
}

/// Whether the holder accepts each incoming payment before it completes.
/// An account's settings: accept each payment first; a statement by email each month.
pub async fn set_account_settings(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    confirm: bool,
    monthly: bool,
) -> AppResult<()> {
    let (account, facts) = readable_account(state, ctx, id).await?;
    ctx.require_on(Action::HoldAccount, Resource::Account(facts))?;
    // Asked for this month, the first statement is this month's: last month's is not sent late.
    let last_month = super::monthly::last_month_key(state.now());
    let txn = state.store().begin().await?;
    ledger::set_confirm_incoming(&txn, account.id, confirm).await?;
    ledger::set_monthly_statement(&txn, account.id, ctx.member()?.id, monthly, &last_month).await?;
    state.commit(txn).await?;
    Ok(())
}

/// Expire what waited too long (every minute; through the writer, so each once), and send the
/// monthly statements that are due.
pub async fn run_expiry(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        if let Err(err) = expire_due(&state).await {
            tracing::warn!(error = ?err, "expiring waiting transfers failed; will try again");
        }
        if let Err(err) = super::monthly::send_monthly_statements(&state).await {
            tracing::warn!(error = ?err, "monthly statements failed; will try again");
        }
    }
}

/// Expire every waiting transfer whose time has run out. Returns how many.
pub async fn expire_due(state: &AppState) -> AppResult<usize> {
    let due = transfers::due_to_expire(state.db(), state.now(), 500).await?;
    let mut expired = 0;
    for id in due {
        let roles = TransferRoles { system: true, ..TransferRoles::default() };
        let applied = submit(state, Op::Decide { id, event: TransferEvent::Expire, roles, by: None }).await?;
        if !applied.repeated {
            expired += 1;
        }
    }
    Ok(expired)
}

/// Payments made for a deal on the offers page, in words ("3 Diss Hours, done"), newest first.
pub async fn paid_for_deal(state: &AppState, deal: DealId) -> AppResult<Vec<(TransferId, String)>> {
    let found = transfers::of_deal(state.db(), deal).await?;
    let mut out = Vec::new();
    for t in found.iter().filter(|t| matches!(t.state, TransferState::Completed | TransferState::Pending)) {
        let Some(currency) = currency_by_id(state, t.currency).await? else { continue };
        let amount = planet_domain::ledger::format_minor(t.amount, currency.decimals);
        out.push((t.id, format!("{amount} {}, {}", currency.name, t.state.label().to_lowercase())));
    }
    Ok(out)
}

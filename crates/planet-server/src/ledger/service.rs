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
    AccountKind, Amount, Decimals, Entry, Limits, TransferEvent, TransferKind, TransferRoles, TransferState,
    check_parties, entries, parse_currency_name, parse_description, parse_minor, reversed,
};
use planet_domain::policy::{AccountFacts, Action, Resource, TransferFacts};
use planet_domain::profile::ProfileKind;
use planet_domain::{AccountId, CurrencyId, DealId, MemberId, ProfileId, TransferId};
use planet_store::queries::ledger::statement::{self, Line};
use planet_store::queries::ledger::transfers::{self, Transfer};
use planet_store::queries::ledger::{self, Account, Currency, NewCurrency, Totals};
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

async fn live_currency(state: &AppState, id: &str) -> AppResult<Currency> {
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

fn kind_of(kind: ProfileKind) -> AccountKind {
    match kind {
        ProfileKind::Person => AccountKind::Person,
        ProfileKind::Business => AccountKind::Business,
        ProfileKind::Organisation => AccountKind::Organisation,
    }
}

fn parse_request_id(text: &str) -> Result<TransferId, FieldError> {
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
fn request_hash(fields: &[&str]) -> String {
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

/// Whether the holder accepts each incoming payment before it completes.
pub async fn set_confirm_incoming(state: &AppState, ctx: &Ctx, id: &str, confirm: bool) -> AppResult<()> {
    ctx.require(Action::UseAccounts)?;
    let id: AccountId = id.parse().map_err(|_| AppError::not_found())?;
    let account = ledger::account(state.db(), id).await?.ok_or_else(AppError::not_found)?;
    let facts = AccountFacts {
        actor_holds: holds(state.db(), ctx.member()?.id, &account).await?,
        fund: account.kind == AccountKind::Fund,
        system: account.kind == AccountKind::System,
    };
    ctx.require_on(Action::ReadAccount, Resource::Account(facts)).map_err(|_| AppError::not_found())?;
    ctx.require_on(Action::HoldAccount, Resource::Account(facts))?;
    ledger::set_confirm_incoming(state.db(), id, confirm).await?;
    Ok(())
}

/// A point of the balance chart: when, and the balance after it.
pub type BalancePoint = (chrono::DateTime<chrono::Utc>, i64);

/// An account's statement, newest first, and whose it is.
pub struct Statement {
    pub account: Account,
    pub currency: Currency,
    pub name: String,
    pub lines: Vec<Line>,
    /// The line number to ask for the next page with.
    pub next: Option<i64>,
    /// On the first page: the balance before the chart's window, and after each line in it.
    pub chart: Option<(i64, Vec<BalancePoint>)>,
}

/// How far back the balance chart looks, and how many points it draws at most.
pub const CHART_DAYS: i64 = 90;
pub const CHART_POINTS: usize = 240;

/// An account the member may read ("not found" otherwise), with its currency, and whether
/// they hold it (or are a steward): others reading the fund see the levies it received but
/// not whose payments they came from.
async fn readable_account(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<(Account, Currency, bool)> {
    ctx.require(Action::UseAccounts)?;
    let id: AccountId = id.parse().map_err(|_| AppError::not_found())?;
    let account = ledger::account(state.db(), id).await?.ok_or_else(AppError::not_found)?;
    let facts = AccountFacts {
        actor_holds: holds(state.db(), ctx.member()?.id, &account).await?,
        fund: account.kind == AccountKind::Fund,
        system: account.kind == AccountKind::System,
    };
    ctx.require_on(Action::ReadAccount, Resource::Account(facts)).map_err(|_| AppError::not_found())?;
    let currency = currency_by_id(state, account.currency).await?.ok_or_else(AppError::not_found)?;
    let insider = facts.actor_holds || ctx.actor.is_steward();
    Ok((account, currency, insider))
}

/// A levy's line, as someone outside the payment sees it: that a levy came in, not from whom
/// or for what.
fn masked(mut lines: Vec<Line>, insider: bool) -> Vec<Line> {
    if !insider {
        for line in lines.iter_mut().filter(|l| l.purpose == planet_domain::ledger::EntryPurpose::Levy) {
            line.description = "Levy on a payment".to_owned();
            line.other_name = String::new();
        }
    }
    lines
}

pub async fn statement(state: &AppState, ctx: &Ctx, id: &str, before: Option<i64>) -> AppResult<Statement> {
    let (account, currency, insider) = readable_account(state, ctx, id).await?;
    let id = account.id;
    if before.is_none() {
        let page = first_page(state, &account).await?;
        return Ok(Statement {
            account,
            currency,
            name: page.name.clone(),
            lines: masked(page.lines.clone(), insider),
            next: page.next,
            chart: Some(page.chart.clone()),
        });
    }
    let lines = masked(statement::lines(state.db(), id, before, STATEMENT_PAGE).await?, insider);
    let next = (lines.len() as u64 == STATEMENT_PAGE).then(|| lines.last().map(|l| l.seq)).flatten();
    let name = statement::account_names(state.db(), &[id]).await?.remove(&id).unwrap_or_default();
    Ok(Statement { account, currency, name, lines, next, chart: None })
}

/// The first page of a statement and its chart: from memory while the account has as many
/// lines as when it was read, on the same day.
async fn first_page(state: &AppState, account: &Account) -> AppResult<std::sync::Arc<super::cache::FirstPage>> {
    let now = state.now();
    let day = now.date_naive();
    if let Some(page) = state.ledger_cache().first_page(account.id, account.postings, day) {
        return Ok(page);
    }
    let id = account.id;
    let lines = statement::lines(state.db(), id, None, STATEMENT_PAGE).await?;
    let next = (lines.len() as u64 == STATEMENT_PAGE).then(|| lines.last().map(|l| l.seq)).flatten();
    let name = statement::account_names(state.db(), &[id]).await?.remove(&id).unwrap_or_default();
    let chart = statement::balances_since(state.db(), id, now - Duration::days(CHART_DAYS), CHART_POINTS).await?;
    // Lines written after the account was read are left for the next view (its count moved).
    let page =
        std::sync::Arc::new(super::cache::FirstPage { postings: account.postings, day, name, lines, next, chart });
    if page.lines.first().is_none_or(|l| l.seq == account.postings) {
        state.ledger_cache().remember_first_page(id, page.clone());
    }
    Ok(page)
}

/// The whole statement as CSV (oldest first), for a spreadsheet: the file name and its text.
pub async fn statement_csv(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<(String, String)> {
    let (account, currency, insider) = readable_account(state, ctx, id).await?;
    let mut lines = Vec::new();
    let mut before = None;
    loop {
        let page = statement::lines(state.db(), account.id, before, 1000).await?;
        let Some(last) = page.last() else { break };
        before = Some(last.seq);
        let full = page.len() == 1000;
        lines.extend(page);
        if !full {
            break;
        }
    }
    lines.reverse();
    let lines = masked(lines, insider);
    let plain = |minor: i64| planet_domain::ledger::format_minor_plain(minor, currency.decimals);
    let mut csv = String::from("date,what for,with,in or out,balance,transfer\r\n");
    for l in &lines {
        csv.push_str(&format!(
            "{},{},{},{},{},{}\r\n",
            l.at.format("%Y-%m-%d %H:%M"),
            csv_text(&l.description),
            csv_text(&l.other_name),
            plain(l.amount),
            plain(l.balance),
            l.transfer
        ));
    }
    let symbol: String = currency.symbol.chars().filter(char::is_ascii_alphanumeric).collect();
    let name = format!("statement-{}-{}.csv", symbol.to_lowercase(), state.now().format("%Y-%m-%d"));
    Ok((name, csv))
}

/// A text cell: quoted, and never read by a spreadsheet as a formula.
fn csv_text(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

/// Expire what waited too long (every minute; through the writer, so each once).
pub async fn run_expiry(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        if let Err(err) = expire_due(&state).await {
            tracing::warn!(error = ?err, "expiring waiting transfers failed; will try again");
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

// Stewards.

/// Every currency with its totals (which must add up to zero).
pub async fn currencies_to_keep(state: &AppState, ctx: &Ctx) -> AppResult<Vec<(Currency, Totals)>> {
    ctx.require(Action::KeepAccounts)?;
    let totals = ledger::totals(state.db()).await?;
    Ok(ledger::currencies(state.db())
        .await?
        .into_iter()
        .map(|c| {
            let t = totals.get(&c.id).copied().unwrap_or_default();
            (c, t)
        })
        .collect())
}

/// What stewards fill in for a currency.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CurrencyForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub symbol: String,
    #[serde(default)]
    pub decimals: String,
    /// The levy on payments to the community fund, in per cent ("2.5").
    #[serde(default)]
    pub levy: String,
    #[serde(default)]
    pub pending_days: String,
    /// Each kind's lowest balance, in whole units ("-100"; empty: no limit).
    #[serde(default)]
    pub floor_person: String,
    #[serde(default)]
    pub floor_business: String,
    #[serde(default)]
    pub floor_organisation: String,
    #[serde(default)]
    pub floor_group: String,
    #[serde(default)]
    pub retired: Option<String>,
}

fn parse_levy(text: &str) -> Result<u16, FieldError> {
    let text = text.trim().trim_end_matches('%').trim();
    if text.is_empty() {
        return Ok(0);
    }
    let refused = || FieldError::new("levy", "levy", "Enter the levy as a per cent from 0 to 20, like 2.5.");
    // A per cent with two decimals is a number of basis points.
    let hundredths = Decimals::new(2).ok_or_else(refused)?;
    let bp = parse_minor(text, hundredths).map_err(|_| refused())?;
    u16::try_from(bp).ok().filter(|bp| *bp <= planet_domain::ledger::MAX_LEVY_BASIS_POINTS).ok_or_else(refused)
}

fn parse_floor(text: &str, decimals: Decimals, field: &'static str) -> Result<Option<i64>, FieldError> {
    let text = text.trim().replace('\u{2212}', "-");
    if text.is_empty() {
        return Err(FieldError::new(field, "floor_required", "Enter the lowest balance allowed, like -100, or 0."));
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest.to_owned()),
        None => (false, text.clone()),
    };
    let minor = parse_minor(&digits, decimals).map_err(|e| FieldError::from_input(field, e))?;
    let floor = if negative { -minor } else { minor };
    Limits::new(Some(floor), None).map_err(|e| FieldError::from_input(field, e))?;
    Ok(Some(floor))
}

fn parse_days(text: &str) -> Result<i64, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(planet_domain::ledger::DEFAULT_PENDING_DAYS);
    }
    text.parse::<i64>()
        .ok()
        .filter(|d| (1..=90).contains(d))
        .ok_or_else(|| FieldError::new("pending_days", "pending_days", "Enter a number of days from 1 to 90."))
}

/// Stewards create a currency.
pub async fn create_currency(state: &AppState, ctx: &Ctx, form: &CurrencyForm) -> AppResult<CurrencyId> {
    ctx.require(Action::KeepAccounts)?;
    let mut errors = Vec::new();
    let names = parse_currency_name(&form.name, &form.symbol).map_err(|e| FieldError::from_input("name", e));
    let decimals =
        form.decimals.trim().parse::<u8>().ok().and_then(Decimals::new).ok_or_else(|| {
            FieldError::new("decimals", "decimals", "Choose how many decimals it counts in: 0, 1, 2 or 3.")
        });
    let levy = parse_levy(&form.levy);
    let days = parse_days(&form.pending_days);
    for e in
        [names.as_ref().err(), decimals.as_ref().err(), levy.as_ref().err(), days.as_ref().err()].into_iter().flatten()
    {
        errors.push(e.clone());
    }
    let (Ok((name, symbol)), Ok(decimals), Ok(levy), Ok(days)) = (names, decimals, levy, days) else {
        return Err(AppError::Invalid(errors));
    };
    if ledger::currencies(state.db()).await?.iter().any(|c| c.name.eq_ignore_ascii_case(&name)) {
        return Err(AppError::invalid(
            "name",
            "currency_exists",
            format!("There is already a currency called {name}."),
        ));
    }
    let id = CurrencyId::new_v7();
    let now = state.now();
    let txn = state.store().begin().await?;
    let new = NewCurrency { id, name: &name, symbol: &symbol, decimals, levy_bp: levy, pending_days: days, now };
    match ledger::create_currency(&txn, new).await {
        Err(planet_store::StoreError::Conflict(_)) => {
            return Err(AppError::invalid(
                "name",
                "currency_exists",
                format!("There is already a currency called {name}."),
            ));
        }
        other => other?,
    }
    planet_store::queries::audit::record(&txn, Some(ctx.member()?.id), "currencies.created", &name, &symbol, now)
        .await?;
    state.commit(txn).await?;
    state.ledger_cache().forget_currencies();
    Ok(id)
}

/// Stewards change a currency: name, symbol, levy, waiting time, each kind's lowest balance,
/// whether it is retired. Its decimals never change (amounts are stored in its units).
pub async fn change_currency(state: &AppState, ctx: &Ctx, id: &str, form: &CurrencyForm) -> AppResult<()> {
    ctx.require(Action::KeepAccounts)?;
    let id: CurrencyId = id.parse().map_err(|_| AppError::not_found())?;
    let currency = ledger::currency(state.db(), id).await?.ok_or_else(AppError::not_found)?;
    let mut errors = Vec::new();
    let names = parse_currency_name(&form.name, &form.symbol).map_err(|e| FieldError::from_input("name", e));
    let levy = parse_levy(&form.levy);
    let days = parse_days(&form.pending_days);
    let floors: Vec<(AccountKind, Result<Option<i64>, FieldError>)> = vec![
        (AccountKind::Person, parse_floor(&form.floor_person, currency.decimals, "floor_person")),
        (AccountKind::Business, parse_floor(&form.floor_business, currency.decimals, "floor_business")),
        (AccountKind::Organisation, parse_floor(&form.floor_organisation, currency.decimals, "floor_organisation")),
        (AccountKind::Group, parse_floor(&form.floor_group, currency.decimals, "floor_group")),
    ];
    for e in [names.as_ref().err(), levy.as_ref().err(), days.as_ref().err()].into_iter().flatten() {
        errors.push(e.clone());
    }
    for (_, floor) in &floors {
        if let Err(e) = floor {
            errors.push(e.clone());
        }
    }
    let (Ok((name, symbol)), Ok(levy), Ok(days)) = (names, levy, days) else {
        return Err(AppError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    if ledger::currencies(state.db()).await?.iter().any(|c| c.id != id && c.name.eq_ignore_ascii_case(&name)) {
        return Err(AppError::invalid(
            "name",
            "currency_exists",
            format!("There is already a currency called {name}."),
        ));
    }
    let now = state.now();
    let txn = state.store().begin().await?;
    ledger::update_currency(&txn, id, &name, &symbol, levy, days, form.retired.is_some()).await?;
    for (kind, floor) in floors {
        let floor = floor.unwrap_or(None);
        let ceiling = currency.kind_limits(kind).ceiling;
        ledger::set_kind_limits(&txn, id, kind, Limits { floor, ceiling }).await?;
    }
    planet_store::queries::audit::record(&txn, Some(ctx.member()?.id), "currencies.changed", &name, &symbol, now)
        .await?;
    state.commit(txn).await?;
    state.ledger_cache().forget_currencies();
    Ok(())
}

// The community fund, corrections and the chain.

/// Each live currency's fund: its account and latest lines, with who decided each.
pub struct FundView {
    pub funds: Vec<(Currency, Account, Vec<Line>)>,
    pub names: HashMap<MemberId, String>,
}

pub async fn fund(state: &AppState, ctx: &Ctx) -> AppResult<FundView> {
    ctx.require(Action::UseAccounts)?;
    let mut funds = Vec::new();
    let mut people = Vec::new();
    for currency in live_currencies(state).await? {
        let Some(account) = ledger::fund(state.db(), currency.id).await? else { continue };
        let facts = AccountFacts { actor_holds: false, fund: true, system: false };
        ctx.require_on(Action::ReadAccount, Resource::Account(facts))?;
        let lines = statement::lines(state.db(), account.id, None, STATEMENT_PAGE).await?;
        people.extend(lines.iter().flat_map(|l| [Some(l.started_by), l.finished_by]).flatten());
        funds.push((currency, account, lines));
    }
    people.sort();
    people.dedup();
    let names = planet_store::queries::accounts::members_by_ids(state.db(), &people)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    Ok(FundView { funds, names })
}

/// Where a correction takes from or gives to: "fund", "system", or a directory entry's id.
async fn correction_account(
    state: &AppState,
    currency: &Currency,
    which: &str,
    field: &'static str,
) -> AppResult<Account> {
    let now = state.now();
    let unknown = || AppError::invalid(field, "unknown_account", "Choose an account from the list.");
    match which.trim() {
        "fund" => ledger::fund(state.db(), currency.id).await?.ok_or_else(unknown),
        "system" => {
            Ok(ledger::open_account(state.db(), currency.id, AccountKind::System, currency.id.uuid(), now).await?)
        }
        other => {
            let id: ProfileId = other.parse().map_err(|_| unknown())?;
            let entry = people::profile(state.db(), id).await?.ok_or_else(unknown)?;
            Ok(ledger::open_account(state.db(), currency.id, kind_of(entry.kind), entry.id.uuid(), now).await?)
        }
    }
}

/// What a steward fills in to propose a correction or a payment from the fund.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CorrectionForm {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default, rename = "for")]
    pub what: String,
}

/// A problem with what was typed, kept to show with the others; any other failure, at once.
fn field_or_fail<T>(result: AppResult<T>) -> AppResult<Result<T, Vec<FieldError>>> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(AppError::Invalid(fields)) => Ok(Err(fields)),
        Err(other) => Err(other),
    }
}

/// A steward proposes a correction (or a payment from the fund); it waits, holding its amount,
/// until a second steward agrees.
pub async fn propose_correction(state: &AppState, ctx: &Ctx, form: &CorrectionForm) -> AppResult<Applied> {
    ctx.require(Action::KeepAccounts)?;
    let me = ctx.member()?.id;
    let hash = request_hash(&[
        "adjustment",
        form.currency.trim(),
        form.from.trim(),
        form.to.trim(),
        form.amount.trim(),
        form.what.trim(),
    ]);
    if let Ok(id) = parse_request_id(&form.id)
        && let Some(existing) = transfers::transfer(state.db(), id).await?
    {
        return same_request(existing, me, &hash);
    }
    let currency = live_currency(state, &form.currency).await?;
    let mut errors = Vec::new();
    let amount = Amount::parse(&form.amount, currency.decimals).map_err(|e| FieldError::from_input("amount", e));
    let what = parse_description(&form.what).map_err(|e| FieldError::from_input("for", e));
    let id = parse_request_id(&form.id);
    let from = field_or_fail(correction_account(state, &currency, &form.from, "from").await)?;
    let to = field_or_fail(correction_account(state, &currency, &form.to, "to").await)?;
    for e in [amount.as_ref().err(), what.as_ref().err(), id.as_ref().err()].into_iter().flatten() {
        errors.push(e.clone());
    }
    for e in [from.as_ref().err(), to.as_ref().err()].into_iter().flatten() {
        errors.extend(e.iter().cloned());
    }
    let (Ok(amount), Ok(what), Ok(id), Ok(from), Ok(to)) = (amount, what, id, from, to) else {
        return Err(AppError::Invalid(errors));
    };
    if from.id == to.id {
        return Err(AppError::invalid("to", "same_account", "Choose two different accounts."));
    }
    let now = state.now();
    let transfer = Transfer {
        id,
        kind: TransferKind::Adjustment,
        state: TransferState::Pending,
        currency: currency.id,
        payer: from.id,
        payee: to.id,
        amount: amount.minor(),
        description: what,
        listing: None,
        deal: None,
        reversal_of: None,
        started_by: me,
        request_hash: hash,
        created_at: now,
        expires_at: Some(now + Duration::days(currency.pending_days)),
        finished_at: None,
        finished_by: None,
        entries: entries(TransferKind::Adjustment, from.id, to.id, amount, None, 0),
    };
    submit(state, Op::Start { transfer: Box::new(transfer) }).await
}

/// The stewards' page: corrections waiting for a second steward, and the recent ones.
pub struct Corrections {
    pub currencies: Vec<Currency>,
    pub waiting: Vec<Transfer>,
    pub names: HashMap<AccountId, String>,
    pub people: HashMap<MemberId, String>,
    /// Directory entries to choose from: (id, name).
    pub entries: Vec<(ProfileId, String)>,
}

pub async fn corrections(state: &AppState, ctx: &Ctx) -> AppResult<Corrections> {
    ctx.require(Action::KeepAccounts)?;
    let waiting = transfers::pending_of_kind(state.db(), TransferKind::Adjustment).await?;
    let mut ids: Vec<AccountId> = waiting.iter().flat_map(|t| [t.payer, t.payee]).collect();
    ids.sort();
    ids.dedup();
    let names = statement::account_names(state.db(), &ids).await?;
    let starters: Vec<MemberId> = waiting.iter().map(|t| t.started_by).collect();
    let people = planet_store::queries::accounts::members_by_ids(state.db(), &starters)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    let query = people::DirectoryQuery {
        terms: None,
        kind: None,
        tag: None,
        area: None,
        value: None,
        order: people::DirectoryOrder::Name,
        limit: 2000,
        offset: 0,
    };
    let entries = people::directory(state.db(), &query).await?.0.into_iter().map(|p| (p.id, p.name)).collect();
    Ok(Corrections { currencies: live_currencies(state).await?, waiting, names, people, entries })
}

/// The chain: each day's head, and whether the whole history verifies.
pub struct ChainView {
    pub heads: Vec<ledger::chain::DayHead>,
    pub verified: Result<(i64, String), i64>,
}

pub async fn chain(state: &AppState, ctx: &Ctx) -> AppResult<ChainView> {
    ctx.require(Action::UseAccounts)?;
    let heads = ledger::chain::day_heads(state.db(), 30).await?;
    let verified = ledger::chain::verify(state.db()).await?.map_err(|broken| broken.seq);
    Ok(ChainView { heads, verified })
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

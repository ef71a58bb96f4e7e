//! The stewards' work on the accounts: currencies (their limits, levy and waiting time, and the
//! totals that must add up to zero) and corrections, which one steward proposes and a second
//! agrees to (payments from the community fund among them).

use super::apply::{Applied, Op};
use super::service::{kind_of, live_currencies, live_currency, parse_request_id, request_hash, same_request};
use super::writer::submit;
use crate::error::{AppError, AppResult, FieldError};
use crate::identity::session::Ctx;
use crate::state::AppState;
use chrono::Duration;
use planet_domain::ledger::{
    AccountKind, Amount, Decimals, Limits, TransferKind, TransferState, entries, parse_currency_name,
    parse_description, parse_minor,
};
use planet_domain::policy::Action;
use planet_domain::{AccountId, CurrencyId, MemberId, ProfileId};
use planet_store::queries::ledger::statement;
use planet_store::queries::ledger::transfers::{self, Transfer};
use planet_store::queries::ledger::{self, Account, Currency, NewCurrency, Totals};
use planet_store::queries::people;
use std::collections::HashMap;

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

/// The stewards' form for one account's own limits.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct AccountLimitsForm {
    /// The lowest balance allowed ("-250", "0").
    pub floor: String,
    /// The highest balance allowed (empty: none).
    pub ceiling: String,
    /// "yes": go back to the usual limits for its kind of account.
    pub usual: String,
}

/// Give one account limits of its own (a member who needs more room, a business trusted with
/// less), or return it to its kind's. Stewards only; audited. A floor above the balance stops
/// the account spending until it is back within it; nothing already paid is undone.
pub async fn set_account_limits(state: &AppState, ctx: &Ctx, id: &str, form: &AccountLimitsForm) -> AppResult<()> {
    ctx.require(Action::KeepAccounts)?;
    let (account, facts) = super::service::readable_account(state, ctx, id).await?;
    if account.kind == AccountKind::System {
        return Err(AppError::refused("system_account", "The system account has no limits to set."));
    }
    // Like every steward's change to money, not one's own alone.
    if facts.actor_holds {
        return Err(AppError::refused(
            "own_account_limits",
            "Ask another steward to change the limits of an account you hold.",
        ));
    }
    let currency = super::service::currency_by_id(state, account.currency).await?.ok_or_else(AppError::not_found)?;
    let limits = if form.usual == "yes" {
        None
    } else {
        let floor = parse_floor(&form.floor, currency.decimals, "floor").map_err(|e| AppError::Invalid(vec![e]))?;
        let ceiling = match form.ceiling.trim() {
            "" => None,
            text => Some(
                parse_minor(text, currency.decimals)
                    .map_err(|e| AppError::Invalid(vec![FieldError::from_input("ceiling", e)]))?,
            ),
        };
        Some(Limits::new(floor, ceiling).map_err(|e| AppError::Invalid(vec![FieldError::from_input("ceiling", e)]))?)
    };
    let now = state.now();
    let txn = state.store().begin().await?;
    ledger::set_account_limits(&txn, account.id, limits).await?;
    let plain = |minor: i64| planet_domain::ledger::format_minor_plain(minor, currency.decimals);
    let what = match limits {
        Some(l) => format!(
            "lowest {}, {}",
            l.floor.map(plain).unwrap_or_else(|| "none".to_owned()),
            l.ceiling.map(|c| format!("highest {}", plain(c))).unwrap_or_else(|| "no highest".to_owned())
        ),
        None => "the usual limits".to_owned(),
    };
    planet_store::queries::audit::record(
        &txn,
        Some(ctx.member()?.id),
        "accounts.limits",
        &account.id.to_string(),
        &what,
        now,
    )
    .await?;
    state.commit(txn).await?;
    Ok(())
}

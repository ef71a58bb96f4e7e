//! The accounts: currencies and their limits, accounts and their standings. Transfers, the
//! chain and statements are in the submodules. Writes that move amounts are made by the
//! server's ledger writer inside one transaction that first takes the chain's head
//! (`chain::take_head`), so they happen one batch at a time across every process.

pub mod chain;
pub mod statement;
pub mod transfers;

use crate::entities::{currency, currency_limit, ledger_account};
use crate::queries::corrupt;
use crate::{StoreError, StoreResult};
use chrono::{DateTime, Utc};
use planet_domain::ledger::{AccountKind, Decimals, Limits, Standing};
use planet_domain::{AccountId, CurrencyId, MemberId};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use std::collections::HashMap;
use uuid::Uuid;

/// A currency of the community.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Currency {
    pub id: CurrencyId,
    pub name: String,
    pub symbol: String,
    pub decimals: Decimals,
    pub levy_bp: u16,
    pub pending_days: i64,
    pub retired: bool,
    /// Each kind's limits (kinds without a row have none).
    pub limits: HashMap<AccountKind, Limits>,
}

impl Currency {
    pub fn kind_limits(&self, kind: AccountKind) -> Limits {
        self.limits.get(&kind).copied().unwrap_or_default()
    }
}

fn currency_of(row: currency::Model, limits: &[currency_limit::Model]) -> StoreResult<Currency> {
    let decimals = u8::try_from(row.decimals)
        .ok()
        .and_then(Decimals::new)
        .ok_or_else(|| corrupt("currency decimals", &row.decimals.to_string()))?;
    let mut by_kind = HashMap::new();
    for limit in limits.iter().filter(|l| l.currency_id == row.id) {
        let kind = AccountKind::parse(&limit.kind).ok_or_else(|| corrupt("account kind", &limit.kind))?;
        by_kind.insert(kind, Limits { floor: limit.floor, ceiling: limit.ceiling });
    }
    Ok(Currency {
        id: CurrencyId::from_uuid(row.id),
        name: row.name,
        symbol: row.symbol,
        decimals,
        levy_bp: u16::try_from(row.levy_bp).unwrap_or(0),
        pending_days: i64::from(row.pending_days),
        retired: row.retired,
        limits: by_kind,
    })
}

/// Every currency, oldest first.
pub async fn currencies(db: &impl ConnectionTrait) -> StoreResult<Vec<Currency>> {
    let rows = currency::Entity::find().order_by_asc(currency::Column::CreatedAt).all(db).await?;
    let limits = currency_limit::Entity::find().all(db).await?;
    rows.into_iter().map(|row| currency_of(row, &limits)).collect()
}

pub async fn currency(db: &impl ConnectionTrait, id: CurrencyId) -> StoreResult<Option<Currency>> {
    let Some(row) = currency::Entity::find_by_id(id.uuid()).one(db).await? else {
        return Ok(None);
    };
    let limits =
        currency_limit::Entity::find().filter(currency_limit::Column::CurrencyId.eq(id.uuid())).all(db).await?;
    currency_of(row, &limits).map(Some)
}

/// What stewards set for a new currency.
#[derive(Debug, Clone)]
pub struct NewCurrency<'a> {
    pub id: CurrencyId,
    pub name: &'a str,
    pub symbol: &'a str,
    pub decimals: Decimals,
    pub levy_bp: u16,
    pub pending_days: i64,
    pub now: DateTime<Utc>,
}

/// Create a currency with each kind's default limits, its community fund and its system
/// account. A name already in use is `StoreError::Conflict`.
pub async fn create_currency(db: &impl ConnectionTrait, new: NewCurrency<'_>) -> StoreResult<()> {
    currency::Entity::insert(currency::ActiveModel {
        id: Set(new.id.uuid()),
        name: Set(new.name.to_owned()),
        symbol: Set(new.symbol.to_owned()),
        decimals: Set(i32::from(new.decimals.get())),
        levy_bp: Set(i32::from(new.levy_bp)),
        pending_days: Set(i32::try_from(new.pending_days).unwrap_or(14)),
        retired: Set(false),
        created_at: Set(new.now),
    })
    .exec_without_returning(db)
    .await?;
    let scale = new.decimals.scale();
    for kind in AccountKind::ALL {
        let (floor, ceiling) = kind.default_limits();
        currency_limit::Entity::insert(currency_limit::ActiveModel {
            currency_id: Set(new.id.uuid()),
            kind: Set(kind.as_str().to_owned()),
            floor: Set(floor.map(|f| f * scale)),
            ceiling: Set(ceiling.map(|c| c * scale)),
        })
        .exec_without_returning(db)
        .await?;
    }
    for kind in [AccountKind::Fund, AccountKind::System] {
        open_account(db, new.id, kind, new.id.uuid(), new.now).await?;
    }
    Ok(())
}

/// Change a currency's name, symbol, levy and waiting time (its decimals never change once made).
pub async fn update_currency(
    db: &impl ConnectionTrait,
    id: CurrencyId,
    name: &str,
    symbol: &str,
    levy_bp: u16,
    pending_days: i64,
    retired: bool,
) -> StoreResult<bool> {
    let result = currency::Entity::update_many()
        .col_expr(currency::Column::Name, Expr::value(name))
        .col_expr(currency::Column::Symbol, Expr::value(symbol))
        .col_expr(currency::Column::LevyBp, Expr::value(i32::from(levy_bp)))
        .col_expr(currency::Column::PendingDays, Expr::value(i32::try_from(pending_days).unwrap_or(14)))
        .col_expr(currency::Column::Retired, Expr::value(retired))
        .filter(currency::Column::Id.eq(id.uuid()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Set a kind's limits in a currency.
pub async fn set_kind_limits(
    db: &impl ConnectionTrait,
    id: CurrencyId,
    kind: AccountKind,
    limits: Limits,
) -> StoreResult<()> {
    currency_limit::Entity::insert(currency_limit::ActiveModel {
        currency_id: Set(id.uuid()),
        kind: Set(kind.as_str().to_owned()),
        floor: Set(limits.floor),
        ceiling: Set(limits.ceiling),
    })
    .on_conflict(
        OnConflict::columns([currency_limit::Column::CurrencyId, currency_limit::Column::Kind])
            .update_columns([currency_limit::Column::Floor, currency_limit::Column::Ceiling])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// An account, with the limits that apply to it (its own, or its kind's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    pub currency: CurrencyId,
    pub kind: AccountKind,
    /// The directory entry, the group space, or (fund, system) the currency.
    pub owner: Uuid,
    pub standing: Standing,
    pub limits: Limits,
    pub own_limits: bool,
    pub confirm_incoming: bool,
    /// The holder who asked for a statement by email each month.
    pub statement_to: Option<MemberId>,
    /// How many statement lines it has.
    pub postings: i64,
}

fn account_of(row: ledger_account::Model, kind_limits: &HashMap<(Uuid, String), Limits>) -> StoreResult<Account> {
    let kind = AccountKind::parse(&row.kind).ok_or_else(|| corrupt("account kind", &row.kind))?;
    let limits = if row.own_limits {
        Limits { floor: row.floor, ceiling: row.ceiling }
    } else {
        kind_limits.get(&(row.currency_id, row.kind.clone())).copied().unwrap_or_default()
    };
    Ok(Account {
        id: AccountId::from_uuid(row.id),
        currency: CurrencyId::from_uuid(row.currency_id),
        kind,
        owner: row.owner_id,
        standing: Standing { balance: row.balance, pending_out: row.pending_out, pending_in: row.pending_in },
        limits,
        own_limits: row.own_limits,
        confirm_incoming: row.confirm_incoming,
        statement_to: row.statement_to.map(MemberId::from_uuid),
        postings: row.postings,
    })
}

async fn accounts_of_rows(db: &impl ConnectionTrait, rows: Vec<ledger_account::Model>) -> StoreResult<Vec<Account>> {
    let currencies: Vec<Uuid> = rows.iter().map(|r| r.currency_id).collect();
    let kind_limits: HashMap<(Uuid, String), Limits> = currency_limit::Entity::find()
        .filter(currency_limit::Column::CurrencyId.is_in(currencies))
        .all(db)
        .await?
        .into_iter()
        .map(|l| ((l.currency_id, l.kind), Limits { floor: l.floor, ceiling: l.ceiling }))
        .collect();
    rows.into_iter().map(|row| account_of(row, &kind_limits)).collect()
}

pub async fn account(db: &impl ConnectionTrait, id: AccountId) -> StoreResult<Option<Account>> {
    let rows: Vec<_> = ledger_account::Entity::find_by_id(id.uuid()).one(db).await?.into_iter().collect();
    Ok(accounts_of_rows(db, rows).await?.pop())
}

pub async fn accounts(db: &impl ConnectionTrait, ids: &[AccountId]) -> StoreResult<HashMap<AccountId, Account>> {
    let rows = ledger_account::Entity::find()
        .filter(ledger_account::Column::Id.is_in(ids.iter().map(|id| id.uuid())))
        .all(db)
        .await?;
    Ok(accounts_of_rows(db, rows).await?.into_iter().map(|a| (a.id, a)).collect())
}

/// The accounts of these owners (entries, groups), in every currency.
pub async fn accounts_of(db: &impl ConnectionTrait, owners: &[Uuid]) -> StoreResult<Vec<Account>> {
    let rows = ledger_account::Entity::find()
        .filter(ledger_account::Column::OwnerId.is_in(owners.iter().copied()))
        .filter(ledger_account::Column::Kind.is_not_in([AccountKind::Fund.as_str(), AccountKind::System.as_str()]))
        .order_by_asc(ledger_account::Column::CreatedAt)
        .all(db)
        .await?;
    accounts_of_rows(db, rows).await
}

/// An owner's account in a currency, opened when it has none yet (only then is anything
/// written, so finding an account never waits for the ledger's writer).
pub async fn open_account(
    db: &impl ConnectionTrait,
    currency: CurrencyId,
    kind: AccountKind,
    owner: Uuid,
    now: DateTime<Utc>,
) -> StoreResult<Account> {
    if let Some(found) = find_account(db, currency, kind, owner).await? {
        return Ok(found);
    }
    ledger_account::Entity::insert(ledger_account::ActiveModel {
        id: Set(Uuid::now_v7()),
        currency_id: Set(currency.uuid()),
        kind: Set(kind.as_str().to_owned()),
        owner_id: Set(owner),
        balance: Set(0),
        pending_out: Set(0),
        pending_in: Set(0),
        own_limits: Set(false),
        floor: Set(None),
        ceiling: Set(None),
        confirm_incoming: Set(false),
        statement_to: Set(None),
        statement_sent_for: Set(None),
        postings: Set(0),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            ledger_account::Column::CurrencyId,
            ledger_account::Column::Kind,
            ledger_account::Column::OwnerId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    find_account(db, currency, kind, owner)
        .await?
        .ok_or_else(|| StoreError::Corrupt("an account just opened is not there".to_owned()))
}

pub async fn find_account(
    db: &impl ConnectionTrait,
    currency: CurrencyId,
    kind: AccountKind,
    owner: Uuid,
) -> StoreResult<Option<Account>> {
    let rows: Vec<_> = ledger_account::Entity::find()
        .filter(ledger_account::Column::CurrencyId.eq(currency.uuid()))
        .filter(ledger_account::Column::Kind.eq(kind.as_str()))
        .filter(ledger_account::Column::OwnerId.eq(owner))
        .one(db)
        .await?
        .into_iter()
        .collect();
    Ok(accounts_of_rows(db, rows).await?.pop())
}

/// A currency's community fund (opened with the currency).
pub async fn fund(db: &impl ConnectionTrait, currency: CurrencyId) -> StoreResult<Option<Account>> {
    find_account(db, currency, AccountKind::Fund, currency.uuid()).await
}

/// Save an account's new standing, only if it still stands as it did when read (so a write
/// that somehow raced changes nothing and is reported), counting up its statement lines.
pub async fn save_standing(
    db: &impl ConnectionTrait,
    id: AccountId,
    was: Standing,
    now: Standing,
    new_postings: i64,
) -> StoreResult<bool> {
    let result = ledger_account::Entity::update_many()
        .col_expr(ledger_account::Column::Balance, Expr::value(now.balance))
        .col_expr(ledger_account::Column::PendingOut, Expr::value(now.pending_out))
        .col_expr(ledger_account::Column::PendingIn, Expr::value(now.pending_in))
        .col_expr(ledger_account::Column::Postings, Expr::col(ledger_account::Column::Postings).add(new_postings))
        .filter(ledger_account::Column::Id.eq(id.uuid()))
        .filter(ledger_account::Column::Balance.eq(was.balance))
        .filter(ledger_account::Column::PendingOut.eq(was.pending_out))
        .filter(ledger_account::Column::PendingIn.eq(was.pending_in))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Give an account limits of its own, or (`None`) return it to its kind's.
pub async fn set_account_limits(db: &impl ConnectionTrait, id: AccountId, limits: Option<Limits>) -> StoreResult<bool> {
    let result = ledger_account::Entity::update_many()
        .col_expr(ledger_account::Column::OwnLimits, Expr::value(limits.is_some()))
        .col_expr(ledger_account::Column::Floor, Expr::value(limits.and_then(|l| l.floor)))
        .col_expr(ledger_account::Column::Ceiling, Expr::value(limits.and_then(|l| l.ceiling)))
        .filter(ledger_account::Column::Id.eq(id.uuid()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Send `member` a statement of the account by email each month, or stop (only their own
/// wish: someone else who holds the account does not stop it for them). Starting marks
/// `last_month` as sent, so the first statement is the present month's.
pub async fn set_monthly_statement(
    db: &impl ConnectionTrait,
    id: AccountId,
    member: MemberId,
    on: bool,
    last_month: &str,
) -> StoreResult<bool> {
    let update = ledger_account::Entity::update_many().filter(ledger_account::Column::Id.eq(id.uuid()));
    let update = if on {
        update
            .col_expr(ledger_account::Column::StatementTo, Expr::value(Some(member.uuid())))
            .col_expr(ledger_account::Column::StatementSentFor, Expr::value(Some(last_month.to_owned())))
            .filter(
                Condition::any()
                    .add(ledger_account::Column::StatementTo.is_null())
                    .add(ledger_account::Column::StatementTo.ne(member.uuid())),
            )
    } else {
        update
            .col_expr(ledger_account::Column::StatementTo, Expr::value(Option::<Uuid>::None))
            .filter(ledger_account::Column::StatementTo.eq(member.uuid()))
    };
    Ok(update.exec(db).await?.rows_affected == 1)
}

/// Accounts whose holders want a monthly statement and have not had `month`'s yet.
pub async fn due_monthly(db: &impl ConnectionTrait, month: &str) -> StoreResult<Vec<AccountId>> {
    let ids: Vec<Uuid> = ledger_account::Entity::find()
        .select_only()
        .column(ledger_account::Column::Id)
        .filter(ledger_account::Column::StatementTo.is_not_null())
        .filter(
            Condition::any()
                .add(ledger_account::Column::StatementSentFor.is_null())
                .add(ledger_account::Column::StatementSentFor.lt(month)),
        )
        .order_by_asc(ledger_account::Column::Id)
        .limit(500)
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.into_iter().map(AccountId::from_uuid).collect())
}

/// Claims the sending of `month`'s statement: true for exactly one caller.
pub async fn claim_monthly(db: &impl ConnectionTrait, id: AccountId, month: &str) -> StoreResult<bool> {
    let result = ledger_account::Entity::update_many()
        .col_expr(ledger_account::Column::StatementSentFor, Expr::value(Some(month.to_owned())))
        .filter(ledger_account::Column::Id.eq(id.uuid()))
        .filter(ledger_account::Column::StatementTo.is_not_null())
        .filter(
            Condition::any()
                .add(ledger_account::Column::StatementSentFor.is_null())
                .add(ledger_account::Column::StatementSentFor.lt(month)),
        )
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Whether the holder accepts each incoming payment before it completes.
pub async fn set_confirm_incoming(db: &impl ConnectionTrait, id: AccountId, confirm: bool) -> StoreResult<bool> {
    let result = ledger_account::Entity::update_many()
        .col_expr(ledger_account::Column::ConfirmIncoming, Expr::value(confirm))
        .filter(ledger_account::Column::Id.eq(id.uuid()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Per currency: the sum of balances, of pending amounts out and in (all zero, or the books
/// are wrong), and how many accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub balances: i64,
    pub pending_out: i64,
    pub pending_in: i64,
    pub accounts: i64,
    /// The sum of balances above zero (how much credit is in circulation).
    pub in_credit: i64,
}

pub async fn totals(db: &impl ConnectionTrait) -> StoreResult<HashMap<CurrencyId, Totals>> {
    let rows = ledger_account::Entity::find().all(db).await?;
    let mut totals: HashMap<CurrencyId, Totals> = HashMap::new();
    for row in rows {
        let t = totals.entry(CurrencyId::from_uuid(row.currency_id)).or_default();
        t.balances += row.balance;
        t.pending_out += row.pending_out;
        t.pending_in += row.pending_in;
        t.accounts += 1;
        t.in_credit += Ord::max(row.balance, 0);
    }
    Ok(totals)
}

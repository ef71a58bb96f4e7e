//! Reading the books: statements (a page, the chart's points, the whole as CSV), the
//! community fund, and the chain's daily fingerprints with the check of the whole history.

use super::service::{STATEMENT_PAGE, currency_by_id, live_currencies};
use crate::error::{AppError, AppResult};
use crate::identity::session::Ctx;
use crate::state::AppState;
use chrono::Duration;
use planet_domain::MemberId;
use planet_domain::policy::{AccountFacts, Action, Resource};
use planet_store::queries::ledger::statement::{self, Line};
use planet_store::queries::ledger::{self, Account, Currency};
use std::collections::HashMap;

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
    let (account, facts) = super::service::readable_account(state, ctx, id).await?;
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

/// The chain: each day's head, and whether the whole history verifies.
pub struct ChainView {
    pub heads: Vec<ledger::chain::DayHead>,
    pub verified: Result<(i64, String), i64>,
}

pub async fn chain(state: &AppState, ctx: &Ctx) -> AppResult<ChainView> {
    ctx.require(Action::UseAccounts)?;
    let heads = ledger::chain::day_heads(state.db(), 30).await?;
    let head = ledger::chain::head(state.db()).await?;
    let at = (head.seq, head.hash);
    let verified = match state.ledger_cache().chain_check(&at) {
        Some(outcome) => outcome,
        None => {
            let outcome = ledger::chain::verify(state.db()).await?.map_err(|broken| broken.seq);
            state.ledger_cache().remember_chain_check((at, outcome.clone()));
            outcome
        }
    };
    Ok(ChainView { heads, verified })
}

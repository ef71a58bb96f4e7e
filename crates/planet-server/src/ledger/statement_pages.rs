//! Reading the books: a statement (its lines, the chart, the CSV), the community fund, and the
//! chain's daily fingerprints.

use super::pages::{money, money_in};
use super::statements;
use super::stewards::{self, AccountLimitsForm};
use crate::error::{AppError, AppResult};
use crate::identity::session::Ctx;
use crate::state::AppState;
use crate::web::forms::FormErrors;
use crate::web::layout::Layout;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use planet_domain::ledger::{AccountKind, TransferKind, format_minor};
use serde::Deserialize;

// Statements.

struct LineView {
    date: String,
    what: String,
    other: String,
    amount: String,
    incoming: bool,
    balance: String,
    link: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "ledger/statement.html")]
struct StatementPage {
    layout: Layout,
    whose: String,
    currency: String,
    balance: String,
    lines: Vec<LineView>,
    next: String,
    first_page: bool,
    csv: String,
    chart: String,
    chart_words: String,
    /// Stewards see the account's limits and may give it its own.
    steward: bool,
    account_id: String,
    limits_words: String,
    own_limits: bool,
    limits_form: AccountLimitsForm,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatementQuery {
    before: Option<i64>,
    done: String,
}

pub async fn statement(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<StatementQuery>,
) -> AppResult<Response> {
    let flash = if q.done == "limits" { Some("The account's limits have been saved.") } else { None };
    let mut page = statement_page(&state, &ctx, &id, q.before, None, FormErrors::none()).await?;
    page.layout = page.layout.with_flash(flash);
    Ok(page.into_response())
}

/// A steward gives the account limits of its own, or returns it to the usual ones.
pub async fn account_limits(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<AccountLimitsForm>,
) -> AppResult<Response> {
    match stewards::set_account_limits(&state, &ctx, &id, &form).await {
        Ok(()) => Ok(Redirect::to(&format!("/accounts/{id}?done=limits")).into_response()),
        Err(AppError::Invalid(fields)) => {
            let page = statement_page(&state, &ctx, &id, None, Some(form), fields.into()).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other),
    }
}

async fn statement_page(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    before: Option<i64>,
    sent: Option<AccountLimitsForm>,
    errors: FormErrors,
) -> AppResult<StatementPage> {
    let s = statements::statement(state, ctx, id, before).await?;
    let c = &s.currency;
    let lines = s
        .lines
        .iter()
        .map(|l| LineView {
            date: l.at.format("%-d %b %Y").to_string(),
            what: if l.purpose == planet_domain::ledger::EntryPurpose::Levy {
                format!("{} ({})", l.purpose.label(), l.description)
            } else {
                l.description.clone()
            },
            other: l.other_name.clone(),
            amount: money_in(l.amount, c.decimals, ""),
            incoming: l.amount > 0,
            balance: format_minor(l.balance, c.decimals),
            link: format!("/accounts/transfers/{}", l.transfer),
        })
        .collect();
    let whose = if s.account.kind == AccountKind::Person && s.account.owner == ctx.member()?.id.uuid() {
        "Your account".to_owned()
    } else {
        s.name.clone()
    };
    let now = state.now();
    let (chart, chart_words) = match &s.chart {
        Some((start, points)) => {
            let from = now - chrono::Duration::days(statements::CHART_DAYS);
            let values: Vec<i64> = std::iter::once(*start).chain(points.iter().map(|p| p.1)).collect();
            let low = values.iter().copied().min().unwrap_or(0);
            let high = values.iter().copied().max().unwrap_or(0);
            let words = format!(
                "Over the last {} days the balance went from {} to {}. Lowest: {}. Highest: {}.",
                statements::CHART_DAYS,
                money(*start, c),
                money(s.account.standing.balance, c),
                money(low, c),
                money(high, c)
            );
            let (high, low) = (format_minor(high, c.decimals), format_minor(low, c.decimals));
            let since = from.format("%-d %b").to_string();
            let labels = super::chart::Labels { high: &high, low: &low, from: &since, to: "Today" };
            (super::chart::balance_svg(*start, points, from, now, &labels), words)
        }
        None => (String::new(), String::new()),
    };
    let limits = s.account.limits;
    let plain = |minor: i64| planet_domain::ledger::format_minor_plain(minor, c.decimals);
    let limits_words = format!(
        "{}{}{}",
        limits
            .floor
            .map(|f| format!("Lowest balance allowed: {}. ", money(f, c)))
            .unwrap_or_else(|| "No lowest balance. ".to_owned()),
        limits.ceiling.map(|x| format!("Highest: {}. ", money(x, c))).unwrap_or_default(),
        if s.account.own_limits {
            "These are this account's own limits."
        } else {
            "These are the usual limits for its kind of account."
        }
    );
    let limits_form = sent.unwrap_or_else(|| AccountLimitsForm {
        floor: limits.floor.map(plain).unwrap_or_default(),
        ceiling: limits.ceiling.map(plain).unwrap_or_default(),
        usual: String::new(),
    });
    let page = StatementPage {
        steward: ctx.actor.is_steward() && s.account.kind != AccountKind::System,
        account_id: s.account.id.to_string(),
        limits_words,
        own_limits: s.account.own_limits,
        limits_form,
        errors,
        csv: format!("/accounts/{}/statement.csv", s.account.id),
        chart,
        chart_words,
        layout: ctx.layout(format!("{whose} in {}", c.name)),
        whose,
        currency: c.name.clone(),
        balance: money(s.account.standing.balance, c),
        lines,
        next: s.next.map(|n| format!("/accounts/{}?before={n}", s.account.id)).unwrap_or_default(),
        first_page: before.is_none(),
    };
    Ok(page)
}

pub async fn statement_csv(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let (name, csv) = statements::statement_csv(&state, &ctx, &id).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        csv,
    )
        .into_response())
}

// The fund and the chain.

struct FundLine {
    date: String,
    what: String,
    other: String,
    amount: String,
    incoming: bool,
    decided: String,
    link: String,
}

struct FundCard {
    currency: String,
    balance: String,
    lines: Vec<FundLine>,
}

#[derive(Template, WebTemplate)]
#[template(path = "ledger/fund.html")]
struct FundPage {
    layout: Layout,
    funds: Vec<FundCard>,
}

pub async fn fund(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let view = statements::fund(&state, &ctx).await?;
    let person = |id: Option<planet_domain::MemberId>| id.and_then(|id| view.names.get(&id).cloned());
    let funds = view
        .funds
        .iter()
        .map(|(c, account, lines)| FundCard {
            currency: c.name.clone(),
            balance: money(account.standing.balance, c),
            lines: lines
                .iter()
                .map(|l| FundLine {
                    date: l.at.format("%-d %b %Y").to_string(),
                    what: if l.purpose == planet_domain::ledger::EntryPurpose::Levy {
                        "Levy on a payment".to_owned()
                    } else {
                        l.description.clone()
                    },
                    other: if l.purpose == planet_domain::ledger::EntryPurpose::Levy {
                        String::new()
                    } else {
                        l.other_name.clone()
                    },
                    amount: format_minor(l.amount, c.decimals),
                    incoming: l.amount > 0,
                    decided: match (l.kind, person(Some(l.started_by)), person(l.finished_by)) {
                        (TransferKind::Adjustment, Some(first), Some(second)) => format!("{first} and {second}"),
                        _ => String::new(),
                    },
                    link: format!("/accounts/transfers/{}", l.transfer),
                })
                .collect(),
        })
        .collect();
    Ok(FundPage { layout: ctx.layout("The community fund"), funds }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "ledger/chain.html")]
struct ChainPage {
    layout: Layout,
    /// (day, changes, hash)
    heads: Vec<(String, i64, String)>,
    verified: bool,
    checked: i64,
    broken_at: i64,
}

pub async fn chain(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let view = statements::chain(&state, &ctx).await?;
    let (verified, checked, broken_at) = match &view.verified {
        Ok((checked, _)) => (true, *checked, 0),
        Err(seq) => (false, 0, *seq),
    };
    let heads = view.heads.iter().map(|h| (h.day.format("%-d %B %Y").to_string(), h.changes, h.hash.clone())).collect();
    Ok(ChainPage { layout: ctx.layout("Checking the books"), heads, verified, checked, broken_at }.into_response())
}

//! The stewards' pages on the accounts: currencies (limits, levy, totals) and corrections.

use super::pages::{FlashQuery, about_the_amount, flash_of, money};
use super::service::{self};
use super::stewards::{self, CurrencyForm};
use crate::error::AppResult;
use crate::identity::session::Ctx;
use crate::state::AppState;
use crate::web::forms::{FormErrors, form_again};
use crate::web::layout::Layout;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use planet_domain::AccountId;
use planet_domain::ledger::{AccountKind, Decimals, format_minor};
use planet_store::queries::ledger::Currency;

// Stewards.

struct CurrencyRow {
    id: String,
    name: String,
    symbol: String,
    decimals: u8,
    levy: String,
    pending_days: i64,
    retired: bool,
    floor_person: String,
    floor_business: String,
    floor_organisation: String,
    floor_group: String,
    balances: String,
    pending: String,
    in_credit: String,
    accounts: i64,
    adds_up: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "ledger/currencies.html")]
struct CurrenciesPage {
    layout: Layout,
    currencies: Vec<CurrencyRow>,
    errors: FormErrors,
    form: CurrencyForm,
}

fn floor_text(c: &Currency, kind: AccountKind) -> String {
    c.kind_limits(kind).floor.map(|f| planet_domain::ledger::format_minor_plain(f, c.decimals)).unwrap_or_default()
}

async fn currencies_page(
    state: &AppState,
    ctx: &Ctx,
    errors: FormErrors,
    form: CurrencyForm,
) -> AppResult<CurrenciesPage> {
    let found = stewards::currencies_to_keep(state, ctx).await?;
    let currencies = found
        .into_iter()
        .map(|(c, t)| CurrencyRow {
            id: c.id.to_string(),
            symbol: c.symbol.clone(),
            decimals: c.decimals.get(),
            levy: format_minor(i64::from(c.levy_bp), Decimals::new(2).unwrap_or(c.decimals)),
            pending_days: c.pending_days,
            retired: c.retired,
            floor_person: floor_text(&c, AccountKind::Person),
            floor_business: floor_text(&c, AccountKind::Business),
            floor_organisation: floor_text(&c, AccountKind::Organisation),
            floor_group: floor_text(&c, AccountKind::Group),
            balances: money(t.balances, &c),
            pending: format!("{} out, {} in", money(t.pending_out, &c), money(t.pending_in, &c)),
            in_credit: money(t.in_credit, &c),
            accounts: t.accounts,
            adds_up: t.balances == 0 && t.pending_out == t.pending_in,
            name: c.name,
        })
        .collect();
    Ok(CurrenciesPage { layout: ctx.layout("Currencies"), currencies, errors, form })
}

pub async fn currencies(State(state): State<AppState>, ctx: Ctx, Query(q): Query<FlashQuery>) -> AppResult<Response> {
    let mut page = currencies_page(&state, &ctx, FormErrors::none(), CurrencyForm::default()).await?;
    page.layout = page.layout.with_flash(flash_of(&q.done));
    Ok(page.into_response())
}

pub async fn create_currency(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<CurrencyForm>,
) -> AppResult<Response> {
    match stewards::create_currency(&state, &ctx, &form).await {
        Ok(_) => Ok(Redirect::to("/admin/currencies?done=saved").into_response()),
        Err(err) => {
            let page = currencies_page(&state, &ctx, FormErrors::none(), form).await?;
            form_again(err, |errors| CurrenciesPage { errors, ..page })
        }
    }
}

pub async fn change_currency(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<CurrencyForm>,
) -> AppResult<Response> {
    match stewards::change_currency(&state, &ctx, &id, &form).await {
        Ok(()) => Ok(Redirect::to("/admin/currencies?done=saved").into_response()),
        Err(err) => {
            let page = currencies_page(&state, &ctx, FormErrors::none(), CurrencyForm::default()).await?;
            form_again(err, |errors| CurrenciesPage { errors, ..page })
        }
    }
}

struct WaitingCorrection {
    id: String,
    headline: String,
    proposed_by: String,
    mine: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "ledger/corrections.html")]
struct CorrectionsPage {
    layout: Layout,
    waiting: Vec<WaitingCorrection>,
    currencies: Vec<(String, String)>,
    entries: Vec<(String, String)>,
    errors: FormErrors,
    form: stewards::CorrectionForm,
}

async fn corrections_page(
    state: &AppState,
    ctx: &Ctx,
    errors: FormErrors,
    mut form: stewards::CorrectionForm,
) -> AppResult<CorrectionsPage> {
    let found = stewards::corrections(state, ctx).await?;
    let me = ctx.member()?.id;
    if form.id.is_empty() {
        form.id = service::new_request_id();
    }
    if form.currency.is_empty()
        && let [only] = found.currencies.as_slice()
    {
        form.currency = only.id.to_string();
    }
    let waiting = found
        .waiting
        .iter()
        .map(|t| {
            let name = |id: &AccountId| found.names.get(id).cloned().unwrap_or_default();
            let amount =
                found.currencies.iter().find(|c| c.id == t.currency).map(|c| money(t.amount, c)).unwrap_or_default();
            WaitingCorrection {
                id: t.id.to_string(),
                headline: format!("{amount} from {} to {}: “{}”", name(&t.payer), name(&t.payee), t.description),
                proposed_by: found.people.get(&t.started_by).cloned().unwrap_or_default(),
                mine: t.started_by == me,
            }
        })
        .collect();
    Ok(CorrectionsPage {
        layout: ctx.layout("Corrections and the fund"),
        waiting,
        currencies: found.currencies.iter().map(|c| (c.id.to_string(), c.name.clone())).collect(),
        entries: found.entries.into_iter().map(|(id, name)| (id.to_string(), name)).collect(),
        errors,
        form,
    })
}

pub async fn corrections(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    Ok(corrections_page(&state, &ctx, FormErrors::none(), stewards::CorrectionForm::default()).await?.into_response())
}

pub async fn propose_correction(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<stewards::CorrectionForm>,
) -> AppResult<Response> {
    match stewards::propose_correction(&state, &ctx, &form).await.map_err(about_the_amount) {
        Ok(applied) => {
            Ok(Redirect::to(&format!("/accounts/transfers/{}?done=proposed", applied.transfer.id)).into_response())
        }
        Err(err) => {
            let page = corrections_page(&state, &ctx, FormErrors::none(), form).await?;
            form_again(err, |errors| CorrectionsPage { errors, ..page })
        }
    }
}

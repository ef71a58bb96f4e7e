//! The accounts' pages: my accounts, paying someone and asking to be paid (a form, then a
//! confirmation in plain words), a transfer and what can be done with it, statements, and the
//! stewards' currencies.

use super::service::{self, Checked, Overview, TransferForm, TransferView};
use crate::error::{AppError, AppResult, FieldError};
use crate::identity::session::Ctx;
use crate::state::AppState;
use crate::talk::pages::when;
use crate::web::forms::{FormErrors, form_again, query_string};
use crate::web::layout::Layout;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use planet_domain::ledger::{
    Decimals, TransferEvent, TransferKind, TransferState, format_minor, may_decide, waits_for,
};
use planet_domain::profile::ProfileKind;
use planet_domain::{AccountId, ProfileId};
use planet_store::dialect::SearchTerms;
use planet_store::queries::ledger::Currency;
use planet_store::queries::ledger::transfers::Transfer;
use planet_store::queries::people::{self, DirectoryOrder, DirectoryQuery};
use serde::Deserialize;

/// "3 Diss Hours", "−2.50 Diss Hours".
pub fn money(minor: i64, currency: &Currency) -> String {
    format!("{} {}", format_minor(minor, currency.decimals), currency.name)
}

pub(crate) fn money_in(minor: i64, decimals: Decimals, name: &str) -> String {
    format!("{} {}", format_minor(minor, decimals), name)
}

// My accounts.

struct AccountCard {
    id: String,
    opened: bool,
    whose: String,
    currency: String,
    balance: String,
    spendable: String,
    waiting_in: String,
    waiting_out: String,
    limit: String,
    ceiling: String,
    confirm_incoming: bool,
    monthly_statement: bool,
}

struct WaitingItem {
    id: String,
    headline: String,
    since: String,
    /// The member is the one it waits for.
    theirs_to_decide: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "ledger/overview.html")]
struct OverviewPage {
    layout: Layout,
    accounts: Vec<AccountCard>,
    waiting: Vec<WaitingItem>,
    no_currency: bool,
    steward: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FlashQuery {
    pub(crate) done: String,
}

pub(crate) fn flash_of(code: &str) -> Option<&'static str> {
    Some(match code {
        "paid" => "Done. The payment has been made.",
        "sent" => "Done. The payment is waiting for them to accept it.",
        "asked" => "Done. We have asked them to pay. You will be told when they answer.",
        "accepted" => "Done. You have accepted it.",
        "declined" => "You have declined it. Nothing was paid.",
        "cancelled" => "You have cancelled it. Nothing was paid.",
        "reversal" => "We have asked the other side to agree to put it right.",
        "saved" => "Your changes have been saved.",
        "proposed" => "The correction waits for a second steward to agree.",
        _ => return None,
    })
}

pub async fn overview(State(state): State<AppState>, ctx: Ctx, Query(q): Query<FlashQuery>) -> AppResult<Response> {
    let found = service::overview(&state, &ctx).await?;
    let Overview { accounts, waiting, names, currencies, held } = found;
    let cards = accounts
        .iter()
        .map(|view| {
            let a = &view.account;
            let c = &view.currency;
            AccountCard {
                id: a.id.to_string(),
                opened: !a.id.uuid().is_nil(),
                whose: view.name.clone(),
                currency: c.name.clone(),
                balance: money(a.standing.balance, c),
                spendable: a.standing.spendable(a.limits).map(|s| money(s, c)).unwrap_or_else(|| "No limit".to_owned()),
                waiting_in: if a.standing.pending_in > 0 { money(a.standing.pending_in, c) } else { String::new() },
                waiting_out: if a.standing.pending_out > 0 { money(a.standing.pending_out, c) } else { String::new() },
                limit: a.limits.floor.map(|f| money(f, c)).unwrap_or_default(),
                ceiling: a.limits.ceiling.map(|x| money(x, c)).unwrap_or_default(),
                confirm_incoming: a.confirm_incoming,
                monthly_statement: ctx.member.as_ref().is_some_and(|m| a.statement_to == Some(m.id)),
            }
        })
        .collect();
    let waiting = waiting
        .iter()
        .map(|t| {
            let name = |id: &AccountId| names.get(id).cloned().unwrap_or_default();
            let amount = currencies.get(&t.currency).map(|c| money(t.amount, c)).unwrap_or_default();
            let (pays, receives) = (held.contains(&t.payer), held.contains(&t.payee));
            // Shown as "for you to answer" only: the transfer's page asks `authorize` and the
            // writer decides. Whoever started it is taken to hold the other side.
            let roles = planet_domain::ledger::TransferRoles {
                pays,
                receives,
                started: t.started_by == ctx.member.as_ref().map(|m| m.id).unwrap_or(t.started_by),
                starter_pays: !pays,
                starter_receives: !receives,
                ..Default::default()
            };
            let headline = match t.kind {
                TransferKind::Request if roles.pays => {
                    format!("{} asks you for {amount}: “{}”", name(&t.payee), t.description)
                }
                TransferKind::Request => format!("You asked {} for {amount}: “{}”", name(&t.payer), t.description),
                TransferKind::Payment if roles.receives => {
                    format!("{} sent you {amount}: “{}”", name(&t.payer), t.description)
                }
                TransferKind::Payment => format!("You sent {} {amount}: “{}”", name(&t.payee), t.description),
                _ => format!("{}: {amount} from {} to {}", t.kind.label(), name(&t.payer), name(&t.payee)),
            };
            WaitingItem {
                id: t.id.to_string(),
                headline,
                since: when(t.created_at),
                theirs_to_decide: may_decide(t.kind, roles),
            }
        })
        .collect();
    let page = OverviewPage {
        layout: ctx.layout("My accounts").with_flash(flash_of(&q.done)),
        no_currency: accounts.is_empty(),
        accounts: cards,
        waiting,
        steward: ctx.actor.is_steward(),
    };
    Ok(page.into_response())
}

// Paying and asking.

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ChooseQuery {
    /// A name typed to find who to pay.
    name: String,
    #[serde(flatten)]
    form: TransferForm,
}

struct Choice {
    id: String,
    name: String,
    kind: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "ledger/transfer_form.html")]
struct TransferFormPage {
    layout: Layout,
    request: bool,
    action: &'static str,
    who_label: &'static str,
    errors: FormErrors,
    form: TransferForm,
    /// Who it is with, once chosen.
    to_name: String,
    /// Found by the name typed.
    name: String,
    /// What was filled in so far, as a query string for the links that choose someone.
    keep: String,
    choices: Vec<Choice>,
    searched: bool,
    /// (id, name, symbol)
    currencies: Vec<(String, String, String)>,
    /// Entries the member runs: (id, name), to pay from.
    from: Vec<(String, String)>,
    /// How the member is connected to whoever they pay or ask, by trust (not for their own entries).
    connections: Option<crate::trust::service::ConnectionsView>,
}

async fn transfer_form(
    state: &AppState,
    ctx: &Ctx,
    kind: TransferKind,
    mut form: TransferForm,
    name: String,
    errors: FormErrors,
) -> AppResult<TransferFormPage> {
    ctx.require(planet_domain::policy::Action::UseAccounts)?;
    let me = ctx.member()?.id;
    let currencies = service::live_currencies(state).await?;
    if form.currency.is_empty()
        && let [only] = currencies.as_slice()
    {
        form.currency = only.id.to_string();
    }
    if form.id.is_empty() {
        form.id = service::new_request_id();
    }
    let to = form.to.trim().parse::<ProfileId>().ok();
    let to_name = match to {
        Some(id) => people::profile(state.db(), id).await?.map(|p| p.name).unwrap_or_default(),
        None => String::new(),
    };
    // The trust path, so a member sees whom they are paying before they do (and notices a
    // stranger with a familiar name).
    let managed = people::managed_by(state.db(), me).await?;
    // Paying an entry one runs needs no introduction.
    let own = to.is_some_and(|id| managed.contains(&id) || id.uuid() == me.uuid());
    let connections = match to {
        Some(id) if !to_name.is_empty() && !own => Some(crate::trust::service::connections(state, ctx, id).await?),
        _ => None,
    };
    let mut choices = Vec::new();
    let searched = !name.trim().is_empty();
    if searched {
        let query = DirectoryQuery {
            terms: SearchTerms::parse(&name),
            kind: None,
            tag: None,
            area: None,
            value: None,
            order: DirectoryOrder::Name,
            limit: 20,
            offset: 0,
        };
        let (found, _) = people::directory(state.db(), &query).await?;
        choices = found
            .into_iter()
            .filter(|p| p.id.uuid() != me.uuid())
            .map(|p| Choice {
                id: p.id.to_string(),
                name: p.name,
                kind: match p.kind {
                    ProfileKind::Person => "",
                    ProfileKind::Business => "a business",
                    ProfileKind::Organisation => "an organisation",
                },
            })
            .collect();
    }
    let from =
        people::names(state.db(), &managed).await?.into_iter().map(|(id, (name, _))| (id.to_string(), name)).collect();
    let request = kind == TransferKind::Request;
    let keep = query_string(&[
        ("currency", &form.currency),
        ("amount", &form.amount),
        ("for", &form.what),
        ("deal", &form.deal),
    ]);
    Ok(TransferFormPage {
        keep,
        layout: ctx.layout(if request { "Ask to be paid" } else { "Pay someone" }),
        request,
        action: if request { "/accounts/request" } else { "/pay" },
        who_label: if request { "Who is to pay you?" } else { "Who are you paying?" },
        errors,
        to_name,
        name,
        choices,
        searched,
        currencies: currencies.into_iter().map(|c| (c.id.to_string(), c.name, c.symbol)).collect(),
        from,
        form,
        connections,
    })
}

pub async fn pay_form(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ChooseQuery>) -> AppResult<Response> {
    Ok(transfer_form(&state, &ctx, TransferKind::Payment, q.form, q.name, FormErrors::none()).await?.into_response())
}

pub async fn request_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ChooseQuery>,
) -> AppResult<Response> {
    Ok(transfer_form(&state, &ctx, TransferKind::Request, q.form, q.name, FormErrors::none()).await?.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "ledger/confirm.html")]
struct ConfirmPage {
    layout: Layout,
    request: bool,
    action: &'static str,
    back: String,
    sentence: String,
    after: String,
    levy: String,
    waits: bool,
    button: String,
    form: TransferForm,
}

fn confirm_page(ctx: &Ctx, kind: TransferKind, checked: &Checked, form: TransferForm) -> ConfirmPage {
    let c = &checked.currency;
    let amount = money(checked.amount.minor(), c);
    let other = &checked.other_name;
    let request = kind == TransferKind::Request;
    let sentence = if request {
        format!("You are asking {other} to pay you {amount} for {}.", checked.what)
    } else {
        format!("You are paying {other} {amount} for {}.", checked.what)
    };
    let after = if request {
        format!("Once they pay, your balance will be {}.", money(checked.balance_after, c))
    } else {
        format!("Your balance will be {}.", money(checked.balance_after, c))
    };
    let levy = if checked.levy > 0 {
        format!("This includes {} for the community fund, as the stewards have set.", money(checked.levy, c))
    } else {
        String::new()
    };
    let base = if request { "/accounts/request" } else { "/pay" };
    let back = format!(
        "{base}?{}",
        query_string(&[
            ("to", &form.to),
            ("currency", &form.currency),
            ("amount", &form.amount),
            ("for", &form.what),
            ("from", &form.from),
            ("deal", &form.deal),
            ("id", &form.id),
        ])
    );
    ConfirmPage {
        layout: ctx.layout("Check and confirm"),
        request,
        action: if request { "/accounts/request/confirm" } else { "/pay/confirm" },
        back,
        sentence,
        after,
        levy,
        waits: !request && checked.other.confirm_incoming,
        button: if request { format!("Ask {other} to pay") } else { format!("Pay {other}") },
        form,
    }
}

/// Over a limit is about the amount: shown next to it.
pub(crate) fn about_the_amount(err: AppError) -> AppError {
    match err {
        AppError::Refused { code: code @ ("over_limit" | "over_ceiling"), message, .. } => {
            AppError::Invalid(vec![FieldError::new("amount", code, message)])
        }
        other => other,
    }
}

async fn check_form(state: &AppState, ctx: &Ctx, kind: TransferKind, form: TransferForm) -> AppResult<Response> {
    match service::check(state, ctx, kind, &form).await.map_err(about_the_amount) {
        Ok(checked) => Ok(confirm_page(ctx, kind, &checked, form).into_response()),
        Err(err) => {
            let page = transfer_form(state, ctx, kind, form, String::new(), FormErrors::none()).await?;
            form_again(err, |errors| TransferFormPage { errors, ..page })
        }
    }
}

pub async fn pay_check(State(state): State<AppState>, ctx: Ctx, Form(form): Form<TransferForm>) -> AppResult<Response> {
    check_form(&state, &ctx, TransferKind::Payment, form).await
}

pub async fn request_check(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<TransferForm>,
) -> AppResult<Response> {
    check_form(&state, &ctx, TransferKind::Request, form).await
}

async fn confirm(state: &AppState, ctx: &Ctx, kind: TransferKind, form: TransferForm) -> AppResult<Response> {
    match service::start(state, ctx, kind, &form).await.map_err(about_the_amount) {
        Ok(applied) => {
            let t = &applied.transfer;
            let done = match (t.kind, t.state) {
                (TransferKind::Request, _) => "asked",
                (_, TransferState::Completed) => "paid",
                _ => "sent",
            };
            Ok(Redirect::to(&format!("/accounts/transfers/{}?done={done}", t.id)).into_response())
        }
        Err(err) => {
            let page = transfer_form(state, ctx, kind, form, String::new(), FormErrors::none()).await?;
            form_again(err, |errors| TransferFormPage { errors, ..page })
        }
    }
}

pub async fn pay_confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<TransferForm>,
) -> AppResult<Response> {
    confirm(&state, &ctx, TransferKind::Payment, form).await
}

pub async fn request_confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<TransferForm>,
) -> AppResult<Response> {
    confirm(&state, &ctx, TransferKind::Request, form).await
}

// A transfer.

#[derive(Template, WebTemplate)]
#[template(path = "ledger/transfer.html")]
struct TransferPage {
    layout: Layout,
    id: String,
    heading: String,
    state: &'static str,
    state_class: &'static str,
    rows: Vec<(String, String)>,
    waits_for: &'static str,
    may_decide: bool,
    may_cancel: bool,
    may_reverse: bool,
    reversal_id: String,
    reversed_by: String,
    request: bool,
}

pub async fn transfer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    let view = service::view(&state, &ctx, &id).await?;
    Ok(transfer_page(&ctx, view, flash_of(&q.done)).into_response())
}

fn transfer_page(ctx: &Ctx, view: TransferView, flash: Option<&'static str>) -> TransferPage {
    let TransferView { transfer: t, currency: c, names, roles, started_by_name, finished_by_name, reversed_by } = view;
    let name = |id: &AccountId| names.get(id).cloned().unwrap_or_default();
    let mut rows = vec![
        ("What for".to_owned(), t.description.clone()),
        ("From".to_owned(), name(&t.payer)),
        ("To".to_owned(), name(&t.payee)),
        ("Amount".to_owned(), money(t.amount, &c)),
    ];
    for entry in t.entries.iter().skip(1) {
        rows.push((entry.purpose.label().to_owned(), money(entry.amount, &c)));
    }
    rows.push(("Started".to_owned(), format!("{} by {started_by_name}", when(t.created_at))));
    if let Some(at) = t.finished_at {
        let by = if finished_by_name.is_empty() { String::new() } else { format!(" by {finished_by_name}") };
        rows.push((t.state.label().to_owned(), format!("{}{by}", when(at))));
    } else if let Some(at) = t.expires_at {
        rows.push(("Waits until".to_owned(), when(at)));
    }
    let pending = t.state == TransferState::Pending;
    let (state_label, state_class) = match t.state {
        TransferState::Pending => ("Waiting", "status--waiting"),
        TransferState::Completed => ("Done", "status--approved"),
        _ => (t.state.label(), "status--declined"),
    };
    let heading = format!("{}: {}", t.kind.label(), money(t.amount, &c));
    TransferPage {
        layout: ctx.layout(heading.clone()).with_flash(flash),
        id: t.id.to_string(),
        heading,
        state: state_label,
        state_class,
        rows,
        waits_for: waits_for(t.kind),
        may_decide: pending && may_decide(t.kind, roles),
        may_cancel: pending && roles.started,
        may_reverse: t.state == TransferState::Completed
            && matches!(t.kind, TransferKind::Payment | TransferKind::Request)
            && reversed_by.is_none()
            && (roles.pays || roles.receives),
        reversal_id: service::new_request_id(),
        reversed_by: reversed_by.map(|r| r.to_string()).unwrap_or_default(),
        request: t.kind == TransferKind::Request,
    }
}

async fn decided(state: &AppState, ctx: &Ctx, id: &str, event: TransferEvent, done: &str) -> AppResult<Response> {
    let t: Transfer = service::decide(state, ctx, id, event).await?;
    Ok(Redirect::to(&format!("/accounts/transfers/{}?done={done}", t.id)).into_response())
}

pub async fn accept(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    decided(&state, &ctx, &id, TransferEvent::Accept, "accepted").await
}

pub async fn decline(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    decided(&state, &ctx, &id, TransferEvent::Decline, "declined").await
}

pub async fn cancel(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    decided(&state, &ctx, &id, TransferEvent::Cancel, "cancelled").await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReverseForm {
    id: String,
    #[serde(rename = "for")]
    why: String,
}

pub async fn reverse(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<ReverseForm>,
) -> AppResult<Response> {
    let applied = service::reverse(&state, &ctx, &id, &form.id, &form.why).await?;
    Ok(Redirect::to(&format!("/accounts/transfers/{}?done=reversal", applied.transfer.id)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SettingsForm {
    confirm_incoming: Option<String>,
    monthly_statement: Option<String>,
}

pub async fn settings(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<SettingsForm>,
) -> AppResult<Response> {
    let (confirm, monthly) = (form.confirm_incoming.is_some(), form.monthly_statement.is_some());
    service::set_account_settings(&state, &ctx, &id, confirm, monthly).await?;
    Ok(Redirect::to("/accounts?done=saved").into_response())
}

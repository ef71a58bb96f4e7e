//! The monthly statement by email: on the first days of each month, each account whose holders
//! asked for one is sent last month's lines — the opening and closing balance, money in and out,
//! and up to 50 lines — once (the month is claimed in the transaction that queues the email).

use super::holders::holders;
use super::pages::money_in;
use crate::error::AppResult;
use crate::notify::mail;
use crate::state::AppState;
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use planet_domain::AccountId;
use planet_domain::space::AccountStatus;
use planet_store::queries::accounts;
use planet_store::queries::ledger::{self, statement};

/// The most lines an email lists; the rest are on the statement page.
const LINES_IN_EMAIL: u64 = 50;

/// "2026-11": how a month is stored.
pub fn month_key(at: DateTime<Utc>) -> String {
    format!("{:04}-{:02}", at.year(), at.month())
}

/// The month before the one `at` falls in: its statement is the one due now.
pub fn last_month_key(at: DateTime<Utc>) -> String {
    month_bounds(at).map(|(from, _)| month_key(from)).unwrap_or_else(|| month_key(at))
}

/// The start of the month `at` falls in, and of the month before.
fn month_bounds(at: DateTime<Utc>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let this = NaiveDate::from_ymd_opt(at.year(), at.month(), 1)?;
    let last = this.pred_opt()?.with_day(1)?;
    Some((Utc.from_utc_datetime(&last.and_hms_opt(0, 0, 0)?), Utc.from_utc_datetime(&this.and_hms_opt(0, 0, 0)?)))
}

/// Send last month's statement for every account that wants one and has not had it. Returns
/// how many accounts' statements were queued.
pub async fn send_monthly_statements(state: &AppState) -> AppResult<usize> {
    let now = state.now();
    let Some((from, to)) = month_bounds(now) else { return Ok(0) };
    let month = month_key(from);
    let mut sent = 0;
    for id in ledger::due_monthly(state.db(), &month).await? {
        match send_one(state, id, &month, from, to).await {
            Ok(true) => sent += 1,
            Ok(false) => {}
            Err(err) => tracing::warn!("monthly statement for {id}: {err:?}"),
        }
    }
    if sent > 0 {
        state.wake_mailer();
    }
    Ok(sent)
}

async fn send_one(
    state: &AppState,
    id: AccountId,
    month: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<bool> {
    let now = state.now();
    let txn = state.store().begin().await?;
    if !ledger::claim_monthly(&txn, id, month).await? {
        return Ok(false);
    }
    let Some(account) = ledger::accounts(&txn, &[id]).await?.remove(&id) else { return Ok(false) };
    let Some(currency) = super::service::currency_by_id(state, account.currency).await? else { return Ok(false) };
    let period = statement::period(&txn, id, from, to, LINES_IN_EMAIL).await?;
    let whose = statement::account_names(&txn, &[id]).await?.remove(&id).unwrap_or_default();
    let money = |minor: i64| money_in(minor, currency.decimals, &currency.name);
    let month_name = from.format("%B %Y").to_string();
    let mut body = String::new();
    body.push_str(&format!("{whose}: your {} statement for {month_name}\n\n", currency.name));
    body.push_str(&format!("Balance on 1 {month_name}: {}\n", money(period.opening)));
    if period.count == 0 {
        body.push_str("Nothing was paid in or out this month.\n");
    } else {
        body.push_str(&format!("Paid in: {}\n", money(period.paid_in)));
        body.push_str(&format!("Paid out: {}\n", money(-period.paid_out)));
    }
    body.push_str(&format!("Balance at the end of the month: {}\n", money(period.closing)));
    if !period.lines.is_empty() {
        body.push('\n');
        if period.count > period.lines.len() as u64 {
            body.push_str(&format!("The last {} of {} lines:\n", period.lines.len(), period.count));
        }
        for line in &period.lines {
            let amount = money_in(line.amount, currency.decimals, "");
            let sign = if line.amount > 0 { "+" } else { "" };
            body.push_str(&format!(
                "{}  {sign}{}  {} ({})  balance {}\n",
                line.at.format("%-d %b"),
                amount.trim(),
                line.description,
                line.other_name,
                money_in(line.balance, currency.decimals, "").trim()
            ));
        }
    }
    body.push_str(&format!(
        "\nThe full statement, and a download for a spreadsheet:\n{}/accounts/{id}\n\n\
         You get this because you asked for a monthly statement. To stop it, untick it on:\n{}/accounts\n",
        state.public_base(),
        state.public_base(),
    ));
    let subject = format!("Your {} statement for {month_name}", currency.name);
    let people = accounts::members_by_ids(&txn, &holders(&txn, &account).await?).await?;
    for person in people.iter().filter(|p| p.status == AccountStatus::Member) {
        mail::queue(&txn, &person.email, &subject, &format!("Hello {},\n\n{body}", person.name), now).await?;
    }
    state.commit(txn).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_bounded_and_named() {
        let at = Utc.with_ymd_and_hms(2027, 1, 3, 9, 0, 0).unwrap();
        let (from, to) = month_bounds(at).unwrap();
        assert_eq!(from, Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap());
        assert_eq!(to, Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap());
        assert_eq!(month_key(from), "2026-12");
        assert!(month_key(from) < month_key(to));
        assert_eq!(last_month_key(at), "2026-12");
    }
}

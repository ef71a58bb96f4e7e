//! The monthly statement by email: at the start of each month, the holder who asked for one is
//! sent last month's statement of that account — the opening and closing balance, money in and
//! out, and up to 50 lines — once (the month is claimed in the transaction that queues the
//! email). Months are counted in UTC, like every time on the site.

use super::holders::holders;
use super::pages::money_in;
use crate::error::AppResult;
use crate::notify::mail;
use crate::state::AppState;
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use planet_domain::AccountId;
use planet_domain::space::AccountStatus;
use planet_store::queries::accounts;
use planet_store::queries::ledger::{self, Account, statement};

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

/// One account's statement: built from the books first (last month's lines no longer change),
/// then claimed and queued in a short transaction whose first statement is the claim.
async fn send_one(
    state: &AppState,
    id: AccountId,
    month: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<bool> {
    let now = state.now();
    let db = state.db();
    let email = match ledger::accounts(db, &[id]).await?.remove(&id) {
        Some(account) => compose(state, &account, from, to).await?,
        None => None,
    };
    let txn = state.store().begin().await?;
    if !ledger::claim_monthly(&txn, id, month).await? {
        return Ok(false);
    }
    // Claimed even when there is nobody to send it to (the holder who asked has left, or the
    // currency is gone), so it is not tried again every minute.
    let Some((to_address, subject, body)) = email else {
        txn.commit().await?;
        return Ok(false);
    };
    mail::queue(&txn, &to_address, &subject, &body, now).await?;
    txn.commit().await?;
    Ok(true)
}

/// The email for the holder who asked for it, while they still hold the account and are a
/// member in good standing: (address, subject, body).
async fn compose(
    state: &AppState,
    account: &Account,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<Option<(String, String, String)>> {
    let db = state.db();
    let Some(asked) = account.statement_to else { return Ok(None) };
    if !holders(db, account).await?.contains(&asked) {
        return Ok(None);
    }
    let Some(person) = accounts::members_by_ids(db, &[asked]).await?.pop() else { return Ok(None) };
    if person.status != AccountStatus::Member {
        return Ok(None);
    }
    let Some(currency) = super::service::currency_by_id(state, account.currency).await? else { return Ok(None) };
    let id = account.id;
    let period = statement::period(db, id, from, to, LINES_IN_EMAIL).await?;
    let whose = statement::account_names(db, &[id]).await?.remove(&id).unwrap_or_default();
    let money = |minor: i64| money_in(minor, currency.decimals, &currency.name);
    let month_name = from.format("%B %Y").to_string();
    let mut body = format!("Hello {},\n\n", person.name);
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
        "\nThe full statement, and a download for a spreadsheet:\n{base}/accounts/{id}\n\n\
         You get this because you asked for a monthly statement. To stop it, untick it on:\n{base}/accounts\n",
        base = state.public_base(),
    ));
    let subject = format!("Your {} statement for {month_name}", currency.name);
    Ok(Some((person.email, subject, body)))
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

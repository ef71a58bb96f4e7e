//! The accounts: a mutual-credit ledger. Amounts, currencies, the kinds of account and their
//! limits, transfers and the workflows that move them (pay, request, adjust, reverse), as pure
//! rules. The hash chain over every change is in `ledger::chain`.
//!
//! Credit is never created or lost: every transfer is a set of entries, each taking an amount
//! from one account and giving it to another, so the balances of a currency always add up to
//! zero. Members may go below zero down to their account's floor: that is how mutual credit
//! starts (Ann does the gardening, Bob pays in credit he has not yet earned).

pub mod book;
pub mod chain;
#[cfg(test)]
mod tests;

use crate::text::InputError;
use serde::{Deserialize, Serialize};

/// The largest amount anyone may enter, in whole units (a safeguard against typing slips and
/// overflow: ten million hours is more than a town will ever trade).
pub const MAX_WHOLE_UNITS: i64 = 10_000_000;

/// How many decimals a currency may have.
pub const MAX_DECIMALS: u8 = 3;

/// Days a pending transfer waits before it expires, unless stewards choose otherwise.
pub const DEFAULT_PENDING_DAYS: i64 = 14;

/// A currency's shape: how many decimals it counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Decimals(u8);

impl Decimals {
    pub fn new(decimals: u8) -> Option<Self> {
        (decimals <= MAX_DECIMALS).then_some(Self(decimals))
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// How many minor units make one whole unit.
    pub fn scale(self) -> i64 {
        10_i64.pow(u32::from(self.0))
    }

    /// The largest amount that may be entered, in minor units.
    pub fn max_amount(self) -> i64 {
        MAX_WHOLE_UNITS * self.scale()
    }
}

/// An amount of a currency, in its minor units (hundredths for two decimals). Positive for a
/// transfer; balances and limits use plain `i64` since they go below zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Amount(i64);

impl Amount {
    /// An amount to move: more than zero and not absurd for the currency.
    pub fn new(minor: i64, decimals: Decimals) -> Option<Self> {
        (1..=decimals.max_amount()).contains(&minor).then_some(Self(minor))
    }

    pub fn minor(self) -> i64 {
        self.0
    }

    /// Parse what a member typed: "3", "2.5", "1,200.25". Zero, negative, too many decimals and
    /// absurd amounts are refused with a plain message.
    pub fn parse(text: &str, decimals: Decimals) -> Result<Self, InputError> {
        let minor = parse_minor(text, decimals)?;
        if minor == 0 {
            return Err(InputError::new("amount_zero", "Enter an amount more than zero."));
        }
        Amount::new(minor, decimals)
            .ok_or_else(|| InputError::new("amount_too_high", "That amount is too high. Please check it."))
    }
}

/// Parse a number of a currency into minor units: never negative (`-` is refused with its own
/// message), at most the currency's decimals.
pub fn parse_minor(text: &str, decimals: Decimals) -> Result<i64, InputError> {
    let cleaned: String = text.trim().chars().filter(|c| *c != ',' && *c != ' ').collect();
    if cleaned.is_empty() {
        return Err(InputError::new("amount_required", "Enter an amount."));
    }
    if cleaned.starts_with('-') {
        return Err(InputError::new("amount_negative", "Enter an amount more than zero."));
    }
    let cleaned = cleaned.strip_prefix('+').unwrap_or(&cleaned);
    let (whole, part) = cleaned.split_once('.').unwrap_or((cleaned, ""));
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let whole_ok = digits(whole) || (whole.is_empty() && !part.is_empty());
    if !whole_ok || (!part.is_empty() && !digits(part)) || cleaned.ends_with('.') {
        return Err(InputError::new("amount_not_a_number", "Enter the amount as a number, like 3 or 2.50."));
    }
    if part.len() > usize::from(decimals.get()) {
        let message = match decimals.get() {
            0 => "This currency counts in whole units: enter the amount without decimals.".to_owned(),
            1 => "Enter the amount with at most one decimal.".to_owned(),
            n => format!("Enter the amount with at most {n} decimals."),
        };
        return Err(InputError::new("amount_too_precise", message));
    }
    let too_high = || InputError::new("amount_too_high", "That amount is too high. Please check it.");
    if whole.len() > 12 {
        return Err(too_high());
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| too_high())? };
    let width = usize::from(decimals.get());
    let part: i64 = if part.is_empty() { 0 } else { format!("{part:0<width$}").parse().map_err(|_| too_high())? };
    let minor = whole.checked_mul(decimals.scale()).and_then(|w| w.checked_add(part)).ok_or_else(too_high)?;
    if minor > decimals.max_amount() {
        return Err(too_high());
    }
    Ok(minor)
}

/// An amount in minor units as people read it: "3", "2.50", "−12.25" (a true minus sign).
pub fn format_minor(minor: i64, decimals: Decimals) -> String {
    let scale = decimals.scale();
    let sign = if minor < 0 { "\u{2212}" } else { "" };
    let magnitude = minor.unsigned_abs();
    let scale_u = scale.unsigned_abs();
    let (whole, part) = (magnitude / scale_u, magnitude % scale_u);
    let whole = group_thousands(whole);
    if part == 0 || decimals.get() == 0 {
        format!("{sign}{whole}")
    } else {
        let width = usize::from(decimals.get());
        format!("{sign}{whole}.{part:0width$}")
    }
}

/// The same, as plain ASCII for CSV and the API ("-12.25"), never grouped.
pub fn format_minor_plain(minor: i64, decimals: Decimals) -> String {
    let scale_u = decimals.scale().unsigned_abs();
    let sign = if minor < 0 { "-" } else { "" };
    let magnitude = minor.unsigned_abs();
    let (whole, part) = (magnitude / scale_u, magnitude % scale_u);
    if decimals.get() == 0 {
        format!("{sign}{whole}")
    } else {
        let width = usize::from(decimals.get());
        format!("{sign}{whole}.{part:0width$}")
    }
}

fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

string_enum!(
    /// Whose an account is. Persons, businesses and organisations have one per currency (their
    /// directory entry's); a group has one when it wants one; the community fund and the
    /// system account (for stewards' corrections) one each per currency.
    AccountKind {
        Person => "person", "A member";
        Business => "business", "A business";
        Organisation => "organisation", "An organisation";
        Group => "group", "A group";
        Fund => "fund", "The community fund";
        System => "system", "Corrections";
    }
);

impl AccountKind {
    /// The default floor and ceiling of each kind, in whole units, before stewards set their
    /// own: members may go 100 below zero; businesses, organisations, groups and the fund spend
    /// only what they hold until stewards give them more; the system account has no limits.
    pub fn default_limits(self) -> (Option<i64>, Option<i64>) {
        match self {
            AccountKind::Person => (Some(-100), None),
            // Anyone may list an organisation: it may go below zero only once stewards say so.
            AccountKind::Business | AccountKind::Organisation => (Some(0), None),
            AccountKind::Group | AccountKind::Fund => (Some(0), None),
            AccountKind::System => (None, None),
        }
    }

    /// Kinds whose limits stewards set per currency.
    pub const LIMITED: &'static [AccountKind] =
        &[AccountKind::Person, AccountKind::Business, AccountKind::Organisation, AccountKind::Group, AccountKind::Fund];
}

/// How far an account may go: `floor` (≤ 0) below zero, `ceiling` (≥ 0) above; `None` is no
/// limit. In minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Limits {
    pub floor: Option<i64>,
    pub ceiling: Option<i64>,
}

impl Limits {
    /// Limits a steward typed: a floor of 0 or below, a ceiling of 0 or above.
    pub fn new(floor: Option<i64>, ceiling: Option<i64>) -> Result<Self, InputError> {
        if floor.is_some_and(|f| f > 0) {
            return Err(InputError::new("floor_above_zero", "The lowest balance must be 0 or below."));
        }
        if ceiling.is_some_and(|c| c < 0) {
            return Err(InputError::new("ceiling_below_zero", "The highest balance must be 0 or above."));
        }
        Ok(Self { floor, ceiling })
    }
}

/// Where an account stands: completed balance, and what pending transfers hold against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Standing {
    pub balance: i64,
    /// Pending amounts going out (they count against the floor).
    pub pending_out: i64,
    /// Pending amounts coming in (they count against the ceiling).
    pub pending_in: i64,
}

impl Standing {
    /// How much more may leave the account, counting what is pending; `None` when unlimited.
    pub fn spendable(self, limits: Limits) -> Option<i64> {
        limits.floor.map(|floor| (self.balance - self.pending_out - floor).max(0))
    }

    /// Whether `amount` more may leave.
    pub fn may_send(self, amount: i64, limits: Limits) -> bool {
        limits.floor.is_none_or(|floor| self.balance - self.pending_out - amount >= floor)
    }

    /// Whether `amount` more may arrive.
    pub fn may_receive(self, amount: i64, limits: Limits) -> bool {
        limits.ceiling.is_none_or(|ceiling| self.balance + self.pending_in + amount <= ceiling)
    }

    /// Within its limits, counting pending amounts both ways.
    pub fn within(self, limits: Limits) -> bool {
        limits.floor.is_none_or(|f| self.balance - self.pending_out >= f)
            && limits.ceiling.is_none_or(|c| self.balance + self.pending_in <= c)
    }
}

/// The levy a payment pays to the community fund: `basis_points` hundredths of a per cent of the
/// amount, rounded down (so a levy never takes more than stewards set).
pub fn levy(amount: Amount, basis_points: u16) -> i64 {
    let levy = i128::from(amount.minor()) * i128::from(basis_points) / 10_000;
    i64::try_from(levy).unwrap_or(0)
}

/// The most a levy may be: 20 %.
pub const MAX_LEVY_BASIS_POINTS: u16 = 2_000;

string_enum!(
    /// How a transfer came about.
    TransferKind {
        Payment => "payment", "Payment";
        Request => "request", "Request for payment";
        Adjustment => "adjustment", "Correction by stewards";
        Reversal => "reversal", "Putting a payment right";
    }
);

string_enum!(
    /// Where a transfer stands. Only `Pending` moves; the rest are final.
    TransferState {
        Pending => "pending", "Waiting";
        Completed => "completed", "Done";
        Declined => "declined", "Declined";
        Cancelled => "cancelled", "Cancelled";
        Expired => "expired", "Expired";
    }
);

impl TransferState {
    pub fn is_final(self) -> bool {
        self != TransferState::Pending
    }
}

string_enum!(
    /// What an entry of a transfer is for.
    EntryPurpose {
        Main => "main", "Payment";
        Levy => "levy", "Levy to the community fund";
    }
);

/// One movement of a transfer: `amount` from one account to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Entry<A> {
    pub from: A,
    pub to: A,
    pub amount: i64,
    pub purpose: EntryPurpose,
}

/// The entries of a transfer: the main one, and a levy from the payer to the fund when
/// stewards set one (not on corrections and reversals, which put right what is there).
pub fn entries<A: Copy>(
    kind: TransferKind,
    payer: A,
    payee: A,
    amount: Amount,
    fund: Option<A>,
    levy_basis_points: u16,
) -> Vec<Entry<A>> {
    let mut entries = vec![Entry { from: payer, to: payee, amount: amount.minor(), purpose: EntryPurpose::Main }];
    let levied = matches!(kind, TransferKind::Payment | TransferKind::Request);
    if let (true, Some(fund)) = (levied, fund) {
        let levy = levy(amount, levy_basis_points);
        if levy > 0 {
            entries.push(Entry { from: payer, to: fund, amount: levy, purpose: EntryPurpose::Levy });
        }
    }
    entries
}

/// The reversal of a transfer's entries: each the other way round.
pub fn reversed<A: Copy>(entries: &[Entry<A>]) -> Vec<Entry<A>> {
    entries.iter().map(|e| Entry { from: e.to, to: e.from, amount: e.amount, purpose: e.purpose }).collect()
}

/// What someone asks of a pending transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TransferEvent {
    /// The one it waits for agrees: it completes.
    Accept,
    /// The one it waits for says no.
    Decline,
    /// Whoever started it takes it back.
    Cancel,
    /// Its time ran out (the system).
    Expire,
}

/// How the one asking stands to a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, Serialize, Deserialize)]
pub struct TransferRoles {
    /// Holds the account that pays.
    pub pays: bool,
    /// Holds the account that receives.
    pub receives: bool,
    /// Started it.
    pub started: bool,
    /// A steward.
    pub steward: bool,
    /// The system itself (only it expires transfers).
    pub system: bool,
    /// Whoever started it holds the account that pays (for a reversal: whose side asked).
    pub starter_pays: bool,
    /// Whoever started it holds the account that receives.
    pub starter_receives: bool,
}

/// Why a transfer cannot move as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransferRefusal {
    /// It is finished already (in this state).
    Finished(TransferState),
    /// The one asking may not do this to it.
    NotYours,
}

/// Who a pending transfer waits for, in plain words.
pub fn waits_for(kind: TransferKind) -> &'static str {
    match kind {
        TransferKind::Payment => "the person being paid to accept it",
        TransferKind::Request => "the person asked to pay",
        TransferKind::Adjustment => "a second steward",
        TransferKind::Reversal => "the other side to agree",
    }
}

/// The workflows, as one rule: what each event does to a transfer of each kind, and who may
/// ask for it. A pending payment waits for its payee; a request for its payer; a correction for
/// a second steward; a reversal for the other party. Whoever started a transfer may cancel it while it waits; only the system expires.
/// Finished transfers never move.
pub fn next_state(
    kind: TransferKind,
    state: TransferState,
    event: TransferEvent,
    roles: TransferRoles,
) -> Result<TransferState, TransferRefusal> {
    if state.is_final() {
        return Err(TransferRefusal::Finished(state));
    }
    let decides = may_decide(kind, roles);
    let allowed = match event {
        TransferEvent::Accept | TransferEvent::Decline => decides,
        TransferEvent::Cancel => roles.started && !roles.system,
        TransferEvent::Expire => roles.system,
    };
    if !allowed {
        return Err(TransferRefusal::NotYours);
    }
    Ok(match event {
        TransferEvent::Accept => TransferState::Completed,
        TransferEvent::Decline => TransferState::Declined,
        TransferEvent::Cancel => TransferState::Cancelled,
        TransferEvent::Expire => TransferState::Expired,
    })
}

/// Whether the one asking is who a pending transfer of this kind waits for.
pub fn may_decide(kind: TransferKind, roles: TransferRoles) -> bool {
    if roles.started || roles.system {
        return false;
    }
    match kind {
        TransferKind::Payment => roles.receives,
        TransferKind::Request => roles.pays,
        // A second steward, and not one whose account it touches.
        TransferKind::Adjustment => roles.steward && !roles.pays && !roles.receives,
        // A reversal asked by one side waits for the other: someone who holds that side and not
        // the side that asked (two people running one business are one side).
        TransferKind::Reversal => {
            (roles.receives && !roles.pays && roles.starter_pays && !roles.starter_receives)
                || (roles.pays && !roles.receives && roles.starter_receives && !roles.starter_pays)
        }
    }
}

/// Whether a reversal may be started by this person: one of the two parties. (Stewards put
/// mistakes right with a correction, which a second steward agrees to.)
pub fn may_start_reversal(roles: TransferRoles) -> bool {
    roles.pays || roles.receives
}

/// A transfer that would move nothing or go round in a circle is refused before anything else.
pub fn check_parties<A: PartialEq>(payer: &A, payee: &A) -> Result<(), InputError> {
    if payer == payee {
        return Err(InputError::new("pay_yourself", "You cannot pay yourself. Choose someone else."));
    }
    Ok(())
}

/// The short text of what a transfer is for.
pub fn parse_description(text: &str) -> Result<String, InputError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(InputError::new("description_required", "Say what it is for, like \"gardening\"."));
    }
    if text.chars().count() > 200 {
        return Err(InputError::new("description_too_long", "Keep what it is for to 200 letters or fewer."));
    }
    if text.chars().any(crate::text::is_disguising) {
        return Err(InputError::new("description_invalid", "Write what it is for on one line, in plain text."));
    }
    Ok(text.to_owned())
}

/// A currency's name and symbol, as stewards type them.
pub fn parse_currency_name(name: &str, symbol: &str) -> Result<(String, String), InputError> {
    let (name, symbol) = (name.trim(), symbol.trim());
    if name.is_empty() || name.chars().count() > 40 {
        return Err(InputError::new("currency_name", "Give the currency a name of 1 to 40 letters, like Diss Hours."));
    }
    if symbol.is_empty() || symbol.chars().count() > 6 || symbol.chars().any(char::is_whitespace) {
        return Err(InputError::new("currency_symbol", "Give it a short symbol of 1 to 6 letters, like DH."));
    }
    let bad = |s: &str| s.chars().any(crate::text::is_disguising);
    if bad(name) || bad(symbol) {
        return Err(InputError::new("currency_name", "Use plain letters for the name and symbol."));
    }
    Ok((name.to_owned(), symbol.to_owned()))
}

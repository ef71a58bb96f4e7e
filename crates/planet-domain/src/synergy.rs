//! Synergy: offers and wants, from first post to an agreed deal and feedback. The words, the
//! lifecycle of a listing and of a deal, prices, and when feedback shows are pure rules here;
//! which listings match and the safety checks on their text are in `synergy::words`.

pub mod words;

use crate::text::InputError;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

string_enum!(
    /// Whether a listing offers something or asks for it.
    Side {
        Offer => "offer", "I am offering";
        Want => "want", "I am looking for";
    }
);

string_enum!(
    /// How something changes hands. A want has the same kinds ("want to borrow").
    ListingKind {
        Give => "give", "Free";
        Lend => "lend", "To lend or borrow";
        Swap => "swap", "To swap";
        Sell => "sell", "For a price";
        Help => "help", "Help or a skill";
    }
);

string_enum!(
    /// Where a listing is in its life.
    ListingStatus {
        Open => "open", "Open";
        Promised => "promised", "Promised";
        Done => "done", "Done";
        Withdrawn => "withdrawn", "Withdrawn";
        Expired => "expired", "Expired";
    }
);

string_enum!(
    /// Where a promise between two members stands. A listing may be promised several times
    /// over (when a promise falls through, it is open again); each promise is one deal.
    DealState {
        Promised => "promised", "Promised";
        Done => "done", "Done";
        FellThrough => "fell_through", "Fell through";
        NoShow => "no_show", "Someone did not turn up";
    }
);

string_enum!(
    /// The short rating each side of a deal may leave.
    Rating {
        Positive => "positive", "It went well";
        Neutral => "neutral", "It was all right";
        Negative => "negative", "It did not go well";
    }
);

/// The words on a listing for what it is: "Free", "Wanted: to borrow".
pub fn kind_phrase(side: Side, kind: ListingKind) -> &'static str {
    match (side, kind) {
        (Side::Offer, ListingKind::Give) => "Free",
        (Side::Offer, ListingKind::Lend) => "To lend",
        (Side::Offer, ListingKind::Swap) => "To swap",
        (Side::Offer, ListingKind::Sell) => "For sale",
        (Side::Offer, ListingKind::Help) => "Help offered",
        (Side::Want, ListingKind::Give) => "Wanted, free",
        (Side::Want, ListingKind::Lend) => "Wanted, to borrow",
        (Side::Want, ListingKind::Swap) => "Wanted, to swap",
        (Side::Want, ListingKind::Sell) => "Wanted, to buy",
        (Side::Want, ListingKind::Help) => "Help wanted",
    }
}

/// What "done" means for a listing, in the words of the one marking it.
pub fn done_phrase(side: Side, kind: ListingKind) -> &'static str {
    match (side, kind) {
        (_, ListingKind::Help) => "Done: the help was given",
        (_, ListingKind::Lend) => "Done: lent",
        (Side::Offer, _) => "Done: taken",
        (Side::Want, _) => "Done: received",
    }
}

/// Days a listing stays open unless its poster chooses otherwise.
pub fn default_days(side: Side) -> i64 {
    match side {
        Side::Offer => 14,
        Side::Want => 28,
    }
}

/// The periods a poster may choose.
pub const DURATION_CHOICES: [i64; 5] = [7, 14, 28, 56, 90];
/// A listing's poster is reminded this long before it expires.
pub const REMINDER_BEFORE: Duration = Duration::days(2);
/// A listing promised this long ago without being marked done is chased up, gently.
pub const STALE_PROMISE: Duration = Duration::days(7);
/// Feedback stays hidden until both sides have written, or this long after the deal.
pub const FEEDBACK_WAIT: Duration = Duration::days(14);
/// At most this many photos on one listing.
pub const MAX_PHOTOS: usize = 6;
/// At most this many tags on one listing.
pub const MAX_TAGS: usize = 10;
/// The most anything may cost, in pence or hundredths of a credit: beyond it, it is a mistake.
const MAX_PRICE_MINOR: i64 = 100_000 * 100;

/// Parse the chosen number of days a listing stays open.
pub fn parse_days(text: &str, side: Side) -> Result<i64, InputError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(default_days(side));
    }
    match text.parse::<i64>() {
        Ok(days) if DURATION_CHOICES.contains(&days) => Ok(days),
        _ => Err(InputError::new("duration_unknown", "Choose how long the listing stays up from the list.")),
    }
}

/// An amount in pounds or credits, kept in hundredths (pence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Minor(i64);

impl Minor {
    pub fn new(hundredths: i64) -> Option<Self> {
        (0..=MAX_PRICE_MINOR).contains(&hundredths).then_some(Self(hundredths))
    }

    pub fn hundredths(self) -> i64 {
        self.0
    }

    /// "2.50", or "3" when there are no hundredths.
    pub fn plain(self) -> String {
        let (whole, part) = (self.0 / 100, self.0 % 100);
        if part == 0 { whole.to_string() } else { format!("{whole}.{part:02}") }
    }

    /// Parse "2.50", "£2.50", "2", "1,200": at most two decimals, never negative, never absurd.
    /// `what` names the field in the message ("the price in pounds").
    pub fn parse(text: &str, what: &str) -> Result<Option<Self>, InputError> {
        let cleaned: String = text.trim().trim_start_matches('£').chars().filter(|c| *c != ',').collect();
        let cleaned = cleaned.trim();
        if cleaned.is_empty() {
            return Ok(None);
        }
        if cleaned.starts_with('-') {
            return Err(InputError::new("price_negative", format!("Enter {what} as 0 or more.")));
        }
        let (whole, part) = cleaned.split_once('.').unwrap_or((cleaned, ""));
        let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
        if !digits(whole) || (!part.is_empty() && !digits(part)) || (cleaned.ends_with('.')) {
            return Err(InputError::new("price_not_a_number", format!("Enter {what} as a number, like 2.50.")));
        }
        if part.len() > 2 {
            return Err(InputError::new("price_too_precise", format!("Enter {what} with at most two decimals.")));
        }
        let too_high = || InputError::new("price_too_high", format!("{} is too high. Please check it.", capital(what)));
        if whole.len() > 9 {
            return Err(too_high());
        }
        let whole: i64 = whole.parse().map_err(|_| too_high())?;
        let part: i64 = if part.is_empty() { 0 } else { format!("{part:0<2}").parse().map_err(|_| too_high())? };
        Minor::new(whole * 100 + part).map(Some).ok_or_else(too_high)
    }
}

fn capital(what: &str) -> String {
    let mut chars = what.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// What something costs: pounds, community credit, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Price {
    pub pounds: Option<Minor>,
    pub credits: Option<Minor>,
}

impl Price {
    pub fn is_free(self) -> bool {
        self.pounds.is_none() && self.credits.is_none()
    }

    /// "£2.50 or 3 credits"; empty when free.
    pub fn describe(self, credit_name: &str) -> String {
        let pounds = self.pounds.map(|p| format!("£{}", p.plain()));
        let credits = self.credits.map(|c| format!("{} {credit_name}", c.plain()));
        match (pounds, credits) {
            (Some(p), Some(c)) => format!("{p} or {c}"),
            (Some(one), None) | (None, Some(one)) => one,
            (None, None) => String::new(),
        }
    }
}

/// A price checked against the kind of listing: a sale names a price; a gift or a swap has
/// none; a loan or help may ask for one (an hour of help for an hour's credit).
pub fn parse_price(kind: ListingKind, pounds: &str, credits: &str) -> Result<Price, (&'static str, InputError)> {
    let pounds = Minor::parse(pounds, "the price in pounds").map_err(|e| ("price_pounds", e))?;
    let credits = Minor::parse(credits, "the price in credits").map_err(|e| ("price_credits", e))?;
    let price = Price { pounds, credits };
    match kind {
        ListingKind::Sell if price.is_free() => Err((
            "price_pounds",
            InputError::new("price_required", "Enter a price in pounds or in credits, or choose “Free”."),
        )),
        ListingKind::Give | ListingKind::Swap if !price.is_free() => Err((
            "price_pounds",
            InputError::new("price_not_wanted", "Something free or to swap has no price. Leave the price empty."),
        )),
        _ => Ok(price),
    }
}

/// How many there are: 1 to 999.
pub fn parse_quantity(text: &str) -> Result<i32, InputError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(1);
    }
    match text.parse::<i32>() {
        Ok(n) if (1..=999).contains(&n) => Ok(n),
        _ => Err(InputError::new("quantity_invalid", "Enter how many as a whole number from 1 to 999.")),
    }
}

/// Free tags, as typed with commas between them: lower case, each 2–30 characters, no repeats.
pub fn parse_tags(text: &str) -> Result<Vec<String>, InputError> {
    let mut tags: Vec<String> = Vec::new();
    for raw in text.split([',', ';', '\n']) {
        let tag = raw.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        let tag = tag.trim_start_matches('#').to_owned();
        if tag.is_empty() || tags.contains(&tag) {
            continue;
        }
        if tag.chars().count() > 30 || tag.chars().any(char::is_control) {
            return Err(InputError::new("tag_invalid", "Each tag must be 30 characters or fewer."));
        }
        tags.push(tag);
    }
    if tags.len() > MAX_TAGS {
        return Err(InputError::new("too_many_tags", format!("Use at most {MAX_TAGS} tags.")));
    }
    Ok(tags)
}

/// Something that happens to a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListingEvent {
    /// The poster promises it to one member who responded.
    Promise,
    /// The promise fell through (or someone did not turn up): open again.
    FallThrough,
    /// Given, taken, received: the deal is done.
    Complete,
    /// The poster takes it down.
    Withdraw,
    /// Its time ran out.
    Expire,
    /// Put up again (after it expired or was withdrawn), with a new closing date.
    Repost,
}

impl ListingEvent {
    pub const ALL: [ListingEvent; 6] = [
        ListingEvent::Promise,
        ListingEvent::FallThrough,
        ListingEvent::Complete,
        ListingEvent::Withdraw,
        ListingEvent::Expire,
        ListingEvent::Repost,
    ];
}

/// The listing lifecycle: open → promised → done, or withdrawn, or expired. Done is final;
/// only a listing nobody is waiting on can expire; a promised one must be resolved first.
pub fn next_status(status: ListingStatus, event: ListingEvent) -> Option<ListingStatus> {
    use ListingEvent as E;
    use ListingStatus as S;
    match (status, event) {
        (S::Open, E::Promise) => Some(S::Promised),
        (S::Promised, E::FallThrough) => Some(S::Open),
        (S::Promised, E::Complete) => Some(S::Done),
        (S::Open | S::Promised, E::Withdraw) => Some(S::Withdrawn),
        (S::Open, E::Expire) => Some(S::Expired),
        (S::Expired | S::Withdrawn, E::Repost) => Some(S::Open),
        _ => None,
    }
}

impl ListingStatus {
    /// Still up: people may respond to it.
    pub fn is_live(self) -> bool {
        matches!(self, ListingStatus::Open | ListingStatus::Promised)
    }
}

/// What went wrong with a promise, in the words of the one saying so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FallThrough {
    /// Called off, by either side.
    Cancelled,
    /// The other side did not turn up (recorded apart from a cancellation).
    NoShow,
}

impl FallThrough {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "cancelled" => Some(FallThrough::Cancelled),
            "no_show" => Some(FallThrough::NoShow),
            _ => None,
        }
    }

    pub fn deal_state(self) -> DealState {
        match self {
            FallThrough::Cancelled => DealState::FellThrough,
            FallThrough::NoShow => DealState::NoShow,
        }
    }
}

/// Whether the feedback on a deal shows yet: once both sides have written, or once
/// `FEEDBACK_WAIT` has passed since the deal was done — so neither writes in answer to the other.
pub fn feedback_visible(both_written: bool, done_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    both_written || now >= done_at + FEEDBACK_WAIT
}

/// Whether feedback may still be written: only on a done deal, and within the wait.
pub fn feedback_open(state: DealState, done_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    state == DealState::Done && done_at.is_some_and(|at| now < at + FEEDBACK_WAIT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn prices_parse_in_plain_forms() {
        assert_eq!(Minor::parse("2.5", "x").unwrap(), Minor::new(250));
        assert_eq!(Minor::parse("£1,200", "x").unwrap(), Minor::new(120_000));
        assert_eq!(Minor::parse(" 0 ", "x").unwrap(), Minor::new(0));
        assert_eq!(Minor::parse("", "x").unwrap(), None);
        assert_eq!(Minor::parse("-1", "x").unwrap_err().code, "price_negative");
        assert_eq!(Minor::parse("1.234", "x").unwrap_err().code, "price_too_precise");
        assert_eq!(Minor::parse("lots", "x").unwrap_err().code, "price_not_a_number");
        assert_eq!(Minor::parse("1.", "x").unwrap_err().code, "price_not_a_number");
        assert_eq!(Minor::parse("100001", "x").unwrap_err().code, "price_too_high");
        assert_eq!(Minor::parse("99999999999999999999", "x").unwrap_err().code, "price_too_high");
        assert_eq!(Minor::new(250).unwrap().plain(), "2.50");
        assert_eq!(Minor::new(300).unwrap().plain(), "3");
    }

    #[test]
    fn the_price_fits_the_kind() {
        assert_eq!(parse_price(ListingKind::Sell, "", "").unwrap_err().1.code, "price_required");
        assert_eq!(parse_price(ListingKind::Give, "1", "").unwrap_err().1.code, "price_not_wanted");
        assert!(parse_price(ListingKind::Help, "", "1").is_ok());
        let price = parse_price(ListingKind::Sell, "2", "3").unwrap();
        assert_eq!(price.describe("credits"), "£2 or 3 credits");
    }

    #[test]
    fn tags_are_tidied() {
        assert_eq!(
            parse_tags("Fruit, #apples ,fruit,, Bramley  apples").unwrap(),
            ["fruit", "apples", "bramley apples"]
        );
        assert_eq!(parse_tags(&"a,".repeat(3)).unwrap(), ["a"]);
        let many: Vec<String> = (0..11).map(|n| format!("tag{n}")).collect();
        assert_eq!(parse_tags(&many.join(",")).unwrap_err().code, "too_many_tags");
    }

    #[test]
    fn durations_are_chosen_from_the_list() {
        assert_eq!(parse_days("", Side::Offer).unwrap(), 14);
        assert_eq!(parse_days("", Side::Want).unwrap(), 28);
        assert_eq!(parse_days("56", Side::Offer).unwrap(), 56);
        assert!(parse_days("3", Side::Offer).is_err());
    }

    #[test]
    fn feedback_waits_for_both_or_a_fortnight() {
        let done = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        assert!(!feedback_visible(false, done, done + Duration::days(13)));
        assert!(feedback_visible(true, done, done));
        assert!(feedback_visible(false, done, done + FEEDBACK_WAIT));
        assert!(feedback_open(DealState::Done, Some(done), done + Duration::days(1)));
        assert!(!feedback_open(DealState::Done, Some(done), done + FEEDBACK_WAIT));
        assert!(!feedback_open(DealState::FellThrough, Some(done), done));
    }

    fn status() -> impl Strategy<Value = ListingStatus> {
        prop::sample::select(ListingStatus::ALL.to_vec())
    }

    fn event() -> impl Strategy<Value = ListingEvent> {
        prop::sample::select(ListingEvent::ALL.to_vec())
    }

    proptest! {
        /// Done is final; a promised listing is never left but by the deal resolving or the
        /// poster withdrawing it; nothing expires while someone is promised it.
        #[test]
        fn the_lifecycle_keeps_its_promises(start in status(), events in prop::collection::vec(event(), 0..20)) {
            let mut now = start;
            for event in events {
                if let Some(next) = next_status(now, event) {
                    prop_assert_ne!(now, ListingStatus::Done);
                    if now == ListingStatus::Promised {
                        prop_assert!(matches!(event, ListingEvent::Complete | ListingEvent::FallThrough | ListingEvent::Withdraw));
                    }
                    if next == ListingStatus::Expired {
                        prop_assert_eq!(now, ListingStatus::Open);
                    }
                    if next == ListingStatus::Done {
                        prop_assert_eq!(now, ListingStatus::Promised);
                    }
                    now = next;
                }
            }
        }

        /// Any amount written the plain way reads back as itself.
        #[test]
        fn amounts_round_trip(hundredths in 0i64..=MAX_PRICE_MINOR) {
            let minor = Minor::new(hundredths).unwrap();
            prop_assert_eq!(Minor::parse(&minor.plain(), "x").unwrap(), Some(minor));
        }
    }
}

//! The words of a listing: which words it is found and matched by, whether a new offer answers
//! an open want (and the other way round), and the safety checks on what people write (no exact
//! addresses; a warning when someone asks to be paid outside the community).

use super::{ListingKind, Side};
use std::collections::BTreeSet;

/// Words too common to say anything about what a listing is.
const STOP_WORDS: &[&str] = &[
    "a",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "but",
    "by",
    "can",
    "do",
    "for",
    "from",
    "have",
    "i",
    "if",
    "in",
    "is",
    "it",
    "its",
    "me",
    "my",
    "need",
    "needed",
    "of",
    "off",
    "on",
    "or",
    "our",
    "please",
    "some",
    "the",
    "to",
    "up",
    "us",
    "want",
    "wanted",
    "we",
    "will",
    "with",
    "would",
    "you",
    "your",
    "free",
    "offer",
    "offered",
    "looking",
    "anyone",
    "someone",
    "has",
    "got",
    "this",
    "that",
    "bit",
    "few",
    "lot",
    "lots",
    // Words that say how a thing is, not what it is: two listings sharing one are no match.
    "new",
    "old",
    "good",
    "spare",
    "fresh",
    "small",
    "large",
    "big",
    "little",
    "homemade",
    "organic",
    "local",
    "nice",
    "lovely",
    "great",
    "used",
    "unused",
    "clean",
    "excellent",
    "condition",
];

/// A word as it is indexed and searched: lower case, letters and digits only, and a plural's
/// last `s` (or `es` after s, x, z, ch, sh) taken off, so "apples" finds "apple".
pub fn normalise(word: &str) -> Option<String> {
    let word: String = word.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
    // A run of letters longer than any word (a pasted code or link) is not worth indexing.
    if !(2..=40).contains(&word.chars().count()) || STOP_WORDS.contains(&word.as_str()) {
        return None;
    }
    Some(singular(&word))
}

fn singular(word: &str) -> String {
    if word.len() <= 3 || word.ends_with("ss") || word.ends_with("us") || word.ends_with("is") {
        return word.to_owned();
    }
    for ending in ["ches", "shes", "sses", "xes", "zes"] {
        if let Some(stem) = word.strip_suffix(ending) {
            return format!("{stem}{}", &ending[..ending.len() - 2]);
        }
    }
    if let Some(stem) = word.strip_suffix("ies") {
        return format!("{stem}y");
    }
    word.strip_suffix('s').unwrap_or(word).to_owned()
}

/// The distinct words of some text, normalised.
pub fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter_map(normalise).collect()
}

/// What a listing is about: the words of its title and its tags. Matching uses these alone
/// (a description mentions too much in passing); search uses the description too.
pub fn keywords(title: &str, tags: &[String]) -> BTreeSet<String> {
    let mut all = words(title);
    for tag in tags {
        all.extend(words(tag));
    }
    all
}

/// The facts about a listing that decide whether it matches another.
#[derive(Debug, Clone)]
pub struct MatchFacts<'a> {
    pub side: Side,
    pub kind: ListingKind,
    pub category: uuid::Uuid,
    pub keywords: &'a BTreeSet<String>,
}

/// Help matches help; things match things however they change hands (someone who wants
/// apples is glad of them free, swapped or sold).
pub fn kinds_fit(a: ListingKind, b: ListingKind) -> bool {
    (a == ListingKind::Help) == (b == ListingKind::Help)
}

/// An offer matches a want (or a want an offer) in the same category that shares a word of
/// its title or tags.
pub fn matches(a: &MatchFacts<'_>, b: &MatchFacts<'_>) -> bool {
    a.side != b.side
        && a.category == b.category
        && kinds_fit(a.kind, b.kind)
        && a.keywords.intersection(b.keywords).next().is_some()
}

/// A saved search: each part that is set must hold, and every word must be among the
/// listing's words (title, tags and description).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFilter {
    pub side: Option<Side>,
    pub kind: Option<ListingKind>,
    pub category: Option<uuid::Uuid>,
    pub area: Option<String>,
    pub space: Option<uuid::Uuid>,
    pub words: Vec<String>,
}

/// A new listing, as a saved search looks at it.
#[derive(Debug, Clone)]
pub struct Searched<'a> {
    pub side: Side,
    pub kind: ListingKind,
    pub category: uuid::Uuid,
    pub area: &'a str,
    pub space: uuid::Uuid,
    pub words: &'a BTreeSet<String>,
}

impl SearchFilter {
    /// A search with nothing in it would match everything: not worth an alert.
    pub fn is_empty(&self) -> bool {
        *self == SearchFilter::default()
    }

    pub fn answers(&self, listing: &Searched<'_>) -> bool {
        !self.is_empty()
            && self.side.is_none_or(|s| s == listing.side)
            && self.kind.is_none_or(|k| k == listing.kind)
            && self.category.is_none_or(|c| c == listing.category)
            && self.area.as_deref().is_none_or(|a| a == listing.area)
            && self.space.is_none_or(|s| s == listing.space)
            && self.words.iter().all(|w| listing.words.contains(w))
    }
}

/// Whether text holds what looks like an exact address: a full UK postcode ("IP22 4AB") or a
/// house number before a street word ("12 Mere Street"). The area of town is enough; the
/// address is passed on in private once a deal is agreed.
pub fn looks_like_address(text: &str) -> bool {
    has_full_postcode(text) || has_house_and_street(text)
}

fn has_full_postcode(text: &str) -> bool {
    let tokens: Vec<String> =
        text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|t| !t.is_empty()).map(str::to_uppercase).collect();
    let outward = |t: &str| {
        let b = t.as_bytes();
        (2..=4).contains(&b.len()) && b[0].is_ascii_alphabetic() && b.iter().any(u8::is_ascii_digit)
    };
    let inward = |t: &str| {
        let b = t.as_bytes();
        b.len() == 3 && b[0].is_ascii_digit() && b[1].is_ascii_alphabetic() && b[2].is_ascii_alphabetic()
    };
    tokens.windows(2).any(|pair| outward(&pair[0]) && inward(&pair[1]))
        || tokens
            .iter()
            .any(|t| t.len() >= 5 && t.len() <= 7 && inward(&t[t.len() - 3..]) && outward(&t[..t.len() - 3]))
}

const STREET_WORDS: &[&str] = &[
    "street", "st", "road", "rd", "lane", "ln", "close", "avenue", "ave", "drive", "way", "crescent", "court",
    "gardens", "terrace", "place", "grove", "row", "walk", "hill", "green", "square", "mews",
];

fn has_house_and_street(text: &str) -> bool {
    let tokens: Vec<String> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase())
        .collect();
    tokens.iter().enumerate().any(|(at, token)| {
        let number = token.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        !number.is_empty()
            && number.len() <= 4
            && number.chars().all(|c| c.is_ascii_digit())
            && tokens[at + 1..].iter().take(3).skip(1).any(|t| STREET_WORDS.contains(&t.as_str()))
    })
}

/// Phrases that ask for money outside the community (or that scams use). Worth a warning on
/// the listing, not a refusal: a member selling a bike for pounds is fine.
const MONEY_PHRASES: &[&str] = &[
    "bank transfer",
    "sort code",
    "account number",
    "paypal",
    "western union",
    "moneygram",
    "gift card",
    "itunes card",
    "bitcoin",
    "crypto",
    "deposit",
    "pay upfront",
    "pay up front",
    "send money",
    "courier fee",
    "venmo",
    "cash app",
    "revolut",
];

/// The phrase that asks for money outside the community, if any.
pub fn money_outside(text: &str) -> Option<&'static str> {
    let flat: String = text.to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ");
    MONEY_PHRASES.iter().copied().find(|phrase| flat.contains(phrase))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plurals_and_stop_words() {
        assert_eq!(words("Bramley APPLES for the taking"), ["apple", "bramley", "taking"].map(String::from).into());
        assert_eq!(normalise("boxes").as_deref(), Some("box"));
        assert_eq!(normalise("cherries").as_deref(), Some("cherry"));
        assert_eq!(normalise("glass").as_deref(), Some("glass"));
        assert_eq!(normalise("bus").as_deref(), Some("bus"));
        assert_eq!(normalise("the"), None);
    }

    fn facts<'a>(side: Side, kind: ListingKind, category: u128, keywords: &'a BTreeSet<String>) -> MatchFacts<'a> {
        MatchFacts { side, kind, category: uuid::Uuid::from_u128(category), keywords }
    }

    #[test]
    fn apples_offered_answer_a_want_for_fruit_tagged_so() {
        let offer = keywords("Bramley apples", &["fruit".to_owned()]);
        let want = keywords("Any fruit", &[]);
        assert!(matches(
            &facts(Side::Offer, ListingKind::Give, 1, &offer),
            &facts(Side::Want, ListingKind::Sell, 1, &want)
        ));
        // Another category, the same side, or help against things: no match.
        assert!(!matches(
            &facts(Side::Offer, ListingKind::Give, 1, &offer),
            &facts(Side::Want, ListingKind::Give, 2, &want)
        ));
        assert!(!matches(
            &facts(Side::Offer, ListingKind::Give, 1, &offer),
            &facts(Side::Offer, ListingKind::Give, 1, &want)
        ));
        assert!(!matches(
            &facts(Side::Offer, ListingKind::Help, 1, &offer),
            &facts(Side::Want, ListingKind::Give, 1, &want)
        ));
    }

    #[test]
    fn addresses_are_spotted() {
        assert!(looks_like_address("Come to 12 Mere Street"));
        assert!(looks_like_address("IP22 4AB"));
        assert!(looks_like_address("postcode ip224ab please"));
        assert!(looks_like_address("14a Victoria Road, Diss"));
        assert!(!looks_like_address("Near the Mere"));
        assert!(!looks_like_address("IP22"));
        assert!(!looks_like_address("2 bags of apples, ready on Saturday"));
        assert!(!looks_like_address("3 hours of gardening on the green"));
    }

    #[test]
    fn money_outside_is_noticed() {
        assert_eq!(money_outside("Pay by Bank  Transfer first"), Some("bank transfer"));
        assert_eq!(money_outside("£5 cash when you collect"), None);
    }

    #[test]
    fn saved_searches_answer_listings_that_hold_every_part() {
        let words = words("Bramley apples for crumble");
        let listing = Searched {
            side: Side::Offer,
            kind: ListingKind::Give,
            category: uuid::Uuid::from_u128(1),
            area: "Near the Mere",
            space: uuid::Uuid::from_u128(9),
            words: &words,
        };
        let apples = SearchFilter { words: vec!["apple".into()], ..SearchFilter::default() };
        assert!(apples.answers(&listing));
        assert!(!SearchFilter { side: Some(Side::Want), ..apples.clone() }.answers(&listing));
        assert!(!SearchFilter { words: vec!["apple".into(), "pear".into()], ..apples.clone() }.answers(&listing));
        assert!(SearchFilter { area: Some("Near the Mere".into()), ..apples }.answers(&listing));
        assert!(!SearchFilter::default().answers(&listing), "an empty search alerts nobody");
    }

    proptest! {
        /// Matching is symmetric, and never pairs two offers or two wants.
        #[test]
        fn matching_is_symmetric(
            a_offer in any::<bool>(), b_offer in any::<bool>(),
            a_help in any::<bool>(), b_help in any::<bool>(),
            a_cat in 0u128..3, b_cat in 0u128..3,
            a_words in prop::collection::btree_set("[a-c]{2}", 0..4),
            b_words in prop::collection::btree_set("[a-c]{2}", 0..4),
        ) {
            let side = |offer| if offer { Side::Offer } else { Side::Want };
            let kind = |help| if help { ListingKind::Help } else { ListingKind::Give };
            let a = facts(side(a_offer), kind(a_help), a_cat, &a_words);
            let b = facts(side(b_offer), kind(b_help), b_cat, &b_words);
            prop_assert_eq!(matches(&a, &b), matches(&b, &a));
            if a_offer == b_offer {
                prop_assert!(!matches(&a, &b));
            }
        }

        /// Normalising is stable: a normalised word normalises to itself.
        #[test]
        fn normalising_is_idempotent(word in "[a-zA-Z]{2,12}") {
            if let Some(once) = normalise(&word) {
                let twice = normalise(&once);
                prop_assert!(twice.is_none() || twice.as_deref() == Some(once.as_str()));
            }
        }
    }
}

//! The green directory's words: kinds of entry, who may see contact details, and the few
//! pieces of profile input that need more than a length check (websites, tags, phone numbers).

use crate::text::InputError;
use serde::{Deserialize, Serialize};

string_enum!(
    /// What an entry in the directory is.
    ProfileKind {
        Person => "person", "Person";
        Business => "business", "Business";
        Organisation => "organisation", "Organisation";
    }
);

impl ProfileKind {
    /// Businesses and organisations are run by members; people are members.
    pub fn is_organisation(self) -> bool {
        !matches!(self, ProfileKind::Person)
    }
}

string_enum!(
    /// Who may see a profile's contact details.
    ContactVisibility {
        Nobody => "nobody", "Nobody";
        Trusted => "trusted", "Only people I trust";
        Members => "members", "All members";
    }
);

/// Whether a viewer may see contact details, given the owner's choice and whether the owner
/// (or a manager, for a business) has said they trust the viewer.
pub fn may_see_contacts(visibility: ContactVisibility, is_owner: bool, owner_trusts_viewer: bool) -> bool {
    is_owner
        || match visibility {
            ContactVisibility::Nobody => false,
            ContactVisibility::Trusted => owner_trusts_viewer,
            ContactVisibility::Members => true,
        }
}

/// A website address: `https://` or `http://` followed by a host, nothing that could run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Website(String);

impl Website {
    pub const MAX_CHARS: usize = 200;

    /// Empty input means "no website". A bare `www.example.org` gets `https://` in front.
    pub fn parse(input: &str) -> Result<Option<Self>, InputError> {
        let text = input.trim();
        if text.is_empty() {
            return Ok(None);
        }
        if text.chars().count() > Self::MAX_CHARS {
            return Err(InputError::new("too_long", "Website must be 200 characters or fewer"));
        }
        let lower = text.to_ascii_lowercase();
        let full = if lower.starts_with("https://") || lower.starts_with("http://") {
            text.to_owned()
        } else if lower.contains("://") || lower.starts_with("javascript:") || lower.starts_with("data:") {
            return Err(Self::invalid());
        } else {
            format!("https://{text}")
        };
        let rest = full.split_once("://").map(|(_, rest)| rest).unwrap_or_default();
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host_ok = host.contains('.')
            && !host.starts_with('.')
            && !host.ends_with('.')
            && host.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | ':'));
        let clean = !full.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"'));
        if host_ok && clean { Ok(Some(Self(full))) } else { Err(Self::invalid()) }
    }

    fn invalid() -> InputError {
        InputError::new("website_invalid", "Enter a website address like www.dissbakery.co.uk")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Skills and interests: short lower-case words or phrases, separated by commas.
pub fn parse_tags(input: &str) -> Result<Vec<String>, InputError> {
    const MAX_TAGS: usize = 20;
    const MAX_CHARS: usize = 30;
    let mut tags: Vec<String> = Vec::new();
    for piece in input.split([',', '\n']) {
        let tag = piece.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        if tag.is_empty() {
            continue;
        }
        if tag.chars().count() > MAX_CHARS {
            return Err(InputError::new(
                "tag_too_long",
                format!("Each skill or interest must be {MAX_CHARS} characters or fewer (\"{tag}\" is longer)"),
            ));
        }
        if !tag.chars().all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '\'' | '&')) {
            return Err(InputError::new(
                "tag_invalid",
                "Skills and interests can use letters, numbers, spaces, hyphens and apostrophes",
            ));
        }
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(InputError::new("too_many_tags", format!("Please list at most {MAX_TAGS} skills and interests")));
    }
    Ok(tags)
}

/// A phone number as people write it: digits, spaces, `+`, brackets and hyphens.
pub fn parse_phone(input: &str) -> Result<Option<String>, InputError> {
    let text = input.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let allowed = text.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '(' | ')' | '-'));
    if !allowed || !(7..=15).contains(&digits) {
        return Err(InputError::new("phone_invalid", "Enter a phone number like 01379 123456"));
    }
    Ok(Some(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websites() {
        assert_eq!(Website::parse("").unwrap(), None);
        assert_eq!(Website::parse("www.dissbakery.co.uk").unwrap().unwrap().as_str(), "https://www.dissbakery.co.uk");
        assert_eq!(
            Website::parse("http://diss.example/shop?x=1").unwrap().unwrap().as_str(),
            "http://diss.example/shop?x=1"
        );
        for bad in [
            "javascript:alert(1)",
            "ftp://x.org",
            "https://",
            "not a site",
            "https://a.org/\"onmouseover",
            "data:text/html,x",
        ] {
            assert_eq!(Website::parse(bad).unwrap_err().code, "website_invalid", "{bad}");
        }
    }

    #[test]
    fn tags_are_tidied() {
        assert_eq!(
            parse_tags("Bread,  sourdough ,bread,\nBike   repair").unwrap(),
            vec!["bread", "sourdough", "bike repair"]
        );
        assert_eq!(parse_tags(" , ").unwrap(), Vec::<String>::new());
        assert_eq!(parse_tags("<script>").unwrap_err().code, "tag_invalid");
        assert_eq!(parse_tags(&"x".repeat(31)).unwrap_err().code, "tag_too_long");
        let many = (0..21).map(|n| format!("t{n}")).collect::<Vec<_>>().join(",");
        assert_eq!(parse_tags(&many).unwrap_err().code, "too_many_tags");
    }

    #[test]
    fn phones() {
        assert_eq!(parse_phone(" 01379 123456 ").unwrap().unwrap(), "01379 123456");
        assert_eq!(parse_phone("").unwrap(), None);
        assert_eq!(parse_phone("12").unwrap_err().code, "phone_invalid");
        assert_eq!(parse_phone("call me").unwrap_err().code, "phone_invalid");
    }

    #[test]
    fn contact_details_follow_the_owners_choice() {
        use ContactVisibility::*;
        assert!(may_see_contacts(Nobody, true, false));
        assert!(!may_see_contacts(Nobody, false, true));
        assert!(!may_see_contacts(Trusted, false, false));
        assert!(may_see_contacts(Trusted, false, true));
        assert!(may_see_contacts(Members, false, false));
    }
}

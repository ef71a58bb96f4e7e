//! Parse, don't validate: text from forms becomes a typed value at the edge, and a value of
//! one of these types is valid by construction.

use serde::Serialize;
use std::fmt;

/// Why a piece of input was refused, in words a member understands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct InputError {
    /// A stable, snake_case code (also used by the JSON API).
    pub code: &'static str,
    /// Plain UK English, shown next to the field.
    pub message: String,
}

impl InputError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

fn bounded(
    input: &str,
    what: &str,
    min: usize,
    max: usize,
    code_prefix: &'static str,
    multi_line: bool,
) -> Result<String, InputError> {
    let trimmed = input.trim();
    let count = trimmed.chars().count();
    if count < min {
        let message = if count == 0 {
            format!("Enter {what}")
        } else {
            format!("{} must be at least {min} characters", capitalise(what))
        };
        return Err(InputError::new(code_prefix, message));
    }
    if count > max {
        return Err(InputError::new("too_long", format!("{} must be {max} characters or fewer", capitalise(what))));
    }
    let allowed = |c: char| multi_line && matches!(c, '\n' | '\r' | '\t');
    if trimmed.chars().any(|c| is_disguising(c) && !allowed(c)) {
        return Err(InputError::new(
            "invalid_characters",
            format!("{} contains characters we cannot store", capitalise(what)),
        ));
    }
    Ok(trimmed.to_owned())
}

/// Control and bidirectional-override characters, which can disguise text (in email subjects
/// too).
pub fn is_disguising(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn capitalise(what: &str) -> String {
    let mut chars = what.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $what:literal, $min:literal, $max:literal, $code:literal, $multi:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;
            pub fn parse(input: &str) -> Result<Self, InputError> {
                bounded(input, $what, $min, $max, $code, $multi).map(Self)
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_type!(
    /// A person's real name, as they are known in town.
    PersonName, "your full name", 2, 100, "name_required", false
);
text_type!(
    /// The community's name, shown in the header of every page.
    CommunityName, "the community's name", 2, 80, "community_name_required", false
);
text_type!(
    /// A space's name.
    SpaceName, "a name for the group", 2, 80, "space_name_required", false
);
text_type!(
    /// A space's description (Markdown, sanitised when shown).
    Description, "a description", 0, 4000, "description_required", true
);
text_type!(
    /// The applicant's few words on how they know the person who invited them.
    HowKnown, "how you know the person who invited you", 10, 1000, "how_known_required", true
);
text_type!(
    /// A short note: on an invitation, a join request, a decision.
    ShortNote, "a note", 0, 500, "note_required", true
);
text_type!(
    /// A label a member gives to an API token.
    TokenName, "a name for the token", 1, 60, "token_name_required", false
);

text_type!(
    /// The name of a business or organisation in the directory.
    OrganisationName, "the name of the business or organisation", 2, 100, "profile_name_required", false
);
text_type!(
    /// One line under a name in the directory ("Baker on Mere Street since 1998").
    Tagline, "a short line about you", 0, 140, "tagline_required", false
);
text_type!(
    /// An area of town — never a street address.
    AreaName, "an area of town", 0, 40, "area_required", false
);
text_type!(
    /// Free text on a profile: what I can offer, what I need, how I live a value.
    ProfileText, "this text", 0, 2000, "text_required", true
);
text_type!(
    /// The note on a trust statement ("We have run the repair café together for years").
    TrustNote, "a note", 0, 500, "note_required", true
);
text_type!(
    /// The name of one of the community's values, or of a badge.
    LabelName, "a name", 2, 60, "label_name_required", false
);

text_type!(
    /// A topic's title ("Veg-box rota for December").
    TopicTitle, "a title", 2, 120, "title_required", false
);
text_type!(
    /// A message in a topic (Markdown, sanitised when shown). Long enough for a proper letter,
    /// short enough that nobody floods a topic with one post.
    MessageText, "a message", 1, 10000, "message_required", true
);
text_type!(
    /// What a listing is, in a few words ("Bramley apples, a big bag").
    ListingTitle, "what it is, in a few words", 3, 100, "title_required", false
);
text_type!(
    /// When a listing's thing or help is to be had ("Saturday mornings").
    Availability, "when it is available", 0, 100, "available_required", false
);
text_type!(
    /// Why a member reports a message.
    ReportReason, "what is wrong with it", 3, 1000, "reason_required", true
);

/// An email address, lower-cased so that one address is one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub const MAX_CHARS: usize = 254;

    pub fn parse(input: &str) -> Result<Self, InputError> {
        let email = input.trim().to_lowercase();
        if email.is_empty() {
            return Err(InputError::new("email_required", "Enter your email address"));
        }
        if email.chars().count() > Self::MAX_CHARS {
            return Err(InputError::new("too_long", "Email address must be 254 characters or fewer"));
        }
        let invalid =
            || InputError::new("email_invalid", "Enter an email address in the right form, like name@example.com");
        let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        let local_ok = !local.is_empty()
            && local.chars().count() <= 64
            && !local.chars().any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\\\"@".contains(c));
        if domain_ok && local_ok { Ok(Self(email)) } else { Err(invalid()) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A new password. Long rather than complicated, as NCSC advises; never shown in `Debug`.
#[derive(Clone)]
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 200;

    pub fn parse(input: &str) -> Result<Self, InputError> {
        let count = input.chars().count();
        if count == 0 {
            return Err(InputError::new("password_required", "Enter a password"));
        }
        if count < Self::MIN_CHARS {
            return Err(InputError::new(
                "password_too_short",
                "Password must be at least 10 characters. Three random words make a good one.",
            ));
        }
        if count > Self::MAX_CHARS {
            return Err(InputError::new("too_long", "Password must be 200 characters or fewer"));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_email(input: &str, expected: Result<&str, &str>) {
        let got = EmailAddress::parse(input);
        match expected {
            Ok(email) => assert_eq!(got.unwrap().as_str(), email, "input {input:?}"),
            Err(code) => assert_eq!(got.unwrap_err().code, code, "input {input:?}"),
        }
    }

    #[test]
    fn email_addresses() {
        check_email("Ann@Example.org", Ok("ann@example.org"));
        check_email("  bob.smith+planet@diss.example.co.uk ", Ok("bob.smith+planet@diss.example.co.uk"));
        check_email("", Err("email_required"));
        check_email("   ", Err("email_required"));
        check_email("ann", Err("email_invalid"));
        check_email("ann@", Err("email_invalid"));
        check_email("@example.org", Err("email_invalid"));
        check_email("ann@example", Err("email_invalid"));
        check_email("ann smith@example.org", Err("email_invalid"));
        check_email("ann@@example.org", Err("email_invalid"));
        check_email("ann@exa..mple.org", Err("email_invalid"));
        check_email(&format!("{}@example.org", "a".repeat(300)), Err("too_long"));
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(PersonName::parse("  Ann Smith ").unwrap().as_str(), "Ann Smith");
        assert_eq!(PersonName::parse("").unwrap_err().code, "name_required");
        assert_eq!(PersonName::parse("A").unwrap_err().code, "name_required");
        assert_eq!(PersonName::parse("A").unwrap_err().message, "Your full name must be at least 2 characters");
        assert_eq!(PersonName::parse(&"x".repeat(101)).unwrap_err().code, "too_long");
        assert_eq!(PersonName::parse("Ann\u{0}").unwrap_err().code, "invalid_characters");
        assert_eq!(PersonName::parse("Ann\nBcc: x@y.z").unwrap_err().code, "invalid_characters");
        assert_eq!(SpaceName::parse("Farm\u{202e}txt.exe").unwrap_err().code, "invalid_characters");
        assert!(Description::parse("Line one\nLine two").is_ok());
        assert!(Description::parse("").is_ok());
        assert_eq!(Description::parse(&"y".repeat(4001)).unwrap_err().code, "too_long");
        assert_eq!(HowKnown::parse("neighbour").unwrap_err().code, "how_known_required");
    }

    #[test]
    fn messages_read_as_sentences() {
        assert_eq!(PersonName::parse("").unwrap_err().message, "Enter your full name");
        assert_eq!(
            SpaceName::parse(&"x".repeat(81)).unwrap_err().message,
            "A name for the group must be 80 characters or fewer"
        );
    }

    #[test]
    fn passwords() {
        assert_eq!(NewPassword::parse("").unwrap_err().code, "password_required");
        assert_eq!(NewPassword::parse("short").unwrap_err().code, "password_too_short");
        assert!(NewPassword::parse("correct horse battery").is_ok());
        assert_eq!(format!("{:?}", NewPassword::parse("correct horse battery").unwrap()), "NewPassword(***)");
    }
}

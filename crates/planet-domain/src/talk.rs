//! Talk: topics and messages in spaces, reactions, mentions, and the rules that keep it kind
//! (reports that hide a message, first messages that wait for approval).

use serde::{Deserialize, Serialize};

string_enum!(
    /// The small fixed set of reactions (a bigger palette invites point-scoring).
    Reaction {
        Like => "like", "Like";
        Heart => "heart", "Love it";
        Thanks => "thanks", "Thank you";
        Laugh => "laugh", "Made me smile";
        Celebrate => "celebrate", "Well done";
        Seedling => "seedling", "Green idea";
    }
);

impl Reaction {
    pub fn emoji(self) -> &'static str {
        match self {
            Reaction::Like => "👍",
            Reaction::Heart => "❤️",
            Reaction::Thanks => "🙏",
            Reaction::Laugh => "😄",
            Reaction::Celebrate => "🎉",
            Reaction::Seedling => "🌱",
        }
    }
}

string_enum!(
    /// What a moderator (or the community's rules) did. Each lands in the moderation log.
    ModerationKind {
        Hide => "hide", "Hid a message";
        AutoHide => "auto_hide", "A message was hidden after reports";
        Restore => "restore", "Restored a message";
        Approve => "approve", "Approved a first message";
        Reject => "reject", "Did not approve a message";
        Dismiss => "dismiss", "Dismissed reports";
        Warn => "warn", "Warned a member privately";
        PreModerate => "premoderate", "Put a member's messages on approval";
        EndPreModeration => "end_premoderation", "Ended approval of a member's messages";
        Mute => "mute", "Muted a member";
        Unmute => "unmute", "Unmuted a member";
        Pin => "pin", "Pinned a topic";
        Unpin => "unpin", "Unpinned a topic";
        Lock => "lock", "Locked a topic";
        Unlock => "unlock", "Unlocked a topic";
        Move => "move", "Moved a topic";
    }
);

string_enum!(
    /// Limits a moderator puts on one member in one space.
    RestrictionKind {
        Mute => "mute", "Muted";
        PreModerate => "premoderate", "Messages wait for approval";
    }
);

/// A space's moderation settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TalkRules {
    /// Reports from this many different members hide a message until a moderator looks.
    pub report_threshold: u32,
    /// A member's first messages in the space wait for a coordinator's approval.
    pub first_messages_to_approve: u32,
}

impl Default for TalkRules {
    fn default() -> Self {
        Self { report_threshold: 3, first_messages_to_approve: 2 }
    }
}

impl TalkRules {
    pub const MAX_THRESHOLD: u32 = 20;
    pub const MAX_FIRST_MESSAGES: u32 = 10;

    /// Whether the next message of a member waits for approval, given how many of theirs have
    /// been published in the space and whether a moderator put them on approval.
    pub fn needs_approval(&self, published_before: u64, premoderated: bool) -> bool {
        premoderated || published_before < u64::from(self.first_messages_to_approve)
    }

    /// Whether reports from this many different members hide a message.
    pub fn hides(&self, distinct_reporters: u64) -> bool {
        distinct_reporters >= u64::from(self.report_threshold.max(1))
    }
}

/// How a message shows to someone who is not its author or a moderator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageState {
    Published,
    /// Waiting for a coordinator's approval: only the author and moderators see it.
    Pending,
    /// Hidden by a moderator or by reports: the text is shown to moderators only.
    Hidden,
    /// Deleted by its author: "message deleted" is all that is left.
    Deleted,
}

impl MessageState {
    pub fn of(deleted: bool, hidden: bool, pending: bool) -> Self {
        if deleted {
            MessageState::Deleted
        } else if hidden {
            MessageState::Hidden
        } else if pending {
            MessageState::Pending
        } else {
            MessageState::Published
        }
    }

    /// Whether the text may be shown, to the author (`own`) or a moderator, or anyone else.
    pub fn text_shown(self, own: bool, moderator: bool) -> bool {
        match self {
            MessageState::Published => true,
            MessageState::Pending => own || moderator,
            MessageState::Hidden => moderator,
            MessageState::Deleted => false,
        }
    }
}

/// The members a message mentions: `@` at the start of a word, followed by one of the names
/// given (the longest that fits, ignoring case, ending at a word boundary). `names` are the
/// people who may be mentioned (the space's members); each is named once.
pub fn mentions<K: Copy + PartialEq>(text: &str, names: &[(K, String)]) -> Vec<K> {
    let mut found: Vec<K> = Vec::new();
    let mut previous: Option<char> = None;
    for (at, c) in text.char_indices() {
        let starts_word = previous.is_none_or(|p| !p.is_alphanumeric());
        previous = Some(c);
        if c != '@' || !starts_word {
            continue;
        }
        let after = &text[at + 1..];
        let best = names
            .iter()
            .filter(|(_, name)| !name.is_empty() && starts_with_name(after, name))
            .max_by_key(|(_, name)| name.len());
        if let Some((key, _)) = best
            && !found.contains(key)
        {
            found.push(*key);
        }
    }
    found
}

fn starts_with_name(text: &str, name: &str) -> bool {
    let mut rest = text.chars();
    for expected in name.chars() {
        match rest.next() {
            Some(c) if c.to_lowercase().eq(expected.to_lowercase()) => {}
            _ => return false,
        }
    }
    rest.next().is_none_or(|c| !c.is_alphanumeric())
}

/// The start of a reply that quotes another message (Markdown), shortened to a few lines.
pub fn quote(author: &str, text: &str) -> String {
    const LINES: usize = 6;
    let mut out = format!("> **{}** wrote:\n", author.replace(['*', '_', '[', ']', '<', '>'], ""));
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim_start().starts_with('>')).collect();
    for line in lines.iter().take(LINES) {
        out.push_str("> ");
        out.push_str(line);
        out.push('\n');
    }
    if lines.len() > LINES {
        out.push_str("> …\n");
    }
    out.push('\n');
    out
}

/// Most people a private conversation may have, besides whoever starts it.
pub const MAX_CONVERSATION_PEOPLE: usize = 20;

/// A private conversation's subject when none was given: the start of its first line, without
/// Markdown's leading marks, cut at a word (at most 60 characters).
pub fn subject_from(body: &str) -> String {
    const MAX: usize = 60;
    let line = body
        .lines()
        .map(|l| l.trim_start_matches(|c: char| "#>*-+ \t".contains(c)).trim())
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    let flat = line.split_whitespace().collect::<Vec<_>>().join(" ");
    let subject = if flat.chars().count() <= MAX {
        flat
    } else {
        let cut: String = flat.chars().take(MAX).collect();
        let at_word = cut.rfind(' ').filter(|at| *at > MAX / 2).map_or(cut.as_str(), |at| &cut[..at]);
        format!("{}…", at_word.trim_end_matches(|c: char| c.is_ascii_punctuation()))
    };
    if subject.chars().count() < 2 { "A private message".to_owned() } else { subject }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_is_the_start_of_the_first_line() {
        assert_eq!(subject_from("\n\n## Hello Ann!\nMore"), "Hello Ann!");
        assert_eq!(subject_from("> quoted\n"), "quoted");
        assert_eq!(subject_from("?"), "A private message");
        let long = "Would you like some of the apples from our tree, we have far too many this year";
        let subject = subject_from(long);
        assert!(subject.ends_with('…') && subject.chars().count() <= 61, "{subject}");
        assert!(long.starts_with(subject.trim_end_matches('…')), "{subject}");
    }
    use proptest::prelude::*;

    fn names() -> Vec<(u8, String)> {
        vec![(1, "Ann".into()), (2, "Ann Baker".into()), (3, "Bob Smith".into()), (4, "Zoë Ward".into())]
    }

    #[test]
    fn mentions_take_the_longest_name_at_a_word_boundary() {
        assert_eq!(mentions("Thanks @Ann Baker, and @bob smith!", &names()), vec![2, 3]);
        assert_eq!(mentions("@Ann, can you?", &names()), vec![1]);
        assert_eq!(mentions("@Annie is not Ann", &names()), Vec::<u8>::new());
        assert_eq!(mentions("mail ann@Ann Baker.org", &names()), Vec::<u8>::new());
        assert_eq!(mentions("@zoë ward @ZOË WARD", &names()), vec![4]);
        assert_eq!(mentions("@", &names()), Vec::<u8>::new());
    }

    #[test]
    fn quotes_are_short_and_do_not_nest() {
        let q = quote("Ann *Baker*", "> old quote\nline one\nline two");
        assert_eq!(q, "> **Ann Baker** wrote:\n> line one\n> line two\n\n");
        let long = (0..10).map(|i| format!("line {i}")).collect::<Vec<_>>().join("\n");
        assert!(quote("Bob", &long).ends_with("> …\n\n"));
    }

    #[test]
    fn first_messages_wait_and_reports_hide() {
        let rules = TalkRules::default();
        assert!(rules.needs_approval(0, false));
        assert!(rules.needs_approval(1, false));
        assert!(!rules.needs_approval(2, false));
        assert!(rules.needs_approval(50, true));
        assert!(!rules.hides(2));
        assert!(rules.hides(3));
        let none = TalkRules { report_threshold: 0, first_messages_to_approve: 0 };
        assert!(!none.needs_approval(0, false));
        assert!(none.hides(1));
    }

    proptest! {
        /// Hidden and pending text never reaches someone who is neither author nor moderator;
        /// deleted text reaches nobody.
        #[test]
        fn text_reaches_only_those_allowed(deleted: bool, hidden: bool, pending: bool, own: bool, moderator: bool) {
            let state = MessageState::of(deleted, hidden, pending);
            let shown = state.text_shown(own, moderator);
            if deleted { prop_assert!(!shown); }
            if hidden && !moderator { prop_assert!(!shown); }
            if pending && !own && !moderator { prop_assert!(!shown); }
            if !deleted && !hidden && !pending { prop_assert!(shown); }
        }

        /// Every mention found is one of the names, and each at most once.
        #[test]
        fn mentions_are_known_and_unique(text in "[@ a-zA-Zë,]{0,60}") {
            let found = mentions(&text, &names());
            let mut unique = found.clone();
            unique.dedup();
            prop_assert_eq!(unique.len(), found.len());
            for key in found {
                let name = &names().into_iter().find(|(k, _)| *k == key).unwrap().1;
                let mention = ["@", &name.to_lowercase()].concat();
                prop_assert!(text.to_lowercase().contains(&mention));
            }
        }
    }
}

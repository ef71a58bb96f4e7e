//! Notifications: what a member is told about, why, and how often by email. Who is told about
//! a new message is a pure function of who wrote it, whom it names, and what each member
//! follows or has muted.

use crate::MemberId;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

string_enum!(
    /// Why a member is told.
    NotificationKind {
        Mention => "mention", "mentioned you";
        Reply => "reply", "replied to you";
        Message => "message", "wrote in a conversation you follow";
        Topic => "topic", "started a conversation in a group you follow";
        Match => "match", "posted something that matches your listing";
        Promised => "promised", "promised you a listing";
        DealDone => "deal_done", "marked a deal with you done";
        FellThrough => "fell_through", "said a deal with you fell through";
        Feedback => "feedback", "left feedback on a deal with you";
        Expiring => "expiring", "your listing closes soon";
        Expired => "expired", "your listing has closed";
        SavedSearch => "search", "posted something your saved search looks for";
        Chase => "chase", "a promise is waiting to be marked done";
        Paid => "paid", "paid you";
        PaymentWaiting => "payment_waiting", "sent you a payment to accept";
        PaymentAsked => "payment_asked", "asked you to pay";
        TransferAccepted => "transfer_accepted", "accepted";
        TransferDeclined => "transfer_declined", "declined";
        TransferExpired => "transfer_expired", "waited too long";
        ReversalAsked => "reversal_asked", "asked to put a payment right";
        CorrectionWaiting => "correction_waiting", "proposed a correction for a second steward";
        PollOpened => "poll_opened", "opened a poll you can vote in";
        PollClosing => "poll_closing", "a poll you have not voted in closes soon";
        PollClosed => "poll_closed", "a poll you could vote in has closed";
        PollOutcome => "poll_outcome", "wrote the outcome of a poll";
    }
);

string_enum!(
    /// How closely a member follows a conversation or a group.
    Follow {
        Normal => "normal", "Normal: tell me when someone mentions me or replies to me";
        Following => "following", "Following: tell me about every new message";
        Muted => "muted", "Muted: never tell me, and leave it out of what's new";
    }
);

string_enum!(
    /// When notifications also go out by email.
    EmailFrequency {
        AtOnce => "at_once", "At once: an email for each one";
        Daily => "daily", "Once a day: one email with everything new";
        Never => "never", "Never: I will look on the site";
    }
);

impl EmailFrequency {
    /// What a member who has not chosen gets: one email a day at most.
    pub const DEFAULT: EmailFrequency = EmailFrequency::Daily;
}

/// What a group following means for new topics: the words for a group (not a conversation).
pub fn space_label(level: Follow) -> &'static str {
    match level {
        Follow::Normal => "Normal: tell me when someone mentions me or replies to me",
        Follow::Following => "Following: tell me about every new conversation",
        Follow::Muted => "Muted: never tell me about this group, and leave it out of what's new",
    }
}

/// The facts about a new message that decide who is told.
#[derive(Debug, Clone)]
pub struct NewMessageFacts {
    pub author: MemberId,
    /// Members the message names with `@` (members of the space).
    pub mentioned: Vec<MemberId>,
    /// The author of the message it replies to.
    pub replied_to: Option<MemberId>,
    /// It opens a new topic.
    pub new_topic: bool,
    /// Members' chosen levels for this topic (absent: normal).
    pub topic_levels: HashMap<MemberId, Follow>,
    /// Members' chosen levels for the topic's space (absent: normal).
    pub space_levels: HashMap<MemberId, Follow>,
    /// Members who have blocked the author: never told.
    pub blocked_author: HashSet<MemberId>,
}

impl NewMessageFacts {
    fn topic_level(&self, member: MemberId) -> Follow {
        self.topic_levels.get(&member).copied().unwrap_or(Follow::Normal)
    }

    fn space_level(&self, member: MemberId) -> Follow {
        self.space_levels.get(&member).copied().unwrap_or(Follow::Normal)
    }

    /// Muting the topic silences it; muting the group silences every topic in it but those the
    /// member follows on purpose.
    pub fn is_muted(&self, member: MemberId) -> bool {
        match self.topic_level(member) {
            Follow::Muted => true,
            Follow::Following => false,
            Follow::Normal => self.space_level(member) == Follow::Muted,
        }
    }
}

/// Who is told about a new message, and why: each member once, for the strongest reason
/// (mentioned, then replied to, then following). Never the author, never whoever muted it or
/// blocked the author.
/// Whether each may see the message is checked by the caller, with `authorize`.
pub fn recipients(facts: &NewMessageFacts) -> Vec<(MemberId, NotificationKind)> {
    let mut out: Vec<(MemberId, NotificationKind)> = Vec::new();
    let mut add = |member: MemberId, kind: NotificationKind| {
        if member != facts.author
            && !facts.is_muted(member)
            && !facts.blocked_author.contains(&member)
            && !out.iter().any(|(m, _)| *m == member)
        {
            out.push((member, kind));
        }
    };
    for member in &facts.mentioned {
        add(*member, NotificationKind::Mention);
    }
    if let Some(member) = facts.replied_to {
        add(member, NotificationKind::Reply);
    }
    let mut followers: Vec<MemberId> =
        facts.topic_levels.iter().filter(|(_, level)| **level == Follow::Following).map(|(m, _)| *m).collect();
    followers.sort();
    for member in followers {
        add(member, NotificationKind::Message);
    }
    if facts.new_topic {
        let mut followers: Vec<MemberId> =
            facts.space_levels.iter().filter(|(_, level)| **level == Follow::Following).map(|(m, _)| *m).collect();
        followers.sort();
        for member in followers {
            add(member, NotificationKind::Topic);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn level() -> impl Strategy<Value = Follow> {
        prop_oneof![Just(Follow::Normal), Just(Follow::Following), Just(Follow::Muted)]
    }

    fn facts() -> impl Strategy<Value = (Vec<MemberId>, NewMessageFacts)> {
        let people: Vec<MemberId> = (0..6).map(|_| MemberId::new_v7()).collect();
        let pick = proptest::sample::select(people.clone());
        (
            pick.clone(),
            proptest::collection::vec(pick.clone(), 0..4),
            proptest::option::of(pick.clone()),
            any::<bool>(),
            proptest::collection::hash_map(pick.clone(), level(), 0..6),
            proptest::collection::hash_map(pick.clone(), level(), 0..6),
            proptest::collection::hash_set(pick, 0..3),
        )
            .prop_map(
                move |(author, mentioned, replied_to, new_topic, topic_levels, space_levels, blocked_author)| {
                    let facts = NewMessageFacts {
                        author,
                        mentioned,
                        replied_to,
                        new_topic,
                        topic_levels,
                        space_levels,
                        blocked_author,
                    };
                    (people.clone(), facts)
                },
            )
    }

    proptest! {
        #[test]
        fn each_member_is_told_once_for_the_strongest_reason((people, facts) in facts()) {
            let told = recipients(&facts);
            for member in &people {
                let times = told.iter().filter(|(m, _)| m == member).count();
                prop_assert!(times <= 1);
                let kind = told.iter().find(|(m, _)| m == member).map(|(_, k)| *k);
                if *member == facts.author || facts.is_muted(*member) || facts.blocked_author.contains(member) {
                    prop_assert_eq!(kind, None, "the author, whoever muted it and whoever blocked the author are never told");
                    continue;
                }
                let expected = if facts.mentioned.contains(member) {
                    Some(NotificationKind::Mention)
                } else if facts.replied_to == Some(*member) {
                    Some(NotificationKind::Reply)
                } else if facts.topic_levels.get(member) == Some(&Follow::Following) {
                    Some(NotificationKind::Message)
                } else if facts.new_topic && facts.space_levels.get(member) == Some(&Follow::Following) {
                    Some(NotificationKind::Topic)
                } else {
                    None
                };
                prop_assert_eq!(kind, expected);
            }
        }
    }

    #[test]
    fn following_a_topic_outweighs_a_muted_group() {
        let (ann, bob) = (MemberId::new_v7(), MemberId::new_v7());
        let facts = NewMessageFacts {
            author: ann,
            mentioned: Vec::new(),
            replied_to: None,
            new_topic: false,
            topic_levels: HashMap::from([(bob, Follow::Following)]),
            space_levels: HashMap::from([(bob, Follow::Muted)]),
            blocked_author: HashSet::new(),
        };
        assert_eq!(recipients(&facts), vec![(bob, NotificationKind::Message)]);
        let muted = NewMessageFacts { topic_levels: HashMap::new(), mentioned: vec![bob], ..facts };
        assert!(recipients(&muted).is_empty(), "a muted group does not even tell of mentions");
    }

    #[test]
    fn every_word_round_trips() {
        for k in NotificationKind::ALL {
            assert_eq!(NotificationKind::parse(k.as_str()), Some(*k));
        }
        for f in Follow::ALL {
            assert_eq!(Follow::parse(f.as_str()), Some(*f));
        }
        for e in EmailFrequency::ALL {
            assert_eq!(EmailFrequency::parse(e.as_str()), Some(*e));
        }
    }
}

//! Commons: polls and proposals. Each kind of poll is data here — its options, what a valid
//! ballot is, and its tally — so the server only stores ballots and shows what these functions
//! say. The ranked methods (instant-runoff, Schulze, single transferable vote) are in
//! `poll::ranked`; the simpler counts and the pass rules in `poll::count`.

pub mod count;
pub mod ranked;

use crate::text::InputError;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

string_enum!(
    /// What sort of question a poll asks.
    PollKind {
        Proposal => "proposal", "Proposal";
        YesNo => "yes_no", "Yes or no";
        SingleChoice => "single_choice", "Choose one";
        MultipleChoice => "multiple_choice", "Choose several";
        Score => "score", "Score each option";
        DotVote => "dot_vote", "Spread dots";
        Ranked => "ranked", "Rank the options";
        MeetingTime => "meeting_time", "Find a meeting time";
    }
);

impl PollKind {
    /// A sentence for the create-poll page.
    pub fn help(self) -> &'static str {
        match self {
            PollKind::Proposal => {
                "Ask the group to consent to a proposal. Each person agrees, abstains, disagrees or blocks; \
                 disagreeing and blocking need a reason. When it closes, you write what was decided."
            }
            PollKind::YesNo => "A simple question with the answers yes and no.",
            PollKind::SingleChoice => "People pick one of the options you list.",
            PollKind::MultipleChoice => "People pick as many of the options as they like, within limits you set.",
            PollKind::Score => "People give each option a score, for example from 0 to 5. The highest total wins.",
            PollKind::DotVote => {
                "Each person has a number of dots to spread over the options, putting more on what matters \
                 most to them."
            }
            PollKind::Ranked => {
                "People put the options in order of preference. Choose how they are counted: instant run-off \
                 for one winner, Schulze to find the option most people prefer, or single transferable vote \
                 to fill several places."
            }
            PollKind::MeetingTime => {
                "List some times; people say yes, if need be, or no to each. The time most people can make wins, \
                 and can be added to calendars."
            }
        }
    }

    /// Whether the poll's options are written by its author (the rest have fixed answers).
    pub fn has_own_options(self) -> bool {
        !matches!(self, PollKind::Proposal | PollKind::YesNo)
    }
}

string_enum!(
    /// How a ranked poll is counted.
    RankedMethod {
        InstantRunoff => "instant_runoff", "Instant run-off (one winner)";
        Schulze => "schulze", "Schulze (the option preferred to every other)";
        SingleTransferableVote => "stv", "Single transferable vote (several places)";
    }
);

string_enum!(
    /// Who may see a poll, or vote in it.
    Audience {
        Space => "space", "Members of the group";
        Community => "community", "Everyone in the community";
    }
);

string_enum!(
    /// When the results are shown.
    ResultsShown {
        Live => "live", "As the votes come in";
        AfterVoting => "after_voting", "To each person once they have voted";
        AfterClosing => "after_closing", "Only when the poll closes";
    }
);

string_enum!(
    /// A position on a proposal.
    Stance {
        Agree => "agree", "Agree";
        Abstain => "abstain", "Abstain";
        Disagree => "disagree", "Disagree";
        Block => "block", "Block";
    }
);

impl Stance {
    /// Disagreeing and blocking are explained, so the proposer can answer them.
    pub fn needs_reason(self) -> bool {
        matches!(self, Stance::Disagree | Stance::Block)
    }

    pub fn help(self) -> &'static str {
        match self {
            Stance::Agree => "I am happy with this.",
            Stance::Abstain => "I am standing aside: I will not stop it.",
            Stance::Disagree => "I think this is a mistake, but I will go along with the group.",
            Stance::Block => "I have a serious objection: this should not go ahead.",
        }
    }
}

string_enum!(
    /// An answer about one time of a meeting poll. Stored as 0, 1, 2.
    MeetingAnswer {
        No => "no", "No";
        IfNeedBe => "if_need_be", "If need be";
        Yes => "yes", "Yes";
    }
);

impl MeetingAnswer {
    pub fn value(self) -> u32 {
        match self {
            MeetingAnswer::No => 0,
            MeetingAnswer::IfNeedBe => 1,
            MeetingAnswer::Yes => 2,
        }
    }
}

/// How many options a poll may have.
pub const MAX_OPTIONS: usize = 20;
/// How long an option's label may be.
pub const MAX_OPTION_CHARS: usize = 100;
/// How long a reason beside a vote may be.
pub const MAX_REASON_CHARS: usize = 1000;
/// The longest a poll may stay open.
pub const MAX_OPEN_DAYS: i64 = 365;

/// The options of a proposal, in their stored order.
pub const STANCES: [Stance; 4] = [Stance::Agree, Stance::Abstain, Stance::Disagree, Stance::Block];
/// The options of a yes/no poll.
pub const YES_NO: [&str; 2] = ["Yes", "No"];

/// What a ballot must be, decided when the poll is made: the kind, how many options, and the
/// limits that go with the kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Shape {
    pub kind: PollKind,
    pub options: usize,
    /// Multiple choice: the fewest and most picks.
    pub min_picks: u32,
    pub max_picks: u32,
    /// Score: the highest score (the lowest is 0).
    pub max_score: u32,
    /// Dot vote: the dots each person has.
    pub dots: u32,
    /// Ranked: how it is counted, and the places to fill (single transferable vote).
    pub method: RankedMethod,
    pub seats: u32,
}

/// What a person sent for one poll, option by option (None where they gave nothing). For a
/// choice the chosen options hold 1; a score or dots their number; a ranking the rank (1 first);
/// a meeting time its `MeetingAnswer::value`.
pub type BallotInput = Vec<Option<u32>>;

/// A checked ballot: one value per option (0 where nothing was given), meaning as in
/// `BallotInput`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ballot(pub Vec<u32>);

impl Ballot {
    /// The options in the order they were ranked (ranked polls).
    pub fn ranking(&self) -> Vec<usize> {
        let mut ranked: Vec<(u32, usize)> =
            self.0.iter().enumerate().filter(|(_, rank)| **rank > 0).map(|(i, rank)| (*rank, i)).collect();
        ranked.sort_unstable();
        ranked.into_iter().map(|(_, option)| option).collect()
    }

    /// The chosen option of a proposal, yes/no or single-choice ballot.
    pub fn choice(&self) -> Option<usize> {
        self.0.iter().position(|value| *value > 0)
    }
}

fn refuse(code: &'static str, message: impl Into<String>) -> InputError {
    InputError::new(code, message)
}

impl Shape {
    /// A shape with nothing but its kind and options set; the rest are the defaults.
    pub fn simple(kind: PollKind, options: usize) -> Shape {
        Shape {
            kind,
            options,
            min_picks: 1,
            max_picks: options as u32,
            max_score: 5,
            dots: 10,
            method: RankedMethod::InstantRunoff,
            seats: 1,
        }
    }

    /// Checks the limits a poll's author chose, against its options.
    pub fn check(self) -> Result<Shape, InputError> {
        let fixed = match self.kind {
            PollKind::Proposal => Some(STANCES.len()),
            PollKind::YesNo => Some(YES_NO.len()),
            _ => None,
        };
        if let Some(count) = fixed
            && self.options != count
        {
            return Err(refuse("poll_options_fixed", "This kind of poll has its own answers."));
        }
        let fewest = if self.kind == PollKind::MeetingTime { 1 } else { 2 };
        if self.options < fewest {
            return Err(refuse(
                "poll_options_too_few",
                if fewest == 1 { "Give at least one time." } else { "Give at least two options." },
            ));
        }
        if self.options > MAX_OPTIONS {
            return Err(refuse("poll_options_too_many", format!("A poll may have at most {MAX_OPTIONS} options.")));
        }
        match self.kind {
            PollKind::MultipleChoice
                if self.min_picks < 1 || self.min_picks > self.max_picks || self.max_picks as usize > self.options =>
            {
                return Err(refuse(
                    "poll_picks_invalid",
                    format!(
                        "The fewest picks must be at least 1 and no more than the most picks, which must be at \
                         most the number of options ({}).",
                        self.options
                    ),
                ));
            }
            PollKind::Score if !(1..=10).contains(&self.max_score) => {
                return Err(refuse("poll_score_invalid", "The highest score must be between 1 and 10."));
            }
            PollKind::DotVote if !(1..=100).contains(&self.dots) => {
                return Err(refuse("poll_dots_invalid", "Give each person between 1 and 100 dots."));
            }
            PollKind::Ranked
                if self.method == RankedMethod::SingleTransferableVote
                    && (self.seats < 1 || self.seats as usize >= self.options) =>
            {
                return Err(refuse(
                    "poll_seats_invalid",
                    "The places to fill must be at least 1 and fewer than the options.",
                ));
            }
            _ => {}
        }
        Ok(self)
    }

    /// Checks a ballot against the shape; the error says plainly what to put right.
    pub fn ballot(&self, input: &[Option<u32>]) -> Result<Ballot, InputError> {
        if input.len() != self.options {
            return Err(refuse("ballot_stale", "The poll's options have changed; please look again and vote."));
        }
        let given: Vec<u32> = input.iter().map(|value| value.unwrap_or(0)).collect();
        let picked = given.iter().filter(|value| **value > 0).count();
        match self.kind {
            PollKind::Proposal | PollKind::YesNo | PollKind::SingleChoice => {
                if picked == 0 || given.iter().any(|value| *value > 1) {
                    return Err(refuse("ballot_choose_one", "Choose one answer."));
                }
                if picked > 1 {
                    return Err(refuse("ballot_choose_one", "Choose only one answer."));
                }
            }
            PollKind::MultipleChoice => {
                if given.iter().any(|value| *value > 1) {
                    return Err(refuse("ballot_invalid", "Tick the options you choose."));
                }
                let (fewest, most) = (self.min_picks as usize, self.max_picks as usize);
                if picked < fewest || picked > most {
                    let message = if fewest == most {
                        format!("Choose exactly {fewest} options.")
                    } else {
                        format!("Choose between {fewest} and {most} options.")
                    };
                    return Err(refuse("ballot_picks", message));
                }
            }
            PollKind::Score => {
                if input.iter().any(Option::is_none) {
                    return Err(refuse("ballot_score_missing", "Give every option a score."));
                }
                if given.iter().any(|value| *value > self.max_score) {
                    return Err(refuse("ballot_score_too_high", format!("Scores go from 0 to {}.", self.max_score)));
                }
            }
            PollKind::DotVote => {
                let total: u64 = given.iter().map(|value| u64::from(*value)).sum();
                if total == 0 {
                    return Err(refuse("ballot_no_dots", "Put at least one dot on an option."));
                }
                if total > u64::from(self.dots) {
                    return Err(refuse(
                        "ballot_over_budget",
                        format!("You have {} dots to spread; you used {total}.", self.dots),
                    ));
                }
            }
            PollKind::Ranked => check_ranking(&given)?,
            PollKind::MeetingTime => {
                if input.iter().any(Option::is_none) {
                    return Err(refuse("ballot_answer_each", "Say yes, if need be, or no for each time."));
                }
                if given.iter().any(|value| *value > MeetingAnswer::Yes.value()) {
                    return Err(refuse("ballot_invalid", "Say yes, if need be, or no for each time."));
                }
            }
        }
        Ok(Ballot(given))
    }

    /// Whether a ballot needs a reason beside it (disagreeing with or blocking a proposal).
    pub fn needs_reason(&self, ballot: &Ballot) -> bool {
        self.kind == PollKind::Proposal
            && ballot.choice().and_then(|i| STANCES.get(i)).is_some_and(|s| s.needs_reason())
    }
}

/// Ranks must run 1, 2, 3… with no number used twice and none skipped.
fn check_ranking(ranks: &[u32]) -> Result<(), InputError> {
    let mut used: Vec<u32> = ranks.iter().copied().filter(|rank| *rank > 0).collect();
    if used.is_empty() {
        return Err(refuse("ballot_rank_none", "Put at least your first choice: give it the number 1."));
    }
    used.sort_unstable();
    for (place, rank) in used.iter().enumerate() {
        let expected = place as u32 + 1;
        if *rank < expected {
            return Err(refuse(
                "ballot_rank_duplicate",
                format!("You gave two options the number {rank}. Give each option a different number."),
            ));
        }
        if *rank > expected {
            return Err(refuse(
                "ballot_rank_gap",
                format!("You skipped the number {expected}. Number your choices 1, 2, 3 and so on, with no gaps."),
            ));
        }
    }
    Ok(())
}

/// The settings that say who sees a poll, who votes, and what is shown when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Settings {
    pub seen_by: Audience,
    pub voted_by: Audience,
    /// Members who become eligible after the poll opened may vote too.
    pub late_voters: bool,
    /// Nobody can link a voter to a choice; cannot be turned off.
    pub secret: bool,
    pub results: ResultsShown,
}

impl Settings {
    /// Checks that the settings make sense together for a space of this visibility.
    pub fn check(self, space_is_community_wide: bool, space_is_secret: bool) -> Result<Settings, InputError> {
        if space_is_secret && self.seen_by == Audience::Community {
            return Err(refuse(
                "poll_secret_space",
                "A secret group's polls are seen only by its members: choose \"Members of the group\".",
            ));
        }
        if self.voted_by == Audience::Community && self.seen_by == Audience::Space && !space_is_community_wide {
            return Err(refuse(
                "poll_voters_cannot_see",
                "If everyone in the community votes, everyone must be able to see the poll.",
            ));
        }
        // Tallies shown while votes come in, beside the list of who has voted, would let anyone
        // watching match a name to a choice: a secret ballot shows results only at the end.
        if self.secret && self.results != ResultsShown::AfterClosing {
            return Err(refuse(
                "poll_secret_results",
                "In a secret ballot the results are shown only when the poll closes.",
            ));
        }
        Ok(self)
    }
}

/// The closing time `days` after `from` (now, or the present closing time when extending), on
/// the next full hour (people read "at 18:00" more easily than "at 17:35"), checked against now:
/// in the future, and not more than a year away.
pub fn closing_in(from: DateTime<Utc>, days: u32, now: DateTime<Utc>) -> Result<DateTime<Utc>, InputError> {
    let too_late = || refuse("poll_closes_too_late", "A poll can stay open for at most a year.");
    if i64::from(days) > MAX_OPEN_DAYS {
        return Err(too_late());
    }
    let at = from.checked_add_signed(Duration::days(i64::from(days))).ok_or_else(too_late)?;
    let past_the_hour = at.timestamp().rem_euclid(3600);
    let at = if past_the_hour == 0 && at.timestamp_subsec_nanos() == 0 {
        at
    } else {
        DateTime::from_timestamp(at.timestamp() - past_the_hour + 3600, 0).unwrap_or(at)
    };
    if at <= now + Duration::minutes(5) {
        return Err(refuse("poll_closes_in_past", "Choose a closing time in the future."));
    }
    if at > now + Duration::days(MAX_OPEN_DAYS) + Duration::hours(1) {
        return Err(too_late());
    }
    Ok(at)
}

/// Whether a poll is still taking votes.
pub fn is_open(closes_at: DateTime<Utc>, closed_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    closed_at.is_none() && now < closes_at
}

/// Whether the results may be shown to someone who may see the poll. Nobody is exempt — not
/// the proposer, not stewards — so hidden results leak through no route.
pub fn results_visible(results: ResultsShown, open: bool, actor_voted: bool) -> bool {
    match results {
        ResultsShown::Live => true,
        ResultsShown::AfterVoting => !open || actor_voted,
        ResultsShown::AfterClosing => !open,
    }
}

/// When to remind those who have not voted: a day before closing.
pub fn reminder_due(closes_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now >= closes_at - Duration::hours(24) && now < closes_at
}

/// Checks a reason given beside a vote; a disagreement or a block needs one.
pub fn check_reason(reason: &str, needed: bool) -> Result<Option<String>, InputError> {
    let reason = reason.trim();
    if reason.chars().any(|c| crate::text::is_disguising(c) && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(refuse(
            "reason_invalid",
            "The reason has characters in it that cannot be shown. Please type it again.",
        ));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(refuse("reason_too_long", format!("Keep the reason under {MAX_REASON_CHARS} characters.")));
    }
    if reason.is_empty() {
        if needed {
            return Err(refuse(
                "reason_required",
                "Say why you disagree or block, so the group can answer your concern.",
            ));
        }
        return Ok(None);
    }
    Ok(Some(reason.to_owned()))
}

/// Checks an option's label.
pub fn check_option(label: &str) -> Result<String, InputError> {
    let label = label.trim();
    if label.chars().any(crate::text::is_disguising) {
        return Err(refuse(
            "option_invalid",
            "An option has characters in it that cannot be shown. Please type it again.",
        ));
    }
    if label.is_empty() {
        return Err(refuse("option_required", "Write each option, or leave out the empty ones."));
    }
    if label.chars().count() > MAX_OPTION_CHARS {
        return Err(refuse("option_too_long", format!("Keep each option under {MAX_OPTION_CHARS} characters.")));
    }
    Ok(label.to_owned())
}

/// A permutation of the options, fixed by the poll's id, that settles ties no rule can: the
/// same poll always counts the same way, and nobody chooses the order.
pub fn lot(seed: &[u8], options: usize) -> Vec<usize> {
    use sha2::{Digest, Sha256};
    let mut keyed: Vec<([u8; 32], usize)> = (0..options)
        .map(|option| {
            let mut hasher = Sha256::new();
            hasher.update(seed);
            hasher.update((option as u64).to_be_bytes());
            (hasher.finalize().into(), option)
        })
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, option)| option).collect()
}

#[cfg(test)]
mod tests;

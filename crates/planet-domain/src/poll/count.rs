//! Counting a poll: the tally of each kind, the quorum and the pass rule, as pure functions of
//! the ballots.

use super::ranked::{self, RunoffResult, SchulzeResult, StvResult};
use super::{Ballot, PollKind, RankedMethod, STANCES, Shape, Stance};
use serde::{Deserialize, Serialize};

string_enum!(
    /// What share must agree for a proposal (or "yes") to pass, among those who took a side
    /// (abstentions are not counted).
    PassRule {
        None => "none", "No rule: the group reads the result";
        MoreThanHalf => "more_than_half", "More than half agree";
        TwoThirds => "two_thirds", "At least two thirds agree";
        ThreeQuarters => "three_quarters", "At least three quarters agree";
        Everyone => "everyone", "Everyone who takes a side agrees";
    }
);

impl PassRule {
    /// Whether `agree` of `sides` is enough.
    pub fn met(self, agree: u64, sides: u64) -> bool {
        if sides == 0 {
            return false;
        }
        match self {
            PassRule::None => true,
            PassRule::MoreThanHalf => agree * 2 > sides,
            PassRule::TwoThirds => agree * 3 >= sides * 2,
            PassRule::ThreeQuarters => agree * 4 >= sides * 3,
            PassRule::Everyone => agree == sides,
        }
    }
}

/// What decides whether the result stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rules {
    /// The share of eligible voters who must vote, in per cent (0: none).
    pub quorum_percent: u8,
    /// For proposals and yes/no polls.
    pub pass: PassRule,
    /// A single block stops a proposal.
    pub block_stops: bool,
}

impl Default for Rules {
    fn default() -> Self {
        Rules { quorum_percent: 0, pass: PassRule::MoreThanHalf, block_stops: true }
    }
}

/// The count of one kind of poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Tally {
    /// Proposals, yes/no, single and multiple choice: how many chose each option. Dot votes:
    /// the dots on each. Scores: each option's total.
    Totals {
        totals: Vec<u64>,
        winners: Vec<usize>,
    },
    /// Meeting times: how many said yes and "if need be" to each time.
    Meeting {
        yes: Vec<u64>,
        if_need_be: Vec<u64>,
        winners: Vec<usize>,
    },
    InstantRunoff(RunoffResult),
    Schulze(SchulzeResult),
    SingleTransferableVote(StvResult),
}

impl Tally {
    pub fn winners(&self) -> Vec<usize> {
        match self {
            Tally::Totals { winners, .. } | Tally::Meeting { winners, .. } => winners.clone(),
            Tally::InstantRunoff(result) => result.winner.into_iter().collect(),
            Tally::Schulze(result) => result.winners.clone(),
            Tally::SingleTransferableVote(result) => result.elected.clone(),
        }
    }
}

/// Whether the result stands, and why, in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub quorum_met: bool,
    /// For proposals and yes/no polls with a pass rule: whether it passed.
    pub passed: Option<bool>,
    pub explanation: String,
}

/// A poll's count: the tally and the verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Results {
    pub ballots: u64,
    pub eligible: u64,
    pub tally: Tally,
    pub verdict: Verdict,
}

impl Results {
    /// What the poll chose, to announce and mark: nothing when nobody voted or the quorum was not
    /// met, and nothing for proposals and yes/no polls, whose answer is the verdict.
    pub fn chosen(&self, kind: PollKind) -> Vec<usize> {
        if self.ballots == 0 || !self.verdict.quorum_met || matches!(kind, PollKind::Proposal | PollKind::YesNo) {
            return Vec::new();
        }
        self.tally.winners()
    }
}

/// Counts a poll. `eligible` is the size of the roll; `lot` settles ties no rule can
/// (`poll::lot`).
pub fn tally(shape: &Shape, rules: &Rules, ballots: &[Ballot], eligible: u64, lot: &[usize]) -> Results {
    let tally = match shape.kind {
        PollKind::Ranked => {
            let rankings: Vec<Vec<usize>> = ballots.iter().map(Ballot::ranking).collect();
            match shape.method {
                RankedMethod::InstantRunoff => {
                    Tally::InstantRunoff(ranked::instant_runoff(shape.options, &rankings, lot))
                }
                RankedMethod::Schulze => Tally::Schulze(ranked::schulze(shape.options, &rankings)),
                RankedMethod::SingleTransferableVote => Tally::SingleTransferableVote(
                    ranked::single_transferable_vote(shape.options, shape.seats as usize, &rankings, lot),
                ),
            }
        }
        PollKind::MeetingTime => {
            let yes = column_counts(shape.options, ballots, |value| value == 2);
            let if_need_be = column_counts(shape.options, ballots, |value| value == 1);
            // Most people able to come, then most who come gladly.
            let scores: Vec<(u64, u64)> = yes.iter().zip(&if_need_be).map(|(y, m)| (y + m, *y)).collect();
            let winners = best(&scores);
            Tally::Meeting { yes, if_need_be, winners }
        }
        _ => {
            let totals: Vec<u64> = (0..shape.options)
                .map(|option| ballots.iter().map(|b| u64::from(b.0.get(option).copied().unwrap_or(0))).sum())
                .collect();
            let winners = if ballots.is_empty() { Vec::new() } else { best(&totals) };
            Tally::Totals { totals, winners }
        }
    };
    let verdict = verdict(shape, rules, &tally, ballots.len() as u64, eligible);
    Results { ballots: ballots.len() as u64, eligible, tally, verdict }
}

fn column_counts(options: usize, ballots: &[Ballot], counts: impl Fn(u32) -> bool) -> Vec<u64> {
    (0..options)
        .map(|option| ballots.iter().filter(|b| b.0.get(option).is_some_and(|v| counts(*v))).count() as u64)
        .collect()
}

/// The options with the highest score (all of them when tied), none when nobody scored.
fn best<T: Ord + Copy + Default>(scores: &[T]) -> Vec<usize> {
    let Some(top) = scores.iter().copied().max() else { return Vec::new() };
    if top == T::default() {
        return Vec::new();
    }
    scores.iter().enumerate().filter(|(_, score)| **score == top).map(|(i, _)| i).collect()
}

/// `part` of `whole` in per cent, rounded (0 of nothing).
pub fn percent(part: u64, whole: u64) -> u64 {
    (part * 100 + whole / 2).checked_div(whole).unwrap_or(0)
}

/// Whether the quorum was met and, for proposals and yes/no polls, whether it passed.
pub fn verdict(shape: &Shape, rules: &Rules, tally: &Tally, ballots: u64, eligible: u64) -> Verdict {
    let quorum_met = ballots * 100 >= u64::from(rules.quorum_percent) * eligible && ballots > 0;
    let mut words = Vec::new();
    words.push(format!("{ballots} of {eligible} voted ({}%)", percent(ballots, eligible)));
    if rules.quorum_percent > 0 {
        words.push(if quorum_met {
            format!("the quorum of {}% was met", rules.quorum_percent)
        } else {
            format!("the quorum of {}% was not met", rules.quorum_percent)
        });
    }
    let passed = match (shape.kind, tally) {
        (PollKind::Proposal | PollKind::YesNo, Tally::Totals { totals, .. }) if rules.pass != PassRule::None => {
            let count = |stance: Stance| {
                STANCES.iter().position(|s| *s == stance).and_then(|i| totals.get(i)).copied().unwrap_or(0)
            };
            let (agree, against, blocks) = if shape.kind == PollKind::Proposal {
                (count(Stance::Agree), count(Stance::Disagree), count(Stance::Block))
            } else {
                (totals.first().copied().unwrap_or(0), totals.get(1).copied().unwrap_or(0), 0)
            };
            let sides = agree + against + blocks;
            let share_met = rules.pass.met(agree, sides);
            let blocked = rules.block_stops && blocks > 0;
            let agree_word = if shape.kind == PollKind::Proposal { "agreed" } else { "said yes" };
            words.push(format!("{agree} of {sides} who took a side {agree_word} ({}%)", percent(agree, sides)));
            if blocked {
                words.push(if blocks == 1 {
                    "there was a block".to_owned()
                } else {
                    format!("there were {blocks} blocks")
                });
            }
            Some(quorum_met && share_met && !blocked)
        }
        _ => None,
    };
    let lead = match passed {
        Some(true) => "Passed: ",
        Some(false) => "Did not pass: ",
        None if !quorum_met && rules.quorum_percent > 0 => "Not decided: ",
        None => "",
    };
    let mut explanation = format!("{lead}{}.", words.join("; "));
    if let Some(first) = explanation.get(..1)
        && lead.is_empty()
    {
        explanation = first.to_uppercase() + explanation.get(1..).unwrap_or("");
    }
    Verdict { quorum_met, passed, explanation }
}

//! Ranked-choice counts: instant-runoff, Schulze and single transferable vote.
//!
//! Every count is a pure function of the options, the ballots and the lot, so the server can
//! recount a closed poll at any time and get the same rounds a member saw. The lot is drawn once
//! per poll by the caller: ties the rules cannot break are settled by it, reproducibly, and each
//! round says when that happened.

mod irv;
mod schulze;
mod stv;
#[cfg(test)]
mod tests;

pub use irv::{RunoffResult, instant_runoff};
pub use schulze::{SchulzeResult, schulze};
pub use stv::{StvResult, single_transferable_vote};

/// One voter's ranking: option indices (0-based, < options), most preferred first, no repeats;
/// may be partial. Ballots are already validated by the caller.
pub type Ranking = Vec<usize>;

/// A count of votes in hundred-thousandths (5 decimal places), as the Scottish STV rules count
/// them. IRV and Schulze counts are whole votes (value = n * Votes::ONE).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize)]
pub struct Votes(pub u64);

impl Votes {
    pub const ONE: Votes = Votes(100_000);

    pub fn whole(n: u64) -> Votes {
        Votes(n.saturating_mul(Self::ONE.0))
    }

    /// "12.34567", or "12" when whole. Fractions keep all five places, as Scottish count sheets
    /// print them, so columns of figures line up.
    pub fn display(self) -> String {
        let whole = self.0 / Self::ONE.0;
        let fraction = self.0 % Self::ONE.0;
        if fraction == 0 { whole.to_string() } else { format!("{whole}.{fraction:05}") }
    }
}

/// One round of an elimination count.
///
/// A round shows the votes as they stand at its start, then what was decided on them: who is
/// elected, and which transfer comes next (an elimination, or in STV a surplus). The next round's
/// tallies are the result of that transfer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Round {
    /// Each option's votes at the start of this round; None once it is out (eliminated, or
    /// elected and its surplus passed on).
    pub tallies: Vec<Option<Votes>>,
    /// Votes that had no further preference (exhausted), cumulative.
    pub exhausted: Votes,
    /// Options elected in this round.
    pub elected: Vec<usize>,
    /// The option eliminated in this round, if any.
    pub eliminated: Option<usize>,
    /// The option whose surplus was transferred in this round (STV), if any.
    pub surplus_of: Option<usize>,
    /// The tie among the lowest (or the surplus order) was decided by lot.
    pub by_lot: bool,
}

impl Round {
    fn new(tallies: Vec<Option<Votes>>, exhausted: Votes) -> Round {
        Round { tallies, exhausted, elected: Vec::new(), eliminated: None, surplus_of: None, by_lot: false }
    }
}

/// Drops entries that are out of range or repeated. Callers validate ballots, but a count must
/// never panic on one that slipped through, and ignoring a bad mark is what a count sheet would do.
fn clean(options: usize, ballots: &[Ranking]) -> Vec<Ranking> {
    ballots
        .iter()
        .map(|ballot| {
            let mut seen = vec![false; options];
            ballot
                .iter()
                .copied()
                .filter(|&option| match seen.get_mut(option) {
                    Some(seen) if !*seen => {
                        *seen = true;
                        true
                    }
                    _ => false,
                })
                .collect()
        })
        .collect()
}

/// Each option's place in the lot drawn for the poll.
struct Lot {
    place: Vec<usize>,
}

impl Lot {
    /// A lot that is not a permutation of the options cannot be trusted to be fair either way, so
    /// index order stands in for it rather than failing the whole count.
    fn new(options: usize, lot: &[usize]) -> Lot {
        let mut place = vec![usize::MAX; options];
        let mut fits = lot.len() == options;
        for (at, &option) in lot.iter().enumerate() {
            match place.get_mut(option) {
                Some(slot) if fits && *slot == usize::MAX => *slot = at,
                _ => fits = false,
            }
        }
        if !fits {
            place = (0..options).collect();
        }
        Lot { place }
    }

    fn place(&self, option: usize) -> usize {
        self.place.get(option).copied().unwrap_or(usize::MAX)
    }
}

/// Which end of a tie the rules are looking for.
#[derive(Clone, Copy)]
enum Seek {
    /// The option to eliminate: fewest votes earlier, else the one later in the lot.
    Lowest,
    /// The surplus to transfer first: most votes earlier, else the one earlier in the lot.
    Highest,
}

/// Breaks a tie among options with equal votes now, as Scottish rules 49 and 51 do: go back to
/// the most recent earlier round at which their votes differed and keep the lowest (or highest);
/// when the rounds cannot separate them, the lot does. Returns the option and whether the lot
/// decided it.
fn break_tie(mut tied: Vec<usize>, earlier: &[Round], seek: Seek, lot: &Lot) -> Option<(usize, bool)> {
    for round in earlier.iter().rev() {
        if tied.len() < 2 {
            break;
        }
        let votes = |option: usize| round.tallies.get(option).copied().flatten().unwrap_or_default();
        let (Some(low), Some(high)) = (tied.iter().map(|&o| votes(o)).min(), tied.iter().map(|&o| votes(o)).max())
        else {
            break;
        };
        if low == high {
            continue;
        }
        let keep = match seek {
            Seek::Lowest => low,
            Seek::Highest => high,
        };
        tied.retain(|&o| votes(o) == keep);
    }
    match tied.as_slice() {
        [] => None,
        [only] => Some((*only, false)),
        _ => {
            let drawn = match seek {
                Seek::Lowest => tied.iter().copied().max_by_key(|&o| lot.place(o)),
                Seek::Highest => tied.iter().copied().min_by_key(|&o| lot.place(o)),
            };
            drawn.map(|option| (option, true))
        }
    }
}

/// The option with the fewest votes among `candidates`, ties broken by [`break_tie`].
fn lowest(candidates: &[usize], votes: &[u64], earlier: &[Round], lot: &Lot) -> Option<(usize, bool)> {
    let fewest = candidates.iter().map(|&c| votes[c]).min()?;
    let tied = candidates.iter().copied().filter(|&c| votes[c] == fewest).collect();
    break_tie(tied, earlier, Seek::Lowest, lot)
}

/// The option with the most votes among `candidates`, ties broken by [`break_tie`].
fn highest(candidates: &[usize], votes: &[u64], earlier: &[Round], lot: &Lot) -> Option<(usize, bool)> {
    let most = candidates.iter().map(|&c| votes[c]).max()?;
    let tied = candidates.iter().copied().filter(|&c| votes[c] == most).collect();
    break_tie(tied, earlier, Seek::Highest, lot)
}

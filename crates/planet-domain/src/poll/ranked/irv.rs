//! Instant-runoff voting: eliminate the weakest until one option holds a majority of the votes
//! still in play.

use super::{Lot, Ranking, Round, Votes, clean, lowest};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RunoffResult {
    pub rounds: Vec<Round>,
    /// None only when no ballot ranks anyone.
    pub winner: Option<usize>,
}

/// Counts an instant-runoff poll. Every round is recorded, the deciding one included.
pub fn instant_runoff(options: usize, ballots: &[Ranking], lot: &[usize]) -> RunoffResult {
    let lot = Lot::new(options, lot);
    let ballots = clean(options, ballots);
    let mut continuing = vec![true; options];
    let mut rounds: Vec<Round> = Vec::new();
    let winner = loop {
        let mut counts = vec![0_u64; options];
        let mut exhausted = 0_u64;
        for ballot in &ballots {
            let next = ballot.iter().copied().find(|&o| continuing.get(o).copied().unwrap_or(false));
            match next.and_then(|o| counts.get_mut(o)) {
                Some(count) => *count += 1,
                None => exhausted += 1,
            }
        }
        let standing: Vec<usize> = (0..options).filter(|&o| continuing[o]).collect();
        let tallies = (0..options).map(|o| continuing[o].then(|| Votes::whole(counts[o]))).collect();
        let mut round = Round::new(tallies, Votes::whole(exhausted));

        let in_play: u64 = counts.iter().sum();
        let majority = standing.iter().copied().find(|&o| 2 * counts[o] > in_play);
        let last = match standing.as_slice() {
            [only] => Some(*only),
            _ => None,
        };
        // With no vote in play nobody can win. That happens only when no ballot ranks anyone:
        // the weakest option is never the only one holding votes, so eliminating it cannot
        // empty the count later.
        if in_play == 0 {
            rounds.push(round);
            break None;
        }
        if let Some(winner) = majority.or(last) {
            round.elected.push(winner);
            rounds.push(round);
            break Some(winner);
        }
        let Some((out, by_lot)) = lowest(&standing, &counts, &rounds, &lot) else {
            rounds.push(round);
            break None;
        };
        round.eliminated = Some(out);
        round.by_lot = by_lot;
        continuing[out] = false;
        rounds.push(round);
    };
    RunoffResult { rounds, winner }
}

//! Single transferable vote under the Scottish rules (The Scottish Local Government Elections
//! Order 2007, Schedule 1, rules 45 to 52): Droop quota, weighted inclusive Gregory transfers,
//! five decimal places. A tested statute beats a home-made variant that nobody can check a count
//! against.

use super::{Lot, Ranking, Round, Votes, clean, highest, lowest};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StvResult {
    pub quota: Votes,
    pub rounds: Vec<Round>,
    /// In order of election.
    pub elected: Vec<usize>,
    /// "Scottish STV (Droop quota, weighted inclusive Gregory, 5 decimal places)"
    pub method: &'static str,
}

const METHOD: &str = "Scottish STV (Droop quota, weighted inclusive Gregory, 5 decimal places)";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Standing {
    Continuing,
    /// Elected; `settled` once its surplus has been passed on (or it had none).
    Elected {
        settled: bool,
    },
    Excluded,
}

/// A ballot paper and the value it carries now, in hundred-thousandths of a vote.
struct Paper {
    ranking: Ranking,
    /// The preference the paper currently counts for; past the end once it is exhausted.
    at: usize,
    value: u64,
}

impl Paper {
    fn holder(&self) -> Option<usize> {
        self.ranking.get(self.at).copied()
    }

    /// Moves to the next preference for a continuing candidate: transfers skip anyone already
    /// elected or excluded.
    fn pass_on(&mut self, standing: &[Standing]) {
        self.at += 1;
        while let Some(&next) = self.ranking.get(self.at) {
            if standing.get(next) == Some(&Standing::Continuing) {
                break;
            }
            self.at += 1;
        }
    }
}

/// Counts a single-transferable-vote poll for `seats` seats. Ballots that rank nobody are not
/// valid votes and do not count towards the quota.
///
/// An elected candidate's tally shows until its surplus has been passed on (at once when it had
/// none); from then on it holds exactly a quota. So each round's tallies, plus the exhausted
/// votes, plus a quota for each such candidate, come to the valid votes less what truncation to
/// five places has dropped.
pub fn single_transferable_vote(options: usize, seats: usize, ballots: &[Ranking], lot: &[usize]) -> StvResult {
    let lot = Lot::new(options, lot);
    let mut papers: Vec<Paper> = clean(options, ballots)
        .into_iter()
        .filter(|ranking| !ranking.is_empty())
        .map(|ranking| Paper { ranking, at: 0, value: Votes::ONE.0 })
        .collect();
    // Rule 46: valid votes divided by one more than the seats, decimals ignored, plus one.
    let valid = u64::try_from(papers.len()).unwrap_or(u64::MAX);
    let seats_plus_one = u64::try_from(seats).unwrap_or(u64::MAX).saturating_add(1);
    let quota = Votes::whole(valid / seats_plus_one + 1);

    let mut standing = vec![Standing::Continuing; options];
    let mut elected: Vec<usize> = Vec::new();
    let mut rounds: Vec<Round> = Vec::new();
    loop {
        let mut held = vec![0_u64; options];
        let mut exhausted = 0_u64;
        for paper in &papers {
            match paper.holder().and_then(|c| held.get_mut(c)) {
                Some(votes) => *votes += paper.value,
                None => exhausted += paper.value,
            }
        }
        let tallies = (0..options)
            .map(|c| match standing[c] {
                Standing::Continuing | Standing::Elected { settled: false } => Some(Votes(held[c])),
                _ => None,
            })
            .collect();
        let mut round = Round::new(tallies, Votes(exhausted));

        // Rule 47: reaching the quota elects. A Droop quota cannot be reached by more candidates
        // than there are seats, so the cap only guards against arithmetic that cannot happen.
        let mut reached: Vec<usize> = continuing(&standing).filter(|&c| held[c] >= quota.0).collect();
        reached.sort_by_key(|&c| (std::cmp::Reverse(held[c]), c));
        reached.truncate(seats.saturating_sub(elected.len()));
        for c in reached {
            standing[c] = Standing::Elected { settled: held[c] == quota.0 };
            round.elected.push(c);
            elected.push(c);
        }

        // Rule 52: when the candidates left can just fill the seats left, they are elected and
        // nothing more is transferred.
        let seats_left = seats.saturating_sub(elected.len());
        let mut rest: Vec<usize> = continuing(&standing).collect();
        if seats_left == 0 || rest.len() <= seats_left {
            if seats_left > 0 {
                rest.sort_by_key(|&c| (std::cmp::Reverse(held[c]), c));
                for c in rest {
                    standing[c] = Standing::Elected { settled: false };
                    round.elected.push(c);
                    elected.push(c);
                }
            }
            rounds.push(round);
            break;
        }

        // Rules 48 and 49: surpluses go before any exclusion, the largest first. Rules 50 and
        // 51: with no surplus left, the lowest continuing candidate is excluded.
        let unsettled: Vec<usize> =
            (0..options).filter(|&c| standing[c] == Standing::Elected { settled: false }).collect();
        let next = if unsettled.is_empty() {
            lowest(&rest, &held, &rounds, &lot).map(|(c, by_lot)| (Transfer::Exclusion(c), by_lot))
        } else {
            highest(&unsettled, &held, &rounds, &lot).map(|(c, by_lot)| (Transfer::Surplus(c), by_lot))
        };
        let Some((transfer, by_lot)) = next else {
            rounds.push(round);
            break;
        };
        round.by_lot = by_lot;
        match transfer {
            Transfer::Surplus(from) => {
                round.surplus_of = Some(from);
                standing[from] = Standing::Elected { settled: true };
                let total = held[from];
                let surplus = total.saturating_sub(quota.0);
                for paper in papers.iter_mut().filter(|p| p.holder() == Some(from)) {
                    paper.value = transfer_value(paper.value, surplus, total);
                    paper.pass_on(&standing);
                }
            }
            Transfer::Exclusion(from) => {
                round.eliminated = Some(from);
                standing[from] = Standing::Excluded;
                // Rule 50(4): the papers move on at the value they arrived with.
                for paper in papers.iter_mut().filter(|p| p.holder() == Some(from)) {
                    paper.pass_on(&standing);
                }
            }
        }
        rounds.push(round);
    }

    StvResult { quota, rounds, elected, method: METHOD }
}

enum Transfer {
    Surplus(usize),
    Exclusion(usize),
}

fn continuing(standing: &[Standing]) -> impl Iterator<Item = usize> + '_ {
    (0..standing.len()).filter(|&c| standing[c] == Standing::Continuing)
}

/// Rule 48(3): the surplus times the paper's value when received, divided by the candidate's
/// total, to five decimal places with any remainder ignored. Multiplying before dividing keeps a
/// paper that has already been transferred from losing a second truncation.
fn transfer_value(value: u64, surplus: u64, total: u64) -> u64 {
    if total == 0 {
        return 0;
    }
    let scaled = u128::from(value) * u128::from(surplus) / u128::from(total);
    u64::try_from(scaled).unwrap_or(value)
}

//! The Schulze method: pairwise contests, then the strongest path between every two options
//! (widest path, winning votes as link strength), as on Wikipedia's "Schulze method" page.

use super::{Ranking, clean};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SchulzeResult {
    /// d[a][b]: voters who prefer a to b (an option ranked beats every unranked one; unranked
    /// ones are equal).
    pub pairwise: Vec<Vec<u64>>,
    /// p[a][b]: strength of the strongest path from a to b (winning votes), 0 on the diagonal.
    pub strongest: Vec<Vec<u64>>,
    /// Options in order, best first, ties grouped: [[4],[0],[2],[1],[3]].
    pub order: Vec<Vec<usize>>,
    /// The Schulze winners (usually one; several when tied).
    pub winners: Vec<usize>,
}

/// Counts a Schulze poll.
pub fn schulze(options: usize, ballots: &[Ranking]) -> SchulzeResult {
    let pairwise = pairwise(options, &clean(options, ballots));
    let strongest = strongest_paths(&pairwise);
    let order = order(&strongest);
    let winners = order.first().cloned().unwrap_or_default();
    SchulzeResult { pairwise, strongest, order, winners }
}

fn pairwise(options: usize, ballots: &[Ranking]) -> Vec<Vec<u64>> {
    let mut d = vec![vec![0_u64; options]; options];
    for ballot in ballots {
        // Unranked options share the last place, below every ranked one.
        let mut place = vec![usize::MAX; options];
        for (at, &option) in ballot.iter().enumerate() {
            place[option] = at;
        }
        for a in 0..options {
            for b in 0..options {
                if place[a] < place[b] {
                    d[a][b] += 1;
                }
            }
        }
    }
    d
}

fn strongest_paths(d: &[Vec<u64>]) -> Vec<Vec<u64>> {
    let n = d.len();
    let mut p = vec![vec![0_u64; n]; n];
    for a in 0..n {
        for b in 0..n {
            if a != b && d[a][b] > d[b][a] {
                p[a][b] = d[a][b];
            }
        }
    }
    for i in 0..n {
        for j in 0..n {
            if j == i {
                continue;
            }
            for k in 0..n {
                if k != i && k != j {
                    p[j][k] = p[j][k].max(p[j][i].min(p[i][k]));
                }
            }
        }
    }
    p
}

/// Ranks by "a beats b when p[a][b] > p[b][a]", which Schulze proves transitive. Each group is
/// the options no remaining option beats, so the first group is exactly the winners and options
/// in one group never beat each other.
fn order(p: &[Vec<u64>]) -> Vec<Vec<usize>> {
    let beats = |a: usize, b: usize| p[a][b] > p[b][a];
    let mut remaining: Vec<usize> = (0..p.len()).collect();
    let mut order = Vec::new();
    while !remaining.is_empty() {
        let (mut top, rest): (Vec<usize>, Vec<usize>) =
            remaining.iter().partition(|&&a| !remaining.iter().any(|&b| beats(b, a)));
        // Transitivity rules out a cycle; should one ever appear, keep it as a tie rather than
        // loop for ever.
        if top.is_empty() {
            top = rest;
            remaining = Vec::new();
        } else {
            remaining = rest;
        }
        order.push(top);
    }
    order
}

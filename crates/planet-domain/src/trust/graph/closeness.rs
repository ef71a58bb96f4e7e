//! Closeness: a personalised score from one viewer, used to order the directory by "closest
//! to me". There is no global score.

use super::TrustGraph;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::hash::Hash;

impl<K: Copy + Eq + Hash> TrustGraph<K> {
    /// A personalised closeness score from `from`: personalised PageRank by forward push
    /// (Andersen, Chung and Lang 2006) over the usable statements. Only entries reachable from
    /// `from` get a score; there is no global score.
    pub fn closeness(&self, from: K, now: DateTime<Utc>) -> HashMap<K, f64> {
        const TELEPORT: f64 = 0.15;
        const EPSILON: f64 = 1e-4;
        let Some(&s) = self.index.get(&from) else {
            return HashMap::new();
        };
        let now = now.timestamp();
        let degree = |n: u32| self.out[n as usize].iter().filter(|a| a.facts.usable(now)).count();
        let mut score: HashMap<u32, f64> = HashMap::new();
        let mut residue: HashMap<u32, f64> = HashMap::from([(s, 1.0)]);
        let mut queue = vec![s];
        while let Some(u) = queue.pop() {
            let r = residue.insert(u, 0.0).unwrap_or(0.0);
            let d = degree(u);
            *score.entry(u).or_insert(0.0) += TELEPORT * r;
            if d == 0 {
                // A dead end keeps what would have flowed on; closeness only ranks, so the lost
                // mass does not matter.
                continue;
            }
            let share = (1.0 - TELEPORT) * r / d as f64;
            for arc in self.out[u as usize].iter().filter(|a| a.facts.usable(now)) {
                let entry = residue.entry(arc.node).or_insert(0.0);
                let before = *entry;
                *entry += share;
                let threshold = EPSILON * degree(arc.node).max(1) as f64;
                if before < threshold && *entry >= threshold {
                    queue.push(arc.node);
                }
            }
        }
        score.remove(&s);
        score.into_iter().map(|(n, p)| (self.keys[n as usize], p)).collect()
    }
}

//! The trust network in memory: trust paths ("How am I connected?") and a personalised
//! closeness score, without touching the database.
//!
//! Nodes are directory entries (people, businesses, organisations), edges are statements from
//! a member to an entry. Only statements that may be used are ever stored here: private ones
//! are refused on insert, and expired ones are skipped at query time (`now` is passed in).
//!
//! Invariants (property-tested below):
//! - every step of a returned route is a stored, unexpired, non-private statement;
//! - the first route is a shortest route; each next route is a shortest route that avoids the
//!   intermediate entries of the routes before it; routes share no intermediate entry;
//! - no route is longer than [`MAX_STEPS`];
//! - when a route is shown, an entry is named only where no `paths` statement of someone else
//!   would be revealed by naming it.

use super::{StatementKind, TrustVisibility};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};
use std::hash::Hash;

/// Trust paths are at most this many steps long.
pub const MAX_STEPS: usize = 4;
/// "How am I connected?" shows at most this many routes.
pub const MAX_ROUTES: usize = 3;

/// What is known about one statement, kept small: the graph may hold millions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EdgeFacts {
    pub kind: StatementKind,
    pub visibility: TrustVisibility,
    /// Unix seconds.
    pub made_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
}

impl EdgeFacts {
    pub fn new(
        kind: StatementKind,
        visibility: TrustVisibility,
        made_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Self {
        Self { kind, visibility, made_at: made_at.timestamp(), expires_at: expires_at.timestamp() }
    }

    /// The year the statement was made, shown on a step ("trust, 2025").
    pub fn year(&self) -> i32 {
        use chrono::Datelike;
        DateTime::from_timestamp(self.made_at, 0).map(|at| at.year()).unwrap_or(1970)
    }

    fn usable(&self, now: i64) -> bool {
        now < self.expires_at
    }

    /// Which of two statements between the same two entries a step shows: an open one before
    /// one that must stay anonymous, then the strongest kind.
    fn better_than(&self, other: &EdgeFacts) -> bool {
        (self.visibility, self.kind) < (other.visibility, other.kind)
    }
}

#[derive(Debug, Clone, Copy)]
struct Arc {
    node: u32,
    facts: EdgeFacts,
}

/// One step of a route: the statement made by the entry before it about `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step<K> {
    pub to: K,
    pub facts: EdgeFacts,
}

/// A route from the viewer to an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route<K> {
    pub from: K,
    pub steps: Vec<Step<K>>,
}

impl<K: Copy + Eq> Route<K> {
    /// Every entry on the route, the viewer first.
    pub fn nodes(&self) -> Vec<K> {
        std::iter::once(self.from).chain(self.steps.iter().map(|step| step.to)).collect()
    }

    /// The route as a viewer may see it. A step is hidden when it uses a `paths` statement made
    /// by someone other than the viewer; an entry next to a hidden step is shown only as
    /// "someone", so the statement cannot be read off the names either side of it; and the
    /// steps either side of "someone" lose their kind and year, which could name them too.
    pub fn shown(&self) -> Vec<ShownStep<K>> {
        let nodes = self.nodes();
        let last = self.steps.len();
        let anonymous_step: Vec<bool> = self
            .steps
            .iter()
            .enumerate()
            .map(|(i, step)| step.facts.visibility == TrustVisibility::Paths && i > 0)
            .collect();
        // named[k]: whether node k (0 = the viewer) may be named.
        let named: Vec<bool> = (0..=last)
            .map(|k| k == 0 || k == last || !(anonymous_step[k - 1] || anonymous_step.get(k).copied().unwrap_or(false)))
            .collect();
        self.steps
            .iter()
            .enumerate()
            .map(|(i, step)| {
                let detailed = !anonymous_step[i] && named[i] && named[i + 1];
                ShownStep {
                    to: named[i + 1].then_some(nodes[i + 1]),
                    kind: detailed.then_some(step.facts.kind),
                    year: detailed.then(|| step.facts.year()),
                }
            })
            .collect()
    }
}

/// A step as the viewer sees it: `None` where it must stay anonymous.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShownStep<K> {
    pub to: Option<K>,
    pub kind: Option<StatementKind>,
    pub year: Option<i32>,
}

/// The answer to "How am I connected?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connections<K> {
    /// Up to [`MAX_ROUTES`] routes sharing no intermediate entry, shortest first.
    pub routes: Vec<Route<K>>,
    /// How many different shortest routes there are (saturating).
    pub shortest_count: u64,
}

impl<K> Default for Connections<K> {
    fn default() -> Self {
        Self { routes: Vec::new(), shortest_count: 0 }
    }
}

/// The usable trust statements, as adjacency lists both ways.
#[derive(Debug, Clone)]
pub struct TrustGraph<K> {
    index: HashMap<K, u32>,
    keys: Vec<K>,
    /// Statements made by each entry, sorted by (subject, kind).
    out: Vec<Vec<Arc>>,
    /// Statements about each entry, sorted by (author, kind).
    inc: Vec<Vec<Arc>>,
    edges: usize,
}

impl<K: Copy + Eq + Hash> Default for TrustGraph<K> {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Debug, Clone, Copy)]
struct Visit {
    dist: u8,
    count: u64,
    /// The node before (forward search) or after (backward search) on one shortest route.
    link: u32,
}

fn insert_sorted(list: &mut Vec<Arc>, arc: Arc) -> bool {
    match list.binary_search_by_key(&(arc.node, arc.facts.kind), |a| (a.node, a.facts.kind)) {
        Ok(at) => {
            list[at] = arc;
            false
        }
        Err(at) => {
            list.insert(at, arc);
            true
        }
    }
}

fn remove_sorted(list: &mut Vec<Arc>, node: u32, kind: StatementKind) -> bool {
    match list.binary_search_by_key(&(node, kind), |a| (a.node, a.facts.kind)) {
        Ok(at) => {
            list.remove(at);
            true
        }
        Err(_) => false,
    }
}

impl<K: Copy + Eq + Hash> TrustGraph<K> {
    pub fn new() -> Self {
        Self { index: HashMap::new(), keys: Vec::new(), out: Vec::new(), inc: Vec::new(), edges: 0 }
    }

    /// Builds a graph from many statements at once (faster than inserting one by one).
    pub fn from_edges(edges: impl IntoIterator<Item = (K, K, EdgeFacts)>) -> Self {
        let mut graph = Self::new();
        for (from, to, facts) in edges {
            if from == to {
                continue;
            }
            let (a, b) = (graph.node(from), graph.node(to));
            graph.out[a as usize].push(Arc { node: b, facts });
            graph.inc[b as usize].push(Arc { node: a, facts });
        }
        for list in graph.out.iter_mut().chain(graph.inc.iter_mut()) {
            // A later statement for the same pair and kind replaces an earlier one.
            list.reverse();
            list.sort_by_key(|a| (a.node, a.facts.kind));
            list.dedup_by_key(|a| (a.node, a.facts.kind));
            // Only now drop private statements: a later private one hides an earlier open one.
            list.retain(|a| a.facts.visibility.usable_in_paths());
        }
        graph.edges = graph.out.iter().map(Vec::len).sum();
        graph
    }

    fn node(&mut self, key: K) -> u32 {
        if let Some(&at) = self.index.get(&key) {
            return at;
        }
        let at = self.keys.len() as u32;
        self.index.insert(key, at);
        self.keys.push(key);
        self.out.push(Vec::new());
        self.inc.push(Vec::new());
        at
    }

    pub fn edge_count(&self) -> usize {
        self.edges
    }

    /// Adds or replaces the statement `from` made about `to` of this kind. Statements about
    /// oneself and private statements are not kept (they are never used); returns whether the
    /// graph now holds it.
    pub fn insert(&mut self, from: K, to: K, facts: EdgeFacts) -> bool {
        if from == to || !facts.visibility.usable_in_paths() {
            self.remove(from, to, facts.kind);
            return false;
        }
        let (a, b) = (self.node(from), self.node(to));
        if insert_sorted(&mut self.out[a as usize], Arc { node: b, facts }) {
            self.edges += 1;
        }
        insert_sorted(&mut self.inc[b as usize], Arc { node: a, facts });
        true
    }

    /// Removes a statement (revoked, or made private). Returns whether it was there.
    pub fn remove(&mut self, from: K, to: K, kind: StatementKind) -> bool {
        let (Some(&a), Some(&b)) = (self.index.get(&from), self.index.get(&to)) else {
            return false;
        };
        let removed = remove_sorted(&mut self.out[a as usize], b, kind);
        remove_sorted(&mut self.inc[b as usize], a, kind);
        if removed {
            self.edges -= 1;
        }
        removed
    }

    /// The usable statements an entry has made, one per subject (the one a step would show).
    pub fn made_by(&self, from: K, now: DateTime<Utc>) -> Vec<(K, EdgeFacts)> {
        self.index.get(&from).map_or_else(Vec::new, |&a| self.best_arcs(&self.out[a as usize], now.timestamp()))
    }

    fn best_arcs(&self, list: &[Arc], now: i64) -> Vec<(K, EdgeFacts)> {
        let mut best: Vec<(K, EdgeFacts)> = Vec::new();
        let mut last: Option<u32> = None;
        for arc in list.iter().filter(|a| a.facts.usable(now)) {
            if last == Some(arc.node) {
                if let Some(entry) = best.last_mut()
                    && arc.facts.better_than(&entry.1)
                {
                    entry.1 = arc.facts;
                }
            } else {
                best.push((self.keys[arc.node as usize], arc.facts));
                last = Some(arc.node);
            }
        }
        best
    }

    /// "How am I connected?": up to [`MAX_ROUTES`] routes of at most [`MAX_STEPS`] steps from
    /// `from` to `to` that share no intermediate entry, each as short as it can be, and how many
    /// shortest routes there are.
    pub fn connections(&self, from: K, to: K, now: DateTime<Utc>) -> Connections<K> {
        let (Some(&s), Some(&t)) = (self.index.get(&from), self.index.get(&to)) else {
            return Connections::default();
        };
        if s == t {
            return Connections::default();
        }
        let now = now.timestamp();
        let mut blocked = HashSet::new();
        let mut skip_direct = false;
        let mut connections = Connections::default();
        while connections.routes.len() < MAX_ROUTES {
            let Some((nodes, count)) = self.shortest(s, t, &blocked, skip_direct, now) else {
                break;
            };
            if connections.routes.is_empty() {
                connections.shortest_count = count;
            }
            if nodes.len() == 2 {
                skip_direct = true;
            }
            blocked.extend(nodes[1..nodes.len() - 1].iter().copied());
            connections.routes.push(self.route(&nodes, now));
        }
        connections
    }

    fn route(&self, nodes: &[u32], now: i64) -> Route<K> {
        let steps = nodes
            .windows(2)
            .filter_map(|pair| {
                self.best_arc(pair[0], pair[1], now).map(|facts| Step { to: self.keys[pair[1] as usize], facts })
            })
            .collect();
        Route { from: self.keys[nodes[0] as usize], steps }
    }

    fn best_arc(&self, from: u32, to: u32, now: i64) -> Option<EdgeFacts> {
        let list = &self.out[from as usize];
        let start = list.partition_point(|a| a.node < to);
        list[start..]
            .iter()
            .take_while(|a| a.node == to)
            .filter(|a| a.facts.usable(now))
            .map(|a| a.facts)
            .reduce(|best, next| if next.better_than(&best) { next } else { best })
    }

    /// Bidirectional breadth-first search, always growing the side with less work ahead.
    /// Returns the nodes of one shortest route and the number of shortest routes.
    fn shortest(&self, s: u32, t: u32, blocked: &HashSet<u32>, skip_direct: bool, now: i64) -> Option<(Vec<u32>, u64)> {
        let mut forward: HashMap<u32, Visit> = HashMap::from([(s, Visit { dist: 0, count: 1, link: s })]);
        let mut backward: HashMap<u32, Visit> = HashMap::from([(t, Visit { dist: 0, count: 1, link: t })]);
        let mut forward_front = vec![s];
        let mut backward_front = vec![t];
        let (mut df, mut db) = (0u8, 0u8);
        let work = |front: &[u32], lists: &[Vec<Arc>]| front.iter().map(|&n| lists[n as usize].len()).sum::<usize>();
        while usize::from(df + db) < MAX_STEPS {
            if forward_front.is_empty() || backward_front.is_empty() {
                return None;
            }
            let grow_forward = work(&forward_front, &self.out) <= work(&backward_front, &self.inc);
            let meeting: Vec<u32> = if grow_forward {
                forward_front =
                    self.grow(&forward_front, &self.out, &mut forward, df, (s, t), blocked, skip_direct, now);
                df += 1;
                forward_front.iter().copied().filter(|n| backward.get(n).is_some_and(|v| v.dist == db)).collect()
            } else {
                backward_front =
                    self.grow(&backward_front, &self.inc, &mut backward, db, (t, s), blocked, skip_direct, now);
                db += 1;
                backward_front.iter().copied().filter(|n| forward.get(n).is_some_and(|v| v.dist == df)).collect()
            };
            if let Some(&middle) = meeting.iter().min() {
                let count = meeting
                    .iter()
                    .map(|n| forward[n].count.saturating_mul(backward[n].count))
                    .fold(0u64, u64::saturating_add);
                let mut nodes = vec![middle];
                let mut at = middle;
                while at != s {
                    at = forward[&at].link;
                    nodes.push(at);
                }
                nodes.reverse();
                let mut at = middle;
                while at != t {
                    at = backward[&at].link;
                    nodes.push(at);
                }
                return Some((nodes, count));
            }
        }
        None
    }

    /// One level of breadth-first search from `front` (at distance `dist`) along `lists`.
    /// `ends` is (where this side started, where the other side started).
    #[allow(clippy::too_many_arguments)]
    fn grow(
        &self,
        front: &[u32],
        lists: &[Vec<Arc>],
        seen: &mut HashMap<u32, Visit>,
        dist: u8,
        ends: (u32, u32),
        blocked: &HashSet<u32>,
        skip_direct: bool,
        now: i64,
    ) -> Vec<u32> {
        let (start, goal) = ends;
        let mut next = Vec::new();
        for &u in front {
            let count = seen[&u].count;
            let mut last = None;
            for arc in &lists[u as usize] {
                let v = arc.node;
                // Parallel statements (vouch and trust for the same person) are one step.
                if last == Some(v) || !arc.facts.usable(now) {
                    continue;
                }
                last = Some(v);
                if (v != goal && blocked.contains(&v)) || (skip_direct && u == start && v == goal) {
                    continue;
                }
                match seen.get_mut(&v) {
                    None => {
                        seen.insert(v, Visit { dist: dist + 1, count, link: u });
                        next.push(v);
                    }
                    Some(visit) if visit.dist == dist + 1 => visit.count = visit.count.saturating_add(count),
                    Some(_) => {}
                }
            }
        }
        next
    }
}

mod closeness;
#[cfg(test)]
mod tests;

//! Property tests of the trust graph: the invariants listed at the top of `graph.rs`.

use super::*;
use proptest::prelude::*;
use std::collections::VecDeque;

const NOW: i64 = 1_800_000_000;

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(NOW, 0).unwrap()
}

fn facts(kind: StatementKind, visibility: TrustVisibility, expired: bool) -> EdgeFacts {
    EdgeFacts {
        kind,
        visibility,
        made_at: NOW - 86_400 * 400,
        expires_at: if expired { NOW - 1 } else { NOW + 86_400 },
    }
}

type Statement = (u8, u8, EdgeFacts);

fn any_statement(nodes: u8) -> impl Strategy<Value = Statement> {
    (
        0..nodes,
        0..nodes,
        prop::sample::select(StatementKind::ALL),
        prop::sample::select(TrustVisibility::ALL),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(a, b, kind, visibility, expired)| (a, b, facts(kind, visibility, expired)))
}

fn any_network() -> impl Strategy<Value = (Vec<Statement>, u8, u8)> {
    (3u8..14).prop_flat_map(|n| (prop::collection::vec(any_statement(n), 0..60), 0..n, 0..n))
}

/// What the graph should hold: the last statement for each (author, subject, kind), if
/// usable now.
fn usable(statements: &[Statement]) -> HashMap<(u8, u8, StatementKind), EdgeFacts> {
    let mut latest = HashMap::new();
    for &(a, b, f) in statements {
        latest.insert((a, b, f.kind), f);
    }
    latest.retain(|&(a, b, _), f| a != b && f.visibility.usable_in_paths() && f.usable(NOW));
    latest
}

/// Plain breadth-first search avoiding `blocked` (and the direct step if asked).
fn distance(
    edges: &HashMap<(u8, u8, StatementKind), EdgeFacts>,
    s: u8,
    t: u8,
    blocked: &HashSet<u8>,
    skip_direct: bool,
) -> Option<usize> {
    let mut dist = HashMap::from([(s, 0usize)]);
    let mut queue = VecDeque::from([s]);
    while let Some(u) = queue.pop_front() {
        if u == t {
            return Some(dist[&u]);
        }
        for &(a, b, _) in edges.keys() {
            if a != u || (b != t && blocked.contains(&b)) || (skip_direct && a == s && b == t) {
                continue;
            }
            let next = dist[&u] + 1;
            if let std::collections::hash_map::Entry::Vacant(slot) = dist.entry(b) {
                slot.insert(next);
                queue.push_back(b);
            }
        }
    }
    None
}

/// Every simple route of exactly `len` steps, counted as sequences of entries.
fn count_routes(edges: &HashMap<(u8, u8, StatementKind), EdgeFacts>, s: u8, t: u8, len: usize) -> u64 {
    let pairs: HashSet<(u8, u8)> = edges.keys().map(|&(a, b, _)| (a, b)).collect();
    fn walk(pairs: &HashSet<(u8, u8)>, at: u8, t: u8, left: usize) -> u64 {
        if left == 0 {
            return u64::from(at == t);
        }
        pairs.iter().filter(|&&(a, _)| a == at).map(|&(_, b)| walk(pairs, b, t, left - 1)).sum()
    }
    walk(&pairs, s, t, len)
}

proptest! {
    /// The routes use only statements the viewer may rely on, are shortest in turn, share no
    /// intermediate entry, and the count of shortest routes is right.
    #[test]
    fn routes_are_shortest_disjoint_and_allowed((statements, s, t) in any_network()) {
        let graph = TrustGraph::from_edges(statements.iter().map(|&(a, b, f)| (a, b, f)));
        let edges = usable(&statements);
        let found = graph.connections(s, t, now());
        if s == t {
            prop_assert_eq!(found, Connections::default());
            return Ok(());
        }
        let mut blocked = HashSet::new();
        let mut skip_direct = false;
        for route in &found.routes {
            let nodes = route.nodes();
            prop_assert_eq!(nodes[0], s);
            prop_assert_eq!(*nodes.last().unwrap(), t);
            prop_assert!(route.steps.len() <= MAX_STEPS);
            for (pair, step) in nodes.windows(2).zip(&route.steps) {
                // A statement that exists, is not private and has not expired.
                prop_assert_eq!(edges.get(&(pair[0], pair[1], step.facts.kind)), Some(&step.facts));
            }
            let expected = distance(&edges, s, t, &blocked, skip_direct);
            prop_assert_eq!(Some(route.steps.len()), expected);
            for middle in &nodes[1..nodes.len() - 1] {
                prop_assert!(blocked.insert(*middle), "routes share {}", middle);
            }
            skip_direct |= route.steps.len() == 1;
        }
        // No further disjoint route within reach.
        if found.routes.len() < MAX_ROUTES {
            let more = distance(&edges, s, t, &blocked, skip_direct).filter(|&d| d <= MAX_STEPS);
            prop_assert_eq!(more, None);
        }
        match found.routes.first() {
            Some(first) => prop_assert_eq!(found.shortest_count, count_routes(&edges, s, t, first.steps.len())),
            None => prop_assert_eq!(found.shortest_count, 0),
        }
    }

    /// Shown routes never name the entries either side of someone else's `paths` statement.
    #[test]
    fn shown_routes_keep_paths_statements_anonymous((statements, s, t) in any_network()) {
        let graph = TrustGraph::from_edges(statements.iter().map(|&(a, b, f)| (a, b, f)));
        for route in graph.connections(s, t, now()).routes {
            let shown = route.shown();
            let nodes = route.nodes();
            for (i, step) in route.steps.iter().enumerate() {
                let anonymous = step.facts.visibility == TrustVisibility::Paths && nodes[i] != s;
                if anonymous {
                    prop_assert_eq!(shown[i].kind, None);
                    prop_assert_eq!(shown[i].year, None);
                    if i > 0 {
                        prop_assert_eq!(shown[i - 1].to, None, "author of an anonymous step is named");
                    }
                    if i + 1 < route.steps.len() {
                        prop_assert_eq!(shown[i].to, None, "subject of an anonymous step is named");
                    }
                } else if shown[i].to.is_some() && (i == 0 || shown[i - 1].to.is_some()) {
                    prop_assert_eq!(shown[i].kind, Some(step.facts.kind));
                }
            }
            prop_assert_eq!(shown.last().and_then(|step| step.to), Some(t));
            // Beside "someone", no kind or year either: they could name them.
            for (i, step) in shown.iter().enumerate() {
                if step.to.is_none() {
                    prop_assert_eq!(step.kind, None);
                    prop_assert_eq!(shown[i + 1].kind, None);
                    prop_assert_eq!(shown[i + 1].year, None);
                }
            }
        }
    }

    /// Inserting and removing one by one gives the same graph as building it at once.
    #[test]
    fn updates_match_a_rebuild((statements, s, t) in any_network(), removals in prop::collection::vec((0u8..14, 0u8..14, prop::sample::select(StatementKind::ALL)), 0..10)) {
        let mut graph = TrustGraph::new();
        for &(a, b, f) in &statements {
            graph.insert(a, b, f);
        }
        let mut kept = statements.clone();
        for &(a, b, kind) in &removals {
            graph.remove(a, b, kind);
            kept.retain(|&(x, y, f)| !(x == a && y == b && f.kind == kind));
        }
        // A later private statement replaces (removes) an earlier usable one.
        let rebuilt = TrustGraph::from_edges(usable(&kept).into_iter().map(|((a, b, _), f)| (a, b, f)));
        // Which of several equally short routes is picked depends on insertion order, so
        // compare what does not: the count and the length of the shortest.
        let (a, b) = (graph.connections(s, t, now()), rebuilt.connections(s, t, now()));
        prop_assert_eq!(a.shortest_count, b.shortest_count);
        prop_assert_eq!(a.routes.first().map(|r| r.steps.len()), b.routes.first().map(|r| r.steps.len()));
        let sorted = |mut list: Vec<(u8, EdgeFacts)>| { list.sort_by_key(|(n, _)| *n); list };
        prop_assert_eq!(sorted(graph.made_by(s, now())), sorted(rebuilt.made_by(s, now())));
    }

    /// Closeness is personal: only entries reachable from the viewer score, the viewer does not.
    #[test]
    fn closeness_reaches_only_what_is_reachable((statements, s, _t) in any_network()) {
        let graph = TrustGraph::from_edges(statements.iter().map(|&(a, b, f)| (a, b, f)));
        let edges = usable(&statements);
        let scores = graph.closeness(s, now());
        prop_assert!(!scores.contains_key(&s));
        for (node, score) in scores {
            prop_assert!(score > 0.0);
            prop_assert!(distance(&edges, s, node, &HashSet::new(), false).is_some());
        }
    }
}

#[test]
fn the_worked_example() {
    // You → Ann (trust) → Bob (vouch) → Diss Bakery (customer), and a longer way round.
    let (you, ann, bob, bakery, cat) = (0u8, 1, 2, 3, 4);
    use StatementKind::*;
    use TrustVisibility::*;
    let graph = TrustGraph::from_edges([
        (you, ann, facts(Trust, Members, false)),
        (ann, bob, facts(Vouch, Members, false)),
        (bob, bakery, facts(Customer, Members, false)),
        (you, cat, facts(Trust, Members, false)),
        (cat, bakery, facts(Customer, Private, false)),
    ]);
    let found = graph.connections(you, bakery, now());
    assert_eq!(found.shortest_count, 1);
    assert_eq!(found.routes.len(), 1);
    assert_eq!(found.routes[0].nodes(), vec![you, ann, bob, bakery]);
    let kinds: Vec<_> = found.routes[0].shown().iter().map(|s| s.kind).collect();
    assert_eq!(kinds, vec![Some(Trust), Some(Vouch), Some(Customer)]);
    assert_eq!(found.routes[0].shown()[0].year, Some(2025));
}

#[test]
fn closer_people_score_higher() {
    use StatementKind::*;
    use TrustVisibility::*;
    let graph = TrustGraph::from_edges([
        (0u8, 1, facts(Trust, Members, false)),
        (1, 2, facts(Trust, Members, false)),
        (2, 3, facts(Trust, Members, false)),
    ]);
    let scores = graph.closeness(0, now());
    assert!(scores[&1] > scores[&2] && scores[&2] > scores[&3]);
}

//! Worked examples from published sources first, then the invariants every count must keep
//! whatever the ballots.

use super::*;
use proptest::prelude::*;

/// `n` identical ballots for each ranking.
fn ballots(groups: &[(usize, &[usize])]) -> Vec<Ranking> {
    groups.iter().flat_map(|&(n, ranking)| std::iter::repeat_n(ranking.to_vec(), n)).collect()
}

fn whole(counts: &[Option<u64>]) -> Vec<Option<Votes>> {
    counts.iter().map(|c| c.map(Votes::whole)).collect()
}

fn index_lot(options: usize) -> Vec<usize> {
    (0..options).collect()
}

#[test]
fn votes_display_five_places_unless_whole() {
    assert_eq!(Votes(1_234_567).display(), "12.34567");
    assert_eq!(Votes::whole(12).display(), "12");
    assert_eq!(Votes(50_000).display(), "0.50000");
    assert_eq!(Votes(1).display(), "0.00001");
    assert_eq!(Votes::default().display(), "0");
}

// Memphis, Nashville, Chattanooga, Knoxville.
const M: usize = 0;
const N: usize = 1;
const C: usize = 2;
const K: usize = 3;

/// Wikipedia, "Instant-runoff voting", the Tennessee capital example (the same electorate as
/// Wikipedia's "Tennessee example" pages): 42% Memphis > Nashville > Chattanooga > Knoxville,
/// 26% Nashville > Chattanooga > Knoxville > Memphis, 15% Chattanooga > Knoxville > Nashville >
/// Memphis, 17% Knoxville > Chattanooga > Nashville > Memphis.
fn tennessee() -> Vec<Ranking> {
    ballots(&[(42, &[M, N, C, K]), (26, &[N, C, K, M]), (15, &[C, K, N, M]), (17, &[K, C, N, M])])
}

#[test]
fn irv_tennessee_capital() {
    // The page: Chattanooga is out first and its votes go to Knoxville; then Nashville, whose
    // votes pass over the eliminated Chattanooga to Knoxville; Knoxville wins 58 to 42.
    let result = instant_runoff(4, &tennessee(), &index_lot(4));
    assert_eq!(result.winner, Some(K));
    let rounds: Vec<_> = result.rounds.iter().map(|r| (r.tallies.clone(), r.eliminated, r.elected.clone())).collect();
    assert_eq!(
        rounds,
        vec![
            (whole(&[Some(42), Some(26), Some(15), Some(17)]), Some(C), vec![]),
            (whole(&[Some(42), Some(26), None, Some(32)]), Some(N), vec![]),
            (whole(&[Some(42), None, None, Some(58)]), None, vec![K]),
        ]
    );
    assert!(result.rounds.iter().all(|r| r.exhausted == Votes(0) && !r.by_lot));
}

#[test]
fn schulze_tennessee_elects_the_condorcet_winner() {
    // Nashville beats each rival head to head (68-32, 68-32, 58-42), so any Condorcet method,
    // Schulze included, picks it; the full ranking is Nashville > Chattanooga > Knoxville >
    // Memphis.
    let result = schulze(4, &tennessee());
    assert_eq!(result.pairwise[N][C], 68);
    assert_eq!(result.pairwise[N][K], 68);
    assert_eq!(result.pairwise[N][M], 58);
    assert_eq!(result.winners, vec![N]);
    assert_eq!(result.order, vec![vec![N], vec![C], vec![K], vec![M]]);
}

#[test]
fn schulze_wikipedia_example() {
    // Wikipedia, "Schulze method", the example with 45 voters and candidates A to E. The
    // ballots, both matrices and the ranking E > A > C > B > D below were checked against the
    // page text (liquisearch.com's copy of the Example section and Markus Schulze's examples
    // page on Wikipedia), not written from memory.
    let (a, b, c, d, e) = (0, 1, 2, 3, 4);
    let votes = ballots(&[
        (5, &[a, c, b, e, d]),
        (5, &[a, d, e, c, b]),
        (8, &[b, e, d, a, c]),
        (3, &[c, a, b, e, d]),
        (7, &[c, a, e, b, d]),
        (2, &[c, b, a, d, e]),
        (7, &[d, c, e, b, a]),
        (8, &[e, b, a, d, c]),
    ]);
    let result = schulze(5, &votes);
    assert_eq!(
        result.pairwise,
        vec![
            vec![0, 20, 26, 30, 22],
            vec![25, 0, 16, 33, 18],
            vec![19, 29, 0, 17, 24],
            vec![15, 12, 28, 0, 14],
            vec![23, 27, 21, 31, 0],
        ]
    );
    assert_eq!(
        result.strongest,
        vec![
            vec![0, 28, 28, 30, 24],
            vec![25, 0, 28, 33, 24],
            vec![25, 29, 0, 29, 24],
            vec![25, 28, 28, 0, 24],
            vec![25, 28, 28, 31, 0],
        ]
    );
    assert_eq!(result.order, vec![vec![e], vec![a], vec![c], vec![b], vec![d]]);
    assert_eq!(result.winners, vec![e]);
}

#[test]
fn schulze_without_ballots_ties_everyone() {
    let result = schulze(3, &[]);
    assert_eq!(result.winners, vec![0, 1, 2]);
    assert_eq!(result.order, vec![vec![0, 1, 2]]);
    assert_eq!(schulze(0, &[]).order, Vec::<Vec<usize>>::new());
}

#[test]
fn stv_wikipedia_food_election() {
    // Wikipedia, "Single transferable vote", the food example: 20 guests, 3 seats, Droop quota
    // 6. The page's narrative and its pictorial tallies (checked in the page text) give rounds
    // of Oranges, Pears, Chocolate, Strawberries, Hamburgers:
    //   1: 4, 2, 12, 1, 1 - Chocolate elected, its surplus of 6 goes on at half a vote a paper;
    //   2: 4, 2, 6, 5, 3 - Pears eliminated;
    //   3: 6, -, 6, 5, 3 - Oranges reach the quota exactly;
    //   4: Hamburgers eliminated, Strawberries take the last seat.
    // Here an elected candidate drops out of the tallies once its surplus is dealt with, and the
    // page's round 4 exclusion is decided in round 3, on round 3's figures.
    let (oranges, pears, chocolate, strawberries, hamburgers) = (0, 1, 2, 3, 4);
    let votes = ballots(&[
        (4, &[oranges]),
        (2, &[pears, oranges]),
        (8, &[chocolate, strawberries]),
        (4, &[chocolate, hamburgers]),
        (1, &[strawberries]),
        (1, &[hamburgers]),
    ]);
    let result = single_transferable_vote(5, 3, &votes, &index_lot(5));
    assert_eq!(result.quota, Votes::whole(6));
    assert_eq!(result.elected, vec![chocolate, oranges, strawberries]);
    assert_eq!(result.method, "Scottish STV (Droop quota, weighted inclusive Gregory, 5 decimal places)");
    let expected = vec![
        Round {
            tallies: whole(&[Some(4), Some(2), Some(12), Some(1), Some(1)]),
            exhausted: Votes(0),
            elected: vec![chocolate],
            eliminated: None,
            surplus_of: Some(chocolate),
            by_lot: false,
        },
        Round {
            tallies: whole(&[Some(4), Some(2), None, Some(5), Some(3)]),
            exhausted: Votes(0),
            elected: vec![],
            eliminated: Some(pears),
            surplus_of: None,
            by_lot: false,
        },
        Round {
            tallies: whole(&[Some(6), None, None, Some(5), Some(3)]),
            exhausted: Votes(0),
            elected: vec![oranges],
            eliminated: Some(hamburgers),
            surplus_of: None,
            by_lot: false,
        },
        Round {
            tallies: whole(&[None, None, None, Some(5), None]),
            exhausted: Votes::whole(3),
            elected: vec![strawberries],
            eliminated: None,
            surplus_of: None,
            by_lot: false,
        },
    ];
    assert_eq!(result.rounds, expected);
}

#[test]
fn stv_transfer_value_follows_rule_48_3() {
    // Worked by hand from rule 48(3) of the Scottish Local Government Elections Order 2007
    // (text checked on legislation.gov.uk): a paper's new value is the surplus times its value
    // when received, divided by the candidate's votes, to five places with the remainder
    // ignored. 16 valid votes, 3 seats, quota 16/4 + 1 = 5.
    //   Round 1: A 8, B 3, C 2, D 3. A's surplus 3 over 8 papers: 3/8 = 0.37500 each.
    //   Round 2: B 3 + 8 x 0.375 = 6, elected with surplus 1: a first-preference paper goes on
    //            at 1/6 = 0.16666, a paper received at 0.375 at 0.375/6 = 0.06250 (taking
    //            0.16666 of 0.375 instead would give 0.06249).
    //   Round 3: C 2 + 3 x 0.16666 + 8 x 0.0625 = 2.99998, just short of D's 3, so C is
    //            excluded; exact fractions would have tied them.
    //   Round 4: D takes the last seat; C's 2.99998 have nowhere to go.
    let (a, b, c, d) = (0, 1, 2, 3);
    let votes = ballots(&[(8, &[a, b, c]), (3, &[b, c]), (2, &[c]), (3, &[d])]);
    let result = single_transferable_vote(4, 3, &votes, &index_lot(4));
    assert_eq!(result.quota, Votes::whole(5));
    assert_eq!(result.elected, vec![a, b, d]);
    let tallies: Vec<_> = result.rounds.iter().map(|r| r.tallies.clone()).collect();
    assert_eq!(
        tallies,
        vec![
            whole(&[Some(8), Some(3), Some(2), Some(3)]),
            vec![None, Some(Votes(600_000)), Some(Votes(200_000)), Some(Votes(300_000))],
            vec![None, None, Some(Votes(299_998)), Some(Votes(300_000))],
            vec![None, None, None, Some(Votes(300_000))],
        ]
    );
    assert_eq!(result.rounds[1].surplus_of, Some(b));
    assert_eq!(result.rounds[2].eliminated, Some(c));
    assert_eq!(result.rounds[3].exhausted, Votes(299_998));
}

/// City of Edinburgh Council, local government election of 4 May 2017, Ward 3 Drum Brae/Gyle,
/// 3 seats: the council's published preference profile (as kept in the STVPoll project's test
/// data). Each line: how many ballots, then the ranking; candidates 1 Aldridge (Liberal
/// Democrat), 2 Bridgman (SNP), 3 Brown (Conservative), 4 Keil (Labour), 5 Meyer (Green).
const DRUM_BRAE_GYLE_2017: &str = "\
517 1
67 1 2
24 1 2 3
13 1 2 3 4 5
2 1 2 3 5
11 1 2 3 5 4
47 1 2 4
13 1 2 4 3 5
10 1 2 4 5
26 1 2 4 5 3
59 1 2 5
7 1 2 5 3 4
9 1 2 5 4
23 1 2 5 4 3
471 1 3
31 1 3 2
1 1 3 2 4
16 1 3 2 4 5
16 1 3 2 5 4
368 1 3 4
4 1 3 4 2
32 1 3 4 2 5
22 1 3 4 5
113 1 3 4 5 2
95 1 3 5
1 1 3 5 2
8 1 3 5 2 4
5 1 3 5 4
55 1 3 5 4 2
212 1 4
36 1 4 2
22 1 4 2 3 5
6 1 4 2 5
20 1 4 2 5 3
180 1 4 3
3 1 4 3 2
22 1 4 3 2 5
11 1 4 3 5
76 1 4 3 5 2
113 1 4 5
8 1 4 5 2
24 1 4 5 2 3
9 1 4 5 3
33 1 4 5 3 2
97 1 5
40 1 5 2
1 1 5 2 3
3 1 5 2 3 4
7 1 5 2 4
19 1 5 2 4 3
31 1 5 3
3 1 5 3 2 4
3 1 5 3 4
12 1 5 3 4 2
62 1 5 4
7 1 5 4 2
21 1 5 4 2 3
3 1 5 4 3
26 1 5 4 3 2
497 2
96 2 1
22 2 1 3
1 2 1 3 4
18 2 1 3 4 5
1 2 1 3 5
9 2 1 3 5 4
59 2 1 4
2 2 1 4 3
21 2 1 4 3 5
8 2 1 4 5
33 2 1 4 5 3
107 2 1 5
1 2 1 5 3
11 2 1 5 3 4
14 2 1 5 4
50 2 1 5 4 3
23 2 3
10 2 3 1
1 2 3 1 4
5 2 3 1 4 5
2 2 3 1 5 4
9 2 3 4
1 2 3 4 1
7 2 3 4 1 5
7 2 3 4 5 1
10 2 3 5
3 2 3 5 1 4
2 2 3 5 4 1
101 2 4
70 2 4 1
1 2 4 1 3
17 2 4 1 3 5
16 2 4 1 5
46 2 4 1 5 3
14 2 4 3
9 2 4 3 1 5
3 2 4 3 5 1
109 2 4 5
18 2 4 5 1
55 2 4 5 1 3
8 2 4 5 3 1
347 2 5
147 2 5 1
5 2 5 1 3 4
22 2 5 1 4
190 2 5 1 4 3
11 2 5 3
11 2 5 3 1 4
3 2 5 3 4 1
131 2 5 4
25 2 5 4 1
139 2 5 4 1 3
13 2 5 4 3 1
557 3
509 3 1
19 3 1 2
10 3 1 2 4 5
4 3 1 2 5 4
302 3 1 4
2 3 1 4 2
13 3 1 4 2 5
16 3 1 4 5
114 3 1 4 5 2
79 3 1 5
1 3 1 5 2
17 3 1 5 2 4
6 3 1 5 4
37 3 1 5 4 2
14 3 2
15 3 2 1
5 3 2 1 4 5
6 3 2 1 5 4
5 3 2 4
1 3 2 4 1 5
4 3 2 5
2 3 2 5 1 4
1 3 2 5 4 1
80 3 4
107 3 4 1
1 3 4 1 2
12 3 4 1 2 5
4 3 4 1 5
27 3 4 1 5 2
15 3 4 2
5 3 4 2 1 5
14 3 4 5
3 3 4 5 1
16 3 4 5 1 2
2 3 4 5 2 1
17 3 5
10 3 5 1
1 3 5 1 2 4
1 3 5 1 4
7 3 5 1 4 2
4 3 5 2
1 3 5 2 1 4
4 3 5 2 4 1
9 3 5 4
1 3 5 4 1
4 3 5 4 1 2
248 4
143 4 1
40 4 1 2
4 4 1 2 3
21 4 1 2 3 5
7 4 1 2 5
23 4 1 2 5 3
103 4 1 3
1 4 1 3 2
3 4 1 3 2 5
7 4 1 3 5
25 4 1 3 5 2
62 4 1 5
6 4 1 5 2
29 4 1 5 2 3
26 4 1 5 3 2
43 4 2
45 4 2 1
1 4 2 1 3
12 4 2 1 3 5
5 4 2 1 5
18 4 2 1 5 3
8 4 2 3
7 4 2 3 1 5
3 4 2 3 5 1
50 4 2 5
6 4 2 5 1
25 4 2 5 1 3
6 4 2 5 3 1
23 4 3
50 4 3 1
2 4 3 1 2
1 4 3 1 2 5
2 4 3 1 5
19 4 3 1 5 2
5 4 3 2
1 4 3 2 1 5
1 4 3 2 5
9 4 3 5
5 4 3 5 1 2
1 4 3 5 2 1
33 4 5
48 4 5 1
6 4 5 1 2
19 4 5 1 2 3
10 4 5 1 3 2
25 4 5 2
10 4 5 2 1
8 4 5 2 1 3
1 4 5 3
4 4 5 3 1 2
2 4 5 3 2 1
46 5
20 5 1
11 5 1 2
4 5 1 2 3 4
6 5 1 2 4
8 5 1 2 4 3
5 5 1 3
1 5 1 3 2
3 5 1 3 2 4
2 5 1 3 4 2
17 5 1 4
4 5 1 4 2
7 5 1 4 2 3
6 5 1 4 3 2
35 5 2
33 5 2 1
4 5 2 1 3 4
9 5 2 1 4
21 5 2 1 4 3
1 5 2 3
1 5 2 3 1 4
2 5 2 3 4 1
32 5 2 4
10 5 2 4 1
31 5 2 4 1 3
1 5 2 4 3 1
4 5 3
2 5 3 1
1 5 3 1 2 4
2 5 3 1 4 2
1 5 3 2 4 1
1 5 3 4 1 2
9 5 4
10 5 4 1
8 5 4 1 2
16 5 4 1 2 3
4 5 4 1 3 2
13 5 4 2
6 5 4 2 1
11 5 4 2 1 3
2 5 4 3 1 2
1 5 4 3 2 1
";

#[test]
fn stv_drum_brae_gyle_2017_matches_the_declared_result() {
    let (aldridge, bridgman, brown) = (0, 1, 2);
    let mut votes = Vec::new();
    for line in DRUM_BRAE_GYLE_2017.lines() {
        let mut numbers = line.split_whitespace().map(|n| n.parse::<usize>().unwrap());
        let Some(count) = numbers.next() else { continue };
        let ranking: Ranking = numbers.map(|n| n - 1).collect();
        votes.extend(std::iter::repeat_n(ranking, count));
    }
    let result = single_transferable_vote(5, 3, &votes, &index_lot(5));

    // First-preference shares as reported by the Edinburgh Evening News (Lib Dems 33.5%, SNP
    // 26.8%, Conservatives 22%).
    let valid = votes.len() as f64;
    let share = |c: usize| {
        let votes = result.rounds[0].tallies[c].unwrap_or_default();
        (votes.0 as f64 / Votes::ONE.0 as f64 / valid * 1000.0).round() / 10.0
    };
    assert_eq!((share(aldridge), share(bridgman), share(brown)), (33.5, 26.8, 22.0));

    // As declared (reported by the Edinburgh Reporter): Aldridge and Bridgman elected at stage
    // one, Brown at stage two, after Aldridge's surplus, the larger, was transferred.
    let mut first = result.rounds[0].elected.clone();
    first.sort_unstable();
    assert_eq!(first, vec![aldridge, bridgman]);
    assert_eq!(result.rounds[0].surplus_of, Some(aldridge));
    assert_eq!(result.rounds[1].elected, vec![brown]);
    assert_eq!(result.rounds.len(), 2);
    assert_eq!(result.elected, vec![aldridge, bridgman, brown]);
}

#[test]
fn irv_tie_goes_back_to_the_last_round_that_separated_them() {
    // Round 2 has B and C level on 3, but C had fewer in round 1, so C goes without a lot.
    let (a, b, c, d) = (0, 1, 2, 3);
    let votes = ballots(&[(4, &[a]), (3, &[b]), (2, &[c]), (1, &[d, c])]);
    let result = instant_runoff(4, &votes, &[3, 2, 1, 0]);
    let out: Vec<_> = result.rounds.iter().map(|r| r.eliminated).collect();
    assert_eq!(out, vec![Some(d), Some(c), None]);
    assert!(result.rounds.iter().all(|r| !r.by_lot));
    assert_eq!(result.winner, Some(a));
}

#[test]
fn irv_tie_never_separated_is_decided_by_lot() {
    let votes = ballots(&[(2, &[0]), (2, &[1]), (1, &[2])]);
    // The option later in the lot is eliminated.
    let result = instant_runoff(3, &votes, &[1, 0, 2]);
    assert_eq!(result.rounds[1].eliminated, Some(0));
    assert!(result.rounds[1].by_lot);
    assert_eq!(result.winner, Some(1));

    let result = instant_runoff(3, &votes, &[0, 1, 2]);
    assert_eq!(result.winner, Some(0));

    // Not a permutation of the options: index order stands in, so the same as [0, 1, 2].
    for lot in [&[0, 0, 2][..], &[0, 1], &[0, 1, 7], &[]] {
        assert_eq!(instant_runoff(3, &votes, lot).winner, Some(0));
    }
}

#[test]
fn stv_equal_surpluses_go_in_lot_order() {
    // A and B both reach the quota of 3 with 4 votes; their surpluses were equal at every stage.
    let votes = ballots(&[(4, &[0, 2]), (4, &[1, 3]), (1, &[2]), (1, &[3])]);
    let result = single_transferable_vote(4, 3, &votes, &[1, 0, 2, 3]);
    assert_eq!(result.rounds[0].surplus_of, Some(1));
    assert!(result.rounds[0].by_lot);
    assert_eq!(result.rounds[1].surplus_of, Some(0));
    assert!(!result.rounds[1].by_lot);
    let result = single_transferable_vote(4, 3, &votes, &index_lot(4));
    assert_eq!(result.rounds[0].surplus_of, Some(0));
}

#[test]
fn counts_without_votes_or_options() {
    let result = instant_runoff(3, &[vec![], vec![]], &index_lot(3));
    assert_eq!(result.winner, None);
    assert_eq!(result.rounds.len(), 1);
    assert_eq!(result.rounds[0].exhausted, Votes::whole(2));

    assert_eq!(instant_runoff(0, &[vec![]], &[]).winner, None);
    assert_eq!(single_transferable_vote(0, 2, &[], &[]).elected, Vec::<usize>::new());
    assert_eq!(single_transferable_vote(3, 0, &[vec![0]], &[]).elected, Vec::<usize>::new());

    // Fewer candidates than seats: all of them, in one round.
    let result = single_transferable_vote(2, 3, &[vec![1]], &index_lot(2));
    assert_eq!(result.elected, vec![1, 0]);
    assert_eq!(result.rounds.len(), 1);
}

#[test]
fn marks_out_of_range_or_repeated_are_ignored() {
    let junk = vec![vec![9, 1, 1, 0], vec![1]];
    assert_eq!(instant_runoff(2, &junk, &[]).winner, Some(1));
    assert_eq!(schulze(2, &junk).pairwise, vec![vec![0, 0], vec![2, 0]]);
    assert_eq!(single_transferable_vote(2, 1, &junk, &[]).elected, vec![1]);
}

/// A poll of 1 to 6 options: partial rankings without repeats, and a lot.
fn poll() -> impl Strategy<Value = (usize, Vec<Ranking>, Vec<usize>)> {
    (1..=6_usize).prop_flat_map(|options| {
        let ranking = (Just(index_lot(options)).prop_shuffle(), 0..=options).prop_map(|(mut order, len)| {
            order.truncate(len);
            order
        });
        (Just(options), proptest::collection::vec(ranking, 0..40), Just(index_lot(options)).prop_shuffle())
    })
}

fn sum(tallies: &[Option<Votes>]) -> u64 {
    tallies.iter().flatten().map(|v| v.0).sum()
}

proptest! {
    #[test]
    fn irv_invariants((options, ballots, lot) in poll()) {
        let result = instant_runoff(options, &ballots, &lot);
        // Every ballot is in exactly one place each round: with an option or exhausted.
        for round in &result.rounds {
            prop_assert_eq!(sum(&round.tallies) + round.exhausted.0, Votes::whole(ballots.len() as u64).0);
        }
        // Once out, an option stays out.
        for (at, round) in result.rounds.iter().enumerate() {
            if let Some(out) = round.eliminated {
                prop_assert!(result.rounds[at + 1..].iter().all(|r| r.tallies[out].is_none()));
            }
        }
        // The winner holds a majority of the votes still in play in the last round, or is the
        // last option standing; there is none only when no ballot ranks anyone.
        let last = result.rounds.last().unwrap();
        match result.winner {
            Some(winner) => {
                let votes = last.tallies[winner].unwrap();
                let in_play = sum(&last.tallies);
                let standing = last.tallies.iter().flatten().count();
                prop_assert!(2 * votes.0 > in_play || standing == 1);
                prop_assert_eq!(&last.elected, &vec![winner]);
            }
            None => prop_assert!(ballots.iter().all(|b| b.is_empty())),
        }
    }

    #[test]
    fn schulze_elects_a_condorcet_winner_alone((options, ballots, _lot) in poll()) {
        let result = schulze(options, &ballots);
        let d = &result.pairwise;
        for (c, beaten_by_c) in d.iter().enumerate() {
            if (0..options).all(|x| x == c || beaten_by_c[x] > d[x][c]) {
                prop_assert_eq!(&result.winners, &vec![c]);
                prop_assert_eq!(&result.order[0], &vec![c]);
            }
        }
    }

    #[test]
    fn schulze_order_is_a_weak_order_led_by_the_winners((options, ballots, _lot) in poll()) {
        let result = schulze(options, &ballots);
        let p = &result.strongest;
        let beats = |a: usize, b: usize| p[a][b] > p[b][a];
        // Schulze's theorem: the relation is transitive.
        for a in 0..options {
            for b in 0..options {
                for c in 0..options {
                    prop_assert!(!(beats(a, b) && beats(b, c)) || beats(a, c));
                }
            }
        }
        // The groups cover every option once; the first is the winners; nobody beats an option
        // in an earlier group or in their own.
        let mut seen: Vec<usize> = result.order.concat();
        seen.sort_unstable();
        prop_assert_eq!(seen, index_lot(options));
        prop_assert_eq!(&result.order[0], &result.winners);
        for (at, group) in result.order.iter().enumerate() {
            for &a in group {
                for later in &result.order[at..] {
                    prop_assert!(later.iter().all(|&b| !beats(b, a)));
                }
            }
        }
    }

    #[test]
    fn stv_invariants((options, ballots, lot) in poll(), seats in 0..5_usize) {
        let result = single_transferable_vote(options, seats, &ballots, &lot);
        // Exactly min(seats, options) distinct options are elected.
        let mut elected = result.elected.clone();
        elected.sort_unstable();
        elected.dedup();
        prop_assert_eq!(elected.len(), result.elected.len());
        prop_assert_eq!(elected.len(), seats.min(options));
        // Anyone with a quota of first preferences is elected.
        for c in 0..options {
            if result.rounds[0].tallies[c] >= Some(result.quota) {
                prop_assert!(result.elected.contains(&c));
            }
        }
        // Votes are conserved: what the continuing hold, plus the exhausted, plus a quota for
        // each elected candidate whose surplus has gone, never exceeds the valid votes, and
        // falls short only by truncation, under 0.00001 per paper per earlier transfer.
        let valid = ballots.iter().filter(|b| !b.is_empty()).count() as u64;
        for (at, round) in result.rounds.iter().enumerate() {
            let settled = result
                .elected
                .iter()
                .filter(|&&c| round.tallies[c].is_none())
                .count() as u64;
            let accounted = sum(&round.tallies) + round.exhausted.0 + settled * result.quota.0;
            prop_assert!(accounted <= Votes::whole(valid).0);
            prop_assert!(Votes::whole(valid).0 - accounted <= valid * at as u64);
        }
    }

    #[test]
    fn stv_for_one_seat_elects_the_irv_winner((options, ballots, lot) in poll()) {
        prop_assume!(ballots.iter().any(|b| !b.is_empty()));
        let irv = instant_runoff(options, &ballots, &lot);
        let stv = single_transferable_vote(options, 1, &ballots, &lot);
        prop_assert_eq!(stv.elected, irv.winner.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn results_do_not_depend_on_ballot_order(
        (options, ballots, shuffled, lot) in poll().prop_flat_map(|(options, ballots, lot)| {
            let shuffled = Just(ballots.clone()).prop_shuffle();
            (Just(options), Just(ballots), shuffled, Just(lot))
        }),
        seats in 1..4_usize,
    ) {
        prop_assert_eq!(instant_runoff(options, &ballots, &lot), instant_runoff(options, &shuffled, &lot));
        prop_assert_eq!(schulze(options, &ballots), schulze(options, &shuffled));
        prop_assert_eq!(
            single_transferable_vote(options, seats, &ballots, &lot),
            single_transferable_vote(options, seats, &shuffled, &lot)
        );
    }
}

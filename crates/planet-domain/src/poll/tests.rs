use super::count::{PassRule, Rules, Tally, tally};
use super::*;
use chrono::TimeZone;
use proptest::prelude::*;

fn shape(kind: PollKind, options: usize) -> Shape {
    Shape::simple(kind, options)
}

fn ballot(values: &[u32]) -> Ballot {
    Ballot(values.to_vec())
}

fn some(values: &[u32]) -> Vec<Option<u32>> {
    values.iter().map(|v| if *v == 0 { None } else { Some(*v) }).collect()
}

#[test]
fn shapes_are_checked() {
    assert!(shape(PollKind::Proposal, 4).check().is_ok());
    assert_eq!(shape(PollKind::Proposal, 3).check().unwrap_err().code, "poll_options_fixed");
    assert_eq!(shape(PollKind::SingleChoice, 1).check().unwrap_err().code, "poll_options_too_few");
    assert!(shape(PollKind::MeetingTime, 1).check().is_ok());
    assert_eq!(shape(PollKind::Ranked, 21).check().unwrap_err().code, "poll_options_too_many");
    let picks = Shape { min_picks: 3, max_picks: 2, ..shape(PollKind::MultipleChoice, 4) };
    assert_eq!(picks.check().unwrap_err().code, "poll_picks_invalid");
    let picks = Shape { min_picks: 1, max_picks: 5, ..shape(PollKind::MultipleChoice, 4) };
    assert_eq!(picks.check().unwrap_err().code, "poll_picks_invalid");
    let seats = Shape { method: RankedMethod::SingleTransferableVote, seats: 4, ..shape(PollKind::Ranked, 4) };
    assert_eq!(seats.check().unwrap_err().code, "poll_seats_invalid");
    let dots = Shape { dots: 0, ..shape(PollKind::DotVote, 3) };
    assert_eq!(dots.check().unwrap_err().code, "poll_dots_invalid");
    let score = Shape { max_score: 11, ..shape(PollKind::Score, 3) };
    assert_eq!(score.check().unwrap_err().code, "poll_score_invalid");
}

#[test]
fn ballots_say_what_to_put_right() {
    let proposal = shape(PollKind::Proposal, 4);
    assert_eq!(proposal.ballot(&some(&[0, 0, 1, 0])).unwrap(), ballot(&[0, 0, 1, 0]));
    assert_eq!(proposal.ballot(&some(&[0, 0, 0, 0])).unwrap_err().code, "ballot_choose_one");
    assert_eq!(proposal.ballot(&some(&[1, 0, 1, 0])).unwrap_err().code, "ballot_choose_one");
    assert_eq!(proposal.ballot(&some(&[1, 0, 0])).unwrap_err().code, "ballot_stale");
    assert!(proposal.needs_reason(&ballot(&[0, 0, 0, 1])));
    assert!(proposal.needs_reason(&ballot(&[0, 0, 1, 0])));
    assert!(!proposal.needs_reason(&ballot(&[1, 0, 0, 0])));

    let multiple = Shape { min_picks: 2, max_picks: 3, ..shape(PollKind::MultipleChoice, 5) };
    assert!(multiple.ballot(&some(&[1, 1, 0, 0, 0])).is_ok());
    assert_eq!(multiple.ballot(&some(&[1, 0, 0, 0, 0])).unwrap_err().code, "ballot_picks");
    assert_eq!(multiple.ballot(&some(&[1, 1, 1, 1, 0])).unwrap_err().code, "ballot_picks");

    let dots = Shape { dots: 10, ..shape(PollKind::DotVote, 3) };
    assert!(dots.ballot(&some(&[5, 5, 0])).is_ok());
    let over = dots.ballot(&some(&[6, 5, 0])).unwrap_err();
    assert_eq!(over.code, "ballot_over_budget");
    assert!(over.message.contains("10 dots"), "{}", over.message);
    assert_eq!(dots.ballot(&some(&[0, 0, 0])).unwrap_err().code, "ballot_no_dots");

    let ranked = shape(PollKind::Ranked, 4);
    assert_eq!(ranked.ballot(&some(&[2, 1, 0, 3])).unwrap().ranking(), vec![1, 0, 3]);
    assert_eq!(ranked.ballot(&some(&[1, 1, 2, 0])).unwrap_err().code, "ballot_rank_duplicate");
    assert_eq!(ranked.ballot(&some(&[1, 3, 0, 0])).unwrap_err().code, "ballot_rank_gap");
    assert_eq!(ranked.ballot(&some(&[2, 3, 0, 0])).unwrap_err().code, "ballot_rank_gap");
    assert_eq!(ranked.ballot(&some(&[0, 0, 0, 0])).unwrap_err().code, "ballot_rank_none");

    let score = Shape { max_score: 5, ..shape(PollKind::Score, 2) };
    assert!(score.ballot(&[Some(0), Some(5)]).is_ok());
    assert_eq!(score.ballot(&[Some(6), Some(0)]).unwrap_err().code, "ballot_score_too_high");
    assert_eq!(score.ballot(&[None, Some(1)]).unwrap_err().code, "ballot_score_missing");

    let meeting = shape(PollKind::MeetingTime, 2);
    assert!(meeting.ballot(&[Some(0), Some(2)]).is_ok());
    assert_eq!(meeting.ballot(&[Some(0), None]).unwrap_err().code, "ballot_answer_each");
    assert_eq!(meeting.ballot(&[Some(3), Some(0)]).unwrap_err().code, "ballot_invalid");
}

#[test]
fn secret_ballots_show_results_only_at_the_end() {
    let settings = Settings {
        seen_by: Audience::Space,
        voted_by: Audience::Space,
        late_voters: false,
        secret: true,
        results: ResultsShown::Live,
    };
    assert_eq!(settings.check(false, false).unwrap_err().code, "poll_secret_results");
    let settings = Settings { results: ResultsShown::AfterClosing, ..settings };
    assert!(settings.check(false, false).is_ok());
    let watched = Settings { seen_by: Audience::Community, ..settings };
    assert_eq!(watched.check(false, true).unwrap_err().code, "poll_secret_space");
    let blind = Settings { voted_by: Audience::Community, ..settings };
    assert_eq!(blind.check(false, false).unwrap_err().code, "poll_voters_cannot_see");
    assert!(blind.check(true, false).is_ok());
}

#[test]
fn results_follow_the_setting() {
    assert!(results_visible(ResultsShown::Live, true, false));
    assert!(!results_visible(ResultsShown::AfterVoting, true, false));
    assert!(results_visible(ResultsShown::AfterVoting, true, true));
    assert!(!results_visible(ResultsShown::AfterClosing, true, true));
    assert!(results_visible(ResultsShown::AfterClosing, false, false));
}

#[test]
fn closing_times_and_reasons_are_checked() {
    let now = Utc.with_ymd_and_hms(2026, 11, 29, 9, 0, 0).unwrap();
    assert_eq!(closing_in(now - Duration::days(3), 1, now).unwrap_err().code, "poll_closes_in_past");
    assert_eq!(closing_in(now, 400, now).unwrap_err().code, "poll_closes_too_late");
    assert_eq!(closing_in(now, u32::MAX, now).unwrap_err().code, "poll_closes_too_late");
    assert_eq!(closing_in(now + Duration::days(300), 100, now).unwrap_err().code, "poll_closes_too_late");
    assert_eq!(closing_in(now, 7, now).unwrap(), now + Duration::days(7));
    let odd = Utc.with_ymd_and_hms(2026, 11, 29, 9, 35, 12).unwrap();
    assert_eq!(closing_in(odd, 7, odd).unwrap(), Utc.with_ymd_and_hms(2026, 12, 6, 10, 0, 0).unwrap());
    assert!(reminder_due(now + Duration::hours(23), now));
    assert!(!reminder_due(now + Duration::hours(25), now));
    assert_eq!(check_reason("  ", true).unwrap_err().code, "reason_required");
    assert_eq!(check_reason("", false).unwrap(), None);
    assert_eq!(check_reason(" Too soon ", true).unwrap().as_deref(), Some("Too soon"));
    assert_eq!(check_reason(&"x".repeat(1001), false).unwrap_err().code, "reason_too_long");
    assert_eq!(check_option(" ").unwrap_err().code, "option_required");
    assert_eq!(check_option("Tea\u{202e}eoC").unwrap_err().code, "option_invalid");
    assert_eq!(check_reason("No\u{0007}", false).unwrap_err().code, "reason_invalid");
    assert_eq!(check_reason("Two\nlines", false).unwrap().as_deref(), Some("Two\nlines"));
}

#[test]
fn a_proposal_passes_by_its_rule() {
    let proposal = shape(PollKind::Proposal, 4);
    let rules = Rules { quorum_percent: 50, pass: PassRule::TwoThirds, block_stops: true };
    let agree = ballot(&[1, 0, 0, 0]);
    let abstain = ballot(&[0, 1, 0, 0]);
    let disagree = ballot(&[0, 0, 1, 0]);
    let block = ballot(&[0, 0, 0, 1]);
    let passed = tally(&proposal, &rules, &[agree.clone(), agree.clone(), disagree.clone(), abstain.clone()], 6, &[]);
    assert_eq!(passed.verdict.passed, Some(true), "{}", passed.verdict.explanation);
    assert!(passed.chosen(PollKind::Proposal).is_empty(), "a proposal's answer is its verdict");
    assert_eq!(
        passed.verdict.explanation,
        "Passed: 4 of 6 voted (67%); the quorum of 50% was met; 2 of 3 who took a side agreed (67%)."
    );
    let blocked = tally(&proposal, &rules, &[agree.clone(), agree.clone(), agree.clone(), block], 6, &[]);
    assert_eq!(blocked.verdict.passed, Some(false));
    assert!(blocked.verdict.explanation.contains("there was a block"));
    let too_few = tally(&proposal, &rules, &[agree.clone(), agree.clone()], 6, &[]);
    assert!(!too_few.verdict.quorum_met);
    assert_eq!(too_few.verdict.passed, Some(false));
    let split = tally(
        &proposal,
        &Rules { pass: PassRule::MoreThanHalf, ..rules },
        &[agree, disagree.clone(), disagree],
        4,
        &[],
    );
    assert_eq!(split.verdict.passed, Some(false));
}

#[test]
fn totals_and_meetings_name_their_winners() {
    let dots = shape(PollKind::DotVote, 3);
    let results = tally(&dots, &Rules::default(), &[ballot(&[5, 5, 0]), ballot(&[0, 8, 2])], 3, &[]);
    assert_eq!(results.tally, Tally::Totals { totals: vec![5, 13, 2], winners: vec![1] });
    assert_eq!(results.chosen(PollKind::DotVote), vec![1]);
    let short = tally(&dots, &Rules { quorum_percent: 90, ..Rules::default() }, &[ballot(&[5, 5, 0])], 3, &[]);
    assert!(short.chosen(PollKind::DotVote).is_empty(), "nothing is chosen without a quorum");
    let meeting = shape(PollKind::MeetingTime, 3);
    let results =
        tally(&meeting, &Rules::default(), &[ballot(&[2, 1, 0]), ballot(&[0, 2, 2]), ballot(&[2, 2, 0])], 3, &[]);
    assert_eq!(results.tally, Tally::Meeting { yes: vec![2, 2, 1], if_need_be: vec![0, 1, 0], winners: vec![1] });
    let nobody = tally(&shape(PollKind::SingleChoice, 2), &Rules::default(), &[], 3, &[]);
    assert_eq!(nobody.tally.winners(), Vec::<usize>::new());
    let ranked = Shape { method: RankedMethod::SingleTransferableVote, seats: 1, ..shape(PollKind::Ranked, 3) };
    assert!(tally(&ranked, &Rules::default(), &[], 3, &[0, 1, 2]).chosen(PollKind::Ranked).is_empty());
}

#[test]
fn the_lot_is_a_fixed_permutation() {
    let lot = lot(b"poll", 7);
    let mut sorted = lot.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..7).collect::<Vec<_>>());
    assert_eq!(super::lot(b"poll", 7), lot);
}

fn any_shape() -> impl Strategy<Value = Shape> {
    (prop::sample::select(PollKind::ALL), 1usize..8, 1u32..4, 1u32..6, 1u32..12, 1u32..4).prop_map(
        |(kind, options, picks, max_score, dots, seats)| {
            let options = match kind {
                PollKind::Proposal => 4,
                PollKind::YesNo => 2,
                _ => options.max(2),
            };
            Shape {
                kind,
                options,
                min_picks: 1,
                max_picks: picks.min(options as u32),
                max_score,
                dots,
                method: RankedMethod::InstantRunoff,
                seats: seats.min(options as u32 - 1).max(1),
            }
        },
    )
}

proptest! {
    /// A ballot that passes the check keeps to its shape: one value per option, one choice where
    /// one is asked, picks within limits, dots within budget, scores within range, ranks 1..k
    /// without gaps or repeats; and checking it again gives the same ballot.
    #[test]
    fn accepted_ballots_keep_to_their_shape(shape in any_shape(), input in prop::collection::vec(prop::option::of(0u32..14), 1..9)) {
        if let Ok(checked) = shape.ballot(&input) {
            prop_assert_eq!(checked.0.len(), shape.options);
            let picked = checked.0.iter().filter(|v| **v > 0).count();
            let total: u32 = checked.0.iter().sum();
            match shape.kind {
                PollKind::Proposal | PollKind::YesNo | PollKind::SingleChoice => prop_assert_eq!(total, 1),
                PollKind::MultipleChoice => prop_assert!(picked as u32 >= shape.min_picks && picked as u32 <= shape.max_picks),
                PollKind::DotVote => prop_assert!(total >= 1 && total <= shape.dots),
                PollKind::Score => prop_assert!(checked.0.iter().all(|v| *v <= shape.max_score)),
                PollKind::Ranked => {
                    let mut ranks: Vec<u32> = checked.0.iter().copied().filter(|v| *v > 0).collect();
                    ranks.sort_unstable();
                    prop_assert_eq!(ranks, (1..=picked as u32).collect::<Vec<_>>());
                    prop_assert_eq!(checked.ranking().len(), picked);
                }
                PollKind::MeetingTime => prop_assert!(checked.0.iter().all(|v| *v <= 2)),
            }
            let again: Vec<Option<u32>> = checked.0.iter().map(|v| Some(*v)).collect();
            if shape.kind != PollKind::Score && shape.kind != PollKind::MeetingTime {
                let as_given: Vec<Option<u32>> = checked.0.iter().map(|v| (*v > 0).then_some(*v)).collect();
                prop_assert_eq!(shape.ballot(&as_given).unwrap(), checked.clone());
            } else {
                prop_assert_eq!(shape.ballot(&again).unwrap(), checked.clone());
            }
        }
    }

    /// Totals count every ballot: the sum over options equals the sum over ballots; winners
    /// have the top total; the verdict's quorum is exactly "ballots ≥ quorum × eligible".
    #[test]
    fn totals_add_up(
        values in prop::collection::vec(prop::collection::vec(0u32..4, 3), 0..30),
        extra in 0u64..30,
        quorum in 0u8..=100,
    ) {
        let ballots: Vec<Ballot> = values.iter().map(|v| Ballot(v.clone())).collect();
        let shape = shape(PollKind::DotVote, 3);
        let eligible = ballots.len() as u64 + extra;
        let results = tally(&shape, &Rules { quorum_percent: quorum, ..Rules::default() }, &ballots, eligible, &[]);
        let Tally::Totals { totals, winners } = &results.tally else { panic!("dot votes are totals") };
        let sum: u64 = values.iter().flatten().map(|v| u64::from(*v)).sum();
        prop_assert_eq!(totals.iter().sum::<u64>(), sum);
        let top = totals.iter().max().copied().unwrap_or(0);
        for w in winners {
            prop_assert_eq!(totals[*w], top);
        }
        prop_assert_eq!(
            results.verdict.quorum_met,
            !ballots.is_empty() && ballots.len() as u64 * 100 >= u64::from(quorum) * eligible
        );
    }

    /// The pass rules are monotone: more agreement never turns a pass into a failure.
    #[test]
    fn more_agreement_never_fails(rule in prop::sample::select(PassRule::ALL), agree in 0u64..50, against in 0u64..50) {
        let sides = agree + against;
        if rule.met(agree, sides) {
            prop_assert!(rule.met(agree + 1, sides + 1));
        }
    }
}

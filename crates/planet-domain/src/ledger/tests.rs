use super::chain::{GENESIS, Link, Verifier};
use super::*;
use chrono::DateTime;
use proptest::prelude::*;
use uuid::Uuid;

fn two() -> Decimals {
    Decimals::new(2).unwrap()
}

#[test]
fn amounts_parse_as_people_type_them() {
    assert_eq!(Amount::parse("3", two()).unwrap().minor(), 300);
    assert_eq!(Amount::parse(" 2.5 ", two()).unwrap().minor(), 250);
    assert_eq!(Amount::parse("1,200.25", two()).unwrap().minor(), 120_025);
    assert_eq!(Amount::parse(".5", two()).unwrap().minor(), 50);
    assert_eq!(Amount::parse("0", two()).unwrap_err().code, "amount_zero");
    assert_eq!(Amount::parse("0.00", two()).unwrap_err().code, "amount_zero");
    assert_eq!(Amount::parse("-3", two()).unwrap_err().code, "amount_negative");
    assert_eq!(Amount::parse("2.555", two()).unwrap_err().code, "amount_too_precise");
    assert_eq!(Amount::parse("2.5", Decimals::new(0).unwrap()).unwrap_err().code, "amount_too_precise");
    assert_eq!(Amount::parse("lots", two()).unwrap_err().code, "amount_not_a_number");
    assert_eq!(Amount::parse("3.", two()).unwrap_err().code, "amount_not_a_number");
    assert_eq!(Amount::parse("", two()).unwrap_err().code, "amount_required");
    assert_eq!(Amount::parse("1e9", two()).unwrap_err().code, "amount_not_a_number");
    assert_eq!(Amount::parse("10000001", two()).unwrap_err().code, "amount_too_high");
    assert_eq!(Amount::parse("99999999999999999999", two()).unwrap_err().code, "amount_too_high");
    assert!(Decimals::new(4).is_none());
}

#[test]
fn amounts_are_shown_plainly() {
    assert_eq!(format_minor(300, two()), "3");
    assert_eq!(format_minor(250, two()), "2.50");
    assert_eq!(format_minor(-1_234_525, two()), "\u{2212}12,345.25");
    assert_eq!(format_minor_plain(-1_234_525, two()), "-12345.25");
    assert_eq!(format_minor_plain(300, two()), "3.00");
    assert_eq!(format_minor(7, Decimals::new(0).unwrap()), "7");
}

#[test]
fn limits_count_pending_amounts() {
    let limits = Limits { floor: Some(-1000), ceiling: Some(500) };
    let standing = Standing { balance: -600, pending_out: 300, pending_in: 200 };
    assert_eq!(standing.spendable(limits), Some(100));
    assert!(standing.may_send(100, limits));
    assert!(!standing.may_send(101, limits));
    assert!(standing.may_receive(900, limits));
    assert!(!standing.may_receive(901, limits));
    assert_eq!(Standing::default().spendable(Limits::default()), None);
    assert!(Limits::new(Some(1), None).is_err());
    assert!(Limits::new(None, Some(-1)).is_err());
}

#[test]
fn a_levy_goes_to_the_fund_on_payments_only() {
    let amount = Amount::new(1000, two()).unwrap();
    let payment = entries(TransferKind::Payment, 1, 2, amount, Some(9), 250);
    assert_eq!(payment.len(), 2);
    assert_eq!(payment[1], Entry { from: 1, to: 9, amount: 25, purpose: EntryPurpose::Levy });
    assert_eq!(entries(TransferKind::Adjustment, 1, 2, amount, Some(9), 250).len(), 1);
    assert_eq!(entries(TransferKind::Payment, 1, 2, amount, None, 250).len(), 1);
    // Too small to levy anything: no entry of nothing.
    assert_eq!(entries(TransferKind::Payment, 1, 2, Amount::new(3, two()).unwrap(), Some(9), 250).len(), 1);
}

#[test]
fn who_each_workflow_waits_for() {
    let payee = TransferRoles { receives: true, ..Default::default() };
    let payer = TransferRoles { pays: true, ..Default::default() };
    let starter_payer = TransferRoles { pays: true, started: true, ..Default::default() };
    let steward = TransferRoles { steward: true, ..Default::default() };
    let system = TransferRoles { system: true, ..Default::default() };
    use TransferEvent::*;
    use TransferKind::*;
    use TransferState::*;
    assert_eq!(next_state(Payment, Pending, Accept, payee), Ok(Completed));
    assert_eq!(next_state(Payment, Pending, Accept, starter_payer), Err(TransferRefusal::NotYours));
    assert_eq!(next_state(Payment, Pending, Cancel, starter_payer), Ok(Cancelled));
    assert_eq!(next_state(Request, Pending, Accept, payer), Ok(Completed));
    assert_eq!(next_state(Request, Pending, Decline, payer), Ok(Declined));
    assert_eq!(next_state(Request, Pending, Accept, payee), Err(TransferRefusal::NotYours));
    assert_eq!(next_state(Adjustment, Pending, Accept, steward), Ok(Completed));
    let same_steward = TransferRoles { steward: true, started: true, ..Default::default() };
    assert_eq!(next_state(Adjustment, Pending, Accept, same_steward), Err(TransferRefusal::NotYours));
    // A reversal asked by the side that received waits for the side that paid.
    let asked_by_payee = TransferRoles { starter_receives: true, ..payer };
    assert_eq!(next_state(Reversal, Pending, Accept, asked_by_payee), Ok(Completed));
    assert_eq!(next_state(Reversal, Pending, Accept, payer), Err(TransferRefusal::NotYours));
    // Someone else running the business that asked is the same side.
    let same_side = TransferRoles { receives: true, starter_receives: true, ..Default::default() };
    assert_eq!(next_state(Reversal, Pending, Accept, same_side), Err(TransferRefusal::NotYours));
    // A steward whose own account a correction touches does not agree to it.
    let touched = TransferRoles { steward: true, receives: true, ..Default::default() };
    assert_eq!(next_state(Adjustment, Pending, Accept, touched), Err(TransferRefusal::NotYours));
    assert_eq!(next_state(Payment, Pending, Expire, system), Ok(Expired));
    assert_eq!(next_state(Payment, Pending, Expire, payee), Err(TransferRefusal::NotYours));
    assert_eq!(next_state(Payment, Completed, Accept, payee), Err(TransferRefusal::Finished(Completed)));
}

fn kinds() -> impl Strategy<Value = TransferKind> {
    prop::sample::select(TransferKind::ALL)
}
fn states() -> impl Strategy<Value = TransferState> {
    prop::sample::select(TransferState::ALL)
}
fn events() -> impl Strategy<Value = TransferEvent> {
    prop::sample::select(
        &[TransferEvent::Accept, TransferEvent::Decline, TransferEvent::Cancel, TransferEvent::Expire][..],
    )
}
fn roles() -> impl Strategy<Value = TransferRoles> {
    (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |(pays, receives, started, steward, system, starter_pays, starter_receives)| TransferRoles {
            pays,
            receives,
            started,
            steward,
            system,
            starter_pays,
            starter_receives,
        },
    )
}

proptest! {
    /// Any amount a currency can hold is shown and read back unchanged.
    #[test]
    fn amounts_round_trip(decimals in 0u8..=3, minor in 1i64..=10_000_000_000) {
        let decimals = Decimals::new(decimals).unwrap();
        prop_assume!(minor <= decimals.max_amount());
        let shown = format_minor(minor, decimals).replace(',', "");
        prop_assert_eq!(Amount::parse(&shown, decimals).unwrap().minor(), minor);
        prop_assert_eq!(Amount::parse(&format_minor_plain(minor, decimals), decimals).unwrap().minor(), minor);
    }

    /// Invariant 4, as a rule: finished transfers never move; only pending ones do, and into a
    /// finished state; nobody decides a transfer they started; only the system expires; whoever
    /// started it is the only one who cancels.
    #[test]
    fn transitions_follow_the_workflows(kind in kinds(), state in states(), event in events(), roles in roles()) {
        match next_state(kind, state, event, roles) {
            Ok(next) => {
                prop_assert_eq!(state, TransferState::Pending);
                prop_assert!(next.is_final());
                match event {
                    TransferEvent::Accept | TransferEvent::Decline => {
                        prop_assert!(!roles.started && !roles.system);
                        prop_assert!(may_decide(kind, roles));
                    }
                    TransferEvent::Cancel => prop_assert!(roles.started),
                    TransferEvent::Expire => prop_assert!(roles.system),
                }
                if event == TransferEvent::Accept {
                    prop_assert_eq!(next, TransferState::Completed);
                } else {
                    prop_assert_ne!(next, TransferState::Completed);
                }
            }
            Err(TransferRefusal::Finished(s)) => {
                prop_assert!(state.is_final());
                prop_assert_eq!(s, state);
            }
            Err(TransferRefusal::NotYours) => prop_assert_eq!(state, TransferState::Pending),
        }
    }

    /// Credit is never created or lost: entries move amounts, so balances keep adding up to zero,
    /// and a transfer and its reversal leave every balance as it was (invariants 1 and 6).
    #[test]
    fn entries_and_reversals_keep_the_sum(payer in 0usize..4, payee in 0usize..4, minor in 1i64..100_000, bp in 0u16..=2000) {
        prop_assume!(payer != payee);
        let amount = Amount::new(minor, two()).unwrap();
        let mut balances = [0i64; 5];
        let moved = entries(TransferKind::Payment, payer, payee, amount, Some(4), bp);
        for e in &moved {
            balances[e.from] -= e.amount;
            balances[e.to] += e.amount;
        }
        prop_assert_eq!(balances.iter().sum::<i64>(), 0);
        prop_assert_eq!(balances[payee], minor);
        prop_assert!(balances[4] * 10_000 <= minor * i64::from(bp));
        for e in reversed(&moved) {
            balances[e.from] -= e.amount;
            balances[e.to] += e.amount;
        }
        prop_assert_eq!(balances, [0i64; 5]);
    }

    /// A standing that may send and receive an amount stays within its limits after it.
    #[test]
    fn checked_moves_stay_within_limits(balance in -5000i64..5000, out in 0i64..3000, inn in 0i64..3000, amount in 1i64..4000, floor in -6000i64..=0, ceiling in 0i64..9000) {
        let limits = Limits { floor: Some(floor), ceiling: Some(ceiling) };
        let standing = Standing { balance, pending_out: out, pending_in: inn };
        prop_assume!(standing.within(limits));
        if standing.may_send(amount, limits) {
            let after = Standing { pending_out: out + amount, ..standing };
            prop_assert!(after.within(limits));
        }
        if standing.may_receive(amount, limits) {
            let after = Standing { pending_in: inn + amount, ..standing };
            prop_assert!(after.within(limits));
        }
    }

    /// Invariant 8: the chain verifies from the first link, and changing anything in any link
    /// (or leaving one out) is found at that link.
    #[test]
    fn the_chain_finds_any_rewrite(count in 1usize..12, changed in 0usize..12, new_amount in 1i64..1000) {
        let ids: Vec<Uuid> = (0..count).map(|i| Uuid::from_u128(i as u128 + 1)).collect();
        let entries: Vec<Vec<Entry<Uuid>>> = (0..count)
            .map(|i| vec![Entry { from: Uuid::from_u128(100), to: Uuid::from_u128(200), amount: i as i64 + 1, purpose: EntryPurpose::Main }])
            .collect();
        let at = DateTime::from_timestamp(1_795_824_000, 0).unwrap();
        let links: Vec<Link<'_>> = (0..count)
            .map(|i| Link {
                seq: i as i64 + 1,
                transfer: ids[i],
                kind: TransferKind::Payment,
                state: TransferState::Completed,
                currency: Uuid::from_u128(7),
                at,
                entries: &entries[i],
                description: "gardening",
                by: None,
            })
            .collect();
        let mut hashes = Vec::new();
        let mut previous = GENESIS.to_owned();
        for link in &links {
            previous = link.hash(&previous);
            hashes.push(previous.clone());
        }
        let mut verifier = Verifier::default();
        for (link, hash) in links.iter().zip(&hashes) {
            prop_assert!(verifier.check(link, hash).is_ok());
        }
        prop_assert_eq!(verifier.head(), hashes[count - 1].as_str());

        let changed = changed % count;
        let altered = vec![Entry { amount: new_amount + 1000, ..entries[changed][0] }];
        let mut verifier = Verifier::default();
        let mut broke_at = None;
        for (i, (link, hash)) in links.iter().zip(&hashes).enumerate() {
            let link = if i == changed { Link { entries: &altered, ..link.clone() } } else { link.clone() };
            if let Err(broken) = verifier.check(&link, hash) {
                broke_at = Some(broken.seq);
                break;
            }
        }
        prop_assert_eq!(broke_at, Some(changed as i64 + 1));
    }
}

mod book_tests {
    use super::super::book::{Position, Refusal, Step, take};
    use super::super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn positions(floor: i64) -> HashMap<u8, Position> {
        (0..4u8)
            .map(|a| {
                (
                    a,
                    Position {
                        standing: Standing::default(),
                        limits: Limits { floor: Some(floor), ceiling: Some(5000) },
                    },
                )
            })
            .collect()
    }

    fn sum(p: &HashMap<u8, Position>) -> (i64, i64, i64) {
        p.values().fold((0, 0, 0), |(b, o, i), p| {
            (b + p.standing.balance, o + p.standing.pending_out, i + p.standing.pending_in)
        })
    }

    #[test]
    fn a_refused_step_changes_nothing() {
        let mut p = positions(-100);
        let entries = [Entry { from: 0u8, to: 1, amount: 101, purpose: EntryPurpose::Main }];
        assert_eq!(take(&mut p, &entries, Step::Complete), Err(Refusal::Floor(0)));
        assert_eq!(p, positions(-100));
        assert_eq!(
            take(&mut p, &[Entry { from: 0u8, to: 9, amount: 1, purpose: EntryPurpose::Main }], Step::Hold),
            Err(Refusal::Unknown(9))
        );
    }

    proptest! {
        /// Invariants 1 and 2 for any run of steps: balances add up to zero, pending out equals
        /// pending in, and no account passes its limits counting what is pending.
        #[test]
        fn steps_keep_the_books(ops in prop::collection::vec((0u8..4, 0u8..4, 1i64..300, 0usize..3), 1..60)) {
            let mut p = positions(-500);
            let mut held: Vec<Vec<Entry<u8>>> = Vec::new();
            for (from, to, amount, what) in ops {
                let to = if from == to { (to + 1) % 4 } else { to };
                let entries = vec![Entry { from, to, amount, purpose: EntryPurpose::Main }];
                match what {
                    0 => { let _ = take(&mut p, &entries, Step::Complete); }
                    1 => { if take(&mut p, &entries, Step::Hold).is_ok() { held.push(entries); } }
                    _ => {
                        if let Some(entries) = held.pop() {
                            let step = if amount % 2 == 0 { Step::CompleteHeld } else { Step::Release };
                            prop_assert!(take(&mut p, &entries, step).is_ok());
                        }
                    }
                }
                let (balances, out, inn) = sum(&p);
                prop_assert_eq!(balances, 0);
                prop_assert_eq!(out, inn);
                for position in p.values() {
                    prop_assert!(position.standing.within(position.limits));
                }
            }
        }
    }
}

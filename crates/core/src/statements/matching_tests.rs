#![allow(clippy::unwrap_used)]

use chrono::{NaiveDate, TimeZone as _};

use super::*;
use crate::money::Currency;

fn sar(s: &str) -> Money {
    Money::parse(s, Currency::Sar).unwrap()
}

/// A line with consistent fees: 1.50 fixed + 2 % variable, 15 % VAT.
fn line(row: u32, order: &str, event: &str, amount: &str) -> LineRecord {
    let a = sar(amount);
    let (fixed, variable) = if event == "captured" {
        (
            Decimal::new(150, 2),
            (a.amount() * Decimal::new(2, 2)).round_dp(2),
        )
    } else {
        (Decimal::ZERO, Decimal::ZERO)
    };
    let total = fixed + variable;
    let vat = (total * Decimal::new(15, 2)).round_dp(2);
    LineRecord {
        row,
        transaction_date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        tamara_order_id: order.into(),
        merchant_order_id: None,
        event: event.into(),
        amount: a,
        fixed_fees: Money::new(fixed, Currency::Sar).unwrap(),
        variable_fee_percent: Some(Decimal::new(2, 0)),
        variable_fees: Money::new(variable, Currency::Sar).unwrap(),
        total_fees: Money::new(total, Currency::Sar).unwrap(),
        vat: Money::new(vat, Currency::Sar).unwrap(),
        payable: Money::new(a.amount() - total - vat, Currency::Sar).unwrap(),
        instalments: None,
    }
}

fn mv(id: i64, order: &str, kind: &str, amount: &str, day: u32) -> SettledMove {
    SettledMove {
        ledger_id: id,
        order_id: order.into(),
        order_reference_id: None,
        kind: kind.into(),
        gateway_id: None,
        amount: sar(amount),
        occurred_at: Utc.with_ymd_and_hms(2026, 12, day, 9, 0, 0).unwrap(),
    }
}

fn run(lines: &[LineRecord], moves: &[SettledMove], elsewhere: &[LineElsewhere]) -> Matching {
    let cached: HashSet<String> = ["known".to_owned()].into();
    let ledger = Ledger {
        moves,
        elsewhere,
        period: (
            Utc.with_ymd_and_hms(2026, 11, 30, 21, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 12, 7, 21, 0, 0).unwrap(),
        ),
        cached: &cached,
        vat_percent: Decimal::new(15, 0),
    };
    match_statement(lines, &ledger)
}

fn outcomes(m: &Matching) -> Vec<Outcome> {
    m.lines.iter().map(|l| l.outcome).collect()
}

#[test]
fn each_line_finds_its_movement_by_order_event_and_amount_not_by_position() {
    let lines = [
        line(1, "a", "captured", "100.00"),
        line(2, "b", "captured", "50.00"),
    ];
    let moves = [
        mv(7, "b", "capture", "50.00", 2),
        mv(8, "a", "capture", "100.00", 3),
    ];
    let m = run(&lines, &moves, &[]);
    assert_eq!(outcomes(&m), [Outcome::Matched, Outcome::Matched]);
    assert_eq!(
        (m.lines[0].movement, m.lines[1].movement),
        (Some(1), Some(0))
    );
    assert!(m.missing.is_empty());
}

#[test]
fn a_different_amount_a_missing_movement_and_a_repeated_line_are_each_named() {
    let lines = [
        line(1, "a", "captured", "100.00"),
        line(2, "known", "refunded", "-20.00"),
        line(3, "stranger", "captured", "10.00"),
        line(4, "c", "captured", "30.00"),
        line(5, "c", "captured", "30.00"),
    ];
    let moves = [
        mv(1, "a", "capture", "99.00", 2),
        mv(2, "c", "capture", "30.00", 2),
    ];
    let m = run(&lines, &moves, &[]);
    assert_eq!(
        outcomes(&m),
        [
            Outcome::AmountDiffers,
            Outcome::NotInMizan,
            Outcome::NotInMizan,
            Outcome::Matched,
            Outcome::DuplicateLine
        ]
    );
    assert_eq!(
        m.lines[0].movement,
        Some(0),
        "the differing movement is shown beside the line"
    );
    assert!(
        m.lines[1].order_cached,
        "the order is cached: only its refund is missing"
    );
    assert!(!m.lines[2].order_cached, "an order the cache never saw");
}

#[test]
fn two_real_captures_of_the_same_amount_are_not_duplicates() {
    let lines = [
        line(1, "c", "captured", "30.00"),
        line(2, "c", "captured", "30.00"),
    ];
    let moves = [
        mv(1, "c", "capture", "30.00", 2),
        mv(2, "c", "capture", "30.00", 3),
    ];
    assert_eq!(
        outcomes(&run(&lines, &moves, &[])),
        [Outcome::Matched, Outcome::Matched]
    );
}

#[test]
fn captured_and_refunded_within_the_statement_nets_to_zero() {
    let lines = [
        line(1, "a", "captured", "80.00"),
        line(2, "a", "refunded", "-80.00"),
    ];
    let moves = [
        mv(1, "a", "capture", "80.00", 2),
        mv(2, "a", "refund", "80.00", 3),
    ];
    assert_eq!(
        outcomes(&run(&lines, &moves, &[])),
        [Outcome::NetZero, Outcome::NetZero]
    );
    // A part refund is not net zero.
    let lines = [
        line(1, "a", "captured", "80.00"),
        line(2, "a", "refunded", "-30.00"),
    ];
    let moves = [
        mv(1, "a", "capture", "80.00", 2),
        mv(2, "a", "refund", "30.00", 3),
    ];
    assert_eq!(
        outcomes(&run(&lines, &moves, &[])),
        [Outcome::Matched, Outcome::Matched]
    );
}

#[test]
fn fees_that_do_not_add_up_are_found_within_one_minor_unit() {
    let mut off_by_one = line(1, "a", "captured", "100.00");
    off_by_one.vat = off_by_one.vat.checked_add(sar("0.01")).unwrap();
    off_by_one.payable = off_by_one.payable.checked_sub(sar("0.01")).unwrap();
    let mut wrong = line(2, "b", "captured", "200.00");
    wrong.total_fees = sar("9.00");
    let moves = [
        mv(1, "a", "capture", "100.00", 2),
        mv(2, "b", "capture", "200.00", 2),
    ];
    let m = run(&[off_by_one, wrong], &moves, &[]);
    assert_eq!(outcomes(&m), [Outcome::Matched, Outcome::FeesInconsistent]);
    let fields: Vec<_> = m.lines[1].fee_problems.iter().map(|p| p.field).collect();
    assert_eq!(fields, ["total_fees", "vat", "payable"]);
    assert_eq!(m.lines[1].fee_problems[0].expected, sar("5.50"));
}

#[test]
fn a_movement_of_the_period_in_no_statement_is_missing_unless_another_statement_has_it() {
    let lines = [line(1, "a", "captured", "100.00")];
    let moves = [
        mv(1, "a", "capture", "100.00", 2),
        mv(2, "d", "capture", "40.00", 3),
        mv(3, "e", "capture", "60.00", 4),
        mv(4, "f", "capture", "70.00", 20), // after the period: a later statement's
    ];
    let elsewhere = [LineElsewhere {
        statement: 9,
        statement_id: "ST-9".into(),
        line: line(1, "e", "captured", "60.00"),
    }];
    let m = run(&lines, &moves, &elsewhere);
    assert_eq!(m.missing, [1]);
}

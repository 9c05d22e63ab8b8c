//! Settlement statements, their lines and the payouts that settle them, at the store level, on
//! each backend: revisions, refusals, exact read-back, and the reads reconciliation and the
//! payout screens make. Orders and ledger rows are set up with raw SQL.

// Test helpers outside #[test] fns panic on setup failure by design.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use mizan_core::environment::Environment::{Production, Sandbox};
use mizan_core::money::Currency::{self, Kwd, Sar};
use mizan_core::money::Money;
use mizan_core::store::StoreError;
use mizan_core::store::statements::{self, LineRecord, StatedTotals, StatementRecord};
use rust_decimal::Decimal;

use crate::backends;

mod moves;
mod payouts;

fn money(text: &str, currency: Currency) -> Money {
    Money::parse(text, currency).unwrap()
}

fn sar(text: &str) -> Money {
    money(text, Sar)
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
}

fn at(d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, d, h, 0, 0).unwrap()
}

fn percent(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn statement(statement_id: &str, revision: u32, digest: &str, end: u32) -> StatementRecord {
    StatementRecord {
        id: 0,
        environment: Sandbox,
        statement_id: statement_id.to_owned(),
        revision,
        digest: digest.to_owned(),
        merchant_id: Some("m-1".to_owned()),
        statement_date: Some("08/12/2026".to_owned()),
        period_start: day(end.saturating_sub(6).max(1)),
        period_end: day(end),
        time_zone: "Asia/Riyadh".to_owned(),
        vat_percent: percent("15"),
        file_name: format!("{digest}.csv"),
        line_count: 0,
        imported_at: at(8, 9) + Duration::nanoseconds(123_456_789),
        imported_by: "sara".to_owned(),
        stated_totals: Vec::new(),
    }
}

/// A captured SAR line: 1.00 fixed + 2 % fees, 15 % VAT on them.
fn captured(row: u32, order: &str, amount: &str, fees: [&str; 4], payable: &str) -> LineRecord {
    let [fixed, variable, total, vat] = fees;
    LineRecord {
        row,
        transaction_date: day(2),
        tamara_order_id: order.to_owned(),
        merchant_order_id: Some(format!("R-{order}")),
        event: "captured".to_owned(),
        amount: sar(amount),
        fixed_fees: sar(fixed),
        variable_fee_percent: Some(percent("2")),
        variable_fees: sar(variable),
        total_fees: sar(total),
        vat: sar(vat),
        payable: sar(payable),
        instalments: Some(3),
    }
}

fn refunded(row: u32, order: &str, amount: &str) -> LineRecord {
    LineRecord {
        row,
        transaction_date: day(3),
        tamara_order_id: order.to_owned(),
        merchant_order_id: None,
        event: "refunded".to_owned(),
        amount: sar(amount),
        fixed_fees: sar("0"),
        variable_fee_percent: None,
        variable_fees: sar("0"),
        total_fees: sar("0"),
        vat: sar("0"),
        payable: sar(amount),
        instalments: None,
    }
}

fn kwd_line(row: u32, order: &str) -> LineRecord {
    let kwd = |t| money(t, Kwd);
    LineRecord {
        row,
        transaction_date: day(4),
        tamara_order_id: order.to_owned(),
        merchant_order_id: Some(format!("R-{order}")),
        event: "captured".to_owned(),
        amount: kwd("10.005"),
        fixed_fees: kwd("0.100"),
        variable_fee_percent: Some(percent("1.5")),
        variable_fees: kwd("0.150"),
        total_fees: kwd("0.250"),
        vat: kwd("0.038"),
        payable: kwd("9.717"),
        instalments: Some(4),
    }
}

fn first_lines() -> Vec<LineRecord> {
    vec![
        captured(
            1,
            "o-1",
            "150.50",
            ["1.00", "3.01", "4.01", "0.60"],
            "145.89",
        ),
        refunded(2, "o-2", "-40.00"),
        kwd_line(3, "o-3"),
    ]
}

fn totals() -> Vec<StatedTotals> {
    vec![StatedTotals {
        sales: sar("150.50"),
        refunds: sar("-40.00"),
        fees: sar("4.01"),
        vat: sar("0.60"),
        net: sar("105.89"),
    }]
}

#[tokio::test]
async fn a_statement_is_stored_once_and_revised_without_overwriting() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let lines = first_lines();
        let mut first = statement("ST-a", 1, "d-a1", 7);
        first.line_count = 3;
        first.stated_totals = totals();
        let id = statements::insert(&store, &first, &lines).await.unwrap();
        let stored = StatementRecord {
            id,
            ..first.clone()
        };

        assert_eq!(
            statements::get(&store, Sandbox, id).await.unwrap(),
            Some(stored.clone())
        );
        assert_eq!(statements::get(&store, Production, id).await.unwrap(), None);
        assert_eq!(
            statements::by_digest(&store, Sandbox, "d-a1")
                .await
                .unwrap(),
            Some(stored.clone())
        );
        assert_eq!(
            statements::by_digest(&store, Production, "d-a1")
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            statements::latest(&store, Sandbox, "ST-a").await.unwrap(),
            Some(stored.clone())
        );
        assert_eq!(
            statements::latest(&store, Sandbox, "ST-none")
                .await
                .unwrap(),
            None
        );

        // Lines come back exactly, amounts at their currency's precision, refunds negative.
        let read = statements::lines(&store, id).await.unwrap();
        assert_eq!(read, lines);
        let texts: Vec<String> = read.iter().map(|l| l.amount.amount_text()).collect();
        assert_eq!(texts, ["150.50", "-40.00", "10.005"]);
        assert_eq!(read[1].payable.amount_text(), "-40.00");
        assert_eq!(read[2].vat.amount_text(), "0.038");
        assert_eq!(
            b.scalar("SELECT COUNT(*) FROM statement_lines WHERE amount = '150.50' AND currency = 'SAR' AND instalments = 3")
                .await,
            1
        );
        assert_eq!(
            b.scalar("SELECT COUNT(*) FROM statement_lines WHERE amount = '10.005' AND vat = '0.038' AND variable_fee_percent = '1.5'")
                .await,
            1
        );

        // The next revision of the same statement id: a new row; the first stays as it was.
        let mut second = statement("ST-a", 2, "d-a2", 7);
        second.line_count = 1;
        let second_lines = vec![refunded(1, "o-2", "-40.00")];
        let id2 = statements::insert(&store, &second, &second_lines)
            .await
            .unwrap();
        assert_ne!(id2, id);
        let latest = statements::latest(&store, Sandbox, "ST-a")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (latest.id, latest.revision, latest.stated_totals.len()),
            (id2, 2, 0)
        );
        assert_eq!(
            statements::get(&store, Sandbox, id).await.unwrap(),
            Some(stored.clone())
        );
        assert_eq!(statements::lines(&store, id).await.unwrap(), lines);
        assert_eq!(statements::lines(&store, id2).await.unwrap(), second_lines);

        // The same file again, or the same revision from another file: refused, nothing added.
        let same_digest = statement("ST-a", 3, "d-a1", 7);
        let same_revision = statement("ST-a", 2, "d-other", 7);
        for bad in [&same_digest, &same_revision] {
            let err = statements::insert(&store, bad, &second_lines)
                .await
                .unwrap_err();
            assert!(
                matches!(err, StoreError::Conflict(_)),
                "{}: {err:?}",
                b.name
            );
        }
        assert_eq!(b.scalar("SELECT COUNT(*) FROM statements").await, 2);
        assert_eq!(b.scalar("SELECT COUNT(*) FROM statement_lines").await, 4);

        // The digest is unique per environment only.
        let elsewhere = StatementRecord {
            environment: Production,
            ..first.clone()
        };
        let id3 = statements::insert(&store, &elsewhere, &[]).await.unwrap();
        assert_eq!(
            statements::by_digest(&store, Production, "d-a1")
                .await
                .unwrap()
                .unwrap()
                .id,
            id3
        );
        assert!(statements::lines(&store, id3).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_refused_statement_leaves_nothing_and_the_transaction_usable() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        statements::insert(&store, &statement("ST-a", 1, "d-a1", 7), &[])
            .await
            .unwrap();

        // A bad line refuses the whole statement, header included.
        let mut bad_line = refunded(2, "o-2", "-1.00");
        bad_line.event = "chargeback".to_owned();
        let lines = vec![refunded(1, "o-1", "-1.00"), bad_line];
        let err = statements::insert(&store, &statement("ST-b", 1, "d-b1", 7), &lines)
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Query { .. }),
            "{}: {err:?}",
            b.name
        );
        assert_eq!(
            statements::by_digest(&store, Sandbox, "d-b1")
                .await
                .unwrap(),
            None
        );
        assert_eq!(b.scalar("SELECT COUNT(*) FROM statement_lines").await, 0);

        // In the caller's transaction a refusal is a savepoint's: the rest still commits.
        let mut tx = store.begin().await.unwrap();
        let err = statements::insert(&mut tx, &statement("ST-a", 2, "d-a1", 7), &[])
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(_)),
            "{}: {err:?}",
            b.name
        );
        let id = statements::insert(&mut tx, &statement("ST-a", 2, "d-a2", 7), &first_lines())
            .await
            .unwrap();
        assert_eq!(
            statements::latest(&mut tx, Sandbox, "ST-a")
                .await
                .unwrap()
                .unwrap()
                .id,
            id
        );
        tx.commit().await.unwrap();
        assert_eq!(statements::lines(&store, id).await.unwrap(), first_lines());
    }
}

#[tokio::test]
async fn statements_list_newest_period_first_in_byte_order() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        assert!(statements::list(&store, Sandbox).await.unwrap().is_empty());
        for s in [
            statement("ST-2026-48", 1, "d-48", 1),
            statement("ST-a", 1, "d-a1", 7),
            statement("ST-B", 1, "d-b1", 7),
            statement("ST-a", 2, "d-a2", 7),
            StatementRecord {
                environment: Production,
                ..statement("ST-z", 1, "d-z", 7)
            },
        ] {
            let s = StatementRecord {
                period_start: s.period_end,
                ..s
            };
            statements::insert(&store, &s, &[]).await.unwrap();
        }
        let listed: Vec<(String, u32)> = statements::list(&store, Sandbox)
            .await
            .unwrap()
            .into_iter()
            .map(|s| (s.statement_id, s.revision))
            .collect();
        // "ST-a" > "ST-B" in bytes (a locale's order would put B after a).
        let expected = [("ST-a", 2), ("ST-a", 1), ("ST-B", 1), ("ST-2026-48", 1)];
        assert_eq!(
            listed,
            expected.map(|(s, r)| (s.to_owned(), r)),
            "{}",
            b.name
        );
        assert_eq!(statements::list(&store, Production).await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn many_lines_and_many_orders_go_in_chunks() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let lines: Vec<LineRecord> = (1..=2_345)
            .map(|i| {
                captured(
                    i,
                    &format!("o-{i}"),
                    "100.00",
                    ["1.00", "2.00", "3.00", "0.45"],
                    "96.55",
                )
            })
            .collect();
        let mut big = statement("ST-big", 1, "d-big", 7);
        big.line_count = 2_345;
        let id = statements::insert(&store, &big, &lines).await.unwrap();
        let read = statements::lines(&store, id).await.unwrap();
        assert_eq!(read.len(), 2_345);
        assert_eq!(read, lines);

        let ids: Vec<String> = (1..=1_200).map(|i| format!("o-{}", i * 2)).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let found = statements::lines_elsewhere(&store, Sandbox, &refs, None)
            .await
            .unwrap();
        // o-2 … o-2344 are on the statement; o-2346 … o-2400 are not.
        assert_eq!(found.len(), 1_172);
        assert_eq!(found[0].line, lines[1]);
        assert_eq!(found[1_171].line.tamara_order_id, "o-2344");
    }
}

#[tokio::test]
async fn lines_elsewhere_reads_only_newest_revisions_of_other_statements() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let c = |row, order: &str| {
            captured(
                row,
                order,
                "10.00",
                ["1.00", "0.20", "1.20", "0.18"],
                "8.62",
            )
        };
        let a1 = statements::insert(
            &store,
            &statement("ST-a", 1, "d-a1", 7),
            &[c(1, "o-1"), c(2, "o-2")],
        )
        .await
        .unwrap();
        let a2 = statements::insert(&store, &statement("ST-a", 2, "d-a2", 7), &[c(1, "o-2")])
            .await
            .unwrap();
        let bee = statements::insert(
            &store,
            &statement("ST-b", 1, "d-b1", 7),
            &[c(1, "o-3"), c(2, "o-2")],
        )
        .await
        .unwrap();
        let prod = StatementRecord {
            environment: Production,
            ..statement("ST-p", 1, "d-p", 7)
        };
        statements::insert(&store, &prod, &[c(1, "o-2")])
            .await
            .unwrap();

        let orders = ["o-1", "o-2", "o-3", "o-9"];
        let all = statements::lines_elsewhere(&store, Sandbox, &orders, None)
            .await
            .unwrap();
        let seen: Vec<(i64, &str, u32, &str)> = all
            .iter()
            .map(|l| {
                (
                    l.statement,
                    l.statement_id.as_str(),
                    l.line.row,
                    l.line.tamara_order_id.as_str(),
                )
            })
            .collect();
        // o-1 was only on the superseded revision a1.
        assert_eq!(
            seen,
            [
                (a2, "ST-a", 1, "o-2"),
                (bee, "ST-b", 1, "o-3"),
                (bee, "ST-b", 2, "o-2")
            ]
        );
        assert_ne!(a1, a2);
        assert_eq!(all[0].line, c(1, "o-2"));

        let but_b = statements::lines_elsewhere(&store, Sandbox, &orders, Some(bee))
            .await
            .unwrap();
        assert_eq!(but_b.iter().map(|l| l.statement).collect::<Vec<_>>(), [a2]);
        assert!(
            statements::lines_elsewhere(&store, Sandbox, &[], None)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

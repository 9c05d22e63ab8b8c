//! Payouts at the store level, on each backend: stored once by bank reference and by bank file
//! row, each statement settled once, and the nets, currencies and dated lines the payout and
//! monthly screens read (newest revisions only).

use chrono::{Duration, NaiveDate};
use mizan_core::environment::Environment::{self, Production, Sandbox};
use mizan_core::money::Currency::{Aed, Kwd, Sar};
use mizan_core::money::Money;
use mizan_core::store::StoreError;
use mizan_core::store::payouts::{self, PayoutLink, PayoutRecord};
use mizan_core::store::statements::{self, LineRecord, StatementRecord};

use super::{at, captured, day, first_lines, kwd_line, money, refunded, sar, statement};
use crate::backends;

fn manual(env: Environment, paid_on: NaiveDate, amount: Money, reference: &str) -> PayoutRecord {
    PayoutRecord {
        id: 0,
        environment: env,
        paid_on,
        amount,
        bank_reference: Some(reference.to_owned()),
        description: None,
        source: "manual".to_owned(),
        bank_digest: None,
        bank_row: None,
        fee_allowance: Money::zero(amount.currency()),
        note: Some("entered by hand".to_owned()),
        created_at: at(9, 10) + Duration::nanoseconds(5),
        created_by: "sara".to_owned(),
    }
}

fn from_bank(
    digest: &str,
    row: u32,
    paid_on: NaiveDate,
    amount: &str,
    reference: Option<&str>,
) -> PayoutRecord {
    PayoutRecord {
        bank_reference: reference.map(str::to_owned),
        description: Some(format!("TAMARA SETTLEMENT row {row}")),
        source: "bank_csv".to_owned(),
        bank_digest: Some(digest.to_owned()),
        bank_row: Some(row),
        fee_allowance: sar("1.50"),
        note: None,
        ..manual(Sandbox, paid_on, sar(amount), "")
    }
}

/// What importing a bank file does per credit: skip the ones stored already.
async fn import_bank(store: &mizan_core::store::Store, credits: &[PayoutRecord]) -> Vec<i64> {
    let mut ids = Vec::new();
    for c in credits {
        let key = c.bank_digest.as_deref().zip(c.bank_row);
        if payouts::existing(store, c.environment, c.bank_reference.as_deref(), key)
            .await
            .unwrap()
            .is_none()
        {
            ids.push(payouts::insert(store, c).await.unwrap());
        }
    }
    ids
}

#[tokio::test]
async fn payouts_are_stored_once_by_reference_and_by_bank_row() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        assert!(payouts::list(&store, Sandbox).await.unwrap().is_empty());
        let hand = manual(Sandbox, day(10), sar("105.89"), "TRF-1");
        let id = payouts::insert(&store, &hand).await.unwrap();
        let stored = PayoutRecord { id, ..hand.clone() };
        assert_eq!(
            payouts::existing(&store, Sandbox, Some("TRF-1"), None)
                .await
                .unwrap(),
            Some(stored.clone())
        );
        assert_eq!(
            payouts::existing(&store, Sandbox, Some("trf-1"), None)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            payouts::existing(&store, Production, Some("TRF-1"), None)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            payouts::existing(&store, Sandbox, None, None)
                .await
                .unwrap(),
            None
        );

        // A bank file: rows without a reference are told apart by (digest, row).
        let file = [
            from_bank("bank-1", 2, day(9), "96.55", Some("TRF-2")),
            from_bank("bank-1", 3, day(11), "8.62", None),
            from_bank("bank-1", 4, day(11), "0.01", None),
        ];
        let ids = import_bank(&store, &file).await;
        assert_eq!(ids.len(), 3);
        assert!(
            import_bank(&store, &file).await.is_empty(),
            "{}: the same file twice",
            b.name
        );
        assert_eq!(b.scalar("SELECT COUNT(*) FROM payouts").await, 4);
        let by_row = payouts::existing(&store, Sandbox, None, Some(("bank-1", 3)))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            by_row,
            PayoutRecord {
                id: ids[1],
                ..file[1].clone()
            }
        );
        assert_eq!(by_row.amount.amount_text(), "8.62");
        assert_eq!(by_row.fee_allowance.amount_text(), "1.50");
        let by_ref = payouts::existing(&store, Sandbox, Some("TRF-2"), Some(("bank-9", 3)))
            .await
            .unwrap();
        assert_eq!(by_ref.map(|p| p.id), Some(ids[0]));
        assert_eq!(
            payouts::existing(&store, Sandbox, None, Some(("bank-2", 3)))
                .await
                .unwrap(),
            None
        );

        // Listed by value date, then as entered.
        let listed: Vec<(i64, NaiveDate)> = payouts::list(&store, Sandbox)
            .await
            .unwrap()
            .iter()
            .map(|p| (p.id, p.paid_on))
            .collect();
        assert_eq!(
            listed,
            [
                (ids[0], day(9)),
                (id, day(10)),
                (ids[1], day(11)),
                (ids[2], day(11))
            ]
        );
        assert_eq!(payouts::list(&store, Sandbox).await.unwrap()[1], stored);

        // Inserting a taken key anyway is a conflict; in a transaction the rest still commits.
        let mut tx = store.begin().await.unwrap();
        for bad in [
            manual(Sandbox, day(12), sar("1.00"), "TRF-1"),
            from_bank("bank-1", 3, day(12), "1.00", Some("TRF-9")),
        ] {
            let err = payouts::insert(&mut tx, &bad).await.unwrap_err();
            assert!(
                matches!(err, StoreError::Conflict(_)),
                "{}: {err:?}",
                b.name
            );
        }
        let kwd = manual(Sandbox, day(12), money("9.717", Kwd), "TRF-K");
        let kwd_id = payouts::insert(&mut tx, &kwd).await.unwrap();
        tx.commit().await.unwrap();
        let back = payouts::existing(&store, Sandbox, Some("TRF-K"), None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                back.id,
                back.amount.amount_text(),
                back.fee_allowance.amount_text()
            ),
            (kwd_id, "9.717".to_owned(), "0.000".to_owned())
        );

        // References are unique per environment only.
        let prod = manual(Production, day(10), sar("5.00"), "TRF-1");
        let prod_id = payouts::insert(&store, &prod).await.unwrap();
        assert_eq!(
            payouts::list(&store, Production).await.unwrap(),
            [PayoutRecord {
                id: prod_id,
                ..prod
            }]
        );
        assert_eq!(payouts::list(&store, Sandbox).await.unwrap().len(), 5);
    }
}

#[tokio::test]
async fn a_statement_is_settled_by_one_payout_only() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let a1 = statements::insert(&store, &statement("ST-a", 1, "d-a1", 7), &first_lines())
            .await
            .unwrap();
        let a2 = statements::insert(&store, &statement("ST-a", 2, "d-a2", 7), &first_lines())
            .await
            .unwrap();
        let bee = statements::insert(&store, &statement("ST-b", 1, "d-b1", 14), &[])
            .await
            .unwrap();
        let p1 = payouts::insert(&store, &manual(Sandbox, day(9), sar("105.89"), "TRF-1"))
            .await
            .unwrap();
        let p2 = payouts::insert(&store, &manual(Sandbox, day(16), sar("1.00"), "TRF-2"))
            .await
            .unwrap();
        assert!(payouts::links(&store, Sandbox).await.unwrap().is_empty());

        payouts::link(&store, Sandbox, p2, "ST-b", bee)
            .await
            .unwrap();
        payouts::link(&store, Sandbox, p1, "ST-a", a2)
            .await
            .unwrap();
        // Another revision, another payout, or the same link again: the statement is settled.
        for (payout, row) in [(p2, a1), (p1, a2), (p2, a2)] {
            let err = payouts::link(&store, Sandbox, payout, "ST-a", row)
                .await
                .unwrap_err();
            assert!(
                matches!(err, StoreError::Conflict(_)),
                "{}: {err:?}",
                b.name
            );
        }
        // A statement row that does not exist is refused by the database.
        let err = payouts::link(&store, Sandbox, p1, "ST-x", 999_999)
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Query { .. }),
            "{}: {err:?}",
            b.name
        );

        let link = |payout, statement_id: &str, statement| PayoutLink {
            payout,
            statement_id: statement_id.to_owned(),
            statement,
        };
        assert_eq!(
            payouts::links(&store, Sandbox).await.unwrap(),
            [link(p1, "ST-a", a2), link(p2, "ST-b", bee)]
        );

        // In the caller's transaction a refused link leaves the rest to commit; the key is per
        // environment.
        let prod = payouts::insert(&store, &manual(Production, day(9), sar("5.00"), "TRF-P"))
            .await
            .unwrap();
        let mut tx = store.begin().await.unwrap();
        assert!(
            payouts::link(&mut tx, Sandbox, prod, "ST-a", a1)
                .await
                .is_err()
        );
        payouts::link(&mut tx, Production, prod, "ST-a", a1)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            payouts::links(&store, Production).await.unwrap(),
            [link(prod, "ST-a", a1)]
        );
        assert_eq!(payouts::links(&store, Sandbox).await.unwrap().len(), 2);
    }
}

#[tokio::test]
async fn nets_currencies_and_dated_lines_read_newest_revisions() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        assert!(
            payouts::currencies(&store, Sandbox)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            payouts::statement_nets(&store, Sandbox, Sar)
                .await
                .unwrap()
                .is_empty()
        );
        let c = |row, order: &str| {
            captured(
                row,
                order,
                "10.00",
                ["1.00", "0.20", "1.20", "0.18"],
                "8.62",
            )
        };
        let dated = |mut l: LineRecord, d: u32| {
            l.transaction_date = day(d);
            l
        };
        // ST-a: revision 1 superseded by 2 (SAR and KWD lines); ST-b the next week; ST-e empty.
        statements::insert(&store, &statement("ST-a", 1, "d-a1", 7), &[c(1, "o-9")])
            .await
            .unwrap();
        let mut a2_lines = first_lines();
        a2_lines.push(c(4, "o-4"));
        let a2 = statements::insert(&store, &statement("ST-a", 2, "d-a2", 7), &a2_lines)
            .await
            .unwrap();
        let b_lines = [
            dated(c(1, "o-5"), 9),
            dated(refunded(2, "o-1", "-150.50"), 10),
        ];
        let bee = statements::insert(&store, &statement("ST-b", 1, "d-b1", 14), &b_lines)
            .await
            .unwrap();
        statements::insert(&store, &statement("ST-e", 1, "d-e1", 14), &[])
            .await
            .unwrap();
        let prod = StatementRecord {
            environment: Production,
            ..statement("ST-p", 1, "d-p", 7)
        };
        statements::insert(&store, &prod, &[kwd_line(1, "o-7")])
            .await
            .unwrap();

        let nets = payouts::statement_nets(&store, Sandbox, Sar).await.unwrap();
        let seen: Vec<(i64, &str, u32, NaiveDate, NaiveDate, String)> = nets
            .iter()
            .map(|n| {
                (
                    n.id,
                    n.statement_id.as_str(),
                    n.revision,
                    n.period_start,
                    n.period_end,
                    n.net_payable.amount_text(),
                )
            })
            .collect();
        // 145.89 − 40.00 + 8.62; 8.62 − 150.50. The KWD line is not in a SAR net.
        assert_eq!(
            seen,
            [
                (a2, "ST-a", 2, day(1), day(7), "114.51".to_owned()),
                (bee, "ST-b", 1, day(8), day(14), "-141.88".to_owned())
            ]
        );
        let kwd = payouts::statement_nets(&store, Sandbox, Kwd).await.unwrap();
        assert_eq!(
            kwd.iter()
                .map(|n| (n.id, n.net_payable))
                .collect::<Vec<_>>(),
            [(a2, money("9.717", Kwd))]
        );
        assert!(
            payouts::statement_nets(&store, Sandbox, Aed)
                .await
                .unwrap()
                .is_empty()
        );

        payouts::insert(
            &store,
            &manual(Sandbox, day(20), money("3.00", Aed), "TRF-A"),
        )
        .await
        .unwrap();
        assert_eq!(
            payouts::currencies(&store, Sandbox).await.unwrap(),
            [Aed, Kwd, Sar]
        );
        assert_eq!(
            payouts::currencies(&store, Production).await.unwrap(),
            [Kwd]
        );

        // Calendar days inclusive at both ends; newest revisions only.
        let month = payouts::lines_dated(&store, Sandbox, day(3), day(9))
            .await
            .unwrap();
        let seen: Vec<(&str, &str, String, String, String, String)> = month
            .iter()
            .map(|l| {
                (
                    l.statement_id.as_str(),
                    l.event.as_str(),
                    l.amount.amount_text(),
                    l.total_fees.amount_text(),
                    l.vat.amount_text(),
                    l.payable.amount_text(),
                )
            })
            .collect();
        let row = |s, e, a: &str, f: &str, v: &str, p: &str| {
            (s, e, a.to_owned(), f.to_owned(), v.to_owned(), p.to_owned())
        };
        assert_eq!(
            seen,
            [
                row("ST-a", "refunded", "-40.00", "0.00", "0.00", "-40.00"),
                row("ST-a", "captured", "10.005", "0.250", "0.038", "9.717"),
                row("ST-b", "captured", "10.00", "1.20", "0.18", "8.62"),
            ],
            "{}",
            b.name
        );
        assert_eq!(
            payouts::lines_dated(&store, Sandbox, day(2), day(2))
                .await
                .unwrap()
                .len(),
            2
        );
        assert!(
            payouts::lines_dated(&store, Sandbox, day(11), day(31))
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            payouts::lines_dated(&store, Production, day(1), day(31))
                .await
                .unwrap()
                .len(),
            1
        );
    }
}

//! The settlement export's query (the same rows, statement lines and cells on both backends),
//! the checklist's evidence, and the ledger under concurrent and nested transactions, on each
//! backend.

// Test helpers outside #[test] fns panic on setup failure by design.
#![allow(clippy::unwrap_used)]

use chrono::Duration;
use futures::TryStreamExt;
use mizan_core::environment::Environment::{Production, Sandbox};
use mizan_core::store::ledger::{self, LedgerKind, LedgerSource, LedgerState, SettlementQuery};
use mizan_core::store::{StoreError, evidence};

use crate::backends;
use crate::store_ledger::{kwd, observed, pending, t0, with_order};

/// A statement `ST-1` imported twice (revision 1 superseded by revision 2) and paid by payout 7;
/// revision 2 holds two identical 10 KWD capture lines and the refund's line.
async fn statements(b: &backends::Backend) {
    for sql in [
        "INSERT INTO statements (id, environment, statement_id, revision, digest, period_start,
            period_end, time_zone, vat_percent, file_name, line_count, imported_at, imported_by)
         VALUES (1, 'sandbox', 'ST-1', 1, 'd1', '2024-06-01', '2024-06-30', 'Asia/Riyadh', '15',
            'st1.csv', 1, '2024-07-01T00:00:00.000000000Z', 'sara'),
            (2, 'sandbox', 'ST-1', 2, 'd2', '2024-06-01', '2024-06-30', 'Asia/Riyadh', '15',
            'st1b.csv', 3, '2024-07-02T00:00:00.000000000Z', 'sara')",
        "INSERT INTO statement_lines (statement, row_no, transaction_date, tamara_order_id,
            event, currency, amount, fixed_fees, variable_fees, total_fees, vat, payable)
         VALUES (1, 1, '2024-06-01', 'o-1', 'captured', 'KWD', '10.000', '0', '0', '9.999',
            '0', '0'),
            (2, 1, '2024-06-01', 'o-1', 'captured', 'KWD', '10.000', '0', '0', '0.100', '0.015',
            '9.885'),
            (2, 2, '2024-06-01', 'o-1', 'captured', 'KWD', '10.000', '0', '0', '0.200', '0.030',
            '9.770'),
            (2, 3, '2024-06-01', 'o-1', 'refunded', 'KWD', '-5.000', '0', '0', '0.000', '0.000',
            '-5.000')",
        "INSERT INTO payouts (id, environment, paid_on, currency, amount, bank_reference, source,
            fee_allowance, created_at, created_by)
         VALUES (7, 'sandbox', '2024-07-05', 'KWD', '14.655', 'BANK-7', 'manual', '0.000',
            '2024-07-05T00:00:00.000000000Z', 'sara')",
        "INSERT INTO payout_statements (environment, statement_id, payout, statement)
         VALUES ('sandbox', 'ST-1', 7, 2)",
    ] {
        b.execute(sql).await.unwrap();
    }
}

#[tokio::test]
async fn settlement_lines_match_their_statement_lines_alike_on_both_backends() {
    let mut outputs = Vec::new();
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        with_order(&store, Sandbox, "o-1").await;
        with_order(&store, Production, "o-1").await;
        let now = t0();
        let at = |m| t0() + Duration::minutes(m);
        for (kind, gid, amount, minutes) in [
            (LedgerKind::Authorise, "o-1", "100", 0),
            (LedgerKind::Capture, "cap-1", "10", 1),
            (LedgerKind::Capture, "cap-2", "10", 2),
            (LedgerKind::Refund, "ref-1", "5", 3),
            (LedgerKind::Cancel, "can-1", "1", 4),
        ] {
            let mut o = observed(Sandbox, "o-1", gid, at(minutes));
            (o.kind, o.amount) = (kind, kwd(amount));
            ledger::upsert_observed(&store, &o, now).await.unwrap();
        }
        let mut p = pending(Sandbox, "o-1", "idem-p", "2");
        p.occurred_at = at(5);
        ledger::record_pending(&store, &p, now).await.unwrap();
        let mut f = pending(Sandbox, "o-1", "idem-f", "3");
        f.occurred_at = at(6);
        let f = ledger::record_pending(&store, &f, now).await.unwrap();
        ledger::mark_failed(&store, f.id, "refused", now)
            .await
            .unwrap();
        ledger::upsert_observed(&store, &observed(Production, "o-1", "cap-p", at(1)), now)
            .await
            .unwrap();
        statements(&b).await;

        let mut query = SettlementQuery {
            environment: Sandbox,
            from: t0(),
            to: at(60),
            include_unsettled: false,
        };
        let rows = |q: SettlementQuery| {
            let store = store.clone();
            async move {
                let lines: Vec<_> = ledger::stream_settlement(&store, &q)
                    .try_collect()
                    .await
                    .unwrap();
                lines
                    .iter()
                    .map(|l| l.view().map(|v| format!("{v:?}")))
                    .collect::<Result<Vec<_>, StoreError>>()
                    .unwrap()
            }
        };
        let settled = rows(query.clone()).await;
        query.include_unsettled = true;
        let all = rows(query.clone()).await;

        let lines: Vec<_> = ledger::stream_settlement(&store, &query)
            .try_collect()
            .await
            .unwrap();
        let views: Vec<_> = lines.iter().map(|l| l.view().unwrap()).collect();
        let cells: Vec<_> = views
            .iter()
            .map(|v| {
                (
                    v.gateway_id,
                    v.kind,
                    v.state,
                    v.statement_id,
                    v.statement_fees,
                    v.statement_payable,
                    v.payout_reference,
                    v.payout_id,
                )
            })
            .collect();
        let paid = (Some("ST-1"), Some("BANK-7"), Some(7));
        assert_eq!(
            cells,
            [
                (
                    Some("cap-1"),
                    "capture",
                    "succeeded",
                    paid.0,
                    Some("0.100"),
                    Some("9.885"),
                    paid.1,
                    paid.2
                ),
                (
                    Some("cap-2"),
                    "capture",
                    "succeeded",
                    paid.0,
                    Some("0.200"),
                    Some("9.770"),
                    paid.1,
                    paid.2
                ),
                (
                    Some("ref-1"),
                    "refund",
                    "succeeded",
                    paid.0,
                    Some("0.000"),
                    Some("-5.000"),
                    paid.1,
                    paid.2
                ),
                (
                    Some("can-1"),
                    "cancel",
                    "succeeded",
                    None,
                    None,
                    None,
                    None,
                    None
                ),
                (None, "capture", "pending", None, None, None, None, None),
            ],
            "{}: the n-th equal capture takes the n-th equal line of the newest revision",
            b.name
        );
        let first = views[0];
        assert_eq!(
            (
                first.environment,
                first.order_reference_id,
                first.amount,
                first.currency
            ),
            ("sandbox", "REF-o-1", "10.000", "KWD")
        );
        assert_eq!(
            (first.instalments, first.payment_type, first.payout_date),
            (Some(3), Some("PAY_BY_INSTALMENTS"), Some("2024-07-05"))
        );
        assert_eq!(first.occurred_at, "2024-06-01T10:01:00.000000000Z");
        assert_eq!(
            settled.len(),
            4,
            "{}: settled only without unsettled",
            b.name
        );
        assert_eq!(all.len(), 5);
        outputs.push((b.name, all));
    }
    for pair in outputs.windows(2) {
        assert_eq!(
            pair[0].1, pair[1].1,
            "{} and {} differ",
            pair[0].0, pair[1].0
        );
    }
}

#[tokio::test]
async fn evidence_is_the_oldest_succeeded_moves_of_a_kind() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        with_order(&store, Sandbox, "o-1").await;
        with_order(&store, Production, "o-1").await;
        let now = t0();
        for (gid, minutes) in [("c-3", 30), ("c-1", 10), ("c-2", 20)] {
            let o = observed(Sandbox, "o-1", gid, t0() + Duration::minutes(minutes));
            ledger::upsert_observed(&store, &o, now).await.unwrap();
        }
        let mut refund = observed(Sandbox, "o-1", "r-1", t0());
        (refund.kind, refund.source) = (LedgerKind::Refund, LedgerSource::Poll);
        ledger::upsert_observed(&store, &refund, now).await.unwrap();
        ledger::upsert_observed(&store, &observed(Production, "o-1", "p-1", t0()), now)
            .await
            .unwrap();
        let open = ledger::record_pending(&store, &pending(Sandbox, "o-1", "i", "1"), now)
            .await
            .unwrap();
        assert_eq!(open.state, LedgerState::Pending);

        let got = evidence::succeeded_moves(&store, Sandbox, LedgerKind::Capture, 2)
            .await
            .unwrap();
        let ids: Vec<_> = got.iter().filter_map(|e| e.gateway_id.clone()).collect();
        assert_eq!(
            ids,
            ["c-1", "c-2"],
            "{}: oldest first, at most the limit",
            b.name
        );
        let got = evidence::succeeded_moves(&store, Sandbox, LedgerKind::Capture, 10)
            .await
            .unwrap();
        assert_eq!(got.len(), 3, "the pending capture is no evidence");
        let got = evidence::succeeded_moves(&store, Sandbox, LedgerKind::Refund, 10)
            .await
            .unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].source, LedgerSource::Poll);
        let got = evidence::succeeded_moves(&store, Production, LedgerKind::Cancel, 10)
            .await
            .unwrap();
        assert!(got.is_empty());
    }
}

/// A failed write inside a caller's transaction rolls back only itself (a savepoint), so the
/// transaction goes on — on PostgreSQL too, where an error would otherwise abort it.
#[tokio::test]
async fn a_refused_move_inside_a_transaction_leaves_the_transaction_usable() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        with_order(&store, Sandbox, "o-1").await;
        let mut tx = store.begin().await.unwrap();
        let first = ledger::record_pending(&mut tx, &pending(Sandbox, "o-1", "a", "1"), t0())
            .await
            .unwrap();
        let err = ledger::record_pending(&mut tx, &pending(Sandbox, "nope", "b", "1"), t0())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "store_not_found", "{}: {err:?}", b.name);
        let err = ledger::record_pending(&mut tx, &pending(Sandbox, "o-1", "a", "2"), t0())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "store_conflict");
        ledger::mark_succeeded(&mut tx, first.id, "cap-a", t0())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let stored = ledger::list_for_order(&store, Sandbox, "o-1")
            .await
            .unwrap();
        assert_eq!(stored.len(), 1, "{}", b.name);
        assert_eq!(stored[0].gateway_id.as_deref(), Some("cap-a"));
        assert_eq!(b.scalar("SELECT COUNT(*) FROM ledger_entries").await, 1);
    }
}

/// Writers racing each other (a money move settling while the webhook processor writes) wait
/// for the write lock instead of failing with "database is locked" (SQLite's `BEGIN
/// IMMEDIATE`, PostgreSQL's store-wide advisory lock), and a caller's read-then-write in one
/// transaction is never interleaved with another's: a retried move is started once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_wait_for_the_lock_instead_of_failing() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        with_order(&store, Sandbox, "o-1").await;
        let mut tasks = Vec::new();
        for i in 0..40 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let p = pending(Sandbox, "o-1", &format!("race-{i}"), "1");
                let entry = ledger::record_pending(&store, &p, chrono::Utc::now()).await?;
                // Read-then-write inside one transaction, as mark_succeeded does.
                ledger::mark_succeeded(
                    &store,
                    entry.id,
                    &format!("cap-race-{i}"),
                    chrono::Utc::now(),
                )
                .await?;
                // And a caller's own transaction spanning a read and a write: start the retried
                // move only if no entry holds its reference yet.
                let mut tx = store.begin().await?;
                assert!(ledger::get(&mut tx, entry.id).await?.is_some());
                let retry = format!("retry-{}", i % 5);
                if ledger::by_idempotency_ref(&mut tx, Sandbox, &retry)
                    .await?
                    .is_none()
                {
                    ledger::record_pending(
                        &mut tx,
                        &pending(Sandbox, "o-1", &retry, "1"),
                        chrono::Utc::now(),
                    )
                    .await?;
                }
                tx.commit().await.map_err(|source| StoreError::Query {
                    context: "commit",
                    source,
                })?;
                Ok::<_, StoreError>(())
            }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        assert_eq!(
            b.scalar("SELECT COUNT(*) FROM ledger_entries").await,
            45,
            "40 moves and 5 retried ones, each once"
        );
    }
}

/// One gateway transaction is never claimed by two of our moves, nor by another order's.
#[tokio::test]
async fn a_gateway_id_settles_one_of_our_moves_only() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        with_order(&store, Sandbox, "o-1").await;
        with_order(&store, Sandbox, "o-2").await;
        let first = ledger::record_pending(&store, &pending(Sandbox, "o-1", "a", "1"), t0())
            .await
            .unwrap();
        let second = ledger::record_pending(&store, &pending(Sandbox, "o-1", "b", "1"), t0())
            .await
            .unwrap();
        ledger::mark_succeeded(&store, first.id, "cap-1", t0())
            .await
            .unwrap();
        let err = ledger::mark_succeeded(&store, second.id, "cap-1", t0())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "store_conflict", "{}: {err:?}", b.name);
        ledger::upsert_observed(&store, &observed(Sandbox, "o-2", "cap-2", t0()), t0())
            .await
            .unwrap();
        let err = ledger::mark_succeeded(&store, second.id, "cap-2", t0())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "store_conflict", "another order's capture");
        let again = ledger::get(&store, second.id).await.unwrap().unwrap();
        assert_eq!(
            (again.state, again.gateway_id),
            (LedgerState::Pending, None),
            "{}: a refused settle changes nothing",
            b.name
        );
        assert_eq!(b.scalar("SELECT COUNT(*) FROM ledger_entries").await, 3);
    }
}

//! The transaction ledger on each backend: a fresh SQLite file and a fresh PostgreSQL database.

// Test helpers outside #[test] fns panic on setup failure by design.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use futures::TryStreamExt;
use mizan_core::environment::Environment::{self, Production, Sandbox};
use mizan_core::money::{Currency, Money};
use mizan_core::store::ledger::{
    self, LedgerKind, LedgerSource, LedgerState, Observation, ObservedMove, PendingMove,
};
use mizan_core::store::{Store, StoreError};

use crate::backends::{self, Backend};

pub(crate) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 1, 10, 0, 0).unwrap()
}

pub(crate) fn kwd(text: &str) -> Money {
    Money::parse(text, Currency::Kwd).unwrap()
}

/// Stores order `id` of `env` (authorised 100 KWD, paid in 3 instalments) as a raw row: the
/// ledger's foreign key needs one, and this branch's orders module is not on PostgreSQL yet.
pub(crate) async fn with_order(store: &Store, env: Environment, id: &str) {
    const SQL: &str = "INSERT INTO orders (environment, order_id, order_reference_id,
            order_number, status, payment_type, instalments, currency, total_amount,
            authorised_amount, captured_amount, refunded_amount, canceled_amount, paid_amount,
            created_at, updated_at)
         VALUES ($1, $2, $3, NULL, 'authorised', 'PAY_BY_INSTALMENTS', 3, 'KWD', '100.000',
            '100.000', '0.000', '0.000', '0.000', '0.000', $4, $4)";
    let (env, reference, at) = (env.as_str(), format!("REF-{id}"), t0().to_rfc3339());
    match (store.sqlite_pool(), store.postgres_pool()) {
        (Some(p), _) => sqlx::query(SQL)
            .bind(env)
            .bind(id)
            .bind(&reference)
            .bind(&at)
            .execute(p)
            .await
            .map(|_| ()),
        (_, Some(p)) => sqlx::query(SQL)
            .bind(env)
            .bind(id)
            .bind(&reference)
            .bind(&at)
            .execute(p)
            .await
            .map(|_| ()),
        (None, None) => unreachable!("a store has one pool"),
    }
    .unwrap();
}

pub(crate) fn pending(env: Environment, order_id: &str, idem: &str, amount: &str) -> PendingMove {
    PendingMove {
        environment: env,
        order_id: order_id.to_owned(),
        kind: LedgerKind::Capture,
        amount: kwd(amount),
        idempotency_ref: idem.to_owned(),
        actor: "sara".to_owned(),
        comment: None,
        occurred_at: t0(),
        request_summary: Some("capture 10.005 KWD".to_owned()),
        witness: None,
    }
}

pub(crate) fn observed(
    env: Environment,
    order_id: &str,
    gateway_id: &str,
    at: DateTime<Utc>,
) -> ObservedMove {
    ObservedMove {
        environment: env,
        order_id: order_id.to_owned(),
        kind: LedgerKind::Capture,
        gateway_id: gateway_id.to_owned(),
        amount: kwd("10.005"),
        source: LedgerSource::Webhook,
        actor: "webhook".to_owned(),
        comment: None,
        occurred_at: at,
    }
}

async fn row_count(b: &Backend) -> i64 {
    b.scalar("SELECT COUNT(*) FROM ledger_entries").await
}

#[tokio::test]
async fn a_duplicate_idempotency_ref_is_a_conflict_that_changes_nothing() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        with_order(&store, Sandbox, "o-1").await;
        with_order(&store, Production, "o-1").await;
        let first = ledger::record_pending(
            &store,
            &pending(Sandbox, "o-1", "idem-1", "10.005"),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        assert_eq!(
            (first.state, first.source),
            (LedgerState::Pending, LedgerSource::Api)
        );
        assert_eq!(first.amount, kwd("10.005"));

        let mut retry = pending(Sandbox, "o-1", "idem-1", "99");
        retry.actor = "someone-else".to_owned();
        let err = ledger::record_pending(&store, &retry, chrono::Utc::now())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "store_conflict");
        match err {
            StoreError::DuplicateIdempotencyRef { existing } => assert_eq!(*existing, first),
            other => panic!("expected DuplicateIdempotencyRef, got {other:?}"),
        }
        let stored = ledger::by_idempotency_ref(&store, Sandbox, "idem-1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored, first, "the first entry is not overwritten");
        assert_eq!(row_count(&b).await, 1);

        // The same reference in the other environment is a different move.
        ledger::record_pending(
            &store,
            &pending(Production, "o-1", "idem-1", "1"),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        assert_eq!(row_count(&b).await, 2);
    }
}

#[tokio::test]
async fn pending_moves_settle_once_along_allowed_transitions() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        with_order(&store, Sandbox, "o-1").await;
        let a = ledger::record_pending(
            &store,
            &pending(Sandbox, "o-1", "a", "1"),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        let done = ledger::mark_succeeded(&store, a.id, "cap-a", chrono::Utc::now())
            .await
            .unwrap();
        assert_eq!(done.state, LedgerState::Succeeded);
        assert_eq!(done.gateway_id.as_deref(), Some("cap-a"));
        let again = ledger::mark_succeeded(&store, a.id, "cap-a", chrono::Utc::now())
            .await
            .unwrap();
        assert_eq!(
            again.state,
            LedgerState::Succeeded,
            "settling twice with one id is a no-op"
        );
        let err = ledger::mark_failed(&store, a.id, "late failure", chrono::Utc::now())
            .await
            .unwrap_err();
        assert_eq!(
            err.code(),
            "store_conflict",
            "a succeeded move cannot become failed"
        );

        let b = ledger::record_pending(
            &store,
            &pending(Sandbox, "o-1", "b", "1"),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        let unknown = ledger::mark_unknown(&store, b.id, "timeout after 30 s", chrono::Utc::now())
            .await
            .unwrap();
        assert_eq!(unknown.state, LedgerState::Unknown);
        assert_eq!(unknown.error.as_deref(), Some("timeout after 30 s"));
        let settled = ledger::mark_succeeded(&store, b.id, "cap-b", chrono::Utc::now())
            .await
            .unwrap();
        assert_eq!(
            (settled.state, settled.error),
            (LedgerState::Succeeded, None)
        );

        let c = ledger::record_pending(
            &store,
            &pending(Sandbox, "o-1", "c", "1"),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        let failed = ledger::mark_failed(&store, c.id, "409 not capturable", chrono::Utc::now())
            .await
            .unwrap();
        assert_eq!(failed.state, LedgerState::Failed);
        assert!(
            ledger::mark_unknown(&store, c.id, "x", chrono::Utc::now())
                .await
                .is_err()
        );
        assert!(
            ledger::mark_succeeded(&store, c.id, "cap-c", chrono::Utc::now())
                .await
                .is_err()
        );

        let missing = ledger::mark_failed(&store, 9999, "x", chrono::Utc::now())
            .await
            .unwrap_err();
        assert_eq!(missing.code(), "store_not_found");
    }
}

#[tokio::test]
async fn an_observed_transaction_is_recorded_once() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        with_order(&store, Sandbox, "o-1").await;
        let first = ledger::upsert_observed(
            &store,
            &observed(Sandbox, "o-1", "cap-1", t0()),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        let Observation::Inserted(entry) = &first else {
            panic!("expected Inserted: {first:?}")
        };
        assert_eq!(entry.state, LedgerState::Succeeded);
        let mut repeat = observed(Sandbox, "o-1", "cap-1", t0() + Duration::hours(1));
        repeat.source = LedgerSource::Poll;
        let second = ledger::upsert_observed(&store, &repeat, chrono::Utc::now())
            .await
            .unwrap();
        assert_eq!(
            second,
            Observation::AlreadyKnown(entry.clone()),
            "the stored row is unchanged"
        );
        assert_eq!(
            ledger::list_for_order(&store, Sandbox, "o-1")
                .await
                .unwrap()
                .len(),
            1
        );
    }
}

#[tokio::test]
async fn a_webhook_that_beats_our_response_is_folded_into_our_entry() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        with_order(&store, Sandbox, "o-1").await;
        let ours = ledger::record_pending(
            &store,
            &pending(Sandbox, "o-1", "idem", "10.005"),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        ledger::upsert_observed(
            &store,
            &observed(Sandbox, "o-1", "cap-1", t0()),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        assert_eq!(row_count(&b).await, 2);
        let settled = ledger::mark_succeeded(&store, ours.id, "cap-1", chrono::Utc::now())
            .await
            .unwrap();
        assert_eq!(settled.idempotency_ref.as_deref(), Some("idem"));
        let rows = ledger::list_for_order(&store, Sandbox, "o-1")
            .await
            .unwrap();
        assert_eq!(
            rows,
            vec![settled],
            "one row per gateway transaction, so exports count it once"
        );
    }
}

#[tokio::test]
async fn moves_need_a_stored_order() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let err = ledger::record_pending(
            &store,
            &pending(Sandbox, "nope", "i", "1"),
            chrono::Utc::now(),
        )
        .await
        .unwrap_err();
        assert_eq!(err.code(), "store_not_found", "{err:?}");
        let err = ledger::upsert_observed(
            &store,
            &observed(Sandbox, "nope", "c", t0()),
            chrono::Utc::now(),
        )
        .await
        .unwrap_err();
        assert_eq!(err.code(), "store_not_found", "{err:?}");
        assert_eq!(row_count(&b).await, 0);
    }
}

#[tokio::test]
async fn exports_stream_a_time_window_in_order_within_one_environment() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        with_order(&store, Sandbox, "o-1").await;
        with_order(&store, Production, "o-1").await;
        // Inserted out of time order on purpose.
        for (gid, minutes) in [("c", 30), ("a", 0), ("e", 120), ("b", 10), ("d", 60)] {
            let at = t0() + Duration::minutes(minutes);
            ledger::upsert_observed(
                &store,
                &observed(Sandbox, "o-1", gid, at),
                chrono::Utc::now(),
            )
            .await
            .unwrap();
        }
        ledger::upsert_observed(
            &store,
            &observed(Production, "o-1", "p", t0() + Duration::minutes(5)),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        let rows: Vec<_> = ledger::stream_between(
            &store,
            Sandbox,
            t0() + Duration::minutes(0),
            t0() + Duration::minutes(60),
        )
        .try_collect()
        .await
        .unwrap();
        let ids: Vec<_> = rows.iter().map(|e| e.gateway_id.clone().unwrap()).collect();
        assert_eq!(
            ids,
            ["a", "b", "c"],
            "from inclusive, to exclusive, ordered by time"
        );
    }
}

#[tokio::test]
async fn a_corrupt_ledger_amount_is_reported_not_a_panic() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        with_order(&store, Sandbox, "o-1").await;
        let e = ledger::record_pending(
            &store,
            &pending(Sandbox, "o-1", "i", "1"),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        b.execute("UPDATE ledger_entries SET amount = '1.0001'")
            .await
            .unwrap();
        let err = ledger::get(&store, e.id).await.unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::CorruptRow {
                    table: "ledger_entries",
                    column: "amount",
                    ..
                }
            ),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn the_reconciler_finds_moves_in_doubt() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        with_order(&store, Sandbox, "o-1").await;
        with_order(&store, Production, "o-1").await;
        let a = ledger::record_pending(
            &store,
            &pending(Sandbox, "o-1", "a", "1"),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        let b = ledger::record_pending(
            &store,
            &pending(Sandbox, "o-1", "b", "1"),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        ledger::record_pending(
            &store,
            &pending(Production, "o-1", "c", "1"),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        ledger::mark_unknown(&store, b.id, "timeout", chrono::Utc::now())
            .await
            .unwrap();
        let pend = ledger::list_in_state(&store, Sandbox, LedgerState::Pending, 10)
            .await
            .unwrap();
        assert_eq!(pend.iter().map(|e| e.id).collect::<Vec<_>>(), [a.id]);
        let unk = ledger::list_in_state(&store, Sandbox, LedgerState::Unknown, 10)
            .await
            .unwrap();
        assert_eq!(unk.iter().map(|e| e.id).collect::<Vec<_>>(), [b.id]);
    }
}

#[tokio::test]
async fn a_pending_entry_rolls_back_with_its_transaction() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        with_order(&store, Sandbox, "o-1").await;
        let mut tx = store.begin().await.unwrap();
        ledger::record_pending(
            &mut tx,
            &pending(Sandbox, "o-1", "i", "1"),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        drop(tx);
        assert_eq!(row_count(&b).await, 0, "nothing is written without commit");
        let mut tx = store.begin().await.unwrap();
        ledger::record_pending(
            &mut tx,
            &pending(Sandbox, "o-1", "i", "1"),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(row_count(&b).await, 1);
    }
}

#[test]
fn ledger_texts_round_trip() {
    for kind in LedgerKind::ALL {
        assert_eq!(kind.as_str().parse::<LedgerKind>().unwrap(), *kind);
    }
    let err = "capturee".parse::<LedgerKind>().unwrap_err();
    assert!(err.to_string().contains("capturee"), "{err}");
}

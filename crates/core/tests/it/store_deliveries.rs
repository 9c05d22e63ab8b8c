//! The webhook inbox's rows on each backend: every column round-trips, every way out of the
//! queue and back into it, and concurrent claimers on PostgreSQL never share a delivery.

// Test helpers outside #[test] fns panic on setup failure by design.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, TimeZone, Utc};
use mizan_core::environment::Environment::{self, Production, Sandbox};
use mizan_core::store::deliveries::{
    self, DeliveryVerdict, NewDelivery, ProcessingState, RequestSizes,
};
use mizan_core::store::{Store, StoreError};

use crate::backends;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 9, 8, 30, 15).unwrap() + Duration::nanoseconds(123_456_789)
}

fn delivery(env: Environment, order: &str, verdict: DeliveryVerdict) -> NewDelivery {
    NewDelivery {
        environment: env,
        received_at: t0(),
        method: "POST".to_owned(),
        path: "/webhooks/tamara".to_owned(),
        query: Some("storeId=7&tamaraToken=****wxyz".to_owned()),
        headers_json: r#"{"authorization":"Bearer ****wxyz","x-ünïcode":"ok"}"#.to_owned(),
        body: format!(r#"{{"order_id":"{order}","event_type":"order_approved","amount":10.005}}"#),
        verdict,
        reason: (verdict != DeliveryVerdict::Verified).then(|| "token_expired: old".to_owned()),
        http_status: if verdict == DeliveryVerdict::Verified {
            200
        } else {
            401
        },
        order_id: Some(order.to_owned()),
        event_type: Some("order_approved".to_owned()),
        sender: Some("[2001:db8::7]:443".to_owned()),
        sizes: Some(RequestSizes {
            body: 70,
            headers: 1_234,
            query: 31,
        }),
    }
}

#[tokio::test]
async fn every_column_of_a_delivery_round_trips() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let new = delivery(Production, "o-round", DeliveryVerdict::Verified);
        let id = deliveries::insert(&store, &new).await.unwrap();
        let got = deliveries::get(&store, id).await.unwrap().unwrap();
        assert_eq!(got.id, id);
        assert_eq!(got.environment, Production);
        assert_eq!(got.received_at, new.received_at, "nanoseconds kept");
        assert_eq!(
            (got.method.as_str(), got.path.as_str()),
            ("POST", "/webhooks/tamara")
        );
        assert_eq!(got.query, new.query);
        assert_eq!(got.headers_json, new.headers_json);
        assert_eq!(got.body, new.body, "the body verbatim (10.005 as text)");
        assert_eq!(got.verdict, DeliveryVerdict::Verified);
        assert_eq!(got.reason, None);
        assert_eq!(got.http_status, 200);
        assert_eq!(got.order_id.as_deref(), Some("o-round"));
        assert_eq!(got.event_type.as_deref(), Some("order_approved"));
        assert_eq!(got.processing_state, ProcessingState::Pending);
        assert_eq!(
            (got.processing_result, got.attempts, got.processed_at),
            (None, 0, None)
        );
        assert_eq!(got.sender, new.sender);
        assert_eq!(got.sizes, new.sizes);

        // A refused delivery with neither sender nor sizes (rows older than migration 0006).
        let mut old = delivery(Sandbox, "o-old", DeliveryVerdict::InvalidBody);
        old.sender = None;
        old.sizes = None;
        old.query = None;
        let old_id = deliveries::insert(&store, &old).await.unwrap();
        assert!(old_id > id, "ids count up in arrival order");
        let got = deliveries::get(&store, old_id).await.unwrap().unwrap();
        assert_eq!(got.processing_state, ProcessingState::Skipped);
        assert_eq!(got.reason.as_deref(), Some("token_expired: old"));
        assert_eq!((got.sender, got.sizes, got.query), (None, None, None));
        assert!(
            deliveries::get(&store, old_id + 100)
                .await
                .unwrap()
                .is_none()
        );
    }
}

#[tokio::test]
async fn deliveries_are_skipped_and_reopened_for_replay() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let verified =
            deliveries::insert(&store, &delivery(Sandbox, "o-1", DeliveryVerdict::Verified))
                .await
                .unwrap();
        let refused =
            deliveries::insert(&store, &delivery(Sandbox, "o-2", DeliveryVerdict::Rejected))
                .await
                .unwrap();
        let at = t0() + Duration::seconds(5);
        deliveries::mark_skipped(&store, verified, "set aside by Sara", at)
            .await
            .unwrap();
        let row = deliveries::get(&store, verified).await.unwrap().unwrap();
        assert_eq!(row.processing_state, ProcessingState::Skipped);
        assert_eq!(row.processing_result.as_deref(), Some("set aside by Sara"));
        assert_eq!((row.attempts, row.processed_at), (1, Some(at)));
        assert_eq!(deliveries::backlog_count(&store, None).await.unwrap(), 0);

        let not_failed = deliveries::requeue(&store, verified).await.unwrap_err();
        assert_eq!(not_failed.code(), "store_conflict", "{not_failed}");
        assert!(
            not_failed.to_string().contains("not failed"),
            "{not_failed}"
        );

        deliveries::reopen_for_replay(&store, verified)
            .await
            .unwrap();
        let row = deliveries::get(&store, verified).await.unwrap().unwrap();
        assert_eq!(row.processing_state, ProcessingState::Pending);
        assert_eq!(row.attempts, 1, "the attempt count is kept");
        let next = deliveries::next_unprocessed(&store, None, 10)
            .await
            .unwrap();
        assert_eq!(next.iter().map(|d| d.id).collect::<Vec<_>>(), [verified]);

        let err = deliveries::reopen_for_replay(&store, refused)
            .await
            .unwrap_err();
        assert_eq!(
            err.code(),
            "store_conflict",
            "a refused delivery is never replayed"
        );
        assert!(err.to_string().contains("rejected"), "{err}");
        let err = deliveries::reopen_for_replay(&store, refused + 100)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "store_not_found");
        let err = deliveries::mark_skipped(&store, refused, "x", at)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "store_conflict", "a skipped row is not pending");
    }
}

#[tokio::test]
async fn the_queue_is_per_environment_and_bounded_by_the_limit() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let mut sandbox = Vec::new();
        for i in 0..5 {
            let env = if i == 2 { Production } else { Sandbox };
            let id = deliveries::insert(
                &store,
                &delivery(env, &format!("o-{i}"), DeliveryVerdict::Verified),
            )
            .await
            .unwrap();
            if env == Sandbox {
                sandbox.push(id);
            }
        }
        let ids =
            |rows: Vec<deliveries::WebhookDelivery>| rows.iter().map(|d| d.id).collect::<Vec<_>>();
        assert_eq!(
            ids(deliveries::next_unprocessed(&store, Some(Sandbox), 3)
                .await
                .unwrap()),
            sandbox[..3]
        );
        assert_eq!(
            deliveries::next_unprocessed(&store, None, 10)
                .await
                .unwrap()
                .len(),
            5
        );
        assert_eq!(
            deliveries::backlog_count(&store, Some(Production))
                .await
                .unwrap(),
            1
        );
        // Inside a transaction too (how a claimer reads it).
        let mut tx = store.begin().await.unwrap();
        let in_tx = deliveries::next_unprocessed(&mut tx, Some(Sandbox), 10)
            .await
            .unwrap();
        deliveries::mark_processed(&mut tx, in_tx[0].id, "done", t0())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            ids(deliveries::next_unprocessed(&store, Some(Sandbox), 10)
                .await
                .unwrap()),
            sandbox[1..]
        );
    }
}

/// Two server instances on one PostgreSQL database claim the queue at once, each in its own
/// transaction (plain ones: a `Store::begin` would queue them on the store's write lock): no
/// delivery is claimed twice, none is left behind, each is settled exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_claimers_on_postgres_never_share_a_delivery() {
    let Some(b) = backends::postgres().await else {
        return;
    };
    eprintln!("on {}", b.name);
    let store = b.store.clone();
    let mut all = BTreeSet::new();
    for i in 0..60 {
        let new = delivery(Sandbox, &format!("o-{i}"), DeliveryVerdict::Verified);
        all.insert(deliveries::insert(&store, &new).await.unwrap());
    }

    // First, deterministically: while one transaction holds its claim, the other gets the next
    // rows, not the same ones.
    let pool = store.postgres_pool().expect("a PostgreSQL store");
    let mut first = pool.begin().await.unwrap();
    let mut second = pool.begin().await.unwrap();
    let a = deliveries::next_unprocessed(&mut *first, Some(Sandbox), 3)
        .await
        .unwrap();
    let b2 = deliveries::next_unprocessed(&mut *second, Some(Sandbox), 3)
        .await
        .unwrap();
    let a: Vec<i64> = a.iter().map(|d| d.id).collect();
    let b2: Vec<i64> = b2.iter().map(|d| d.id).collect();
    let ordered: Vec<i64> = all.iter().copied().collect();
    assert_eq!(a, ordered[..3], "the first claimer takes the oldest");
    assert_eq!(
        b2,
        ordered[3..6],
        "the second skips the rows the first holds"
    );
    drop(first);
    drop(second);

    // Then four claimers racing until the queue is empty.
    let claimers: Vec<_> = (0..4)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let pool = store.postgres_pool().expect("a PostgreSQL store");
                let mut mine = Vec::new();
                loop {
                    let mut tx = pool.begin().await.map_err(|source| StoreError::Query {
                        context: "begin claim",
                        source,
                    })?;
                    let rows = deliveries::next_unprocessed(&mut *tx, Some(Sandbox), 4).await?;
                    if rows.is_empty() {
                        return Ok::<_, StoreError>(mine);
                    }
                    for row in rows {
                        deliveries::mark_processed(&mut *tx, row.id, "claimed", t0()).await?;
                        mine.push(row.id);
                    }
                    tx.commit().await.map_err(|source| StoreError::Query {
                        context: "commit claim",
                        source,
                    })?;
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();
    let mut claimed = Vec::new();
    for claimer in claimers {
        claimed.extend(claimer.await.unwrap().unwrap());
    }
    let distinct: BTreeSet<i64> = claimed.iter().copied().collect();
    assert_eq!(
        distinct.len(),
        claimed.len(),
        "a delivery was claimed twice: {claimed:?}"
    );
    assert_eq!(distinct, all, "every delivery claimed");
    for id in all {
        let row = deliveries::get(&store, id).await.unwrap().unwrap();
        assert_eq!(
            (row.processing_state, row.attempts),
            (ProcessingState::Processed, 1)
        );
    }
}

/// Without a claim, two settles of one delivery race: exactly one wins, the other is told.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_settles_of_one_delivery_conflict() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store: Store = b.store.clone();
        let id = deliveries::insert(
            &store,
            &delivery(Sandbox, "o-race", DeliveryVerdict::Verified),
        )
        .await
        .unwrap();
        let settle = |result: &'static str| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut tx = store.begin().await?;
                deliveries::mark_processed(&mut tx, id, result, t0()).await?;
                tx.commit().await.map_err(|source| StoreError::Query {
                    context: "commit settle",
                    source,
                })
            })
        };
        let (one, two) = (settle("first"), settle("second"));
        let outcomes = [one.await.unwrap(), two.await.unwrap()];
        let won = outcomes.iter().filter(|o| o.is_ok()).count();
        assert_eq!(won, 1, "{outcomes:?}");
        let lost = outcomes.iter().find_map(|o| o.as_ref().err()).unwrap();
        assert_eq!(lost.code(), "store_conflict", "{lost}");
        let row = deliveries::get(&store, id).await.unwrap().unwrap();
        assert_eq!(row.attempts, 1);
    }
}

//! The inbox's retention: refused deliveries go after their window, settled ones after theirs,
//! and a verified delivery that still has work to do stays whatever its age — on each backend;
//! the service's own pruning on the console's SQLite store.

// Test helpers outside #[test] fns panic on setup failure by design.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use chrono::{DateTime, Utc};
use mizan_core::environment::Environment::Sandbox;
use mizan_core::service::{RunningService, ServiceConfig};
use mizan_core::store::Store;
use mizan_core::store::deliveries::{self, DeliveryVerdict, NewDelivery};
use mizan_core::store::delivery_retention::{self, Pruned};

use crate::{backends, common};

fn days(n: i64) -> chrono::Duration {
    chrono::Duration::days(n)
}

fn delivery(verdict: DeliveryVerdict, received_at: DateTime<Utc>, order: &str) -> NewDelivery {
    NewDelivery {
        environment: Sandbox,
        received_at,
        method: "POST".into(),
        path: "/webhooks/tamara".into(),
        query: None,
        headers_json: "{}".into(),
        body: "{}".into(),
        verdict,
        reason: None,
        http_status: 200,
        order_id: Some(order.into()),
        event_type: Some("order_approved".into()),
        sender: None,
        sizes: None,
    }
}

async fn insert(store: &Store, verdict: DeliveryVerdict, at: DateTime<Utc>, order: &str) -> i64 {
    deliveries::insert(store, &delivery(verdict, at, order))
        .await
        .unwrap()
}

#[tokio::test]
async fn prune_removes_old_refused_and_old_settled_deliveries_and_keeps_unfinished_ones() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let now = Utc::now();
        use DeliveryVerdict::{InvalidBody, Rejected, Verified};
        let old_refused = insert(&store, Rejected, now - days(10), "r-old").await;
        let new_refused = insert(&store, Rejected, now - days(1), "r-new").await;
        let old_processed = insert(&store, Verified, now - days(200), "p-old").await;
        deliveries::mark_processed(&store, old_processed, "ok", now - days(100))
            .await
            .unwrap();
        // Arrived long ago, settled recently: its window runs from the settling.
        let late_processed = insert(&store, Verified, now - days(200), "p-late").await;
        deliveries::mark_processed(&store, late_processed, "ok", now - days(5))
            .await
            .unwrap();
        let old_pending = insert(&store, Verified, now - days(365), "v-pending").await;
        let old_failed = insert(&store, Verified, now - days(365), "v-failed").await;
        deliveries::mark_failed(&store, old_failed, "boom", now - days(300))
            .await
            .unwrap();
        let old_unreadable = insert(&store, InvalidBody, now - days(100), "b-old").await;
        // The processed key names the old delivery: the key stays, the link goes. (Written by
        // hand: the store's processed-event keys have tests of their own.)
        b.execute(
            "INSERT INTO processed_events (environment, order_id, event_type, sub_id, delivery_id,
                claimed_at)
             SELECT 'sandbox', 'p-old', 'order_approved', '', id, received_at
             FROM webhook_deliveries WHERE order_id = 'p-old'",
        )
        .await
        .unwrap();

        // A dispute event received through the old delivery: it stays, without the link.
        b.execute(
            "INSERT INTO dispute_events (environment, delivery_id, event_type, recognised,
                received_at, body)
             SELECT 'sandbox', id, 'dispute_created', FALSE, received_at, '{}'
             FROM webhook_deliveries WHERE order_id = 'p-old'",
        )
        .await
        .unwrap();

        let pruned = delivery_retention::prune(&store, now - days(7), now - days(90))
            .await
            .unwrap();
        assert_eq!(
            pruned,
            Pruned {
                rejected: 1,
                settled: 2
            }
        );
        assert_eq!(
            b.scalar("SELECT COUNT(*) FROM dispute_events WHERE delivery_id IS NULL")
                .await,
            1,
            "the dispute event survives its delivery"
        );
        for gone in [old_refused, old_processed, old_unreadable] {
            assert!(
                deliveries::get(&store, gone).await.unwrap().is_none(),
                "{gone} pruned"
            );
        }
        for kept in [new_refused, late_processed, old_pending, old_failed] {
            assert!(
                deliveries::get(&store, kept).await.unwrap().is_some(),
                "{kept} kept"
            );
        }
        assert_eq!(
            b.scalar(
                "SELECT COUNT(*) FROM processed_events
                 WHERE order_id = 'p-old' AND delivery_id IS NULL"
            )
            .await,
            1,
            "the key survives its delivery"
        );
    }
}

/// More than one batch of old rows goes, batch after batch, and nothing else with it.
#[tokio::test]
async fn prune_goes_through_more_than_one_batch() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        b.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1203)
             INSERT INTO webhook_deliveries (environment, received_at, method, path, query,
                headers_json, body, verdict, reason, http_status, order_id, event_type,
                processing_state, attempts)
             SELECT 'sandbox', '2020-01-01T00:00:00.000000000Z', 'POST', '/webhooks/tamara',
                NULL, '{}', '{}', 'rejected', 'token_missing', 401, NULL, NULL, 'skipped', 0
             FROM n",
        )
        .await
        .unwrap();
        let now = Utc::now();
        let young = insert(&store, DeliveryVerdict::Rejected, now, "r-young").await;
        let pruned = delivery_retention::prune(&store, now - days(7), now - days(90))
            .await
            .unwrap();
        assert_eq!(
            pruned,
            Pruned {
                rejected: 1203,
                settled: 0
            }
        );
        assert_eq!(b.scalar("SELECT COUNT(*) FROM webhook_deliveries").await, 1);
        assert!(deliveries::get(&store, young).await.unwrap().is_some());
    }
}

/// The running service prunes by the configured windows, without being asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_prunes_the_inbox_by_the_configured_retention() {
    let dir = tempfile::tempdir().unwrap();
    let console = common::console(dir.path(), &[("MIZAN_RETENTION_REJECTED_DAYS", "2")]).await;
    let now = Utc::now();
    let old = insert(
        console.store(),
        DeliveryVerdict::Rejected,
        now - days(3),
        "r-3",
    )
    .await;
    let young = insert(
        console.store(),
        DeliveryVerdict::Rejected,
        now - days(1),
        "r-1",
    )
    .await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = ServiceConfig {
        reconcile_every: None,
        registration_check_every: None,
        prune_every: Some(Duration::from_millis(50)),
        ..ServiceConfig::default()
    };
    let service = RunningService::start(console.clone(), listener, config).unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while deliveries::get(console.store(), old)
        .await
        .unwrap()
        .is_some()
    {
        assert!(tokio::time::Instant::now() < deadline, "not pruned in 10 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        deliveries::get(console.store(), young)
            .await
            .unwrap()
            .is_some()
    );
    service.stop().await.unwrap();
}

//! The webhook inbox's writer (group commit): on SQLite its thread and own connection, on
//! PostgreSQL its task on the store's pool; read back through sqlx pools. The log's
//! checkpoints are SQLite's alone.

// Test helpers outside #[test] fns panic on setup failure by design.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use chrono::{TimeZone, Utc};
use mizan_core::environment::Environment::Sandbox;
use mizan_core::store::deliveries::{self, DeliveryVerdict, NewDelivery, ProcessingState};
use mizan_core::store::inbox::{CHECKPOINT_EVERY, InboxWriter};
use mizan_core::store::{Store, StoreError};

use crate::backends;

async fn open_temp() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("mizan.db")).await.unwrap();
    (dir, store)
}

fn delivery(i: usize, verdict: DeliveryVerdict) -> NewDelivery {
    NewDelivery {
        environment: Sandbox,
        received_at: Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap()
            + chrono::Duration::milliseconds(i64::try_from(i).unwrap()),
        method: "POST".to_owned(),
        path: "/webhooks/tamara".to_owned(),
        query: Some("tamaraToken=****1234".to_owned()),
        headers_json: r#"{"authorization":"****1234"}"#.to_owned(),
        body: format!(r#"{{"order_id":"o-{i}","event_type":"order_approved","amount":10.005}}"#),
        verdict,
        reason: (verdict != DeliveryVerdict::Verified).then(|| "token_expired: expired".to_owned()),
        http_status: if verdict == DeliveryVerdict::Verified {
            200
        } else {
            401
        },
        order_id: Some(format!("o-{i}")),
        event_type: Some("order_approved".to_owned()),
        sender: None,
        sizes: None,
    }
}

fn verdict_of(i: usize) -> DeliveryVerdict {
    if i.is_multiple_of(7) {
        DeliveryVerdict::Rejected
    } else {
        DeliveryVerdict::Verified
    }
}

async fn count(store: &Store) -> i64 {
    let sql = "SELECT COUNT(*) FROM webhook_deliveries";
    match (store.sqlite_pool(), store.postgres_pool()) {
        (Some(p), _) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        (_, Some(p)) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        (None, None) => unreachable!("a store has one pool"),
    }
}

/// A second store on the same database: another pool on SQLite's file, another pool on
/// PostgreSQL's database (what it reads is committed, not buffered).
async fn other_store(store: &Store) -> Store {
    match (store.sqlite_pool(), store.postgres_pool()) {
        (Some(p), _) => Store::open(p.connect_options().get_filename())
            .await
            .unwrap(),
        (_, Some(p)) => {
            let options = (*p.connect_options()).clone();
            let url = format!(
                "postgres://{}@{}:{}/{}",
                options.get_username(),
                options.get_host(),
                options.get_port(),
                options.get_database().unwrap()
            );
            Store::connect_postgres(&url).await.unwrap()
        }
        (None, None) => unreachable!("a store has one pool"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_deliveries_each_get_the_id_of_their_own_row() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        // An earlier row through the pool, so the writer's ids do not start at 1.
        deliveries::insert(&store, &delivery(0, DeliveryVerdict::Verified))
            .await
            .unwrap();
        let writer = InboxWriter::start(&store).unwrap();
        let tasks: Vec<_> = (1..=60)
            .map(|i| {
                let writer = writer.clone();
                tokio::spawn(async move { (i, writer.insert(delivery(i, verdict_of(i))).await) })
            })
            .collect();
        let mut ids = Vec::new();
        let other = other_store(&store).await;
        for task in tasks {
            let (i, id) = task.await.unwrap();
            let id = id.unwrap();
            let row = deliveries::get(&other, id).await.unwrap().unwrap();
            let sent = delivery(i, verdict_of(i));
            assert_eq!(row.order_id, sent.order_id, "row {id} answers request {i}");
            assert_eq!(row.body, sent.body, "the exact body (10.005 kept as text)");
            assert_eq!(row.received_at, sent.received_at);
            assert_eq!(row.headers_json, sent.headers_json);
            assert_eq!(row.reason, sent.reason);
            let state = if verdict_of(i) == DeliveryVerdict::Verified {
                ProcessingState::Pending
            } else {
                ProcessingState::Skipped
            };
            assert_eq!(row.processing_state, state, "row {id}");
            ids.push(id);
        }
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 60, "sixty distinct rows");
        assert_eq!(
            b.scalar("SELECT COUNT(*) FROM webhook_deliveries").await,
            61
        );
        other.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_the_database_refuses_is_refused_alone_and_its_group_is_stored() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        // A row the database refuses: the trigger stands in for a full disk or a damaged page.
        if store.is_postgres() {
            b.execute(
                "CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN
                   IF NEW.order_id = 'o-5' THEN RAISE EXCEPTION 'poisoned row'; END IF;
                   RETURN NEW;
                 END $$",
            )
            .await
            .unwrap();
            b.execute(
                "CREATE TRIGGER poison BEFORE INSERT ON webhook_deliveries
                 FOR EACH ROW EXECUTE FUNCTION poison()",
            )
            .await
            .unwrap();
        } else {
            b.execute(
                "CREATE TRIGGER poison BEFORE INSERT ON webhook_deliveries
                 WHEN NEW.order_id = 'o-5' BEGIN SELECT RAISE(ABORT, 'poisoned row'); END",
            )
            .await
            .unwrap();
        }
        let writer = InboxWriter::start(&store).unwrap();
        // Hold back the writer so the requests queue up and travel in one group with the
        // poison: SQLite's writer waits for the store's write lock; PostgreSQL's inserts wait
        // for a lock on the table.
        let held_sqlite = match store.sqlite_pool() {
            Some(_) => Some(store.begin().await.unwrap()),
            None => None,
        };
        let held_postgres = match store.postgres_pool() {
            Some(pool) => {
                let mut tx = pool.begin().await.unwrap();
                sqlx::query("LOCK TABLE webhook_deliveries IN SHARE MODE")
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                Some(tx)
            }
            None => None,
        };
        let tasks: Vec<_> = (1..=12)
            .map(|i| {
                let writer = writer.clone();
                tokio::spawn(async move {
                    (
                        i,
                        writer.insert(delivery(i, DeliveryVerdict::Verified)).await,
                    )
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(100)).await;
        if let Some(held) = held_sqlite {
            held.commit().await.unwrap();
        }
        if let Some(held) = held_postgres {
            held.commit().await.unwrap();
        }
        for task in tasks {
            let (i, stored) = task.await.unwrap();
            if i == 5 {
                let err = stored.unwrap_err();
                assert_eq!(err.code(), "store_query", "{err}");
                assert!(err.to_string().contains("insert delivery"), "{err}");
            } else {
                let id = stored.unwrap();
                let row = deliveries::get(&store, id).await.unwrap().unwrap();
                assert_eq!(row.order_id.as_deref(), Some(format!("o-{i}").as_str()));
            }
        }
        assert_eq!(
            b.scalar("SELECT COUNT(*) FROM webhook_deliveries").await,
            11,
            "every row but the poisoned one"
        );
    }
}

#[tokio::test]
async fn the_inbox_refuses_once_the_console_store_is_closed() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let other = other_store(&store).await;
        let writer = InboxWriter::start(&store).unwrap();
        writer
            .insert(delivery(1, DeliveryVerdict::Verified))
            .await
            .unwrap();
        store.close().await;
        let err = writer
            .insert(delivery(2, DeliveryVerdict::Verified))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Closed { .. }), "{err:?}");
        assert_eq!(err.code(), "store_closed");
        assert_eq!(count(&other).await, 1, "nothing stored after the close");
        other.close().await;
    }
}

#[tokio::test]
async fn the_inbox_writes_reach_the_database_file_by_checkpoint() {
    let (dir, store) = open_temp().await;
    let file = dir.path().join("mizan.db");
    let writer = InboxWriter::start(&store).unwrap();
    let started = std::time::Instant::now();
    let before = std::fs::metadata(&file).unwrap().len();
    // The file is compared only while the checkpoint task cannot have run yet (its first turn
    // is CHECKPOINT_EVERY after the start), so a slow or busy machine cannot fail it.
    let mut unchecked = 0;
    for i in 1..=200 {
        writer
            .insert(delivery(i, DeliveryVerdict::Verified))
            .await
            .unwrap();
        if started.elapsed() < CHECKPOINT_EVERY / 2 {
            assert_eq!(
                std::fs::metadata(&file).unwrap().len(),
                before,
                "the writer's own commits only append to the WAL (after {i} rows)"
            );
        } else {
            unchecked += 1;
        }
    }
    assert!(
        unchecked < 200,
        "not one row was written in time to compare the file"
    );
    tokio::time::sleep(CHECKPOINT_EVERY * 3).await;
    let after = std::fs::metadata(&file).unwrap().len();
    assert!(
        after > before + 100 * 1024 / 10,
        "the checkpoint copied the rows into the file: {before} -> {after} bytes"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storm_overwrites_the_log_in_place_instead_of_growing_it() {
    const TASKS: usize = 32;
    const EACH: usize = 400;
    let (dir, store) = open_temp().await;
    let wal = dir.path().join("mizan.db-wal");
    let writer = InboxWriter::start(&store).unwrap();
    let padding = "x".repeat(2048);
    let tasks: Vec<_> = (0..TASKS)
        .map(|t| {
            let writer = writer.clone();
            let padding = padding.clone();
            tokio::spawn(async move {
                for i in 0..EACH {
                    let mut d = delivery(t * EACH + i, DeliveryVerdict::Verified);
                    d.body.push_str(&padding);
                    writer.insert(d).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let written = TASKS * EACH * padding.len();
    let log = std::fs::metadata(&wal).unwrap().len();
    // Restarting at 1000 frames of 4 KiB (plus the group that crossed it) keeps the log near
    // 4 MiB; appending for the whole storm would leave it over 26 MB.
    assert!(
        log < 8 * 1024 * 1024,
        "{written} bytes of deliveries left a {log}-byte log: it grew instead of starting over"
    );
    assert_eq!(count(&store).await, i64::try_from(TASKS * EACH).unwrap());
}

/// On PostgreSQL the deliveries that queue up during a commit travel in one transaction: the
/// rows of one group share the transaction id that wrote them (`xmin`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_commits_the_queued_deliveries_in_one_transaction() {
    let Some(b) = backends::postgres().await else {
        return;
    };
    eprintln!("on {}", b.name);
    let store = b.store.clone();
    let writer = InboxWriter::start(&store).unwrap();
    // The first insert waits on the table lock; the rest queue behind it meanwhile.
    let pool = store.postgres_pool().unwrap();
    let mut held = pool.begin().await.unwrap();
    sqlx::query("LOCK TABLE webhook_deliveries IN SHARE MODE")
        .execute(&mut *held)
        .await
        .unwrap();
    let tasks: Vec<_> = (1..=12)
        .map(|i| {
            let writer = writer.clone();
            tokio::spawn(async move { writer.insert(delivery(i, DeliveryVerdict::Verified)).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    held.commit().await.unwrap();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(
        b.scalar("SELECT COUNT(*) FROM webhook_deliveries").await,
        12
    );
    let transactions = b
        .scalar("SELECT COUNT(DISTINCT xmin::text) FROM webhook_deliveries")
        .await;
    assert!(
        transactions <= 3,
        "twelve queued deliveries took {transactions} transactions"
    );
}

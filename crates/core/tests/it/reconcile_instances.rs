//! One reconciler tick at a time across the instances of a team server: two consoles on one
//! PostgreSQL database (two pools, as two `mizan serve` processes) tick at once against the
//! real simulator; one reads the due orders, the other skips its tick — the simulator counts
//! one tick's calls, and every order is authorised once. On SQLite the lock is always granted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use mizan_core::Console;
use mizan_core::reconcile::Reconciler;
use mizan_core::store::locks::Exclusive;
use mizan_core::store::{Store, watch};
use mizan_pgtest::TempCluster;
use serde_json::{Value, json};

use crate::common;
use crate::processor_concurrency::{approved_at_once, authorised, authorised_once};

const ORDERS: u64 = 4;

async fn calls(api: &str) -> u64 {
    let v: Value = reqwest::get(format!("{api}/_sandbox/calls"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["total"].as_u64().unwrap()
}

/// A console on the database at `url`, its sandbox moved to the simulator at `api`.
async fn instance(dir: &std::path::Path, url: &str, api: &str) -> Console {
    let mut config = common::config(dir, &[("MIZAN_DATABASE_URL", url)]);
    config.sandbox.api_url = api.to_owned();
    Console::open(config).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_ticking_at_once_one_reads_the_other_skips() {
    let Some(cluster) = TempCluster::shared().expect("the PostgreSQL test cluster") else {
        eprintln!("PostgreSQL is not installed: skipped");
        return;
    };
    let url = tokio::task::spawn_blocking(move || cluster.create_database("reconcile_instances"))
        .await
        .unwrap()
        .unwrap();
    let sim = tamara_sandbox::spawn(Default::default(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let api = sim.base_url();
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let first = instance(dirs[0].path(), &url, &api).await;
    let second = instance(dirs[1].path(), &url, &api).await;
    // Approved at Tamara with no webhook: only a reconciler can authorise them. Every call
    // answers late, so the winner's tick is still running when the other tries.
    let stall = json!({"stall_ms": 200, "stall_count": 10_000});
    let ids = approved_at_once(&first, &api, 25, ORDERS, stall).await;
    for id in &ids {
        let ago = first.now() - chrono::Duration::hours(1);
        watch::backdate(first.store(), first.environment(), id, ago, None)
            .await
            .unwrap();
    }

    let before = calls(&api).await;
    let (one, two) = (
        Reconciler::new(first.clone()),
        Reconciler::new(second.clone()),
    );
    let (a, b) = tokio::join!(one.tick_exclusive(), two.tick_exclusive());
    let spent = calls(&api).await - before;
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(
        a.is_some() != b.is_some(),
        "one ticks, one skips: {a:?} {b:?}"
    );
    let ticked = a.or(b).unwrap();
    assert_eq!(ticked.checked, ORDERS as usize, "{ticked:?}");
    // Each order read, authorised and re-read, by one instance only.
    assert_eq!(spent, 3 * ORDERS, "{ticked:?}");
    assert_eq!(authorised(&first, &ids).await, ids.len());
    authorised_once(&first, &ids).await;

    // The lock went with the tick: the next one, by either, runs.
    let again = Reconciler::new(second.clone())
        .tick_exclusive()
        .await
        .unwrap();
    assert!(again.is_some());
    first.store().close().await;
    second.store().close().await;
}

#[tokio::test]
async fn on_sqlite_the_lock_is_always_granted() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("mizan.db")).await.unwrap();
    let one = store
        .try_exclusive(Exclusive::ReconcilerTick)
        .await
        .unwrap();
    let two = store
        .try_exclusive(Exclusive::ReconcilerTick)
        .await
        .unwrap();
    assert!(one.is_some() && two.is_some());
}

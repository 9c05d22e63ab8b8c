//! The running service's audit guard over a real store file: it adopts an unsigned chain at
//! start, signs the head as entries come, and names a chain edited behind its back.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use mizan_core::audit::checkpoint::{self, EVERY};
use mizan_core::audit::{self, AuditRecord, ChainBreak, KeySource, guard};
use mizan_core::{Console, Environment};
use sqlx::Connection as _;

use crate::common;

async fn record(console: &Console, i: i64) {
    audit::record(
        console.store(),
        AuditRecord {
            env: Environment::Sandbox,
            actor: "ops".into(),
            action: "capture".into(),
            subject: format!("order-{i}"),
            request_summary: None,
            result: "succeeded".into(),
        },
        chrono::Utc::now(),
    )
    .await
    .unwrap();
}

async fn reasons(console: &Console) -> Vec<String> {
    checkpoint::list(console.store())
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.reason)
        .collect()
}

async fn until(console: &Console, wanted: &[&str]) -> Vec<String> {
    for _ in 0..200 {
        let r = reasons(console).await;
        if r == wanted {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    reasons(console).await
}

/// The guard over `console` with a key file in `dir`, looking every 50 ms: its stop switch,
/// the break it reports, and its task.
fn start(
    console: &Console,
    dir: &std::path::Path,
) -> (
    tokio::sync::watch::Sender<bool>,
    tokio::sync::watch::Receiver<Option<ChainBreak>>,
    tokio::task::JoinHandle<()>,
) {
    let (keys, _) = KeySource::File(dir.join("audit.key"))
        .load_or_create()
        .unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let (found_tx, found) = tokio::sync::watch::channel(None);
    let every = Duration::from_millis(50);
    let task = tokio::spawn(guard::run(
        (**console).clone(),
        keys,
        every,
        stopped,
        found_tx,
    ));
    (stop, found, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guard_adopts_at_start_then_signs_as_entries_come() {
    let dir = tempfile::tempdir().unwrap();
    let console = common::console(dir.path(), &[]).await;
    for i in 1..=3 {
        record(&console, i).await;
    }
    let (stop, found, task) = start(&console, dir.path());

    assert_eq!(until(&console, &["adopt"]).await, ["adopt"]);
    for i in 4..=3 + EVERY {
        record(&console, i).await;
    }
    assert_eq!(
        until(&console, &["adopt", "periodic"]).await,
        ["adopt", "periodic"]
    );
    assert!(found.borrow().is_none());
    stop.send(true).unwrap();
    task.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guard_names_an_edited_chain_and_signs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let console = common::console(dir.path(), &[]).await;
    for i in 1..=5 {
        record(&console, i).await;
    }
    let url = format!("sqlite://{}", dir.path().join("mizan.db").display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    for sql in [
        "DROP TRIGGER audit_log_no_update",
        "UPDATE audit_log SET result = 'failed' WHERE seq = 4",
    ] {
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    }
    conn.close().await.unwrap();
    let (stop, mut found, task) = start(&console, dir.path());
    let b = tokio::time::timeout(Duration::from_secs(10), found.wait_for(Option::is_some))
        .await
        .unwrap()
        .unwrap()
        .clone()
        .unwrap();
    assert_eq!((b.seq, b.kind()), (4, "edited"));
    assert!(
        reasons(&console).await.is_empty(),
        "a broken chain is never adopted"
    );
    stop.send(true).unwrap();
    task.await.unwrap();
}

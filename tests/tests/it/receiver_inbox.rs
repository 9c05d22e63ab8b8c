//! The receiver's inbox writer (group commit) over real HTTP and a real SQLite file: many
//! concurrent deliveries are each stored exactly once before their 200, and when the inbox
//! cannot be written every request is answered 503, never 200.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::sync::Arc;

use mizan_core::store::deliveries::{self, DeliveryFilter, DeliveryVerdict};
use mizan_core::webhooks::{ReceiverState, router};
use mizan_scenarios::{NOTIFICATION_TOKEN, console, sandbox};
use serde_json::Value;
use tamara::Sensitive;
use tamara::notification::sign_token;
use tokio::sync::Notify;

/// A receiver (no processor: rows stay pending) on loopback over a fresh console.
async fn receiver(seed: u64) -> (String, mizan_core::Console, tempfile::TempDir) {
    let sb = sandbox(seed).await;
    let dir = tempfile::tempdir().unwrap();
    let console = console(&sb.base_url(), dir.path()).await;
    let state = ReceiverState::new(console.clone(), Arc::new(Notify::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks/tamara", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(
            listener,
            router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap()
    });
    (url, console, dir)
}

fn body(i: usize) -> String {
    format!(
        r#"{{"order_id":"order-{i}","order_reference_id":"R-{i}","event_type":"order_captured",
            "data":{{"capture_id":"cap-{i}","captured_amount":{{"amount":10.00,"currency":"SAR"}}}}}}"#
    )
}

async fn post(http: &reqwest::Client, url: &str, token: &str, i: usize) -> (u16, Value) {
    let r = http
        .post(format!("{url}?tamaraToken={token}"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body(i))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

fn token() -> String {
    sign_token(
        &Sensitive::new(NOTIFICATION_TOKEN.to_owned()),
        chrono::Utc::now().timestamp(),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_deliveries_are_each_stored_once_before_their_200() {
    let (url, console, _dir) = receiver(41).await;
    let http = reqwest::Client::new();
    let token = token();
    let answers = futures_join(
        (0..64)
            .map(|i| {
                let (http, url, token) = (http.clone(), url.clone(), token.clone());
                tokio::spawn(async move { post(&http, &url, &token, i).await })
            })
            .collect(),
    )
    .await;
    let mut ids = BTreeSet::new();
    let mut id_of = std::collections::HashMap::new();
    for (i, (status, v)) in answers.iter().enumerate() {
        assert_eq!(*status, 200, "{v}");
        let id = v["delivery_id"].as_i64().unwrap();
        ids.insert(id);
        id_of.insert(id, i);
    }
    assert_eq!(ids.len(), 64, "every request got its own row");
    let filter = DeliveryFilter {
        limit: Some(500),
        ..DeliveryFilter::default()
    };
    let rows = deliveries::list(console.store(), &filter).await.unwrap();
    assert_eq!(rows.len(), 64);
    let stored: BTreeSet<i64> = rows.iter().map(|r| r.id).collect();
    assert_eq!(
        stored, ids,
        "each answered id is the row holding that delivery"
    );
    for row in &rows {
        assert_eq!(row.verdict, DeliveryVerdict::Verified);
        let i = id_of[&row.id];
        assert_eq!(
            row.body,
            body(i),
            "the id answered to request {i} is the row holding its body"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unwritable_inbox_answers_503_and_never_200() {
    let (url, console, _dir) = receiver(42).await;
    let http = reqwest::Client::new();
    let token = token();
    // The writer starts with the first delivery; close the store after it has.
    assert_eq!(post(&http, &url, &token, 0).await.0, 200);
    console.store().close().await;
    for i in 1..4 {
        let (status, v) = post(&http, &url, &token, i).await;
        assert_eq!(status, 503, "{v}");
        assert_eq!(v["error"], "inbox_unavailable");
    }
}

async fn futures_join(tasks: Vec<tokio::task::JoinHandle<(u16, Value)>>) -> Vec<(u16, Value)> {
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_is_checkpointed_into_the_database_file_in_the_background() {
    let (url, _console, dir) = receiver(43).await;
    let db = dir.path().join("mizan.db");
    let before = std::fs::metadata(&db).unwrap().len();
    // ~3 MiB of deliveries: under SQLite's own checkpoint threshold (1,000 pages of WAL), and
    // the inbox connection runs none of its own, so only the receiver's background
    // checkpoints can bring these rows into the database file while it runs.
    let http = reqwest::Client::new();
    let token = token();
    let note = "x".repeat(8_000);
    let mut tasks = Vec::new();
    for worker in 0..8 {
        let (http, url, token, note) = (http.clone(), url.clone(), token.clone(), note.clone());
        tasks.push(tokio::spawn(async move {
            for i in (worker..400).step_by(8) {
                let body = body(i).replacen('{', &format!(r#"{{"note":"{note}","#), 1);
                let r = http
                    .post(format!("{url}?tamaraToken={token}"))
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status().as_u16(), 200);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let wal = dir.path().join("mizan.db-wal");
    let mut grown = 0;
    for _ in 0..50 {
        grown = std::fs::metadata(&db).unwrap().len().saturating_sub(before);
        if grown >= 2 * 1024 * 1024 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        grown >= 2 * 1024 * 1024,
        "the database file grew by {grown} bytes (WAL {} bytes): the inbox was not checkpointed",
        std::fs::metadata(&wal).map_or(0, |m| m.len())
    );
}

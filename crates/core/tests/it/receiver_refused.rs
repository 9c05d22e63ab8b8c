//! What the receiver keeps of requests it refuses: a bounded record (sizes, sender, samples),
//! never the request — and past a per-address burst, nothing at all (429); verified deliveries
//! are still stored in full and never limited.

// Test helpers outside #[test] fns panic on setup failure by design.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use chrono::Utc;
use mizan_core::Console;
use mizan_core::store::deliveries::{self, DeliveryFilter, DeliveryVerdict, WebhookDelivery};
use mizan_core::webhooks::{ReceiverState, RefusalLimit, router};
use tamara::Sensitive;
use tamara::notification::sign_token;
use tokio::sync::Notify;

use crate::common;

const KEY: &str = "receiver-refused-notification-key";

/// A console with a notification token and its receiver on loopback; the webhook URL.
async fn receiver(dir: &std::path::Path) -> (Console, String) {
    let console = common::console(dir, &[("MIZAN_SANDBOX_NOTIFICATION_TOKEN", KEY)]).await;
    let state = ReceiverState::new(console.clone(), Arc::new(Notify::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks/tamara", listener.local_addr().unwrap());
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (console, url)
}

async fn only_row(console: &Console) -> WebhookDelivery {
    let rows = deliveries::list(console.store(), &DeliveryFilter::default())
        .await
        .unwrap();
    let [row] = rows.as_slice() else {
        panic!("one delivery stored: {rows:#?}")
    };
    row.clone()
}

/// The measured attack: no token, a 250 KB body, a 60 KB header and a 60 KB query (the client library refuses 64 KB). The row
/// keeps the sizes, the sender and samples of about 512 bytes each — not 370 KB.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_delivery_keeps_a_bounded_record_not_the_request() {
    let dir = tempfile::tempdir().unwrap();
    let (console, url) = receiver(dir.path()).await;
    let body = format!("{{\"pad\":\"{}\"}}", "b".repeat(250 * 1024 - 12));
    let header = "h".repeat(60 * 1024);
    // A forged token in the query: even its sample must be masked.
    let forged = format!("eyJ.forged.{}", "s".repeat(40));
    let query = format!("tamaraToken={forged}&pad={}", "q".repeat(60 * 1024));
    let answer = reqwest::Client::new()
        .post(format!("{url}?{query}"))
        .header("x-padding", &header)
        .header("x-api-key", "k-live-0d9e8f7a6b5c-secret")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 401);

    let row = only_row(&console).await;
    assert_eq!(row.verdict, DeliveryVerdict::Rejected);
    assert!(
        row.reason.as_deref().unwrap().starts_with("token_"),
        "{row:?}"
    );
    let sizes = row.sizes.expect("sizes recorded");
    assert_eq!(sizes.body, body.len() as u64);
    assert_eq!(sizes.query, query.len() as u64);
    assert!(sizes.headers > 60 * 1024, "{sizes:?}");
    assert!(
        row.sender.as_deref().unwrap().starts_with("127.0.0.1:"),
        "{:?}",
        row.sender
    );
    assert!(
        row.body.len() <= 520,
        "body sample {} bytes",
        row.body.len()
    );
    assert!(row.body.starts_with("{\"pad\":\"bbb"), "{}", row.body);
    let stored_query = row.query.unwrap();
    assert!(
        stored_query.len() <= 520,
        "query sample {}",
        stored_query.len()
    );
    assert!(!stored_query.contains("forged"), "{stored_query}");
    assert!(
        stored_query.starts_with("tamaraToken=****"),
        "{stored_query}"
    );
    assert!(
        row.headers_json.len() <= 1024,
        "headers sample {}",
        row.headers_json.len()
    );
    assert!(
        !row.headers_json.contains("0d9e8f7a"),
        "{}",
        row.headers_json
    );
    let headers: serde_json::Value = serde_json::from_str(&row.headers_json).unwrap();
    assert!(headers.is_object(), "{headers}");
}

/// The bounded record is for strangers only: a signed delivery is kept byte for byte, with
/// its sizes and sender beside it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verified_delivery_is_still_stored_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let (console, url) = receiver(dir.path()).await;
    let token = sign_token(&Sensitive::new(KEY.to_owned()), Utc::now().timestamp()).unwrap();
    let body = format!(
        r#"{{"order_id":"o-full","order_reference_id":"R-1","event_type":"order_approved","data":[],"note":"{}"}}"#,
        "n".repeat(4096)
    );
    let answer = reqwest::Client::new()
        .post(format!("{url}?tamaraToken={token}"))
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer.status().as_u16(),
        200,
        "{}",
        answer.text().await.unwrap()
    );
    let row = only_row(&console).await;
    assert_eq!(row.verdict, DeliveryVerdict::Verified);
    assert_eq!(row.body, body);
    assert_eq!(row.sizes.unwrap().body, body.len() as u64);
    assert!(row.sender.unwrap().starts_with("127.0.0.1:"));
}

/// A flood of unsigned requests from one address: past the burst each is answered 429, stored
/// nowhere and counted; a signed delivery from the same address is still stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_requests_past_the_burst_are_429_unstored_and_counted_but_signed_ones_pass() {
    let dir = tempfile::tempdir().unwrap();
    let console = common::console(dir.path(), &[("MIZAN_SANDBOX_NOTIFICATION_TOKEN", KEY)]).await;
    let slow = NonZeroU32::new(1).unwrap();
    let state = ReceiverState::new(console.clone(), Arc::new(Notify::new())).with_refusal_limit(
        RefusalLimit {
            burst: NonZeroU32::new(3).unwrap(),
            per_second: slow,
        },
    );
    let counters = state.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks/tamara", listener.local_addr().unwrap());
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let http = reqwest::Client::new();
    let mut statuses = Vec::new();
    for _ in 0..10 {
        let answer = http.post(&url).body("{}").send().await.unwrap();
        statuses.push(answer.status().as_u16());
    }
    assert_eq!(&statuses[..3], &[401, 401, 401], "{statuses:?}");
    assert!(statuses[3..].iter().all(|s| *s == 429), "{statuses:?}");
    assert_eq!(counters.rate_limited(), 7);
    let stored = deliveries::list(console.store(), &DeliveryFilter::default())
        .await
        .unwrap();
    assert_eq!(stored.len(), 3, "only the burst is stored");

    let token = sign_token(&Sensitive::new(KEY.to_owned()), Utc::now().timestamp()).unwrap();
    let answer = http
        .post(format!("{url}?tamaraToken={token}"))
        .body(r#"{"order_id":"o-lim","order_reference_id":"R-1","event_type":"order_approved","data":[]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer.status().as_u16(),
        200,
        "verified deliveries are never limited"
    );
    assert_eq!(counters.rate_limited(), 7);
}

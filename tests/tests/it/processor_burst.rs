//! The inbox under load and shared: a burst of deliveries over real HTTP acknowledged and
//! processed while it arrives (~200 a second, far above any merchant's traffic); two
//! processors racing on one inbox; deliveries found by the merchant's reference.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use mizan_core::store::deliveries::{self, DeliveryFilter, ProcessingState};
use mizan_core::webhooks::{Processor, ProcessorConfig, ReceiverState, router};
use mizan_scenarios::{NOTIFICATION_TOKEN, approve, checkout_request, client, console, sandbox};
use tamara::Sensitive;
use tamara::notification::sign_token;
use tokio::sync::{Notify, watch};

/// Deliveries not yet settled by the processor.
async fn pending(console: &mizan_core::Console) -> usize {
    let n = deliveries::backlog_count(console.store(), None)
        .await
        .unwrap();
    usize::try_from(n).unwrap()
}

/// Stores a verified delivery of `event` about `order_id`, as the receiver would.
async fn verified(
    console: &mizan_core::Console,
    at: chrono::DateTime<chrono::Utc>,
    order_id: &str,
    event: &str,
    body: String,
) {
    deliveries::insert(
        console.store(),
        &deliveries::NewDelivery {
            environment: mizan_core::Environment::Sandbox,
            received_at: at,
            method: "POST".into(),
            path: "/webhooks/tamara".into(),
            query: None,
            headers_json: "{}".into(),
            body,
            verdict: deliveries::DeliveryVerdict::Verified,
            reason: None,
            http_status: 200,
            order_id: Some(order_id.to_owned()),
            event_type: Some(event.into()),
            sender: None,
            sizes: None,
        },
    )
    .await
    .unwrap();
}

/// A console over a fresh data directory and the simulator, with one approved order.
async fn approved_order(
    seed: u64,
    reference: &str,
) -> (
    tamara_sandbox::SandboxHandle,
    mizan_core::Console,
    tempfile::TempDir,
    String,
) {
    let sb = sandbox(seed).await;
    let dir = tempfile::tempdir().unwrap();
    let console = console(&sb.base_url(), dir.path()).await;
    let order_id = client(&sb.base_url())
        .create_checkout(&checkout_request(reference))
        .await
        .unwrap()
        .value
        .order_id;
    approve(&sb.base_url(), &order_id).await;
    (sb, console, dir, order_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_is_acknowledged_and_processed_while_it_arrives() {
    let (_sb, console, _dir, order_id) = approved_order(57, "STORM-1").await;

    let wake = Arc::new(Notify::new());
    let state = ReceiverState::new(console.clone(), wake.clone());
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
    let (stop, stopped) = watch::channel(false);
    let config = ProcessorConfig {
        idle_interval: Duration::from_millis(50),
        ..ProcessorConfig::default()
    };
    Processor::new(console.clone(), wake, config).spawn(stopped);

    let http = reqwest::Client::new();
    let token = sign_token(
        &Sensitive::new(NOTIFICATION_TOKEN.to_owned()),
        chrono::Utc::now().timestamp(),
    )
    .unwrap();
    let mut tick = tokio::time::interval(Duration::from_millis(5));
    let started = tokio::time::Instant::now();
    let mut sent = 0usize;
    while started.elapsed() < Duration::from_millis(1500) {
        tick.tick().await;
        let body = format!(
            r#"{{"order_id":"{order_id}","order_reference_id":"STORM-1","event_type":"order_captured",
                "data":{{"capture_id":"cap-{sent}","captured_amount":{{"amount":1.00,"currency":"SAR"}}}}}}"#
        );
        let status = http
            .post(format!("{url}?tamaraToken={token}"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status.as_u16(), 200, "delivery {sent} not acknowledged");
        sent += 1;
    }
    assert!(
        sent >= 100,
        "the burst was too thin to test anything: {sent} sent"
    );

    // Every delivery is processed while the processor runs beside the receiver.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        let left = pending(&console).await;
        if left == 0 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{left} of {sent} deliveries still pending 120 s after the burst"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let all = DeliveryFilter {
        limit: Some(10_000),
        ..DeliveryFilter::default()
    };
    let rows = deliveries::list(console.store(), &all).await.unwrap();
    assert_eq!(rows.len(), sent);
    assert!(
        rows.iter()
            .all(|d| d.processing_state == ProcessingState::Processed),
        "not every delivery was processed: {:?}",
        rows.iter()
            .filter(|d| d.processing_state != ProcessingState::Processed)
            .map(|d| (d.id, d.processing_result.clone()))
            .take(3)
            .collect::<Vec<_>>()
    );
    let _ = stop.send(true);
}

/// Two processors on one inbox (the desktop's and a rehearsal's, or `mizan serve` and the
/// desktop on one data directory) race for the same rows: neither reports an error for a row
/// the other settled, every row is settled once, and each event takes effect once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processors_on_one_inbox_settle_each_row_once_without_errors() {
    let (_sb, console, _dir, order_id) = approved_order(58, "RACE-1").await;
    let now = chrono::Utc::now();
    for i in 0..40 {
        // Each event twice, as Tamara's retries deliver it.
        let event = if i % 2 == 0 {
            "order_approved"
        } else {
            "order_authorised"
        };
        let body = format!(
            r#"{{"order_id":"{order_id}","order_reference_id":"RACE-1","event_type":"{event}","data":[]}}"#
        );
        verified(&console, now, &order_id, event, body).await;
    }
    let config = ProcessorConfig {
        batch: 8,
        ..ProcessorConfig::default()
    };
    let one = Processor::new(console.clone(), Arc::new(Notify::new()), config.clone());
    let two = Processor::new(console.clone(), Arc::new(Notify::new()), config);
    for _ in 0..50 {
        let (a, b) = tokio::join!(one.run_once(), two.run_once());
        a.unwrap();
        b.unwrap();
        if pending(&console).await == 0 {
            break;
        }
    }
    assert_eq!(pending(&console).await, 0);
    let all = DeliveryFilter {
        limit: Some(1_000),
        ..DeliveryFilter::default()
    };
    let rows = deliveries::list(console.store(), &all).await.unwrap();
    let processed = rows
        .iter()
        .filter(|d| d.processing_state == ProcessingState::Processed)
        .count();
    assert_eq!(processed, 2, "one per distinct event: {rows:?}");
    assert!(
        rows.iter()
            .all(|d| d.processing_state != ProcessingState::Failed)
    );
    let audit = mizan_core::audit::recent(console.store(), None, None, 1_000)
        .await
        .unwrap();
    let per_row = audit
        .iter()
        .filter(|e| e.action.starts_with("webhook."))
        .count();
    assert_eq!(per_row, rows.len(), "one audit entry per settled row");
}

/// People look deliveries up by the reference they know; deliveries are filed under Tamara's
/// id. A cached order's reference finds its deliveries; an unknown text finds none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_are_found_by_the_merchant_reference() {
    let sb = sandbox(59).await;
    let dir = tempfile::tempdir().unwrap();
    let console = console(&sb.base_url(), dir.path()).await;
    let created = console
        .create_checkout(&checkout_request("FIND-ME-7"))
        .await
        .unwrap();
    let order_id = created.response.value.order_id;
    for event in ["order_approved", "order_authorised"] {
        verified(&console, chrono::Utc::now(), &order_id, event, "{}".into()).await;
    }
    let find = |named: &str| DeliveryFilter {
        order_id: Some(named.to_owned()),
        ..DeliveryFilter::default()
    };
    let by_ref = mizan_core::webhooks::deliveries(&console, &find(" FIND-ME-7 "))
        .await
        .unwrap();
    assert_eq!(by_ref.len(), 2);
    let by_id = mizan_core::webhooks::deliveries(&console, &find(&order_id))
        .await
        .unwrap();
    assert_eq!(by_id.len(), 2);
    let none = mizan_core::webhooks::deliveries(&console, &find("FIND-ME"))
        .await
        .unwrap();
    assert!(none.is_empty(), "a part of a reference is not a reference");
}

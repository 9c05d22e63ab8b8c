#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use super::*;
use crate::Console;
use crate::config::ConsoleConfig;
use crate::store::deliveries::NewDelivery;

/// The stored reason is `<code>: <message>`, after the failed call's step, exactly as it
/// was when reasons were built as strings (the UI and `mizan webhooks deliveries` show it).
#[test]
fn a_failure_reads_as_its_code_and_message_after_the_step() {
    let open = || GatewayError::CircuitOpen {
        env: crate::Environment::Sandbox,
        retry_after_secs: 7,
    };
    let paused = open().to_string();
    let cases = [
        (
            ProcessingFailure::Core(Error::ReceiverNotRunning),
            ErrorCode::ReceiverUnavailable,
            format!("receiver_unavailable: {}", Error::ReceiverNotRunning),
        ),
        (
            ProcessingFailure::Reread(open()),
            ErrorCode::GatewayCircuitOpen,
            format!("re-read failed: gateway_circuit_open: {paused}"),
        ),
        (
            ProcessingFailure::Authorise(open()),
            ErrorCode::GatewayCircuitOpen,
            format!("authorise failed: gateway_circuit_open: {paused}"),
        ),
    ];
    for (failure, code, text) in cases {
        assert_eq!(failure.code(), code);
        assert_eq!(failure.to_string(), text);
    }
}

/// Regression: a shutdown first seen between two rows of a batch used to leave the loop
/// polling a spent fused future, so the processor (and `mizan serve` after SIGTERM) never
/// stopped while deliveries were waiting.
#[tokio::test]
async fn a_shutdown_seen_inside_a_batch_stops_the_loop() {
    let dir = tempfile::tempdir().unwrap();
    let vars: HashMap<String, String> = [
        ("MIZAN_DATA_DIR", dir.path().display().to_string()),
        // Nothing listens there: no row may be processed once the shutdown is seen.
        ("MIZAN_SANDBOX_API_URL", "http://127.0.0.1:9".to_owned()),
        ("MIZAN_SANDBOX_API_TOKEN", "t".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let console = Console::open(ConsoleConfig::from_vars(&vars).unwrap())
        .await
        .unwrap();
    let body = r#"{"order_id":"o-1","event_type":"order_approved","data":[]}"#;
    let id = deliveries::insert(
        console.store(),
        &NewDelivery {
            environment: console.environment(),
            received_at: chrono::Utc::now(),
            method: "POST".into(),
            path: "/webhooks/tamara".into(),
            query: None,
            headers_json: "{}".into(),
            body: body.into(),
            verdict: DeliveryVerdict::Verified,
            reason: None,
            http_status: 200,
            order_id: Some("o-1".into()),
            event_type: Some("order_approved".into()),
            sender: None,
            sizes: None,
        },
    )
    .await
    .unwrap();
    let processor = Processor::new(
        console.clone(),
        Arc::new(Notify::new()),
        ProcessorConfig::default(),
    );
    // Already complete: `run_batch` sees it before the pending row and returns.
    tokio::time::timeout(
        Duration::from_secs(10),
        processor.run(std::future::ready(())),
    )
    .await
    .expect("the processor did not stop");
    let rows = deliveries::list(console.store(), &DeliveryFilter::default())
        .await
        .unwrap();
    assert_eq!(rows[0].id, id);
    assert_eq!(rows[0].processing_state, ProcessingState::Pending);
}

//! Retries and the circuit breaker against the real simulator: a 5xx storm opens the breaker
//! (calls then fail fast without reaching Tamara), it recovers through a half-open probe,
//! a short burst is absorbed by read retries, and a POST is never repeated.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use mizan_core::Console;
use mizan_core::gateway::{
    BreakerConfig, BudgetConfig, CircuitState, ResilienceConfig, RetryPolicy,
};
use mizan_scenarios::{approve, checkout_request, console, sandbox};
use serde_json::{Value, json};

async fn resilient_console(base_url: &str, dir: &std::path::Path) -> Console {
    console(base_url, dir)
        .await
        .with_resilience(ResilienceConfig {
            retry: RetryPolicy {
                max_attempts: 2,
                base_delay: Duration::from_millis(5),
                max_delay: Duration::from_millis(20),
            },
            breaker: BreakerConfig {
                failure_threshold: 3,
                cooldown: Duration::from_millis(300),
            },
            budget: BudgetConfig::default(),
        })
}

async fn faults(base_url: &str, body: Value) {
    let r = reqwest::Client::new()
        .post(format!("{base_url}/_sandbox/faults/api"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
}

async fn clear_faults(base_url: &str) {
    reqwest::Client::new()
        .delete(format!("{base_url}/_sandbox/faults"))
        .send()
        .await
        .unwrap();
}

/// Injected 5xx answers not yet consumed by API calls.
async fn faults_left(base_url: &str) -> u64 {
    let v: Value = reqwest::get(format!("{base_url}/_sandbox/faults"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["api"]["count"].as_u64().unwrap()
}

#[tokio::test]
async fn a_5xx_storm_opens_the_breaker_and_it_recovers() {
    let sb = sandbox(41).await;
    let url = sb.base_url();
    let dir = tempfile::tempdir().unwrap();
    let console = resilient_console(&url, dir.path()).await;
    let created = console
        .create_checkout(&checkout_request("RES-1"))
        .await
        .unwrap();
    let id = created.response.value.order_id.clone();

    faults(&url, json!({"status": 503, "count": 20})).await;
    let e = console.fetch_order(&id).await.unwrap_err();
    assert_eq!(e.code(), "gateway_unavailable");
    assert_eq!(faults_left(&url).await, 18, "a read is tried twice");
    assert_eq!(console.breaker_state().state, CircuitState::Closed);

    // The third consecutive failure opens the circuit; the retry is refused without a call.
    let e = console.fetch_order(&id).await.unwrap_err();
    assert_eq!(e.code(), "gateway_circuit_open");
    assert_eq!(faults_left(&url).await, 17);
    let s = console.breaker_state();
    assert_eq!(s.state, CircuitState::Open);
    assert_eq!(s.consecutive_failures, 3);

    // While open: fail fast, nothing reaches the simulator, writes included.
    for _ in 0..5 {
        let e = console.fetch_order(&id).await.unwrap_err();
        assert_eq!(e.code(), "gateway_circuit_open");
    }
    let e = console.gateway().unwrap().authorise(&id).await.unwrap_err();
    assert_eq!(e.code(), "gateway_circuit_open");
    assert!(!e.is_ambiguous(), "a refused call was never sent");
    assert_eq!(faults_left(&url).await, 17);

    // Tamara recovers; after the cooldown one probe goes through and closes the circuit.
    clear_faults(&url).await;
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(console.breaker_state().state, CircuitState::HalfOpen);
    let fetched = console.fetch_order(&id).await.unwrap();
    assert_eq!(fetched.order.status, "new");
    let s = console.breaker_state();
    assert_eq!(s.state, CircuitState::Closed);
    assert_eq!(s.consecutive_failures, 0);
    assert_eq!(s.times_opened, 1);

    // The transitions were recorded for `mizan status` in other processes.
    let recorded = mizan_core::store::settings::get(
        console.store(),
        mizan_core::store::settings::SettingScope::Env(console.environment()),
        mizan_core::gateway::BREAKER_SETTING,
    )
    .await
    .unwrap()
    .unwrap();
    assert!(recorded.contains("\"closed\""), "{recorded}");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_failed_probe_reopens_the_circuit() {
    let sb = sandbox(42).await;
    let url = sb.base_url();
    let dir = tempfile::tempdir().unwrap();
    let console = resilient_console(&url, dir.path()).await;
    faults(&url, json!({"status": 502, "count": 10})).await;
    for _ in 0..2 {
        let _ = console
            .fetch_order("00000000-0000-0000-0000-000000000000")
            .await;
    }
    assert_eq!(console.breaker_state().state, CircuitState::Open);
    let left = faults_left(&url).await;
    tokio::time::sleep(Duration::from_millis(350)).await;
    let e = console
        .fetch_order("00000000-0000-0000-0000-000000000000")
        .await
        .unwrap_err();
    assert_eq!(
        e.code(),
        "gateway_circuit_open",
        "probe failed, retry refused"
    );
    assert_eq!(faults_left(&url).await, left - 1, "exactly one probe");
    let s = console.breaker_state();
    assert_eq!(s.state, CircuitState::Open);
    assert_eq!(s.times_opened, 2);
    sb.shutdown().await;
}

#[tokio::test]
async fn reads_retry_through_a_short_burst() {
    let sb = sandbox(43).await;
    let url = sb.base_url();
    let dir = tempfile::tempdir().unwrap();
    let console = resilient_console(&url, dir.path()).await;
    let created = console
        .create_checkout(&checkout_request("RES-2"))
        .await
        .unwrap();
    let id = created.response.value.order_id.clone();
    faults(&url, json!({"status": 503, "count": 1})).await;
    let fetched = console.fetch_order(&id).await.unwrap();
    assert_eq!(fetched.order.order_id, id);
    assert_eq!(faults_left(&url).await, 0);
    let s = console.breaker_state();
    assert_eq!(s.state, CircuitState::Closed);
    assert_eq!(s.consecutive_failures, 0, "the success reset the count");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_post_is_never_retried() {
    let sb = sandbox(44).await;
    let url = sb.base_url();
    let dir = tempfile::tempdir().unwrap();
    let console = resilient_console(&url, dir.path()).await;
    let created = console
        .create_checkout(&checkout_request("RES-3"))
        .await
        .unwrap();
    let id = created.response.value.order_id.clone();
    approve(&url, &id).await;

    faults(&url, json!({"status": 503, "count": 1})).await;
    let e = console.gateway().unwrap().authorise(&id).await.unwrap_err();
    assert_eq!(e.code(), "gateway_unavailable");
    assert!(e.is_ambiguous(), "a 5xx on a POST may have taken effect");
    assert_eq!(faults_left(&url).await, 0, "one call consumed the fault");
    // Had the POST been repeated, the second call would have authorised the order.
    let reread = console.fetch_order(&id).await.unwrap();
    assert_eq!(reread.order.status, "approved");
    sb.shutdown().await;
}

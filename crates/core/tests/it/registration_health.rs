//! Registration health against the real simulator: a webhook present as recorded, gone at
//! Tamara, changed at Tamara, and silence — orders changing with no verified delivery — on the
//! console's own clock.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use mizan_core::clock::ManualClock;
use mizan_core::store::deliveries::DeliveryVerdict;
use mizan_core::store::orders;
use mizan_core::webhooks::registration::{self, order_request};
use mizan_core::webhooks::registration_health::{self, RegistrationState};
use mizan_core::{Console, Environment};
use serde_json::json;

use crate::common;

const MIN: Duration = Duration::from_secs(60);

async fn setup() -> (
    tamara_sandbox::SandboxHandle,
    Console,
    Arc<ManualClock>,
    tempfile::TempDir,
) {
    let sim = tamara_sandbox::spawn(Default::default(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = common::config(dir.path(), &[]);
    config.sandbox.api_url = sim.base_url();
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let console = Console::open(config)
        .await
        .unwrap()
        .with_clock(clock.clone());
    (sim, console, clock, dir)
}

async fn register(console: &Console, url: &str) -> String {
    let req = order_request(
        url,
        &["order_approved".into(), "order_captured".into()],
        Default::default(),
    )
    .unwrap();
    registration::register(console, &req, true)
        .await
        .unwrap()
        .registration
        .webhook_id
}

fn state(h: &registration_health::RegistrationHealth, id: &str) -> RegistrationState {
    h.registrations
        .iter()
        .find(|r| r.webhook_id == id)
        .unwrap()
        .state
        .clone()
}

#[tokio::test]
async fn present_gone_and_changed_registrations_are_told_apart() {
    let (sim, console, _clock, _dir) = setup().await;
    let kept = register(&console, "http://127.0.0.1:9/kept").await;
    let gone = register(&console, "http://127.0.0.1:9/gone").await;
    let changed = register(&console, "http://127.0.0.1:9/changed").await;
    let h = registration_health::check(&console).await.unwrap();
    assert!(h.is_healthy(), "{h:?}");

    let http = reqwest::Client::new();
    let token = "sandbox-api-token";
    http.delete(format!("{}/webhooks/{gone}", sim.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let r = http
        .put(format!("{}/webhooks/{changed}", sim.base_url()))
        .bearer_auth(token)
        .json(&json!({"url": "https://elsewhere.example/h", "events": ["order_approved"]}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());

    let h = registration_health::check(&console).await.unwrap();
    assert_eq!(state(&h, &kept), RegistrationState::Present);
    assert_eq!(state(&h, &gone), RegistrationState::Missing);
    let RegistrationState::Differs { what } = state(&h, &changed) else {
        panic!("{h:?}")
    };
    assert!(
        what.iter().any(|w| w.contains("elsewhere.example")),
        "{what:?}"
    );
    assert!(
        what.iter().any(|w| w.contains("order_captured")),
        "{what:?}"
    );
    assert!(!h.is_healthy());
    assert_eq!(h.problems().len(), 2, "{:?}", h.problems());
    assert_eq!(
        registration_health::last(&console).await.unwrap(),
        Some(h),
        "kept for status"
    );

    // Tamara not answering is unknown, never "missing".
    http.post(format!("{}/_sandbox/faults/api", sim.base_url()))
        .json(&json!({"status": 503, "count": 50}))
        .send()
        .await
        .unwrap();
    let h = registration_health::check(&console).await.unwrap();
    assert!(
        matches!(state(&h, &kept), RegistrationState::Unknown { .. }),
        "{h:?}"
    );
    sim.shutdown().await;
}

async fn delivered(console: &Console, at: DateTime<Utc>) {
    let verified = DeliveryVerdict::Verified;
    common::stored_delivery(console, at, verified, None, Some("order_approved")).await;
}

#[tokio::test]
async fn silence_is_orders_changing_with_no_verified_delivery_after_the_grace() {
    let (sim, console, clock, _dir) = setup().await;
    register(&console, "http://127.0.0.1:9/quiet").await;
    let created = tamara_checkout(&console).await;
    clock.advance(16 * MIN);
    approve(&sim, &created).await;
    console.fetch_order(&created).await.unwrap();
    let h = registration_health::check(&console).await.unwrap();
    assert!(
        h.silence.is_none(),
        "a change younger than the grace is not silence: {h:?}"
    );

    clock.advance(16 * MIN);
    let h = registration_health::check(&console).await.unwrap();
    let s = h.silence.clone().expect("silence");
    assert_eq!((s.last_verified_at, s.orders_changed), (None, 1));
    assert!(
        h.problems()[0].contains("no verified delivery yet"),
        "{:?}",
        h.problems()
    );

    // A verified delivery after the change ends the silence.
    delivered(&console, console.now()).await;
    let h = registration_health::check(&console).await.unwrap();
    assert!(h.silence.is_none(), "{h:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_reread_that_changes_nothing_keeps_the_change_time() {
    let (sim, console, clock, _dir) = setup().await;
    let id = tamara_checkout(&console).await;
    let first = console.fetch_order(&id).await.unwrap().order.updated_at;
    clock.advance(5 * MIN);
    console.fetch_order(&id).await.unwrap();
    let again = orders::get(console.store(), Environment::Sandbox, &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.updated_at, first, "nothing changed");
    assert!(again.last_synced_at > Some(first), "but it was read again");
    clock.advance(5 * MIN);
    approve(&sim, &id).await;
    let changed = console.fetch_order(&id).await.unwrap().order.updated_at;
    assert_eq!(changed, console.now(), "a real change moves it");
    sim.shutdown().await;
}

/// A new order at the simulator (cached on creation), from the reference's checkout request.
async fn tamara_checkout(console: &Console) -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/reference/checkout_request.json"
    );
    let mut req: tamara::model::checkout::CheckoutRequest =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    req.order_reference_id = format!("HEALTH-{}", uuid::Uuid::new_v4());
    req.order_number = None;
    console
        .create_checkout(&req)
        .await
        .unwrap()
        .response
        .value
        .order_id
}

/// The customer approves at Tamara.
async fn approve(sim: &tamara_sandbox::SandboxHandle, order_id: &str) {
    let r = reqwest::Client::new()
        .post(format!(
            "{}/_sandbox/orders/{order_id}/approve",
            sim.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
}

#[tokio::test]
async fn a_secret_in_the_webhook_url_stays_at_tamara_and_the_registration_stays_healthy() {
    let (sim, console, _clock, dir) = setup().await;
    let secret = "shop-check-9f2c77e1d4a0b6";
    let id = register(
        &console,
        &format!("http://127.0.0.1:9/hook?shop=7&key={secret}"),
    )
    .await;

    let h = registration_health::check(&console).await.unwrap();
    assert_eq!(state(&h, &id), RegistrationState::Present, "{h:?}");
    let listed = registration::list(&console).await.unwrap();
    let shown = listed.iter().find(|w| w.webhook_id == id).unwrap();
    let local_url = &shown.local.as_ref().unwrap().url;
    let tail = &secret[secret.len() - 4..];
    assert!(
        local_url.ends_with(&format!("?shop=7&key=****{tail}")),
        "{local_url}"
    );
    assert_eq!(
        shown.remote.as_ref().unwrap().url.as_deref(),
        Some(local_url.as_str())
    );

    // Nowhere in the database files (WAL included).
    drop(listed);
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!found, "the URL's secret is in {}", path.display());
        }
    }
    sim.shutdown().await;
}

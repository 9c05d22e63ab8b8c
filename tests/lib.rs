//! Shared fixtures for the cross-crate scenarios under `tests/tests/`: a simulator on a free
//! loopback port and a console over a fresh SQLite file pointed at it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test support: a broken fixture should panic

use std::collections::HashMap;

use mizan_core::Console;
use mizan_core::config::ConsoleConfig;
use tamara::{ClientConfig, Sensitive, TamaraClient};
use tamara_sandbox::{SandboxConfig, SandboxHandle};

pub const API_TOKEN: &str = "scenario-api-token-0001";
pub const NOTIFICATION_TOKEN: &str = "scenario-notification-token-0001";

/// A simulator with scenario tokens and a fixed seed, on 127.0.0.1:0.
pub async fn sandbox(seed: u64) -> SandboxHandle {
    sandbox_with(seed, SandboxConfig::default()).await
}

/// A simulator with this crate's tokens and `seed`, the rest of its configuration from `base`.
pub async fn sandbox_with(seed: u64, base: SandboxConfig) -> SandboxHandle {
    let config = SandboxConfig {
        api_tokens: vec![API_TOKEN.to_owned()],
        notification_token: NOTIFICATION_TOKEN.to_owned(),
        seed: Some(seed),
        ..base
    };
    tamara_sandbox::spawn(config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

pub fn client(base_url: &str) -> TamaraClient {
    TamaraClient::new(ClientConfig::new(
        base_url,
        Sensitive::new(API_TOKEN.to_owned()),
    ))
    .unwrap()
}

/// A console on a fresh data directory, configured (as a user would, by environment
/// variables) to talk to `base_url` in the sandbox environment.
pub async fn console(base_url: &str, data_dir: &std::path::Path) -> Console {
    console_with(base_url, data_dir, &[]).await
}

/// [`console`] with more variables (`MIZAN_SANDBOX_DISPUTES_PATH`, …).
pub async fn console_with(
    base_url: &str,
    data_dir: &std::path::Path,
    more: &[(&str, String)],
) -> Console {
    let vars: HashMap<String, String> = [
        ("MIZAN_DATA_DIR", data_dir.display().to_string()),
        ("MIZAN_SANDBOX_API_URL", base_url.to_owned()),
        ("MIZAN_SANDBOX_API_TOKEN", API_TOKEN.to_owned()),
        (
            "MIZAN_SANDBOX_NOTIFICATION_TOKEN",
            NOTIFICATION_TOKEN.to_owned(),
        ),
    ]
    .into_iter()
    .chain(more.iter().map(|(k, v)| (*k, v.clone())))
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    Console::open(ConsoleConfig::from_vars(&vars).unwrap())
        .await
        .unwrap()
}

/// The reference's own checkout example with a fresh reference.
pub fn checkout_request(reference: &str) -> tamara::model::checkout::CheckoutRequest {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/reference/checkout_request.json"
    );
    let mut req: tamara::model::checkout::CheckoutRequest =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    req.order_reference_id = reference.to_owned();
    req.order_number = None;
    req
}

/// Plays the customer: approves the order through the simulator's control endpoint.
pub async fn approve(base_url: &str, order_id: &str) {
    let resp = reqwest::Client::new()
        .post(format!("{base_url}/_sandbox/orders/{order_id}/approve"))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "approve: {}", resp.status());
}

/// A capture of `sar_amount` SAR of `order_id`, shipped with a fixed carrier and date.
pub fn capture_request(
    order_id: &str,
    sar_amount: &str,
) -> tamara::model::payments::CaptureRequest {
    tamara::model::payments::CaptureRequest {
        order_id: order_id.to_owned(),
        total_amount: tamara::Money::parse(sar_amount, tamara::Currency::Sar).unwrap(),
        shipping_info: tamara::model::payments::ShippingInfo {
            shipped_at: "2026-11-20T10:00:00Z".into(),
            shipping_company: "SMSA".into(),
            tracking_number: Some("SM123".into()),
            tracking_url: None,
        },
        items: vec![],
        shipping_amount: None,
        tax_amount: None,
        discount_amount: None,
    }
}
pub mod fidelity;
pub mod pipeline;

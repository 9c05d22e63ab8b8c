//! Hosted checkout page, customer redirects, seed reproducibility, reset and the CLI config.
// Test helpers outside #[test] fns panic on purpose: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use clap::Parser;
use common::*;
use serde_json::json;

async fn checkout(sb: &Sb) -> (String, String, String) {
    let (_, v) = sb
        .post("/checkout", checkout_body("460.00", "SAR", "SA"))
        .await;
    (
        v["order_id"].as_str().unwrap().to_owned(),
        v["checkout_id"].as_str().unwrap().to_owned(),
        v["checkout_url"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn hosted_page_buttons_redirect_with_status() {
    let sb = start().await;
    let (order_id, checkout_id, url) = checkout(&sb).await;
    // The page needs no API token (it is what the customer's browser opens).
    let page = sb.http.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for needle in [
        "WEB-100234",
        "460.00",
        "Desk lamp",
        "/approve",
        "/decline",
        "/cancel",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    // Payment types still routes to the API, not to the page.
    let (s, v) = sb.get("/checkout/payment-types?country=SA").await;
    assert_eq!(s, 200);
    assert!(v.is_array());

    let post = |action: &str| {
        sb.http
            .post(format!(
                "{}/_sandbox/checkout/{checkout_id}/{action}",
                sb.base
            ))
            .send()
    };
    let r = post("cancel").await.unwrap();
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        loc,
        format!(
            "https://shop.example.test/tamara/cancel?orderId={order_id}&paymentStatus=canceled"
        )
    );
    assert_eq!(sb.status_of(&order_id).await, "expired");
    let r = post("approve").await.unwrap();
    assert_eq!(r.status(), 409, "an expired checkout cannot be approved");

    let (order_id, checkout_id, _) = checkout(&sb).await;
    let r = sb
        .http
        .post(format!(
            "{}/_sandbox/checkout/{checkout_id}/approve",
            sb.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap();
    assert!(loc.starts_with("https://shop.example.test/tamara/ok?"));
    assert!(loc.contains(&format!("orderId={order_id}")) && loc.contains("paymentStatus=approved"));
    assert_eq!(sb.status_of(&order_id).await, "approved");

    let (order_id, checkout_id, _) = checkout(&sb).await;
    let r = sb
        .http
        .post(format!(
            "{}/_sandbox/checkout/{checkout_id}/decline",
            sb.base
        ))
        .send()
        .await
        .unwrap();
    let loc = r.headers()["location"].to_str().unwrap();
    assert!(
        loc.starts_with("https://shop.example.test/tamara/fail?")
            && loc.contains("paymentStatus=declined")
    );
    assert_eq!(sb.status_of(&order_id).await, "declined");

    let r = sb
        .http
        .get(format!("{}/checkout/{}", sb.base, uuid::Uuid::nil()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn hosted_cancel_emits_order_expired() {
    let sb = start().await;
    let rx = Receiver::start().await;
    register(&sb, &rx.url("/h"), &ALL_EVENTS).await;
    let (_, checkout_id, _) = checkout(&sb).await;
    sb.http
        .post(format!(
            "{}/_sandbox/checkout/{checkout_id}/cancel",
            sb.base
        ))
        .send()
        .await
        .unwrap();
    rx.wait_for(1).await;
    assert_eq!(rx.events(), ["order_expired"]);
}

async fn script(sb: &Sb) -> Vec<String> {
    let mut ids = Vec::new();
    let rx_url = "https://hooks.example/x";
    let (_, w) = sb
        .post(
            "/webhooks",
            json!({"url": rx_url, "events": ["order_captured"]}),
        )
        .await;
    ids.push(w["webhook_id"].as_str().unwrap().to_owned());
    let (_, c) = sb
        .post("/checkout", checkout_body("100", "SAR", "SA"))
        .await;
    let id = c["order_id"].as_str().unwrap().to_owned();
    ids.push(id.clone());
    ids.push(c["checkout_id"].as_str().unwrap().to_owned());
    sb.post(&format!("/_sandbox/orders/{id}/approve"), json!({}))
        .await;
    sb.post(&format!("/orders/{id}/authorise"), json!({})).await;
    // A refused call must not consume an id.
    sb.capture(&id, "500").await;
    let (_, cap) = sb.capture(&id, "50").await;
    ids.push(cap["capture_id"].as_str().unwrap().to_owned());
    let (_, r) = sb.refund(&id, "10").await;
    ids.push(r["refund_id"].as_str().unwrap().to_owned());
    let other = sb.authorised("100").await;
    let (_, cn) = sb.cancel(&other, "10").await;
    ids.push(cn["cancel_id"].as_str().unwrap().to_owned());
    ids
}

#[tokio::test]
async fn same_seed_same_ids() {
    let a = start().await;
    let b = start().await;
    let ia = script(&a).await;
    let ib = script(&b).await;
    assert_eq!(ia, ib);
    let c = start_with(tamara_sandbox::SandboxConfig {
        seed: Some(7),
        ..config()
    })
    .await;
    assert_ne!(script(&c).await, ia);
    // reset reseeds
    a.post("/_sandbox/reset", json!({})).await;
    assert_eq!(script(&a).await, ia);
}

#[tokio::test]
async fn reset_forgets_everything() {
    let sb = start().await;
    let id = sb.authorised("100").await;
    sb.advance(json!({"hours": 1})).await;
    sb.post("/_sandbox/reset", json!({})).await;
    let (s, _) = sb.get(&format!("/orders/{id}")).await;
    assert_eq!(s, 404);
    let (_, c) = sb.get("/_sandbox/clock").await;
    assert_eq!(c["offset_seconds"], 0);
    let (s, v) = sb
        .post("/_sandbox/clock/advance", json!({"hours": "x"}))
        .await;
    assert_eq!(s, 400, "{v}");
}

#[derive(Parser)]
struct TestCli {
    #[command(flatten)]
    args: tamara_sandbox::cli::Args,
}

#[tokio::test]
async fn cli_args_and_remote_refusal() {
    let cli = TestCli::try_parse_from([
        "x",
        "--seed",
        "5",
        "--webhook-listing",
        "--custom-authorization-replaces-bearer",
        "--retry-ms",
        "10,20",
    ])
    .unwrap();
    let cfg = cli.args.config();
    assert_eq!(cfg.seed, Some(5));
    assert!(cfg.webhook_listing_enabled);
    assert!(cfg.custom_authorization_replaces_bearer);
    assert_eq!(cfg.retry_schedule.len(), 2);
    let defaults = TestCli::try_parse_from(["x"]).unwrap().args.config();
    assert!(!defaults.webhook_listing_enabled, "no listing unless asked");
    assert!(!defaults.custom_authorization_replaces_bearer);
    // The flags of the §16 switches reach the configuration; without them, its defaults.
    let lib = tamara_sandbox::SandboxConfig::default();
    assert_eq!(defaults.token_lifetime_secs, lib.token_lifetime_secs);
    assert_eq!(
        defaults.auto_capture_after_days,
        lib.auto_capture_after_days
    );
    assert_eq!(defaults.duplicate_webhook_status, 409);
    assert_eq!(defaults.amount_error_status, 400);
    let unknowns = TestCli::try_parse_from([
        "x",
        "--token-lifetime-secs",
        "1800",
        "--silent-event",
        "timed-auto-capture",
        "--silent-event",
        "auto-capture-authorised",
        "--auto-authorisation",
        "--auto-capture-after-days",
        "0",
        "--authorised-expiry-days",
        "30",
        "--order-expiry-time",
        "auto-capture",
        "--on-hold-keeps-status",
        "--order-updated-payload",
        "empty",
        "--duplicate-webhook-status",
        "400",
        "--amount-error-status",
        "422",
        "--bare-401-404",
        "--cancel-after-partial-capture",
        "--refuse-capture-after-partial-refund",
        "--fully-refunded-when",
        "whole-order",
        "--reference-lookup",
        "oldest",
        "--webhook-update-keeps-headers",
        "--honour-expires-in-minutes",
        "--qatar-supported",
        "--rate-limit-per-second",
        "5",
        "--omit-failure-payment-status",
    ])
    .unwrap()
    .args
    .config();
    use tamara_sandbox::unknowns::*;
    assert_eq!(unknowns.token_lifetime_secs, 1800);
    assert_eq!(
        unknowns.silent_events,
        [
            SilentEvent::TimedAutoCapture,
            SilentEvent::AutoCaptureAuthorised
        ]
    );
    assert!(unknowns.auto_authorisation);
    assert_eq!(unknowns.auto_capture_after_days, None, "0 turns it off");
    assert_eq!(unknowns.authorised_expiry_days, 30);
    assert_eq!(unknowns.order_expiry_time, OrderExpiryTime::AutoCapture);
    assert!(unknowns.on_hold_keeps_status);
    assert_eq!(unknowns.order_updated_payload, UpdatedPayload::Empty);
    assert_eq!(
        (
            unknowns.duplicate_webhook_status,
            unknowns.amount_error_status
        ),
        (400, 422)
    );
    assert!(unknowns.bare_401_404 && unknowns.cancel_after_partial_capture);
    assert!(unknowns.refuse_capture_after_partial_refund);
    assert_eq!(unknowns.fully_refunded_when, FullyRefundedWhen::WholeOrder);
    assert_eq!(unknowns.reference_lookup, ReferenceLookup::Oldest);
    assert!(unknowns.webhook_update_keeps_headers && unknowns.honour_expires_in_minutes);
    assert!(unknowns.qatar_supported && unknowns.omit_failure_payment_status);
    assert_eq!(unknowns.rate_limit_per_second, Some(5));
    let quiet = TestCli::try_parse_from(["x", "--no-retries"]).unwrap();
    assert!(quiet.args.config().retry_schedule.is_empty());
    assert!(TestCli::try_parse_from(["x", "--no-retries", "--retry-ms", "5"]).is_err());
    assert_eq!(cli.args.listen.to_string(), "127.0.0.1:8765");
    let remote = TestCli::try_parse_from(["x", "--listen", "0.0.0.0:0"]).unwrap();
    let err = tamara_sandbox::cli::run(remote.args).await.unwrap_err();
    assert!(err.to_string().contains("--allow-remote"));
}

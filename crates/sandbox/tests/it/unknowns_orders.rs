//! The switches for the reference's open questions (§16) that change an order's life: which
//! notifications fire, auto-authorisation, the 21-day capture against the 90-day expiry,
//! `order_expiry_time`, holds, the `order_updated` payload and the money rules nobody
//! documents. Each answer of each switch, over real HTTP.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tamara_sandbox::SandboxConfig;
use tamara_sandbox::unknowns::{FullyRefundedWhen, OrderExpiryTime, SilentEvent, UpdatedPayload};

use crate::common::*;

fn with(f: impl FnOnce(&mut SandboxConfig)) -> SandboxConfig {
    let mut c = config();
    f(&mut c);
    c
}

/// A simulator with `config` and a receiver registered for every order event, `order_on_hold`
/// included.
async fn watched(config: SandboxConfig) -> (Sb, Receiver) {
    let sb = start_with(config).await;
    let rx = Receiver::start().await;
    let mut all = ALL_EVENTS.to_vec();
    all.push("order_on_hold");
    register(&sb, &rx.url("/h"), &all).await;
    (sb, rx)
}

/// The events delivered so far, once the deliveries went quiet.
async fn events(rx: &Receiver) -> Vec<String> {
    let mut last = usize::MAX;
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        let now = rx.seen().len();
        if now == last {
            return rx.events();
        }
        last = now;
    }
}

/// §16.6: authorise with auto-capture sends `order_authorised` and `order_captured`; each can
/// be silenced.
#[tokio::test]
async fn auto_capture_notifications_are_switches() {
    let cases: [(&[SilentEvent], &[&str]); 3] = [
        (&[], &["order_authorised", "order_captured"]),
        (&[SilentEvent::AutoCaptureAuthorised], &["order_captured"]),
        (&[SilentEvent::AutoCaptureCaptured], &["order_authorised"]),
    ];
    for (silent, want) in cases {
        let (sb, rx) = watched(with(|c| {
            c.auto_capture = true;
            c.silent_events = silent.to_vec();
        }))
        .await;
        let id = sb.authorised("100").await;
        assert_eq!(sb.status_of(&id).await, "fully_captured");
        let got = events(&rx).await;
        assert_eq!(&got[1..], want, "{silent:?}");
    }
}

/// §5.3, §16.6: auto-authorisation goes on to `fully_captured` with no authorise call;
/// `order_approved` and `order_captured` each can be silenced; authorise then answers 409.
#[tokio::test]
async fn auto_authorisation_and_its_notifications() {
    let cases: [(&[SilentEvent], &[&str]); 3] = [
        (&[], &["order_approved", "order_captured"]),
        (
            &[SilentEvent::AutoAuthorisationApproved],
            &["order_captured"],
        ),
        (
            &[SilentEvent::AutoAuthorisationCaptured],
            &["order_approved"],
        ),
    ];
    for (silent, want) in cases {
        let (sb, rx) = watched(with(|c| {
            c.auto_authorisation = true;
            c.silent_events = silent.to_vec();
        }))
        .await;
        let id = sb.approved("100").await;
        assert_eq!(sb.status_of(&id).await, "fully_captured");
        let (s, v) = sb.post(&format!("/orders/{id}/authorise"), json!({})).await;
        assert_eq!(s, 409);
        assert_eq!(v["errors"][0]["data"]["old_state"], "fully_captured");
        assert_eq!(events(&rx).await, want, "{silent:?}");
    }
    let sb = start().await;
    let id = sb.approved("100").await;
    assert_eq!(sb.status_of(&id).await, "approved", "off by default");
}

/// §16.18: authorised orders are captured after 21 days by default; with auto-capture off
/// they expire after 90. Each notification can be silenced.
#[tokio::test]
async fn the_21_day_capture_and_the_90_day_expiry_are_switches() {
    let (sb, rx) = watched(config()).await;
    let id = sb.authorised("100").await;
    sb.advance(json!({"days": 21})).await;
    assert_eq!(sb.status_of(&id).await, "fully_captured");
    assert_eq!(events(&rx).await.last().unwrap(), "order_captured");

    let off = |c: &mut SandboxConfig| c.auto_capture_after_days = None;
    let (sb, rx) = watched(with(off)).await;
    let id = sb.authorised("100").await;
    sb.advance(json!({"days": 21})).await;
    assert_eq!(sb.status_of(&id).await, "authorised");
    sb.advance(json!({"days": 69})).await;
    assert_eq!(sb.status_of(&id).await, "expired");
    assert_eq!(events(&rx).await.last().unwrap(), "order_expired");
    let (s, _) = sb.capture(&id, "10").await;
    assert_eq!(s, 409, "an expired order takes nothing");

    for (silent, days) in [
        (SilentEvent::TimedAutoCapture, 21),
        (SilentEvent::AuthorisedExpiry, 90),
    ] {
        let (sb, rx) = watched(with(|c| {
            c.silent_events = vec![silent];
            if silent == SilentEvent::AuthorisedExpiry {
                off(c);
            }
        }))
        .await;
        sb.authorised("100").await;
        sb.advance(json!({ "days": days })).await;
        assert_eq!(events(&rx).await.last().unwrap(), "order_authorised");
    }
}

/// §16.17: `order_expiry_time` is authorisation + 90 days by default, + 21 with the other answer.
#[tokio::test]
async fn order_expiry_time_is_a_switch() {
    for (meaning, days) in [
        (OrderExpiryTime::AuthorisedExpiry, 90),
        (OrderExpiryTime::AutoCapture, 21),
    ] {
        let sb = start_with(with(|c| c.order_expiry_time = meaning)).await;
        let id = sb.approved("100").await;
        let before = Utc::now();
        let (_, v) = sb.post(&format!("/orders/{id}/authorise"), json!({})).await;
        let at: DateTime<Utc> = v["order_expiry_time"].as_str().unwrap().parse().unwrap();
        let left = (at - before).num_hours();
        assert!(
            (days * 24 - 1..=days * 24).contains(&left),
            "{meaning:?}: {v}"
        );
    }
}

/// §16.7: a hold makes the order `on_hold` (moves refused, released back), or only notifies.
#[tokio::test]
async fn on_hold_is_a_switch() {
    for keeps in [false, true] {
        let (sb, rx) = watched(with(|c| c.on_hold_keeps_status = keeps)).await;
        let id = sb.authorised("100").await;
        let (s, v) = sb
            .post(&format!("/_sandbox/orders/{id}/hold"), json!({}))
            .await;
        assert_eq!(s, 200, "{v}");
        let got = events(&rx).await;
        assert_eq!(got.last().unwrap(), "order_on_hold");
        let held = rx.seen().last().unwrap().body.clone();
        assert_eq!(held["data"], json!([]));
        let want = if keeps { "authorised" } else { "on_hold" };
        assert_eq!(sb.status_of(&id).await, want);
        let (s, _) = sb.capture(&id, "10").await;
        assert_eq!(s, if keeps { 200 } else { 409 });
        let (s, _) = sb
            .post(&format!("/_sandbox/orders/{id}/release"), json!({}))
            .await;
        assert_eq!(
            s,
            if keeps { 409 } else { 200 },
            "only a held order is released"
        );
        assert_ne!(sb.status_of(&id).await, "on_hold");
    }
}

/// §16.7: `order_updated` carries the cancel's data, `[]`, or a shape nobody documented.
#[tokio::test]
async fn order_updated_payload_is_a_switch() {
    for payload in [
        UpdatedPayload::LikeCancel,
        UpdatedPayload::Empty,
        UpdatedPayload::Unrecognised,
    ] {
        let (sb, rx) = watched(with(|c| c.order_updated_payload = payload)).await;
        let id = sb.authorised("100").await;
        let (s, v) = sb.cancel(&id, "30").await;
        assert_eq!(s, 200, "{v}");
        events(&rx).await;
        let seen = rx.seen();
        let data: &Value = &seen.last().unwrap().body["data"];
        match payload {
            UpdatedPayload::LikeCancel => assert_eq!(data["cancel_id"], v["cancel_id"]),
            UpdatedPayload::Empty => assert_eq!(data, &json!([])),
            UpdatedPayload::Unrecognised => {
                assert!(data.get("cancel_id").is_none(), "{data}");
                assert_eq!(data["new_total_amount"], money("70.00", "SAR"));
            }
        }
    }
}

/// §16.10: a partially captured order cancels its remainder only with the switch on.
#[tokio::test]
async fn cancel_after_partial_capture_is_a_switch() {
    for allowed in [false, true] {
        let sb = start_with(with(|c| c.cancel_after_partial_capture = allowed)).await;
        let id = sb.authorised("100").await;
        sb.capture(&id, "40").await;
        let (s, v) = sb.cancel(&id, "20").await;
        if !allowed {
            assert_eq!(s, 409, "{v}");
            assert_eq!(v["errors"][0]["error_code"], "transition_not_allowed");
            continue;
        }
        assert_eq!((s, v["status"].as_str()), (200, Some("partially_captured")));
        let (s, v) = sb.cancel(&id, "40").await;
        assert_eq!((s, v["status"].as_str()), (200, Some("fully_captured")));
        let (_, d) = sb.get(&format!("/orders/{id}")).await;
        assert_eq!(d["canceled_amount"], money("60.00", "SAR"));
        assert_eq!(d["captured_amount"], money("40.00", "SAR"));
    }
}

/// §16.10: after a partial refund the remainder can be captured unless refused; and refunding
/// all that was captured ends the order, or only once nothing is left to capture.
#[tokio::test]
async fn refund_rules_are_switches() {
    for refuse in [false, true] {
        let sb = start_with(with(|c| c.refuse_capture_after_partial_refund = refuse)).await;
        let id = sb.authorised("100").await;
        sb.capture(&id, "40").await;
        sb.refund(&id, "10").await;
        let (s, _) = sb.capture(&id, "60").await;
        assert_eq!(s, if refuse { 409 } else { 200 });
    }
    for rule in [
        FullyRefundedWhen::AllCaptured,
        FullyRefundedWhen::WholeOrder,
    ] {
        let sb = start_with(with(|c| c.fully_refunded_when = rule)).await;
        let id = sb.authorised("100").await;
        sb.capture(&id, "40").await;
        let (_, v) = sb.refund(&id, "40").await;
        let (want, capture) = match rule {
            FullyRefundedWhen::AllCaptured => ("fully_refunded", 409),
            FullyRefundedWhen::WholeOrder => ("partially_refunded", 200),
        };
        assert_eq!(v["status"], want);
        let (s, _) = sb.capture(&id, "60").await;
        assert_eq!(s, capture, "{rule:?}");
        if rule == FullyRefundedWhen::WholeOrder {
            let (_, v) = sb.refund(&id, "60").await;
            assert_eq!(v["status"], "fully_refunded");
        }
    }
}

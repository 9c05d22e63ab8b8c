//! The webhook pipeline end to end: the simulator as Tamara delivering signed notifications
//! over real HTTP to the core's receiver on loopback, a real SQLite inbox, and the processor
//! re-reading orders from the simulator. Every wait is a bounded poll.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use mizan_core::store::audit;
use mizan_core::store::deliveries::{DeliveryVerdict, ProcessingState};
use mizan_core::store::ledger::LedgerKind;
use mizan_scenarios::pipeline::{good_token, pipeline, sar};
use mizan_scenarios::{NOTIFICATION_TOKEN, approve, capture_request, client};
use serde_json::{Value, json};
use tamara::Sensitive;
use tamara::model::payments::SimplifiedRefundRequest;
use tamara::notification::sign_token;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_lifecycle_driven_only_by_webhooks() {
    let p = pipeline(301).await;
    let id = p.new_order("WH-LIFE-1").await;
    assert_eq!(p.status(&id).await, None, "nothing cached before a webhook");

    // The customer pays: order_approved → the processor re-reads and auto-authorises →
    // order_authorised arrives and is processed too.
    approve(&p.sb.base_url(), &id).await;
    p.wait_status(&id, "authorised").await;

    let c = client(&p.sb.base_url());
    let total = p.console.cached_order(&id).await.unwrap().order.total;
    let cap = c
        .capture(&capture_request(&id, &total.amount_text()))
        .await
        .unwrap()
        .value;
    p.wait_status(&id, "fully_captured").await;

    let refund = SimplifiedRefundRequest {
        total_amount: sar("10.00"),
        comment: "damaged box".into(),
        merchant_refund_id: None,
    };
    c.simplified_refund(&id, &refund).await.unwrap();
    p.wait_status(&id, "partially_refunded").await;

    let cached = p.console.cached_order(&id).await.unwrap();
    let kinds: Vec<LedgerKind> = cached.ledger.iter().map(|e| e.kind).collect();
    for k in [
        LedgerKind::Authorise,
        LedgerKind::Capture,
        LedgerKind::Refund,
    ] {
        assert_eq!(
            kinds.iter().filter(|x| **x == k).count(),
            1,
            "{k:?} in {kinds:?}"
        );
    }
    let capture_row = cached
        .ledger
        .iter()
        .find(|e| e.kind == LedgerKind::Capture)
        .unwrap();
    assert_eq!(
        capture_row.gateway_id.as_deref(),
        Some(cap.capture_id.as_str())
    );

    let inbox = p.deliveries().await;
    assert!(
        inbox.iter().all(|d| d.verdict == DeliveryVerdict::Verified),
        "{inbox:#?}"
    );
    assert!(
        inbox
            .iter()
            .all(|d| d.processing_state == ProcessingState::Processed)
    );
    assert!(
        inbox.iter().any(|d| d
            .processing_result
            .as_deref()
            .is_some_and(|r| r.contains("auto-authorised"))),
        "{inbox:#?}"
    );
    // No token reaches the inbox.
    let token_tail = &good_token()[..20];
    for d in &inbox {
        assert!(!d.headers_json.contains(token_tail), "{}", d.headers_json);
        assert!(
            d.query
                .as_deref()
                .unwrap_or("")
                .contains("tamaraToken=****")
        );
    }

    let chain = audit::list_chain(p.console.store(), 1000, 0).await.unwrap();
    let processed = chain
        .iter()
        .filter(|e| e.action == "webhook.processed")
        .count();
    assert_eq!(processed, inbox.len(), "every step audited");
    for pair in chain.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
        assert_eq!(pair[1].seq, pair[0].seq + 1);
    }
    for e in &chain {
        assert_eq!(mizan_core::audit::entry_hash(e), e.hash);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_deliveries_change_nothing() {
    let p = pipeline(302).await;
    let id = p.new_order("WH-DUP-1").await;
    p.fault(json!({"duplicate": 10})).await;
    approve(&p.sb.base_url(), &id).await;
    p.wait_status(&id, "authorised").await;
    // order_approved and order_authorised, each sent twice.
    let inbox = p.wait_settled(4).await;
    let skipped: Vec<_> = inbox
        .iter()
        .filter(|d| d.processing_state == ProcessingState::Skipped)
        .collect();
    assert_eq!(skipped.len(), 2, "{inbox:#?}");
    for d in skipped {
        assert!(
            d.processing_result
                .as_deref()
                .unwrap_or("")
                .starts_with("duplicate of delivery"),
            "{d:?}"
        );
    }
    let cached = p.console.cached_order(&id).await.unwrap();
    assert_eq!(
        cached.ledger.len(),
        1,
        "one authorise, once: {:?}",
        cached.ledger
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_order_and_late_events_never_move_status_backwards() {
    let p = pipeline(303).await;
    let id = p.new_order("WH-ORDER-1").await;
    approve(&p.sb.base_url(), &id).await;
    p.wait_status(&id, "authorised").await;

    // Capture twice (partial, then the rest) with both notifications held and sent reversed.
    p.fault(json!({"reorder": 2})).await;
    let c = client(&p.sb.base_url());
    c.capture(&capture_request(&id, "50.00")).await.unwrap();
    let total = p.console.cached_order(&id).await.unwrap().order.total;
    let rest = format!(
        "{:.2}",
        total.amount() - rust_decimal::Decimal::new(5000, 2)
    );
    c.capture(&capture_request(&id, &rest)).await.unwrap();
    p.wait_status(&id, "fully_captured").await;
    let n = p.deliveries().await.len();

    // A late, genuine-looking order_approved after the capture: recorded, not applied, and no
    // authorise is attempted.
    let body = json!({"order_id": id, "order_reference_id": "WH-ORDER-1",
        "event_type": "order_approved", "data": []})
    .to_string();
    let bearer = format!("Bearer {}", good_token());
    assert_eq!(p.post("/webhooks/tamara", Some(&bearer), &body).await, 200);
    let inbox = p.wait_settled(n + 1).await;
    let late = &inbox[0];
    assert_eq!(late.processing_state, ProcessingState::Skipped, "{late:?}");
    assert!(
        late.processing_result
            .as_deref()
            .unwrap()
            .contains("duplicate"),
        "{late:?}"
    );
    assert_eq!(p.status(&id).await.as_deref(), Some("fully_captured"));

    // A late legacy notification (order_status form) for a status long passed.
    let legacy = json!({"order_id": id, "order_reference_id": "WH-ORDER-1",
        "order_status": "authorised", "data": {}})
    .to_string();
    assert_eq!(
        p.post("/webhooks/tamara", Some(&bearer), &legacy).await,
        200
    );
    let inbox = p.wait_settled(n + 2).await;
    let r = inbox[0].processing_result.clone().unwrap();
    assert_eq!(inbox[0].processing_state, ProcessingState::Processed, "{r}");
    assert!(r.contains("late event"), "{r}");
    assert_eq!(p.status(&id).await.as_deref(), Some("fully_captured"));
}

fn forge(header: &Value, claims: &Value, sig: &str) -> String {
    format!(
        "{}.{}.{sig}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_tokens_are_stored_with_the_reason_and_never_processed() {
    let p = pipeline(304).await;
    let id = p.new_order("WH-AUTH-1").await;

    // The simulator signs the order_approved delivery (and its retries) with the wrong key.
    p.fault(json!({"wrong_key": 1})).await;
    approve(&p.sb.base_url(), &id).await;
    let mut sim = Vec::new();
    for _ in 0..100 {
        sim = p.deliveries().await;
        if !sim.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let first = sim.last().expect("the simulator's delivery arrived");
    assert_eq!(first.verdict, DeliveryVerdict::Rejected, "{first:?}");
    assert!(
        first
            .reason
            .as_deref()
            .unwrap()
            .starts_with("token_bad_signature"),
        "{first:?}"
    );
    assert_eq!(first.event_type.as_deref(), Some("order_approved"));

    let body = json!({"order_id": id, "event_type": "order_captured",
        "data": {"capture_id": "c-1", "captured_amount": {"amount": 1.00, "currency": "SAR"}}})
    .to_string();
    let now = chrono::Utc::now().timestamp();
    let expired = {
        let t = sign_token(&Sensitive::new(NOTIFICATION_TOKEN.to_owned()), now - 7200).unwrap();
        format!("Bearer {t}")
    };
    let none = forge(
        &json!({"alg": "none", "typ": "JWT"}),
        &json!({"iss": "Tamara", "iat": now, "exp": now + 600}),
        "",
    );
    let other = sign_token(&Sensitive::new("someone-else-key-123".to_owned()), now).unwrap();
    // Signed with the right key, but valid for ten years: a replayable key, not Tamara's token.
    let decade = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &json!({"iss": "Tamara", "iat": now, "exp": now + 10 * 365 * 86_400}),
        &jsonwebtoken::EncodingKey::from_secret(NOTIFICATION_TOKEN.as_bytes()),
    )
    .unwrap();
    let good = good_token();
    let cases: Vec<(String, Option<String>, &str)> = vec![
        ("/webhooks/tamara".into(), None, "token_missing"),
        ("/webhooks/tamara".into(), Some(expired), "token_expired"),
        (
            "/webhooks/tamara".into(),
            Some(format!("Bearer {none}")),
            "token_algorithm_not_allowed",
        ),
        (
            "/webhooks/tamara".into(),
            Some(format!("Bearer {other}")),
            "token_bad_signature",
        ),
        (
            // A custom `authorization` value is skipped; the forged query token decides.
            format!("/webhooks/tamara?tamaraToken={other}"),
            Some("12344-1231-abcd".to_owned()),
            "token_bad_signature",
        ),
        (
            format!("/webhooks/tamara?storeId=1&tamaraToken={none}"),
            None,
            "token_algorithm_not_allowed",
        ),
        (
            "/webhooks/tamara".into(),
            Some(format!("Bearer {decade}")),
            "token_lifetime_too_long",
        ),
    ];
    for (path, auth, _) in &cases {
        assert_eq!(
            p.post(path, auth.as_deref(), &body).await,
            401,
            "{path} {auth:?}"
        );
    }
    // Newest first, only the handcrafted ones (the simulator may still be retrying its own).
    let forged: Vec<_> = p
        .deliveries()
        .await
        .into_iter()
        .filter(|d| d.event_type.as_deref() == Some("order_captured"))
        .collect();
    assert_eq!(forged.len(), cases.len(), "{forged:#?}");
    for (d, (_, _, code)) in forged.iter().zip(cases.iter().rev()) {
        assert_eq!(d.verdict, DeliveryVerdict::Rejected);
        assert!(
            d.reason.as_deref().unwrap().starts_with(code),
            "{d:?} vs {code}"
        );
        assert_eq!(d.http_status, 401);
        assert_eq!(d.processing_state, ProcessingState::Skipped);
        assert_eq!(d.processing_result, None, "never processed");
        assert!(!d.headers_json.contains(&good[good.len() - 12..]));
        assert!(
            !d.query
                .as_deref()
                .unwrap_or("")
                .contains(&other[other.len() - 12..])
        );
    }
    // Nothing refused was ever processed: the order was never cached.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(p.status(&id).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bodies_oversize_and_wrong_methods() {
    let p = pipeline(305).await;
    let bearer = format!("Bearer {}", good_token());
    assert_eq!(
        p.post("/webhooks/tamara", Some(&bearer), "{not json").await,
        400
    );
    assert_eq!(
        p.post("/webhooks/tamara", Some(&bearer), r#"{"event_type":"x"}"#)
            .await,
        400
    );
    let inbox = p.wait_settled(2).await;
    for d in &inbox {
        assert_eq!(d.verdict, DeliveryVerdict::InvalidBody);
        assert_eq!(d.http_status, 400);
        assert!(
            d.reason.as_deref().unwrap().starts_with("body_invalid"),
            "{d:?}"
        );
        assert_eq!(d.processing_state, ProcessingState::Skipped);
    }
    let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(300 * 1024));
    assert_eq!(p.post("/webhooks/tamara", Some(&bearer), &big).await, 413);
    let get = p
        .http
        .get(format!("{}/webhooks/tamara", p.url))
        .send()
        .await
        .unwrap();
    assert_eq!(get.status().as_u16(), 405);
    let put = p
        .http
        .put(format!("{}/webhooks/tamara", p.url))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status().as_u16(), 405);
    assert_eq!(p.deliveries().await.len(), 2, "413 and 405 store nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirect_pages_show_the_real_status_never_the_query() {
    let p = pipeline(306).await;
    let id = p.new_order("WH-REDIRECT-1").await;
    let page = |q: String| {
        let http = p.http.clone();
        let url = format!("{}/checkout/success{q}", p.url);
        async move {
            let r = http.get(url).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (s, html) = page(format!("?orderId={id}&paymentStatus=approved")).await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("<strong>new</strong>"), "{html}");
    assert!(html.contains("does not match"), "{html}");
    // The page read through the console's gateway, so the order is now cached.
    assert_eq!(p.status(&id).await.as_deref(), Some("new"));

    let (s, html) = page(String::new()).await;
    assert_eq!(s, 400, "{html}");
    let (s, _) = page("?orderId=%3Cscript%3E".into()).await;
    assert_eq!(s, 400);
    let (s, _) = page("?orderId=00000000-0000-4000-8000-000000000000".into()).await;
    assert_eq!(s, 400);

    let r = p
        .http
        .post(format!("{}/_sandbox/faults/api", p.sb.base_url()))
        .json(&json!({"status": 503, "count": 5}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let (s, html) = page(format!("?orderId={id}&paymentStatus=approved")).await;
    assert_eq!(s, 502, "{html}");
    assert!(html.contains("could not be confirmed"), "{html}");
    // The failures went through the breaker like every other call of the console.
    let breaker = p.console.breaker_state();
    assert!(breaker.consecutive_failures > 0, "{breaker:?}");
}

/// A registered custom `authorization` header (Tamara's own example) meets Tamara's
/// `Authorization: Bearer` on the same header; what Tamara does then is unknown (reference
/// §8.2), so both answers are tried: the receiver verifies deliveries either way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_authorization_header_never_costs_a_delivery() {
    for (seed, replaces) in [(311, false), (312, true)] {
        let config = tamara_sandbox::SandboxConfig {
            custom_authorization_replaces_bearer: replaces,
            ..tamara_sandbox::SandboxConfig::default()
        };
        let headers = json!({"authorization": "12344-1231-abcd"});
        let p = mizan_scenarios::pipeline::pipeline_with(seed, config, headers).await;
        let id = p.new_order(&format!("WH-AUTH-{seed}")).await;
        approve(&p.sb.base_url(), &id).await;
        p.wait_status(&id, "authorised").await;
        let inbox = p.deliveries().await;
        assert!(!inbox.is_empty());
        for d in &inbox {
            assert_eq!(
                d.verdict,
                DeliveryVerdict::Verified,
                "replaces={replaces}: {d:#?}"
            );
            // Stored masked: the custom value shows as its last four characters.
            let custom = d.headers_json.contains("****abcd");
            assert_eq!(custom, replaces, "replaces={replaces}: {}", d.headers_json);
        }
    }
}

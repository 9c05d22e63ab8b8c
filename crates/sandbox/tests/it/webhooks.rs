//! Webhook registry, signed deliveries, retries and delivery faults, with a real receiver.
// Test helpers outside #[test] fns panic on purpose: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
use serde_json::{Value, json};

fn code(v: &Value) -> &str {
    v["errors"][0]["error_code"].as_str().unwrap_or("")
}

#[derive(serde::Deserialize, Debug)]
struct Claims {
    iss: String,
    iat: i64,
    exp: i64,
}

fn verify(token: &str, key: &str) -> Result<Claims, jsonwebtoken::errors::Error> {
    let mut v = Validation::new(Algorithm::HS256);
    v.set_issuer(&["Tamara"]);
    decode::<Claims>(token, &DecodingKey::from_secret(key.as_bytes()), &v).map(|d| d.claims)
}

fn query_token(r: &Received) -> String {
    let q = r.query.clone().unwrap_or_default();
    url::form_urlencoded::parse(q.as_bytes())
        .find(|(k, _)| k == "tamaraToken")
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

fn header_token(r: &Received) -> String {
    let h = r.headers["authorization"].to_str().unwrap();
    h.strip_prefix("Bearer ").unwrap().to_owned()
}

#[tokio::test]
async fn registry_crud_and_validation() {
    let sb = start().await;
    let reg = fixture("webhook_register_request.json");
    let (s, v) = sb.post("/webhooks", reg.clone()).await;
    assert_eq!(s, 200, "{v}");
    let id = v["webhook_id"].as_str().unwrap().to_owned();
    assert!(v.get("type").is_none(), "Tamara echoes no type: {v}");
    assert_eq!(v["url"], reg["url"]);
    assert_eq!(v["events"], reg["events"]);
    assert_eq!(v["headers"], reg["headers"]);
    assert!(v["merchant_id"].is_string());
    // type defaults to order: order events are accepted without it
    let (s, _) = sb
        .post(
            "/webhooks",
            json!({"url": "https://a.example/x", "events": ["order_approved"]}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, list) = sb.get("/_sandbox/webhooks").await;
    assert_eq!(s, 200);
    assert_eq!(list.as_array().unwrap().len(), 2);
    let (s, one) = sb.get(&format!("/webhooks/{id}")).await;
    assert_eq!((s, &one), (200, &v));
    let (s, up) = sb
        .call("PUT", &format!("/webhooks/{id}"), Some(json!({"webhook_id": id, "url": "https://b.example/y", "events": ["order_captured"]})))
        .await;
    assert_eq!(s, 200, "{up}");
    assert_eq!(up["url"], "https://b.example/y");
    assert_eq!(up["events"], json!(["order_captured"]));
    assert_eq!(up["webhook_id"], id.as_str());
    let (s, _) = sb.call("DELETE", &format!("/webhooks/{id}"), None).await;
    assert_eq!(s, 200);
    for m in ["GET", "DELETE"] {
        let (s, v) = sb.call(m, &format!("/webhooks/{id}"), None).await;
        assert_eq!((s, code(&v)), (404, "not_found"), "{m}");
    }
    let (s, _) = sb
        .call(
            "PUT",
            &format!("/webhooks/{id}"),
            Some(json!({"url": "https://b.example/y", "events": ["order_captured"]})),
        )
        .await;
    assert_eq!(s, 404);

    let bad = [
        json!({"url": "http://example.com/hook", "events": ["order_approved"]}),
        json!({"url": format!("https://example.com/{}", "a".repeat(240)), "events": ["order_approved"]}),
        json!({"url": "ftp://127.0.0.1/x", "events": ["order_approved"]}),
        json!({"url": "not a url", "events": ["order_approved"]}),
        json!({"url": "https://example.com/h", "events": []}),
        json!({"url": "https://example.com/h", "events": ["order_exploded"]}),
        json!({"url": "https://example.com/h"}),
        json!({"url": "https://example.com/h", "events": ["order_approved"], "headers": {"x": 1}}),
        json!({"type": "refund", "url": "https://example.com/h", "events": ["order_approved"]}),
    ];
    for b in bad {
        let (s, v) = sb.post("/webhooks", b.clone()).await;
        assert_eq!(s, 400, "{b}: {v}");
    }
    let (_, v) = sb
        .post(
            "/webhooks",
            json!({"url": "http://10.0.0.1/h", "events": ["order_approved"]}),
        )
        .await;
    assert_eq!(code(&v), "invalid_webhook_url");
    for ok in [
        "http://127.0.0.1:9/h",
        "http://localhost/h",
        "http://[::1]:8080/h",
    ] {
        let (s, v) = sb
            .post(
                "/webhooks",
                json!({"url": ok, "events": ["order_approved"]}),
            )
            .await;
        assert_eq!(s, 200, "{ok}: {v}");
    }
    let exactly_255 = format!("https://e.example/{}", "a".repeat(255 - 18));
    assert_eq!(exactly_255.len(), 255);
    let (s, _) = sb
        .post(
            "/webhooks",
            json!({"url": exactly_255, "events": ["order_approved"]}),
        )
        .await;
    assert_eq!(s, 200);
}

/// Tamara's PHP SDK sends PHP's empty array `[]` for every empty object: on registration
/// (`headers`) and on every checkout (`risk_assessment`). Both are accepted as "none".
#[tokio::test]
async fn php_empty_arrays_are_accepted_as_empty_objects() {
    let sb = start().await;
    let (s, v) = sb
        .post(
            "/webhooks",
            json!({"url": "https://a.example/php", "events": ["order_approved"], "headers": []}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v["headers"],
        json!([]),
        "none is answered as Tamara does: {v}"
    );
    let mut body = checkout_body("100.00", "SAR", "SA");
    body["risk_assessment"] = json!([]);
    let (s, v) = sb.post("/checkout", body).await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = sb
        .post(
            "/webhooks",
            json!({"url": "https://a.example/php", "events": ["order_approved"], "headers": ["x"]}),
        )
        .await;
    assert_eq!(s, 400, "a non-empty array is not an object: {v}");
}

#[tokio::test]
async fn loopback_http_can_be_refused_and_no_listing_by_default() {
    let sb = start_with(tamara_sandbox::SandboxConfig {
        allow_http_loopback: false,
        ..config()
    })
    .await;
    let (s, _) = sb
        .post(
            "/webhooks",
            json!({"url": "http://127.0.0.1/h", "events": ["order_approved"]}),
        )
        .await;
    assert_eq!(s, 400);
    let (s, v) = sb
        .post(
            "/webhooks",
            json!({"url": "https://x.example/h", "events": ["order_approved"]}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, l) = sb.get("/webhooks/list").await;
    assert_eq!(s, 404, "{l}");
    assert!(l["errors"][0]["error_code"].is_string());
    let (s, _) = sb.get("/webhooks").await;
    assert_eq!(s, 405, "only POST is documented on /webhooks");
    let (s, _) = sb
        .get(&format!("/webhooks/{}", v["webhook_id"].as_str().unwrap()))
        .await;
    assert_eq!(s, 200, "read by id, the documented way");
}

#[tokio::test]
async fn listing_when_switched_on_and_a_known_url_is_refused_with_its_id() {
    let sb = start_with(tamara_sandbox::SandboxConfig {
        webhook_listing_enabled: true,
        ..config()
    })
    .await;
    let body = json!({"url": "https://x.example/h", "events": ["order_approved"]});
    let (s, first) = sb.post("/webhooks", body.clone()).await;
    assert_eq!(s, 200);
    let (s, again) = sb.post("/webhooks", body).await;
    assert_eq!(s, 409, "{again}");
    assert_eq!(
        again["errors"][0]["error_code"],
        "webhook_already_registered"
    );
    assert_eq!(
        again["errors"][0]["data"]["webhook_id"],
        first["webhook_id"]
    );
    let (s, l) = sb.get("/webhooks/list").await;
    assert_eq!(s, 200);
    assert_eq!(l.as_array().unwrap().len(), 1, "{l}");
    // Another type for the same URL is another webhook.
    let (s, _) = sb
        .post(
            "/webhooks",
            json!({"type": "dispute", "url": "https://x.example/h",
                   "events": ["OrderDisputeWasUpdated"]}),
        )
        .await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn signed_deliveries_for_every_event() {
    let sb = start().await;
    let rx = Receiver::start().await;
    // The URL already has a query: the token must be appended, not replace it.
    register(&sb, &rx.url("/hooks/tamara?storeId=1"), &ALL_EVENTS).await;
    let id = sb.authorised("100").await;
    sb.cancel(&id, "10").await;
    let (_, cap) = sb.capture(&id, "50").await;
    let (_, refund) = sb.refund(&id, "20").await;
    let expired = sb.new_order("100").await;
    sb.post(&format!("/_sandbox/orders/{expired}/expire"), json!({}))
        .await;
    let declined = sb.new_order("100").await;
    sb.post(&format!("/_sandbox/orders/{declined}/decline"), json!({}))
        .await;
    let canceled = sb.authorised("100").await;
    sb.cancel(&canceled, "100").await;

    let seen = rx.wait_for(10).await;
    assert_eq!(seen.len(), 10);
    let events = rx.events();
    assert_eq!(
        &events[..6],
        [
            "order_approved",
            "order_authorised",
            "order_updated",
            "order_captured",
            "order_refunded",
            "order_expired"
        ]
    );
    assert!(events.contains(&"order_declined".to_owned()));
    assert!(events.contains(&"order_canceled".to_owned()));
    for r in &seen {
        let q = query_token(r);
        let h = header_token(r);
        assert_eq!(q, h);
        let c = verify(&q, NOTIFICATION_TOKEN).unwrap();
        assert_eq!(c.iss, "Tamara");
        assert_eq!(
            c.exp - c.iat,
            900,
            "the newer of Tamara's two samples (§8.2)"
        );
        assert!(verify(&q, "another-key").is_err());
        assert!(
            r.query
                .as_deref()
                .unwrap()
                .starts_with("storeId=1&tamaraToken=")
        );
        assert_eq!(r.headers["x-console-key"], "k-7f3a");
        assert_eq!(r.headers["content-type"], "application/json");
        for k in [
            "order_id",
            "order_reference_id",
            "order_number",
            "event_type",
            "data",
        ] {
            assert!(r.body.get(k).is_some(), "{k} in {}", r.body);
        }
    }
    let by = |e: &str| {
        seen.iter()
            .find(|r| r.body["event_type"] == e)
            .unwrap()
            .body
            .clone()
    };
    assert_eq!(by("order_approved")["data"], json!([]));
    assert_eq!(by("order_authorised")["data"], json!([]));
    assert_eq!(by("order_expired")["data"], json!([]));
    let c = by("order_captured");
    assert_eq!(c["data"]["capture_id"], cap["capture_id"]);
    assert_eq!(c["data"]["captured_amount"]["amount"].to_string(), "50.00");
    let r = by("order_refunded");
    assert_eq!(r["data"]["refund_id"], refund["refund_id"]);
    assert_eq!(r["data"]["comment"], "test refund");
    let u = by("order_updated");
    assert!(u["data"]["cancel_id"].is_string() && u["data"]["canceled_amount"].is_object());
    assert!(by("order_declined")["data"]["declined_reason"].is_string());
}

#[tokio::test]
async fn only_subscribed_events_and_legacy_notification() {
    let sb = start().await;
    let rx = Receiver::start().await;
    register(&sb, &rx.url("/hooks"), &["order_captured"]).await;
    let mut body = checkout_body("100", "SAR", "SA");
    body["merchant_url"]["notification"] = json!(rx.url("/legacy?shop=1"));
    let (_, v) = sb.post("/checkout", body).await;
    let id = v["order_id"].as_str().unwrap().to_owned();
    sb.post(&format!("/_sandbox/orders/{id}/approve"), json!({}))
        .await;
    sb.post(&format!("/orders/{id}/authorise"), json!({})).await;
    sb.capture(&id, "100").await;
    // legacy: approved, authorised, fully_captured; webhook: order_captured only
    let seen = rx.wait_for(4).await;
    let legacy: Vec<_> = seen
        .iter()
        .filter(|r| r.body.get("order_status").is_some())
        .collect();
    let statuses: Vec<_> = legacy
        .iter()
        .map(|r| r.body["order_status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["approved", "authorised", "fully_captured"]);
    assert_eq!(legacy[0].body["data"], json!([]));
    for r in &legacy {
        assert!(verify(&query_token(r), NOTIFICATION_TOKEN).is_ok());
        assert!(r.query.as_deref().unwrap().starts_with("shop=1&"));
    }
    let hooks: Vec<_> = seen
        .iter()
        .filter(|r| r.body.get("event_type").is_some())
        .collect();
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0].body["event_type"], "order_captured");
}

#[tokio::test]
async fn retries_until_success_and_logs_attempts() {
    let sb = start().await;
    let rx = Receiver::start().await;
    rx.script(&[500, 503]);
    register(&sb, &rx.url("/h"), &["order_approved"]).await;
    sb.approved("100").await;
    rx.wait_for(3).await;
    let log = sb.deliveries().await;
    let attempts: Vec<_> = log
        .iter()
        .map(|a| {
            (
                a["attempt"].as_u64().unwrap(),
                a["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(attempts, [(1, 500), (2, 503), (3, 200)]);
    assert!(
        log.iter()
            .all(|a| a["event"] == "order_approved" && a["signed_wrong"] == false)
    );
    assert!(log[0]["url"].as_str().unwrap().ends_with("/h"));
}

#[tokio::test]
async fn retries_on_connection_errors_then_give_up() {
    let sb = start().await;
    // A port nobody listens on (bind then drop).
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    register(
        &sb,
        &format!("http://127.0.0.1:{port}/h"),
        &["order_approved"],
    )
    .await;
    sb.approved("100").await;
    assert!(wait_until(3000, || async { sb.deliveries().await.len() == 3 }).await);
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    let log = sb.deliveries().await;
    assert_eq!(log.len(), 3, "1 try + 2 retries, then give up");
    assert!(
        log.iter()
            .all(|a| a["status"].is_null() && a["error"].is_string())
    );
}

#[tokio::test]
async fn delivery_faults() {
    let sb = start().await;
    let rx = Receiver::start().await;
    register(
        &sb,
        &rx.url("/h"),
        &["order_approved", "order_authorised", "order_captured"],
    )
    .await;

    // duplicate
    sb.post("/_sandbox/faults/deliveries", json!({"duplicate": 1}))
        .await;
    let a = sb.approved("100").await;
    rx.wait_for(2).await;
    assert_eq!(rx.events(), ["order_approved", "order_approved"]);

    // drop
    sb.post("/_sandbox/faults/deliveries", json!({"drop": 1}))
        .await;
    sb.post(&format!("/orders/{a}/authorise"), json!({})).await;
    assert!(
        wait_until(2000, || async {
            sb.deliveries().await.iter().any(|d| d["dropped"] == true)
        })
        .await
    );
    assert_eq!(rx.seen().len(), 2);

    // wrong key: the receiver gets a token that fails verification
    sb.post("/_sandbox/faults/deliveries", json!({"wrong_key": 1}))
        .await;
    sb.capture(&a, "10").await;
    let seen = rx.wait_for(3).await;
    assert!(verify(&query_token(&seen[2]), NOTIFICATION_TOKEN).is_err());
    assert!(
        sb.deliveries()
            .await
            .iter()
            .any(|d| d["signed_wrong"] == true)
    );

    // reorder: hold 2, send reversed
    sb.post("/_sandbox/faults/deliveries", json!({"reorder": 2}))
        .await;
    sb.capture(&a, "11").await;
    sb.capture(&a, "12").await;
    let seen = rx.wait_for(5).await;
    let amounts: Vec<String> = seen[3..]
        .iter()
        .map(|r| r.body["data"]["captured_amount"]["amount"].to_string())
        .collect();
    assert_eq!(amounts, ["12.00", "11.00"]);

    // delay: the delayed one is overtaken by the next
    sb.post(
        "/_sandbox/faults/deliveries",
        json!({"delay_ms": 300, "delay_count": 1}),
    )
    .await;
    sb.capture(&a, "13").await;
    sb.capture(&a, "14").await;
    let seen = rx.wait_for(7).await;
    let amounts: Vec<String> = seen[5..]
        .iter()
        .map(|r| r.body["data"]["captured_amount"]["amount"].to_string())
        .collect();
    assert_eq!(amounts, ["14.00", "13.00"]);
    let log = sb.deliveries().await;
    assert!(log.iter().any(|d| d["delayed_ms"] == 300));
    assert!(log.iter().any(|d| d["duplicate"] == true));
}

#[tokio::test]
async fn deliveries_never_block_the_api() {
    let sb = start_with(tamara_sandbox::SandboxConfig {
        retry_schedule: vec![std::time::Duration::from_secs(30)],
        ..config()
    })
    .await;
    let rx = Receiver::start().await;
    rx.script(&[500]);
    register(&sb, &rx.url("/h"), &["order_approved"]).await;
    let started = std::time::Instant::now();
    sb.approved("100").await;
    rx.wait_for(1).await;
    sb.get("/checkout/payment-types?country=SA").await;
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

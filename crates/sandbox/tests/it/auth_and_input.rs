//! Authentication, error body shape, checkout validation and hostile input.
// Test helpers outside #[test] fns panic on purpose: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use serde_json::json;

fn code(v: &serde_json::Value) -> &str {
    v["errors"][0]["error_code"].as_str().unwrap_or("")
}

#[tokio::test]
async fn unauthorized_without_or_with_wrong_token() {
    let sb = start().await;
    let body = checkout_body("100", "SAR", "SA");
    for token in [None, Some("wrong"), Some("")] {
        let (s, v) = sb
            .call_token("POST", "/checkout", Some(body.clone()), token)
            .await;
        assert_eq!(s, 401);
        // The five keys of every error example in Tamara's OpenAPI file.
        assert_eq!(
            v,
            json!({"message": "Unauthorized", "errors": [{"error_code": "unauthorized"}],
                   "data": {}, "title": null, "screen_type": null})
        );
    }
    let (s, _) = sb.call_token("GET", "/webhooks/x", None, None).await;
    assert_eq!(s, 401);
    // Control endpoints need no token.
    let (s, _) = sb
        .call_token("GET", "/_sandbox/deliveries", None, None)
        .await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn several_configured_tokens() {
    let sb = start_with(tamara_sandbox::SandboxConfig {
        api_tokens: vec!["one".into(), "two".into()],
        ..config()
    })
    .await;
    for t in ["one", "two"] {
        let (s, _) = sb
            .call_token("GET", "/checkout/payment-types?country=SA", None, Some(t))
            .await;
        assert_eq!(s, 200);
    }
    let (s, _) = sb
        .call_token(
            "GET",
            "/checkout/payment-types?country=SA",
            None,
            Some(TOKEN),
        )
        .await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn checkout_validation() {
    let sb = start().await;
    let (s, v) = sb
        .post("/checkout", checkout_body("460.00", "SAR", "SA"))
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["status"], "new");
    let url = v["checkout_url"].as_str().unwrap();
    let expected = format!(
        "{}/checkout/{}?locale=en_US&orderId={}",
        sb.base,
        v["checkout_id"].as_str().unwrap(),
        v["order_id"].as_str().unwrap()
    );
    assert_eq!(url, expected);

    let required = [
        "order_reference_id",
        "total_amount",
        "shipping_amount",
        "tax_amount",
        "description",
        "country_code",
        "items",
        "consumer",
        "shipping_address",
        "merchant_url",
    ];
    for field in required {
        let mut b = checkout_body("100", "SAR", "SA");
        b.as_object_mut().unwrap().remove(field);
        let (s, v) = sb.post("/checkout", b).await;
        assert_eq!(s, 400, "{field}: {v}");
        assert_eq!(code(&v), "missing_required_field", "{field}");
        assert_eq!(v["errors"][0]["data"]["field"], field);
    }
    for (obj, field) in [
        ("consumer", "phone_number"),
        ("shipping_address", "city"),
        ("merchant_url", "cancel"),
    ] {
        let mut b = checkout_body("100", "SAR", "SA");
        b[obj].as_object_mut().unwrap().remove(field);
        let (s, v) = sb.post("/checkout", b).await;
        assert_eq!(
            (s, code(&v)),
            (400, "missing_required_field"),
            "{obj}.{field}"
        );
    }
    for field in ["sku", "quantity", "total_amount"] {
        let mut b = checkout_body("100", "SAR", "SA");
        b["items"][0].as_object_mut().unwrap().remove(field);
        let (s, _) = sb.post("/checkout", b).await;
        assert_eq!(s, 400, "items[0].{field}");
    }
    // Instalments are out of range, or defaulted when missing (strict mode: openapi.rs).
    let mut b = checkout_body("100", "SAR", "SA");
    b["instalments"] = json!(13);
    let (s, v) = sb.post("/checkout", b.clone()).await;
    assert_eq!((s, code(&v)), (400, "invalid_field"));
    b.as_object_mut().unwrap().remove("instalments");
    let (s, v) = sb.post("/checkout", b.clone()).await;
    assert_eq!(s, 200, "{v}");
    let order = v["order_id"].as_str().unwrap();
    let (_, d) = sb.get(&format!("/orders/{order}")).await;
    assert_eq!(d["instalments"], 3);
    b["payment_type"] = json!("PAY_NOW");
    let (s, v) = sb.post("/checkout", b).await;
    assert_eq!(s, 200, "{v}");
    // Limits and currencies.
    let (s, v) = sb
        .post("/checkout", checkout_body("0.09", "SAR", "SA"))
        .await;
    assert_eq!((s, code(&v)), (400, "total_amount_invalid_limit"));
    let (s, v) = sb
        .post("/checkout", checkout_body("0.1", "SAR", "SA"))
        .await;
    assert_eq!(s, 200, "{v}");
    // A total not in the country's currency is an unsupported pair (the OAS 400 example);
    // another money object not in the total's currency is a currency mismatch.
    let (s, v) = sb
        .post("/checkout", checkout_body("100", "AED", "SA"))
        .await;
    assert_eq!((s, code(&v)), (400, "not_supported_country_currency"));
    let mut b = checkout_body("100", "SAR", "SA");
    b["tax_amount"] = money("1", "AED");
    let (s, v) = sb.post("/checkout", b).await;
    assert_eq!((s, code(&v)), (400, "total_amount_invalid_currency"));
    for (currency, country) in [("USD", "US"), ("SAR", "US"), ("QAR", "QA")] {
        let (s, v) = sb
            .post("/checkout", checkout_body("100", currency, country))
            .await;
        assert_eq!(
            (s, code(&v)),
            (400, "not_supported_country_currency"),
            "{currency} in {country}"
        );
    }
    // A currency the simulator does not know at all, elsewhere than the total.
    let mut b = checkout_body("100", "SAR", "SA");
    b["tax_amount"] = money("1", "USD");
    let (s, v) = sb.post("/checkout", b).await;
    assert_eq!((s, code(&v)), (400, "currency_unsupported"));
    // Amount as a numeric string is accepted (§3.1).
    let mut b = checkout_body("100", "SAR", "SA");
    b["total_amount"]["amount"] = json!("100.00");
    let (s, v) = sb.post("/checkout", b).await;
    assert_eq!(s, 200, "{v}");
}

#[tokio::test]
async fn malformed_and_hostile_bodies() {
    let sb = start().await;
    let id = sb.authorised("100").await;
    let cases = [
        ("POST", "/checkout", "{not json"),
        ("POST", "/checkout", "[]"),
        ("POST", "/checkout", "\"x\""),
        ("POST", "/checkout", "null"),
        ("POST", "/payments/capture", "{\"order_id\": 5}"),
        ("POST", "/webhooks", "{\"url\": 7, \"events\": \"x\"}"),
        (
            "PUT",
            &format!("/orders/{id}/reference-id"),
            "{\"order_reference_id\": {}}",
        ),
    ];
    for (m, path, body) in cases {
        let (s, v) = sb.raw(m, path, body).await;
        assert_eq!(s, 400, "{m} {path} {body}: {v}");
        assert!(v["message"].is_string() && v["errors"][0]["error_code"].is_string());
    }
    let huge = format!(
        "{{\"order_id\": \"{id}\", \"total_amount\": {{\"amount\": 1{}, \"currency\": \"SAR\"}}, \"shipping_info\": {{\"shipped_at\": \"2024-06-01T10:00:00Z\", \"shipping_company\": \"X\"}}}}",
        "0".repeat(400)
    );
    let (s, v) = sb.raw("POST", "/payments/capture", &huge).await;
    assert_eq!(s, 400, "{v}");
    for amount in [
        "1e400",
        "-0.001",
        "\"abc\"",
        "true",
        "[1]",
        "99999999999999999999999999999.99",
    ] {
        let body = format!("{{\"total_amount\": {{\"amount\": {amount}, \"currency\": \"SAR\"}}}}");
        let (s, v) = sb.raw("POST", &format!("/orders/{id}/cancel"), &body).await;
        assert_eq!(s, 400, "{amount}: {v}");
    }
    let mut b = checkout_body("100", "SAR", "SA");
    b["items"][0]["quantity"] = json!(-1);
    let (s, _) = sb.post("/checkout", b).await;
    assert_eq!(s, 400);
    let mut b = checkout_body("100", "SAR", "SA");
    b["description"] = json!("x".repeat(257));
    let (s, _) = sb.post("/checkout", b).await;
    assert_eq!(s, 400);
    // The order is untouched and the server still answers.
    assert_eq!(sb.status_of(&id).await, "authorised");
}

#[tokio::test]
async fn unknown_paths_and_methods_use_the_error_body() {
    let sb = start().await;
    let (s, v) = sb.get("/no/such/path").await;
    assert_eq!((s, code(&v)), (404, "not_found"));
    let (s, v) = sb.call("DELETE", "/checkout", None).await;
    assert_eq!(s, 405, "{v}");
}

#[tokio::test]
async fn payment_types() {
    let sb = start().await;
    let (s, v) = sb.get("/checkout/payment-types?country=SA").await;
    assert_eq!(s, 200);
    let names: Vec<_> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].clone())
        .collect();
    assert_eq!(names, vec![json!("PAY_BY_INSTALMENTS"), json!("PAY_NOW")]);
    // Above the instalment maximum (2,500 SAR, the OAS example's), only paying now is left.
    let (_, v) = sb
        .get("/checkout/payment-types?country=SA&order_value=3000")
        .await;
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["name"], "PAY_NOW");
    let (_, v) = sb
        .get("/checkout/payment-types?country=SA&currency=AED")
        .await;
    assert_eq!(v, json!([]));
    let (_, v) = sb.get("/checkout/payment-types?country=US").await;
    assert_eq!(v, json!([]));
    let (_, v) = sb.get("/checkout/payment-types?country=KW").await;
    assert_eq!(v[0]["min_limit"]["amount"].to_string(), "0.100");
    let (s, _) = sb.get("/checkout/payment-types").await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn api_fault_injection() {
    let sb = start().await;
    let (s, _) = sb
        .post("/_sandbox/faults/api", json!({"status": 502, "count": 2}))
        .await;
    assert_eq!(s, 200);
    for _ in 0..2 {
        let (s, v) = sb.get("/checkout/payment-types?country=SA").await;
        assert_eq!(s, 502);
        assert!(v["errors"][0]["error_code"].is_string());
    }
    let (s, _) = sb.get("/checkout/payment-types?country=SA").await;
    assert_eq!(s, 200);
    // Stall: the client times out, but the operation still happens.
    sb.post(
        "/_sandbox/faults/api",
        json!({"stall_ms": 400, "stall_count": 1}),
    )
    .await;
    let r = sb
        .http
        .post(format!("{}/checkout", sb.base))
        .bearer_auth(TOKEN)
        .json(&checkout_body("100", "SAR", "SA"))
        .timeout(std::time::Duration::from_millis(100))
        .send()
        .await;
    assert!(r.unwrap_err().is_timeout());
    assert!(
        wait_until(2000, || async {
            let (_, v) = sb.get("/_sandbox/orders").await;
            v.as_array().unwrap().len() == 1
        })
        .await
    );
    let (s, _) = sb
        .post("/_sandbox/faults/api", json!({"status": 404, "count": 1}))
        .await;
    assert_eq!(s, 400, "only 5xx can be injected");
}

/// `after_apply`: the call is handled (the capture happens) and the answer is a 5xx anyway —
/// the realistic ambiguous failure. `method`: reads pass untouched and leave the fault for the
/// next POST.
#[tokio::test]
async fn api_fault_after_apply_and_method_filter() {
    let sb = start().await;
    let id = sb.authorised("300").await;
    let (s, v) = sb
        .post(
            "/_sandbox/faults/api",
            json!({"status": 503, "count": 1, "after_apply": true, "method": "post"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["api"]["method"], "POST");
    assert_eq!(sb.status_of(&id).await, "authorised", "a GET passes");
    let (_, f) = sb.get("/_sandbox/faults").await;
    assert_eq!(
        f["api"]["count"], 1,
        "the read left the POST fault in place"
    );
    let (s, v) = sb.capture(&id, "100").await;
    assert_eq!(s, 503, "{v}");
    assert_eq!(code(&v), "service_unavailable");
    let (_, order) = sb.get(&format!("/orders/{id}")).await;
    assert_eq!(
        order["status"], "partially_captured",
        "applied before the 5xx"
    );
    assert_eq!(order["captured_amount"]["amount"].to_string(), "100.00");
    assert_eq!(
        order["transactions"]["captures"].as_array().unwrap().len(),
        1
    );

    // Without after_apply a POST fault answers before handling: nothing happens.
    sb.post(
        "/_sandbox/faults/api",
        json!({"status": 500, "count": 1, "method": "POST"}),
    )
    .await;
    let (s, _) = sb.capture(&id, "50").await;
    assert_eq!(s, 500);
    let (_, order) = sb.get(&format!("/orders/{id}")).await;
    assert_eq!(order["captured_amount"]["amount"].to_string(), "100.00");
    let (s, _) = sb
        .post(
            "/_sandbox/faults/api",
            json!({"status": 503, "count": 1, "method": "PATCH"}),
        )
        .await;
    assert_eq!(s, 400, "unknown methods are refused");
}

/// `latency_ms`: every API call, of any method and without a count, answers after the latency
/// until it is set to 0 or the faults are cleared (back to the configured one); `/_sandbox/`
/// calls are neither slowed nor counted. `/_sandbox/calls` counts what a client spent.
#[tokio::test]
async fn standing_latency_slows_every_call_and_calls_are_counted() {
    use std::time::{Duration, Instant};
    let sb = start().await;
    let id = sb.new_order("100").await;
    let (s, v) = sb.get("/_sandbox/calls").await;
    assert_eq!(s, 200);
    assert_eq!(v, json!({"total": 1, "by_method": {"POST": 1}}));
    let (s, v) = sb
        .post("/_sandbox/faults/api", json!({"latency_ms": 150}))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["api"]["latency_ms"], 150);
    // Staging another fault leaves the latency alone.
    sb.post("/_sandbox/faults/api", json!({"status": 503, "count": 1}))
        .await;
    let started = Instant::now();
    let (s, _) = sb.get(&format!("/orders/{id}")).await;
    assert_eq!(s, 503, "the injected failure also waits");
    for _ in 0..2 {
        assert_eq!(sb.status_of(&id).await, "new");
    }
    assert!(
        started.elapsed() >= Duration::from_millis(450),
        "three slow calls"
    );
    let started = Instant::now();
    sb.get("/_sandbox/orders").await;
    assert!(
        started.elapsed() < Duration::from_millis(150),
        "control calls are not slowed"
    );
    let (_, v) = sb.get("/_sandbox/calls").await;
    assert_eq!(v, json!({"total": 4, "by_method": {"GET": 3, "POST": 1}}));

    sb.call("DELETE", "/_sandbox/faults", None).await;
    let started = Instant::now();
    sb.status_of(&id).await;
    assert!(started.elapsed() < Duration::from_millis(150), "cleared");
    let (s, _) = sb
        .post("/_sandbox/faults/api", json!({"latency_ms": 700_000}))
        .await;
    assert_eq!(s, 400, "at most ten minutes");
    sb.call("DELETE", "/_sandbox/calls", None).await;
    let (_, v) = sb.get("/_sandbox/calls").await;
    assert_eq!(v, json!({"total": 0, "by_method": {}}));

    // The configured latency is where clearing returns to.
    let sb = start_with(tamara_sandbox::SandboxConfig {
        api_latency: Duration::from_millis(150),
        ..config()
    })
    .await;
    sb.post("/_sandbox/faults/api", json!({"latency_ms": 0}))
        .await;
    let started = Instant::now();
    sb.new_order("100").await;
    assert!(started.elapsed() < Duration::from_millis(150), "set to 0");
    sb.call("DELETE", "/_sandbox/faults", None).await;
    let started = Instant::now();
    sb.new_order("100").await;
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "back to the configured"
    );
}

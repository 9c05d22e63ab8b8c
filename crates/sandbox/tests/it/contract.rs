//! Contract: every answer carries (at least) the documented keys with compatible JSON types,
//! checked against tests/fixtures/reference/ — never against the client crate.
// Test helpers outside #[test] fns panic on purpose: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use serde_json::{Value, json};

fn assert_conforms(fixture_name: &str, actual: &Value) {
    let mut errors = Vec::new();
    conforms(&fixture(fixture_name), actual, "$", &mut errors);
    assert!(
        errors.is_empty(),
        "{fixture_name}: {errors:#?}\nactual: {actual}"
    );
}

#[test]
fn helper_rejects_missing_keys_and_wrong_types() {
    let mut e = Vec::new();
    conforms(
        &json!({"a": 1, "b": {"c": "x"}}),
        &json!({"a": "1.5", "b": {"c": 3}}),
        "$",
        &mut e,
    );
    assert_eq!(e.len(), 1);
    e.clear();
    conforms(&json!({"a": [{"k": 1}]}), &json!({"a": [{}]}), "$", &mut e);
    assert_eq!(e, ["$.a[0].k: missing"]);
}

#[tokio::test]
async fn api_answers_match_documented_examples() {
    let sb = start().await;
    let (s, checkout) = sb.post("/checkout", fixture("checkout_request.json")).await;
    assert_eq!(s, 200, "{checkout}");
    assert_conforms("checkout_response.json", &checkout);
    let id = checkout["order_id"].as_str().unwrap().to_owned();
    sb.post(&format!("/_sandbox/orders/{id}/approve"), json!({}))
        .await;
    let (_, v) = sb.post(&format!("/orders/{id}/authorise"), json!({})).await;
    assert_conforms("authorise_response.json", &v);
    let (_, v) = sb.cancel(&id, "100").await;
    assert_conforms("cancel_response.json", &v);
    let mut cap = capture_body(&id, "230", "SAR");
    cap["shipping_info"]["tracking_number"] = json!("SM123");
    cap["shipping_amount"] = money("25", "SAR");
    cap["items"] = fixture("checkout_request.json")["items"].clone();
    let (_, v) = sb.post("/payments/capture", cap).await;
    assert_conforms("capture_response.json", &v);
    let capture_id = v["capture_id"].clone();
    for path in [
        format!("/orders/{id}"),
        format!("/merchants/orders/{id}"),
        "/merchants/orders/reference-id/WEB-100234".to_owned(),
    ] {
        let (_, v) = sb.get(&path).await;
        assert_conforms("order_details.json", &v);
    }
    let (_, v) = sb
        .post(
            &format!("/payments/simplified-refund/{id}"),
            json!({"total_amount": money("95", "SAR"), "comment": "Returned 1 lamp"}),
        )
        .await;
    assert_conforms("simplified_refund_response.json", &v);
    let mut legacy = fixture("legacy_refund_request.json");
    legacy["order_id"] = json!(id);
    legacy["refunds"][0]["capture_id"] = capture_id;
    legacy["refunds"][0]["total_amount"] = money("35", "SAR");
    let (s, v) = sb.post("/payments/refund", legacy).await;
    assert_eq!(s, 200, "{v}");
    assert_conforms("composed_legacy_refund_response.json", &v);
    // Details after refunds carry non-empty refunds/cancels lists.
    let (_, v) = sb.get(&format!("/orders/{id}")).await;
    assert_eq!(v["transactions"]["refunds"].as_array().unwrap().len(), 2);
    assert!(v["transactions"]["refunds"][0]["refund_id"].is_string());
    assert!(v["transactions"]["cancels"][0]["cancel_id"].is_string());

    let (_, v) = sb
        .call(
            "PUT",
            &format!("/orders/{id}/reference-id"),
            Some(fixture("composed_update_reference_request.json")),
        )
        .await;
    assert_conforms("composed_update_reference_response.json", &v);

    let (_, v) = sb
        .post("/webhooks", fixture("webhook_register_request.json"))
        .await;
    assert_conforms("composed_webhook_response.json", &v);
    let wid = v["webhook_id"].as_str().unwrap().to_owned();
    let (_, v) = sb.get(&format!("/webhooks/{wid}")).await;
    assert_conforms("composed_webhook_response.json", &v);
    let (_, v) = sb
        .call(
            "PUT",
            &format!("/webhooks/{wid}"),
            Some(fixture("webhook_register_request.json")),
        )
        .await;
    assert_conforms("composed_webhook_response.json", &v);

    let (_, v) = sb.get("/checkout/payment-types?country=SA").await;
    let expected = fixture("composed_payment_types_response.json");
    for e in expected.as_array().unwrap() {
        let a = v
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == e["name"])
            .unwrap();
        let mut errors = Vec::new();
        conforms(e, a, "$", &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
    }

    let (s, v) = sb.post("/checkout", json!({})).await;
    assert_eq!(s, 400);
    assert_conforms("error_body.json", &v);
    let (_, v) = sb.call_token("GET", "/webhooks", None, None).await;
    assert_conforms("error_body.json", &v);
}

#[tokio::test]
async fn notifications_match_documented_examples() {
    let sb = start().await;
    let rx = Receiver::start().await;
    register(&sb, &rx.url("/h"), &ALL_EVENTS).await;
    let mut body = fixture("checkout_request.json");
    body["merchant_url"]["notification"] = json!(rx.url("/legacy"));
    let (_, c) = sb.post("/checkout", body).await;
    let id = c["order_id"].as_str().unwrap().to_owned();
    sb.post(&format!("/_sandbox/orders/{id}/approve"), json!({}))
        .await;
    sb.post(&format!("/orders/{id}/authorise"), json!({})).await;
    sb.cancel(&id, "100").await;
    sb.capture(&id, "230").await;
    sb.refund(&id, "195").await;
    let declined = sb.new_order("100").await;
    sb.post(&format!("/_sandbox/orders/{declined}/decline"), json!({}))
        .await;
    let canceled = sb.authorised("100").await;
    sb.cancel(&canceled, "100").await;
    // 5 webhooks + 5 legacy for `id`, then declined (1) and canceled (3)
    let seen = rx.wait_for(14).await;
    let hook = |e: &str| {
        seen.iter()
            .find(|r| r.body["event_type"] == e)
            .unwrap()
            .body
            .clone()
    };
    assert_conforms(
        "composed_notification_order_approved.json",
        &hook("order_approved"),
    );
    assert_conforms(
        "composed_notification_order_canceled.json",
        &hook("order_canceled"),
    );
    assert_conforms(
        "composed_notification_order_canceled.json",
        &hook("order_updated"),
    );
    assert_conforms("notification_order_captured.json", &hook("order_captured"));
    assert_conforms(
        "composed_notification_order_refunded.json",
        &hook("order_refunded"),
    );
    assert_conforms(
        "composed_notification_order_declined.json",
        &hook("order_declined"),
    );
    assert_eq!(
        hook("order_captured")["data"]["captured_amount"]["amount"].to_string(),
        "230.00"
    );
    let legacy = seen
        .iter()
        .find(|r| r.body["order_status"] == "approved")
        .unwrap();
    assert_conforms("composed_legacy_notification.json", &legacy.body);
}

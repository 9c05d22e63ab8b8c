//! Disputes over real HTTP: opened and moved through the control endpoints, each move's event
//! signed and delivered to a real receiver registered for `dispute` events; the third-party
//! list and update paths behind their switch; both notification shapes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
use serde_json::{Value, json};
use tamara_sandbox::SandboxConfig;
use tamara_sandbox::disputes::{DISPUTE_EVENTS, DisputePayload};

const LIST: &str = "/external/merchants/orders/disputes/";

async fn register_disputes(sb: &Sb, url: &str) {
    let (s, v) = sb
        .post(
            "/webhooks",
            json!({"type": "dispute", "url": url, "events": DISPUTE_EVENTS}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
}

/// A captured order with a dispute opened on it; returns (order id, dispute answer).
async fn disputed(sb: &Sb, body: Value) -> (String, Value) {
    let id = sb.authorised("300.00").await;
    let (s, v) = sb.capture(&id, "300.00").await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = sb
        .post(&format!("/_sandbox/orders/{id}/disputes"), body)
        .await;
    assert_eq!(s, 200, "{v}");
    (id, v)
}

fn signed(r: &Received) -> bool {
    let q = r.query.clone().unwrap_or_default();
    let token = url::form_urlencoded::parse(q.as_bytes())
        .find(|(k, _)| k == "tamaraToken")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let key = DecodingKey::from_secret(NOTIFICATION_TOKEN.as_bytes());
    decode::<Value>(&token, &key, &Validation::new(Algorithm::HS256)).is_ok()
}

#[tokio::test]
async fn a_dispute_is_opened_moved_through_each_event_and_every_event_is_signed_and_sent() {
    let sb = start().await;
    let rx = Receiver::start().await;
    register_disputes(&sb, &rx.url("/disputes")).await;
    // An order webhook must not receive dispute events.
    let orders = Receiver::start().await;
    register(&sb, &orders.url("/orders"), &["order_captured"]).await;
    let (order_id, d) = disputed(
        &sb,
        json!({"amount": money("120.50", "SAR"), "comment": "not received"}),
    )
    .await;
    assert_eq!(d["dispute_id"], 1);
    assert_eq!(d["dispute_status"], "awaiting_merchant_response");
    assert_eq!(d["amount"]["amount"].to_string(), "120.50");
    let seen = rx.wait_for(1).await;
    let first = &seen[0].body;
    assert_eq!(first["event_type"], "OrderDisputeAwaitingMerchantResponse");
    assert_eq!(first["order_id"], order_id.as_str());
    assert_eq!(first["dispute_id"], 1);
    assert_eq!(
        first["data"]["dispute_status"],
        "awaiting_merchant_response"
    );
    assert_eq!(first["data"]["comment"], "not received");
    // Each of the other five events, each on a fresh dispute where it closes one.
    let expected = [
        ("OrderDisputeWasUpdated", "under_review"),
        ("OrderDisputeClosedMerchantAcceptedClaim", "claim_accepted"),
    ];
    for (event, status) in expected {
        let (s, v) = sb
            .post("/_sandbox/disputes/1/events", json!({"event": event}))
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["dispute_status"], status);
    }
    let (s, v) = sb
        .post(
            "/_sandbox/disputes/1/events",
            json!({"event": "OrderDisputeWasUpdated"}),
        )
        .await;
    assert_eq!(s, 409, "a closed dispute does not move: {v}");
    for (event, status) in [
        ("OrderDisputeClosedTamaraAcceptedClaim", "claim_accepted"),
        (
            "OrderDisputeClosedTamaraAcceptedAndMerchantRefundedClaim",
            "closed",
        ),
        ("OrderDisputeClosedClaimCancelled", "cancelled"),
    ] {
        let (_, d) = disputed(&sb, json!({})).await;
        let id = d["dispute_id"].as_i64().unwrap();
        let (s, v) = sb
            .post(
                &format!("/_sandbox/disputes/{id}/events"),
                json!({"event": event}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["dispute_status"], status);
        assert!(v["closed_at"].is_string());
    }
    // 1 open + 2 moves + 3 × (open + close).
    let seen = rx.wait_for(9).await;
    let mut events: Vec<&str> = seen
        .iter()
        .map(|r| r.body["event_type"].as_str().unwrap())
        .collect();
    events.sort_unstable();
    events.dedup();
    assert_eq!(events.len(), 6, "all six events were sent: {events:?}");
    assert!(
        seen.iter().all(signed),
        "every delivery carries a valid token"
    );
    assert!(
        orders
            .events()
            .iter()
            .all(|e| !e.starts_with("OrderDispute")),
        "{:?}",
        orders.events()
    );
    let log = sb.deliveries().await;
    assert!(log.iter().any(|a| a["kind"] == "dispute"));
}

#[tokio::test]
async fn opening_needs_a_paid_order_and_a_fitting_amount() {
    let sb = start().await;
    let fresh = sb.new_order("100.00").await;
    let (s, v) = sb
        .post(&format!("/_sandbox/orders/{fresh}/disputes"), json!({}))
        .await;
    assert_eq!(s, 409, "{v}");
    let id = sb.authorised("100.00").await;
    for amount in [money("100.01", "SAR"), money("0", "SAR"), money("5", "AED")] {
        let (s, v) = sb
            .post(
                &format!("/_sandbox/orders/{id}/disputes"),
                json!({ "amount": amount }),
            )
            .await;
        assert_eq!(s, 400, "{v}");
    }
    let (s, v) = sb
        .post(
            "/_sandbox/disputes/99/events",
            json!({"event": "OrderDisputeWasUpdated"}),
        )
        .await;
    assert_eq!(s, 404, "{v}");
    let (_, d) = disputed(&sb, json!({})).await;
    let (s, v) = sb
        .post(
            &format!("/_sandbox/disputes/{}/events", d["dispute_id"]),
            json!({"event": "order_captured"}),
        )
        .await;
    assert_eq!(s, 400, "{v}");
}

#[tokio::test]
async fn sim_the_dispute_api_is_a_switch_off_by_default() {
    let sb = start().await;
    let (s, _) = sb.get(LIST).await;
    assert_eq!(s, 404, "no Tamara source has the path");
    let sb = start_with(SandboxConfig {
        dispute_api_enabled: true,
        ..config()
    })
    .await;
    let (s, v) = sb.get(LIST).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["total"], 0);
    assert_eq!(v["data"]["disputes"], json!([]));
    let (order_id, _) = disputed(&sb, json!({})).await;
    disputed(&sb, json!({})).await;
    let (s, v) = sb.get(&format!("{LIST}?order_id={order_id}")).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["total"], 1);
    let one = &v["data"]["disputes"]["1"];
    assert_eq!(one["order_id"], order_id.as_str());
    assert_eq!(one["order_status"], "fully_captured");
    assert_eq!(
        one["activities"][0]["event"],
        "OrderDisputeAwaitingMerchantResponse"
    );
    let (_, v) = sb.get(&format!("{LIST}?dispute_status=under_review")).await;
    assert_eq!(v["total"], 0);
    // The update: a multipart comment.
    let form =
        "--b\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\nshipped 2 Dec\r\n--b--\r\n";
    let resp = sb
        .http
        .post(format!("{}{LIST}1", sb.base))
        .bearer_auth(TOKEN)
        .header("content-type", "multipart/form-data; boundary=b")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["message"], "order.dispute.updated_successfully");
    let (_, v) = sb.get(&format!("{LIST}?dispute_id=1")).await;
    let one = &v["data"]["disputes"]["1"];
    assert_eq!(one["dispute_status"], "under_review");
    assert_eq!(one["activities"][1]["comment"], "shipped 2 Dec");
    let (s, _) = sb
        .post(
            &format!("{LIST}1"),
            json!({"comment": "json is not a form"}),
        )
        .await;
    assert_eq!(s, 400);
    let (s, _) = sb.call_token("GET", LIST, None, None).await;
    assert_eq!(s, 401, "the profile's paths need the API token");
}

#[tokio::test]
async fn sim_the_dispute_payload_is_a_switch() {
    for shape in [DisputePayload::LikeOrder, DisputePayload::Unrecognised] {
        let sb = start_with(SandboxConfig {
            dispute_payload: shape,
            ..config()
        })
        .await;
        let rx = Receiver::start().await;
        register_disputes(&sb, &rx.url("/d")).await;
        let (order_id, _) = disputed(&sb, json!({})).await;
        let body = rx.wait_for(1).await[0].body.clone();
        assert_eq!(body["event_type"], "OrderDisputeAwaitingMerchantResponse");
        match shape {
            DisputePayload::LikeOrder => assert_eq!(body["order_id"], order_id.as_str()),
            DisputePayload::Unrecognised => {
                assert!(body.get("order_id").is_none(), "{body}");
                assert_eq!(body["dispute"]["order"]["uuid"], order_id.as_str());
            }
        }
    }
}

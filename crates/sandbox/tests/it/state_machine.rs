//! Every allowed transition of §9.2 and every refused cell of §9.3, over real HTTP.
// Test helpers outside #[test] fns panic on purpose: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use serde_json::json;

fn code(v: &serde_json::Value) -> &str {
    v["errors"][0]["error_code"].as_str().unwrap_or("")
}

#[tokio::test]
async fn full_happy_path_with_partial_moves() {
    let sb = start().await;
    let id = sb.new_order("460.00").await;
    assert_eq!(sb.status_of(&id).await, "new");
    sb.post(&format!("/_sandbox/orders/{id}/approve"), json!({}))
        .await;
    assert_eq!(sb.status_of(&id).await, "approved");
    let (s, v) = sb
        .post(&format!("/orders/{id}/authorise"), json!({"order_id": id}))
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["status"], "authorised");
    assert_eq!(v["auto_captured"], false);
    assert_eq!(v["capture_id"], "");
    assert_eq!(v["authorized_amount"]["amount"].to_string(), "460.00");

    let (s, v) = sb.cancel(&id, "60").await;
    assert_eq!((s, v["status"].as_str()), (200, Some("updated")));
    assert_eq!(v["canceled_amount"]["amount"].to_string(), "60.00");

    let (s, v) = sb.capture(&id, "150.50").await;
    assert_eq!((s, v["status"].as_str()), (200, Some("partially_captured")));
    assert_eq!(v["captured_amount"]["amount"].to_string(), "150.50");
    let (s, v) = sb.capture(&id, "249.50").await;
    assert_eq!(
        (s, v["status"].as_str()),
        (200, Some("fully_captured")),
        "{v}"
    );

    let (s, v) = sb.refund(&id, "100").await;
    assert_eq!((s, v["status"].as_str()), (200, Some("partially_refunded")));
    let (s, v) = sb.refund(&id, "300").await;
    assert_eq!(
        (s, v["status"].as_str()),
        (200, Some("fully_refunded")),
        "{v}"
    );

    let (_, d) = sb.get(&format!("/merchants/orders/{id}")).await;
    assert_eq!(d["captured_amount"]["amount"].to_string(), "400.00");
    assert_eq!(d["refunded_amount"]["amount"].to_string(), "400.00");
    assert_eq!(d["canceled_amount"]["amount"].to_string(), "60.00");
    assert_eq!(d["transactions"]["captures"].as_array().unwrap().len(), 2);
    assert_eq!(d["transactions"]["refunds"].as_array().unwrap().len(), 2);
    assert_eq!(d["transactions"]["cancels"].as_array().unwrap().len(), 1);
    assert_eq!(d["settlement_status"], "pending");
    let (_, d2) = sb.get(&format!("/orders/{id}")).await;
    assert_eq!(d, d2, "both detail paths answer the same");
}

#[tokio::test]
async fn full_cancel_and_full_capture_from_authorised() {
    let sb = start().await;
    let a = sb.authorised("100").await;
    let (s, v) = sb.cancel(&a, "100").await;
    assert_eq!((s, v["status"].as_str()), (200, Some("canceled")));
    let b = sb.authorised("100").await;
    let (s, v) = sb.capture(&b, "100").await;
    assert_eq!((s, v["status"].as_str()), (200, Some("fully_captured")));
    // updated → canceled (cancel everything still open)
    let c = sb.authorised("100").await;
    sb.cancel(&c, "30").await;
    let (s, v) = sb.cancel(&c, "70").await;
    assert_eq!((s, v["status"].as_str()), (200, Some("canceled")));
    // updated → fully_captured
    let d = sb.authorised("100").await;
    sb.cancel(&d, "30").await;
    let (s, v) = sb.capture(&d, "70").await;
    assert_eq!((s, v["status"].as_str()), (200, Some("fully_captured")));
}

#[tokio::test]
async fn capture_allowed_after_partial_refund_if_remainder() {
    let sb = start().await;
    let id = sb.authorised("100").await;
    sb.capture(&id, "40").await;
    let (_, v) = sb.refund(&id, "10").await;
    assert_eq!(v["status"], "partially_refunded");
    let (s, v) = sb.capture(&id, "60").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v["status"], "partially_refunded",
        "status never goes backwards"
    );
    let (s, v) = sb.capture(&id, "1").await;
    assert_eq!((s, code(&v)), (409, "transition_not_allowed"));
}

/// Builds an order in the given status.
async fn in_status(sb: &Sb, status: &str) -> String {
    match status {
        "new" => sb.new_order("100").await,
        "approved" => sb.approved("100").await,
        "authorised" => sb.authorised("100").await,
        "declined" => {
            let id = sb.new_order("100").await;
            sb.post(&format!("/_sandbox/orders/{id}/decline"), json!({}))
                .await;
            id
        }
        "expired" => {
            let id = sb.new_order("100").await;
            sb.post(&format!("/_sandbox/orders/{id}/expire"), json!({}))
                .await;
            id
        }
        "updated" => {
            let id = sb.authorised("100").await;
            sb.cancel(&id, "10").await;
            id
        }
        "canceled" => {
            let id = sb.authorised("100").await;
            sb.cancel(&id, "100").await;
            id
        }
        "partially_captured" => {
            let id = sb.authorised("100").await;
            sb.capture(&id, "50").await;
            id
        }
        "fully_captured" => {
            let id = sb.authorised("100").await;
            sb.capture(&id, "100").await;
            id
        }
        "partially_refunded" => {
            let id = sb.authorised("100").await;
            sb.capture(&id, "100").await;
            sb.refund(&id, "10").await;
            id
        }
        "fully_refunded" => {
            let id = sb.authorised("100").await;
            sb.capture(&id, "100").await;
            sb.refund(&id, "100").await;
            id
        }
        other => panic!("unknown status {other}"),
    }
}

const ALL: [&str; 11] = [
    "new",
    "approved",
    "authorised",
    "updated",
    "partially_captured",
    "fully_captured",
    "partially_refunded",
    "fully_refunded",
    "canceled",
    "declined",
    "expired",
];

/// The §9.3 table: every "no" cell answers Tamara's 409 `transition_not_allowed` with the
/// order id and its current status.
#[tokio::test]
async fn refused_operations_table() {
    let sb = start().await;
    let allowed = |op: &str, st: &str| -> bool {
        match op {
            "authorise" => st == "approved",
            "capture" => ["authorised", "updated", "partially_captured"].contains(&st),
            "cancel" => ["authorised", "updated"].contains(&st),
            "refund" => {
                ["partially_captured", "fully_captured", "partially_refunded"].contains(&st)
            }
            _ => unreachable!(),
        }
    };
    for st in ALL {
        for op in ["authorise", "capture", "cancel", "refund"] {
            if allowed(op, st) {
                continue;
            }
            let id = in_status(&sb, st).await;
            assert_eq!(sb.status_of(&id).await, st);
            let (s, v) = match op {
                "authorise" => sb.post(&format!("/orders/{id}/authorise"), json!({})).await,
                "capture" => sb.capture(&id, "1").await,
                "cancel" => sb.cancel(&id, "1").await,
                _ => sb.refund(&id, "1").await,
            };
            assert_eq!(s, 409, "{op} in {st}: {v}");
            assert_eq!(code(&v), "transition_not_allowed", "{op} in {st}");
            assert_eq!(v["errors"][0]["data"]["old_state"], st);
            assert_eq!(v["errors"][0]["data"]["order_id"], id.as_str());
            assert!(v["message"].is_string());
            assert_eq!(sb.status_of(&id).await, st, "refusal changed nothing");
        }
        // Reference updates and reads are allowed in every status.
        let id = in_status(&sb, st).await;
        let (s, v) = sb
            .call(
                "PUT",
                &format!("/orders/{id}/reference-id"),
                Some(json!({"order_reference_id": format!("R-{st}")})),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["message"], "Order reference id was updated successfully");
        let (s, v) = sb
            .get(&format!("/merchants/orders/reference-id/R-{st}"))
            .await;
        assert_eq!((s, v["order_id"].as_str()), (200, Some(id.as_str())));
    }
}

#[tokio::test]
async fn repeated_authorise_reports_equal_states() {
    let sb = start().await;
    let id = sb.authorised("100").await;
    let (s, v) = sb.post(&format!("/orders/{id}/authorise"), json!({})).await;
    assert_eq!(s, 409);
    assert_eq!(
        v["errors"][0]["data"],
        json!({"order_id": id, "old_state": "authorised", "new_state": "authorised"})
    );
    assert_eq!(
        v["message"],
        format!("The order {id} cannot be moved to the status authorised from authorised")
    );
}

#[tokio::test]
async fn amount_rules() {
    let sb = start().await;
    let id = sb.authorised("100").await;
    let (s, v) = sb.capture(&id, "100.01").await;
    assert_eq!((s, code(&v)), (400, "amount_exceeds_remaining"));
    assert_eq!(
        v["errors"][0]["data"]["remaining_amount"]["amount"].to_string(),
        "100.00"
    );
    let (s, v) = sb.cancel(&id, "100.01").await;
    assert_eq!((s, code(&v)), (400, "amount_exceeds_remaining"));
    let (s, v) = sb.capture(&id, "0").await;
    assert_eq!((s, code(&v)), (400, "invalid_field"));
    let (s, v) = sb.capture(&id, "-5").await;
    assert_eq!(s, 400, "{v}");
    let (s, v) = sb
        .post("/payments/capture", capture_body(&id, "10", "AED"))
        .await;
    assert_eq!((s, code(&v)), (400, "total_amount_invalid_currency"));
    let (s, v) = sb.capture(&id, "10.005").await;
    assert_eq!((s, code(&v)), (400, "amount_invalid_precision"));
    sb.capture(&id, "40").await;
    let (s, v) = sb.refund(&id, "40.01").await;
    assert_eq!((s, code(&v)), (400, "amount_exceeds_remaining"));
    let (s, v) = sb
        .post(
            &format!("/payments/simplified-refund/{id}"),
            json!({"total_amount": money("1", "KWD"), "comment": "x"}),
        )
        .await;
    assert_eq!((s, code(&v)), (400, "total_amount_invalid_currency"));
    // Nothing above changed the order.
    let (_, d) = sb.get(&format!("/orders/{id}")).await;
    assert_eq!(d["captured_amount"]["amount"].to_string(), "40.00");
    assert_eq!(d["refunded_amount"]["amount"].to_string(), "0.00");
}

#[tokio::test]
async fn three_decimal_currency() {
    let sb = start().await;
    let id = sb.new_order_in("12.345", "KWD", "KW").await;
    let (_, d) = sb.get(&format!("/orders/{id}")).await;
    assert_eq!(d["total_amount"]["amount"].to_string(), "12.345");
    assert_eq!(d["total_amount"]["currency"], "KWD");
    let (s, v) = sb
        .post("/checkout", checkout_body("12.3456", "KWD", "KW"))
        .await;
    assert_eq!((s, code(&v)), (400, "amount_invalid_precision"));
    let (s, v) = sb
        .post("/checkout", checkout_body("12.345", "SAR", "SA"))
        .await;
    assert_eq!((s, code(&v)), (400, "amount_invalid_precision"));
    sb.post(&format!("/_sandbox/orders/{id}/approve"), json!({}))
        .await;
    sb.post(&format!("/orders/{id}/authorise"), json!({})).await;
    let (s, v) = sb
        .post("/payments/capture", capture_body(&id, "2.005", "KWD"))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["captured_amount"]["amount"].to_string(), "2.005");
}

#[tokio::test]
async fn legacy_refund_per_capture() {
    let sb = start().await;
    let id = sb.authorised("100").await;
    let (_, c1) = sb.capture(&id, "60").await;
    let (_, c2) = sb.capture(&id, "40").await;
    let body = |cap: &serde_json::Value, amt: &str| json!({"order_id": id, "refunds": [{"capture_id": cap["capture_id"], "total_amount": money(amt, "SAR")}]});
    let (s, v) = sb.post("/payments/refund", body(&c2, "40.01")).await;
    assert_eq!((s, code(&v)), (400, "amount_exceeds_remaining"));
    let (s, v) = sb.post("/payments/refund", body(&c1, "60")).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "partially_refunded");
    assert_eq!(v["refunds"][0]["capture_id"], c1["capture_id"]);
    let (s, v) = sb.post("/payments/refund", body(&c2, "40")).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("fully_refunded")));
    let (s, v) = sb
        .post("/payments/refund", json!({"order_id": id, "refunds": [{"capture_id": uuid::Uuid::nil(), "total_amount": money("1", "SAR")}]}))
        .await;
    assert_eq!(s, 409, "fully refunded refuses further refunds: {v}");
}

#[tokio::test]
async fn time_rules() {
    let sb = start().await;
    let fresh = sb.new_order("100").await;
    let approved = sb.approved("100").await;
    let authorised = sb.authorised("100").await;
    let updated = sb.authorised("100").await;
    sb.cancel(&updated, "25").await;
    // 29 minutes: nothing yet.
    sb.advance(json!({"minutes": 29})).await;
    assert_eq!(sb.status_of(&fresh).await, "new");
    sb.advance(json!({"minutes": 1})).await;
    assert_eq!(sb.status_of(&fresh).await, "expired");
    assert_eq!(sb.status_of(&approved).await, "approved");
    let v = sb.advance(json!({"hours": 72})).await;
    assert!(v["events"].to_string().contains("order_expired"));
    assert_eq!(sb.status_of(&approved).await, "expired");
    assert_eq!(sb.status_of(&authorised).await, "authorised");
    sb.advance(json!({"days": 21})).await;
    assert_eq!(sb.status_of(&authorised).await, "fully_captured");
    let (_, d) = sb.get(&format!("/orders/{updated}")).await;
    assert_eq!(d["status"], "fully_captured");
    assert_eq!(d["captured_amount"]["amount"].to_string(), "75.00");
    assert_eq!(d["transactions"]["captures"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn decline_and_reference_lookup_picks_newest() {
    let sb = start().await;
    let a = sb.new_order("100").await;
    let (s, v) = sb
        .post(
            &format!("/_sandbox/orders/{a}/decline"),
            json!({"declined_code": "R01"}),
        )
        .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("declined")));
    let b = sb.new_order("100").await;
    let (_, v) = sb.get("/merchants/orders/reference-id/WEB-100234").await;
    assert_eq!(v["order_id"].as_str(), Some(b.as_str()));
    let (s, v) = sb.get("/merchants/orders/reference-id/nope").await;
    assert_eq!((s, code(&v)), (404, "not_found"));
    let (s, _) = sb.get(&format!("/orders/{}", uuid::Uuid::nil())).await;
    assert_eq!(s, 404);
    let (s, _) = sb.get("/orders/not-a-uuid").await;
    assert_eq!(s, 404);
    let (s, _) = sb.capture(&uuid::Uuid::nil().to_string(), "1").await;
    assert_eq!(s, 404);
}

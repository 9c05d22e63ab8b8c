//! The real client against the real simulator over HTTP on loopback: every endpoint a console
//! uses, the full order lifecycle, and the simulator's refusals arriving as typed errors.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use mizan_scenarios::{approve, capture_request, checkout_request, client, sandbox};
use tamara::model::OrderStatus;
use tamara::model::order::UpdateReferenceRequest;
use tamara::model::payments::*;
use tamara::model::webhooks::{EventType, WebhookRequest};
use tamara::{Currency, Money, OrderPath};

fn sar(s: &str) -> Money {
    Money::parse(s, Currency::Sar).unwrap()
}

#[tokio::test]
async fn full_lifecycle_through_the_client() {
    let sb = sandbox(11).await;
    let c = client(&sb.base_url());

    let created = c
        .create_checkout(&checkout_request("LIFE-1"))
        .await
        .unwrap();
    assert_eq!(created.value.status, Some(OrderStatus::New));
    assert!(
        created
            .value
            .checkout_url
            .contains(&created.value.checkout_id)
    );
    let id = created.value.order_id.clone();

    // Both detail paths give the same answer (§5.8a), and the reference path finds it too.
    let a = c.order(&id, OrderPath::Orders).await.unwrap();
    let b = c.order(&id, OrderPath::MerchantsOrders).await.unwrap();
    assert_eq!(a.raw, b.raw);
    assert_eq!(
        c.order_by_reference("LIFE-1").await.unwrap().value.order_id,
        id
    );

    // Authorising a `new` order is a typed 409.
    let e = c.authorise(&id).await.unwrap_err();
    assert_eq!((e.status(), e.code()), (Some(409), "gateway_conflict"));

    approve(&sb.base_url(), &id).await;
    let auth = c.authorise(&id).await.unwrap();
    assert_eq!(auth.value.status, Some(OrderStatus::Authorised));
    assert_eq!(auth.value.authorized_amount, Some(sar("460")));

    let cap = c.capture(&capture_request(&id, "200.00")).await.unwrap();
    assert_eq!(cap.value.status, Some(OrderStatus::PartiallyCaptured));
    // Over-capture is refused with the remaining amount untouched.
    let e = c
        .capture(&capture_request(&id, "260.01"))
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400), "{e}");
    let cap2 = c.capture(&capture_request(&id, "260.00")).await.unwrap();
    assert_eq!(cap2.value.status, Some(OrderStatus::FullyCaptured));

    let refund = SimplifiedRefundRequest {
        total_amount: sar("60.50"),
        comment: "Returned one lamp".into(),
        merchant_refund_id: Some("RF-1".into()),
    };
    let r = c.simplified_refund(&id, &refund).await.unwrap();
    assert_eq!(r.value.status, Some(OrderStatus::PartiallyRefunded));
    let too_much = SimplifiedRefundRequest {
        total_amount: sar("400"),
        ..refund.clone()
    };
    assert_eq!(
        c.simplified_refund(&id, &too_much)
            .await
            .unwrap_err()
            .status(),
        Some(400)
    );

    // Legacy per-capture refund of the rest of the first capture.
    let legacy = LegacyRefundRequest {
        order_id: id.clone(),
        refunds: vec![LegacyRefund {
            capture_id: cap.value.capture_id.clone(),
            total_amount: sar("139.50"),
            refund_id: None,
            shipping_amount: None,
            tax_amount: None,
            discount_amount: None,
            items: vec![],
        }],
    };
    let l = c.legacy_refund(&legacy).await.unwrap();
    assert_eq!(l.value.refunds.len(), 1);

    let details = c.order(&id, OrderPath::Orders).await.unwrap().value;
    assert_eq!(details.captured_amount, Some(sar("460")));
    assert_eq!(details.refunded_amount, Some(sar("200")));
    let t = details.transactions.unwrap();
    assert_eq!((t.captures.len(), t.refunds.len()), (2, 2));

    // Cancelling captured money is refused: refund instead.
    let cancel = CancelRequest {
        total_amount: sar("1"),
        shipping_amount: None,
        tax_amount: None,
        discount_amount: None,
        items: vec![],
    };
    assert_eq!(
        c.cancel(&id, &cancel).await.unwrap_err().status(),
        Some(409)
    );

    let upd = c
        .update_reference(
            &id,
            &UpdateReferenceRequest {
                order_reference_id: "LIFE-1-R".into(),
            },
        )
        .await
        .unwrap();
    assert!(upd.value.message.is_some());
    assert_eq!(
        c.order_by_reference("LIFE-1-R")
            .await
            .unwrap()
            .value
            .order_id,
        id
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn partial_then_full_cancel() {
    let sb = sandbox(12).await;
    let c = client(&sb.base_url());
    let id = c
        .create_checkout(&checkout_request("CXL-1"))
        .await
        .unwrap()
        .value
        .order_id;
    approve(&sb.base_url(), &id).await;
    // Cancel before authorise is the documented 409.
    let cancel = |amount: &str| CancelRequest {
        total_amount: sar(amount),
        shipping_amount: None,
        tax_amount: None,
        discount_amount: None,
        items: vec![],
    };
    assert_eq!(
        c.cancel(&id, &cancel("10")).await.unwrap_err().status(),
        Some(409)
    );
    c.authorise(&id).await.unwrap();
    let p = c.cancel(&id, &cancel("100")).await.unwrap();
    assert_eq!(p.value.status, Some(OrderStatus::Updated));
    let f = c.cancel(&id, &cancel("360")).await.unwrap();
    assert_eq!(f.value.status, Some(OrderStatus::Canceled));
    let d = c.order(&id, OrderPath::Orders).await.unwrap().value;
    assert_eq!(d.canceled_amount, Some(sar("460")));
    sb.shutdown().await;
}

/// Tamara answers `"headers": []` (PHP's empty array) for a webhook with no custom headers; the
/// client must read it, or a registration fails after Tamara created it (an orphan).
#[tokio::test]
async fn a_webhook_without_custom_headers_round_trips_as_tamara_answers_it() {
    let sb = sandbox(14).await;
    let c = client(&sb.base_url());
    let req = WebhookRequest {
        kind: None,
        url: "https://console.example.test/hooks/plain".into(),
        events: vec![EventType::OrderApproved],
        headers: BTreeMap::new(),
    };
    let raw = c.register_webhook(&req).await.unwrap();
    assert_eq!(raw.raw["headers"], serde_json::json!([]), "{}", raw.raw);
    assert!(raw.value.headers.is_empty());
    let got = c.get_webhook(&raw.value.webhook_id).await.unwrap().value;
    assert!(got.headers.is_empty());
    assert_eq!(got.events, vec![EventType::OrderApproved]);
    sb.shutdown().await;
}

#[tokio::test]
async fn webhook_registrations_round_trip() {
    let sb = sandbox(13).await;
    let c = client(&sb.base_url());
    let req = WebhookRequest {
        kind: None,
        url: "https://console.example.test/hooks/tamara".into(),
        events: EventType::ORDER_EVENTS.to_vec(),
        headers: BTreeMap::from([("x-console-key".to_owned(), "k-7f3a".to_owned())]),
    };
    let w = c.register_webhook(&req).await.unwrap().value;
    // No listing path is documented: the simulator serves none unless switched on.
    let unlisted = c.list_webhooks("/webhooks/list").await.unwrap_err();
    assert_eq!(unlisted.status(), Some(404), "{unlisted}");
    let got = c.get_webhook(&w.webhook_id).await.unwrap().value;
    assert_eq!(got.events.len(), 8);
    let changed = WebhookRequest {
        events: vec![EventType::OrderApproved],
        ..req.clone()
    };
    let u = c
        .update_webhook(&w.webhook_id, &changed)
        .await
        .unwrap()
        .value;
    assert_eq!(u.events, vec![EventType::OrderApproved]);
    c.delete_webhook(&w.webhook_id).await.unwrap();
    assert_eq!(
        c.get_webhook(&w.webhook_id).await.unwrap_err().status(),
        Some(404)
    );
    let bad = WebhookRequest {
        url: "http://example.test/hook".into(),
        ..req
    };
    assert_eq!(
        c.register_webhook(&bad).await.unwrap_err().status(),
        Some(400)
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn payment_types_and_auth() {
    let sb = sandbox(14).await;
    let c = client(&sb.base_url());
    let types = c
        .payment_types("SA", Some(&sar("500")), None)
        .await
        .unwrap()
        .value;
    assert!(!types.is_empty());
    let wrong = tamara::TamaraClient::new(tamara::ClientConfig::new(
        sb.base_url(),
        tamara::Sensitive::new("not-the-token".into()),
    ))
    .unwrap();
    let e = wrong
        .order("00000000-0000-0000-0000-000000000000", OrderPath::Orders)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "gateway_unauthorized");
    let e = c
        .order("00000000-0000-0000-0000-000000000000", OrderPath::Orders)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "gateway_not_found");
    sb.shutdown().await;
}

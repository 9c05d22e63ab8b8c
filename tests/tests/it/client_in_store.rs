//! The real client against the real simulator for the calls around a checkout: the
//! payment-options pre-check, ID-verification status, in-store SMS and QR sessions, and their
//! void. Two implementations written apart from each other, so each call here is checked twice.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use mizan_scenarios::{approve, checkout_request, client, sandbox};
use tamara::model::checkout::PaymentOptionsPreCheckRequest;
use tamara::model::in_store::{InStoreQrRequest, InStoreSessionRequest, StoreData};
use tamara::model::{Item, OrderStatus, PaymentType};
use tamara::{ApiError, Currency, Money, OrderPath};

fn money(s: &str, c: Currency) -> Money {
    Money::parse(s, c).unwrap()
}

fn sar(s: &str) -> Money {
    money(s, Currency::Sar)
}

fn pre_check(amount: Money, phone: &str) -> PaymentOptionsPreCheckRequest {
    PaymentOptionsPreCheckRequest {
        country: "SA".into(),
        phone_number: phone.into(),
        order_value: amount,
        is_vip: Some(false),
    }
}

fn session(reference: &str, total: Money) -> InStoreSessionRequest {
    InStoreSessionRequest {
        total_amount: total,
        phone_number: "966500000042".into(),
        email: Some("customer@example.test".into()),
        order_reference_id: reference.into(),
        order_number: None,
        items: vec![Item {
            reference_id: "1".into(),
            kind: "Physical".into(),
            name: "Desk lamp".into(),
            sku: "LAMP-1".into(),
            quantity: 1,
            total_amount: total,
            unit_price: Some(total),
            discount_amount: None,
            tax_amount: None,
            image_url: None,
            item_url: None,
        }],
        locale: Some("en_US".into()),
        payment_type: Some(PaymentType::PayByInstalments),
        instalments: Some(3),
        expiry_time: None,
        additional_data: Some(StoreData {
            store_code: "RUH-01".into(),
        }),
    }
}

fn qr(reference: &str, amount: Money) -> InStoreQrRequest {
    InStoreQrRequest {
        amount,
        platform: "MIZAN_POS_QR".into(),
        order_reference_id: Some(reference.into()),
        order_number: None,
        locale: None,
        additional_data: Some(StoreData {
            store_code: "RUH-01".into(),
        }),
    }
}

#[tokio::test]
async fn pre_check_and_id_verification_answer_as_documented() {
    let sb = sandbox(81).await;
    let c = client(&sb.base_url());

    let yes = c
        .payment_options_pre_check(&pre_check(sar("100"), "966500000042"))
        .await
        .unwrap();
    assert!(yes.value.has_available_payment_options);
    let label = &yes.value.available_payment_labels[0];
    assert_eq!(label.payment_type, PaymentType::PayByInstalments);
    assert!(label.instalment.is_some() && label.description_ar.is_some());
    let no = c
        .payment_options_pre_check(&pre_check(sar("99999"), "966500000042"))
        .await
        .unwrap();
    assert!(!no.value.has_available_payment_options);
    assert!(no.value.available_payment_labels.is_empty());

    // A phone is verified once a checkout with it was approved in that country.
    let phone = checkout_request("IDV-1").consumer.phone_number;
    let before = c.id_verification_status(&phone, "SA").await.unwrap();
    assert!(!before.value.is_id_verified);
    let order = c.create_checkout(&checkout_request("IDV-1")).await.unwrap();
    approve(&sb.base_url(), &order.value.order_id).await;
    let after = c.id_verification_status(&phone, "SA").await.unwrap();
    assert!(after.value.is_id_verified);
    sb.shutdown().await;
}

#[tokio::test]
async fn in_store_sessions_are_created_read_and_voided() {
    let sb = sandbox(82).await;
    let c = client(&sb.base_url());

    // An SMS session not yet paid is voided; a second void says it had already expired.
    let s = c
        .in_store_session(&session("POS-1", sar("150")))
        .await
        .unwrap();
    assert!(!s.value.checkout_deeplink.is_empty());
    let order = c.order(&s.value.order_id, OrderPath::Orders).await.unwrap();
    assert_eq!(order.value.status, Some(OrderStatus::New));
    let void = c
        .void_checkout(&s.value.checkout_id, &s.value.order_id, Some("RUH-01"))
        .await
        .unwrap();
    assert!(void.value.order_was_voided);
    assert_eq!(void.value.message.as_deref(), Some("success"));
    assert_eq!(void.value.store_code.as_deref(), Some("RUH-01"));
    let again = c
        .void_checkout(&s.value.checkout_id, &s.value.order_id, None)
        .await
        .unwrap();
    assert!(!again.value.order_was_voided);
    assert_eq!(
        again.value.message.as_deref(),
        Some("checkout_already_expired")
    );

    // A QR session paid at the till cannot be voided, and says what was captured.
    let q = c
        .in_store_qr("POS-DEVICE-7", &qr("POS-2", money("12.345", Currency::Kwd)))
        .await
        .unwrap();
    approve(&sb.base_url(), &q.value.order_id).await;
    let void = c
        .void_checkout(&q.value.checkout_id, &q.value.order_id, None)
        .await
        .unwrap();
    assert!(!void.value.order_was_voided);
    assert_eq!(
        void.value.message.as_deref(),
        Some("checkout_already_completed")
    );
    assert_eq!(
        void.value.captured_amount,
        Some(money("12.345", Currency::Kwd))
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn in_store_refusals_arrive_typed_and_a_bad_device_id_is_never_sent() {
    let sb = sandbox(83).await;
    let c = client(&sb.base_url());

    let e = c
        .in_store_session(&session("POS-3", money("10", Currency::Qar)))
        .await
        .unwrap_err();
    assert_eq!((e.status(), e.code()), (Some(400), "gateway_rejected"));
    assert_eq!(
        e.error_codes(),
        ["not_supported_country_currency".to_owned()]
    );

    let e = c
        .in_store_qr("till\n7", &qr("POS-4", sar("10")))
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Encode(_)), "{e:?}");
    assert!(!e.is_ambiguous());
    sb.shutdown().await;
}

//! The In store screen's calls against the real simulator: a QR sale started from the form's
//! text fields and voided, payment types at the currency's precision, and fields refused by
//! name before anything is sent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use mizan_core::desktop::till::{self, TillChannel, TillSaleInput};
use mizan_core::{Console, Error};

use crate::common;

async fn setup() -> (tamara_sandbox::SandboxHandle, Console, tempfile::TempDir) {
    let sim = tamara_sandbox::spawn(Default::default(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = common::config(dir.path(), &[]);
    config.sandbox.api_url = sim.base_url();
    (sim, Console::open(config).await.unwrap(), dir)
}

fn sale(channel: TillChannel) -> TillSaleInput {
    TillSaleInput {
        channel,
        phone: Some("966500000001".into()),
        email: None,
        device_id: Some(" TILL-07 ".into()),
        amount: " 12.500 ".into(),
        currency: "kwd".into(),
        reference: "TILL-KW-1".into(),
        item: None,
    }
}

#[tokio::test]
async fn a_qr_sale_from_the_form_is_started_cached_and_voided() {
    let (sim, console, _dir) = setup().await;
    let s = till::start(&console, &sale(TillChannel::Qr)).await.unwrap();
    assert!(!s.link.is_empty());
    let cached = console.cached_order(&s.order_id).await.unwrap();
    assert_eq!(cached.order.total.to_string(), "12.500 KWD");
    let v = till::void(&console, &s.checkout_id, &s.order_id)
        .await
        .unwrap();
    assert!(v.voided, "{v:?}");
    let again = till::void(&console, &s.checkout_id, &s.order_id)
        .await
        .unwrap();
    assert!(!again.voided && again.message.is_some(), "{again:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn payment_types_come_at_precision_and_bad_fields_are_named() {
    let (sim, console, _dir) = setup().await;
    let rows = till::payment_types(&console, "SA", Some("500".into()), "SAR")
        .await
        .unwrap();
    let instalments = rows
        .iter()
        .find(|r| r.name == "PAY_BY_INSTALMENTS")
        .unwrap();
    assert!(
        instalments
            .min
            .as_deref()
            .is_some_and(|m| m.ends_with(".00")),
        "{instalments:?}"
    );
    assert!(!instalments.instalments.is_empty());

    let mut bad = sale(TillChannel::Sms);
    bad.phone = Some("call me".into());
    let e = till::start(&console, &bad).await.unwrap_err();
    assert!(
        matches!(&e, Error::Invalid(m) if m.contains("phone")),
        "{e:?}"
    );
    let mut bad = sale(TillChannel::Qr);
    bad.amount = "1.0005".into();
    let e = till::start(&console, &bad).await.unwrap_err();
    assert!(
        matches!(&e, Error::Invalid(m) if m.contains("amount")),
        "{e:?}"
    );
    let e = till::pre_check(&console, "SA", "966500000001", "0", "SAR")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Invalid(_)), "{e:?}");
    let orders = reqwest::get(format!("{}/_sandbox/orders", sim.base_url()))
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(
        orders.as_array().map_or(0, Vec::len),
        0,
        "nothing reached Tamara: {orders}"
    );
    sim.shutdown().await;
}

//! An order stays readable when a field Mizan does not compute with holds something unexpected.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use tamara::model::order::OrderDetails;

fn documented_order() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/openapi/tamara-openapi.json"
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let ex = &doc["paths"]["/orders/{order_id}"]["get"]["responses"]["200"]["content"]["application/json"]
        ["examples"];
    ex.as_object().unwrap().values().nth(1).unwrap()["value"].clone()
}

/// Each mutation lands on a field the money rules do not read: the order reads, that one field
/// is left out and named.
#[test]
fn an_odd_value_in_a_field_mizan_does_not_compute_with_is_flagged_not_fatal() {
    let cases: Vec<(&str, Value, &str)> = vec![
        ("/instalments", json!("three"), "instalments"),
        ("/payment_type", json!(5), "payment_type"),
        ("/consumer/first_name", json!(12), "consumer.first_name"),
        ("/consumer", json!([]), "consumer"),
        (
            "/consumer/is_first_order",
            json!("yes"),
            "consumer.is_first_order",
        ),
        ("/shipping_address", json!([]), "shipping_address"),
        ("/billing_address", json!("n/a"), "billing_address"),
        ("/description", json!(7), "description"),
        ("/settlement_date", json!(5), "settlement_date"),
        ("/settlement_status", json!(false), "settlement_status"),
        ("/store_code", json!(7), "store_code"),
        ("/processing", json!("x"), "processing"),
        ("/order_number", json!(42), "order_number"),
        ("/created_at", json!(1_700_000_000), "created_at"),
        ("/items/0/image_url", json!(3), "items[0].image_url"),
        (
            "/transactions/captures/0/created_at",
            json!(1),
            "transactions.captures[0].created_at",
        ),
    ];
    for (ptr, v, flagged) in cases {
        let mut o = documented_order();
        *o.pointer_mut(ptr)
            .unwrap_or_else(|| panic!("{ptr} not in the example")) = v;
        assert!(
            serde_json::from_value::<OrderDetails>(o.clone()).is_err(),
            "{ptr}: strict fails"
        );
        let d = OrderDetails::from_json(&o).unwrap_or_else(|e| panic!("{ptr}: {e}"));
        // A required field left out takes its object with it (`consumer.first_name`, then
        // `consumer`); the first name flagged is always the field that was odd.
        assert_eq!(
            d.unreadable.first().map(String::as_str),
            Some(flagged),
            "{ptr}"
        );
        assert!(d.unreadable.len() <= 2, "{ptr}: {:?}", d.unreadable);
        assert!(
            d.total_amount.is_some() && d.status.is_some(),
            "{ptr}: the rest is read"
        );
    }
    let clean = OrderDetails::from_json(&documented_order()).unwrap();
    assert!(clean.unreadable.is_empty());
}

/// A field the money rules read must read: the order is refused rather than guessed.
#[test]
fn an_odd_value_in_a_computed_field_still_refuses_the_order() {
    for (ptr, v) in [
        ("/total_amount", json!("lots")),
        ("/captured_amount/amount", json!("x")),
        ("/items/0/quantity", json!("two")),
        ("/transactions/captures/0/total_amount", json!([])),
        ("/transactions/captures/0/shipping_info", json!("n/a")),
        ("/order_id", json!(5)),
    ] {
        let mut o = documented_order();
        *o.pointer_mut(ptr)
            .unwrap_or_else(|| panic!("{ptr} not in the example")) = v;
        assert!(OrderDetails::from_json(&o).is_err(), "{ptr}");
    }
}

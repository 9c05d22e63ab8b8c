//! Every rule of [`super::plan`], each with a case that passes and one that is refused.

use std::collections::BTreeMap;

use serde_json::json;
use tamara::model::payments::ShippingInfo;
use tamara::model::{Item, OrderStatus};
use tamara::money::{Currency, Money};

use super::*;
use crate::environment::Environment;
use crate::moves::input::{AmountInput, ItemSelection, MoveAction};
use crate::moves::reference;

const ALL: [&str; 12] = [
    "new",
    "declined",
    "expired",
    "approved",
    "authorised",
    "canceled",
    "updated",
    "partially_captured",
    "fully_captured",
    "partially_refunded",
    "fully_refunded",
    "on_hold",
];

fn money(s: &str, c: Currency) -> Money {
    Money::parse(s, c).unwrap()
}

fn sar(s: &str) -> Money {
    money(s, Currency::Sar)
}

fn item(reference: &str, qty: u32, total: &str) -> Item {
    Item {
        reference_id: reference.into(),
        kind: "Physical".into(),
        name: format!("Item {reference}"),
        sku: format!("SKU-{reference}"),
        quantity: qty,
        total_amount: sar(total),
        unit_price: None,
        discount_amount: Some(sar("1")),
        tax_amount: Some(sar("2")),
        image_url: None,
        item_url: None,
    }
}

/// A SAR order of 300 in `status` with the given cumulative amounts.
fn state(status: &str, captured: &str, refunded: &str, canceled: &str) -> OrderState {
    OrderState {
        order_id: "order-1".into(),
        order_reference_id: "REF-1".into(),
        status: OrderStatus::parse(status),
        total: sar("300"),
        captured: sar(captured),
        refunded: sar(refunded),
        canceled: sar(canceled),
        items: vec![item("a", 2, "200"), item("b", 3, "100")],
        captured_units: BTreeMap::new(),
    }
}

fn amount(s: &str) -> AmountInput {
    AmountInput::parse(s).unwrap()
}

fn shipping() -> ShippingInfo {
    ShippingInfo {
        shipped_at: "2026-05-01T10:00:00Z".into(),
        shipping_company: "SMSA".into(),
        tracking_number: Some("T1".into()),
        tracking_url: None,
    }
}

fn capture(a: Option<&str>) -> MoveAction {
    MoveAction::Capture {
        amount: a.map(amount),
        items: vec![],
        shipping: shipping(),
    }
}

fn capture_items(a: Option<&str>, items: Vec<ItemSelection>) -> MoveAction {
    MoveAction::Capture {
        amount: a.map(amount),
        items,
        shipping: shipping(),
    }
}

fn refund(a: &str) -> MoveAction {
    MoveAction::Refund {
        amount: amount(a),
        comment: "returned".into(),
    }
}

fn cancel(a: Option<&str>) -> MoveAction {
    MoveAction::Cancel {
        amount: a.map(amount),
    }
}

fn sel(reference: &str, qty: u32, total: Option<&str>) -> ItemSelection {
    ItemSelection {
        reference_id: Some(reference.into()),
        sku: None,
        quantity: qty,
        total_amount: total.map(amount),
    }
}

fn code(r: Result<PlannedMove, MoveRefusal>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(e) => e.code().as_str(),
    }
}

/// A state consistent with `status`, so only the status rule can refuse.
fn typical(status: &str) -> OrderState {
    match status {
        "partially_captured" => state(status, "100", "0", "0"),
        "fully_captured" => state(status, "300", "0", "0"),
        "partially_refunded" => state(status, "100", "50", "0"),
        "fully_refunded" => state(status, "300", "300", "0"),
        "updated" => state(status, "0", "0", "50"),
        "canceled" => state(status, "0", "0", "300"),
        _ => state(status, "0", "0", "0"),
    }
}

#[test]
fn the_status_matrix_of_reference_9_3() {
    type Case = (&'static str, fn() -> MoveAction, &'static [&'static str]);
    let allowed: [Case; 4] = [
        ("authorise", || MoveAction::Authorise, &["approved"]),
        (
            "capture",
            || capture(Some("10")),
            &[
                "authorised",
                "updated",
                "partially_captured",
                "partially_refunded",
            ],
        ),
        (
            "refund",
            || refund("10"),
            &["partially_captured", "fully_captured", "partially_refunded"],
        ),
        (
            "cancel",
            || cancel(Some("10")),
            &["authorised", "updated", "partially_captured"],
        ),
    ];
    for (name, action, ok) in allowed {
        for status in ALL {
            let got = code(plan(&typical(status), &action()));
            let want = if ok.contains(&status) {
                "ok"
            } else {
                "move_refused_status"
            };
            assert_eq!(got, want, "{name} from {status}");
        }
    }
}

#[test]
fn capture_after_a_partial_refund_needs_an_uncaptured_remainder() {
    let all_captured = state("partially_refunded", "300", "50", "0");
    assert_eq!(
        code(plan(&all_captured, &capture(Some("1")))),
        "move_refused_status"
    );
    let e = plan(&all_captured, &capture(None)).unwrap_err();
    assert!(e.to_string().contains("partially_refunded"), "{e}");
}

/// §16.10: whether Tamara lets a partially captured order cancel its remainder is unknown, so
/// the console sends it (Tamara decides) while something is uncaptured, and never cancels
/// captured money.
#[test]
fn cancel_after_a_partial_capture_needs_an_uncaptured_remainder() {
    let partly = state("partially_captured", "100", "0", "0");
    let p = plan(&partly, &cancel(None)).unwrap();
    assert_eq!(p.amount, sar("200"), "all that remains uncaptured");
    assert_eq!(
        code(plan(&partly, &cancel(Some("200.01")))),
        "amount_exceeds_cancelable"
    );
    let all = state("partially_captured", "200", "0", "100");
    assert_eq!(code(plan(&all, &cancel(None))), "move_refused_status");
}

#[test]
fn amounts_must_be_positive() {
    for a in ["0", "-5", "0.00"] {
        assert_eq!(
            code(plan(&typical("authorised"), &capture(Some(a)))),
            "amount_not_positive"
        );
        assert_eq!(
            code(plan(&typical("fully_captured"), &refund(a))),
            "amount_not_positive"
        );
        assert_eq!(
            code(plan(&typical("authorised"), &cancel(Some(a)))),
            "amount_not_positive"
        );
    }
}

#[test]
fn amounts_are_exact_at_the_currency_precision() {
    let s = typical("authorised");
    assert_eq!(code(plan(&s, &capture(Some("10.005")))), "amount_precision");
    assert_eq!(
        code(plan(&typical("fully_captured"), &refund("10.005"))),
        "amount_precision"
    );
    assert_eq!(code(plan(&s, &cancel(Some("0.001")))), "amount_precision");
    let p = plan(&s, &capture(Some("10.500"))).unwrap();
    assert_eq!(
        p.amount.amount_text(),
        "10.50",
        "trailing zeros are not precision"
    );
    let mut kwd = s.clone();
    kwd.total = money("300", Currency::Kwd);
    kwd.captured = money("0", Currency::Kwd);
    kwd.refunded = money("0", Currency::Kwd);
    kwd.canceled = money("0", Currency::Kwd);
    let p = plan(&kwd, &capture(Some("10.005"))).unwrap();
    assert_eq!(p.amount.to_string(), "10.005 KWD", "three places in KWD");
    assert_eq!(
        code(plan(&kwd, &capture(Some("10.0005")))),
        "amount_precision"
    );
}

#[test]
fn amounts_must_be_in_the_order_currency() {
    let s = typical("authorised");
    assert_eq!(
        code(plan(&s, &capture(Some("10 AED")))),
        "amount_currency_mismatch"
    );
    assert_eq!(
        code(plan(&s, &cancel(Some("KWD 1")))),
        "amount_currency_mismatch"
    );
    assert_eq!(
        code(plan(&typical("fully_captured"), &refund("1 BHD"))),
        "amount_currency_mismatch"
    );
    assert_eq!(code(plan(&s, &capture(Some("10 SAR")))), "ok");
}

#[test]
fn capture_is_bounded_by_total_minus_canceled_minus_captured() {
    let s = state("partially_captured", "100", "0", "50");
    assert_eq!(s.uncaptured(), sar("150"));
    assert_eq!(
        code(plan(&s, &capture(Some("150.01")))),
        "amount_exceeds_capturable"
    );
    let p = plan(&s, &capture(Some("150"))).unwrap();
    assert_eq!(p.amount, sar("150"));
    let p = plan(&s, &capture(None)).unwrap();
    assert_eq!(
        p.amount,
        sar("150"),
        "no amount = everything still capturable"
    );
}

#[test]
fn refund_is_bounded_by_captured_minus_refunded() {
    let s = state("partially_refunded", "200", "50", "0");
    assert_eq!(
        code(plan(&s, &refund("150.01"))),
        "amount_exceeds_refundable"
    );
    assert_eq!(plan(&s, &refund("150")).unwrap().amount, sar("150"));
    let e = plan(&s, &refund("151")).unwrap_err();
    assert!(e.to_string().contains("150.00 SAR"), "{e}");
}

#[test]
fn cancel_is_only_of_what_is_not_captured() {
    let s = state("updated", "0", "0", "100");
    assert_eq!(
        code(plan(&s, &cancel(Some("200.01")))),
        "amount_exceeds_cancelable"
    );
    assert_eq!(plan(&s, &cancel(None)).unwrap().amount, sar("200"));
    let nothing = state("authorised", "0", "0", "300");
    assert_eq!(code(plan(&nothing, &cancel(None))), "nothing_remaining");
    assert_eq!(code(plan(&nothing, &capture(None))), "nothing_remaining");
}

#[test]
fn a_refund_needs_a_comment() {
    let s = typical("fully_captured");
    for c in ["", "   "] {
        let a = MoveAction::Refund {
            amount: amount("1"),
            comment: c.into(),
        };
        assert_eq!(code(plan(&s, &a)), "comment_required");
    }
    let long = MoveAction::Refund {
        amount: amount("1"),
        comment: "x".repeat(1001),
    };
    assert_eq!(code(plan(&s, &long)), "move_input_invalid");
}

#[test]
fn authorise_moves_the_order_total() {
    let p = plan(&typical("approved"), &MoveAction::Authorise).unwrap();
    assert_eq!(p.amount, sar("300"));
    assert_eq!(p.path(), "/orders/order-1/authorise");
    assert_eq!(p.body(), json!({"order_id": "order-1"}));
}

#[test]
fn capture_items_are_matched_priced_and_bounded() {
    let mut s = typical("authorised");
    // By reference and by sku; "b" pro rata: 100 × 1/3 is not exact, so its total is given.
    let by_sku = ItemSelection {
        reference_id: None,
        sku: Some("SKU-a".into()),
        quantity: 1,
        total_amount: None,
    };
    let p = plan(
        &s,
        &capture_items(None, vec![by_sku.clone(), sel("b", 1, Some("33.34"))]),
    )
    .unwrap();
    assert_eq!(p.amount, sar("133.34"), "no amount = the items' sum");
    let WireRequest::Capture(req) = &p.request else {
        panic!("capture")
    };
    assert_eq!(req.items[0].total_amount, sar("100"), "200 × 1/2");
    assert_eq!(
        req.items[0].tax_amount, None,
        "a partial line carries no line tax"
    );
    assert_eq!(req.items[0].name, "Item a", "details come from the order");
    let whole = plan(&s, &capture_items(Some("250"), vec![sel("a", 2, None)])).unwrap();
    let WireRequest::Capture(req) = &whole.request else {
        panic!("capture")
    };
    assert_eq!(
        req.items[0].tax_amount,
        Some(sar("2")),
        "a whole line keeps its tax"
    );

    let cases = [
        (vec![sel("zzz", 1, None)], "items_invalid"),
        (vec![sel("a", 3, None)], "items_invalid"),
        (vec![sel("b", 1, None)], "items_invalid"),
        (vec![sel("a", 1, None), sel("a", 1, None)], "items_invalid"),
        (vec![sel("a", 1, Some("-1"))], "items_invalid"),
        (vec![sel("a", 1, Some("1.001"))], "amount_precision"),
        (vec![sel("a", 1, Some("5 AED"))], "amount_currency_mismatch"),
    ];
    for (items, want) in cases {
        assert_eq!(
            code(plan(&s, &capture_items(None, items.clone()))),
            want,
            "{items:?}"
        );
    }
    assert_eq!(
        code(plan(
            &s,
            &capture_items(Some("50"), vec![sel("a", 1, None)])
        )),
        "items_exceed_amount"
    );
    s.captured_units.insert("a".into(), 1);
    assert_eq!(
        code(plan(&s, &capture_items(None, vec![sel("a", 2, None)]))),
        "items_invalid"
    );
    assert_eq!(
        code(plan(&s, &capture_items(None, vec![sel("a", 1, None)]))),
        "ok"
    );
}

#[test]
fn shipping_info_is_checked() {
    let s = typical("authorised");
    let with = |f: fn(&mut ShippingInfo)| {
        let mut info = shipping();
        f(&mut info);
        MoveAction::Capture {
            amount: None,
            items: vec![],
            shipping: info,
        }
    };
    assert_eq!(
        code(plan(&s, &with(|i| i.shipped_at = "yesterday".into()))),
        "move_input_invalid"
    );
    assert_eq!(
        code(plan(&s, &with(|i| i.shipping_company = " ".into()))),
        "move_input_invalid"
    );
    assert_eq!(
        code(plan(
            &s,
            &with(|i| i.tracking_number = Some("9".repeat(101)))
        )),
        "move_input_invalid"
    );
    assert_eq!(
        code(plan(
            &s,
            &with(|i| i.tracking_url = Some("not a url".into()))
        )),
        "move_input_invalid"
    );
}

#[test]
fn bodies_are_the_documented_shapes() {
    let p = plan(&typical("authorised"), &capture(Some("100"))).unwrap();
    assert_eq!(p.path(), "/payments/capture");
    assert_eq!(
        p.body().to_string(),
        json!({"order_id": "order-1", "total_amount": {"amount": 100.00, "currency": "SAR"},
            "shipping_info": {"shipped_at": "2026-05-01T10:00:00Z", "shipping_company": "SMSA",
            "tracking_number": "T1"}})
        .to_string()
        .replace("100.0,", "100.00,")
    );
    let p = plan(&typical("authorised"), &cancel(Some("50"))).unwrap();
    assert_eq!(p.path(), "/orders/order-1/cancel");
    assert_eq!(p.body()["items"], json!([]), "cancel always sends items");
    let mut p = plan(&typical("fully_captured"), &refund("25.5")).unwrap();
    assert_eq!(p.path(), "/payments/simplified-refund/order-1");
    assert_eq!(p.body()["total_amount"]["amount"].to_string(), "25.50");
    assert!(p.body().get("merchant_refund_id").is_none());
    p.bind_reference("mz-refund-x");
    assert_eq!(p.body()["merchant_refund_id"], "mz-refund-x");
    assert_eq!(p.body()["comment"], "returned");
}

#[test]
fn references_collide_for_the_same_request_on_the_same_state_only() {
    let env = Environment::Sandbox;
    let s = typical("authorised");
    let a = plan(&s, &capture(Some("100"))).unwrap();
    let b = plan(&s, &capture(Some("100.00"))).unwrap();
    assert_eq!(
        reference::derived(env, &a, &s.money_state()),
        reference::derived(env, &b, &s.money_state())
    );
    let other = plan(&s, &capture(Some("101"))).unwrap();
    assert_ne!(
        reference::intent_hash(env, &a),
        reference::intent_hash(env, &other)
    );
    let moved = state("partially_captured", "100", "0", "0");
    assert_ne!(
        reference::derived(env, &a, &s.money_state()),
        reference::derived(env, &a, &moved.money_state()),
        "after the state moved, the same request is a new move"
    );
    assert_ne!(
        reference::intent_hash(env, &a),
        reference::intent_hash(Environment::Production, &a)
    );
    let r = reference::derived(env, &a, &s.money_state());
    assert!(r.starts_with("mz-capture-") && r.len() <= 64, "{r}");
    assert_eq!(reference::attempt(&r, 1), r);
    assert_eq!(reference::attempt(&r, 3), format!("{r}-3"));
    let c1 = plan(&typical("fully_captured"), &refund("5")).unwrap();
    let c2 = plan(
        &typical("fully_captured"),
        &MoveAction::Refund {
            amount: amount("5"),
            comment: "another reason".into(),
        },
    )
    .unwrap();
    assert_ne!(
        reference::intent_hash(env, &c1),
        reference::intent_hash(env, &c2)
    );
}

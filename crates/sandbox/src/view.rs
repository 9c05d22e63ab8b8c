//! Wire form of an order for `GET /orders/{id}`, `GET /merchants/orders/{id}` and
//! `GET /merchants/orders/reference-id/{ref}` (reference §5.8 full shape).
//!
//! One function builds it for all three paths, so they cannot drift apart (§5.8 [SIM]:
//! identical output). Fields the simulator does not model are present with the neutral values
//! seen in Tamara's samples (`""`, `false`, `null`).

use serde_json::{Value, json};

use crate::clock::fmt_millis_z;
use crate::orders::Order;

/// Full order details.
pub fn order_details(o: &Order, merchant_id: uuid::Uuid) -> Value {
    let m = |d| o.money(d).to_json();
    let discount = match &o.discount {
        Some((name, amount)) => json!({ "name": name, "amount": m(*amount) }),
        None => Value::Null,
    };
    let captures: Vec<Value> = o
        .captures
        .iter()
        .map(|c| {
            json!({
                "capture_id": c.capture_id,
                "order_id": o.order_id,
                "merchant_id": merchant_id,
                "total_amount": m(c.amount),
                "refunded_amount": m(c.refunded),
                "shipping_amount": m(c.shipping),
                "tax_amount": m(c.tax),
                "discount_amount": m(c.discount),
                "shipping_info": c.shipping_info,
                "items": c.items,
                "created_at": fmt_millis_z(c.created_at),
            })
        })
        .collect();
    let refunds: Vec<Value> = o
        .refunds
        .iter()
        .map(|r| {
            json!({
                "refund_id": r.refund_id,
                "capture_id": r.capture_id,
                "total_amount": m(r.amount),
                "tax_amount": m(r.extras.tax),
                "shipping_amount": m(r.extras.shipping),
                "discount_amount": m(r.extras.discount),
                "comment": r.comment,
                "merchant_refund_id": r.merchant_refund_id,
                "items": r.items,
                // Refunds are final the moment they are made (no refund workflow is modelled),
                // so `updated_at` is `created_at` and the status is always `success`.
                "ext_data": [],
                "refund_status": "success",
                "created_at": fmt_millis_z(r.created_at),
                "updated_at": fmt_millis_z(r.created_at),
            })
        })
        .collect();
    let cancels: Vec<Value> = o
        .cancels
        .iter()
        .map(|c| {
            json!({
                "cancel_id": c.cancel_id,
                "order_id": o.order_id,
                "total_amount": m(c.amount),
                "items": c.items,
                "created_at": fmt_millis_z(c.created_at),
            })
        })
        .collect();
    // Tamara flags captured money as pending settlement; nothing captured → empty string.
    let settlement_status = if o.captures.is_empty() { "" } else { "pending" };
    json!({
        "order_id": o.order_id,
        "order_reference_id": o.order_reference_id,
        "order_number": o.order_number,
        "description": o.description,
        "consumer": o.consumer,
        "status": o.status.as_str(),
        "shipping_address": o.shipping_address,
        "billing_address": o.billing_address,
        "items": o.items,
        "payment_type": o.payment_type,
        "instalments": o.instalments,
        "total_amount": m(o.total),
        "shipping_amount": m(o.shipping),
        "tax_amount": m(o.tax),
        "discount_amount": discount,
        "captured_amount": m(o.captured()),
        "refunded_amount": m(o.refunded()),
        "canceled_amount": m(o.canceled()),
        "paid_amount": m(o.paid()),
        "wallet_prepaid_amount": m(rust_decimal::Decimal::ZERO),
        "settlement_status": settlement_status,
        "settlement_date": Value::Null,
        "created_at": fmt_millis_z(o.created_at),
        "transactions": { "cancels": cancels, "captures": captures, "refunds": refunds },
        "processing": false,
        "store_code": o.store_code,
        "country_code": o.country_code,
        "platform": o.platform,
        "is_mobile": o.is_mobile,
        "locale": o.locale,
        "checkout_id": o.checkout_id,
        "additional_data": o.additional_data,
    })
}

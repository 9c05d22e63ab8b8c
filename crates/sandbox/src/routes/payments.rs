//! Money moves: capture (§5.4), cancel (§5.5), simplified refund (§5.6), legacy refund (§5.7).
//!
//! Handlers only parse and shape; the rules live in `orders.rs`. Ids are drawn inside the
//! transition closure, after the rules passed, so refused calls never consume seeded ids.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::checkout::item;
use super::parse_id;
use crate::errors::{ApiError, ApiResult};
use crate::json::{
    as_object, get, max_len, opt_array, opt_str, opt_str_or_num, parse_body, req_obj, req_str,
};
use crate::money::{Currency, parse_money};
use crate::orders::{CaptureExtras, LegacyRefund, RefundExtras};
use crate::state::AppState;

/// Optional money that, when present, must be ≥ 0 (its currency is checked by the caller).
fn opt_amount(o: &Map<String, Value>, key: &str, cur: Currency) -> ApiResult<Decimal> {
    match get(o, key) {
        Value::Null => Ok(Decimal::ZERO),
        v => {
            let m = parse_money(v, key)?;
            if m.currency != cur {
                return Err(ApiError::currency_mismatch(key));
            }
            if m.amount < Decimal::ZERO {
                return Err(ApiError::invalid(
                    &format!("{key}.amount"),
                    "must not be negative",
                ));
            }
            Ok(m.amount)
        }
    }
}

fn items(o: &Map<String, Value>, cur: Currency) -> ApiResult<Vec<Value>> {
    opt_array(o, "", "items")?
        .map(|a| {
            a.iter()
                .enumerate()
                .map(|(i, v)| item(v, &format!("items[{i}]"), cur))
                .collect()
        })
        .unwrap_or_else(|| Ok(Vec::new()))
}

fn shipping_info(o: &Map<String, Value>) -> ApiResult<Value> {
    let s = req_obj(o, "", "shipping_info")?;
    let shipped_at = req_str(s, "shipping_info", "shipped_at")?;
    chrono::DateTime::parse_from_rfc3339(&shipped_at).map_err(|_| {
        ApiError::invalid("shipping_info.shipped_at", "expected ISO-8601 date-time")
    })?;
    let company = req_str(s, "shipping_info", "shipping_company")?;
    max_len(&company, "shipping_info.shipping_company", 100)?;
    let tracking_number = opt_str_or_num(s, "shipping_info", "tracking_number")?;
    let tracking_url = opt_str(s, "shipping_info", "tracking_url")?;
    Ok(
        json!({ "shipped_at": shipped_at, "shipping_company": company,
        "tracking_number": tracking_number, "tracking_url": tracking_url }),
    )
}

/// `POST /payments/capture`.
pub async fn capture(State(state): State<AppState>, body: Bytes) -> ApiResult<Json<Value>> {
    let body = parse_body(&body)?;
    let o = as_object(&body, "body")?;
    let id = parse_id(&req_str(o, "", "order_id")?, "Order")?;
    let amount = parse_money(get(o, "total_amount"), "total_amount")?;
    let info = shipping_info(o)?;
    state.apply(id, |order, ids, now| {
        let cur = order.currency;
        let extras = CaptureExtras {
            shipping: opt_amount(o, "shipping_amount", cur)?,
            tax: opt_amount(o, "tax_amount", cur)?,
            discount: opt_amount(o, "discount_amount", cur)?,
            shipping_info: info,
            items: items(o, cur)?,
        };
        // Dry run first so a refused capture does not consume an id.
        order
            .clone()
            .capture(amount, uuid::Uuid::nil(), extras.clone(), now)?;
        let capture_id = ids.next_uuid();
        let events = order.capture(amount, capture_id, extras, now)?;
        let out = json!({
            "capture_id": capture_id,
            "order_id": order.order_id,
            "status": order.status.as_str(),
            "captured_amount": amount.to_json(),
        });
        Ok((Json(out), events))
    })
}

/// `POST /orders/{id}/cancel`.
pub async fn cancel(
    State(state): State<AppState>,
    Path(order_id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let id = parse_id(&order_id, "Order")?;
    let body = parse_body(&body)?;
    let o = as_object(&body, "body")?;
    let amount = parse_money(get(o, "total_amount"), "total_amount")?;
    state.apply(id, |order, ids, now| {
        let cur = order.currency;
        for key in ["shipping_amount", "tax_amount", "discount_amount"] {
            opt_amount(o, key, cur)?;
        }
        let items = items(o, cur)?;
        order
            .clone()
            .cancel(amount, uuid::Uuid::nil(), items.clone(), now)?;
        let cancel_id = ids.next_uuid();
        let events = order.cancel(amount, cancel_id, items, now)?;
        let out = json!({
            "order_id": order.order_id,
            "cancel_id": cancel_id,
            "status": order.status.as_str(),
            "canceled_amount": amount.to_json(),
        });
        Ok((Json(out), events))
    })
}

/// `POST /payments/simplified-refund/{id}`.
pub async fn simplified_refund(
    State(state): State<AppState>,
    Path(order_id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let id = parse_id(&order_id, "Order")?;
    let body = parse_body(&body)?;
    let o = as_object(&body, "body")?;
    let amount = parse_money(get(o, "total_amount"), "total_amount")?;
    let comment = req_str(o, "", "comment")?;
    let merchant_refund_id = opt_str(o, "", "merchant_refund_id")?;
    state.apply(id, |order, ids, now| {
        let nil = uuid::Uuid::nil();
        order
            .clone()
            .refund(amount, nil, comment.clone(), None, now)?;
        let refund_id = ids.next_uuid();
        let (events, capture_id) =
            order.refund(amount, refund_id, comment.clone(), merchant_refund_id, now)?;
        let out = json!({
            "order_id": order.order_id,
            "comment": comment,
            "refund_id": refund_id,
            "capture_id": capture_id,
            "status": order.status.as_str(),
            "refunded_amount": amount.to_json(),
        });
        Ok((Json(out), events))
    })
}

/// `POST /payments/refund` (legacy, per capture).
pub async fn legacy_refund(State(state): State<AppState>, body: Bytes) -> ApiResult<Json<Value>> {
    let body = parse_body(&body)?;
    let o = as_object(&body, "body")?;
    let id = parse_id(&req_str(o, "", "order_id")?, "Order")?;
    let refunds = match get(o, "refunds") {
        Value::Array(a) if !a.is_empty() => a,
        Value::Array(_) | Value::Null => return Err(ApiError::missing("refunds")),
        _ => return Err(ApiError::invalid("refunds", "expected an array")),
    };
    state.apply(id, |order, ids, now| {
        let cur = order.currency;
        let mut entries = Vec::new();
        for (i, r) in refunds.iter().enumerate() {
            let path = format!("refunds[{i}]");
            let r = as_object(r, &path)?;
            let capture_id = uuid::Uuid::parse_str(&req_str(r, &path, "capture_id")?)
                .map_err(|_| ApiError::not_found("Capture"))?;
            let amount = parse_money(get(r, "total_amount"), &format!("{path}.total_amount"))?;
            let extras = RefundExtras {
                shipping: opt_amount(r, "shipping_amount", cur)?,
                tax: opt_amount(r, "tax_amount", cur)?,
                discount: opt_amount(r, "discount_amount", cur)?,
            };
            let items = opt_array(r, &path, "items")?
                .map(|a| {
                    a.iter()
                        .enumerate()
                        .map(|(j, v)| item(v, &format!("{path}.items[{j}]"), cur))
                        .collect::<ApiResult<Vec<_>>>()
                })
                .transpose()?
                .unwrap_or_default();
            entries.push(LegacyRefund {
                capture_id,
                amount,
                items,
                extras,
            });
        }
        let (events, pairs) = order.legacy_refund(&entries, ids, now)?;
        let total: Decimal = entries.iter().map(|e| e.amount.amount).sum();
        let refunds: Vec<Value> = pairs
            .iter()
            .map(|(r, c)| json!({ "refund_id": r, "capture_id": c }))
            .collect();
        let out = json!({
            "order_id": order.order_id,
            "refunds": refunds,
            "status": order.status.as_str(),
            "refunded_amount": order.money(total).to_json(),
        });
        Ok((Json(out), events))
    })
}

//! Order reads, authorise and reference updates (§5.3, §5.8, §5.9).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use super::parse_id;
use crate::clock::fmt_offset;
use crate::errors::{ApiError, ApiResult};
use crate::json::{as_object, parse_body, req_str};
use crate::state::AppState;
use crate::unknowns::{OrderExpiryTime, ReferenceLookup, SilentEvent};
use crate::view::order_details;

/// `GET /orders/{id}` and `GET /merchants/orders/{id}` (same handler, same output).
pub async fn details(
    State(state): State<AppState>,
    Path(order_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let id = parse_id(&order_id, "Order")?;
    let merchant = state.config().merchant_id;
    state.with_store(|store, _| {
        let o = store
            .orders
            .get(&id)
            .ok_or_else(|| ApiError::not_found("Order"))?;
        Ok(Json(order_details(o, merchant)))
    })
}

/// `GET /merchants/orders/reference-id/{ref}`: the most recently created order carrying that
/// reference, or the first one with `ReferenceLookup::Oldest` (undocumented for a reused
/// reference, §16.12).
pub async fn by_reference(
    State(state): State<AppState>,
    Path(reference): Path<String>,
) -> ApiResult<Json<Value>> {
    let merchant = state.config().merchant_id;
    let newest = state.config().reference_lookup == ReferenceLookup::Newest;
    state.with_store(|store, _| {
        let carrying = |id: &uuid::Uuid| {
            store
                .orders
                .get(id)
                .filter(|o| o.order_reference_id == reference)
        };
        let found = if newest {
            store.order_seq.iter().rev().find_map(carrying)
        } else {
            store.order_seq.iter().find_map(carrying)
        };
        let o = found.ok_or_else(|| ApiError::not_found("Order"))?;
        Ok(Json(order_details(o, merchant)))
    })
}

/// `POST /orders/{id}/authorise` (body ignored: the PHP SDK sends `{order_id}`, harmless).
/// With the merchant's `auto_capture` setting the order is captured whole in the same call
/// (`order_authorised` then `order_captured`, §9.2 [SIM]; which of them Tamara sends is
/// unknown, so each can be silenced). `order_expiry_time` is authorisation + the expiry or the
/// auto-capture period, as configured (its meaning is undocumented, §16.17).
pub async fn authorise(
    State(state): State<AppState>,
    Path(order_id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let id = parse_id(&order_id, "Order")?;
    parse_body(&body)?;
    let auto_capture = state.config().auto_capture;
    let expiry_means = state.config().order_expiry_time;
    state.apply(id, |o, ids, now| {
        let mut events = o.authorise(now)?;
        let authorized = o.money(o.total - o.canceled());
        let mut capture_id = String::new();
        if auto_capture {
            let id = ids.next_uuid();
            events.extend(o.capture_rest(id, now)?);
            capture_id = id.to_string();
            events = events
                .into_iter()
                .map(|e| match e.event_type {
                    "order_authorised" => e.silenced_by(SilentEvent::AutoCaptureAuthorised),
                    _ => e.silenced_by(SilentEvent::AutoCaptureCaptured),
                })
                .collect();
        }
        let expires_after = match (expiry_means, o.rules.auto_capture_after) {
            (OrderExpiryTime::AutoCapture, Some(d)) => d,
            _ => o.rules.authorised_expiry,
        };
        let out = json!({
            "order_id": o.order_id,
            "status": o.status.as_str(),
            "order_expiry_time": fmt_offset(now + expires_after),
            "payment_type": o.payment_type,
            "auto_captured": auto_capture,
            "authorized_amount": authorized.to_json(),
            "capture_id": capture_id,
        });
        Ok((Json(out), events))
    })
}

/// `PUT /orders/{id}/reference-id` — allowed in every status.
pub async fn update_reference(
    State(state): State<AppState>,
    Path(order_id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let id = parse_id(&order_id, "Order")?;
    let body = parse_body(&body)?;
    let reference = req_str(as_object(&body, "body")?, "", "order_reference_id")?;
    state.apply(id, |o, _, _| {
        o.order_reference_id = reference;
        Ok((
            Json(json!({ "message": "Order reference id was updated successfully" })),
            vec![],
        ))
    })
}

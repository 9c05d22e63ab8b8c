//! Simulator-only control endpoints under `/_sandbox/` (no API token; never a Tamara path).
//!
//! They play the parts Tamara's API cannot be asked to play: the customer (approve, decline,
//! cancel), Tamara's own decisions (hold, release), time (clock advance → expiries and
//! auto-capture) and failure (API and delivery faults). Every change emits the same
//! notifications the real event would.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::parse_id;
use crate::delivery::DeliveryFaults;
use crate::errors::{ApiError, ApiResult};
use crate::json::{as_object, get as field, parse_body};
use crate::state::{ApiFaults, AppState};
use crate::view::order_details;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/_sandbox/orders", get(list_orders))
        .route("/_sandbox/orders/{order_id}/approve", post(approve))
        .route("/_sandbox/orders/{order_id}/decline", post(decline))
        .route("/_sandbox/orders/{order_id}/expire", post(expire))
        .route("/_sandbox/orders/{order_id}/hold", post(hold))
        .route("/_sandbox/orders/{order_id}/release", post(release))
        .route("/_sandbox/clock", get(clock))
        .route("/_sandbox/clock/advance", post(advance))
        .route("/_sandbox/faults", get(faults).delete(clear_faults))
        .route("/_sandbox/faults/api", post(api_faults))
        .route("/_sandbox/faults/deliveries", post(delivery_faults))
        .route("/_sandbox/calls", get(calls).delete(clear_calls))
        .route(
            "/_sandbox/deliveries",
            get(deliveries).delete(clear_deliveries),
        )
        .route("/_sandbox/reset", post(reset))
        .route(
            "/_sandbox/health",
            get(|| async { Json(json!({ "ok": true })) }),
        )
        .route(
            "/_sandbox/webhooks",
            get(list_webhooks).delete(clear_webhooks),
        )
}

async fn list_orders(State(state): State<AppState>) -> Json<Value> {
    Json(state.with_store(|store, _| {
        let all: Vec<Value> = store
            .order_seq
            .iter()
            .filter_map(|id| store.orders.get(id))
            .map(|o| {
                json!({ "order_id": o.order_id, "checkout_id": o.checkout_id,
                "order_reference_id": o.order_reference_id, "status": o.status.as_str(),
                "total_amount": o.money(o.total).to_json() })
            })
            .collect();
        Value::Array(all)
    }))
}

fn details(state: &AppState, id: uuid::Uuid) -> ApiResult<Json<Value>> {
    let merchant = state.config().merchant_id;
    state.with_store(|store, _| {
        let o = store
            .orders
            .get(&id)
            .ok_or_else(|| ApiError::not_found("Order"))?;
        Ok(Json(order_details(o, merchant)))
    })
}

/// `POST /_sandbox/orders/{id}/approve`: the customer paid the first instalment.
async fn approve(State(state): State<AppState>, Path(raw): Path<String>) -> ApiResult<Json<Value>> {
    let id = parse_id(&raw, "Order")?;
    state.apply(id, |o, ids, now| Ok(((), o.approve(now, ids)?)))?;
    details(&state, id)
}

/// `POST /_sandbox/orders/{id}/decline` with optional
/// `{declined_reason, declined_code, decline_type}` (echoed in the `order_declined` data).
async fn decline(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let id = parse_id(&raw, "Order")?;
    let body = parse_body(&body)?;
    let o = as_object(&body, "body")?;
    let pick = |k: &str, d: &str| match field(o, k) {
        Value::String(s) => s.clone(),
        _ => d.to_owned(),
    };
    let data = json!({
        "declined_reason": pick("declined_reason", "Customer did not pass the risk checks"),
        "declined_code": pick("declined_code", "risk_rejected"),
        "decline_type": pick("decline_type", "hard"),
    });
    state.apply(id, |o, _, _| Ok(((), o.decline(data)?)))?;
    details(&state, id)
}

/// `POST /_sandbox/orders/{id}/expire`: session lapsed (`new`) or 72 h passed (`approved`).
async fn expire(State(state): State<AppState>, Path(raw): Path<String>) -> ApiResult<Json<Value>> {
    let id = parse_id(&raw, "Order")?;
    state.apply(id, |o, _, _| Ok(((), o.expire()?)))?;
    details(&state, id)
}

/// `POST /_sandbox/orders/{id}/hold`: Tamara puts the order on hold (`order_on_hold`; what
/// that means is configured, see `orders/hold.rs`).
async fn hold(State(state): State<AppState>, Path(raw): Path<String>) -> ApiResult<Json<Value>> {
    let id = parse_id(&raw, "Order")?;
    state.apply(id, |o, _, _| Ok(((), o.hold()?)))?;
    details(&state, id)
}

/// `POST /_sandbox/orders/{id}/release`: the hold ends; the order is back where it was.
async fn release(State(state): State<AppState>, Path(raw): Path<String>) -> ApiResult<Json<Value>> {
    let id = parse_id(&raw, "Order")?;
    state.apply(id, |o, _, _| Ok(((), o.release()?)))?;
    details(&state, id)
}

async fn clock(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "now": crate::clock::fmt_millis_z(state.clock().now()),
        "offset_seconds": state.clock().offset().num_seconds(),
    }))
}

/// `POST /_sandbox/clock/advance` with any of `{days, hours, minutes, seconds, milliseconds}`;
/// applies the time rules and answers what they did.
async fn advance(State(state): State<AppState>, body: Bytes) -> ApiResult<Json<Value>> {
    let body = parse_body(&body)?;
    let o = as_object(&body, "body")?;
    let mut total = chrono::Duration::zero();
    type Make = fn(i64) -> Option<chrono::Duration>;
    let units: [(&str, Make); 5] = [
        ("days", chrono::Duration::try_days),
        ("hours", chrono::Duration::try_hours),
        ("minutes", chrono::Duration::try_minutes),
        ("seconds", chrono::Duration::try_seconds),
        ("milliseconds", chrono::Duration::try_milliseconds),
    ];
    for (key, make) in units {
        match field(o, key) {
            Value::Null => {}
            Value::Number(n) => {
                let d = n
                    .as_i64()
                    .filter(|v| (0..=3650 * 86_400_000).contains(v))
                    .and_then(make)
                    .ok_or_else(|| ApiError::invalid(key, "expected a non-negative integer"))?;
                total += d;
            }
            _ => return Err(ApiError::invalid(key, "expected a non-negative integer")),
        }
    }
    state.clock().advance(total);
    let happened: Vec<Value> = state
        .sweep()
        .into_iter()
        .map(|(id, event)| json!({ "order_id": id, "event_type": event }))
        .collect();
    Ok(Json(json!({
        "now": crate::clock::fmt_millis_z(state.clock().now()),
        "offset_seconds": state.clock().offset().num_seconds(),
        "events": happened,
    })))
}

async fn faults(State(state): State<AppState>) -> Json<Value> {
    let api = crate::delivery::lock(&state.inner.api_faults).clone();
    Json(json!({ "api": api }))
}

async fn clear_faults(State(state): State<AppState>) -> Json<Value> {
    state.clear_api_faults();
    state.deliverer().clear_faults();
    Json(json!({}))
}

/// `POST /_sandbox/faults/api` `{status: 503, count: 2}` and/or `{stall_ms: 2000, stall_count: 1}`,
/// optionally `after_apply: true` (handle, then answer the 5xx) and `method: "POST"` (only
/// calls with that method consume the faults). `{latency_ms: 200}`: every API call, of any
/// method, waits 200 ms from now on (0 or clearing the faults ends it) — a slow gateway rather
/// than one slow call. `{rate_limit_per_second: 5}`: at most 5 calls a second, then 429,
/// until changed (0 ends it) or cleared; `{retry_after_secs: 2}` makes those 429s carry
/// `Retry-After: 2` (`null`: no header, the default — Tamara documents neither).
async fn api_faults(State(state): State<AppState>, body: Bytes) -> ApiResult<Json<Value>> {
    let body = parse_body(&body)?;
    // Only a given `latency_ms` changes the latency: a body staging a 5xx leaves it alone.
    let given = as_object(&body, "body")?;
    let latency_given = given.contains_key("latency_ms");
    let limit_given = given.contains_key("rate_limit_per_second");
    let retry_after_given = given.contains_key("retry_after_secs");
    let f: ApiFaults = serde_json::from_value(body)
        .map_err(|e| ApiError::bad_request(e.to_string(), "invalid_field"))?;
    if f.latency_ms > 600_000 {
        return Err(ApiError::invalid(
            "latency_ms",
            "expected at most 600000 (ten minutes)",
        ));
    }
    if let Some(s) = f.status
        && !(500..=599).contains(&s)
    {
        return Err(ApiError::invalid("status", "expected a 5xx status"));
    }
    if let Some(m) = &f.method
        && !["GET", "POST", "PUT", "DELETE"].contains(&m.to_ascii_uppercase().as_str())
    {
        return Err(ApiError::invalid(
            "method",
            "expected GET, POST, PUT or DELETE",
        ));
    }
    let mut g = crate::delivery::lock(&state.inner.api_faults);
    if latency_given {
        g.latency_ms = f.latency_ms;
    }
    if limit_given {
        g.rate_limit_per_second = f.rate_limit_per_second.filter(|n| *n > 0);
    }
    if retry_after_given {
        g.retry_after_secs = f.retry_after_secs;
    }
    if f.count > 0 {
        g.status = f.status.or(Some(503));
        g.count = f.count;
    }
    if f.stall_count > 0 {
        g.stall_ms = f.stall_ms;
        g.stall_count = f.stall_count;
    }
    if f.count > 0 || f.stall_count > 0 {
        g.after_apply = f.after_apply;
        g.method = f.method.map(|m| m.to_ascii_uppercase());
    }
    Ok(Json(json!({ "api": g.clone() })))
}

/// `POST /_sandbox/faults/deliveries`
/// `{duplicate, drop, wrong_key, reorder, delay_ms, delay_count}` (all optional counters).
async fn delivery_faults(State(state): State<AppState>, body: Bytes) -> ApiResult<Json<Value>> {
    let f: DeliveryFaults = serde_json::from_value(parse_body(&body)?)
        .map_err(|e| ApiError::bad_request(e.to_string(), "invalid_field"))?;
    let now = state.deliverer().add_faults(f);
    Ok(Json(json!({ "deliveries": now })))
}

/// `GET /_sandbox/calls`: the Tamara API calls received since the start (or the last reset or
/// `DELETE`), `{total, by_method: {GET: n, POST: n}}` — what a client spent.
async fn calls(State(state): State<AppState>) -> Json<Value> {
    let by_method = state.api_calls();
    let total: u64 = by_method.values().sum();
    Json(json!({ "total": total, "by_method": by_method }))
}

async fn clear_calls(State(state): State<AppState>) -> Json<Value> {
    state.clear_api_calls();
    Json(json!({}))
}

async fn deliveries(State(state): State<AppState>) -> Json<Value> {
    Json(serde_json::to_value(state.deliverer().log()).unwrap_or(Value::Null))
}

async fn clear_deliveries(State(state): State<AppState>) -> Json<Value> {
    state.deliverer().clear_log();
    Json(json!({}))
}

/// Every registered webhook, for tests (Tamara documents no listing, §6.6).
async fn list_webhooks(State(state): State<AppState>) -> Json<Value> {
    let merchant = state.config().merchant_id;
    Json(
        state.with_store(|s, _| {
            Value::Array(s.webhooks.iter().map(|w| w.to_json(merchant)).collect())
        }),
    )
}

async fn clear_webhooks(State(state): State<AppState>) -> Json<Value> {
    state.with_store(|s, _| s.webhooks.clear());
    Json(json!({}))
}

async fn reset(State(state): State<AppState>) -> Json<Value> {
    state.reset();
    Json(json!({}))
}

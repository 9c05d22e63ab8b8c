//! Webhook registry (§6.1–6.4) plus an optional `GET /webhooks/list` (no source documents a
//! listing, §6.6: off by default, answering 404 like any unknown path).
//!
//! A URL registered twice (same type) is refused with `webhook_already_registered` and the
//! existing id in `errors[0].data.webhook_id`, as the official WooCommerce plugin expects; its
//! HTTP status is unknown (`duplicate_webhook_status`, default 409). An update without
//! headers (omitted, `null`, `[]` or `{}`) clears them (full replacement), or keeps them with
//! `webhook_update_keeps_headers` — Tamara's behaviour is unknown (§6.3, §16.19).
//!
//! URL rule: HTTPS, ≤ 255 characters (§6). With `allow_http_loopback` (default on) plain http
//! is accepted for 127.0.0.1 / localhost / [::1] only, because local receivers in tests and
//! demo mode have no TLS.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::parse_id;
use crate::errors::{ApiError, ApiResult};
use crate::json::{as_object, get, opt_obj, opt_str, parse_body, req_str};
use crate::state::{AppState, Webhook};

/// The order events of §6.5, `order_on_hold` included: Tamara's own retrieve example
/// subscribes to it, though only a scenario ever sends it (`/_sandbox/orders/{id}/hold`).
const ORDER_EVENTS: [&str; 9] = [
    "order_approved",
    "order_declined",
    "order_authorised",
    "order_canceled",
    "order_updated",
    "order_captured",
    "order_refunded",
    "order_expired",
    "order_on_hold",
];
const DISPUTE_EVENTS: [&str; 6] = [
    "OrderDisputeAwaitingMerchantResponse",
    "OrderDisputeClosedMerchantAcceptedClaim",
    "OrderDisputeClosedTamaraAcceptedClaim",
    "OrderDisputeClosedTamaraAcceptedAndMerchantRefundedClaim",
    "OrderDisputeClosedClaimCancelled",
    "OrderDisputeWasUpdated",
];

fn bad_url(why: &str) -> ApiError {
    ApiError::bad_request(format!("Invalid webhook url: {why}"), "invalid_webhook_url")
}

fn check_url(raw: &str, allow_http_loopback: bool) -> ApiResult<()> {
    if raw.chars().count() > 255 {
        return Err(bad_url("longer than 255 characters"));
    }
    let u = url::Url::parse(raw).map_err(|_| bad_url("not a valid URL"))?;
    match u.scheme() {
        "https" => Ok(()),
        "http" if allow_http_loopback => {
            let loopback = match u.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            };
            if loopback {
                Ok(())
            } else {
                Err(bad_url("must use https"))
            }
        }
        _ => Err(bad_url("must use https")),
    }
}

/// Parses a register/update body (`kind_default` keeps the stored type on update).
fn parse_webhook(body: &Value, kind_default: &str, loopback: bool) -> ApiResult<Webhook> {
    let o = as_object(body, "body")?;
    let kind = opt_str(o, "", "type")?.unwrap_or_else(|| kind_default.to_owned());
    let known: &[&str] = match kind.as_str() {
        "order" => &ORDER_EVENTS,
        "dispute" => &DISPUTE_EVENTS,
        _ => return Err(ApiError::invalid("type", "expected order or dispute")),
    };
    let url = req_str(o, "", "url")?;
    check_url(&url, loopback)?;
    let events = match get(o, "events") {
        Value::Array(a) if !a.is_empty() => a,
        Value::Array(_) | Value::Null => return Err(ApiError::missing("events")),
        _ => {
            return Err(ApiError::invalid(
                "events",
                "expected an array of event names",
            ));
        }
    };
    let mut names = Vec::new();
    for e in events {
        let Some(name) = e.as_str() else {
            return Err(ApiError::invalid(
                "events",
                "expected an array of event names",
            ));
        };
        if !known.contains(&name) {
            return Err(
                ApiError::bad_request(format!("Unknown event {name}"), "invalid_event")
                    .with_data(json!({ "event": name })),
            );
        }
        if !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    }
    let mut headers = Vec::new();
    for (k, v) in opt_obj(o, "", "headers")?.unwrap_or(&Map::new()) {
        let Some(v) = v.as_str() else {
            return Err(ApiError::invalid(
                &format!("headers.{k}"),
                "expected a string",
            ));
        };
        let valid = axum::http::HeaderName::from_bytes(k.as_bytes()).is_ok()
            && axum::http::HeaderValue::from_str(v).is_ok();
        if !valid {
            return Err(ApiError::invalid(
                &format!("headers.{k}"),
                "not a valid HTTP header",
            ));
        }
        headers.push((k.clone(), v.to_owned()));
    }
    Ok(Webhook {
        webhook_id: uuid::Uuid::nil(),
        kind,
        url,
        events: names,
        headers,
    })
}

/// `POST /webhooks`.
pub async fn register(State(state): State<AppState>, body: Bytes) -> ApiResult<Json<Value>> {
    let body = parse_body(&body)?;
    let mut w = parse_webhook(&body, "order", state.config().allow_http_loopback)?;
    let merchant = state.config().merchant_id;
    state.with_store(|store, ids| {
        let existing = store
            .webhooks
            .iter()
            .find(|old| old.url == w.url && old.kind == w.kind);
        if let Some(old) = existing {
            let status = StatusCode::from_u16(state.config().duplicate_webhook_status)
                .unwrap_or(StatusCode::CONFLICT);
            return Err(ApiError::new(
                status,
                "Webhook url is already registered",
                "webhook_already_registered",
            )
            .with_data(json!({ "webhook_id": old.webhook_id })));
        }
        w.webhook_id = ids.next_uuid();
        let out = w.to_json(merchant);
        store.webhooks.push(w);
        Ok(Json(out))
    })
}

/// `GET /webhooks/list` — in no Tamara source; 404 unless switched on by config.
pub async fn list(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    if !state.config().webhook_listing_enabled {
        return Err(ApiError::not_found("Path"));
    }
    let merchant = state.config().merchant_id;
    let all = state.with_store(|store, _| {
        store
            .webhooks
            .iter()
            .map(|w| w.to_json(merchant))
            .collect::<Vec<_>>()
    });
    Ok(Json(Value::Array(all)))
}

/// `GET /webhooks/{id}`.
pub async fn get_one(
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> ApiResult<Json<Value>> {
    let id = parse_id(&raw, "Webhook")?;
    let merchant = state.config().merchant_id;
    state.with_store(|store, _| {
        let w = store.webhooks.iter().find(|w| w.webhook_id == id);
        w.map(|w| Json(w.to_json(merchant)))
            .ok_or_else(|| ApiError::not_found("Webhook"))
    })
}

/// `PUT /webhooks/{id}`: replaces url, events and headers (headers kept when the body names
/// none — omitted, `null`, `[]` or `{}` — and `webhook_update_keeps_headers` is on).
pub async fn update(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let id = parse_id(&raw, "Webhook")?;
    let body = parse_body(&body)?;
    let loopback = state.config().allow_http_loopback;
    let merchant = state.config().merchant_id;
    let keep_headers = state.config().webhook_update_keeps_headers
        && body.get("headers").is_none_or(|h| match h {
            Value::Null => true,
            Value::Array(a) => a.is_empty(),
            Value::Object(o) => o.is_empty(),
            _ => false,
        });
    state.with_store(|store, _| {
        let w = store.webhooks.iter_mut().find(|w| w.webhook_id == id);
        let w = w.ok_or_else(|| ApiError::not_found("Webhook"))?;
        let mut new = parse_webhook(&body, &w.kind, loopback)?;
        new.webhook_id = id;
        if keep_headers {
            new.headers = std::mem::take(&mut w.headers);
        }
        *w = new;
        Ok(Json(w.to_json(merchant)))
    })
}

/// `DELETE /webhooks/{id}` → 200 `{}` (§6.4 [SIM]).
pub async fn delete(
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> ApiResult<Json<Value>> {
    let id = parse_id(&raw, "Webhook")?;
    state.with_store(|store, _| {
        let before = store.webhooks.len();
        store.webhooks.retain(|w| w.webhook_id != id);
        if store.webhooks.len() == before {
            return Err(ApiError::not_found("Webhook"));
        }
        Ok(Json(json!({})))
    })
}

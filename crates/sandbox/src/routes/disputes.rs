//! Disputes over HTTP: the control endpoints that open and move them (the customer's claim and
//! Tamara's decisions, `/_sandbox/`), and the third-party profile's list and update paths
//! (§5.11 [T]), served only with `dispute_api_enabled`.
//!
//! Invariants: opening needs an order that was paid (not `new`, `declined` or `expired`) and an
//! amount above zero and at most the order's total, in its currency; every open or move sends
//! its event to the webhooks registered for it; with the switch off the profile's paths answer
//! exactly like an unknown path.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::parse_id;
use crate::disputes::{AWAITING_MERCHANT_RESPONSE, Dispute};
use crate::errors::{ApiError, ApiResult};
use crate::json::{as_object, get as field, parse_body};
use crate::money::parse_money;
use crate::orders::Status;
use crate::state::AppState;

/// The list path of the third-party profile.
pub const DISPUTES_PATH: &str = "/external/merchants/orders/disputes/";

pub fn control() -> Router<AppState> {
    Router::new()
        .route("/_sandbox/orders/{order_id}/disputes", post(open))
        .route("/_sandbox/disputes", get(all))
        .route("/_sandbox/disputes/{dispute_id}/events", post(move_to))
}

/// `POST /_sandbox/orders/{id}/disputes` `{amount?, comment?}`: the customer opens a dispute;
/// `OrderDisputeAwaitingMerchantResponse` is sent.
async fn open(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let order_id = parse_id(&raw, "Order")?;
    let body = parse_body(&body)?;
    let o = as_object(&body, "body")?;
    let comment = field(o, "comment").as_str().map(str::to_owned);
    let amount = match field(o, "amount") {
        Value::Null => None,
        v => Some(parse_money(v, "amount")?),
    };
    let id = state.with_store(|store, _| -> ApiResult<i64> {
        let order = store
            .orders
            .get(&order_id)
            .ok_or_else(|| ApiError::not_found("Order"))?;
        if matches!(
            order.status,
            Status::New | Status::Declined | Status::Expired
        ) {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                format!("The order {order_id} was never paid: nothing to dispute"),
                "transition_not_allowed",
            ));
        }
        let total = order.money(order.total);
        let amount = amount.unwrap_or(total);
        if amount.currency != total.currency {
            return Err(ApiError::invalid(
                "amount.currency",
                "not the order's currency",
            ));
        }
        if amount.amount <= rust_decimal::Decimal::ZERO || amount.amount > total.amount {
            return Err(ApiError::invalid(
                "amount.amount",
                "expected more than zero and at most the order's total",
            ));
        }
        let dispute_id = i64::try_from(store.disputes.len()).unwrap_or(i64::MAX - 1) + 1;
        store.disputes.push(Dispute {
            dispute_id,
            order_id,
            order_reference_id: order.order_reference_id.clone(),
            order_number: order.order_number.clone(),
            status: "open",
            opened_at: state.clock().now(),
            closed_at: None,
            amount,
            activities: Vec::new(),
        });
        Ok(dispute_id)
    })?;
    let answer = state.with_dispute(id, |d, now| {
        d.apply(AWAITING_MERCHANT_RESPONSE, comment, now)?;
        Ok(Some(AWAITING_MERCHANT_RESPONSE.to_owned()))
    })?;
    Ok(Json(answer))
}

/// `POST /_sandbox/disputes/{id}/events` `{event, comment?}`: Tamara moves the dispute to the
/// status `event` reports and sends `event`.
async fn move_to(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let id: i64 = raw.parse().map_err(|_| ApiError::not_found("Dispute"))?;
    let body = parse_body(&body)?;
    let o = as_object(&body, "body")?;
    let event = match field(o, "event") {
        Value::String(s) => s.clone(),
        Value::Null => return Err(ApiError::missing("event")),
        _ => return Err(ApiError::invalid("event", "expected a string")),
    };
    let comment = field(o, "comment").as_str().map(str::to_owned);
    let answer = state.with_dispute(id, |d, now| {
        d.apply(&event, comment, now)?;
        Ok(Some(event.clone()))
    })?;
    Ok(Json(answer))
}

/// `GET /_sandbox/disputes`: every dispute, for tests.
async fn all(State(state): State<AppState>) -> Json<Value> {
    Json(Value::Array(state.with_store(|store, _| {
        store
            .disputes
            .iter()
            .map(|d| d.to_json(order_status(store, d)))
            .collect()
    })))
}

fn order_status<'a>(store: &'a crate::state::Store, d: &Dispute) -> &'a str {
    store
        .orders
        .get(&d.order_id)
        .map_or("", |o| o.status.as_str())
}

fn switched_off() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "Not found", "not_found")
}

/// `GET /external/merchants/orders/disputes/` with the profile's filters.
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    if !state.config().dispute_api_enabled {
        return Err(switched_off());
    }
    let number = |k: &str, default: usize| -> ApiResult<usize> {
        q.get(k).map_or(Ok(default), |v| {
            v.parse()
                .map_err(|_| ApiError::invalid(k, "expected a positive integer"))
        })
    };
    let limit = number("limit", 50)?.clamp(1, 500);
    let page = number("page", 1)?.max(1);
    let merchant = state.config().merchant_id;
    Ok(Json(state.with_store(|store, _| {
        let matches: Vec<&Dispute> = store
            .disputes
            .iter()
            .filter(|d| {
                let status = order_status(store, d);
                let want = |k: &str, v: &str| q.get(k).is_none_or(|x| x == v);
                want("order_id", &d.order_id.to_string())
                    && want("merchant_order_reference_id", &d.order_reference_id)
                    && want("dispute_id", &d.dispute_id.to_string())
                    && want("order_status", status)
                    && want("dispute_status", d.status)
            })
            .collect();
        let disputes: serde_json::Map<String, Value> = matches
            .iter()
            .skip((page - 1) * limit)
            .take(limit)
            .map(|d| (d.dispute_id.to_string(), d.to_json(order_status(store, d))))
            .collect();
        json!({
            "total": matches.len(),
            "data": {
                "merchant_details": {
                    "merchant_id": merchant, "merchant_code": "sandbox",
                    "merchant_name": "Sandbox merchant", "merchant_status": "active",
                },
                // PHP's empty array when there are none, as Tamara writes empty objects.
                "disputes": if disputes.is_empty() { json!([]) } else { Value::Object(disputes) },
            }
        })
    })))
}

/// `POST /external/merchants/orders/disputes/{id}` (multipart `comment`, ≤ 255 characters).
pub async fn update(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    if !state.config().dispute_api_enabled {
        return Err(switched_off());
    }
    let id: i64 = raw.parse().map_err(|_| ApiError::not_found("Dispute"))?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let comment = form_field(content_type, &body, "comment")?
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .ok_or_else(|| ApiError::missing("comment"))?;
    if comment.chars().count() > 255 {
        return Err(ApiError::invalid("comment", "at most 255 characters"));
    }
    state.with_dispute(id, |d, now| {
        d.comment(comment, now)?;
        Ok(None)
    })?;
    Ok(Json(
        json!({"message": "order.dispute.updated_successfully"}),
    ))
}

/// The text of one field of a `multipart/form-data` body.
///
/// # Errors
/// 400 `invalid_field` when the body is not multipart or has no boundary.
fn form_field(content_type: &str, body: &[u8], name: &str) -> ApiResult<Option<String>> {
    let not_form = || ApiError::invalid("body", "expected multipart/form-data");
    let (kind, params) = content_type.split_once(';').ok_or_else(not_form)?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return Err(not_form());
    }
    let boundary = params
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("boundary="))
        .next()
        .map(|b| b.trim_matches('"'))
        .filter(|b| !b.is_empty())
        .ok_or_else(not_form)?;
    let text = String::from_utf8_lossy(body);
    let delimiter = format!("--{boundary}");
    let wanted = format!("name=\"{name}\"");
    for part in text.split(delimiter.as_str()) {
        let Some((head, value)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"));
        if disposition.is_some_and(|d| d.contains(&wanted)) {
            return Ok(Some(value.strip_suffix("\r\n").unwrap_or(value).to_owned()));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn reads_the_comment_part_of_a_form() {
        let body = "--b1\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n\
                    --b1\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\nhello\r\n--b1--\r\n";
        let ct = "multipart/form-data; boundary=b1";
        assert_eq!(
            form_field(ct, body.as_bytes(), "comment")
                .unwrap()
                .as_deref(),
            Some("hello")
        );
        assert_eq!(form_field(ct, body.as_bytes(), "none").unwrap(), None);
        assert!(form_field("application/json", b"{}", "comment").is_err());
    }
}

//! `POST /webhooks/tamara`: verify the `tamaraToken`, store the raw delivery, answer.
//!
//! A dispute event (`OrderDispute…`, payload undocumented) is never a 400: whatever its body
//! holds besides its `event_type`, it is stored verified for [`crate::disputes`] to keep.
//!
//! Owns the receiver's verdicts and answers: 200 verified, 401 missing/forged/expired/wrongly
//! signed token (stored, never processed), 400 unparseable body with a valid token (stored),
//! 413 body over [`super::MAX_BODY_BYTES`] (axum's body limit; not stored), 429 a refused
//! request over its address's limit ([`super::limit`]; not stored), 405 other methods
//! (axum's method router), 503 when the inbox cannot be written (Tamara retries).
//!
//! What is stored depends on the verdict: a verified delivery (and a signed one whose body does
//! not parse) is stored in full; a refused one (401) keeps a bounded record — verdict, reason,
//! real sizes, the sender's address and [`super::sample`]s of body, headers and query — so a
//! stranger cannot fill the disk by sending big requests without a token.
//!
//! Invariants: the row is written (WAL, `synchronous = FULL`) BEFORE any answer, so a 200
//! means the delivery survives a crash. Rows are written by one [`InboxWriter`] thread that
//! commits the deliveries arriving together in one transaction (group commit): one sync
//! acknowledges many, and each request is still answered only after the commit holding its
//! row has returned. Secrets never reach the row: the `Authorization` header, the
//! `tamaraToken` parameter and every header or query parameter whose name suggests a secret
//! (a merchant's own `?key=` on the registered URL) are masked to their last 4 characters;
//! reasons carry the check that failed, never the token.
//! The handler never does business work: it only wakes the processor.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use axum::Json;
use axum::body::Bytes;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use serde_json::{Value, json};
use tamara::notification::TokenError;
use tamara::sensitive::{mask_query, names_a_secret};

use super::{ReceiverState, sample};
use crate::store::deliveries::{self, DeliveryVerdict, NewDelivery};
use crate::store::inbox::InboxWriter;
use crate::store::{Store, StoreError, mask_secret};

/// The query parameter that carries the token.
const QUERY_TOKEN: &str = "tamaraToken";

#[axum::debug_handler]
pub(crate) async fn receive(
    State(state): State<Arc<ReceiverState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    uri: Uri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, Json<Value>) {
    let now = state.console.now();
    let query_token = query.as_deref().and_then(query_token);
    let authorization = headers
        .get(axum::http::header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("\u{fffd}"));
    let token_check = match &state.verifier {
        None => Err(TokenError::NoKeyConfigured),
        Some(verifier) => {
            verifier.verify_delivery(authorization, query_token.as_deref(), now.timestamp())
        }
    };
    let parsed = super::body::parse(&body);
    // A dispute event is kept whatever its (undocumented) shape: `crate::disputes` reads it.
    let dispute = match &parsed {
        Ok(n) if !crate::disputes::is_dispute_event(n.kind.name()) => None,
        _ => crate::disputes::notice::read(&body),
    };
    let (verdict, status, reason) = match (&token_check, &parsed) {
        (Err(e), _) => (
            DeliveryVerdict::Rejected,
            StatusCode::UNAUTHORIZED,
            Some(format!("{}: {e}", e.code())),
        ),
        (Ok(_), Err(e)) if dispute.is_none() => (
            DeliveryVerdict::InvalidBody,
            StatusCode::BAD_REQUEST,
            Some(format!("body_invalid: {e}")),
        ),
        (Ok(_), _) => (DeliveryVerdict::Verified, StatusCode::OK, None),
    };
    let refused = verdict == DeliveryVerdict::Rejected;
    if refused && !state.refusals.admit(peer.ip()) {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            Json(json!({"success": false, "error": "rate_limited"})),
        );
    }
    let notification = parsed.ok();
    let sizes = sample::sizes(&headers, query.as_deref(), &body);
    // A refused request is a stranger's: keep a bounded record of it, never the request.
    let delivery = NewDelivery {
        environment: state.environment(),
        received_at: now,
        method: method.to_string(),
        path: sample::text(uri.path(), sample::SAMPLE_BYTES),
        query: query.as_deref().map(|q| {
            let masked = mask_query(q);
            if refused {
                sample::text(&masked, sample::SAMPLE_BYTES)
            } else {
                masked
            }
        }),
        headers_json: if refused {
            sample::headers(&masked_header_map(&headers))
        } else {
            masked_headers(&headers)
        },
        body: if refused {
            sample::body(&body)
        } else {
            String::from_utf8_lossy(&body).into_owned()
        },
        verdict,
        reason: reason
            .as_deref()
            .map(|r| sample::text(r, sample::SAMPLE_BYTES)),
        http_status: status.as_u16(),
        order_id: notification
            .as_ref()
            .map(|n| n.order_id.clone())
            .or_else(|| dispute.as_ref().and_then(|d| d.order_id.clone())),
        event_type: notification
            .as_ref()
            .map(|n| n.kind.name().to_owned())
            .or_else(|| dispute.as_ref().map(|d| d.event.to_string())),
        sender: Some(peer.to_string()),
        sizes: Some(sizes),
    };
    let id = match state.inbox.insert(state.console.store(), delivery).await {
        Ok(id) => id,
        Err(e) => {
            tracing::error!(error = %e, "webhook delivery not stored; answering 503");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"success": false, "error": "inbox_unavailable"})),
            );
        }
    };
    if verdict == DeliveryVerdict::Verified {
        state.wake.notify_one();
        (
            StatusCode::OK,
            Json(json!({"success": true, "delivery_id": id})),
        )
    } else {
        tracing::warn!(
            delivery_id = id,
            reason = reason.as_deref().unwrap_or(""),
            "webhook delivery refused"
        );
        let code = reason
            .as_deref()
            .and_then(|r| r.split(':').next())
            .unwrap_or("refused")
            .to_owned();
        (status, Json(json!({"success": false, "error": code})))
    }
}

/// The receiver's way into the inbox: the [`InboxWriter`] thread (group commit), started with
/// the first delivery; if it cannot start, the shared pool one row at a time (slower, never
/// wrong). Clones share the writer; its thread ends when the router holding the last clone is
/// dropped.
#[derive(Clone, Default)]
pub(crate) struct Inbox {
    writer: Arc<OnceLock<Option<InboxWriter>>>,
}

impl Inbox {
    /// Stores `delivery`; returns its id once the transaction holding it has committed.
    async fn insert(&self, store: &Store, delivery: NewDelivery) -> Result<i64, StoreError> {
        let writer = self.writer.get_or_init(|| match InboxWriter::start(store) {
            Ok(writer) => Some(writer),
            Err(e) => {
                tracing::warn!(error = %e, "inbox writer not started; storing through the shared pool");
                None
            }
        });
        match writer {
            Some(writer) => writer.insert(delivery).await,
            None => deliveries::insert(store, &delivery).await,
        }
    }
}

/// The `tamaraToken` value of a raw query string, if present.
fn query_token(raw: &str) -> Option<String> {
    url::form_urlencoded::parse(raw.as_bytes())
        .find(|(k, _)| k == QUERY_TOKEN)
        .map(|(_, v)| v.into_owned())
}

/// Headers as a JSON object (names in order, lower-case as HTTP/1 header names always are in
/// `HeaderMap`; repeated headers joined with ", "), secret values masked.
fn masked_headers(headers: &HeaderMap) -> String {
    // A map of strings always serialises; the fallback is never reached.
    serde_json::to_string(&masked_header_map(headers)).unwrap_or_else(|_| "{}".to_owned())
}

/// Header names to joined values, secret values masked (see [`masked_headers`]).
fn masked_header_map(headers: &HeaderMap) -> BTreeMap<&str, Cow<'_, str>> {
    let mut map: BTreeMap<&str, Cow<'_, str>> = BTreeMap::new();
    for name in headers.keys() {
        let lower = name.as_str();
        let mut values = headers.get_all(name).iter();
        let mut joined = values
            .next()
            .map_or(Cow::Borrowed(""), |v| String::from_utf8_lossy(v.as_bytes()));
        for more in values {
            let text = joined.to_mut();
            text.push_str(", ");
            text.push_str(&String::from_utf8_lossy(more.as_bytes()));
        }
        let value = if names_a_secret(lower) {
            Cow::Owned(mask_secret(&joined))
        } else {
            joined
        };
        map.insert(lower, value);
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_the_query_token_and_keeps_the_rest() {
        let q = mask_query("storeId=1&tamaraToken=eyJhbGciOiJIUzI1NiJ9.abc.signature1234");
        assert_eq!(q, "storeId=1&tamaraToken=****1234");
        assert_eq!(
            query_token("a=b&tamaraToken=x.y.z").as_deref(),
            Some("x.y.z")
        );
    }

    #[test]
    fn keeps_other_parameters_as_they_came_and_finds_an_encoded_token_name() {
        assert_eq!(
            mask_query("a=x%20y&tamara%54oken=abc.def.ghij1234&b=c+d&flag"),
            "a=x%20y&tamaraToken=****1234&b=c+d&flag"
        );
        assert_eq!(mask_query("tamaraToken=short"), "tamaraToken=****");
        assert_eq!(mask_query(""), "");
    }

    #[test]
    fn masks_query_parameters_that_name_a_secret() {
        assert_eq!(
            mask_query("storeId=1&api_key=sk_live_abcd9876&signature=zz99&order=o-1"),
            "storeId=1&api_key=****9876&signature=****&order=o-1",
            "and nothing else is changed"
        );
    }

    #[test]
    fn joins_repeated_headers_and_masks_the_joined_value() {
        let mut h = HeaderMap::new();
        h.append("x-forwarded-for", "10.0.0.1".parse().unwrap());
        h.append("x-forwarded-for", "10.0.0.2".parse().unwrap());
        h.append("x-api-token", "first-secret-aaaa".parse().unwrap());
        h.append("x-api-token", "second-secret-zzzz".parse().unwrap());
        let v: Value = serde_json::from_str(&masked_headers(&h)).unwrap();
        assert_eq!(v["x-forwarded-for"], "10.0.0.1, 10.0.0.2");
        assert_eq!(v["x-api-token"], "****zzzz");
        assert_eq!(masked_headers(&HeaderMap::new()), "{}");
    }

    #[test]
    fn masks_secret_looking_headers() {
        let mut h = HeaderMap::new();
        h.insert(
            "authorization",
            "Bearer aaaa.bbbb.cccc9876".parse().unwrap(),
        );
        h.insert("x-console-key", "k-7f3a-long-value".parse().unwrap());
        h.insert("content-type", "application/json".parse().unwrap());
        let v: Value = serde_json::from_str(&masked_headers(&h)).unwrap();
        assert_eq!(v["authorization"], "****9876");
        assert_eq!(v["x-console-key"], "****alue");
        assert_eq!(v["content-type"], "application/json");
    }
}

//! `GET /checkout/success|failure|cancel`: where Tamara sends the customer back.
//!
//! Owns the three small HTML pages. Invariants: the query (`orderId`, `paymentStatus`) is never
//! trusted — the order is re-read from the API and its real status is shown (and cached, never
//! backwards); a disagreeing `paymentStatus` is pointed out; a missing or unknown order id is a
//! 400 page; an API failure is a 502 page saying the status could not be confirmed. Every
//! value shown is HTML-escaped.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Html;
use tamara::ApiError;

use super::ReceiverState;
use crate::error::Error;
use crate::html::escape as esc;
use crate::orders::CachedOrder;

/// Settings key prefix (per environment) of the last landing on each redirect page.
pub const REDIRECT_SETTING_PREFIX: &str = "redirect.";

type Page = (StatusCode, Html<String>);
type Params = Query<HashMap<String, String>>;

#[axum::debug_handler]
pub(crate) async fn success(State(s): State<Arc<ReceiverState>>, Query(q): Params) -> Page {
    page(&s, "success", &q).await
}

pub(crate) async fn failure(State(s): State<Arc<ReceiverState>>, Query(q): Params) -> Page {
    page(&s, "failure", &q).await
}

pub(crate) async fn cancel(State(s): State<Arc<ReceiverState>>, Query(q): Params) -> Page {
    page(&s, "cancel", &q).await
}

async fn page(state: &ReceiverState, landing: &str, q: &HashMap<String, String>) -> Page {
    let Some(order_id) = q.get("orderId").map(|s| s.trim()).filter(|s| valid_id(s)) else {
        return render(
            StatusCode::BAD_REQUEST,
            "Unknown order",
            "This link does not name a valid order (orderId is missing or malformed).",
        );
    };
    let claimed = q.get("paymentStatus").map(|s| s.trim().to_owned());
    match read_order(state, order_id).await {
        Ok(cached) => {
            record_landing(state, landing, order_id, &cached.order.status).await;
            let real = cached.order.status;
            let mut text = format!(
                "Order {} ({}) is <strong>{}</strong> according to Tamara.",
                esc(order_id),
                esc(&cached.order.order_reference_id),
                esc(&real)
            );
            if let Some(c) = claimed.filter(|c| !c.eq_ignore_ascii_case(&real)) {
                text.push_str(&format!(
                    " The link said “{}”, which does not match; the status above is the real one.",
                    esc(&c)
                ));
            }
            render(StatusCode::OK, &format!("Checkout {landing}"), &text)
        }
        Err(Error::Gateway(ApiError::Http {
            status: 404 | 400, ..
        })) => render(
            StatusCode::BAD_REQUEST,
            "Unknown order",
            &format!("Tamara does not know order {}.", esc(order_id)),
        ),
        Err(e) => {
            tracing::warn!(order_id, error = %e, "redirect: order status not confirmed");
            render(
                StatusCode::BAD_GATEWAY,
                "Status not confirmed",
                &format!(
                    "The status of order {} could not be confirmed with Tamara ({}). \
                     Do not ship yet; it will be checked again.",
                    esc(order_id),
                    esc(e.code().as_str())
                ),
            )
        }
    }
}

/// The order as Tamara has it now, read through the console's gateway (retries, breaker) and
/// written to the cache, never backwards.
async fn read_order(state: &ReceiverState, order_id: &str) -> Result<CachedOrder, Error> {
    crate::orders::cache::fetch(&state.console, order_id).await
}

/// Remembers the last landing of each kind (`redirect.<landing>` in settings) as go-live
/// checklist evidence. Best effort: the customer's page never fails because of it.
async fn record_landing(state: &ReceiverState, landing: &str, order_id: &str, status: &str) {
    let scope = crate::store::settings::SettingScope::Env(state.environment());
    let value = serde_json::json!({
        "order_id": order_id, "status": status, "at": state.console.now().to_rfc3339(),
    });
    let key = format!("{REDIRECT_SETTING_PREFIX}{landing}");
    let store = state.console.store();
    if let Err(e) =
        crate::store::settings::set(store, scope, &key, &value.to_string(), state.console.now())
            .await
    {
        tracing::warn!(error = %e, "redirect landing not recorded");
    }
}

fn valid_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn render(status: StatusCode, title: &str, body_html: &str) -> Page {
    (
        status,
        Html(format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t}</title></head>\
             <body><h1>{t}</h1><p>{body_html}</p></body></html>",
            t = esc(title)
        )),
    )
}

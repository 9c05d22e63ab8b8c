//! The hosted checkout page (what `checkout_url` opens) and its three customer buttons.
//!
//! GET `/checkout/{checkout_id}` renders the order; the forms post to
//! `/_sandbox/checkout/{checkout_id}/approve|decline|cancel`, which change the order like the
//! customer would and 303-redirect the browser to `merchant_url.success|failure|cancel` with
//! `?orderId=<id>&paymentStatus=approved|declined|canceled` (no `paymentStatus` on the failure
//! and cancel pages with `omit_failure_payment_status`). Customer cancel expires the order
//! at once (§9.1). `GET /checkout/payment-types` is a static route and wins over this one.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::orders::Order;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/checkout/{checkout_id}", get(page))
        .route("/_sandbox/checkout/{checkout_id}/{action}", post(act))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn message(status: StatusCode, text: &str) -> Response {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Tamara sandbox</title></head>\
         <body><h1>Tamara sandbox checkout</h1><p>{}</p></body></html>",
        esc(text)
    );
    (status, Html(body)).into_response()
}

fn find(state: &AppState, raw: &str) -> Option<Order> {
    let id = uuid::Uuid::parse_str(raw).ok()?;
    state.with_store(|s, _| s.checkouts.get(&id).and_then(|o| s.orders.get(o)).cloned())
}

fn render(o: &Order) -> String {
    let mut rows = String::new();
    for it in &o.items {
        let text = |k: &str| it.get(k).map(|v| v.to_string()).unwrap_or_default();
        let amount = it.get("total_amount").and_then(|m| m.get("amount"));
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(text("name").trim_matches('"')),
            esc(&text("quantity")),
            esc(&amount.map(|a| a.to_string()).unwrap_or_default()),
        ));
    }
    let total = o.money(o.total).to_json();
    let amount = total
        .get("amount")
        .map(|a| a.to_string())
        .unwrap_or_default();
    let button = |action: &str, label: &str| {
        format!(
            "<form method=\"post\" action=\"/_sandbox/checkout/{}/{action}\" style=\"display:inline\">\
             <button type=\"submit\" name=\"action\" value=\"{action}\">{label}</button></form> ",
            o.checkout_id
        )
    };
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Tamara sandbox checkout</title>\
         </head><body><h1>Tamara sandbox checkout</h1>\
         <p>Simulated page: real Tamara shows OTP, identity and card steps here.</p>\
         <dl><dt>Order reference</dt><dd id=\"reference\">{}</dd>\
         <dt>Order id</dt><dd id=\"order-id\">{}</dd>\
         <dt>Status</dt><dd id=\"status\">{}</dd>\
         <dt>Amount</dt><dd id=\"amount\">{} {}</dd>\
         <dt>Payment</dt><dd>{}</dd></dl>\
         <table><thead><tr><th>Item</th><th>Qty</th><th>Total</th></tr></thead><tbody>{}</tbody></table>\
         <p>{}{}{}</p></body></html>",
        esc(&o.order_reference_id),
        o.order_id,
        o.status.as_str(),
        esc(&amount),
        o.currency.code(),
        esc(&o.payment_type),
        rows,
        button("approve", "Approve"),
        button("decline", "Decline"),
        button("cancel", "Cancel"),
    )
}

async fn page(State(state): State<AppState>, Path(raw): Path<String>) -> Response {
    match find(&state, &raw) {
        Some(o) => Html(render(&o)).into_response(),
        None => message(StatusCode::NOT_FOUND, "Checkout session not found."),
    }
}

async fn act(
    State(state): State<AppState>,
    Path((raw, action)): Path<(String, String)>,
) -> Response {
    let Some(o) = find(&state, &raw) else {
        return message(StatusCode::NOT_FOUND, "Checkout session not found.");
    };
    let decline = serde_json::json!({ "declined_reason": "Declined on the sandbox checkout page",
        "declined_code": "customer_declined", "decline_type": "hard" });
    let result = match action.as_str() {
        "approve" => state.apply(o.order_id, |o, ids, now| Ok(((), o.approve(now, ids)?))),
        "decline" => state.apply(o.order_id, |o, _, _| Ok(((), o.decline(decline)?))),
        "cancel" => state.apply(o.order_id, |o, _, _| {
            if o.status != crate::orders::Status::New {
                return Err(crate::errors::ApiError::status_conflict(
                    o.order_id,
                    o.status.as_str(),
                    "expired",
                ));
            }
            Ok(((), o.expire()?))
        }),
        _ => return message(StatusCode::NOT_FOUND, "Unknown action."),
    };
    if let Err(e) = result {
        return message(
            e.status,
            &format!("This checkout can no longer be changed: {}", e.message),
        );
    }
    let (target, status) = match action.as_str() {
        // In-store sessions have no merchant page to return to: the customer stays here.
        _ if o.in_store => {
            return message(StatusCode::OK, "Done. You can close this page.");
        }
        "approve" => (&o.merchant_url.success, "approved"),
        "decline" => (&o.merchant_url.failure, "declined"),
        _ => (&o.merchant_url.cancel, "canceled"),
    };
    // Only `approved` is a confirmed value; `omit_failure_payment_status` sends none on the
    // other two (§5.2, §16.14).
    let omit = status != "approved" && state.config().omit_failure_payment_status;
    match url::Url::parse(target) {
        Ok(mut u) => {
            u.query_pairs_mut()
                .append_pair("orderId", &o.order_id.to_string());
            if !omit {
                u.query_pairs_mut().append_pair("paymentStatus", status);
            }
            Redirect::to(u.as_str()).into_response()
        }
        Err(_) => message(
            StatusCode::BAD_GATEWAY,
            "The merchant redirect URL is invalid.",
        ),
    }
}

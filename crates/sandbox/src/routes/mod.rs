//! HTTP surface: the Tamara paths (behind API-token auth and API fault injection), the hosted
//! checkout page, and the simulator-only control endpoints under `/_sandbox/`.
//!
//! `/_sandbox/...` and the hosted page need no API token: they stand for things a customer's
//! browser or the passage of time do in real Tamara, not merchant API calls. They exist only in
//! the simulator and are never answered by Tamara.
//!
//! Layers of the Tamara paths, outermost first: answer shaping (the configured answers to the
//! unknown error statuses and bodies, §16.8), the rate limit (§16.20), API faults, auth.

mod checkout;
mod control;
mod disputes;
mod hosted;
mod instore;
mod orders;
mod payments;
mod precheck;
mod statements;
mod webhooks;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use uuid::Uuid;

use crate::errors::{AMOUNT_EXCEEDS_REMAINING, ApiError, ErrorCode};
use crate::state::AppState;

/// The complete router of one simulator.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/checkout", post(checkout::create))
        .route("/checkout/payment-types", get(precheck::payment_types))
        .route(
            "/checkout/payment-options-pre-check",
            post(precheck::payment_options),
        )
        .route(
            "/merchants/customer/id-verification-status",
            get(precheck::id_verification),
        )
        .route("/checkout/in-store-session", post(instore::session))
        .route("/checkout/in-store", post(instore::qr))
        .route("/checkout/{checkout_id}/void", post(instore::void))
        .route("/orders/{order_id}", get(orders::details))
        .route("/merchants/orders/{order_id}", get(orders::details))
        .route(
            "/merchants/orders/reference-id/{reference}",
            get(orders::by_reference),
        )
        .route("/orders/{order_id}/authorise", post(orders::authorise))
        .route(
            "/orders/{order_id}/reference-id",
            put(orders::update_reference),
        )
        .route("/orders/{order_id}/cancel", post(payments::cancel))
        .route("/payments/capture", post(payments::capture))
        .route(
            "/payments/simplified-refund/{order_id}",
            post(payments::simplified_refund),
        )
        .route("/payments/refund", post(payments::legacy_refund))
        .route(disputes::DISPUTES_PATH, get(disputes::list))
        .route(
            disputes::DISPUTES_PATH.trim_end_matches('/'),
            get(disputes::list),
        )
        .route(
            "/external/merchants/orders/disputes/{dispute_id}",
            post(disputes::update),
        )
        .route("/webhooks", post(webhooks::register))
        .route("/webhooks/list", get(webhooks::list))
        .route(
            "/webhooks/{webhook_id}",
            get(webhooks::get_one)
                .put(webhooks::update)
                .delete(webhooks::delete),
        )
        // Last layer added runs first: shaping, the rate limit, faults (a failing Tamara
        // fails before checking the token), then auth.
        .route_layer(middleware::from_fn_with_state(state.clone(), auth))
        .route_layer(middleware::from_fn_with_state(state.clone(), api_faults))
        .route_layer(middleware::from_fn_with_state(state.clone(), rate_limit))
        .route_layer(middleware::from_fn_with_state(state.clone(), shape));
    Router::new()
        .merge(api)
        .merge(hosted::routes())
        .merge(control::routes())
        .merge(disputes::control())
        .merge(statements::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

async fn not_found(State(state): State<AppState>) -> Response {
    let resp = ApiError::new(StatusCode::NOT_FOUND, "Not found", "not_found").into_response();
    shaped(&state, resp)
}

/// Applies the configured answers to the unknown error shapes (§16.8) to an API answer.
async fn shape(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    shaped(&state, resp)
}

fn shaped(state: &AppState, mut resp: Response) -> Response {
    let config = state.config();
    let code = resp.extensions().get::<ErrorCode>().map(|c| c.0.clone());
    if code.as_deref() == Some(AMOUNT_EXCEEDS_REMAINING)
        && let Ok(status) = StatusCode::from_u16(config.amount_error_status)
    {
        *resp.status_mut() = status;
    }
    let bare = matches!(
        resp.status(),
        StatusCode::UNAUTHORIZED | StatusCode::NOT_FOUND
    );
    if config.bare_401_404 && bare {
        return resp.status().into_response();
    }
    resp
}

/// At most `rate_limit_per_second` API calls per one-second window, then 429 (§16.20), with
/// `Retry-After` only when that switch is on.
async fn rate_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match state.take_rate_slot() {
        Ok(()) => next.run(req).await,
        Err(retry_after) => {
            let mut resp = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests",
                "too_many_requests",
            )
            .into_response();
            if let Some(secs) = retry_after {
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
            }
            resp
        }
    }
}

async fn method_not_allowed() -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method not allowed",
        "method_not_allowed",
    )
    .into_response()
}

/// `Authorization: Bearer <one of the configured API tokens>`, else 401.
async fn auth(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match token {
        Some(t) if state.config().api_tokens.iter().any(|ok| ok == t) => next.run(req).await,
        _ => ApiError::unauthorized().into_response(),
    }
}

/// Injected API faults: stall (then handle normally), answer a 5xx without handling, or
/// handle and then answer a 5xx (`after_apply`: the move happened, the answer was lost).
/// Every call is counted first, then waits out the standing latency, if any.
async fn api_faults(State(state): State<AppState>, req: Request, next: Next) -> Response {
    state.count_api_call(req.method().as_str());
    let latency = state.api_latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let fault = state.take_api_fault(req.method().as_str());
    let injected = |code: u16| {
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        ApiError::new(status, "Injected failure", "service_unavailable").into_response()
    };
    if let Some(code) = fault.status
        && !fault.after_apply
    {
        if let Some(d) = fault.stall {
            tokio::time::sleep(d).await;
        }
        return injected(code);
    }
    let answer = match fault.stall {
        // The stalled call runs in its own task: a client that gives up (timeout) drops this
        // future, but the operation still completes, as it would at a slow gateway. That is
        // the case "re-read the order after a timeout" exists for.
        Some(d) => {
            let work = tokio::spawn(async move {
                tokio::time::sleep(d).await;
                next.run(req).await
            });
            match work.await {
                Ok(resp) => resp,
                Err(_) => ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Stalled call failed",
                    "internal_error",
                )
                .into_response(),
            }
        }
        None => next.run(req).await,
    };
    match fault.status {
        Some(code) => injected(code),
        None => answer,
    }
}

/// Path ids that are not UUIDs cannot name anything: 404, like an unknown id.
fn parse_id(raw: &str, what: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::not_found(what))
}

//! The client over real HTTP on loopback against a server that misbehaves on purpose:
//! firewall pages, Tamara error bodies, stalls past the timeout, refused connections.
//! (The happy paths against the simulator live in the workspace `tests/` scenarios.)

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Request};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post};
use tamara::error::TimeoutPhase;
use tamara::{ApiError, ClientConfig, OrderPath, Sensitive, TamaraClient};

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn client(base: &str) -> TamaraClient {
    let mut cfg = ClientConfig::new(base, Sensitive::new("api-token-abcdef-1234".into()));
    cfg.total_timeout = Duration::from_millis(400);
    cfg.connect_timeout = Duration::from_millis(400);
    TamaraClient::new(cfg).unwrap()
}

fn app() -> Router {
    Router::new()
        .route(
            "/orders/{id}",
            get(|Path(id): Path<String>, headers: HeaderMap| async move {
                let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("");
                if auth != "Bearer api-token-abcdef-1234" {
                    return (StatusCode::UNAUTHORIZED, axum::Json(serde_json::json!({
                        "message": "Unauthorized", "errors": [{"error_code": "unauthorized"}]})))
                        .into_response();
                }
                match id.as_str() {
                    "firewall" => (StatusCode::FORBIDDEN, Html("<html><head><title>Access Denied</title></head><body>Blocked by WAF</body></html>")).into_response(),
                    "ok-html" => Html("<p>maintenance</p>").into_response(),
                    "stall" => {
                        tokio::time::sleep(Duration::from_secs(3)).await;
                        "late".into_response()
                    }
                    "wrong-shape" => axum::Json(serde_json::json!({"order_id": 7})).into_response(),
                    "conflict" => (StatusCode::CONFLICT, axum::Json(serde_json::json!({
                        "message": "The order o-9 cannot be moved to the status authorised from new",
                        "errors": [{"error_code": "transition_not_allowed",
                                    "data": {"order_id": "o-9", "old_state": "new", "new_state": "authorised"}}],
                        "data": {}, "title": null, "screen_type": null}))).into_response(),
                    "boom" => (StatusCode::BAD_GATEWAY, "").into_response(),
                    "busy" => (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "7")],
                        axum::Json(serde_json::json!({"message": "Too many requests"}))).into_response(),
                    "busy-html" => (StatusCode::TOO_MANY_REQUESTS, Html("<p>slow down</p>")).into_response(),
                    other => axum::Json(serde_json::json!({"order_id": other, "status": "approved",
                        "total_amount": {"amount": "10.005", "currency": "KWD"}})).into_response(),
                }
            }),
        )
        .route("/merchants/orders/reference-id/{r}", get(|Path(r): Path<String>| async move {
            axum::Json(serde_json::json!({"order_id": "o1", "order_reference_id": r}))
        }))
        .route("/echo", post(|req: Request| async move {
            let ct = req.headers().get("content-type").cloned();
            let body = axum::body::to_bytes(req.into_body(), 1 << 20).await.unwrap();
            (StatusCode::OK, [("x-ct", ct.map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default())], body)
        }))
}

#[tokio::test]
async fn reads_an_order_and_keeps_its_raw_json() {
    let c = client(&serve(app()).await);
    let o = c.order("o-1", OrderPath::Orders).await.unwrap();
    assert_eq!(o.value.order_id, "o-1");
    assert_eq!(o.value.total_amount.unwrap().amount_text(), "10.005");
    assert_eq!(o.raw["total_amount"]["amount"], "10.005");
}

#[tokio::test]
async fn path_segments_are_encoded() {
    let c = client(&serve(app()).await);
    let o = c.order_by_reference("WEB/1 ?x").await.unwrap();
    assert_eq!(o.value.order_reference_id.as_deref(), Some("WEB/1 ?x"));
}

#[tokio::test]
async fn tamara_error_body_is_typed() {
    let c = client(&serve(app()).await);
    let e = c.order("conflict", OrderPath::Orders).await.unwrap_err();
    assert_eq!(e.status(), Some(409));
    assert_eq!(e.code(), "gateway_conflict");
    assert_eq!(e.error_codes(), ["transition_not_allowed".to_owned()]);
    assert!(
        e.to_string()
            .contains("cannot be moved to the status authorised"),
        "{e}"
    );
    assert!(!e.is_ambiguous());
}

/// The data beside each code survives (core shows it), and one field of an unexpected type does
/// not cost the message and codes beside it.
#[tokio::test]
async fn each_error_code_keeps_its_data_and_odd_fields_cost_nothing() {
    let c = client(&serve(app()).await);
    let e = c.order("conflict", OrderPath::Orders).await.unwrap_err();
    let body = e.error_body().unwrap();
    assert_eq!(
        body.errors[0].data,
        Some(serde_json::json!({"order_id": "o-9", "old_state": "new", "new_state": "authorised"}))
    );
    assert_eq!(body.data, Some(serde_json::json!({})));
    let e = ApiError::http(
        400,
        serde_json::json!({"message": "Bad", "errors": null, "title": 7, "data": {"k": 1}}),
    );
    assert_eq!(e.code(), "gateway_rejected");
    assert!(e.to_string().contains("Bad"), "{e}");
    let body = e.error_body().unwrap();
    assert!(body.errors.is_empty() && body.title.is_none());
    assert_eq!(body.data, Some(serde_json::json!({"k": 1})));
    let e = ApiError::http(
        422,
        serde_json::json!({"errors": [{"error_code": "a"}, {"data": 1}, "junk", {"error_code": "b"}]}),
    );
    assert_eq!(e.error_codes(), ["a".to_owned(), "b".to_owned()]);
    assert_eq!(
        ApiError::http(400, serde_json::Value::Null)
            .error_codes()
            .len(),
        0
    );
    assert!(ApiError::Transport("x".into()).error_body().is_none());
}

#[tokio::test]
async fn wrong_token_is_unauthorized_and_the_token_never_appears() {
    let base = serve(app()).await;
    let c = TamaraClient::new(ClientConfig::new(
        &base,
        Sensitive::new("wrong-secret-token-9999".into()),
    ))
    .unwrap();
    let e = c.order("o-1", OrderPath::Orders).await.unwrap_err();
    assert_eq!(e.code(), "gateway_unauthorized");
    assert!(!format!("{e} {e:?}").contains("wrong-secret-token"));
    assert!(!format!("{c:?}").contains("wrong-secret-token"));
}

#[tokio::test]
async fn firewall_page_is_reported_as_not_tamara() {
    let c = client(&serve(app()).await);
    let e = c.order("firewall", OrderPath::Orders).await.unwrap_err();
    assert!(matches!(&e, ApiError::NotJson { status: 403, .. }), "{e:?}");
    let text = e.to_string();
    assert!(
        text.contains("Access Denied") && text.contains("firewall"),
        "{text}"
    );
    let e = c.order("ok-html", OrderPath::Orders).await.unwrap_err();
    assert!(matches!(e, ApiError::NotJson { status: 200, .. }), "{e:?}");
}

#[tokio::test]
async fn unexpected_shape_and_5xx() {
    let c = client(&serve(app()).await);
    let e = c.order("wrong-shape", OrderPath::Orders).await.unwrap_err();
    assert_eq!(e.code(), "gateway_unexpected_shape");
    let e = c.order("boom", OrderPath::Orders).await.unwrap_err();
    assert_eq!(e.status(), Some(502));
    assert!(e.is_ambiguous() && e.is_retryable_read());
}

#[tokio::test]
async fn a_stall_hits_the_total_timeout_and_is_ambiguous() {
    let c = client(&serve(app()).await);
    let started = std::time::Instant::now();
    let e = c.order("stall", OrderPath::Orders).await.unwrap_err();
    assert!(
        matches!(
            e,
            ApiError::Timeout {
                phase: TimeoutPhase::Total,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.is_ambiguous());
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "timeout must cut the stall short"
    );
}

#[tokio::test]
async fn refused_connection_is_unreachable_and_not_ambiguous() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let c = client(&format!("http://{addr}"));
    let e = c
        .order("o-1", OrderPath::MerchantsOrders)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "gateway_unreachable", "{e:?}");
    assert!(
        !e.is_ambiguous(),
        "nothing was sent, so nothing can have happened"
    );
}

#[test]
fn bad_base_urls_are_refused() {
    for base in ["", "not a url", "ftp://x", "mailto:a@b"] {
        let e = TamaraClient::new(ClientConfig::new(base, Sensitive::new("t".into()))).unwrap_err();
        assert_eq!(e.code(), "gateway_invalid_base_url", "{base}");
    }
}

/// A 429 is a refusal to be waited out, whatever page carries it: its Retry-After (seconds) is
/// kept when sent, and a proxy's HTML 429 is the same error, not "not JSON".
#[tokio::test]
async fn a_429_keeps_its_retry_after_and_is_a_rate_limit_whatever_its_body() {
    let c = client(&serve(app()).await);
    let e = c.order("busy", OrderPath::Orders).await.unwrap_err();
    assert!(
        matches!(e, ApiError::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(7)),
        "{e:?}"
    );
    assert_eq!(e.code(), "gateway_rate_limited");
    assert_eq!(e.status(), Some(429));
    assert!(e.is_retryable_read() && !e.is_ambiguous());
    assert!(e.to_string().contains("try again in 7 s"), "{e}");
    let e = c.order("busy-html", OrderPath::Orders).await.unwrap_err();
    assert!(
        matches!(
            e,
            ApiError::RateLimited {
                retry_after: None,
                ..
            }
        ),
        "{e:?}"
    );
}

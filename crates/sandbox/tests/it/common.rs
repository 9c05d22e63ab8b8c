//! Shared helpers of the integration tests: a sandbox on 127.0.0.1:0, a JSON client, order
//! fixtures in every status and a recording webhook receiver.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use tamara_sandbox::{SandboxConfig, SandboxHandle};

pub const TOKEN: &str = "sandbox-api-token";
pub const NOTIFICATION_TOKEN: &str = "sandbox-notification-token";

pub fn config() -> SandboxConfig {
    SandboxConfig {
        seed: Some(42),
        retry_schedule: vec![Duration::from_millis(20), Duration::from_millis(40)],
        ..SandboxConfig::default()
    }
}

pub struct Sb {
    pub handle: SandboxHandle,
    pub http: reqwest::Client,
    pub base: String,
}

pub async fn start() -> Sb {
    start_with(config()).await
}

pub async fn start_with(cfg: SandboxConfig) -> Sb {
    let handle = tamara_sandbox::spawn(cfg, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let base = handle.base_url();
    Sb { handle, http, base }
}

impl Sb {
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.call_token(method, path, body, Some(TOKEN)).await
    }

    pub async fn call_token(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> (u16, Value) {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.http.request(m, format!("{}{}", self.base, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        let v = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        };
        (status, v)
    }

    pub async fn raw(&self, method: &str, path: &str, body: &str) -> (u16, Value) {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let resp = self
            .http
            .request(m, format!("{}{}", self.base, path))
            .bearer_auth(TOKEN)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap())
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.call("GET", path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call("POST", path, Some(body)).await
    }

    pub async fn status_of(&self, order_id: &str) -> String {
        let (s, v) = self.get(&format!("/orders/{order_id}")).await;
        assert_eq!(s, 200, "{v}");
        v["status"].as_str().unwrap().to_owned()
    }

    /// New order (status `new`) with the given total in SAR.
    pub async fn new_order(&self, total: &str) -> String {
        self.new_order_in(total, "SAR", "SA").await
    }

    pub async fn new_order_in(&self, total: &str, currency: &str, country: &str) -> String {
        let (s, v) = self
            .post("/checkout", checkout_body(total, currency, country))
            .await;
        assert_eq!(s, 200, "{v}");
        v["order_id"].as_str().unwrap().to_owned()
    }

    pub async fn approved(&self, total: &str) -> String {
        let id = self.new_order(total).await;
        let (s, v) = self
            .post(&format!("/_sandbox/orders/{id}/approve"), json!({}))
            .await;
        assert_eq!(s, 200, "{v}");
        id
    }

    pub async fn authorised(&self, total: &str) -> String {
        let id = self.approved(total).await;
        let (s, v) = self
            .post(&format!("/orders/{id}/authorise"), json!({}))
            .await;
        assert_eq!(s, 200, "{v}");
        id
    }

    pub async fn capture(&self, id: &str, amount: &str) -> (u16, Value) {
        self.post("/payments/capture", capture_body(id, amount, "SAR"))
            .await
    }

    pub async fn cancel(&self, id: &str, amount: &str) -> (u16, Value) {
        self.post(
            &format!("/orders/{id}/cancel"),
            json!({"total_amount": money(amount, "SAR")}),
        )
        .await
    }

    pub async fn refund(&self, id: &str, amount: &str) -> (u16, Value) {
        self.post(
            &format!("/payments/simplified-refund/{id}"),
            json!({"total_amount": money(amount, "SAR"), "comment": "test refund"}),
        )
        .await
    }

    pub async fn advance(&self, body: Value) -> Value {
        let (s, v) = self.post("/_sandbox/clock/advance", body).await;
        assert_eq!(s, 200, "{v}");
        v
    }

    pub async fn deliveries(&self) -> Vec<Value> {
        let (_, v) = self.get("/_sandbox/deliveries").await;
        v.as_array().unwrap().clone()
    }
}

/// A Money object whose amount is an exact JSON number.
pub fn money(amount: &str, currency: &str) -> Value {
    json!({ "amount": num(amount), "currency": currency })
}

pub fn num(s: &str) -> Value {
    Value::Number(s.parse().unwrap())
}

pub fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../../tests/fixtures/reference/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The documented checkout request with total/currency/country swapped in.
pub fn checkout_body(total: &str, currency: &str, country: &str) -> Value {
    let mut b = fixture("checkout_request.json");
    b["country_code"] = json!(country);
    b["total_amount"] = money(total, currency);
    b["shipping_amount"] = money("0", currency);
    b["tax_amount"] = money("0", currency);
    b["discount"]["amount"] = money("0", currency);
    b["shipping_address"]["country_code"] = json!(country);
    let item = &mut b["items"][0];
    for k in ["unit_price", "tax_amount", "discount_amount"] {
        item[k] = money("0", currency);
    }
    item["total_amount"] = money(total, currency);
    b["merchant_url"]
        .as_object_mut()
        .unwrap()
        .remove("notification");
    b
}

pub fn capture_body(id: &str, amount: &str, currency: &str) -> Value {
    json!({
        "order_id": id,
        "total_amount": money(amount, currency),
        "shipping_info": { "shipped_at": "2024-06-01T10:00:00Z", "shipping_company": "SMSA" },
    })
}

/// Polls `f` every 10 ms for at most `ms` milliseconds.
pub async fn wait_until<F, Fut>(ms: u64, mut f: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..(ms / 10).max(1) {
        if f().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    f().await
}

/// One request seen by the receiver.
#[derive(Debug, Clone)]
pub struct Received {
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Value,
}

#[derive(Clone, Default)]
struct RecvState {
    seen: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<VecDeque<u16>>>,
}

/// A small webhook receiver on loopback that records every POST and answers scripted statuses
/// (200 once the script is empty).
pub struct Receiver {
    pub addr: SocketAddr,
    state: RecvState,
}

impl Receiver {
    pub async fn start() -> Self {
        let state = RecvState::default();
        let app = axum::Router::new()
            .fallback(axum::routing::post(record))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { addr, state }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn script(&self, statuses: &[u16]) {
        self.state
            .script
            .lock()
            .unwrap()
            .extend(statuses.iter().copied());
    }

    pub fn seen(&self) -> Vec<Received> {
        self.state.seen.lock().unwrap().clone()
    }

    pub fn events(&self) -> Vec<String> {
        self.seen()
            .iter()
            .map(|r| r.body["event_type"].as_str().unwrap_or("").to_owned())
            .collect()
    }

    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        assert!(
            wait_until(3000, || async { self.seen().len() >= n }).await,
            "{:?}",
            self.seen()
        );
        self.seen()
    }
}

async fn record(
    State(s): State<RecvState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
    s.seen.lock().unwrap().push(Received {
        query,
        headers,
        body,
    });
    let code = s.script.lock().unwrap().pop_front().unwrap_or(200);
    StatusCode::from_u16(code).unwrap()
}

/// Registers a webhook for `events` pointing at `url`.
pub async fn register(sb: &Sb, url: &str, events: &[&str]) -> Value {
    let (s, v) = sb
        .post(
            "/webhooks",
            json!({"type": "order", "url": url, "events": events,
                   "headers": {"x-console-key": "k-7f3a"}}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    v
}

pub const ALL_EVENTS: [&str; 8] = [
    "order_approved",
    "order_declined",
    "order_authorised",
    "order_canceled",
    "order_updated",
    "order_captured",
    "order_refunded",
    "order_expired",
];

/// Keys a response may leave null although the example shows a value: optional data the
/// checkout did not provide (the consumer's date of birth, a billing address, a discount).
pub const NULLABLE: [&str; 3] = ["date_of_birth", "billing_address", "discount_amount"];

/// Recursively checks that `actual` has every key of `expected` (a documented example) with a
/// compatible JSON type. Numbers accept numbers or numeric strings (money, §3.1); `null` in the
/// example accepts anything. An empty array stands for an empty map either way round: Tamara's
/// PHP backend writes an empty map as `[]` (the retrieve-webhook example's `headers`, where the
/// register example has an object).
pub fn conforms(expected: &Value, actual: &Value, path: &str, errors: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Null, _) => {}
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let p = format!("{path}.{k}");
                match a.get(k) {
                    None => errors.push(format!("{p}: missing")),
                    Some(Value::Null) if NULLABLE.contains(&k.as_str()) => {}
                    Some(av) => conforms(ev, av, &p, errors),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if let Some(first) = e.first() {
                for (i, av) in a.iter().enumerate() {
                    conforms(first, av, &format!("{path}[{i}]"), errors);
                }
            }
        }
        (Value::Array(e), Value::Object(_)) if e.is_empty() => {}
        (Value::Object(_), Value::Array(a)) if a.is_empty() => {}
        (Value::Number(_), Value::Number(_)) => {}
        (Value::Number(_), Value::String(s)) if s.parse::<rust_decimal::Decimal>().is_ok() => {}
        (Value::String(_), Value::String(_)) | (Value::Bool(_), Value::Bool(_)) => {}
        (e, a) => errors.push(format!("{path}: expected like {e}, got {a}")),
    }
}

//! What the benchmark plays Tamara with: the simulator, the orders that exist in it, and the
//! signed notification bodies.
//!
//! Owns the simulator thread (its own single-threaded Tokio runtime, so its work for the
//! processor's order re-reads is scheduled apart from the load generator), the checkouts the
//! notifications refer to, and the bodies (reference §7).
//!
//! Invariants: every notification names an order that really exists (and is approved) in the
//! simulator, so the processor of `mizan serve` does its production work for each one; body
//! `i` is a deterministic function of `i` and carries its own `capture_id` (a UUID built from
//! `i`), so every body is a distinct event identity and can be found again in the store.

use std::sync::mpsc;
use std::thread::JoinHandle;

use serde_json::{Value, json};
use tamara::Sensitive;
use tamara_sandbox::SandboxConfig;

use crate::BenchError;

/// The API token the simulator accepts and `mizan serve` is given.
pub const API_TOKEN: &str = "bench-api-token-0001";
/// The notification token the bench signs with and `mizan serve` verifies with.
pub const NOTIFICATION_TOKEN: &str = "bench-notification-token-0001";

/// The high 64 bits of every `capture_id` the bench makes, so its ids are recognisable; the
/// low 64 bits are the body index.
const CAPTURE_ID_PREFIX: u128 = 0xbe4c_be4c_0000_4000_u128 << 64;

/// The simulator, serving on loopback from its own thread until dropped.
pub struct Simulator {
    base_url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Simulator {
    /// Starts the simulator on `127.0.0.1:0` with the bench's tokens.
    ///
    /// # Errors
    /// [`BenchError::Simulator`] if its runtime or listener cannot start.
    pub fn start() -> Result<Simulator, BenchError> {
        let (ready_tx, ready_rx) = mpsc::channel::<Result<String, BenchError>>();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("tamara-simulator".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(BenchError::Simulator(e.to_string())));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let config = SandboxConfig {
                        api_tokens: vec![API_TOKEN.to_owned()],
                        notification_token: NOTIFICATION_TOKEN.to_owned(),
                        seed: Some(3),
                        ..SandboxConfig::default()
                    };
                    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
                    match tamara_sandbox::spawn(config, addr).await {
                        Ok(handle) => {
                            let _ = ready_tx.send(Ok(handle.base_url()));
                            let _ = stop_rx.await;
                            handle.shutdown().await;
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(BenchError::Simulator(e.to_string())));
                        }
                    }
                });
            })
            .map_err(|e| BenchError::Simulator(e.to_string()))?;
        let base_url = ready_rx
            .recv()
            .map_err(|_| BenchError::Simulator("its thread ended before it listened".into()))??;
        Ok(Simulator {
            base_url,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// An order that exists in the simulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRef {
    pub order_id: String,
    pub reference: String,
}

/// Creates `count` checkouts in the simulator and approves each as the customer would.
///
/// # Errors
/// [`BenchError::Setup`] naming the call that failed.
pub async fn create_orders(
    http: &reqwest::Client,
    base_url: &str,
    count: usize,
) -> Result<Vec<OrderRef>, BenchError> {
    let mut orders = Vec::with_capacity(count);
    for n in 0..count {
        let reference = format!("BENCH-{n}");
        let created: Value = http
            .post(format!("{base_url}/checkout"))
            .bearer_auth(API_TOKEN)
            .json(&checkout_body(&reference))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| BenchError::Setup(format!("create checkout {reference}: {e}")))?
            .json()
            .await
            .map_err(|e| BenchError::Setup(format!("read checkout {reference}: {e}")))?;
        let order_id = created
            .get("order_id")
            .and_then(Value::as_str)
            .ok_or_else(|| BenchError::Setup(format!("checkout {reference}: no order_id")))?
            .to_owned();
        http.post(format!("{base_url}/_sandbox/orders/{order_id}/approve"))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| BenchError::Setup(format!("approve {order_id}: {e}")))?;
        orders.push(OrderRef {
            order_id,
            reference,
        });
    }
    Ok(orders)
}

/// A minimal valid checkout request (§5.2), without the legacy per-order notification URL so
/// the simulator sends nothing of its own.
fn checkout_body(reference: &str) -> Value {
    json!({
        "order_reference_id": reference,
        "description": "benchmark order",
        "country_code": "SA",
        "locale": "en_US",
        "payment_type": "PAY_BY_INSTALMENTS",
        "instalments": 4,
        "total_amount": {"amount": 460.00, "currency": "SAR"},
        "shipping_amount": {"amount": 0.00, "currency": "SAR"},
        "tax_amount": {"amount": 0.00, "currency": "SAR"},
        "items": [{"reference_id": "sku-1", "type": "Physical", "name": "Desk lamp",
            "sku": "LAMP-1", "quantity": 1,
            "unit_price": {"amount": 460.00, "currency": "SAR"},
            "total_amount": {"amount": 460.00, "currency": "SAR"}}],
        "consumer": {"first_name": "Sara", "last_name": "Khalid",
            "phone_number": "544337866", "email": "sara@example.test"},
        "shipping_address": {"first_name": "Sara", "last_name": "Khalid",
            "line1": "12 Olaya St", "city": "Riyadh", "country_code": "SA",
            "phone_number": "544337866"},
        "merchant_url": {"success": "https://shop.example.test/ok",
            "failure": "https://shop.example.test/fail",
            "cancel": "https://shop.example.test/cancel"},
    })
}

/// Notification bodies over a pool of orders.
#[derive(Debug, Clone)]
pub struct Notifications {
    orders: Vec<OrderRef>,
}

impl Notifications {
    /// Bodies over `orders` (at least one).
    ///
    /// # Errors
    /// [`BenchError::Setup`] when `orders` is empty.
    pub fn new(orders: Vec<OrderRef>) -> Result<Notifications, BenchError> {
        if orders.is_empty() {
            return Err(BenchError::Setup("no orders to notify about".into()));
        }
        Ok(Notifications { orders })
    }

    /// Body number `i`: an `order_captured` notification for order `i mod pool` with its own
    /// capture id.
    pub fn body(&self, i: u64) -> String {
        let order = &self.orders[(i % self.orders.len() as u64) as usize];
        json!({
            "order_id": order.order_id,
            "order_reference_id": order.reference,
            "order_number": order.reference,
            "event_type": "order_captured",
            "data": {
                "capture_id": capture_id(i),
                "captured_amount": {"amount": 100.00, "currency": "SAR"},
            },
        })
        .to_string()
    }
}

/// The capture id carried by body `i`.
pub fn capture_id(i: u64) -> String {
    uuid::Uuid::from_u128(CAPTURE_ID_PREFIX | u128::from(i)).to_string()
}

/// The body index a stored body carries, if it is one of the bench's.
pub fn index_of(body: &str) -> Option<u64> {
    let v: Value = serde_json::from_str(body).ok()?;
    let id = uuid::Uuid::parse_str(v.get("data")?.get("capture_id")?.as_str()?).ok()?;
    let bits = id.as_u128();
    (bits & !u128::from(u64::MAX) == CAPTURE_ID_PREFIX).then_some(bits as u64)
}

/// A `tamaraToken` signed as Tamara signs it, valid for 30 minutes from now.
///
/// # Errors
/// [`BenchError::Sign`].
pub fn sign_now() -> Result<String, BenchError> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    tamara::notification::sign_token(&Sensitive::new(NOTIFICATION_TOKEN.to_owned()), now)
        .map_err(BenchError::Sign)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn pool() -> Notifications {
        Notifications::new(vec![
            OrderRef {
                order_id: "o-1".into(),
                reference: "BENCH-0".into(),
            },
            OrderRef {
                order_id: "o-2".into(),
                reference: "BENCH-1".into(),
            },
        ])
        .unwrap()
    }

    #[test]
    fn bodies_are_tamara_notifications_with_distinct_identities() {
        let n = pool();
        let a: Value = serde_json::from_str(&n.body(0)).unwrap();
        let b: Value = serde_json::from_str(&n.body(1)).unwrap();
        let c: Value = serde_json::from_str(&n.body(2)).unwrap();
        assert_eq!(a["order_id"], "o-1");
        assert_eq!(b["order_id"], "o-2");
        assert_eq!(c["order_id"], "o-1", "orders are reused round-robin");
        assert_eq!(a["event_type"], "order_captured");
        assert_ne!(a["data"]["capture_id"], c["data"]["capture_id"]);
        assert_eq!(
            n.body(7),
            n.body(7),
            "deterministic, so both targets get the same"
        );
    }

    #[test]
    fn a_stored_body_gives_back_its_index() {
        let n = pool();
        for i in [0, 1, 41, 19_999, u64::from(u32::MAX) + 5] {
            assert_eq!(index_of(&n.body(i)), Some(i));
        }
        assert_eq!(index_of("not json"), None);
        assert_eq!(index_of(r#"{"data":[]}"#), None);
        let foreign = r#"{"data":{"capture_id":"b6a1e0c2-6d44-4c8e-9a0e-3e5f7d2c1a90"}}"#;
        assert_eq!(index_of(foreign), None, "not one of the bench's ids");
    }

    #[test]
    fn an_empty_pool_is_refused() {
        assert!(matches!(
            Notifications::new(vec![]),
            Err(BenchError::Setup(_))
        ));
    }

    #[test]
    fn the_token_verifies_with_the_notification_token() {
        let token = sign_now().unwrap();
        let verifier =
            tamara::notification::TokenVerifier::new(Sensitive::new(NOTIFICATION_TOKEN.into()));
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        verifier.verify(&token, now).unwrap();
    }
}

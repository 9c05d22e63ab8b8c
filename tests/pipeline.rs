//! The webhook pipeline fixture: the simulator as Tamara delivering signed notifications over
//! real HTTP to the core's receiver on loopback, a real SQLite inbox, and the processor
//! re-reading orders from the simulator. Every wait is a bounded poll.

use std::sync::Arc;
use std::time::Duration;

use mizan_core::Console;
use mizan_core::store::deliveries::{self, DeliveryFilter, ProcessingState};
use mizan_core::webhooks::{Processor, ProcessorConfig, ReceiverState, router};
use serde_json::{Value, json};
use tamara::notification::sign_token;
use tamara::{Currency, Money, Sensitive};
use tamara_sandbox::SandboxHandle;
use tokio::sync::{Notify, watch};

use crate::{API_TOKEN, NOTIFICATION_TOKEN, checkout_request, client, console, sandbox_with};

pub struct Pipeline {
    pub sb: SandboxHandle,
    pub console: Console,
    /// The receiver's base URL (http://127.0.0.1:PORT).
    pub url: String,
    pub http: reqwest::Client,
    pub stop: watch::Sender<bool>,
    pub _dir: tempfile::TempDir,
}

impl Drop for Pipeline {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// A simulator, a console over a fresh SQLite file, the receiver on a free loopback port and
/// the processor (fast back-off), with a webhook registered for every order event.
pub async fn pipeline(seed: u64) -> Pipeline {
    pipeline_with(seed, tamara_sandbox::SandboxConfig::default(), json!({})).await
}

/// [`pipeline`] with the simulator configured from `config` and the webhook registered with
/// the custom `headers`.
pub async fn pipeline_with(
    seed: u64,
    config: tamara_sandbox::SandboxConfig,
    headers: Value,
) -> Pipeline {
    let sb = sandbox_with(seed, config).await;
    let dir = tempfile::tempdir().unwrap();
    let console = console(&sb.base_url(), dir.path()).await;
    let wake = Arc::new(Notify::new());
    let state = ReceiverState::new(console.clone(), wake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(
            listener,
            router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap()
    });
    let (stop, stopped) = watch::channel(false);
    let config = ProcessorConfig {
        idle_interval: Duration::from_millis(50),
        retry_base: Duration::from_millis(100),
        retry_max: Duration::from_millis(400),
        ..ProcessorConfig::default()
    };
    Processor::new(console.clone(), wake, config).spawn(stopped);
    let http = reqwest::Client::new();
    let reg = http
        .post(format!("{}/webhooks", sb.base_url()))
        .bearer_auth(API_TOKEN)
        .json(
            &json!({"type": "order", "url": format!("{url}/webhooks/tamara"),
            "events": ["order_approved", "order_declined", "order_authorised", "order_canceled",
                       "order_updated", "order_captured", "order_refunded", "order_expired"],
            "headers": headers}),
        )
        .send()
        .await
        .unwrap();
    assert!(reg.status().is_success(), "register: {}", reg.status());
    Pipeline {
        sb,
        console,
        url,
        http,
        stop,
        _dir: dir,
    }
}

impl Pipeline {
    pub async fn new_order(&self, reference: &str) -> String {
        let c = client(&self.sb.base_url());
        let created = c
            .create_checkout(&checkout_request(reference))
            .await
            .unwrap();
        created.value.order_id
    }

    pub async fn fault(&self, body: Value) {
        let r = self
            .http
            .post(format!("{}/_sandbox/faults/deliveries", self.sb.base_url()))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
    }

    pub async fn deliveries(&self) -> Vec<deliveries::WebhookDelivery> {
        deliveries::list(self.console.store(), &DeliveryFilter::default())
            .await
            .unwrap()
    }

    pub async fn status(&self, order_id: &str) -> Option<String> {
        self.console
            .cached_order(order_id)
            .await
            .ok()
            .map(|o| o.order.status)
    }

    /// Polls (10 s at most) until the cached order has `status` and the inbox is settled.
    pub async fn wait_status(&self, order_id: &str, status: &str) {
        for _ in 0..200 {
            let settled = self
                .deliveries()
                .await
                .iter()
                .all(|d| d.processing_state != ProcessingState::Pending);
            if settled && self.status(order_id).await.as_deref() == Some(status) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "order {order_id} never reached {status}: {:?}; inbox {:#?}",
            self.status(order_id).await,
            self.deliveries().await
        );
    }

    /// Polls until `n` deliveries are stored and none is pending.
    pub async fn wait_settled(&self, n: usize) -> Vec<deliveries::WebhookDelivery> {
        for _ in 0..200 {
            let all = self.deliveries().await;
            if all.len() >= n
                && all
                    .iter()
                    .all(|d| d.processing_state != ProcessingState::Pending)
            {
                return all;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("inbox never settled at {n}: {:#?}", self.deliveries().await);
    }

    pub async fn post(&self, path_query: &str, auth: Option<&str>, body: &str) -> u16 {
        let mut req = self
            .http
            .post(format!("{}{path_query}", self.url))
            .header("content-type", "application/json")
            .body(body.to_owned());
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        req.send().await.unwrap().status().as_u16()
    }
}

pub fn sar(amount: &str) -> Money {
    Money::parse(amount, Currency::Sar).unwrap()
}

/// A token signed with the scenario notification token, valid now.
pub fn good_token() -> String {
    sign_token(
        &Sensitive::new(NOTIFICATION_TOKEN.to_owned()),
        chrono::Utc::now().timestamp(),
    )
    .unwrap()
}

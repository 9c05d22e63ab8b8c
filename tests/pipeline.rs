//! The webhook pipeline fixture: the simulator as Tamara delivering signed notifications over
//! real HTTP to the core's receiver on loopback, a real SQLite inbox, and the processor
//! re-reading orders from the simulator. Every wait is a bounded poll.
//!
//! [`Options`] covers what the §16 scenarios need beyond that: a console whose clock follows
//! the simulator's (so a clock advance of 21 days is seen alike by Tamara's token and the
//! console's verifier), a receiver that starts only when asked (Tamara's first attempt finds
//! nobody listening), and the events and headers of the registration.

use std::sync::Arc;
use std::time::{Duration, Instant};

use mizan_core::Console;
use mizan_core::store::deliveries::{self, DeliveryFilter, ProcessingState};
use mizan_core::webhooks::{Processor, ProcessorConfig, ReceiverState, router};
use serde_json::{Value, json};
use tamara::notification::sign_token;
use tamara::{Currency, Money, Sensitive};
use tamara_sandbox::{AppState, SandboxHandle};
use tokio::sync::{Notify, watch};

use crate::{API_TOKEN, NOTIFICATION_TOKEN, checkout_request, client, console_with, sandbox_with};

pub struct Pipeline {
    pub sb: SandboxHandle,
    pub console: Console,
    /// The receiver's base URL (http://127.0.0.1:PORT).
    pub url: String,
    pub http: reqwest::Client,
    pub stop: watch::Sender<bool>,
    pub _dir: tempfile::TempDir,
    /// The receiver's router while it is not started yet ([`Options::receiver_late`]).
    waiting: Option<axum::Router>,
}

/// How a pipeline is set up beyond the simulator's configuration.
pub struct Options {
    /// The webhook's custom headers.
    pub headers: Value,
    /// The events the webhook subscribes to.
    pub events: Vec<&'static str>,
    /// The console reads the simulator's clock (real time plus its advances).
    pub follow_simulator_clock: bool,
    /// Nothing listens at the receiver's address until [`Pipeline::start_receiver`].
    pub receiver_late: bool,
    /// More variables for the console (`MIZAN_SANDBOX_DISPUTES_PATH`, …).
    pub console_vars: Vec<(&'static str, String)>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            headers: json!({}),
            events: ORDER_EVENTS.to_vec(),
            follow_simulator_clock: false,
            receiver_late: false,
            console_vars: Vec::new(),
        }
    }
}

/// The eight documented order events (`order_on_hold` is subscribed to only when asked).
pub const ORDER_EVENTS: [&str; 8] = [
    "order_approved",
    "order_declined",
    "order_authorised",
    "order_canceled",
    "order_updated",
    "order_captured",
    "order_refunded",
    "order_expired",
];

/// The simulator's clock as the console's: both see the same "now" after a clock advance.
struct SimulatorClock {
    state: AppState,
    /// The simulator's offset when the console started: monotonic time moves with advances
    /// made after it.
    start_offset: chrono::Duration,
}

impl std::fmt::Debug for SimulatorClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SimulatorClock")
    }
}

impl mizan_core::clock::Clock for SimulatorClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.state.clock().now()
    }

    fn instant(&self) -> Instant {
        let ahead = self.state.clock().offset() - self.start_offset;
        Instant::now() + ahead.to_std().unwrap_or_default()
    }
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
    let options = Options {
        headers,
        ..Options::default()
    };
    pipeline_opts(seed, config, options).await
}

/// [`pipeline`] with the simulator configured from `config`, set up as `options` say.
pub async fn pipeline_opts(
    seed: u64,
    config: tamara_sandbox::SandboxConfig,
    options: Options,
) -> Pipeline {
    let sb = sandbox_with(seed, config).await;
    let dir = tempfile::tempdir().unwrap();
    let mut console = console_with(&sb.base_url(), dir.path(), &options.console_vars).await;
    if options.follow_simulator_clock {
        let clock = SimulatorClock {
            state: sb.state().clone(),
            start_offset: sb.state().clock().offset(),
        };
        console = console.with_clock(Arc::new(clock));
    }
    let wake = Arc::new(Notify::new());
    let state = ReceiverState::new(console.clone(), wake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = router(state);
    let waiting = if options.receiver_late {
        // The port stays free (connections refused) until the receiver starts on it.
        drop(listener);
        Some(app)
    } else {
        tokio::spawn(async move {
            let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
            axum::serve(listener, app).await.unwrap()
        });
        None
    };
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
            "events": options.events, "headers": options.headers}),
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
        waiting,
    }
}

impl Pipeline {
    /// Starts the receiver of a pipeline set up with [`Options::receiver_late`].
    pub async fn start_receiver(&mut self) {
        let app = self
            .waiting
            .take()
            .expect("the receiver is already running");
        let addr = self.url.trim_start_matches("http://").to_owned();
        let listener = tokio::net::TcpListener::bind(&addr).await.unwrap();
        tokio::spawn(async move {
            let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
            axum::serve(listener, app).await.unwrap()
        });
    }

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

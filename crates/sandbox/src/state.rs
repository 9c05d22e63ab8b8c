//! Shared simulator state: orders, webhooks, statements, clock, ids, faults and the delivery
//! queue.
//!
//! Invariants:
//! - one `std::sync::Mutex` guards the store; it is never held across an `.await`;
//! - every change of order status goes through [`AppState::apply`], which runs the time rules
//!   first (so a request never acts on an order that "should" have expired) and queues the
//!   resulting notifications while still holding the lock, so deliveries start in the order
//!   the changes happened.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use uuid::Uuid;

use crate::clock::Clock;
use crate::config::SandboxConfig;
use crate::delivery::{Deliverer, Job, lock};
use crate::disputes::Dispute;
use crate::errors::{ApiError, ApiResult};
use crate::ids::IdGen;
use crate::orders::{Emitted, Order};
use crate::unknowns::OrderRules;

/// A registered webhook (§6.1).
#[derive(Debug, Clone)]
pub struct Webhook {
    pub webhook_id: Uuid,
    pub kind: String,
    pub url: String,
    pub events: Vec<String>,
    /// Custom headers in registration order.
    pub headers: Vec<(String, String)>,
}

impl Webhook {
    /// The registration as Tamara answers it: no custom headers is `"headers": []`, PHP's
    /// empty array, as in Tamara's retrieve example (reference §6.2).
    pub fn to_json(&self, merchant_id: Uuid) -> Value {
        let headers = if self.headers.is_empty() {
            Value::Array(Vec::new())
        } else {
            Value::Object(
                self.headers
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect(),
            )
        };
        json!({
            "webhook_id": self.webhook_id,
            "merchant_id": merchant_id,
            "url": self.url,
            "events": self.events,
            "headers": headers,
        })
    }
}

/// Everything behind the store lock.
#[derive(Debug, Default)]
pub struct Store {
    pub orders: HashMap<Uuid, Order>,
    /// Order ids in creation order (reference lookups pick the most recent).
    pub order_seq: Vec<Uuid>,
    pub checkouts: HashMap<Uuid, Uuid>,
    /// Webhooks in registration order.
    pub webhooks: Vec<Webhook>,
    /// Disputes in opening order; a dispute's id is its position + 1.
    pub disputes: Vec<Dispute>,
    /// Issued settlement statements and the faults of the next statement file.
    pub statements: crate::statements::Book,
}

/// Pending API faults, consumed by the next Tamara API calls (not by `/_sandbox/` calls).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ApiFaults {
    /// Answer the next `count` calls with this 5xx status.
    pub status: Option<u16>,
    pub count: u32,
    /// Stall the next `stall_count` calls by `stall_ms` before handling them normally (the
    /// operation still happens — like a timeout on the client side after Tamara acted).
    pub stall_ms: u64,
    pub stall_count: u32,
    /// With `status`: handle the call first (the move happens), then answer the 5xx instead
    /// of the result — Tamara acted but the answer was lost, the realistic ambiguous failure.
    pub after_apply: bool,
    /// Only calls with this HTTP method (e.g. `POST`) consume the faults above; other calls
    /// (the order reads around a money move) pass untouched. `None`: every API call.
    pub method: Option<String>,
    /// Every API call (any method; not one-shot like the faults above) waits this long before
    /// it is handled, until changed or cleared. Starts at [`SandboxConfig::api_latency`].
    /// Unlike a stall, a client that gives up during the wait cancels the call: this models a
    /// slow round trip, not a gateway that acts and then answers late.
    pub latency_ms: u64,
    /// At most this many API calls per one-second window, then 429 (not one-shot: it stands
    /// until changed or cleared). Starts at [`SandboxConfig::rate_limit_per_second`].
    pub rate_limit_per_second: Option<u32>,
    /// The switch for what Tamara does not document (§12): `Some(n)` sends `Retry-After: n`
    /// with each 429, `None` (default) sends no such header.
    pub retry_after_secs: Option<u64>,
}

/// One API fault taken for a call: what [`AppState::take_api_fault`] hands the middleware.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TakenFault {
    /// Answer this 5xx.
    pub status: Option<u16>,
    /// Wait this long first.
    pub stall: Option<Duration>,
    /// Handle the call before answering `status`.
    pub after_apply: bool,
}

/// Cheaply clonable handle to the simulator.
#[derive(Clone)]
pub struct AppState {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub config: SandboxConfig,
    pub clock: Arc<Clock>,
    pub ids: Mutex<IdGen>,
    pub store: Mutex<Store>,
    pub api_faults: Mutex<ApiFaults>,
    pub deliverer: Deliverer,
    /// Base URL for `checkout_url` (set once the listener address is known).
    pub base_url: Mutex<String>,
    /// The current rate-limit window: when it started and the calls it has taken.
    pub rate_window: Mutex<(std::time::Instant, u32)>,
    /// Tamara API calls received, by HTTP method (what a client spent; `/_sandbox/` calls and
    /// calls refused by the rate limit are not counted).
    pub api_calls: Mutex<BTreeMap<String, u64>>,
}

impl AppState {
    /// Builds the state and starts the delivery dispatcher; must run inside a Tokio runtime.
    pub fn new(config: SandboxConfig) -> anyhow::Result<Self> {
        let clock = Arc::new(Clock::default());
        let latency_ms = millis(config.api_latency);
        let rate_limit_per_second = config.rate_limit_per_second;
        let deliverer = Deliverer::start(clock.clone(), &config)?;
        let base = config
            .public_base_url
            .clone()
            .unwrap_or_else(|| "http://127.0.0.1".into());
        Ok(Self {
            inner: Arc::new(Inner {
                ids: Mutex::new(IdGen::new(config.seed)),
                config,
                clock,
                store: Mutex::new(Store::default()),
                api_faults: Mutex::new(ApiFaults {
                    latency_ms,
                    rate_limit_per_second,
                    ..ApiFaults::default()
                }),
                deliverer,
                base_url: Mutex::new(base),
                rate_window: Mutex::new((std::time::Instant::now(), 0)),
                api_calls: Mutex::new(BTreeMap::new()),
            }),
        })
    }

    pub fn config(&self) -> &SandboxConfig {
        &self.inner.config
    }

    /// The rules a new order follows where Tamara's are unknown (§16).
    pub fn order_rules(&self) -> OrderRules {
        OrderRules::from_config(&self.inner.config)
    }

    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    pub fn deliverer(&self) -> &Deliverer {
        &self.inner.deliverer
    }

    /// Base URL used in `checkout_url`, without trailing slash.
    pub fn base_url(&self) -> String {
        lock(&self.inner.base_url).trim_end_matches('/').to_owned()
    }

    /// Records the bound address unless a public base URL was configured.
    pub fn set_bound_base_url(&self, url: String) {
        if self.inner.config.public_base_url.is_none() {
            *lock(&self.inner.base_url) = url;
        }
    }

    pub fn next_uuid(&self) -> Uuid {
        lock(&self.inner.ids).next_uuid()
    }

    /// Runs `f` on the store after applying the time rules; no order-specific work.
    pub fn with_store<T>(&self, f: impl FnOnce(&mut Store, &mut IdGen) -> T) -> T {
        let mut store = lock(&self.inner.store);
        let mut ids = lock(&self.inner.ids);
        self.sweep_locked(&mut store, &mut ids);
        f(&mut store, &mut ids)
    }

    /// Runs a transition on one order (404 if unknown) and queues its notifications.
    pub fn apply<T>(
        &self,
        order_id: Uuid,
        f: impl FnOnce(
            &mut Order,
            &mut IdGen,
            chrono::DateTime<chrono::Utc>,
        ) -> ApiResult<(T, Vec<Emitted>)>,
    ) -> ApiResult<T> {
        let mut store = lock(&self.inner.store);
        let mut ids = lock(&self.inner.ids);
        self.sweep_locked(&mut store, &mut ids);
        let now = self.inner.clock.now();
        let order = store
            .orders
            .get_mut(&order_id)
            .ok_or_else(|| ApiError::not_found("Order"))?;
        let (out, events) = f(order, &mut ids, now)?;
        let order = order.clone();
        self.queue(&store, &order, events);
        Ok(out)
    }

    /// Applies the time rules to every order (used after a clock advance and before every
    /// request). Returns `(order_id, event_type)` of what happened.
    pub fn sweep(&self) -> Vec<(Uuid, &'static str)> {
        let mut store = lock(&self.inner.store);
        let mut ids = lock(&self.inner.ids);
        self.sweep_locked(&mut store, &mut ids)
    }

    fn sweep_locked(&self, store: &mut Store, ids: &mut IdGen) -> Vec<(Uuid, &'static str)> {
        let now = self.inner.clock.now();
        let mut happened = Vec::new();
        // Creation order keeps auto-generated ids and deliveries deterministic under a seed.
        for id in store.order_seq.clone() {
            let Some(order) = store.orders.get_mut(&id) else {
                continue;
            };
            let events = order.tick(now, ids);
            if events.is_empty() {
                continue;
            }
            let snapshot = order.clone();
            happened.extend(events.iter().map(|e| (id, e.event_type)));
            self.queue(store, &snapshot, events);
        }
        happened
    }

    /// Turns emitted events into delivery jobs: one per matching webhook, plus the legacy
    /// per-order notification when the checkout named one. A notification whose sending is
    /// unknown is dropped when its switch is in `silent_events`.
    fn queue(&self, store: &Store, order: &Order, events: Vec<Emitted>) {
        let silent = &self.inner.config.silent_events;
        for e in events {
            if e.silence.is_some_and(|s| silent.contains(&s)) {
                continue;
            }
            let body = json!({
                "order_id": order.order_id,
                "order_reference_id": order.order_reference_id,
                "order_number": order.order_number,
                "event_type": e.event_type,
                "data": e.data,
            });
            for w in store
                .webhooks
                .iter()
                .filter(|w| w.events.iter().any(|x| x == e.event_type))
            {
                self.inner.deliverer.enqueue(Job {
                    kind: "webhook",
                    url: w.url.clone(),
                    event: e.event_type.to_owned(),
                    order_id: order.order_id,
                    body: body.clone(),
                    headers: w.headers.clone(),
                });
            }
            if let Some(url) = &order.merchant_url.notification {
                self.inner.deliverer.enqueue(Job {
                    kind: "legacy",
                    url: url.clone(),
                    event: e.status.as_str().to_owned(),
                    order_id: order.order_id,
                    body: json!({
                        "order_id": order.order_id,
                        "order_reference_id": order.order_reference_id,
                        "order_status": e.status.as_str(),
                        "data": e.data,
                    }),
                    headers: Vec::new(),
                });
            }
        }
    }

    /// Runs `f` on one dispute (404 if unknown) and sends the notification of the event it
    /// returns, if any, to every webhook registered for it. Answers the dispute as the list
    /// shows it.
    pub fn with_dispute(
        &self,
        dispute_id: i64,
        f: impl FnOnce(&mut Dispute, chrono::DateTime<chrono::Utc>) -> ApiResult<Option<String>>,
    ) -> ApiResult<Value> {
        let mut store = lock(&self.inner.store);
        let mut ids = lock(&self.inner.ids);
        self.sweep_locked(&mut store, &mut ids);
        let now = self.inner.clock.now();
        let index = usize::try_from(dispute_id.saturating_sub(1))
            .ok()
            .filter(|i| *i < store.disputes.len() && dispute_id > 0)
            .ok_or_else(|| ApiError::not_found("Dispute"))?;
        let event = f(&mut store.disputes[index], now)?;
        let dispute = store.disputes[index].clone();
        if let Some(event) = event {
            self.queue_dispute(&store, &dispute, &event);
        }
        let order_status = store
            .orders
            .get(&dispute.order_id)
            .map_or("", |o| o.status.as_str());
        Ok(dispute.to_json(order_status))
    }

    /// Queues a dispute's notification for each webhook that registered `event`.
    pub(crate) fn queue_dispute(&self, store: &Store, dispute: &Dispute, event: &str) {
        let body = dispute.notification(event, self.inner.config.dispute_payload);
        for w in store
            .webhooks
            .iter()
            .filter(|w| w.events.iter().any(|x| x == event))
        {
            self.inner.deliverer.enqueue(Job {
                kind: "dispute",
                url: w.url.clone(),
                event: event.to_owned(),
                order_id: dispute.order_id,
                body: body.clone(),
                headers: w.headers.clone(),
            });
        }
    }

    /// Takes a slot of the rate limit in force. `Err` with the `Retry-After` seconds to send
    /// (if the switch is on) when this second's calls are spent; always `Ok` without a limit.
    pub fn take_rate_slot(&self) -> Result<(), Option<u64>> {
        let (limit, retry_after) = {
            let f = lock(&self.inner.api_faults);
            (f.rate_limit_per_second, f.retry_after_secs)
        };
        let Some(limit) = limit else {
            return Ok(());
        };
        let mut w = lock(&self.inner.rate_window);
        let now = std::time::Instant::now();
        if now.duration_since(w.0) >= Duration::from_secs(1) {
            *w = (now, 0);
        }
        if w.1 >= limit {
            return Err(retry_after);
        }
        w.1 += 1;
        Ok(())
    }

    /// Takes one pending API fault for a call with `method`, if any: a 5xx to answer with
    /// (before or after handling the call) and/or a stall. Faults limited to another method
    /// are left for later calls.
    pub fn take_api_fault(&self, method: &str) -> TakenFault {
        let mut f = lock(&self.inner.api_faults);
        let mut out = TakenFault::default();
        if f.method
            .as_deref()
            .is_some_and(|m| !m.eq_ignore_ascii_case(method))
        {
            return out;
        }
        if f.stall_count > 0 {
            f.stall_count -= 1;
            out.stall = Some(Duration::from_millis(f.stall_ms));
        }
        if f.count > 0 {
            f.count -= 1;
            out.status = f.status;
            out.after_apply = f.after_apply;
        }
        out
    }

    /// Drops every pending API fault; the latency goes back to the configured one.
    pub fn clear_api_faults(&self) {
        *lock(&self.inner.api_faults) = ApiFaults {
            latency_ms: millis(self.inner.config.api_latency),
            rate_limit_per_second: self.inner.config.rate_limit_per_second,
            ..ApiFaults::default()
        };
    }

    /// How long every API call waits now (see [`ApiFaults::latency_ms`]).
    pub fn api_latency(&self) -> Duration {
        Duration::from_millis(lock(&self.inner.api_faults).latency_ms)
    }

    /// Counts one Tamara API call with `method`.
    pub fn count_api_call(&self, method: &str) {
        *lock(&self.inner.api_calls)
            .entry(method.to_owned())
            .or_default() += 1;
    }

    /// Tamara API calls received so far, by HTTP method.
    pub fn api_calls(&self) -> BTreeMap<String, u64> {
        lock(&self.inner.api_calls).clone()
    }

    /// Starts counting API calls from zero.
    pub fn clear_api_calls(&self) {
        lock(&self.inner.api_calls).clear();
    }

    /// Forgets orders, webhooks, faults, the call counts, the log and the clock offset;
    /// reseeds the ids.
    pub fn reset(&self) {
        *lock(&self.inner.store) = Store::default();
        *lock(&self.inner.ids) = IdGen::new(self.inner.config.seed);
        self.clear_api_faults();
        self.clear_api_calls();
        self.inner.deliverer.clear_faults();
        self.inner.deliverer.clear_log();
        self.inner.clock.reset();
    }
}

/// A duration in whole milliseconds, saturating (a configured latency is never that long).
fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

//! Demo traffic: a shop's day played against the built-in simulator, so a newcomer sees orders
//! approved, webhooks arriving, captures and refunds flowing with nothing configured.
//!
//! Owns the generator ([`Traffic`]). Each [`Traffic::tick`] creates a checkout; the made-up
//! customer approves it (most) or declines it (some) through the simulator's `/_sandbox/`
//! controls; the simulator then sends its webhooks to the receiver, whose processor
//! authorises approved orders; and the tick captures one authorised order (in full or in part)
//! and refunds part or all of a captured one — through the guarded [`Console::move_money`],
//! exactly as an operator would; now and then a customer disputes a captured order and Tamara
//! moves the dispute on ([`disputes`]); every so often the captures and refunds so far are
//! settled into a statement and imported ([`statements`]).
//!
//! Invariants: sandbox only and only against a simulator (it answers `/_sandbox/health`);
//! the generator moves money only on orders it created itself in this run (the newest
//! [`REMEMBERED`]; their references start with [`REFERENCE_PREFIX`]) — never on other cached
//! orders, which an earlier simulator may have forgotten; a failing step is reported in the
//! tick and never stops the generator.

pub mod customers;
mod disputes;
mod generator;
mod statements;

pub use generator::{Generator, data_dir, wanted};
pub use statements::{DEMO_FAULT, STATEMENT_EVERY};

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::SecondsFormat;
use tamara::model::payments::ShippingInfo;
use tamara::model::webhooks::{EventType, WebhookRequest, WebhookType};
use tokio::sync::watch;

use crate::console::Console;
use crate::environment::Environment;
use crate::error::{Error, Result};
use crate::moves::{AmountInput, MoveAction, MoveRequest};
use crate::simulator::SimulatorLink;
use crate::store::orders::{self, OrderRecord};
use crate::webhooks::registration;
use customers::Dice;

/// Every demo order's reference starts with this.
pub const REFERENCE_PREFIX: &str = "DEMO-";

/// How many of its newest orders the generator remembers as candidates for captures and
/// refunds.
pub const REMEMBERED: usize = 200;

/// The environment variable that sets the pace (milliseconds between ticks).
pub const INTERVAL_VAR: &str = "MIZAN_DEMO_INTERVAL_MS";

/// The pace without [`INTERVAL_VAR`]: a new order every few seconds.
pub const DEFAULT_INTERVAL: Duration = Duration::from_millis(4_000);

/// The pace from [`INTERVAL_VAR`] (50 ms to 1 h), else [`DEFAULT_INTERVAL`].
pub fn interval_from(value: Option<&str>) -> Duration {
    value
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|ms| Duration::from_millis(ms.clamp(50, 3_600_000)))
        .unwrap_or(DEFAULT_INTERVAL)
}

/// What one tick did, in words (for logs and tests).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickReport {
    /// The order created, and whether its customer approved it.
    pub created: Option<(String, bool)>,
    pub captured: Option<String>,
    pub refunded: Option<String>,
    /// A dispute opened (its order) or moved (the event), now and then.
    pub disputed: Option<String>,
    /// A statement closed and imported (its id), every [`STATEMENT_EVERY`] ticks.
    pub settled: Option<String>,
    /// Steps that failed, each with its reason.
    pub failures: Vec<String>,
}

/// The generator. One per console; cheap to move into a task.
#[derive(Debug)]
pub struct Traffic {
    console: Console,
    /// The simulator's base URL.
    api: String,
    /// Where the redirect pages are (the receiver's base URL).
    receiver_base: String,
    http: reqwest::Client,
    dice: Dice,
    created: Arc<AtomicU64>,
    /// Orders this run created, oldest first (at most [`REMEMBERED`]).
    mine: std::collections::VecDeque<String>,
    /// Orders this run disputed.
    disputed: std::collections::HashSet<String>,
    /// Disputes this run opened that are still open, oldest first.
    open_disputes: std::collections::VecDeque<i64>,
}

impl Traffic {
    /// A generator for `console`'s sandbox, which must be the simulator.
    ///
    /// # Errors
    /// [`Error::Invalid`] outside the sandbox, or when the API is not the simulator.
    pub async fn new(console: Console, receiver_base: &str, seed: u64) -> Result<Traffic> {
        let SimulatorLink { api, http } = SimulatorLink::connect(
            &console,
            "demo traffic runs only in the sandbox environment",
            "{api} is not the built-in simulator: demo traffic never runs against Tamara",
        )
        .await?;
        Ok(Traffic {
            console,
            api,
            receiver_base: receiver_base.trim_end_matches('/').to_owned(),
            http,
            dice: Dice::new(seed),
            created: Arc::new(AtomicU64::new(0)),
            mine: std::collections::VecDeque::new(),
            disputed: std::collections::HashSet::new(),
            open_disputes: std::collections::VecDeque::new(),
        })
    }

    /// Counts created orders into `created` (shared with a previous run of the generator, so
    /// numbering and the count continue).
    pub fn continuing(mut self, created: Arc<AtomicU64>) -> Self {
        self.created = created;
        self
    }

    /// Orders created so far (shared: readable while the generator runs in a task).
    pub fn created(&self) -> Arc<AtomicU64> {
        self.created.clone()
    }

    /// One step: a new order with its customer's answer, one capture, maybe one refund, now
    /// and then a dispute.
    pub async fn tick(&mut self) -> TickReport {
        let mut report = TickReport::default();
        let n = self.created.load(Ordering::Relaxed) + 1;
        match self.new_order(n).await {
            Ok(created) => {
                self.created.fetch_add(1, Ordering::Relaxed);
                if self.mine.len() >= REMEMBERED {
                    self.mine.pop_front();
                }
                self.mine.push_back(created.0.clone());
                report.created = Some(created);
            }
            Err(e) => report.failures.push(format!("checkout: {e}")),
        }
        match self.capture_one().await {
            Ok(c) => report.captured = c,
            Err(e) => report.failures.push(format!("capture: {e}")),
        }
        if self.dice.chance(50) {
            match self.refund_one().await {
                Ok(r) => report.refunded = r,
                Err(e) => report.failures.push(format!("refund: {e}")),
            }
        }
        // Now and then a dispute opens, and open ones move on.
        let dispute = if self.dice.chance(10) {
            self.dispute_one().await
        } else if self.dice.chance(15) {
            self.move_dispute().await
        } else {
            Ok(None)
        };
        match dispute {
            Ok(d) => report.disputed = d,
            Err(e) => report.failures.push(format!("dispute: {e}")),
        }
        if n.is_multiple_of(STATEMENT_EVERY) {
            match self.settle().await {
                Ok(s) => report.settled = s.map(|r| r.statement.statement_id),
                Err(e) => report.failures.push(format!("statement: {e}")),
            }
        }
        report
    }

    /// Ticks every `interval` until `stop` turns true.
    pub async fn run(mut self, interval: Duration, mut stop: watch::Receiver<bool>) {
        loop {
            let report = self.tick().await;
            for f in &report.failures {
                tracing::warn!(failure = %f, "demo traffic step failed");
            }
            tokio::select! {
                _ = stop.wait_for(|s| *s) => break,
                () = tokio::time::sleep(interval) => {}
            }
        }
    }

    async fn new_order(&mut self, n: u64) -> Result<(String, bool)> {
        let req = customers::checkout(&mut self.dice, n, &self.receiver_base)
            .map_err(|e| Error::Invalid(e.to_string()))?;
        let created = self.console.create_checkout(&req).await?;
        let order_id = created.response.value.order_id.clone();
        let approve = self.dice.chance(85);
        let action = if approve { "approve" } else { "decline" };
        let resp = self
            .http
            .post(format!("{}/_sandbox/orders/{order_id}/{action}", self.api))
            .send()
            .await
            .map_err(|e| Error::Invalid(format!("the simulator did not answer {action}: {e}")))?;
        if !resp.status().is_success() {
            return Err(Error::Invalid(format!(
                "the simulator refused {action} of {order_id}: HTTP {}",
                resp.status()
            )));
        }
        Ok((order_id, approve))
    }

    /// This run's orders that the cache holds in `status`, oldest first.
    async fn demo_orders(&self, status: &str) -> Result<Vec<OrderRecord>> {
        let mut found = Vec::new();
        for id in &self.mine {
            if let Some(o) = orders::get(self.console.store(), Environment::Sandbox, id).await?
                && o.status == status
            {
                found.push(o);
            }
        }
        Ok(found)
    }

    async fn capture_one(&mut self) -> Result<Option<String>> {
        let Some(order) = self.demo_orders("authorised").await?.into_iter().next() else {
            return Ok(None);
        };
        // Two in five captures are partial: half now, the rest maybe later.
        let amount = if self.dice.chance(40) {
            let half = (order.total.amount() / rust_decimal::Decimal::TWO)
                .round_dp(order.currency().precision());
            Some(AmountInput {
                value: half,
                currency: None,
            })
        } else {
            None
        };
        let shipping = ShippingInfo {
            shipped_at: self
                .console
                .now()
                .to_rfc3339_opts(SecondsFormat::Secs, true),
            shipping_company: (*self.dice.pick(&["SMSA", "Aramex", "DHL", "Naqel"])).into(),
            tracking_number: Some(format!("TRK{:08}", self.dice.below(100_000_000))),
            tracking_url: None,
        };
        self.send(
            &order.order_id,
            MoveAction::Capture {
                amount,
                items: Vec::new(),
                shipping,
            },
        )
        .await
    }

    async fn refund_one(&mut self) -> Result<Option<String>> {
        let status = if self.dice.chance(50) {
            "fully_captured"
        } else {
            "partially_captured"
        };
        let Some(order) = self.demo_orders(status).await?.into_iter().next() else {
            return Ok(None);
        };
        let refundable = order
            .captured
            .checked_sub(order.refunded)
            .map_err(|e| Error::Invalid(e.to_string()))?;
        if !refundable.is_positive() {
            return Ok(None);
        }
        // One in four refunds returns everything; the others a third.
        let value = if self.dice.chance(25) {
            refundable.amount()
        } else {
            (refundable.amount() / rust_decimal::Decimal::from(3))
                .round_dp(order.currency().precision())
        };
        if value.is_zero() {
            return Ok(None);
        }
        let comment = *self.dice.pick(&[
            "Demo: customer returned an item",
            "Demo: damaged in delivery",
            "Demo: goodwill refund",
        ]);
        self.send(
            &order.order_id,
            MoveAction::Refund {
                amount: AmountInput {
                    value,
                    currency: None,
                },
                comment: comment.into(),
            },
        )
        .await
    }

    /// Sends one move through the guarded path (as an operator's click would) and describes
    /// it for the generator's log.
    async fn send(&self, order_id: &str, action: MoveAction) -> Result<Option<String>> {
        let outcome = self
            .console
            .move_money(MoveRequest {
                order_id: order_id.to_owned(),
                action,
                confirm: None,
                idempotency_key: None,
                note: None,
            })
            .await?;
        Ok(Some(format!(
            "{order_id} {} {}",
            outcome.planned.amount,
            outcome.state()
        )))
    }
}

/// Points the simulator's webhooks at `receiver_url` (the in-app receiver): registers it for
/// every order event and, as a second webhook of type `dispute`, for every dispute event,
/// unless registered already, and deletes registrations of other URLs (earlier runs'
/// receivers on other ports). Returns the order webhook's id.
///
/// # Errors
/// [`Error::Invalid`] when the API is not the simulator (this deletes registrations, so it
/// refuses anything else); gateway and store errors.
pub async fn point_webhooks_at(console: &Console, receiver_url: &str) -> Result<String> {
    if !console.config().active().built_in_sandbox || console.environment() != Environment::Sandbox
    {
        return Err(Error::Invalid(
            "demo webhooks are only managed on the built-in simulator".into(),
        ));
    }
    let (mut orders, mut disputes) = (None, None);
    for w in registration::list(console).await? {
        let Some(remote) = &w.remote else { continue };
        if remote.url.as_deref() != Some(receiver_url) {
            registration::delete(console, &w.webhook_id).await?;
        } else if !remote.events.is_empty() && remote.events.iter().all(EventType::is_dispute) {
            disputes = Some(w.webhook_id);
        } else {
            orders = Some(w.webhook_id);
        }
    }
    let register = |kind, events: &[EventType]| WebhookRequest {
        kind: Some(kind),
        url: receiver_url.to_owned(),
        events: events.to_vec(),
        headers: Default::default(),
    };
    if disputes.is_none() {
        let req = register(WebhookType::Dispute, &EventType::DISPUTE_EVENTS);
        registration::register(console, &req, true).await?;
    }
    match orders {
        Some(id) => Ok(id),
        None => {
            let req = register(WebhookType::Order, &EventType::ORDER_EVENTS);
            let r = registration::register(console, &req, true).await?;
            Ok(r.registration.webhook_id)
        }
    }
}

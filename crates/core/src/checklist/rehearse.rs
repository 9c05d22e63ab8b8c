//! `mizan checklist rehearse`: every automatable go-live scenario, end to end, against the
//! built-in simulator, so the checklist fills with real evidence.
//!
//! Owns the rehearsal script. It needs a receiver: it starts its own (receiver + processor on a
//! free loopback port, in this process) for the duration, registers a webhook pointing at it,
//! confirms it by listing, drives customers through the simulator's `/_sandbox/` controls
//! (approve, decline, expire), waits for webhooks to be processed, lands on the redirect pages
//! and performs captures, refunds and cancels through the same guarded money moves as
//! `mizan capture` etc. At the end it deletes its webhook (the evidence keeps the record).
//!
//! Invariants: sandbox only, and only against a simulator (probed at `/_sandbox/health`):
//! against Tamara's real sandbox a person must approve in the hosted checkout, which software
//! cannot do; every step is reported, a failed step does not hide the others; no step touches
//! orders it did not create.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tamara::model::checkout::CheckoutRequest;
use tamara::model::payments::ShippingInfo;
use tamara::model::webhooks::{EventType, WebhookRequest, WebhookType};
use tokio::sync::{Notify, watch};

use crate::console::Console;
use crate::error::{Error, Result};
use crate::moves::{AmountInput, MoveAction, MoveRequest};
use crate::simulator::SimulatorLink;
use crate::store::ledger::LedgerState;
use crate::webhooks::registration;
use crate::webhooks::{
    Processor, ProcessorConfig, ReceiverState, ServerLimits, WEBHOOK_PATH, router, serve,
};
use Outcome::{Failed, Passed};

/// How long a step waits for a webhook to be processed.
const WAIT: Duration = Duration::from_secs(20);

/// One step of the rehearsal.
#[derive(Debug, Clone, Serialize)]
pub struct RehearsalStep {
    pub step: String,
    pub ok: bool,
    pub detail: String,
    pub order_id: Option<String>,
}

/// Runs the rehearsal and returns its steps (the checklist then shows the evidence).
///
/// # Errors
/// [`Error::Invalid`] outside the sandbox or against something that is not the simulator;
/// errors starting the local receiver. A failing scenario is a failed step, not an error.
pub async fn rehearse(console: &Console, checkout: CheckoutRequest) -> Result<Vec<RehearsalStep>> {
    let SimulatorLink { api, http } = SimulatorLink::connect(
        console,
        "the rehearsal runs only in the sandbox environment (--env sandbox)",
        "{api} is not the built-in simulator (no /_sandbox/health): against Tamara's real \
         sandbox a person approves in the hosted checkout, so rehearse there by hand; \
         start `mizan sandbox` and unset MIZAN_SANDBOX_API_URL to rehearse automatically",
    )
    .await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| Error::Invalid(format!("cannot open a local receiver: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Invalid(format!("cannot open a local receiver: {e}")))?;
    let wake = Arc::new(Notify::new());
    let (stop, stopped) = watch::channel(false);
    let app = router(ReceiverState::new(console.clone(), wake.clone()));
    let mut server_stop = stop.subscribe();
    let server = tokio::spawn(serve(
        listener,
        app,
        ServerLimits::default(),
        None,
        async move {
            let _ = server_stop.wait_for(|s| *s).await;
        },
    ));
    let processor = Processor::new(
        console.clone(),
        wake,
        ProcessorConfig {
            idle_interval: Duration::from_millis(100),
            retry_base: Duration::from_millis(200),
            retry_max: Duration::from_secs(2),
            ..ProcessorConfig::default()
        },
    )
    .spawn(stopped);
    let mut r = Rehearsal {
        console,
        http,
        api,
        base: format!("http://{addr}"),
        checkout,
        steps: vec![],
        seq: 0,
    };
    r.run().await;
    let _ = stop.send(true);
    let _ = processor.await;
    let _ = server.await;
    Ok(r.steps)
}

/// How a step ended, with its detail: data for the report, not an error path.
enum Outcome {
    Passed(String),
    Failed(String),
}

struct Rehearsal<'a> {
    console: &'a Console,
    http: reqwest::Client,
    api: String,
    base: String,
    checkout: CheckoutRequest,
    steps: Vec<RehearsalStep>,
    seq: u32,
}

impl Rehearsal<'_> {
    fn record(&mut self, step: &str, outcome: Outcome, order: Option<&str>) -> bool {
        let (ok, detail) = match outcome {
            Passed(detail) => (true, detail),
            Failed(detail) => (false, detail),
        };
        self.steps.push(RehearsalStep {
            step: step.to_owned(),
            ok,
            detail,
            order_id: order.map(str::to_owned),
        });
        ok
    }

    async fn run(&mut self) {
        let webhook = self.register().await;
        if let Some(id) = self.order("full capture and full refund", true).await {
            self.landing("success", &id).await;
            let captured = self.capture(&id, None).await;
            if captured {
                self.refund_all(&id).await;
            }
        }
        if let Some(id) = self.order("partial capture and partial refund", true).await
            && self.capture(&id, Some("100.00")).await
        {
            self.refund(&id, "40.00").await;
        }
        if let Some(id) = self.order("full cancel", true).await {
            self.cancel(&id, None).await;
        }
        if let Some(id) = self.order("partial cancel", true).await {
            self.cancel(&id, Some("50.00")).await;
        }
        if let Some(id) = self.order("decline", false).await
            && self.customer(&id, "decline", "declined").await
        {
            self.landing("failure", &id).await;
        }
        if let Some(id) = self.order("expiry", false).await
            && self.customer(&id, "expire", "expired").await
        {
            self.landing("cancel", &id).await;
        }
        if let Some(w) = webhook {
            let done = match registration::delete(self.console, &w).await {
                Ok(()) => Passed(format!("deleted rehearsal webhook {w}")),
                Err(e) => Failed(e.to_string()),
            };
            self.record("clean up", done, None);
        }
    }

    async fn register(&mut self) -> Option<String> {
        let req = WebhookRequest {
            kind: Some(WebhookType::Order),
            url: format!("{}{WEBHOOK_PATH}", self.base),
            events: EventType::ORDER_EVENTS.to_vec(),
            headers: Default::default(),
        };
        match registration::register(self.console, &req, true).await {
            Ok(r) => {
                let id = r.registration.webhook_id.clone();
                let detail = match r.confirmed_by {
                    Some(by) => Passed(format!("webhook {id} registered, confirmed by {by}")),
                    None => Failed(format!("webhook {id} registered but not shown back")),
                };
                self.record("register webhook", detail, None);
                // Kept even when unconfirmed, so the clean-up still deletes it.
                Some(id)
            }
            Err(e) => {
                self.record("register webhook", Failed(e.to_string()), None);
                None
            }
        }
    }

    /// Creates a checkout; with `approve`, has the customer approve it and waits until the
    /// processor authorised it (auto-authorise) — else returns the new order as is.
    async fn order(&mut self, scenario: &str, approve: bool) -> Option<String> {
        self.seq += 1;
        let mut req = self.checkout.clone();
        req.order_reference_id = format!(
            "{}{}-{}",
            crate::store::order_list::REHEARSAL_PREFIX,
            self.console.now().format("%Y%m%d%H%M%S"),
            self.seq
        );
        let created = match self.console.create_checkout(&req).await {
            Ok(c) => c.response.value.order_id,
            Err(e) => {
                self.record(
                    &format!("{scenario}: checkout"),
                    Failed(e.to_string()),
                    None,
                );
                return None;
            }
        };
        if !approve {
            let ok = format!("checkout {} created", req.order_reference_id);
            self.record(&format!("{scenario}: checkout"), Passed(ok), Some(&created));
            return Some(created);
        }
        if !self.customer(&created, "approve", "authorised").await {
            return None;
        }
        Some(created)
    }

    /// Drives the simulator's customer (`approve`, `decline`, `expire`) and waits until the
    /// webhook made the cached order `want`; then pulls its status with the details API.
    async fn customer(&mut self, order_id: &str, action: &str, want: &str) -> bool {
        let url = format!("{}/_sandbox/orders/{order_id}/{action}", self.api);
        let sent = self.http.post(url).send().await;
        if let Err(e) = sent.and_then(|r| r.error_for_status()) {
            return self.record(
                &format!("customer {action}s"),
                Failed(e.to_string()),
                Some(order_id),
            );
        }
        let deadline = tokio::time::Instant::now() + WAIT;
        let mut last = String::new();
        while tokio::time::Instant::now() < deadline {
            if let Ok(c) = self.console.cached_order(order_id).await {
                last = c.order.status.clone();
                if last == want {
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let pulled = self.console.fetch_order(order_id).await;
        let result = match pulled {
            Ok(c) if c.order.status == want => Passed(format!(
                "customer {action}d; webhook processed; details API says {want}"
            )),
            Ok(c) => Failed(format!(
                "expected {want} after the webhook, cache had {last:?}, API says {}{}",
                c.order.status,
                if want == "authorised" {
                    " (is auto-authorise off?)"
                } else {
                    ""
                }
            )),
            Err(e) => Failed(e.to_string()),
        };
        self.record(&format!("customer {action}s"), result, Some(order_id))
    }

    async fn landing(&mut self, landing: &str, order_id: &str) {
        let url = format!("{}/checkout/{landing}?orderId={order_id}", self.base);
        let result = match self.http.get(url).send().await {
            Ok(r) if r.status().is_success() => {
                Passed(format!("/checkout/{landing} showed the real status"))
            }
            Ok(r) => Failed(format!("/checkout/{landing} answered {}", r.status())),
            Err(e) => Failed(e.to_string()),
        };
        self.record(&format!("redirect {landing}"), result, Some(order_id));
    }

    async fn money(&mut self, step: &str, order_id: &str, action: MoveAction) -> bool {
        let req = MoveRequest {
            order_id: order_id.to_owned(),
            action,
            confirm: None,
            idempotency_key: None,
            note: None,
        };
        let result = match self.console.move_money(req).await {
            Ok(o) if o.state() == LedgerState::Succeeded => Passed(format!(
                "{} {} ({})",
                o.entry.kind,
                o.entry.amount,
                o.entry.gateway_id.as_deref().unwrap_or("?")
            )),
            Ok(o) => Failed(o.message),
            Err(e) => Failed(e.to_string()),
        };
        self.record(step, result, Some(order_id))
    }

    async fn capture(&mut self, order_id: &str, amount: Option<&str>) -> bool {
        let action = MoveAction::Capture {
            amount: amount.and_then(|a| AmountInput::parse(a).ok()),
            items: vec![],
            shipping: ShippingInfo {
                shipped_at: self.console.now().to_rfc3339(),
                shipping_company: "Rehearsal Post".into(),
                tracking_number: None,
                tracking_url: None,
            },
        };
        let step = if amount.is_some() {
            "partial capture"
        } else {
            "full capture"
        };
        self.money(step, order_id, action).await
    }

    async fn refund(&mut self, order_id: &str, amount: &str) -> bool {
        let Ok(amount) = AmountInput::parse(amount) else {
            return false;
        };
        let action = MoveAction::Refund {
            amount,
            comment: "go-live rehearsal".into(),
        };
        self.money("partial refund", order_id, action).await
    }

    async fn refund_all(&mut self, order_id: &str) -> bool {
        let captured = match self.console.cached_order(order_id).await {
            Ok(c) => c.order.captured,
            Err(e) => return self.record("full refund", Failed(e.to_string()), Some(order_id)),
        };
        let Ok(amount) = AmountInput::parse(&captured.amount_text()) else {
            return false;
        };
        let action = MoveAction::Refund {
            amount,
            comment: "go-live rehearsal".into(),
        };
        self.money("full refund", order_id, action).await
    }

    async fn cancel(&mut self, order_id: &str, amount: Option<&str>) -> bool {
        let action = MoveAction::Cancel {
            amount: amount.and_then(|a| AmountInput::parse(a).ok()),
        };
        let step = if amount.is_some() {
            "partial cancel"
        } else {
            "full cancel"
        };
        self.money(step, order_id, action).await
    }
}

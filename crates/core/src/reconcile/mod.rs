//! The reconciler: re-reads orders webhooks may have missed, and flags orders near a deadline.
//!
//! A sweep reads, with bounded concurrency, every cached order still in motion (`new`,
//! `approved`, `authorised`, `updated`, `partially_captured`) and every order named by a
//! delivery whose processing failed, through [`Console::fetch_order`] — which caches the
//! details and never moves a status backwards — and first settles, from a re-read, every money
//! move of ours whose outcome is still open (`unknown`, or `pending` and abandoned). [`Reconciler::run`] repeats that every
//! `interval` until shut down; the last report is kept in `settings` ([`LAST_SWEEP_SETTING`])
//! for `mizan status`.
//!
//! An order found `approved` is authorised when auto-authorise is on (its `order_approved`
//! webhook was dropped or failed): the same rule the processor applies, so a missed webhook
//! never lets an order expire unnoticed.
//!
//! Deadlines ([`stuck_orders`], reference §9/§12): an approved order expires 72 h after
//! approval unless authorised; an authorised order is auto-captured 21 days after
//! authorisation. Tamara's details carry no status-change times, so:
//! - approval time ≈ `created_at`: approval happens within the checkout session (30 min by
//!   default), so the computed expiry is early by at most the session length — the safe side;
//! - authorisation time ≈ the ledger's authorise row (the time this console made or first saw
//!   it), else the cached `updated_at` — late by at most the delay before the first read.

use std::collections::BTreeSet;
use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use serde::{Deserialize, Serialize};

use tamara::ApiError;

use crate::audit::{self, AuditRecord};
use crate::console::Console;
use crate::error::Result;
use crate::orders::CachedOrder;
use crate::store::ledger::{self, LedgerSource, LedgerState};
use crate::store::order_list::{self, OrderCursor, OrderListQuery, TextPlan};
use crate::store::orders;
use crate::store::settings::{self, SettingScope};
use crate::webhooks::processor::auto_authorise_enabled;

mod stuck;

pub use stuck::{FAILED_DELIVERY_SCAN, StuckOrder, StuckReason, failed_deliveries, stuck_orders};

/// Settings key (per environment) holding the last [`SweepReport`] as JSON.
pub const LAST_SWEEP_SETTING: &str = "reconciler.last_sweep";
/// Statuses that can still move without the merchant, so are worth re-reading.
pub const OPEN_STATUSES: [&str; 5] = [
    "new",
    "approved",
    "authorised",
    "updated",
    "partially_captured",
];
/// Approved → authorise deadline (then Tamara expires the order).
pub const APPROVAL_WINDOW_HOURS: i64 = 72;
/// Authorised → automatic capture.
pub const AUTO_CAPTURE_DAYS: i64 = 21;
/// At most this many orders are read per sweep (the oldest open ones beyond wait for the next).
pub const MAX_ORDERS_PER_SWEEP: usize = 5_000;
const PAGE: u32 = 500;

/// The outcome of one sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepReport {
    pub environment: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    /// Orders read.
    pub checked: usize,
    /// Orders whose cached status or amounts changed (or that were not cached yet).
    pub repaired: usize,
    pub unchanged: usize,
    pub failed: usize,
    pub repairs: Vec<Repair>,
    pub failures: Vec<SweepFailure>,
}

/// One order the sweep changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Repair {
    pub order_id: String,
    /// The cached status before, if the order was cached.
    pub from: Option<String>,
    pub to: String,
    /// What the sweep did beyond re-reading (e.g. authorised an approved order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One order the sweep could not read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepFailure {
    pub order_id: String,
    pub code: String,
    pub message: String,
}

enum Outcome {
    Repaired(Repair),
    Unchanged,
    Failed(SweepFailure),
}

/// Periodic re-reading of open orders.
#[derive(Debug, Clone)]
pub struct Reconciler {
    console: Console,
    interval: Duration,
    concurrency: usize,
}

impl Reconciler {
    /// Every 60 s, 4 reads at a time.
    pub fn new(console: Console) -> Self {
        Reconciler {
            console: console.for_calls_of(crate::gateway::CallClass::Reconciler),
            interval: Duration::from_secs(60),
            concurrency: 4,
        }
    }

    pub fn with_interval(mut self, interval: Duration) -> Self {
        self.interval = interval.max(Duration::from_millis(10));
        self
    }

    pub fn with_concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.clamp(1, 32);
        self
    }

    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Reads every candidate order once and records the report in `settings`.
    ///
    /// # Errors
    /// Only store failures; a failed read is counted in the report, not returned.
    pub async fn sweep(&self) -> Result<SweepReport> {
        let started_at = self.console.now();
        let ids = self.candidates().await?;
        let outcomes: Vec<Outcome> = futures::stream::iter(ids)
            .map(|id| self.check(id))
            .buffer_unordered(self.concurrency)
            .collect()
            .await;
        let mut report = SweepReport {
            environment: self.console.environment().as_str().to_owned(),
            started_at,
            finished_at: self.console.now(),
            checked: outcomes.len(),
            repaired: 0,
            unchanged: 0,
            failed: 0,
            repairs: vec![],
            failures: vec![],
        };
        for o in outcomes {
            match o {
                Outcome::Repaired(r) => {
                    report.repaired += 1;
                    report.repairs.push(r);
                }
                Outcome::Unchanged => report.unchanged += 1,
                Outcome::Failed(f) => {
                    report.failed += 1;
                    report.failures.push(f);
                }
            }
        }
        report.repairs.sort_by(|a, b| a.order_id.cmp(&b.order_id));
        report.failures.sort_by(|a, b| a.order_id.cmp(&b.order_id));
        let json = serde_json::to_string(&report).unwrap_or_default();
        settings::set(
            self.console.store(),
            SettingScope::Env(self.console.environment()),
            LAST_SWEEP_SETTING,
            &json,
            self.console.now(),
        )
        .await?;
        Ok(report)
    }

    /// Sweeps now and then every `interval` until `shutdown` completes. A sweep that fails
    /// (store trouble) is logged and retried at the next tick.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        tokio::pin!(shutdown);
        let mut tick = tokio::time::interval(self.interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = &mut shutdown => return,
                _ = tick.tick() => {}
            }
            tokio::select! {
                () = &mut shutdown => return,
                r = self.sweep() => match r {
                    Ok(r) if r.repaired + r.failed > 0 => tracing::info!(
                        repaired = r.repaired, failed = r.failed, checked = r.checked,
                        "reconciler sweep"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "reconciler sweep failed"),
                },
            }
        }
    }

    /// Orders with a money move whose outcome is open (settled first), open cached orders,
    /// then orders of failed deliveries; each once.
    async fn candidates(&self) -> Result<Vec<String>> {
        let env = self.console.environment();
        let store = self.console.store();
        let mut seen = BTreeSet::new();
        let mut ids = Vec::new();
        for state in [LedgerState::Unknown, LedgerState::Pending] {
            for e in ledger::list_in_state(store, env, state, PAGE).await? {
                if seen.insert(e.order_id.clone()) {
                    ids.push(e.order_id);
                }
            }
        }
        let mut after: Option<OrderCursor> = None;
        while ids.len() < MAX_ORDERS_PER_SWEEP {
            let q = OrderListQuery {
                statuses: OPEN_STATUSES.iter().map(|s| (*s).to_owned()).collect(),
                after: after.take(),
                limit: PAGE,
                ..OrderListQuery::default()
            };
            let page = order_list::records(store, env, &q, &TextPlan::None).await?;
            let full = page.len() == PAGE as usize;
            after = page.last().map(OrderCursor::from);
            for o in page {
                if seen.insert(o.order_id.clone()) {
                    ids.push(o.order_id);
                }
            }
            if !full {
                break;
            }
        }
        let failed = failed_deliveries(self.console.store(), env).await?;
        for d in failed {
            if let Some(id) = d.order_id.filter(|i| !i.trim().is_empty())
                && seen.insert(id.clone())
            {
                ids.push(id);
            }
        }
        ids.truncate(MAX_ORDERS_PER_SWEEP);
        Ok(ids)
    }

    async fn check(&self, order_id: String) -> Outcome {
        let env = self.console.environment();
        let before = match orders::get(self.console.store(), env, &order_id).await {
            Ok(b) => b,
            Err(e) => return failed(order_id, &e.into()),
        };
        // A money move whose answer was lost is settled from the same kind of re-read.
        let open_moves = ledger::list_for_order(self.console.store(), env, &order_id)
            .await
            .is_ok_and(|l| {
                l.iter().any(|e| {
                    e.source == LedgerSource::Api
                        && matches!(e.state, LedgerState::Pending | LedgerState::Unknown)
                })
            });
        if open_moves && let Err(e) = self.console.settle_moves(&order_id).await {
            return failed(order_id, &e);
        }
        match self.console.fetch_order(&order_id).await {
            Ok(mut after) => {
                let mut note = None;
                if after.order.status == "approved" {
                    match self.authorise_missed(&order_id).await {
                        Ok(Some((n, refreshed))) => {
                            note = Some(n);
                            after = refreshed;
                        }
                        Ok(None) => {}
                        Err(e) => return failed(order_id, &e),
                    }
                }
                let a = &after.order;
                let same = before.as_ref().is_some_and(|b| {
                    b.status == a.status
                        && b.captured == a.captured
                        && b.refunded == a.refunded
                        && b.canceled == a.canceled
                        && b.paid == a.paid
                });
                if same && note.is_none() {
                    Outcome::Unchanged
                } else {
                    Outcome::Repaired(Repair {
                        order_id,
                        from: before.map(|b| b.status),
                        to: a.status.clone(),
                        note,
                    })
                }
            }
            Err(e) => failed(order_id, &e),
        }
    }
}

impl Reconciler {
    /// An approved order the processor never authorised (its webhook was dropped, or its
    /// processing failed): authorise it now when auto-authorise is on, like the processor
    /// would have, and re-read it. A 409 means someone else already did. None when the setting
    /// is off (the order then shows in `mizan orders stuck` with its deadline).
    async fn authorise_missed(&self, order_id: &str) -> Result<Option<(String, CachedOrder)>> {
        if !auto_authorise_enabled(&self.console).await? {
            return Ok(None);
        }
        let note = match self.console.gateway()?.authorise(order_id).await {
            Ok(_) => "auto-authorised by the reconciler".to_owned(),
            Err(e) if matches!(e.api(), Some(ApiError::Http { status: 409, .. })) => {
                "authorise: already done (409)".to_owned()
            }
            Err(e) => return Err(e.into()),
        };
        let rec = AuditRecord {
            env: self.console.environment(),
            actor: "reconciler".into(),
            action: "reconciler.authorised".into(),
            subject: order_id.to_owned(),
            request_summary: Some(format!("POST /orders/{order_id}/authorise")),
            result: note.clone(),
        };
        audit::record(self.console.store(), rec, self.console.now()).await?;
        Ok(Some((note, self.console.fetch_order(order_id).await?)))
    }
}

fn failed(order_id: String, e: &crate::Error) -> Outcome {
    Outcome::Failed(SweepFailure {
        order_id,
        code: e.code().as_str().to_owned(),
        message: e.to_string(),
    })
}

/// The last sweep's report in the active environment, if any.
pub async fn last_sweep(console: &Console) -> Result<Option<SweepReport>> {
    let raw = settings::get(
        console.store(),
        SettingScope::Env(console.environment()),
        LAST_SWEEP_SETTING,
    )
    .await?;
    Ok(raw.and_then(|r| serde_json::from_str(&r).ok()))
}

/// Whether a reconciler meant to sweep `every` is late: more than two intervals and 30 s
/// since its last sweep, or since it started when it has not swept yet (one missed sweep is
/// allowed for; never swept and no known start is late).
pub fn is_late(
    every: Duration,
    last_sweep: Option<DateTime<Utc>>,
    running_since: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    let limit = chrono::Duration::from_std(every.saturating_mul(2))
        .unwrap_or(chrono::Duration::MAX)
        + chrono::Duration::seconds(30);
    last_sweep
        .or(running_since)
        .is_none_or(|since| now - since > limit)
}

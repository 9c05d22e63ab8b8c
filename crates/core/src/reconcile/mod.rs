//! The reconciler: re-reads orders webhooks may have missed, and flags orders near a deadline.
//!
//! Every `interval` (60 s) [`Reconciler::run`] ticks: [`Reconciler::tick`] reads, with bounded
//! concurrency, the orders its [`schedule`] says are due — first those with a money move of
//! ours whose outcome is open (settled from a re-read) and those named by a failed delivery,
//! then approved orders, orders near a deadline, recently changed ones and quiet ones, each
//! at its own pace — as many as the reconciler's share of the API budget allows; the rest
//! wait for the next tick. A read goes through [`Console::fetch_order`], which caches the
//! details and never moves a status backwards. [`Reconciler::sweep`] (`mizan reconcile`)
//! reads every open order at once. On PostgreSQL the service ticks through
//! [`Reconciler::tick_exclusive`]: one instance of a team server sweeps at a time, the others
//! skip that tick. The last report is kept in `settings`
//! ([`LAST_SWEEP_SETTING`]) for `mizan status`; an order whose read failed backs off (one
//! tick, doubling, at most an hour).
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

use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
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
use crate::store::locks::Exclusive;
use crate::store::order_list::{self, OrderCursor, OrderListQuery, TextPlan};
use crate::store::orders;
use crate::store::settings::{self, SettingScope};
use crate::store::watch;
use crate::webhooks::processor::auto_authorise_enabled;

pub mod schedule;
mod status;
mod stuck;

use schedule::Policy;

pub use status::{is_late, last_sweep};
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

/// The outcome of one sweep (every open order) or one scheduled tick (the due ones).
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
    /// A scheduled tick: orders that were due, and those left for a later tick because the
    /// reconciler's share of the API budget ran out (both zero for a full sweep).
    #[serde(default)]
    pub due: usize,
    #[serde(default)]
    pub deferred: usize,
    /// How long past its due time the most overdue order read was, in seconds.
    #[serde(default)]
    pub most_overdue_secs: u64,
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

/// Orders whose last read failed: how many times in a row, and when to try again.
type Backoff = Arc<Mutex<HashMap<String, (u32, DateTime<Utc>)>>>;
/// The longest a failing order waits between tries.
const MAX_BACKOFF: Duration = Duration::from_secs(3_600);

/// Periodic re-reading of open orders.
#[derive(Debug, Clone)]
pub struct Reconciler {
    console: Console,
    interval: Duration,
    concurrency: usize,
    policy: Policy,
    backoff: Backoff,
}

impl Reconciler {
    /// Every 60 s, 4 reads at a time, on the default [`Policy`]; its calls draw from the
    /// reconciler's share of the API budget.
    pub fn new(console: Console) -> Self {
        Reconciler {
            console: console.for_calls_of(crate::gateway::CallClass::Reconciler),
            interval: Duration::from_secs(60),
            concurrency: 4,
            policy: Policy::default(),
            backoff: Backoff::default(),
        }
    }

    /// Ticks every `interval`, with the policy scaled to it ([`Policy::for_tick`]).
    pub fn with_interval(mut self, interval: Duration) -> Self {
        self.interval = interval.max(Duration::from_millis(10));
        self.policy = Policy::for_tick(self.interval);
        self
    }

    pub fn with_concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.clamp(1, 64);
        self
    }

    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Reads every candidate order once (the orders to settle, every open order, the
    /// orders of failed deliveries) and records the report in `settings`: `mizan reconcile`.
    ///
    /// # Errors
    /// Only store failures; a failed read is counted in the report, not returned.
    pub async fn sweep(&self) -> Result<SweepReport> {
        let started_at = self.console.now();
        let mut ids = self.to_settle().await?;
        let mut seen: BTreeSet<String> = ids.iter().cloned().collect();
        let mut after: Option<OrderCursor> = None;
        while ids.len() < MAX_ORDERS_PER_SWEEP {
            let q = OrderListQuery {
                statuses: OPEN_STATUSES.iter().map(|s| (*s).to_owned()).collect(),
                after: after.take(),
                limit: PAGE,
                ..OrderListQuery::default()
            };
            let page = order_list::records(
                self.console.store(),
                self.console.environment(),
                &q,
                &TextPlan::None,
            )
            .await?;
            let full = page.len() == PAGE as usize;
            after = page.last().map(OrderCursor::from);
            ids.extend(
                page.into_iter()
                    .map(|o| o.order_id)
                    .filter(|id| seen.insert(id.clone())),
            );
            if !full {
                break;
            }
        }
        ids.truncate(MAX_ORDERS_PER_SWEEP);
        let outcomes = self.read_all(ids).await;
        self.record(report(&self.console, started_at, outcomes))
            .await
    }

    /// One scheduled tick: reads the orders the [`schedule`] says are due, most urgent first,
    /// as many as the reconciler's share of the API budget allows for one tick; the rest wait
    /// for the next. Records the report like [`Reconciler::sweep`].
    ///
    /// # Errors
    /// Only store failures.
    pub async fn tick(&self) -> Result<SweepReport> {
        let now = self.console.now();
        let settle = self.to_settle().await?;
        let watched = watch::open_orders(
            self.console.store(),
            self.console.environment(),
            &OPEN_STATUSES,
        )
        .await?;
        // Planning is synchronous: the back-off map is read under its lock, not copied.
        let plan = {
            let waiting = self.backoff.lock().unwrap_or_else(PoisonError::into_inner);
            schedule::plan(
                &settle,
                &watched,
                now,
                &self.policy,
                self.calls_per_tick(),
                MAX_ORDERS_PER_SWEEP,
                |id| waiting.get(id).is_some_and(|(_, next)| *next > now),
            )
        };
        let outcomes = self.read_all(plan.read).await;
        self.note_failures(&outcomes, now);
        let mut r = report(&self.console, now, outcomes);
        r.due = plan.due;
        r.deferred = plan.deferred;
        r.most_overdue_secs = plan.most_overdue.as_secs();
        self.record(r).await
    }

    /// [`Reconciler::tick`] unless another instance on the database is ticking: `None` then,
    /// and nothing is read (one sweep at a time across the instances of a team server).
    ///
    /// # Errors
    /// Only store failures.
    pub async fn tick_exclusive(&self) -> Result<Option<SweepReport>> {
        let Some(held) = self
            .console
            .store()
            .try_exclusive(Exclusive::ReconcilerTick)
            .await?
        else {
            return Ok(None);
        };
        let r = self.tick().await;
        held.release().await;
        r.map(Some)
    }

    /// The reconciler's share of the budget for one tick (a tick shorter than a minute plans
    /// a minute's share: the budget's limiter paces the calls anyway).
    fn calls_per_tick(&self) -> u32 {
        let per_minute = self.console.api_budget().config().reconciler_per_minute;
        let minutes = self.interval.as_secs_f64().max(60.0) / 60.0;
        (f64::from(per_minute) * minutes).min(f64::from(u32::MAX)) as u32
    }

    async fn read_all(&self, ids: Vec<String>) -> Vec<(String, Outcome)> {
        futures::stream::iter(ids)
            .map(|id| async move {
                let outcome = self.check(id.clone()).await;
                (id, outcome)
            })
            .buffer_unordered(self.concurrency)
            .collect()
            .await
    }

    /// A failed read backs its order off (one tick, doubling, at most an hour); a read that
    /// worked clears it.
    fn note_failures(&self, outcomes: &[(String, Outcome)], now: DateTime<Utc>) {
        let mut b = self.backoff.lock().unwrap_or_else(PoisonError::into_inner);
        for (id, o) in outcomes {
            if let Outcome::Failed(_) = o {
                let n = b.get(id).map_or(0, |(n, _)| *n).saturating_add(1);
                let wait = self
                    .interval
                    .saturating_mul(1 << (n - 1).min(16))
                    .min(MAX_BACKOFF);
                let next = now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX);
                b.insert(id.clone(), (n, next));
            } else {
                b.remove(id);
            }
        }
    }

    async fn record(&self, report: SweepReport) -> Result<SweepReport> {
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

    /// Ticks now and then every `interval` until `shutdown` completes. A tick that fails
    /// (store trouble) is logged and retried at the next.
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
                r = self.tick_exclusive() => match r {
                    Ok(Some(r)) if r.repaired + r.failed + r.deferred > 0 => tracing::info!(
                        repaired = r.repaired, failed = r.failed, checked = r.checked,
                        deferred = r.deferred, "reconciler tick"),
                    Ok(Some(_)) => {}
                    Ok(None) => tracing::debug!("reconciler tick skipped: another instance is ticking"),
                    Err(e) => tracing::warn!(error = %e, "reconciler tick failed"),
                },
            }
        }
    }

    /// Orders with a money move whose outcome is open, then orders of failed deliveries;
    /// each once.
    async fn to_settle(&self) -> Result<Vec<String>> {
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
        for d in failed_deliveries(store, env).await? {
            if let Some(id) = d.order_id.filter(|i| !i.trim().is_empty())
                && seen.insert(id.clone())
            {
                ids.push(id);
            }
        }
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

/// The report of reading `outcomes`, started at `started_at`.
fn report(
    console: &Console,
    started_at: DateTime<Utc>,
    outcomes: Vec<(String, Outcome)>,
) -> SweepReport {
    let mut r = SweepReport {
        environment: console.environment().as_str().to_owned(),
        started_at,
        finished_at: console.now(),
        checked: outcomes.len(),
        repaired: 0,
        unchanged: 0,
        failed: 0,
        repairs: vec![],
        failures: vec![],
        due: 0,
        deferred: 0,
        most_overdue_secs: 0,
    };
    for (_, o) in outcomes {
        match o {
            Outcome::Repaired(x) => {
                r.repaired += 1;
                r.repairs.push(x);
            }
            Outcome::Unchanged => r.unchanged += 1,
            Outcome::Failed(f) => {
                r.failed += 1;
                r.failures.push(f);
            }
        }
    }
    r.repairs.sort_by(|a, b| a.order_id.cmp(&b.order_id));
    r.failures.sort_by(|a, b| a.order_id.cmp(&b.order_id));
    r
}

fn failed(order_id: String, e: &crate::Error) -> Outcome {
    Outcome::Failed(SweepFailure {
        order_id,
        code: e.code().as_str().to_owned(),
        message: e.to_string(),
    })
}

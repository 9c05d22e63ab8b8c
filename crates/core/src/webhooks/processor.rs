//! The inbox processor: turns verified deliveries into cache, ledger and audit changes.
//!
//! Owns the processing of `webhook_deliveries` rows of the console's active environment, at
//! least once: a row stays `pending` until its effects and its settlement commit together, so a
//! crash at any point leaves it to be picked up again.
//!
//! Invariants:
//! - One order's deliveries are processed in arrival (id) order, one at a time; deliveries of
//!   different orders in one batch run concurrently, at most `concurrency` orders at once, so
//!   a flash sale's network round trips overlap instead of queueing. The next batch is read
//!   only when the whole batch is settled, so an order is never in two batches at once —
//!   nor, on PostgreSQL, in two server instances' batches: a batch is claimed
//!   ([`deliveries::claim_next`]) until it is settled.
//! - Exactly-once effect: the event identity (order id, event name, capture/refund/cancel id)
//!   is claimed in the same transaction that writes the order, the ledger, the audit entry and
//!   marks the row processed; a second delivery of the same identity is skipped as a duplicate.
//! - The body is never trusted: the order is re-read from the API, and only its fetched status
//!   is applied — and never backwards ([`crate::orders::cache::cache_details`]).
//! - Dispute events are [`crate::disputes`]'s: recorded from the body, whatever its shape,
//!   with no re-read (they move no money and their order may be unknown).
//! - Approved orders are authorised when the `auto_authorise` setting is on (default). A 409
//!   means it is already done. Any failure (re-read or authorise) marks the row `failed` with
//!   the reason; it is requeued after an exponential back-off, never dropped.
//! - No network call happens inside a store transaction, and each row's writes are short
//!   transactions of their own, so the receiver's inbox commits never wait long for the
//!   store's write lock.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt as _;
use futures::StreamExt as _;

use super::batch::{self, Stopping};
pub use super::batch::{CONCURRENCY_VAR, DEFAULT_CONCURRENCY, concurrency_from};
use futures::future::FusedFuture as _;
use tamara::ApiError;
use tamara::model::OrderStatus;
use tamara::model::notification::Notification;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::selftest::SELF_TEST_ORDER_PREFIX;
use crate::audit::{self, AuditRecord};
use crate::context::Context;
use crate::disputes;
use crate::error::{Error, ErrorCode, Result};
use crate::gateway::GatewayError;
use crate::orders::cache::{CacheOutcome, cache_details};
use crate::orders::{is_behind, status_rank};
use crate::store::deliveries::{
    self, DeliveryFilter, DeliveryVerdict, ProcessingState, WebhookDelivery,
};
use crate::store::events::{self, EventKey};
use crate::store::ledger::LedgerSource;
use crate::store::settings::{self, SettingScope};
use crate::store::{StoreError, orders};

/// The setting (per environment, else global) that turns auto-authorise off: `off`, `false`,
/// `0` or `no`. Anything else, or unset, means on.
pub const AUTO_AUTHORISE_SETTING: &str = "auto_authorise";

/// Who the processor acts as in the ledger and the audit log.
const ACTOR: &str = "webhook";

/// How the processor paces itself.
#[derive(Debug, Clone)]
pub struct ProcessorConfig {
    /// Rows taken per store read.
    pub batch: u32,
    /// How long the loop sleeps when nothing wakes it.
    pub idle_interval: Duration,
    /// Back-off before the first retry of a failed row; doubles per attempt.
    pub retry_base: Duration,
    /// Longest back-off.
    pub retry_max: Duration,
    /// Orders whose deliveries are processed at the same time (at least 1).
    pub concurrency: usize,
}

impl Default for ProcessorConfig {
    fn default() -> Self {
        ProcessorConfig {
            batch: 50,
            idle_interval: Duration::from_secs(2),
            retry_base: Duration::from_secs(5),
            retry_max: Duration::from_secs(600),
            concurrency: DEFAULT_CONCURRENCY,
        }
    }
}

/// Works through the inbox. Cheap to clone parts; one per process.
pub struct Processor {
    console: Context,
    wake: Arc<Notify>,
    config: ProcessorConfig,
}

/// How one row ended.
enum Settled {
    Skipped(String),
    Failed(ProcessingFailure),
}

/// Why processing a row failed (it is retried). Its text is the reason stored in the row's
/// `processing_result` and audited, which the CLI and the UI show: `<code>: <message>`, after
/// the step that failed when it was a call to Tamara.
#[derive(Debug, thiserror::Error)]
enum ProcessingFailure {
    /// Reading the gateway, the setting or the cache failed.
    #[error("{code}: {0}", code = .0.code())]
    Core(Error),
    /// Re-reading the order from Tamara failed.
    #[error("re-read failed: {code}: {0}", code = .0.code())]
    Reread(GatewayError),
    /// Authorising the approved order failed (not a 409, which means already done).
    #[error("authorise failed: {code}: {0}", code = .0.code())]
    Authorise(GatewayError),
}

impl ProcessingFailure {
    fn code(&self) -> ErrorCode {
        match self {
            ProcessingFailure::Core(e) => e.code(),
            ProcessingFailure::Reread(e) | ProcessingFailure::Authorise(e) => e.code(),
        }
    }
}

impl Processor {
    pub fn new(console: impl Into<Context>, wake: Arc<Notify>, config: ProcessorConfig) -> Self {
        Processor {
            console: console
                .into()
                .for_calls_of(crate::gateway::CallClass::Processor),
            wake,
            config,
        }
    }

    /// Requeues failed rows whose back-off has passed, then processes up to one batch of
    /// pending rows in arrival order. Returns how many rows it settled.
    ///
    /// # Errors
    /// Store errors reading the inbox; a failing row is settled as `failed`, not an error.
    pub async fn run_once(&self) -> Result<usize> {
        self.run_batch(&mut std::future::pending::<()>().boxed())
            .await
    }

    /// Loops until `shutdown` completes: wakes on the receiver's notification or every
    /// `idle_interval`, and stops after the row in hand.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        let mut shutdown = Box::pin(shutdown.fuse());
        loop {
            match self.run_batch(&mut shutdown).await {
                Ok(n) if n > 0 => {}
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, code = %e.code(), "webhook processor"),
            }
            // `run_batch` may itself have seen the shutdown complete (between two rows); a
            // fused future then answers Pending forever, so ask whether it has terminated.
            if shutdown.is_terminated() || (&mut shutdown).now_or_never().is_some() {
                break;
            }
            tokio::select! {
                () = &mut shutdown => break,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(self.config.idle_interval) => {}
            }
        }
        tracing::info!("webhook processor stopped");
    }

    /// Runs [`Processor::run`] as a Tokio task until `shutdown` turns true (or its sender is
    /// dropped). The task finishes the row in hand before it returns.
    pub fn spawn(self, mut shutdown: tokio::sync::watch::Receiver<bool>) -> JoinHandle<()> {
        tokio::spawn(self.run(async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        }))
    }

    async fn run_batch<F>(&self, shutdown: &mut F) -> Result<usize>
    where
        F: Future<Output = ()> + Unpin,
    {
        self.requeue_due().await?;
        let env = self.console.environment();
        // Claimed for the whole batch: another instance on the database skips these rows.
        let (claim, rows) =
            deliveries::claim_next(self.console.store(), env, self.config.batch).await?;
        // One future per order, polled together in this task: each order's rows one at a time.
        let stopping = Stopping::new(shutdown);
        let settled: Vec<Result<usize>> =
            futures::stream::iter(batch::by_order(rows, |r| r.order_id.as_deref()))
                .map(|group| self.run_group(group, &stopping))
                .buffer_unordered(self.config.concurrency.max(1))
                .collect()
                .await;
        claim.release().await;
        settled.into_iter().sum()
    }

    /// Settles one order's rows in arrival order, stopping before a row once the batch stops;
    /// a store failure leaves the order's later rows for the next batch. Returns the rows settled.
    async fn run_group<F>(
        &self,
        group: Vec<WebhookDelivery>,
        stopping: &Stopping<'_, F>,
    ) -> Result<usize>
    where
        F: Future<Output = ()> + Unpin,
    {
        let mut settled = 0;
        for row in group {
            if stopping.now() {
                break;
            }
            match self.process(&row).await {
                Ok(()) => settled += 1,
                Err(Error::Store(StoreError::Conflict(why))) => self.lost_race(&row, &why).await?,
                Err(e) => return Err(e),
            }
        }
        Ok(settled)
    }

    /// A row this processor could not settle because it was no longer pending: another
    /// processor on the same inbox (the desktop's and a rehearsal's, or `mizan serve` and the
    /// desktop on one data directory) settled it first. Not an error — the event claim kept the
    /// effect to one — so it is noted quietly; a row still pending is retried next batch.
    async fn lost_race(&self, row: &WebhookDelivery, why: &str) -> Result<()> {
        let now = deliveries::get(self.console.store(), row.id).await?;
        match now.map(|d| d.processing_state) {
            Some(ProcessingState::Pending) => {
                tracing::warn!(delivery_id = row.id, %why, "delivery not settled; retried next batch");
            }
            state => tracing::debug!(
                delivery_id = row.id,
                ?state,
                "delivery settled by another processor"
            ),
        }
        Ok(())
    }

    /// Puts failed verified rows back in the queue once their back-off has passed.
    async fn requeue_due(&self) -> Result<()> {
        let filter = DeliveryFilter {
            environment: Some(self.console.environment()),
            verdict: Some(DeliveryVerdict::Verified),
            processing_state: Some(ProcessingState::Failed),
            ..DeliveryFilter::default()
        };
        let now = self.console.now();
        for row in deliveries::list(self.console.store(), &filter).await? {
            let due = row
                .processed_at
                .map(|at| at + self.backoff(row.attempts))
                .is_none_or(|due| due <= now);
            if due {
                match deliveries::requeue(self.console.store(), row.id).await {
                    Ok(()) | Err(StoreError::Conflict(_)) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(())
    }

    fn backoff(&self, attempts: i64) -> chrono::Duration {
        let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
        let d = self
            .config
            .retry_base
            .saturating_mul(2u32.saturating_pow(exp))
            .min(self.config.retry_max);
        chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
    }

    /// Processes one pending row and settles it. Only store failures are errors.
    pub(crate) async fn process(&self, row: &WebhookDelivery) -> Result<()> {
        if row
            .event_type
            .as_deref()
            .is_some_and(disputes::is_dispute_event)
            && let Some(notice) = disputes::notice::read(row.body.as_bytes())
        {
            return disputes::receive::process(&self.console, row, &notice).await;
        }
        let now = self.console.now();
        let store = self.console.store();
        let n = match super::body::parse(row.body.as_bytes()) {
            Ok(n) => n,
            Err(e) => {
                let why = format!("body no longer parses: {e}");
                return self.settle(row, Settled::Skipped(why), None).await;
            }
        };
        let (order_id, event, sub_id) = super::body::event_key(&n, row.id);
        if order_id.starts_with(SELF_TEST_ORDER_PREFIX) {
            let why = "self-test delivery (mizan webhooks test): nothing to process".to_owned();
            return self
                .settle(row, Settled::Skipped(why), Some(&order_id))
                .await;
        }
        let key = EventKey::new(row.environment, &order_id, &event, Some(&sub_id));
        if let Some((by, _)) = events::claimed(store, &key).await? {
            let why = format!("duplicate of delivery {}", by.unwrap_or_default());
            return self
                .settle(row, Settled::Skipped(why), Some(&order_id))
                .await;
        }
        // Re-read (the body is not signed), authorise if due, re-read again after authorising.
        let settled = match self.read_and_act(&order_id).await {
            Err(failure) => Settled::Failed(failure),
            Ok((details, authorise_note)) => {
                let mut tx = store.begin().await?;
                if !events::claim(&mut tx, &key, Some(row.id), now).await? {
                    drop(tx);
                    let why = "duplicate (claimed concurrently)".to_owned();
                    return self
                        .settle(row, Settled::Skipped(why), Some(&order_id))
                        .await;
                }
                let cached = orders::get(&mut tx, row.environment, &order_id).await?;
                let outcome = cache_details(
                    &mut tx.as_db(),
                    row.environment,
                    &details,
                    LedgerSource::Webhook,
                    now,
                )
                .await;
                let outcome = match outcome {
                    Ok(o) => o,
                    Err(e @ Error::Store(_)) => return Err(e),
                    Err(e) => {
                        drop(tx);
                        let failed = Settled::Failed(ProcessingFailure::Core(e));
                        return self.settle(row, failed, Some(&order_id)).await;
                    }
                };
                let mut result = format!("{event}: {}", outcome.describe());
                if let Some(late) = late_event(&n, cached.as_ref().map(|o| o.status.as_str())) {
                    result.push_str(&format!("; {late}"));
                }
                if let Some(note) = authorise_note {
                    result.push_str(&format!("; {note}"));
                }
                let rec = self.record("webhook.processed", &order_id, row, &result);
                audit::append_in(&mut tx.as_db(), &rec, now).await?;
                deliveries::mark_processed(&mut tx, row.id, &result, now).await?;
                tx.commit()
                    .await
                    .map_err(StoreError::query("commit webhook processing"))?;
                if matches!(outcome, CacheOutcome::Stale { .. }) {
                    tracing::info!(delivery_id = row.id, %result, "stale read not applied");
                }
                return Ok(());
            }
        };
        self.settle(row, settled, Some(&order_id)).await
    }

    /// Re-reads the order; authorises it when approved and auto-authorise is on. Returns the
    /// latest details and a note on what authorise did.
    async fn read_and_act(
        &self,
        order_id: &str,
    ) -> std::result::Result<
        (
            tamara::model::WithRaw<tamara::model::order::OrderDetails>,
            Option<String>,
        ),
        ProcessingFailure,
    > {
        let gateway = self.console.gateway().map_err(ProcessingFailure::Core)?;
        let read = || async {
            gateway
                .order(order_id, tamara::OrderPath::Orders)
                .await
                .map_err(ProcessingFailure::Reread)
        };
        let details = read().await?;
        let approved = details.value.status.as_ref() == Some(&OrderStatus::Approved);
        if !approved
            || !self
                .auto_authorise()
                .await
                .map_err(ProcessingFailure::Core)?
        {
            return Ok((details, None));
        }
        // Cached first, so an auto-capture in the answer has its order to land on.
        crate::orders::cache::cache(&self.console, &details)
            .await
            .map_err(ProcessingFailure::Core)?;
        let note = match gateway.authorise(order_id).await {
            Ok(answer) => {
                match crate::moves::auto_capture::record(&self.console, &answer.value).await {
                    Ok(true) => "auto-authorised (and auto-captured by Tamara)".to_owned(),
                    Ok(false) => "auto-authorised".to_owned(),
                    Err(e) => format!("auto-authorised; the auto-capture was not recorded: {e}"),
                }
            }
            Err(e) if matches!(e.api(), Some(ApiError::Http { status: 409, .. })) => {
                "authorise: already done (409)".to_owned()
            }
            Err(e) => return Err(ProcessingFailure::Authorise(e)),
        };
        Ok((read().await?, Some(note)))
    }

    async fn auto_authorise(&self) -> Result<bool> {
        auto_authorise_enabled(&self.console).await
    }

    /// Settles a row that changed nothing (skipped or failed) and audits it, atomically.
    async fn settle(
        &self,
        row: &WebhookDelivery,
        how: Settled,
        order_id: Option<&str>,
    ) -> Result<()> {
        let now = self.console.now();
        let store = self.console.store();
        let mut tx = store.begin().await?;
        let (action, result) = match how {
            Settled::Skipped(r) => {
                deliveries::mark_skipped(&mut tx, row.id, &r, now).await?;
                ("webhook.skipped", r)
            }
            Settled::Failed(f) => {
                let (code, r) = (f.code(), f.to_string());
                tracing::warn!(delivery_id = row.id, %code, reason = %r, "webhook processing failed; will retry");
                deliveries::mark_failed(&mut tx, row.id, &r, now).await?;
                ("webhook.failed", r)
            }
        };
        let rec = self.record(action, order_id.unwrap_or("-"), row, &result);
        audit::append_in(&mut tx.as_db(), &rec, now).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("commit webhook settlement"))?;
        Ok(())
    }

    fn record(
        &self,
        action: &str,
        subject: &str,
        row: &WebhookDelivery,
        result: &str,
    ) -> AuditRecord {
        AuditRecord {
            env: row.environment,
            actor: ACTOR.to_owned(),
            action: action.to_owned(),
            subject: subject.to_owned(),
            request_summary: Some(format!(
                "delivery {} {} (attempt {})",
                row.id,
                row.event_type.as_deref().unwrap_or("?"),
                row.attempts + 1
            )),
            result: result.to_owned(),
        }
    }
}

/// When the notification implies a status behind the cached one (a late `order_approved`
/// after a capture), says so: it is recorded, not applied.
fn late_event(n: &Notification, cached: Option<&str>) -> Option<String> {
    let implied = match &n.kind {
        tamara::model::notification::NotificationKind::LegacyStatus(s) => s.clone(),
        tamara::model::notification::NotificationKind::Event(e) => {
            OrderStatus::parse(e.as_str().strip_prefix("order_")?)
        }
    };
    let cached = OrderStatus::parse(cached?);
    (status_rank(&implied) > 0 && is_behind(&implied, &cached)).then(|| {
        format!(
            "late event: {} after {}; recorded, not applied",
            n.kind.name(),
            cached.as_str()
        )
    })
}

/// Whether approved orders of the console's environment are authorised automatically: the
/// environment's [`AUTO_AUTHORISE_SETTING`], else the global one, else on.
///
/// # Errors
/// Store errors.
pub async fn auto_authorise_enabled(console: &Context) -> Result<bool> {
    let store = console.store();
    let env = console.environment();
    let value = match settings::get(store, SettingScope::Env(env), AUTO_AUTHORISE_SETTING).await? {
        Some(v) => Some(v),
        None => settings::get(store, SettingScope::Global, AUTO_AUTHORISE_SETTING).await?,
    };
    Ok(!matches!(
        value
            .as_deref()
            .map(str::trim)
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("off" | "false" | "0" | "no")
    ))
}

#[cfg(test)]
#[path = "processor_tests.rs"]
mod tests;

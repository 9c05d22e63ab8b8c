//! The running service of one console: the webhook receiver (with the redirect pages), the
//! inbox processor, the reconciler, the receiver's heartbeat, the inbox's retention (pruning
//! refused and settled deliveries past the retention in force), the registration-health
//! check, the rejection alert and, given the audit key, the audit log's guard — started
//! together and stopped together. `mizan serve` and the desktop app both run exactly this.
//!
//! Invariants: stopping first stops accepting (in-flight requests finish within the server's
//! shutdown grace, [`ServerLimits`]; every acknowledged delivery is already durable), then
//! lets the processor finish the row in hand and the reconciler its sweep, then stamps the
//! heartbeat as stopped. Observers learn of each stored delivery through
//! [`RunningService::deliveries`] (a counter that moves after the receiver wrote a row), which
//! is how the desktop app pushes events instead of polling.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::audit::{AuditKeys, ChainBreak, guard};
use crate::console::Console;
use crate::context::Context;
use crate::reconcile::Reconciler;
use crate::store::delivery_retention::{self, Pruned};
use crate::webhooks::health::{self, Heartbeat, RecentRejections};
use crate::webhooks::registration_health::{self, RegistrationHealth};
use crate::webhooks::{Processor, ProcessorConfig, ReceiverState, ServerLimits, router, serve};

/// How the service runs.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// Seconds between reconciler sweeps; None runs no reconciler.
    pub reconcile_every: Option<Duration>,
    /// Order reads a sweep runs at once.
    pub reconcile_concurrency: usize,
    pub processor: ProcessorConfig,
    /// Time between registration-health checks; None runs none.
    pub registration_check_every: Option<Duration>,
    /// Time between prunings of the inbox (the first runs at start); None prunes nothing.
    pub prune_every: Option<Duration>,
    /// The receiver's connection cap, header timeout and shutdown grace.
    pub server: ServerLimits,
    /// The audit key: with one, the service verifies the audit log at start and signs its
    /// head periodically ([`crate::audit::guard`]); without, it leaves the log to the CLI.
    pub audit_keys: Option<AuditKeys>,
    /// More routes served on the same listener (the team API of `mizan serve`).
    pub extra_routes: Option<axum::Router>,
    /// Serve HTTPS with this configuration ([`crate::webhooks::tls::server_config`]).
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig {
            reconcile_every: Some(Duration::from_secs(60)),
            reconcile_concurrency: 4,
            // How many orders' deliveries run at once: the host's environment may say.
            processor: ProcessorConfig {
                concurrency: crate::webhooks::processor::concurrency_from(
                    std::env::var(crate::webhooks::processor::CONCURRENCY_VAR)
                        .ok()
                        .as_deref(),
                ),
                ..ProcessorConfig::default()
            },
            registration_check_every: Some(registration_health::CHECK_EVERY),
            prune_every: Some(PRUNE_EVERY),
            server: ServerLimits::for_this_process(),
            audit_keys: None,
            extra_routes: None,
            tls: None,
        }
    }
}

/// How often the service prunes the inbox by default.
pub const PRUNE_EVERY: Duration = Duration::from_secs(60 * 60);

/// Which part of the service stopped abnormally.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    #[error("the HTTP server failed: {0}")]
    Server(String),
    #[error("the webhook processor stopped abnormally")]
    Processor,
    #[error("the reconciler stopped abnormally")]
    Reconciler,
}

impl ServiceError {
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            ServiceError::Server(_) => crate::ErrorCode::ServeFailed,
            ServiceError::Processor => crate::ErrorCode::ServeProcessor,
            ServiceError::Reconciler => crate::ErrorCode::ServeReconciler,
        }
    }
}

/// A started service. Dropping it without [`RunningService::stop`] leaves the tasks running
/// until the runtime ends.
pub struct RunningService {
    addr: SocketAddr,
    console: Console,
    stop: watch::Sender<bool>,
    deliveries: watch::Receiver<u64>,
    server: JoinHandle<std::io::Result<()>>,
    processor: JoinHandle<()>,
    reconciler: Option<JoinHandle<()>>,
    beating: JoinHandle<()>,
    relay: JoinHandle<()>,
    watching: Option<JoinHandle<()>>,
    pruning: Option<JoinHandle<()>>,
    registration_health: watch::Receiver<Option<RegistrationHealth>>,
    rejections: watch::Receiver<Option<RecentRejections>>,
    guarding: Option<JoinHandle<()>>,
    audit_break: watch::Receiver<Option<ChainBreak>>,
    heartbeat: Heartbeat,
    /// A handle on the receiver's state, for its in-memory counters.
    receiver: ReceiverState,
}

impl std::fmt::Debug for RunningService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningService")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl RunningService {
    /// Serves the receiver on `listener` and starts the processor, the reconciler (when
    /// configured) and the heartbeat, all for the console's active environment.
    ///
    /// # Errors
    /// The listener's address cannot be read.
    pub fn start(
        console: Console,
        listener: TcpListener,
        config: ServiceConfig,
    ) -> std::io::Result<RunningService> {
        let addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        // The receiver wakes `received`; the relay passes each wake on to the processor and
        // counts it for observers (the desktop app's event bridge).
        let received = Arc::new(Notify::new());
        let wake = Arc::new(Notify::new());
        let (count_tx, deliveries) = watch::channel(0u64);
        let relay = {
            let (received, wake) = (received.clone(), wake.clone());
            let mut stopped = stopped.clone();
            tokio::spawn(async move {
                loop {
                    tokio::select! {
                        _ = stopped.wait_for(|s| *s) => break,
                        () = received.notified() => {
                            wake.notify_one();
                            count_tx.send_modify(|n| *n = n.wrapping_add(1));
                        }
                    }
                }
            })
        };
        let processor =
            Processor::new(console.clone(), wake, config.processor).spawn(stopped.clone());
        let reconciler = config.reconcile_every.map(|every| {
            let mut stopped = stopped.clone();
            let reconciler = Reconciler::new(console.clone())
                .with_interval(every)
                .with_concurrency(config.reconcile_concurrency);
            tokio::spawn(reconciler.run(async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            }))
        });
        let started_at = console.now();
        let heartbeat = Heartbeat {
            listen: addr.to_string(),
            pid: std::process::id(),
            started_at,
            at: started_at,
            reconcile_every_secs: config.reconcile_every.map(|d| d.as_secs().max(1)),
            stopped_at: None,
        };
        let (rejections_tx, rejections) = watch::channel(None);
        let beating = {
            let console = console.clone();
            let mut stopped = stopped.clone();
            let mut hb = heartbeat.clone();
            tokio::spawn(async move {
                loop {
                    hb.at = console.now();
                    if let Err(e) = health::beat(&console, &hb).await {
                        tracing::warn!(error = %e, "receiver heartbeat not written");
                    }
                    watch_rejections(&console, hb.at, &rejections_tx).await;
                    tokio::select! {
                        _ = stopped.wait_for(|stop| *stop) => break,
                        () = tokio::time::sleep(health::HEARTBEAT_EVERY) => {}
                    }
                }
            })
        };
        let (health_tx, registration_health) = watch::channel(None);
        let watching = config.registration_check_every.map(|every| {
            let console = console.clone();
            let mut stopped = stopped.clone();
            // The first check waits a little: at start-up the desktop is still registering.
            let first = every.min(Duration::from_secs(60));
            tokio::spawn(async move {
                let mut pause = first;
                loop {
                    tokio::select! {
                        _ = stopped.wait_for(|stop| *stop) => break,
                        () = tokio::time::sleep(pause) => {}
                    }
                    match registration_health::check(&console).await {
                        Ok(h) => {
                            let _ = health_tx.send(Some(h));
                        }
                        Err(e) => tracing::warn!(error = %e, "registration health not checked"),
                    }
                    pause = every;
                }
            })
        });
        let (audit_tx, audit_break) = watch::channel(None);
        let guarding = config.audit_keys.map(|keys| {
            let ctx: Context = (*console).clone();
            tokio::spawn(guard::run(
                ctx,
                keys,
                guard::SIGN_EVERY,
                stopped.clone(),
                audit_tx,
            ))
        });
        let receiver = ReceiverState::new(console.clone(), received);
        let pruning = config.prune_every.map(|every| {
            let console = console.clone();
            let mut stopped = stopped.clone();
            tokio::spawn(async move {
                loop {
                    prune(&console).await;
                    tokio::select! {
                        _ = stopped.wait_for(|stop| *stop) => break,
                        () = tokio::time::sleep(every) => {}
                    }
                }
            })
        });
        let app = match config.extra_routes {
            Some(extra) => router(receiver.clone()).merge(extra),
            None => router(receiver.clone()),
        };
        let limits = config.server;
        let server = {
            let mut stopped = stopped;
            tokio::spawn(serve(listener, app, limits, config.tls, async move {
                let _ = stopped.wait_for(|s| *s).await;
            }))
        };
        Ok(RunningService {
            addr,
            console,
            stop,
            deliveries,
            server,
            processor,
            reconciler,
            beating,
            relay,
            watching,
            pruning,
            registration_health,
            rejections,
            guarding,
            audit_break,
            heartbeat,
            receiver,
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Moves (by one or more) each time the receiver stored deliveries.
    pub fn deliveries(&self) -> watch::Receiver<u64> {
        self.deliveries.clone()
    }

    /// The latest registration-health check of this service (None before the first).
    pub fn registration_health(&self) -> watch::Receiver<Option<RegistrationHealth>> {
        self.registration_health.clone()
    }

    /// A break of the audit chain the service found when it started (None: intact, not yet
    /// verified, or no audit key).
    pub fn audit_break(&self) -> watch::Receiver<Option<ChainBreak>> {
        self.audit_break.clone()
    }

    /// Refused deliveries of the last ten minutes, read at every heartbeat (None before the
    /// first).
    pub fn rejections(&self) -> watch::Receiver<Option<RecentRejections>> {
        self.rejections.clone()
    }

    /// Refused requests answered 429 and not stored since the service started (a flood of
    /// unsigned requests shows here and in the log).
    pub fn rate_limited(&self) -> u64 {
        self.receiver.rate_limited()
    }

    /// True once any task of the service has ended on its own (the server failed).
    pub fn is_finished(&self) -> bool {
        self.server.is_finished()
    }

    /// Stops everything in order (see the module doc) and stamps the heartbeat as stopped.
    ///
    /// # Errors
    /// The first part that ended abnormally; the others are still stopped.
    pub async fn stop(self) -> Result<(), ServiceError> {
        let _ = self.stop.send(true);
        let served = match self.server.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(ServiceError::Server(e.to_string())),
            Err(e) => Err(ServiceError::Server(e.to_string())),
        };
        let processor_ok = self.processor.await.is_ok();
        let _ = self.beating.await;
        let _ = self.relay.await;
        if let Some(w) = self.watching {
            let _ = w.await;
        }
        if let Some(p) = self.pruning {
            let _ = p.await;
        }
        if let Some(g) = self.guarding {
            // A long first verification must not hold up a stop; a checkpoint is one insert.
            g.abort();
            let _ = g.await;
        }
        let stopped_at = self.console.now();
        let last = Heartbeat {
            at: stopped_at,
            stopped_at: Some(stopped_at),
            ..self.heartbeat
        };
        if let Err(e) = health::beat(&self.console, &last).await {
            tracing::warn!(error = %e, "receiver stop not recorded");
        }
        let reconciler_ok = match self.reconciler {
            Some(task) => task.await.is_ok(),
            None => true,
        };
        served?;
        if !reconciler_ok {
            return Err(ServiceError::Reconciler);
        }
        if !processor_ok {
            return Err(ServiceError::Processor);
        }
        Ok(())
    }
}

/// Reads the recent rejections into `tx`, warning in the log when a spike begins or ends.
async fn watch_rejections(
    console: &Console,
    now: chrono::DateTime<chrono::Utc>,
    tx: &watch::Sender<Option<RecentRejections>>,
) {
    match health::recent_rejections(console, now).await {
        Ok(r) => {
            let was = tx.borrow().as_ref().is_some_and(|b| b.spiking);
            if r.spiking && !was {
                tracing::warn!(
                    refused = r.counts.refused,
                    senders = r.counts.senders,
                    top_sender = r.counts.top_sender.as_ref().map(|t| t.0.as_str()),
                    threshold = r.threshold,
                    "refused deliveries are spiking"
                );
            } else if was && !r.spiking {
                tracing::info!(
                    refused = r.counts.refused,
                    "refused deliveries back under the alert"
                );
            }
            let _ = tx.send(Some(r));
        }
        Err(e) => tracing::warn!(error = %e, "recent rejections not read"),
    }
}

/// One pruning of the inbox by the retention in force (saved, else configured), relative to
/// the console's clock.
/// A failure is logged and retried at the next round: retention is housekeeping, never a
/// reason to stop receiving.
async fn prune(console: &Console) {
    let retention = match crate::settings::retention(console).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, "retention not read; inbox not pruned");
            return;
        }
    };
    let now = console.now();
    let days = |d: u32| chrono::Duration::days(i64::from(d));
    match delivery_retention::prune(
        console.store(),
        now - days(retention.rejected_days),
        now - days(retention.processed_days),
    )
    .await
    {
        Ok(p) if p != Pruned::default() => {
            tracing::info!(rejected = p.rejected, settled = p.settled, "inbox pruned")
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "inbox not pruned"),
    }
}

//! The in-app services: while the app is open it runs the same receiver, processor and
//! reconciler as `mizan serve` ([`mizan_core::service::RunningService`]), plus a watcher that
//! turns what they change into typed events for the webview.
//!
//! Invariants: the watcher wakes when the receiver stores a delivery (and at least every
//! [`TICK`] for what the processor and the reconciler change); it reads the store's change
//! feed from where it last stopped, so every delivery and order change is reported once, in
//! order; health is re-read every [`HEALTH_EVERY`] and emitted when it changed (and every
//! [`HEALTH_REPEAT`] regardless). The UI never polls.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use mizan_core::Console;
use mizan_core::service::{RunningService, ServiceConfig};
use mizan_core::views::{changes, dashboard};
use tauri::AppHandle;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::events::{DeliveryReceived, HealthChanged, OrderChanged, emit};
use mizan_core::desktop::approved_alert::ApprovedWatch;
use mizan_core::desktop::{alerts, app::ReceiverStartError, count, registrations, time};
use tauri_plugin_notification::NotificationExt;

/// The watcher's longest sleep.
pub const TICK: Duration = Duration::from_millis(500);
/// How often health is re-read (and pushed when it changed).
pub const HEALTH_EVERY: Duration = Duration::from_secs(2);
/// Health is pushed at least this often even when unchanged, so a window that started
/// listening late still hears it.
pub const HEALTH_REPEAT: Duration = Duration::from_secs(10);

/// The running services of one session.
pub struct InApp {
    service: RunningService,
    stop: watch::Sender<bool>,
    watcher: JoinHandle<()>,
}

impl InApp {
    pub fn addr(&self) -> SocketAddr {
        self.service.addr()
    }

    /// Stops the watcher, then the service (see `RunningService::stop`).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.watcher.await;
        if let Err(e) = self.service.stop().await {
            tracing::error!(code = %e.code(), "in-app service stopped abnormally: {e}");
        }
    }
}

/// Binds the receiver on loopback `port` (0: any free port) and starts everything.
///
/// # Errors
/// [`ReceiverStartError`]: the port is taken, typically.
pub async fn start(
    app: AppHandle,
    console: Console,
    port: u16,
    reconcile_every: Option<Duration>,
) -> Result<InApp, ReceiverStartError> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ReceiverStartError::Listen { addr, source })?;
    let config = ServiceConfig {
        reconcile_every,
        audit_keys: audit_keys().await,
        ..ServiceConfig::default()
    };
    let service = RunningService::start(console.clone(), listener, config)
        .map_err(ReceiverStartError::Start)?;
    let mark = changes::now(&console)
        .await
        .map_err(ReceiverStartError::Store)?;
    let (stop, stopped) = watch::channel(false);
    let (checks, shell) = (service.registration_health(), app.clone());
    tokio::spawn(registrations::notify_when_worse(
        console.clone(),
        checks,
        stopped.clone(),
        move |title, body| notify(&shell, title, body),
    ));
    let (mut audit_break, shell, words) = (service.audit_break(), app.clone(), console.clone());
    tokio::spawn(async move {
        let found = audit_break.wait_for(Option::is_some).await;
        let Some(b) = found.ok().and_then(|b| b.clone()) else {
            return;
        };
        // In the UI language at the moment it is told; unreadable: English.
        let locale = words.locale().await.ok().flatten();
        let (title, body) = alerts::audit_altered(&b, locale.as_deref());
        notify(&shell, title, body);
    });
    let (readings, shell) = (service.rejections(), app.clone());
    tokio::spawn(alerts::notify_on_rejection_spikes(
        console.clone(),
        readings,
        stopped.clone(),
        move |title, body| notify(&shell, title, body),
    ));
    let watcher = tokio::spawn(watch_changes(
        app,
        console,
        service.deliveries(),
        stopped,
        mark,
        reconcile_every,
    ));
    Ok(InApp {
        service,
        stop,
        watcher,
    })
}

/// The audit key from the OS keychain (made on first use), so the service guards the audit
/// log; without a keychain the app runs unguarded and says so in the log.
async fn audit_keys() -> Option<mizan_core::audit::AuditKeys> {
    let loaded =
        tokio::task::spawn_blocking(|| mizan_core::audit::KeySource::from_env().load_or_create())
            .await;
    match loaded {
        Ok(Ok((keys, _))) => Some(keys),
        Ok(Err(e)) => {
            tracing::warn!("audit key unavailable; audit checkpoints left to the CLI: {e}");
            None
        }
        Err(e) => {
            tracing::warn!("loading the audit key stopped: {e}");
            None
        }
    }
}

/// Shows a desktop notification; one that cannot be shown is logged, never fatal.
fn notify(shell: &AppHandle, title: String, body: String) {
    let shown = shell
        .notification()
        .builder()
        .title(title)
        .body(body)
        .show();
    if let Err(e) = shown {
        tracing::warn!("desktop notification not shown: {e}");
    }
}

async fn watch_changes(
    app: AppHandle,
    console: Console,
    mut deliveries_moved: watch::Receiver<u64>,
    mut stopped: watch::Receiver<bool>,
    mut mark: changes::Watermark,
    reconcile_every: Option<Duration>,
) {
    let mut last_health: Option<HealthChanged> = None;
    let mut health_due = tokio::time::Instant::now();
    let mut health_sent = tokio::time::Instant::now();
    let mut queue = alerts::QueueWatch::default();
    let mut approved = ApprovedWatch::default();
    let mut queue_due = tokio::time::Instant::now() + alerts::QUEUE_EVERY;
    // The last status reported per order: a re-read that changed nothing the UI shows is not
    // news. Bounded: cleared when it grows past a few thousand orders.
    let mut reported: HashMap<String, String> = HashMap::new();
    loop {
        tokio::select! {
            _ = stopped.wait_for(|s| *s) => break,
            _ = deliveries_moved.changed() => {}
            () = tokio::time::sleep(TICK) => {}
        }
        match changes::since(&console, &mut mark).await {
            Ok(c) => {
                for d in c.deliveries {
                    let delivery_id = count(d.id);
                    let (order_id, event_type, verdict) = (d.order_id, d.event_type, d.verdict);
                    emit(
                        &app,
                        DeliveryReceived {
                            delivery_id,
                            order_id,
                            event_type,
                            verdict,
                        },
                    );
                }
                if reported.len() > 5_000 {
                    reported.clear();
                }
                for o in c.orders {
                    let key = format!("{}|{}|{}", o.status, o.captured, o.refunded);
                    if reported.get(&o.order_id) == Some(&key) {
                        continue;
                    }
                    reported.insert(o.order_id.clone(), key);
                    let (order_id, status) = (o.order_id, o.status);
                    emit(&app, OrderChanged { order_id, status });
                }
            }
            Err(e) => tracing::warn!(code = %e.code(), "change feed not read: {e}"),
        }
        if tokio::time::Instant::now() >= queue_due {
            queue_due = tokio::time::Instant::now() + alerts::QUEUE_EVERY;
            match queue.look(&console).await {
                Ok(news) => news.into_iter().for_each(|(t, b)| notify(&app, t, b)),
                Err(e) => tracing::warn!(code = %e.code(), "attention queue not read: {e}"),
            }
            match approved.look(&console).await {
                Ok(news) => news.into_iter().for_each(|(t, b)| notify(&app, t, b)),
                Err(e) => tracing::warn!(code = %e.code(), "approved orders not read: {e}"),
            }
        }
        if tokio::time::Instant::now() >= health_due {
            health_due = tokio::time::Instant::now() + HEALTH_EVERY;
            match health(&console, reconcile_every).await {
                Ok(h)
                    if last_health.as_ref() != Some(&h)
                        || health_sent.elapsed() >= HEALTH_REPEAT =>
                {
                    emit(&app, h.clone());
                    health_sent = tokio::time::Instant::now();
                    last_health = Some(h);
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(code = %e.code(), "health not read: {e}"),
            }
        }
    }
}

/// The services' health as the header and the dashboard show it.
///
/// # Errors
/// Store errors.
pub async fn health(
    console: &Console,
    reconcile_every: Option<Duration>,
) -> mizan_core::Result<HealthChanged> {
    let backlog = mizan_core::views::backlog::backlog(console).await?;
    let secs = |s: Option<u64>| s.map(|s| u32::try_from(s).unwrap_or(u32::MAX));
    let (last, late) = dashboard::reconciler_state(console, reconcile_every, console.now()).await?;
    Ok(HealthChanged {
        receiver: "running".into(),
        breaker: console.breaker_state().state.as_str().into(),
        backlog: count(backlog.pending),
        backlog_oldest_secs: secs(backlog.oldest_age_secs),
        backlog_drain_secs: secs(backlog.drain_secs),
        reconciler_last_run: last.map(time),
        reconciler_late: late,
    })
}

//! The dashboard: captured and refunded volume per day, webhook health, the circuit breaker,
//! the inbox backlog, the reconciler's last run and recent refused deliveries.
//!
//! Invariant: read from the cache and the process's own breaker; nothing is fetched.

use chrono::{DateTime, Duration, Utc};

use crate::console::Console;
use crate::error::{Error, Result};
use crate::reconcile;
use crate::store::deliveries;
use crate::store::delivery_stats::{self, DeliveryCounts};
use crate::store::desktop::{self, DayVolume};
use crate::webhooks::health::{self, RecentRejections};

/// Longest window.
pub const MAX_DAYS: u32 = 366;

/// The dashboard's model.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub volume: Vec<DayVolume>,
    pub deliveries: DeliveryCounts,
    pub breaker: &'static str,
    pub backlog: u64,
    pub reconciler_last_run: Option<DateTime<Utc>>,
    pub reconciler_late: bool,
    /// Refused deliveries of the last ten minutes against the alert's threshold.
    pub rejections: RecentRejections,
}

/// Verified deliveries of the console's environment waiting for the processor.
///
/// # Errors
/// Store errors.
pub async fn backlog(console: &Console) -> Result<u64> {
    let env = Some(console.environment());
    Ok(deliveries::backlog_count(console.store(), env).await?)
}

/// The reconciler's health: its last finished sweep, and whether it is late (no sweep for two
/// intervals while a receiver said it runs one).
///
/// # Errors
/// Store errors.
pub async fn reconciler_state(
    console: &Console,
    every: Option<std::time::Duration>,
    now: DateTime<Utc>,
) -> Result<(Option<DateTime<Utc>>, bool)> {
    let last = reconcile::last_sweep(console).await?.map(|s| s.finished_at);
    let late = every.is_some_and(|every| reconcile::is_late(every, last, None, now));
    Ok((last, late))
}

/// The dashboard over the last `days` days (UTC), as of `now`; `reconcile_every` is the
/// interval of the reconciler this process runs (None: none runs).
///
/// # Errors
/// [`Error::Invalid`] for a window outside 1 to [`MAX_DAYS`]; store errors.
pub async fn dashboard(
    console: &Console,
    days: u32,
    reconcile_every: Option<std::time::Duration>,
    now: DateTime<Utc>,
) -> Result<Dashboard> {
    if days == 0 || days > MAX_DAYS {
        return Err(Error::Invalid(format!(
            "days must be 1 to {MAX_DAYS}, not {days}"
        )));
    }
    let env = console.environment();
    let store = console.store();
    let since = (now - Duration::days(i64::from(days) - 1))
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map_or(now, |t| t.and_utc());
    let (reconciler_last_run, reconciler_late) =
        reconciler_state(console, reconcile_every, now).await?;
    Ok(Dashboard {
        volume: desktop::volume_since(store, env, since).await?,
        deliveries: delivery_stats::counts_since(store, env, since).await?,
        breaker: console.breaker_state().state.as_str(),
        backlog: backlog(console).await?,
        reconciler_last_run,
        reconciler_late,
        rejections: health::recent_rejections(console, now).await?,
    })
}

//! The webhook backlog as people read it: how many verified deliveries wait, how long the
//! oldest has waited, the recent pace of processing and, at that pace, when the backlog will
//! have drained — so a screen never shows a past that looks like the present.
//!
//! Invariants: the pace is measured over the last [`RECENT`] processed deliveries (bounded
//! reads, through the queue index); with nothing processed recently there is no estimate,
//! never a guess.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::console::Console;
use crate::error::Result;
use crate::store::delivery_stats::{self, BacklogReading};
use crate::store::orders;

/// How many recently processed deliveries the pace is measured over.
pub const RECENT: u32 = 200;

/// The backlog, read at `as_of`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Backlog {
    pub pending: u64,
    pub oldest_pending_at: Option<DateTime<Utc>>,
    /// Seconds the oldest pending delivery has waited.
    pub oldest_age_secs: Option<u64>,
    /// Deliveries processed per minute lately (over the last [`RECENT`]), rounded down.
    pub processed_per_minute: Option<u64>,
    /// Seconds until the pending ones are processed at that pace; None without a pace.
    pub drain_secs: Option<u64>,
}

/// Minutes an approved order may wait for its authorisation before `mizan status` and the
/// desktop alert (Tamara's deadline is 72 h; a flash sale's backlog shows long before).
pub const APPROVED_ALERT_VAR: &str = "MIZAN_APPROVED_ALERT_MINUTES";
/// The alert's age without [`APPROVED_ALERT_VAR`].
pub const DEFAULT_APPROVED_ALERT_MINUTES: u64 = 30;

/// Approved orders waiting for their authorisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApprovedWaiting {
    pub count: u64,
    /// Seconds since the oldest one last changed (its approval).
    pub oldest_age_secs: Option<u64>,
    /// The age that alerts, in seconds.
    pub alert_after_secs: u64,
    /// The oldest has waited longer than that.
    pub alerting: bool,
}

/// The alert age `value` (from [`APPROVED_ALERT_VAR`], minutes, at least 1) asks for.
pub fn approved_alert_from(value: Option<&str>) -> u64 {
    value
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(DEFAULT_APPROVED_ALERT_MINUTES, |m| m.max(1))
}

/// The approved orders of the console's environment still waiting for an authorisation.
///
/// # Errors
/// Store errors.
pub async fn approved_waiting(console: &Console) -> Result<ApprovedWaiting> {
    let (count, oldest) = orders::approved_waiting(console.store(), console.environment()).await?;
    let minutes = approved_alert_from(std::env::var(APPROVED_ALERT_VAR).ok().as_deref());
    let age = oldest.map(|t| u64::try_from((console.now() - t).num_seconds()).unwrap_or(0));
    Ok(ApprovedWaiting {
        count,
        oldest_age_secs: age,
        alert_after_secs: minutes * 60,
        alerting: age.is_some_and(|a| a > minutes * 60),
    })
}

/// Reads the backlog of the console's environment.
///
/// # Errors
/// Store errors.
pub async fn backlog(console: &Console) -> Result<Backlog> {
    let reading = delivery_stats::backlog(console.store(), console.environment(), RECENT).await?;
    Ok(estimate(&reading, console.now()))
}

/// The backlog `reading` describes at `now`.
pub fn estimate(reading: &BacklogReading, now: DateTime<Utc>) -> Backlog {
    let secs = |from: DateTime<Utc>| u64::try_from((now - from).num_seconds()).unwrap_or(0);
    // The pace: n processed between the oldest of them and now (at least a second).
    let n = reading.recently_processed.len() as u64;
    let pace = reading
        .recently_processed
        .iter()
        .min()
        .map(|&first| (n, secs(first).max(1)));
    Backlog {
        pending: reading.pending,
        oldest_pending_at: reading.oldest_pending_at,
        oldest_age_secs: reading.oldest_pending_at.map(secs),
        processed_per_minute: pace.map(|(n, span)| n * 60 / span),
        drain_secs: pace.map(|(n, span)| reading.pending * span / n),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use chrono::TimeZone as _;

    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn the_pace_of_the_recent_deliveries_gives_the_time_to_drain() {
        // 120 processed over the last 60 s: 120 a minute; 300 waiting drain in 150 s.
        let reading = BacklogReading {
            pending: 300,
            oldest_pending_at: Some(at(15)),
            recently_processed: (0..120).map(|i| at(40 + i / 2)).collect(),
        };
        let b = estimate(&reading, at(100));
        assert_eq!(b.oldest_age_secs, Some(85));
        assert_eq!(b.processed_per_minute, Some(120));
        assert_eq!(b.drain_secs, Some(150));
    }

    #[test]
    fn without_recent_processing_there_is_no_estimate_and_an_empty_inbox_drains_now() {
        let stuck = BacklogReading {
            pending: 5,
            oldest_pending_at: Some(at(0)),
            recently_processed: vec![],
        };
        let b = estimate(&stuck, at(30));
        assert_eq!((b.processed_per_minute, b.drain_secs), (None, None));
        assert_eq!(b.oldest_age_secs, Some(30));
        let empty = BacklogReading {
            pending: 0,
            oldest_pending_at: None,
            recently_processed: vec![at(10)],
        };
        let b = estimate(&empty, at(20));
        assert_eq!((b.oldest_age_secs, b.drain_secs), (None, Some(0)));
    }
}

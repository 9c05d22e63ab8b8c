//! Receiver health: is a receiver running for this environment, and how are deliveries going?
//!
//! Owns the heartbeat that `mizan serve` (and later the desktop app) writes to the settings
//! table every [`HEARTBEAT_EVERY`], and its reading for `mizan status`. A process that stops
//! cleanly stamps `stopped_at`; one that was killed simply stops beating, which status reports
//! as "not responding" after three missed beats.
//!
//! Invariant: the heartbeat holds only an address, a pid and times — nothing secret.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::context::Context;
use crate::error::Result;
use crate::store::deliveries::{self, DeliveryFilter};
use crate::store::delivery_stats::{self, DeliveryCounts, RefusalCounts};
use crate::store::settings::{self, SettingScope};

/// Settings key (per environment) of the receiver's heartbeat, as JSON.
pub const HEARTBEAT_SETTING: &str = "receiver.heartbeat";

/// How often a running receiver writes its heartbeat.
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(15);

/// What a running receiver writes about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heartbeat {
    /// The address it listens on, e.g. `127.0.0.1:8766`.
    pub listen: String,
    pub pid: u32,
    pub started_at: DateTime<Utc>,
    /// The last beat.
    pub at: DateTime<Utc>,
    /// Seconds between reconciler sweeps, when the process runs the reconciler.
    pub reconcile_every_secs: Option<u64>,
    /// Set when the process stopped cleanly.
    pub stopped_at: Option<DateTime<Utc>>,
}

/// Whether a receiver is up, from its heartbeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiverStatus {
    /// Beat within the last three intervals.
    Running,
    /// Stopped cleanly.
    Stopped,
    /// Missed three beats without saying it stopped (killed, crashed, machine asleep).
    NotResponding,
    /// No receiver ever ran against this data directory and environment.
    NeverStarted,
}

/// The receiver's health as `mizan status` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ReceiverHealth {
    pub state: ReceiverStatus,
    pub heartbeat: Option<Heartbeat>,
    pub last_delivery_at: Option<DateTime<Utc>>,
    /// Deliveries of the last 24 hours.
    pub last_24h: DeliveryCounts,
    /// Refused deliveries of the last [`REJECTION_WINDOW`], against the alert threshold.
    pub rejections: RecentRejections,
}

/// Settings key (global) of the rejection alert's threshold: refused deliveries per
/// [`REJECTION_WINDOW`] at which the console alerts. Unset: the configuration's
/// (`MIZAN_REJECTION_ALERT_PER_10_MIN`, default 50).
pub const REJECTION_ALERT_SETTING: &str = "receiver.rejection_alert_per_10_min";

/// The window rejections are counted over.
pub const REJECTION_WINDOW: Duration = Duration::from_secs(10 * 60);

/// Refused deliveries of the last [`REJECTION_WINDOW`]: a spike is someone probing the
/// receiver, a proxy mangling tokens, or a notification token changed on one side only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecentRejections {
    #[serde(flatten)]
    pub counts: RefusalCounts,
    /// Refused deliveries per window at which this is a spike.
    pub threshold: u32,
    pub spiking: bool,
}

/// The rejection alert's threshold: the saved setting, else the configuration's.
///
/// # Errors
/// Store errors.
pub async fn rejection_threshold(console: &Context) -> Result<u32> {
    let saved = settings::get(
        console.store(),
        SettingScope::Global,
        REJECTION_ALERT_SETTING,
    )
    .await?
    .and_then(|v| v.parse::<u32>().ok())
    .filter(|n| *n > 0);
    Ok(saved.unwrap_or(console.config().rejection_alert))
}

/// Refused deliveries of the window ending at `now`, and whether they make a spike.
///
/// # Errors
/// Store errors.
pub async fn recent_rejections(console: &Context, now: DateTime<Utc>) -> Result<RecentRejections> {
    let window = chrono::Duration::from_std(REJECTION_WINDOW).unwrap_or(chrono::Duration::zero());
    let counts =
        delivery_stats::refusals_since(console.store(), console.environment(), now - window)
            .await?;
    let threshold = rejection_threshold(console).await?;
    Ok(RecentRejections {
        spiking: counts.refused >= u64::from(threshold),
        counts,
        threshold,
    })
}

/// Writes `hb` as the environment's heartbeat.
///
/// # Errors
/// Store errors.
pub async fn beat(console: &Context, hb: &Heartbeat) -> Result<()> {
    let json = serde_json::to_string(hb).unwrap_or_default();
    let scope = SettingScope::Env(console.environment());
    settings::set(
        console.store(),
        scope,
        HEARTBEAT_SETTING,
        &json,
        console.now(),
    )
    .await?;
    Ok(())
}

/// Reads the heartbeat and the inbox counts as of `now`.
///
/// # Errors
/// Store errors. A heartbeat that no longer parses counts as never started.
pub async fn receiver_health(console: &Context, now: DateTime<Utc>) -> Result<ReceiverHealth> {
    let env = console.environment();
    let store = console.store();
    let heartbeat: Option<Heartbeat> =
        settings::get(store, SettingScope::Env(env), HEARTBEAT_SETTING)
            .await?
            .and_then(|s| serde_json::from_str(&s).ok());
    let state = match &heartbeat {
        None => ReceiverStatus::NeverStarted,
        Some(h) if h.stopped_at.is_some() => ReceiverStatus::Stopped,
        Some(h) => {
            let silent = now - h.at;
            let limit = chrono::Duration::from_std(HEARTBEAT_EVERY * 3)
                .unwrap_or(chrono::Duration::seconds(45));
            if silent <= limit {
                ReceiverStatus::Running
            } else {
                ReceiverStatus::NotResponding
            }
        }
    };
    let filter = DeliveryFilter {
        environment: Some(env),
        limit: Some(1),
        ..DeliveryFilter::default()
    };
    let last_delivery_at = deliveries::list(store, &filter)
        .await?
        .into_iter()
        .next()
        .map(|d| d.received_at);
    let last_24h =
        delivery_stats::counts_since(store, env, now - chrono::Duration::hours(24)).await?;
    Ok(ReceiverHealth {
        state,
        heartbeat,
        last_delivery_at,
        last_24h,
        rejections: recent_rejections(console, now).await?,
    })
}

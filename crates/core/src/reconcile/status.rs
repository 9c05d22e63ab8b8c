//! How the reconciler is doing, for `mizan status` and the health checks: its last report, and
//! whether it is late.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{LAST_SWEEP_SETTING, SweepReport};
use crate::console::Console;
use crate::error::Result;
use crate::store::settings::{self, SettingScope};

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

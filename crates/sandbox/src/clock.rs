//! The simulated clock: real time plus an offset that only moves forward.
//!
//! All time-dependent logic (session expiry, 72 h authorise window, 21-day auto-capture,
//! timestamps in responses, JWT `iat`) reads this clock, never `Utc::now()` directly, so that
//! `POST /_sandbox/clock/advance` moves every rule consistently.

use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

/// Real time + a forward-only offset.
#[derive(Debug, Default)]
pub struct Clock {
    offset: Mutex<Duration>,
}

impl Clock {
    /// The simulated "now".
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset()
    }

    /// How far the clock has been pushed ahead of real time.
    pub fn offset(&self) -> Duration {
        match self.offset.lock() {
            Ok(g) => *g,
            Err(p) => *p.into_inner(),
        }
    }

    /// Moves the clock forward (negative durations are ignored: time never goes backwards,
    /// which the "statuses never go backwards" rule quietly relies on).
    pub fn advance(&self, by: Duration) {
        if by <= Duration::zero() {
            return;
        }
        let mut g = match self.offset.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        *g += by;
    }

    /// Back to real time (used by `/_sandbox/reset`).
    pub fn reset(&self) {
        let mut g = match self.offset.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        *g = Duration::zero();
    }
}

/// Timestamp style used in order details (`2024-05-31T09:12:40.000Z`).
pub fn fmt_millis_z(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Timestamp style used by authorise (`2024-06-04T15:07:47+00:00`).
pub fn fmt_offset(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
}

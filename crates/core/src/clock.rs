//! The one clock of core: wall time for what is recorded and compared with deadlines, and
//! monotonic time for durations (the breaker's cool-downs).
//!
//! Invariants: nothing in core reads the system time directly; everything asks the
//! [`crate::context::Context`]'s clock, so a test that sets the time sees every timestamp,
//! deadline and cool-down follow it.

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

/// Where core takes the time from.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Wall time.
    fn now(&self) -> DateTime<Utc>;
    /// Monotonic time, for measuring durations.
    fn instant(&self) -> Instant;
    /// True for a clock that only moves when told (a test's): nothing may wait for it to
    /// move by itself.
    fn stands_still(&self) -> bool {
        false
    }
}

/// The system's clocks.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn instant(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that stands still until moved, for tests: both its wall and monotonic time move
/// together by [`ManualClock::advance`].
#[derive(Debug)]
pub struct ManualClock {
    start_wall: DateTime<Utc>,
    start_instant: Instant,
    offset: Mutex<Duration>,
}

impl ManualClock {
    /// A clock showing `at`.
    pub fn new(at: DateTime<Utc>) -> ManualClock {
        ManualClock {
            start_wall: at,
            start_instant: Instant::now(),
            offset: Mutex::new(Duration::ZERO),
        }
    }

    /// Moves the clock forward by `d`.
    pub fn advance(&self, d: Duration) {
        *self
            .offset
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) += d;
    }

    fn offset(&self) -> Duration {
        *self
            .offset
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        self.start_wall + chrono::Duration::from_std(self.offset()).unwrap_or(chrono::Duration::MAX)
    }

    fn instant(&self) -> Instant {
        self.start_instant + self.offset()
    }

    fn stands_still(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_both_times_together_and_only_when_told() {
        let at = DateTime::parse_from_rfc3339("2026-07-01T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let c = ManualClock::new(at);
        let i0 = c.instant();
        assert_eq!(c.now(), at);
        c.advance(Duration::from_secs(90));
        assert_eq!(c.now(), at + chrono::Duration::seconds(90));
        assert_eq!(c.instant() - i0, Duration::from_secs(90));
    }
}

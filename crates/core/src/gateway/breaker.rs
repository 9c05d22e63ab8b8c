//! The circuit breaker: one per environment, shared by every call of one [`crate::Console`].
//!
//! Closed → (threshold consecutive failures) → open → (cooldown) → half-open, which lets one
//! probe through → closed on its success, open again (fresh cooldown) on its failure. Only
//! failures that say "Tamara is not answering" count: 5xx, timeouts, connection and transport
//! failures. A 4xx is Tamara answering, so it counts as a success for the breaker.
//!
//! Invariants: time comes from an injected [`Clock`], so tests are deterministic; at most one
//! half-open probe is in flight at a time; a probe whose caller gave up (the future was
//! dropped) frees the slot for the next one.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::clock::Clock;

/// Tuning of a breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerConfig {
    /// Consecutive failures that open the circuit (at least 1).
    pub failure_threshold: u32,
    /// How long the circuit stays open before a probe is let through.
    pub cooldown: Duration,
}

impl Default for BreakerConfig {
    /// 5 consecutive failures, 30 s cooldown.
    fn default() -> Self {
        BreakerConfig {
            failure_threshold: 5,
            cooldown: Duration::from_secs(30),
        }
    }
}

/// The three states of a circuit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CircuitState {
    Closed,
    Open,
    HalfOpen,
}

impl CircuitState {
    pub fn as_str(self) -> &'static str {
        match self {
            CircuitState::Closed => "closed",
            CircuitState::Open => "open",
            CircuitState::HalfOpen => "half_open",
        }
    }
}

impl fmt::Display for CircuitState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A snapshot of a breaker, for `mizan status` and the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakerState {
    /// The state as of now (an open circuit whose cooldown passed reads `half_open`).
    pub state: CircuitState,
    pub consecutive_failures: u32,
    /// When the circuit last opened.
    pub opened_at: Option<Instant>,
    /// While open: how long until a probe is let through.
    pub retry_after: Option<Duration>,
    /// How many times the circuit opened since the process started.
    pub times_opened: u64,
    /// The stable code of the last counted failure.
    pub last_failure: Option<&'static str>,
    pub config: BreakerConfig,
}

#[derive(Debug)]
struct Inner {
    state: CircuitState,
    consecutive_failures: u32,
    opened_at: Option<Instant>,
    probe_in_flight: bool,
    times_opened: u64,
    last_failure: Option<&'static str>,
}

/// A circuit breaker over one environment's gateway.
#[derive(Debug)]
pub struct CircuitBreaker {
    config: BreakerConfig,
    clock: Arc<dyn Clock>,
    inner: Mutex<Inner>,
}

/// Leave to make one call; report its outcome with [`Permit::success`] or [`Permit::failure`].
/// Dropping it unreported releases a half-open probe slot without changing the state.
#[must_use]
#[derive(Debug)]
pub struct Permit<'a> {
    breaker: &'a CircuitBreaker,
    probe: bool,
    settled: bool,
}

impl Permit<'_> {
    /// Tamara answered (2xx or 4xx). Returns true if this changed the state.
    pub fn success(mut self) -> bool {
        self.settled = true;
        self.breaker.on_success(self.probe)
    }

    /// Tamara did not answer usefully (5xx, timeout, connection). Returns true if this changed
    /// the state.
    pub fn failure(mut self, code: &'static str) -> bool {
        self.settled = true;
        self.breaker.on_failure(self.probe, code)
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if self.probe && !self.settled {
            self.breaker.lock().probe_in_flight = false;
        }
    }
}

impl CircuitBreaker {
    pub fn new(config: BreakerConfig, clock: Arc<dyn Clock>) -> Self {
        let config = BreakerConfig {
            failure_threshold: config.failure_threshold.max(1),
            ..config
        };
        CircuitBreaker {
            config,
            clock,
            inner: Mutex::new(Inner {
                state: CircuitState::Closed,
                consecutive_failures: 0,
                opened_at: None,
                probe_in_flight: false,
                times_opened: 0,
                last_failure: None,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding this lock leaves plain counters behind; keep going.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Asks to make a call. `Err(retry_after)` when the circuit is open (or a half-open probe
    /// is already in flight): the call must not be made.
    pub fn try_acquire(&self) -> Result<Permit<'_>, Duration> {
        let now = self.clock.instant();
        let mut g = self.lock();
        let probe = match g.state {
            CircuitState::Closed => false,
            CircuitState::Open => {
                let opened = g.opened_at.unwrap_or(now);
                let elapsed = now.saturating_duration_since(opened);
                if elapsed < self.config.cooldown {
                    return Err(self.config.cooldown - elapsed);
                }
                g.state = CircuitState::HalfOpen;
                g.probe_in_flight = true;
                true
            }
            CircuitState::HalfOpen => {
                if g.probe_in_flight {
                    return Err(Duration::ZERO);
                }
                g.probe_in_flight = true;
                true
            }
        };
        Ok(Permit {
            breaker: self,
            probe,
            settled: false,
        })
    }

    fn on_success(&self, probe: bool) -> bool {
        let mut g = self.lock();
        g.consecutive_failures = 0;
        if probe {
            g.probe_in_flight = false;
        }
        if g.state != CircuitState::Closed {
            g.state = CircuitState::Closed;
            g.opened_at = None;
            return true;
        }
        false
    }

    fn on_failure(&self, probe: bool, code: &'static str) -> bool {
        let now = self.clock.instant();
        let mut g = self.lock();
        g.consecutive_failures = g.consecutive_failures.saturating_add(1);
        g.last_failure = Some(code);
        if probe {
            g.probe_in_flight = false;
        }
        let open = match g.state {
            CircuitState::HalfOpen => probe,
            CircuitState::Closed => g.consecutive_failures >= self.config.failure_threshold,
            // A call let through before the circuit opened, failing late: already open.
            CircuitState::Open => false,
        };
        if open {
            g.state = CircuitState::Open;
            g.opened_at = Some(now);
            g.times_opened += 1;
        }
        open
    }

    /// The state as of now.
    pub fn state(&self) -> BreakerState {
        let now = self.clock.instant();
        let g = self.lock();
        let mut state = g.state;
        let mut retry_after = None;
        if state == CircuitState::Open {
            let elapsed = now.saturating_duration_since(g.opened_at.unwrap_or(now));
            if elapsed >= self.config.cooldown {
                state = CircuitState::HalfOpen;
            } else {
                retry_after = Some(self.config.cooldown - elapsed);
            }
        }
        BreakerState {
            state,
            consecutive_failures: g.consecutive_failures,
            opened_at: g.opened_at,
            retry_after,
            times_opened: g.times_opened,
            last_failure: g.last_failure,
            config: self.config,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::clock::ManualClock;

    fn manual() -> Arc<ManualClock> {
        Arc::new(ManualClock::new(chrono::Utc::now()))
    }

    fn breaker(clock: &Arc<ManualClock>) -> CircuitBreaker {
        CircuitBreaker::new(
            BreakerConfig {
                failure_threshold: 3,
                cooldown: Duration::from_secs(30),
            },
            clock.clone(),
        )
    }

    #[test]
    fn opens_after_threshold_consecutive_failures() {
        let clock = manual();
        let b = breaker(&clock);
        assert!(!b.try_acquire().unwrap().failure("gateway_unavailable"));
        assert!(!b.try_acquire().unwrap().failure("gateway_unavailable"));
        assert_eq!(b.state().state, CircuitState::Closed);
        assert!(b.try_acquire().unwrap().failure("gateway_timeout"));
        let s = b.state();
        assert_eq!(s.state, CircuitState::Open);
        assert_eq!(s.consecutive_failures, 3);
        assert_eq!(s.times_opened, 1);
        assert_eq!(s.last_failure, Some("gateway_timeout"));
        assert_eq!(s.retry_after, Some(Duration::from_secs(30)));
        assert_eq!(b.try_acquire().unwrap_err(), Duration::from_secs(30));
        clock.advance(Duration::from_secs(10));
        assert_eq!(b.try_acquire().unwrap_err(), Duration::from_secs(20));
    }

    #[test]
    fn a_success_resets_the_count() {
        let clock = manual();
        let b = breaker(&clock);
        let _ = b.try_acquire().unwrap().failure("x");
        let _ = b.try_acquire().unwrap().failure("x");
        assert!(!b.try_acquire().unwrap().success());
        let _ = b.try_acquire().unwrap().failure("x");
        let _ = b.try_acquire().unwrap().failure("x");
        assert_eq!(b.state().state, CircuitState::Closed);
        assert_eq!(b.state().consecutive_failures, 2);
    }

    #[test]
    fn half_open_lets_one_probe_and_closes_on_success() {
        let clock = manual();
        let b = breaker(&clock);
        for _ in 0..3 {
            let _ = b.try_acquire().unwrap().failure("x");
        }
        clock.advance(Duration::from_secs(30));
        assert_eq!(b.state().state, CircuitState::HalfOpen);
        let probe = b.try_acquire().unwrap();
        assert_eq!(
            b.try_acquire().unwrap_err(),
            Duration::ZERO,
            "one probe only"
        );
        assert!(probe.success());
        let s = b.state();
        assert_eq!(s.state, CircuitState::Closed);
        assert_eq!(s.consecutive_failures, 0);
        assert!(b.try_acquire().is_ok());
    }

    #[test]
    fn a_failed_probe_reopens_for_a_fresh_cooldown() {
        let clock = manual();
        let b = breaker(&clock);
        for _ in 0..3 {
            let _ = b.try_acquire().unwrap().failure("x");
        }
        clock.advance(Duration::from_secs(31));
        assert!(b.try_acquire().unwrap().failure("x"));
        let s = b.state();
        assert_eq!(s.state, CircuitState::Open);
        assert_eq!(s.times_opened, 2);
        assert_eq!(b.try_acquire().unwrap_err(), Duration::from_secs(30));
    }

    #[test]
    fn a_dropped_probe_frees_the_slot() {
        let clock = manual();
        let b = breaker(&clock);
        for _ in 0..3 {
            let _ = b.try_acquire().unwrap().failure("x");
        }
        clock.advance(Duration::from_secs(30));
        drop(b.try_acquire().unwrap());
        assert_eq!(b.state().state, CircuitState::HalfOpen);
        assert!(b.try_acquire().is_ok(), "the next caller may probe");
    }

    #[test]
    fn late_failures_while_open_do_not_extend_the_cooldown() {
        let clock = manual();
        let b = breaker(&clock);
        let early: Vec<_> = (0..4).map(|_| b.try_acquire().unwrap()).collect();
        let mut it = early.into_iter();
        for _ in 0..3 {
            let _ = it.next().unwrap().failure("x");
        }
        clock.advance(Duration::from_secs(20));
        assert!(!it.next().unwrap().failure("x"));
        assert_eq!(b.try_acquire().unwrap_err(), Duration::from_secs(10));
    }

    #[test]
    fn threshold_zero_means_one() {
        let clock = manual();
        let b = CircuitBreaker::new(
            BreakerConfig {
                failure_threshold: 0,
                cooldown: Duration::from_secs(1),
            },
            clock,
        );
        assert!(b.try_acquire().unwrap().failure("x"));
    }
}

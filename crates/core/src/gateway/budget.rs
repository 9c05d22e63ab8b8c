//! The API budget: how many calls a minute one console makes to Tamara in one environment,
//! shared by every caller — a person's clicks, the webhook processor and the reconciler — and
//! the pause after Tamara answers 429.
//!
//! Owns two GCRA limiters (governor, over the console's clock): one for every call, and the
//! reconciler's share inside it, so background reading can never take the calls a person or
//! the processor needs; and the pause: after a 429 every call waits until its `Retry-After`
//! has passed, or, when none was sent (Tamara documents no rate limit), a back-off that doubles
//! from 1 s to 60 s and resets on the next answer that is not a 429; and the pace: after a
//! 429 calls are spaced (100 ms, doubling with each further 429 up to 10 s, narrowing by a
//! twentieth with each answer), so the callers that waited out a pause do not all go at once
//! and meet the limit again — the client settles just under Tamara's rate, whatever it is.
//!
//! Invariants: in any 60 s at most `per_minute` calls start (a tenth of it as a burst, the rest
//! spread evenly), and at most `reconciler_per_minute` of them are the reconciler's; a call
//! the budget refuses is never sent; a person never waits more than [`PERSON_MAX_WAIT`] for
//! the budget — past that the click is refused with the time to wait, instead of hanging;
//! under a clock that only moves when told (tests) no call is held.

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use governor::clock::Clock as GovernorClock;
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};

use crate::clock::Clock;

/// Calls a minute without `MIZAN_API_BUDGET_PER_MINUTE`: far above what one merchant's
/// console needs at rest, with room for a flash sale's processor (docs/benchmarks.md).
pub const DEFAULT_PER_MINUTE: u32 = 6_000;
/// The reconciler's share without `MIZAN_RECONCILE_BUDGET_PER_MINUTE`.
pub const DEFAULT_RECONCILER_PER_MINUTE: u32 = 600;
/// The longest a person's call waits for the budget or a 429 pause before it is refused.
pub const PERSON_MAX_WAIT: Duration = Duration::from_secs(5);
/// Back-off after a 429 without `Retry-After`: first, and at most.
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// Spacing of calls after a first 429, and the widest it gets.
const FIRST_GAP: Duration = Duration::from_millis(100);
const MAX_GAP: Duration = Duration::from_secs(10);

/// Who is calling, which decides the share it draws from and how long it may wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CallClass {
    /// Someone clicked or typed a command: waits at most [`PERSON_MAX_WAIT`].
    #[default]
    Person,
    /// The webhook processor: waits as long as it takes (its row stays pending meanwhile).
    Processor,
    /// The reconciler: draws from its share as well, and waits as long as it takes.
    Reconciler,
}

/// The budget of one environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetConfig {
    pub per_minute: u32,
    /// The reconciler's share; never more than `per_minute`.
    pub reconciler_per_minute: u32,
}

impl Default for BudgetConfig {
    fn default() -> Self {
        BudgetConfig {
            per_minute: DEFAULT_PER_MINUTE,
            reconciler_per_minute: DEFAULT_RECONCILER_PER_MINUTE,
        }
    }
}

/// governor's view of the console's clock, so a test that sets the time moves the budget too.
#[derive(Debug, Clone)]
struct ConsoleClock(Arc<dyn Clock>);

impl GovernorClock for ConsoleClock {
    type Instant = Instant;

    fn now(&self) -> Instant {
        self.0.instant()
    }
}

type Limiter = RateLimiter<NotKeyed, InMemoryState, ConsoleClock, NoOpMiddleware<Instant>>;

/// `per_minute` calls in any 60 s: a tenth as a burst, nine tenths spread over the minute.
fn limiter(per_minute: u32, clock: &ConsoleClock) -> Limiter {
    let per_minute = per_minute.max(1);
    let burst = NonZeroU32::new((per_minute / 10).max(1)).unwrap_or(NonZeroU32::MIN);
    let spread = (per_minute - burst.get()).max(1);
    let period = Duration::from_secs(60) / spread;
    let quota = Quota::with_period(period.max(Duration::from_micros(1)))
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst);
    RateLimiter::direct_with_clock(quota, clock.clone())
}

#[derive(Debug, Default)]
struct Pause {
    until: Option<Instant>,
    /// The next back-off for a 429 that names no `Retry-After`.
    next_backoff: Option<Duration>,
    /// 429s received since the process started.
    rate_limited: u64,
    /// The spacing between calls since a 429 (zero: none), and when the next may start.
    gap: Duration,
    next_start: Option<Instant>,
}

/// The budget of one environment of one console, shared by its clones.
#[derive(Debug)]
pub struct ApiBudget {
    config: BudgetConfig,
    clock: ConsoleClock,
    all: Limiter,
    reconciler: Limiter,
    pause: Mutex<Pause>,
}

impl ApiBudget {
    pub fn new(config: BudgetConfig, clock: Arc<dyn Clock>) -> ApiBudget {
        let clock = ConsoleClock(clock);
        let config = BudgetConfig {
            per_minute: config.per_minute.max(1),
            reconciler_per_minute: config
                .reconciler_per_minute
                .clamp(1, config.per_minute.max(1)),
        };
        ApiBudget {
            all: limiter(config.per_minute, &clock),
            reconciler: limiter(config.reconciler_per_minute, &clock),
            config,
            clock,
            pause: Mutex::new(Pause::default()),
        }
    }

    pub fn config(&self) -> BudgetConfig {
        self.config
    }

    /// 429s received since the process started.
    pub fn rate_limited(&self) -> u64 {
        self.pause().rate_limited
    }

    fn pause(&self) -> std::sync::MutexGuard<'_, Pause> {
        self.pause.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How long a call of `class` must wait before it may start, taking its cells when it
    /// may start now (None). A call that must wait takes nothing and asks again later.
    pub fn try_take(&self, class: CallClass) -> Option<Duration> {
        let now = self.clock.now();
        let mut p = self.pause();
        if let Some(at) = p.until.into_iter().chain(p.next_start).max()
            && at > now
        {
            return Some(at - now);
        }
        if class == CallClass::Reconciler
            && let Err(not_until) = self.reconciler.check()
        {
            return Some(not_until.wait_time_from(now));
        }
        match self.all.check() {
            Ok(()) => {
                if !p.gap.is_zero() {
                    p.next_start = Some(now + p.gap);
                }
                None
            }
            Err(not_until) => Some(not_until.wait_time_from(now)),
        }
    }

    /// Waits until a call of `class` may start, and takes its cells. A person's call that
    /// would wait longer than [`PERSON_MAX_WAIT`] is refused with the wait instead.
    ///
    /// # Errors
    /// The time to wait, for a [`CallClass::Person`] call only.
    pub async fn take(&self, class: CallClass) -> Result<(), Duration> {
        let mut waited = Duration::ZERO;
        while let Some(wait) = self.try_take(class) {
            if class == CallClass::Person && waited + wait > PERSON_MAX_WAIT {
                return Err(wait);
            }
            // Waiting on a test's clock that only moves when told would never end.
            if self.clock.0.stands_still() {
                return Ok(());
            }
            // A whole millisecond at least, so a sub-millisecond wait does not spin.
            let wait = wait.max(Duration::from_millis(1));
            tokio::time::sleep(wait).await;
            waited += wait;
        }
        Ok(())
    }

    /// Tamara answered 429: pause every call for `retry_after`, or the next back-off.
    pub fn rate_limited_for(&self, retry_after: Option<Duration>) {
        let now = self.clock.now();
        let mut p = self.pause();
        p.rate_limited += 1;
        // The other 429s of a burst already in flight say nothing new: only a 429 after the
        // pause ended widens the back-off and the pace.
        let fresh = p.until.is_none_or(|u| u <= now);
        if fresh {
            p.gap = if p.gap.is_zero() {
                FIRST_GAP
            } else {
                (p.gap * 2).min(MAX_GAP)
            };
        }
        let wait = match retry_after {
            Some(after) => after,
            None if fresh => {
                let b = p.next_backoff.unwrap_or(FIRST_BACKOFF);
                p.next_backoff = Some((b * 2).min(MAX_BACKOFF));
                b
            }
            None => return,
        };
        let until = now + wait.min(MAX_BACKOFF * 5);
        // Concurrent 429s of one storm extend the pause, never shorten it.
        if p.until.is_none_or(|u| u < until) {
            p.until = Some(until);
        }
    }

    /// Tamara answered something other than 429: the next 429 without `Retry-After` starts
    /// the back-off from its first step again.
    pub fn answered(&self) {
        let mut p = self.pause();
        p.next_backoff = None;
        if !p.gap.is_zero() {
            p.gap = p.gap.mul_f64(0.95);
            if p.gap < Duration::from_millis(1) {
                p.gap = Duration::ZERO;
                p.next_start = None;
            }
        }
    }

    /// The spacing between calls since a 429 (zero: calls are not spaced).
    pub fn pace(&self) -> Duration {
        self.pause().gap
    }

    /// While paused after a 429: how much longer.
    pub fn paused_for(&self) -> Option<Duration> {
        let now = self.clock.now();
        self.pause().until.filter(|u| *u > now).map(|u| u - now)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::clock::ManualClock;

    fn budget(per_minute: u32, reconciler: u32) -> (ApiBudget, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
        let config = BudgetConfig {
            per_minute,
            reconciler_per_minute: reconciler,
        };
        (ApiBudget::new(config, clock.clone()), clock)
    }

    /// Takes as many cells as `class` may at this instant.
    fn drain(b: &ApiBudget, class: CallClass) -> u32 {
        let mut n = 0;
        while b.try_take(class).is_none() {
            n += 1;
            assert!(n < 100_000, "the budget never ran out");
        }
        n
    }

    #[test]
    fn no_minute_ever_starts_more_calls_than_the_budget() {
        let (b, clock) = budget(600, 60);
        let mut per_window = 0;
        // Ten minutes in 100 ms steps, taking every cell offered: each 60 s window holds at
        // most 600 (a burst of 60 plus 540 spread).
        let mut starts: Vec<u32> = Vec::new();
        for _ in 0..6_000 {
            let n = drain(&b, CallClass::Processor);
            starts.push(n);
            clock.advance(Duration::from_millis(100));
        }
        for w in starts.windows(600) {
            per_window = per_window.max(w.iter().sum::<u32>());
        }
        assert!(per_window <= 600, "{per_window} calls in one minute");
        assert!(per_window >= 590, "the budget was not used: {per_window}");
    }

    #[test]
    fn the_reconciler_draws_from_its_share_and_never_starves_the_others() {
        let (b, clock) = budget(600, 60);
        let reconciler = drain(&b, CallClass::Reconciler);
        assert_eq!(
            reconciler, 6,
            "the reconciler's burst is a tenth of its share"
        );
        let others = drain(&b, CallClass::Person);
        assert_eq!(
            others,
            60 - 6,
            "the rest of the burst is still there for people"
        );
        clock.advance(Duration::from_secs(60));
        let mut reconciler = 0;
        for _ in 0..600 {
            reconciler += drain(&b, CallClass::Reconciler);
            clock.advance(Duration::from_millis(100));
        }
        assert!(
            reconciler <= 60,
            "{reconciler} reconciler calls in a minute"
        );
    }

    #[test]
    fn a_429_pauses_every_call_for_its_retry_after_or_a_doubling_back_off() {
        let (b, clock) = budget(600, 60);
        b.rate_limited_for(Some(Duration::from_secs(3)));
        assert_eq!(b.try_take(CallClass::Person), Some(Duration::from_secs(3)));
        clock.advance(Duration::from_secs(3));
        assert_eq!(b.try_take(CallClass::Person), None);
        for want in [1, 2, 4, 8] {
            b.rate_limited_for(None);
            // The rest of the burst's 429s, arriving during the pause, change nothing.
            b.rate_limited_for(None);
            assert_eq!(b.paused_for(), Some(Duration::from_secs(want)));
            clock.advance(Duration::from_secs(want));
        }
        b.answered();
        b.rate_limited_for(None);
        assert_eq!(
            b.paused_for(),
            Some(Duration::from_secs(1)),
            "reset by an answer"
        );
        // A shorter pause never cuts a longer one short.
        b.rate_limited_for(Some(Duration::from_secs(30)));
        b.rate_limited_for(Some(Duration::from_secs(2)));
        assert_eq!(b.paused_for(), Some(Duration::from_secs(30)));
        assert_eq!(b.rate_limited(), 12);
    }

    #[test]
    fn after_a_429_calls_are_spaced_and_the_spacing_narrows_with_each_answer() {
        let (b, clock) = budget(6_000, 600);
        assert_eq!(b.pace(), Duration::ZERO);
        b.rate_limited_for(Some(Duration::from_secs(1)));
        clock.advance(Duration::from_secs(1));
        assert_eq!(b.pace(), Duration::from_millis(100));
        assert_eq!(b.try_take(CallClass::Processor), None);
        assert_eq!(
            b.try_take(CallClass::Processor),
            Some(Duration::from_millis(100)),
            "the callers that waited out the pause go one by one"
        );
        b.rate_limited_for(None);
        clock.advance(Duration::from_secs(1));
        assert_eq!(
            b.pace(),
            Duration::from_millis(200),
            "another 429 widens it"
        );
        for _ in 0..200 {
            b.answered();
        }
        assert_eq!(b.pace(), Duration::ZERO, "answers narrow it away");
        assert_eq!(b.try_take(CallClass::Processor), None);
        assert_eq!(b.try_take(CallClass::Processor), None);
    }

    #[tokio::test]
    async fn a_person_is_refused_rather_than_kept_waiting_through_a_long_pause() {
        let (b, _clock) = budget(600, 60);
        b.rate_limited_for(Some(Duration::from_secs(30)));
        assert_eq!(
            b.take(CallClass::Person).await,
            Err(Duration::from_secs(30))
        );
    }
}

//! How hard the receiver is being hit right now: the signal that lets the processor give way to
//! acknowledgements during a delivery storm.
//!
//! Owns a sliding count of the requests that reached the receiver's handler over the last
//! [`WINDOW`] (two fixed buckets, the older one weighted by how much of it still falls inside
//! the window). The receiver calls [`Pressure::record`] once per request; the processor asks
//! [`Pressure::storm`] between batches.
//!
//! Why: on two cores the processor's work per delivery (an API re-read, the order, ledger and
//! audit writes) costs several times what acknowledging it does, so while both run a burst
//! is acknowledged at half the rate and its tail latency doubles. Tamara judges the endpoint
//! by its answers; the processing of a stored delivery can wait. During a storm the processor
//! runs one small batch per pause (see `ProcessorConfig::storm_batch` and `storm_pause`), and
//! catches up afterwards.
//!
//! Invariants: recording takes one short uncontended lock and never blocks on I/O; a storm is
//! declared only above the threshold (deliveries per second) and lasts until [`LINGER`] after
//! the rate was last above it, so a lull of a few hundred milliseconds inside a burst (a slow
//! sync, a sender's pause) does not hand the machine back to a full processor batch in the
//! middle of it; a `Pressure` nobody records into never reports a storm.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The span the rate is measured over.
pub const WINDOW: Duration = Duration::from_millis(200);

/// How long a storm outlasts the last moment the rate was above the threshold.
pub const LINGER: Duration = Duration::from_secs(1);

/// Above this many deliveries a second the receiver is in a storm (by default). Tamara sends a
/// handful of notifications per order over its life; 200 a second is far above any merchant's
/// steady traffic and typical of a backlog being flushed or replayed at once.
pub const DEFAULT_STORM_PER_SEC: u32 = 200;

/// The receiver's recent request rate. Cheap to clone; clones share the count.
#[derive(Debug, Clone)]
pub struct Pressure {
    window: Arc<Mutex<Buckets>>,
    storm_per_sec: u32,
}

#[derive(Debug)]
struct Buckets {
    /// Start of the current bucket (each bucket is one [`WINDOW`] long).
    start: Instant,
    current: u32,
    previous: u32,
    /// When the rate was last seen above the threshold.
    last_above: Option<Instant>,
}

impl Buckets {
    /// Moves the buckets forward to the one holding `now`.
    fn roll(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.start);
        if elapsed >= WINDOW * 2 {
            self.previous = 0;
            self.current = 0;
            self.start = now;
        } else if elapsed >= WINDOW {
            self.previous = self.current;
            self.current = 0;
            self.start += WINDOW;
        }
    }
}

impl Default for Pressure {
    fn default() -> Self {
        Pressure::new(DEFAULT_STORM_PER_SEC)
    }
}

impl Pressure {
    /// A quiet receiver whose storms start above `storm_per_sec` deliveries a second.
    pub fn new(storm_per_sec: u32) -> Pressure {
        Pressure {
            window: Arc::new(Mutex::new(Buckets {
                start: Instant::now(),
                current: 0,
                previous: 0,
                last_above: None,
            })),
            storm_per_sec,
        }
    }

    /// Counts one request that reached the receiver.
    pub fn record(&self) {
        self.record_at(Instant::now());
    }

    /// Whether requests arrive faster than the storm threshold.
    pub fn storm(&self) -> bool {
        self.storm_at(Instant::now())
    }

    fn record_at(&self, now: Instant) {
        let mut b = self.lock();
        b.roll(now);
        b.current = b.current.saturating_add(1);
        self.note_rate(&mut b, now);
    }

    /// The estimated requests per second over the [`WINDOW`] ending at `now`.
    #[cfg(test)]
    fn rate_at(&self, now: Instant) -> f64 {
        let mut b = self.lock();
        b.roll(now);
        Self::rate(&b, now)
    }

    fn storm_at(&self, now: Instant) -> bool {
        let mut b = self.lock();
        b.roll(now);
        self.note_rate(&mut b, now);
        b.last_above
            .is_some_and(|above| now.saturating_duration_since(above) < LINGER)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Buckets> {
        // A poisoned lock only means a panic elsewhere mid-update of two counters: keep counting.
        self.window.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Remembers `now` as a moment above the threshold, if it is one.
    fn note_rate(&self, b: &mut Buckets, now: Instant) {
        if Self::rate(b, now) > f64::from(self.storm_per_sec) {
            b.last_above = Some(now);
        }
    }

    fn rate(b: &Buckets, now: Instant) -> f64 {
        let into = now.saturating_duration_since(b.start).as_secs_f64() / WINDOW.as_secs_f64();
        let older = f64::from(b.previous) * (1.0 - into.clamp(0.0, 1.0));
        (older + f64::from(b.current)) / WINDOW.as_secs_f64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record_n(p: &Pressure, n: u32, at: Instant) {
        for _ in 0..n {
            p.record_at(at);
        }
    }

    #[test]
    fn a_storm_is_a_rate_above_the_threshold_and_it_passes() {
        let p = Pressure::new(100);
        let t0 = p.window.lock().unwrap().start;
        assert!(!p.storm_at(t0), "nothing recorded");
        // 100/s over a 200 ms window is 20 requests: exactly the threshold is not a storm.
        record_n(&p, 20, t0);
        assert!(!p.storm_at(t0 + Duration::from_millis(10)));
        record_n(&p, 5, t0 + Duration::from_millis(10));
        let above = t0 + Duration::from_millis(20);
        assert!(p.storm_at(above));
        // Half a window later the older bucket counts half: 25 × 0.5 = 12.5 → 62.5/s, below
        // the threshold, but the storm lingers.
        let lull = t0 + WINDOW + WINDOW / 2;
        assert!(p.rate_at(lull) < 100.0);
        assert!(
            p.storm_at(lull),
            "a lull shorter than LINGER is still the storm"
        );
        // Two windows of silence forget the count; LINGER after the last moment above, the
        // storm is over.
        assert!(p.rate_at(t0 + WINDOW * 3) < f64::EPSILON);
        assert!(p.storm_at(above + LINGER - Duration::from_millis(1)));
        assert!(!p.storm_at(above + LINGER));
    }

    #[test]
    fn a_pause_inside_a_burst_keeps_the_storm_and_the_burst_renews_it() {
        let p = Pressure::new(100);
        let t0 = p.window.lock().unwrap().start;
        // 500/s for 400 ms, a 300 ms pause (a slow sync), then 500/s again for 400 ms.
        let mut at = t0;
        for i in 0..200u64 {
            at = t0 + Duration::from_millis(2 * i);
            p.record_at(at);
        }
        let pause_end = at + Duration::from_millis(300);
        assert!(p.storm_at(pause_end), "the pause ended the storm");
        for i in 0..200u64 {
            at = pause_end + Duration::from_millis(2 * i);
            p.record_at(at);
        }
        // Recording alone renewed it: nobody asked during the second burst.
        assert!(p.storm_at(at + LINGER - Duration::from_millis(5)));
        assert!(!p.storm_at(at + LINGER + WINDOW));
    }

    #[test]
    fn a_steady_stream_above_the_threshold_stays_a_storm_across_buckets() {
        let p = Pressure::new(100);
        let t0 = p.window.lock().unwrap().start;
        // 500/s: one request every 2 ms for a second.
        for i in 0..500u64 {
            let at = t0 + Duration::from_millis(2 * i);
            p.record_at(at);
            if i > 50 {
                assert!(p.storm_at(at), "not a storm at {} ms", 2 * i);
            }
        }
        // A steady 50/s never is.
        let q = Pressure::new(100);
        for i in 0..100u64 {
            let at = t0 + Duration::from_millis(20 * i);
            q.record_at(at);
            assert!(!q.storm_at(at), "a storm at {} ms", 20 * i);
        }
    }

    #[test]
    fn clones_share_the_count() {
        let p = Pressure::new(10);
        let q = p.clone();
        for _ in 0..10 {
            q.record();
        }
        assert!(p.storm());
    }
}

//! Retry with jittered exponential back-off, for idempotent reads only.
//!
//! The delay before retry `n` (1-based) is `base · 2^(n−1)`, capped at `max_delay`, then
//! "equal jitter": a uniform pick in `[d/2, d]`, so a storm of clients does not retry in
//! lockstep and no retry comes sooner than half the nominal delay.
//!
//! Invariant: the caller decides what is retryable; [`crate::gateway::Gateway`] only ever
//! passes reads here — a POST, PUT or DELETE is never repeated.

use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// How often and how patiently a read is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included (1 = no retry).
    pub max_attempts: u32,
    /// Nominal delay before the first retry.
    pub base_delay: Duration,
    /// Upper bound of any nominal delay.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, 250 ms then 500 ms nominal, never more than 5 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The delay before retry number `retry` (1-based) for a jitter draw `unit` in `[0, 1]`.
    pub fn delay(&self, retry: u32, unit: f64) -> Duration {
        let exp = retry.saturating_sub(1).min(30);
        let nominal = self
            .base_delay
            .checked_mul(1u32 << exp)
            .unwrap_or(self.max_delay)
            .min(self.max_delay);
        let half = nominal / 2;
        half + half.mul_f64(unit.clamp(0.0, 1.0))
    }
}

/// A uniform draw in `[0, 1)` from the process's random hasher keys (no RNG dependency; this
/// spreads retries, it is not cryptography).
pub fn jitter_unit() -> f64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0x6d69_7a61_6e00_0000);
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Runs `op` until it succeeds, fails with an error `retryable` refuses, or the attempts are
/// spent; sleeps the jittered back-off between attempts. Returns the last error.
pub async fn retry<T, E, F, Fut>(
    policy: &RetryPolicy,
    mut op: F,
    retryable: impl Fn(&E) -> bool,
) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let attempts = policy.max_attempts.max(1);
    let mut attempt = 1;
    loop {
        match op().await {
            Ok(v) => return Ok(v),
            Err(e) if attempt < attempts && retryable(&e) => {
                tokio::time::sleep(policy.delay(attempt, jitter_unit())).await;
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
        }
    }

    #[test]
    fn delays_grow_exponentially_within_jitter_bounds_and_cap() {
        let p = policy();
        assert_eq!(p.delay(1, 0.0), Duration::from_millis(50));
        assert_eq!(p.delay(1, 1.0), Duration::from_millis(100));
        assert_eq!(p.delay(2, 0.0), Duration::from_millis(100));
        assert_eq!(p.delay(2, 1.0), Duration::from_millis(200));
        assert_eq!(p.delay(3, 1.0), Duration::from_millis(300), "capped");
        assert_eq!(p.delay(40, 1.0), Duration::from_millis(300), "no overflow");
        assert_eq!(p.delay(1, 7.0), Duration::from_millis(100), "unit clamped");
        for _ in 0..100 {
            let u = jitter_unit();
            assert!((0.0..1.0).contains(&u));
        }
    }

    #[tokio::test]
    async fn retries_retryable_errors_until_success() {
        let calls = AtomicU32::new(0);
        let p = RetryPolicy {
            base_delay: Duration::from_millis(1),
            ..policy()
        };
        let r: Result<u32, &str> = retry(
            &p,
            || async {
                let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
                if n < 3 { Err("503") } else { Ok(n) }
            },
            |_| true,
        )
        .await;
        assert_eq!(r, Ok(3));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn stops_at_max_attempts_and_on_non_retryable() {
        let calls = AtomicU32::new(0);
        let p = RetryPolicy {
            base_delay: Duration::from_millis(1),
            ..policy()
        };
        let r: Result<(), &str> = retry(
            &p,
            || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err("503")
            },
            |_| true,
        )
        .await;
        assert_eq!(r, Err("503"));
        assert_eq!(calls.load(Ordering::SeqCst), 4);

        calls.store(0, Ordering::SeqCst);
        let r: Result<(), &str> = retry(
            &p,
            || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err("404")
            },
            |e| *e != "404",
        )
        .await;
        assert_eq!(r, Err("404"));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}

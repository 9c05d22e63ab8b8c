//! Per-address rate limit of refused deliveries: a stranger may knock, not flood.
//!
//! Owns the token bucket per sender IP (governor's keyed GCRA limiter) that the receiver
//! consults only after a delivery has failed its token check, and the in-memory count of the
//! requests it turned away. Defaults ([`RefusalLimit::default`]): a burst of 20 refused
//! requests per address, refilled at one a second — far above a misconfigured gateway's
//! retries, far below what fills a disk.
//!
//! Invariants: a verified delivery never reaches this limiter (the gateway's retries must
//! never be throttled by a stranger sharing its address, and the verified path stays free of
//! the lock); an over-limit request is answered 429 and stores nothing; the table of
//! addresses is pruned of full buckets once it grows past [`PRUNE_AT`], so a spray of source
//! addresses cannot grow it without bound.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Addresses tracked before full buckets are forgotten.
pub const PRUNE_AT: usize = 10_000;

/// How many refused requests one address may send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefusalLimit {
    /// Refused requests an address may send at once.
    pub burst: NonZeroU32,
    /// Refused requests per second an address regains.
    pub per_second: NonZeroU32,
}

impl Default for RefusalLimit {
    fn default() -> Self {
        RefusalLimit {
            burst: NonZeroU32::new(20).unwrap_or(NonZeroU32::MIN),
            per_second: NonZeroU32::MIN,
        }
    }
}

/// The receiver's limiter of refused requests, shared by its handlers.
pub(crate) struct RefusalLimiter {
    buckets: DefaultKeyedRateLimiter<IpAddr>,
    limited: AtomicU64,
}

impl RefusalLimiter {
    pub(crate) fn new(limit: RefusalLimit) -> RefusalLimiter {
        let quota = Quota::per_second(limit.per_second).allow_burst(limit.burst);
        RefusalLimiter {
            buckets: RateLimiter::keyed(quota),
            limited: AtomicU64::new(0),
        }
    }

    /// True when `ip` may have one more refused request stored; false counts it as limited.
    pub(crate) fn admit(&self, ip: IpAddr) -> bool {
        if self.buckets.len() > PRUNE_AT {
            self.buckets.retain_recent();
        }
        if self.buckets.check_key(&ip).is_ok() {
            return true;
        }
        let n = self.limited.fetch_add(1, Ordering::Relaxed) + 1;
        // A flood is visible in the log without the log becoming the flood: 1, 2, 4, 8, …
        if n.is_power_of_two() {
            tracing::warn!(%ip, limited_total = n, "refused webhook requests rate limited (429)");
        }
        false
    }

    /// Requests answered 429 since the receiver started.
    pub(crate) fn limited(&self) -> u64 {
        self.limited.load(Ordering::Relaxed)
    }
}

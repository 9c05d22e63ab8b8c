//! Failed logins, rate-limited per (user name or token prefix, client address).
//!
//! After [`ThrottlePolicy::failures_before_lockout`] failures in a row the pair is locked out,
//! 1 s at first and twice as long with each further failure, up to 15 minutes; a success
//! forgets the pair. The server asks [`LoginThrottle::check`] before it verifies anything, so a
//! locked-out guess costs no Argon2 hash.
//!
//! Invariants: pure — the time is always an argument; memory is bounded — at most
//! [`ThrottlePolicy::capacity`] pairs are remembered, the one whose last failure is oldest
//! giving way first, and a pair quiet for [`ThrottlePolicy::forget_after`] starts over.
//!
//! Keying on the pair means a stranger cannot lock a user out from another address. The price:
//! guesses spread over many addresses are slowed per address only. For tokens that is enough
//! (208 secret bits); a per-account ceiling belongs with passwords, if the server ever has them.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

use chrono::{DateTime, TimeDelta, Utc};

/// How failures turn into lock-outs, and how much is remembered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures in a row before the first lock-out.
    pub failures_before_lockout: u32,
    /// The first lock-out; each further failure doubles it.
    pub first_lockout: TimeDelta,
    /// The longest lock-out.
    pub max_lockout: TimeDelta,
    /// A pair whose last failure is this old starts over (and may be pruned).
    pub forget_after: TimeDelta,
    /// Most pairs remembered at once.
    pub capacity: usize,
}

impl Default for ThrottlePolicy {
    /// 5 failures, then 1 s, 2 s, 4 s … up to 15 min; forgotten after a quiet day; 10,000
    /// pairs (about a megabyte), far more than a merchant's team and its honest typos.
    fn default() -> Self {
        ThrottlePolicy {
            failures_before_lockout: 5,
            first_lockout: TimeDelta::seconds(1),
            max_lockout: TimeDelta::minutes(15),
            forget_after: TimeDelta::hours(24),
            capacity: 10_000,
        }
    }
}

impl ThrottlePolicy {
    /// The lock-out after the `failures`-th failure in a row: none before the threshold.
    pub fn lockout_after(&self, failures: u32) -> Option<TimeDelta> {
        let doublings = failures.checked_sub(self.failures_before_lockout)?;
        // 2^30 s is decades: any cap sensible for logins is reached well before the shift
        // could overflow, and a multiplication that does overflow is the cap too.
        let lockout = 1i32
            .checked_shl(doublings.min(30))
            .and_then(|factor| self.first_lockout.checked_mul(factor))
            .unwrap_or(self.max_lockout);
        Some(lockout.min(self.max_lockout))
    }
}

/// Whose login failed, and from where. `subject` is the user name given, or the token's
/// lookup prefix (see [`super::tokens::lookup_prefix`]) — never the secret.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ThrottleKey {
    pub subject: String,
    pub client: IpAddr,
}

impl ThrottleKey {
    pub fn new(subject: impl Into<String>, client: IpAddr) -> Self {
        ThrottleKey {
            subject: subject.into(),
            client,
        }
    }
}

/// Refused without trying: the pair is locked out until `until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many failed logins; try again after {until}")]
pub struct LockedOut {
    pub until: DateTime<Utc>,
}

impl LockedOut {
    /// What to send as `Retry-After`: whole seconds, rounded up, at least one.
    pub fn retry_after_secs(&self, now: DateTime<Utc>) -> i64 {
        let left = self.until - now;
        let secs = left.num_seconds() + i64::from(left.subsec_nanos() > 0);
        secs.max(1)
    }
}

#[derive(Debug, Clone)]
struct Entry {
    failures: u32,
    locked_until: Option<DateTime<Utc>>,
    /// This entry's key in `by_age`.
    age: (DateTime<Utc>, u64),
}

/// The failures remembered, per pair.
#[derive(Debug, Clone)]
pub struct LoginThrottle {
    policy: ThrottlePolicy,
    entries: HashMap<ThrottleKey, Entry>,
    /// Entries by last failure (then arrival, to keep keys unique): eviction and pruning take
    /// the oldest in O(log n), so a flood of new addresses cannot make each failure a scan.
    by_age: BTreeMap<(DateTime<Utc>, u64), ThrottleKey>,
    next_seq: u64,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle::new(ThrottlePolicy::default())
    }
}

impl LoginThrottle {
    pub fn new(policy: ThrottlePolicy) -> Self {
        LoginThrottle {
            policy,
            entries: HashMap::new(),
            by_age: BTreeMap::new(),
            next_seq: 0,
        }
    }

    pub fn policy(&self) -> &ThrottlePolicy {
        &self.policy
    }

    /// Pairs remembered.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether `key` may try to log in at `now`. Ask before verifying; a refused attempt is
    /// not a failure (it was never tried), so waiting out a lock-out is enough.
    ///
    /// # Errors
    /// [`LockedOut`] while the pair is locked out.
    pub fn check(&self, key: &ThrottleKey, now: DateTime<Utc>) -> Result<(), LockedOut> {
        match self.entries.get(key).and_then(|e| e.locked_until) {
            Some(until) if now < until => Err(LockedOut { until }),
            _ => Ok(()),
        }
    }

    /// Records a failed login; returns the lock-out it started, if any.
    pub fn record_failure(&mut self, key: ThrottleKey, now: DateTime<Utc>) -> Option<LockedOut> {
        let seq = self.next_seq;
        self.next_seq = self.next_seq.wrapping_add(1);
        let age = (now, seq);

        let previous = match self.entries.remove(&key) {
            Some(entry) => {
                self.by_age.remove(&entry.age);
                // A failure long after the last one starts a new run.
                (now < later(entry.age.0, self.policy.forget_after)).then_some(entry.failures)
            }
            None => {
                self.make_room();
                None
            }
        };
        let failures = previous.unwrap_or(0).saturating_add(1);
        let locked_until = self.policy.lockout_after(failures).map(|d| later(now, d));
        self.by_age.insert(age, key.clone());
        self.entries.insert(
            key,
            Entry {
                failures,
                locked_until,
                age,
            },
        );
        locked_until.map(|until| LockedOut { until })
    }

    /// Records a successful login: the pair starts over.
    pub fn record_success(&mut self, key: &ThrottleKey) {
        if let Some(entry) = self.entries.remove(key) {
            self.by_age.remove(&entry.age);
        }
    }

    /// Forgets pairs quiet for `forget_after` and no longer locked out (for a periodic sweep;
    /// the capacity bounds memory without it).
    pub fn prune(&mut self, now: DateTime<Utc>) {
        let stale: Vec<(DateTime<Utc>, u64)> = self
            .by_age
            .keys()
            .take_while(|(last, _)| later(*last, self.policy.forget_after) <= now)
            .copied()
            .collect();
        for age in stale {
            let locked = self
                .by_age
                .get(&age)
                .and_then(|k| self.entries.get(k))
                .and_then(|e| e.locked_until)
                .is_some_and(|until| now < until);
            if !locked && let Some(key) = self.by_age.remove(&age) {
                self.entries.remove(&key);
            }
        }
    }

    /// Evicts the oldest pairs until one more fits.
    fn make_room(&mut self) {
        let capacity = self.policy.capacity.max(1);
        while self.entries.len() >= capacity {
            let Some((_, key)) = self.by_age.pop_first() else {
                break;
            };
            self.entries.remove(&key);
        }
    }
}

/// `t + d`, saturating at the end of time instead of panicking on a policy with huge spans.
fn later(t: DateTime<Utc>, d: TimeDelta) -> DateTime<Utc> {
    t.checked_add_signed(d).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
#[path = "login_throttle_tests.rs"]
mod tests;

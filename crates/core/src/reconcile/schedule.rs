//! The reconciler's schedule: which open orders to re-read at a tick, most urgent first,
//! within the reconciler's share of the API budget.
//!
//! Each open order is due again a policy interval after it was last read from Tamara (by
//! anyone: the processor's re-read counts): approved orders (72 h to authorise) and orders
//! that changed within the hour every 5 minutes; orders within a day of a deadline every 15
//! minutes, within three days every hour; quiet orders every 6 hours. The intervals are for
//! the default 60-s tick; a shorter tick (tests, demos) scales them down in proportion.
//!
//! Invariants: pure (no clock, no store); orders that need settling (a money move whose
//! outcome is open, a failed delivery) come first, then approved orders, orders near a
//! deadline, recently changed ones and the rest, each rank most overdue first; a plan never
//! spends more calls than it is given, except that it always reads at least one order.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{APPROVAL_WINDOW_HOURS, AUTO_CAPTURE_DAYS};
use crate::store::watch::WatchedOrder;

/// How often each kind of open order is re-read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub approved_every: Duration,
    /// Orders created or changed within `fresh_for`.
    pub fresh_every: Duration,
    pub fresh_for: Duration,
    /// Orders whose deadline is within `near_deadline`.
    pub near_deadline_every: Duration,
    pub near_deadline: Duration,
    /// Orders whose deadline is within `approaching`.
    pub approaching_every: Duration,
    pub approaching: Duration,
    pub quiet_every: Duration,
}

const MINUTE: Duration = Duration::from_secs(60);

impl Default for Policy {
    fn default() -> Self {
        Policy {
            approved_every: 5 * MINUTE,
            fresh_every: 5 * MINUTE,
            fresh_for: 60 * MINUTE,
            near_deadline_every: 15 * MINUTE,
            near_deadline: 24 * 60 * MINUTE,
            approaching_every: 60 * MINUTE,
            approaching: 3 * 24 * 60 * MINUTE,
            quiet_every: 6 * 60 * MINUTE,
        }
    }
}

impl Policy {
    /// The default policy for a reconciler ticking every `tick`: intervals scaled down in
    /// proportion below 60 s, never shorter than one tick. Deadline windows are not scaled.
    pub fn for_tick(tick: Duration) -> Policy {
        let d = Policy::default();
        let scale = |every: Duration| {
            if tick < MINUTE {
                every.mul_f64(tick.as_secs_f64() / 60.0).max(tick)
            } else {
                every.max(tick)
            }
        };
        Policy {
            approved_every: scale(d.approved_every),
            fresh_every: scale(d.fresh_every),
            fresh_for: scale(d.fresh_for),
            near_deadline_every: scale(d.near_deadline_every),
            approaching_every: scale(d.approaching_every),
            quiet_every: scale(d.quiet_every),
            ..d
        }
    }
}

/// Why an order is read, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rank {
    /// A money move to settle or a failed delivery.
    Settle,
    Approved,
    NearDeadline,
    Fresh,
    Approaching,
    Quiet,
}

/// The Tamara deadline of an open order, if it has one: approved → expires 72 h after
/// approval (≈ creation); authorised → captured by Tamara 21 days after authorisation.
pub fn deadline(o: &WatchedOrder) -> Option<DateTime<Utc>> {
    match o.status.as_str() {
        "approved" => Some(o.created_at + chrono::Duration::hours(APPROVAL_WINDOW_HOURS)),
        "authorised" | "updated" | "partially_captured" => Some(
            o.authorised_at.unwrap_or(o.updated_at) + chrono::Duration::days(AUTO_CAPTURE_DAYS),
        ),
        _ => None,
    }
}

fn chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// The rank of `o` at `now` and how often an order of that rank is read.
pub fn rank(o: &WatchedOrder, now: DateTime<Utc>, p: &Policy) -> (Rank, Duration) {
    if o.status == "approved" {
        return (Rank::Approved, p.approved_every);
    }
    let left = deadline(o).map(|d| d - now);
    if left.is_some_and(|l| l <= chrono(p.near_deadline)) {
        return (Rank::NearDeadline, p.near_deadline_every);
    }
    if now - o.updated_at.max(o.created_at) < chrono(p.fresh_for) {
        return (Rank::Fresh, p.fresh_every);
    }
    if left.is_some_and(|l| l <= chrono(p.approaching)) {
        return (Rank::Approaching, p.approaching_every);
    }
    (Rank::Quiet, p.quiet_every)
}

/// When `o` is next due (never read: at once): its rank's interval after its last read, but
/// not before it entered that rank — an order that just came within a day of its deadline is
/// due from then, not late by the hours since its last quiet read.
pub fn due_at(o: &WatchedOrder, now: DateTime<Utc>, p: &Policy) -> DateTime<Utc> {
    let (rank, every) = rank(o, now, p);
    let Some(read) = o.last_read_at else {
        return DateTime::<Utc>::MIN_UTC;
    };
    let next = read
        .checked_add_signed(chrono(every))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    let entered = match (rank, deadline(o)) {
        (Rank::NearDeadline, Some(d)) => d - chrono(p.near_deadline),
        (Rank::Approaching, Some(d)) => d - chrono(p.approaching),
        (Rank::Fresh, _) => o.updated_at.max(o.created_at),
        _ => DateTime::<Utc>::MIN_UTC,
    };
    // Tamara's clock may run ahead of ours: an entry "in the future" is an entry now.
    next.max(entered.min(now))
}

/// The most API calls one read of an order in `status` can cost: a read; an order that may
/// turn out approved (a checkout whose `order_approved` was missed, or one already seen
/// approved) may also be authorised and read again; settling a money move (`None`: status
/// unknown here) re-reads first. Planning with the most keeps a tick within its calls.
pub fn cost(status: Option<&str>) -> u32 {
    match status {
        Some("new" | "approved") => 3,
        Some(_) => 1,
        None => 4,
    }
}

/// What one tick reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Order ids to read, most urgent first.
    pub read: Vec<String>,
    /// Orders due at this tick (settling ones included).
    pub due: usize,
    /// Due orders left for a later tick: the calls ran out.
    pub deferred: usize,
    /// The calls `read` is expected to cost.
    pub calls: u32,
    /// The most overdue order read: how long past its due time (zero when none was late).
    pub most_overdue: Duration,
}

/// The plan at `now`: `settle` (in their order), then the due orders of `watched` by rank and
/// lateness, as many as `calls` allow (at least one), at most `max_orders`. Orders `skip`
/// names (backing off after failed reads) are left out.
pub fn plan(
    settle: &[String],
    watched: &[WatchedOrder],
    now: DateTime<Utc>,
    p: &Policy,
    calls: u32,
    max_orders: usize,
    skip: impl Fn(&str) -> bool,
) -> Plan {
    let mut seen = std::collections::HashSet::new();
    let mut due: Vec<(Rank, DateTime<Utc>, &str, u32)> = Vec::new();
    for id in settle {
        if !skip(id) && seen.insert(id.as_str()) {
            due.push((Rank::Settle, DateTime::<Utc>::MIN_UTC, id, cost(None)));
        }
    }
    for o in watched {
        if skip(&o.order_id) || seen.contains(o.order_id.as_str()) {
            continue;
        }
        let at = due_at(o, now, p);
        if at <= now {
            seen.insert(o.order_id.as_str());
            due.push((rank(o, now, p).0, at, &o.order_id, cost(Some(&o.status))));
        }
    }
    due.sort_by_key(|a| (a.0, a.1));
    let mut out = Plan {
        due: due.len(),
        ..Plan::default()
    };
    for (_, at, id, c) in &due {
        let c = *c;
        if out.read.len() >= max_orders || (!out.read.is_empty() && out.calls + c > calls) {
            break;
        }
        out.calls += c;
        out.read.push((*id).to_owned());
        if *at > DateTime::<Utc>::MIN_UTC {
            out.most_overdue = out
                .most_overdue
                .max((now - *at).to_std().unwrap_or_default());
        }
    }
    out.deferred = out.due - out.read.len();
    out
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;

//! The schedule over three days of virtual time: the reconciler's own plan
//! ([`schedule::plan`], the same function and policy a tick uses) run every minute over
//! `--open-orders` open orders with the reconciler's share of the budget, the gateway replaced
//! by a model of what Tamara does meanwhile. It answers what a real run cannot in minutes:
//! does every order get read before its deadline, within the budget, day after day?
//!
//! The orders: authorised ones with authorisations spread over the last 21 days (so their
//! automatic captures fall over the next 21, a seventh of them within the three days), last
//! read at times spread over the last 6 hours; and `--approved-percent` approved ones whose
//! webhook was missed, approved over the last 10 minutes. Tamara captures an authorised order
//! at its deadline by itself; a read of an approved order authorises it (3 calls). A deadline
//! is kept when the order was read within the day before it (an authorised order) or
//! authorised before it (an approved one).

use std::time::Duration;

use chrono::{DateTime, Utc};
use mizan_core::reconcile::schedule::{self, Policy};
use mizan_core::store::watch::WatchedOrder;

/// What three virtual days showed.
#[derive(Debug, Default)]
pub struct Model {
    pub orders: usize,
    pub minutes: usize,
    pub share: u32,
    /// Calls planned in the busiest minute, and on average.
    pub max_calls_per_minute: u32,
    pub mean_calls_per_minute: f64,
    /// Deadlines that fell in the run, and those missed.
    pub deadlines: usize,
    pub missed: usize,
    /// The latest any due read came (past its due time).
    pub most_overdue: Duration,
    /// Orders left due at the end of a minute (the budget ran out), at most.
    pub max_deferred: usize,
    /// The same two after the first hour, once the backlog the start leaves (orders read up
    /// to 6 hours ago under a policy that wants some of them hourly) has been read.
    pub settled_overdue: Duration,
    pub settled_deferred: usize,
}

struct Order {
    watched: WatchedOrder,
    deadline: DateTime<Utc>,
    /// Approved at the start (its deadline is the authorisation's).
    was_approved: bool,
    /// Authorised in time (approved), or read within the day before its capture (authorised).
    kept: bool,
    closed: bool,
}

/// A deterministic spread in `[0, 1)` for order `i` (no randomness: runs compare).
fn spread(i: usize, salt: u64) -> f64 {
    let x = (i as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(salt)
        .rotate_left(17)
        .wrapping_mul(0xBF58_476D_1CE4_E5B9);
    (x >> 11) as f64 / (1u64 << 53) as f64
}

fn ago(now: DateTime<Utc>, d: chrono::Duration, f: f64) -> DateTime<Utc> {
    now - chrono::Duration::milliseconds((d.num_milliseconds() as f64 * f) as i64)
}

pub fn run(open: u64, approved_percent: u8, share: u32, days: u32) -> Model {
    let policy = Policy::default();
    let start = DateTime::parse_from_rfc3339("2026-11-27T00:00:00Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default();
    let open = usize::try_from(open).unwrap_or(usize::MAX);
    let n_approved = open * usize::from(approved_percent) / 100;
    let mut orders: Vec<Order> = (0..open + n_approved)
        .map(|i| {
            let approved = i >= open;
            let (status, changed) = if approved {
                (
                    "approved",
                    ago(start, chrono::Duration::minutes(10), spread(i, 1)),
                )
            } else {
                (
                    "authorised",
                    ago(start, chrono::Duration::days(21), spread(i, 2)),
                )
            };
            let deadline = if approved {
                changed + chrono::Duration::hours(72)
            } else {
                changed + chrono::Duration::days(21)
            };
            Order {
                watched: WatchedOrder {
                    order_id: format!("o{i}"),
                    status: status.to_owned(),
                    created_at: changed,
                    updated_at: changed,
                    last_read_at: Some(ago(start, chrono::Duration::hours(6), spread(i, 3))),
                    authorised_at: (!approved).then_some(changed),
                },
                deadline,
                was_approved: approved,
                kept: false,
                closed: false,
            }
        })
        .collect();
    let index: std::collections::HashMap<String, usize> = orders
        .iter()
        .enumerate()
        .map(|(i, o)| (o.watched.order_id.clone(), i))
        .collect();
    let minutes = usize::try_from(days).unwrap_or(3) * 24 * 60;
    let mut m = Model {
        orders: orders.len(),
        minutes,
        share,
        ..Model::default()
    };
    let mut total_calls = 0u64;
    for minute in 0..minutes {
        let now = start + chrono::Duration::minutes(i64::try_from(minute).unwrap_or(0));
        // Tamara captures authorised orders at their deadline; the console learns at a read.
        let watched: Vec<WatchedOrder> = orders
            .iter()
            .filter(|o| !o.closed)
            .map(|o| o.watched.clone())
            .collect();
        let plan = schedule::plan(&[], &watched, now, &policy, share, usize::MAX, |_| false);
        m.max_calls_per_minute = m.max_calls_per_minute.max(plan.calls);
        m.most_overdue = m.most_overdue.max(plan.most_overdue);
        m.max_deferred = m.max_deferred.max(plan.deferred);
        if minute >= 60 {
            m.settled_overdue = m.settled_overdue.max(plan.most_overdue);
            m.settled_deferred = m.settled_deferred.max(plan.deferred);
        }
        total_calls += u64::from(plan.calls);
        for id in &plan.read {
            let Some(&i) = index.get(id) else { continue };
            let o = &mut orders[i];
            o.watched.last_read_at = Some(now);
            match o.watched.status.as_str() {
                "approved" if now < o.deadline => {
                    o.kept = true;
                    o.watched.status = "authorised".to_owned();
                    o.watched.updated_at = now;
                    o.watched.authorised_at = Some(now);
                    o.deadline = now + chrono::Duration::days(21);
                }
                "authorised" if now >= o.deadline => {
                    o.closed = true;
                }
                "authorised"
                    if !o.was_approved && o.deadline - now <= chrono::Duration::days(1) =>
                {
                    o.kept = true;
                }
                _ => {}
            }
        }
    }
    let end = start + chrono::Duration::minutes(i64::try_from(minutes).unwrap_or(0));
    for o in &orders {
        // Every approval's deadline, and the captures that fell in the run.
        if o.was_approved || o.deadline < end {
            m.deadlines += 1;
            m.missed += usize::from(!o.kept);
        }
    }
    m.mean_calls_per_minute = total_calls as f64 / minutes.max(1) as f64;
    m
}

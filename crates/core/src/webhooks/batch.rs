//! How the processor splits a batch: by order, and how many orders run at once.
//!
//! Invariants: one order's rows stay together, in arrival order; orders keep the order of
//! their first row; once the shutdown is seen by one order, every order stops before its next
//! row (a row in hand is always finished).

use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::FutureExt as _;

/// Overrides the processor's concurrency (1 to 64) for `mizan serve` and the desktop.
pub const CONCURRENCY_VAR: &str = "MIZAN_PROCESSOR_CONCURRENCY";
/// Orders processed at once without [`CONCURRENCY_VAR`].
pub const DEFAULT_CONCURRENCY: usize = 16;

/// The concurrency `value` (from [`CONCURRENCY_VAR`]) asks for, clamped to 1..=64, else the
/// default.
pub fn concurrency_from(value: Option<&str>) -> usize {
    value
        .and_then(|v| v.trim().parse::<usize>().ok())
        .map_or(DEFAULT_CONCURRENCY, |n| n.clamp(1, 64))
}

/// `rows` grouped by order (`order_of`), each group in arrival order, groups in the order of
/// their first row (a row naming no order is a group of its own).
pub(super) fn by_order<T>(rows: Vec<T>, order_of: impl Fn(&T) -> Option<&str>) -> Vec<Vec<T>> {
    let mut groups: Vec<Vec<T>> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for row in rows {
        match order_of(&row).map(|o| (o.to_owned(), index.get(o).copied())) {
            Some((_, Some(i))) => groups[i].push(row),
            Some((order, None)) => {
                index.insert(order, groups.len());
                groups.push(vec![row]);
            }
            None => groups.push(vec![row]),
        }
    }
    groups
}

/// The shutdown as the orders of one batch share it. A fused shutdown answers `Pending` once
/// it has completed, so the first order to see it records it for the others.
pub(super) struct Stopping<'s, F> {
    shutdown: Mutex<&'s mut F>,
    seen: AtomicBool,
}

impl<'s, F: Future<Output = ()> + Unpin> Stopping<'s, F> {
    pub fn new(shutdown: &'s mut F) -> Self {
        Stopping {
            shutdown: Mutex::new(shutdown),
            seen: AtomicBool::new(false),
        }
    }

    /// Whether the batch should stop before its next row.
    pub fn now(&self) -> bool {
        if self.seen.load(Ordering::Relaxed) {
            return true;
        }
        let done = self
            .shutdown
            .lock()
            .map_or(true, |mut s| (&mut **s).now_or_never().is_some());
        if done {
            self.seen.store(true, Ordering::Relaxed);
        }
        done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_orders_rows_stay_together_in_arrival_order_and_orders_keep_their_first_arrival() {
        let rows = vec![
            (1, Some("a")),
            (2, Some("b")),
            (3, None),
            (4, Some("a")),
            (5, None),
            (6, Some("b")),
        ];
        let groups = by_order(rows, |r| r.1);
        let ids: Vec<Vec<i32>> = groups
            .iter()
            .map(|g| g.iter().map(|r| r.0).collect())
            .collect();
        assert_eq!(ids, [vec![1, 4], vec![2, 6], vec![3], vec![5]]);
    }

    #[test]
    fn concurrency_comes_from_the_variable_within_bounds() {
        assert_eq!(concurrency_from(None), DEFAULT_CONCURRENCY);
        assert_eq!(concurrency_from(Some(" 12 ")), 12);
        assert_eq!(concurrency_from(Some("0")), 1);
        assert_eq!(concurrency_from(Some("500")), 64);
        assert_eq!(concurrency_from(Some("many")), DEFAULT_CONCURRENCY);
    }

    #[test]
    fn once_one_order_sees_the_shutdown_every_order_stops() {
        let mut shutdown = futures::future::ready(()).fuse();
        let stopping = Stopping::new(&mut shutdown);
        assert!(stopping.now(), "the shutdown completed");
        assert!(
            stopping.now(),
            "a fused future answers Pending after, yet the batch still stops"
        );
    }
}

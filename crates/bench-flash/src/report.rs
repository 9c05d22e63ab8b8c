//! The figures as a small markdown table, with the targets beside them.

use std::fmt::Write;
use std::time::Duration;

use crate::flash::Flash;
use crate::sweep::{CAP, Sweep};

/// The target for the flash sale at 200 ms: orders per second.
const TARGET_ORDERS_PER_SECOND: f64 = 20.0;
/// The schedule the issue sizes the reconcile target for.
const SCHEDULE_ORDERS: usize = 10_000;

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// Thousands separated by commas, for readability in the table.
fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn markdown(flash: Option<&Flash>, sweep: Option<&Sweep>) -> String {
    let mut s = String::new();
    if let Some(f) = flash {
        let per_order = f.calls.total as f64 / f.orders.max(1) as f64;
        let rate = f.orders_per_second();
        let verdict = if rate >= TARGET_ORDERS_PER_SECOND {
            "PASS"
        } else {
            "MISS"
        };
        let _ = writeln!(
            s,
            "\n| Flash sale: {} approved orders at once, {} ms per API call | |",
            f.orders,
            f.latency.as_millis()
        );
        let _ = writeln!(s, "|---|---|");
        let _ = writeln!(
            s,
            "| wall time (first approve → last authorise) | {} |",
            secs(f.wall)
        );
        let _ = writeln!(
            s,
            "| orders per second | {rate:.1} ({verdict}: target ≥ {TARGET_ORDERS_PER_SECOND}) |"
        );
        let _ = writeln!(
            s,
            "| acknowledgement → authorised, p50 | {} |",
            secs(f.ack_to_authorised.percentile(50.0))
        );
        let _ = writeln!(
            s,
            "| acknowledgement → authorised, p99 | {} |",
            secs(f.ack_to_authorised.percentile(99.0))
        );
        let _ = writeln!(
            s,
            "| API calls (per order) | {} ({per_order:.1}): {} |",
            count(f.calls.total),
            f.calls.split()
        );
        let _ = writeln!(
            s,
            "| authorised in the store | {} of {} |",
            f.authorised_in_store, f.orders
        );
    }
    if let Some(w) = sweep {
        let read = w.checked.max(1) as f64;
        let per_order_calls = w.calls.total as f64 / read;
        let _ = writeln!(
            s,
            "\n| Reconcile pass: {} open orders, {} ms per API call, concurrency {} | |",
            count(w.open as u64),
            w.latency.as_millis(),
            w.concurrency
        );
        let _ = writeln!(s, "|---|---|");
        let _ = writeln!(
            s,
            "| open orders: approved, webhook missed / checkout open | {} / {} |",
            count(w.approved as u64),
            count((w.open - w.approved) as u64)
        );
        let _ = writeln!(
            s,
            "| read in this pass (cap {}) | {} ({} left for the next pass) |",
            count(CAP as u64),
            count(w.checked as u64),
            count(w.left_over() as u64)
        );
        let _ = writeln!(s, "| wall time | {} |", secs(w.wall));
        let _ = writeln!(
            s,
            "| orders read per second | {:.1} |",
            w.orders_per_second()
        );
        let _ = writeln!(
            s,
            "| API calls (per order read) | {} ({per_order_calls:.2}): {} |",
            count(w.calls.total),
            w.calls.split()
        );
        let _ = writeln!(
            s,
            "| changed (approved → authorised) / failed | {} / {} |",
            count(w.repaired as u64),
            count(w.failed as u64)
        );
        if w.open < SCHEDULE_ORDERS && w.checked > 0 {
            // Linear in the orders read: the pass is a fixed number of reads at a time, each
            // waiting out the latency, so time and calls grow with the count.
            let scale = SCHEDULE_ORDERS as f64 / read;
            let passes = SCHEDULE_ORDERS.div_ceil(CAP);
            let _ = writeln!(
                s,
                "| linear estimate for {} open orders (same mix) | ≈ {:.0} s and ≈ {} calls, in {passes} passes (a pass reads at most {}) |",
                count(SCHEDULE_ORDERS as u64),
                w.wall.as_secs_f64() * scale,
                count((w.calls.total as f64 * scale).round() as u64),
                count(CAP as u64)
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(10_000), "10,000");
        assert_eq!(count(1_234_567), "1,234,567");
    }
}

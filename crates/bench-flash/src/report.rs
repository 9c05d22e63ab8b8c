//! The figures as a small markdown table, with the targets beside them.

use std::fmt::Write;
use std::time::Duration;

use crate::flash::Flash;
use crate::model::Model;
use crate::sweep::Schedule;

/// The target for the flash sale at 200 ms: orders per second.
const TARGET_ORDERS_PER_SECOND: f64 = 20.0;

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

pub fn markdown(
    flash: Option<&Flash>,
    schedule: Option<&Schedule>,
    model: Option<&Model>,
) -> String {
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
    if let Some(w) = schedule {
        schedule_table(&mut s, w);
    }
    if let Some(m) = model {
        model_table(&mut s, m);
    }
    s
}

fn schedule_table(s: &mut String, w: &Schedule) {
    let _ = writeln!(
        s,
        "\n| Reconciler: {} authorised + {} approved (webhook missed), {} ms per API call, \
         concurrency {}, share {} calls/min | due | read | deferred | calls | wall |",
        count(w.open as u64),
        count(w.approved as u64),
        w.latency.as_millis(),
        w.concurrency,
        w.share
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|");
    for (i, t) in w.ticks.iter().enumerate() {
        let verdict = if t.calls <= u64::from(w.share) {
            ""
        } else {
            " (over the share)"
        };
        let _ = writeln!(
            s,
            "| tick {} ({} changed, {} failed; most overdue {}) | {} | {} | {} | {}{verdict} | {} |",
            i + 1,
            t.repaired,
            t.failed,
            secs(t.most_overdue),
            count(t.due as u64),
            count(t.read as u64),
            count(t.deferred as u64),
            count(t.calls),
            secs(t.wall)
        );
    }
    let _ = writeln!(
        s,
        "| approved orders authorised by the reconciler | {} of {} | | | | |",
        w.approved_authorised, w.approved
    );
}

fn model_table(s: &mut String, m: &Model) {
    let verdict = if m.missed == 0 && m.max_calls_per_minute <= m.share {
        "PASS"
    } else {
        "MISS"
    };
    let _ = writeln!(
        s,
        "\n| Schedule model: {} open orders over {} days of virtual time | |",
        count(m.orders as u64),
        m.minutes / (24 * 60)
    );
    let _ = writeln!(s, "|---|---|");
    let _ = writeln!(
        s,
        "| deadlines in the run, missed | {}, {} ({verdict}) |",
        count(m.deadlines as u64),
        count(m.missed as u64)
    );
    let _ = writeln!(
        s,
        "| calls a minute: busiest, mean (share {}) | {}, {:.1} |",
        m.share, m.max_calls_per_minute, m.mean_calls_per_minute
    );
    let _ = writeln!(
        s,
        "| most overdue read; most orders left due after a minute | {}; {} |",
        secs(m.most_overdue),
        count(m.max_deferred as u64)
    );
    let _ = writeln!(
        s,
        "| the same after the first hour | {}; {} |",
        secs(m.settled_overdue),
        count(m.settled_deferred as u64)
    );
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

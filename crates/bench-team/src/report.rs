//! The benchmark's verdict: page latency percentiles overall and by query kind and step,
//! requests/s, and PASS/MISS against the target (p95 under 100 ms).
//!
//! Invariants: the target is judged only on requests answered 200; a run with any error is a
//! MISS whatever its latency (a fast error is not a fast page); the breakdown by kind and step
//! is informational, there to show where the time goes.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use mizan_bench_webhooks::stats::percentile;
use serde::Serialize;

use crate::consoles::{Kind, LoadResult, Step};

/// A page's p95 latency must stay under this.
pub const MAX_P95_US: u64 = 100_000;

/// The run's size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Setup {
    pub orders: u64,
    pub consoles: usize,
    pub requests: usize,
    pub limit: u32,
    /// Seeding, user making and ANALYZE, in seconds.
    pub seed_secs: f64,
}

/// Percentiles of some samples, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Latency {
    pub count: usize,
    pub p50_us: u64,
    pub p95_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
}

impl Latency {
    pub fn of(mut samples: Vec<u64>) -> Latency {
        samples.sort_unstable();
        Latency {
            count: samples.len(),
            p50_us: percentile(&samples, 50.0),
            p95_us: percentile(&samples, 95.0),
            p99_us: percentile(&samples, 99.0),
            max_us: samples.last().copied().unwrap_or(0),
        }
    }
}

/// Everything one run measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub setup: Setup,
    pub ok: usize,
    pub errors: usize,
    pub first_error: Option<String>,
    pub elapsed_ms: u64,
    pub requests_per_sec: f64,
    pub latency: Latency,
    /// By query kind and session step.
    pub by_kind: Vec<(Kind, Step, Latency)>,
    pub target: String,
    pub measured: String,
    pub pass: bool,
}

impl Report {
    pub fn new(setup: Setup, result: LoadResult) -> Report {
        let ok = result.samples.len();
        let secs = result.elapsed.as_secs_f64();
        let requests_per_sec = if secs > 0.0 { ok as f64 / secs } else { 0.0 };
        let latency = Latency::of(result.samples.iter().map(|s| s.micros).collect());
        let mut groups: BTreeMap<(Kind, Step), Vec<u64>> = BTreeMap::new();
        for s in &result.samples {
            groups.entry((s.kind, s.step)).or_default().push(s.micros);
        }
        let by_kind = groups
            .into_iter()
            .map(|((k, s), v)| (k, s, Latency::of(v)))
            .collect();
        let pass = ok > 0 && result.errors == 0 && latency.p95_us < MAX_P95_US;
        Report {
            target: format!(
                "page p95 < {} ms ({} consoles, {} orders)",
                MAX_P95_US / 1000,
                setup.consoles,
                setup.orders
            ),
            measured: format!("{} ms, {} errors", ms(latency.p95_us), result.errors),
            setup,
            ok,
            errors: result.errors,
            first_error: result.first_error,
            elapsed_ms: u64::try_from(result.elapsed.as_millis()).unwrap_or(u64::MAX),
            requests_per_sec,
            latency,
            by_kind,
            pass,
        }
    }

    /// The report as a table.
    pub fn render(&self) -> String {
        let s = &self.setup;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "team server order-list benchmark: `mizan serve --database` on PostgreSQL (loopback, {} CPUs)",
            std::thread::available_parallelism().map_or(0, usize::from)
        );
        let _ = writeln!(
            out,
            "{} orders (seeded, users made and analysed in {:.0} s); {} consoles x {} requests; {} rows per page\n",
            s.orders, s.seed_secs, s.consoles, s.requests, s.limit
        );
        let l = &self.latency;
        let _ = writeln!(
            out,
            "pages: ok {}, errors {}; {:.0} requests/s over {:.1} s",
            self.ok,
            self.errors,
            self.requests_per_sec,
            self.elapsed_ms as f64 / 1000.0
        );
        let _ = writeln!(
            out,
            "latency ms: p50 {}, p95 {}, p99 {}, max {}\n",
            ms(l.p50_us),
            ms(l.p95_us),
            ms(l.p99_us),
            ms(l.max_us)
        );
        let _ = writeln!(
            out,
            "{:<18} {:<5} {:>6} {:>8} {:>8} {:>8}",
            "query", "page", "n", "p50 ms", "p95 ms", "max ms"
        );
        for (kind, step, l) in &self.by_kind {
            let step = match step {
                Step::First => "1st",
                Step::Next => "next",
                Step::Jump => "21st",
            };
            let _ = writeln!(
                out,
                "{:<18} {:<5} {:>6} {:>8} {:>8} {:>8}",
                kind.label(),
                step,
                l.count,
                ms(l.p50_us),
                ms(l.p95_us),
                ms(l.max_us)
            );
        }
        if let Some(e) = &self.first_error {
            let _ = writeln!(out, "\nfirst error: {e}");
        }
        let _ = writeln!(out, "\ntarget:");
        let _ = writeln!(
            out,
            "  {:<50} {:>20}  {}",
            self.target,
            self.measured,
            if self.pass { "PASS" } else { "MISS" }
        );
        out
    }
}

/// Microseconds as milliseconds with two decimals.
pub fn ms(us: u64) -> String {
    format!("{}.{:02}", us / 1000, (us % 1000) / 10)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::time::Duration;

    use super::*;
    use crate::consoles::Sample;

    fn setup() -> Setup {
        Setup {
            orders: 1000,
            consoles: 2,
            requests: 50,
            limit: 50,
            seed_secs: 1.0,
        }
    }

    fn result(micros: &[u64], errors: usize) -> LoadResult {
        LoadResult {
            samples: micros
                .iter()
                .map(|&micros| Sample {
                    kind: Kind::Status,
                    step: Step::First,
                    micros,
                    rows: 50,
                })
                .collect(),
            errors,
            first_error: (errors > 0).then(|| "HTTP 500".to_owned()),
            elapsed: Duration::from_secs(2),
        }
    }

    #[test]
    fn p95_under_100_ms_passes_and_any_error_misses() {
        let mut fast: Vec<u64> = vec![5_000; 95];
        fast.extend([150_000; 5]);
        let r = Report::new(setup(), result(&fast, 0));
        assert_eq!(r.latency.p95_us, 5_000);
        assert!(r.pass);
        assert_eq!(r.requests_per_sec, 50.0);
        assert!(r.render().contains("PASS"));
        let r = Report::new(setup(), result(&fast, 1));
        assert!(!r.pass, "an error is a miss");
        assert!(r.render().contains("first error: HTTP 500"));
        let slow = vec![120_000; 100];
        let r = Report::new(setup(), result(&slow, 0));
        assert!(!r.pass);
        assert!(r.render().contains("MISS"));
        assert!(
            !Report::new(setup(), result(&[], 0)).pass,
            "nothing measured"
        );
    }
}

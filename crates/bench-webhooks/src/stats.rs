//! Latency and throughput summaries of one load phase.
//!
//! Owns the arithmetic: exact nearest-rank percentiles over every recorded sample (a run holds
//! tens of thousands of samples, so sorting them all is cheap and needs no approximating
//! histogram), throughput as acknowledged requests per wall-clock second, and the serve/bare
//! ratio.
//!
//! Invariants: latencies are whole microseconds; an empty sample set summarises to zeros, never
//! a panic or a NaN; a phase with zero elapsed time has zero throughput.

use std::time::Duration;

use serde::Serialize;

/// Percentiles of a set of latencies, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct LatencySummary {
    /// How many samples.
    pub count: usize,
    /// Median.
    pub p50_us: u64,
    /// 99th percentile.
    pub p99_us: u64,
    /// Largest sample.
    pub max_us: u64,
}

impl LatencySummary {
    /// Summarises `samples` (sorted in place).
    pub fn of(samples: &mut [u64]) -> LatencySummary {
        samples.sort_unstable();
        LatencySummary {
            count: samples.len(),
            p50_us: percentile(samples, 50.0),
            p99_us: percentile(samples, 99.0),
            max_us: samples.last().copied().unwrap_or(0),
        }
    }
}

/// The nearest-rank percentile `p` (0 < p <= 100) of `sorted`: the smallest sample that at
/// least `p` % of the samples do not exceed. 0 for an empty slice.
pub fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let n = sorted.len();
    // rank = ceil(p/100 * n), clamped to 1..=n; computed in integers (per-mille of a percent)
    // so 99 % of 100 samples is exactly rank 99, not 99.00000000000001 rounded up to 100.
    let p_milli = (p.clamp(0.0, 100.0) * 1000.0).round() as u128;
    let rank = (p_milli * n as u128).div_ceil(100_000).clamp(1, n as u128);
    sorted[(rank - 1) as usize]
}

/// What one phase against one target measured.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PhaseResult {
    /// Requests answered 200.
    pub ok: usize,
    /// Requests answered with another status, failed in transport, or timed out.
    pub errors: usize,
    /// Wall-clock time of the phase, first send to last answer.
    pub elapsed_ms: u64,
    /// Acknowledged (200) requests per second.
    pub throughput_rps: f64,
    /// Latency of the requests answered 200.
    pub latency: LatencySummary,
    /// Paced phase only: how late the generator started each send after its intended time (a
    /// measure of the load generator, not of the server).
    pub send_lag: Option<LatencySummary>,
}

impl PhaseResult {
    /// Builds a result from raw samples.
    pub fn new(
        mut latencies_us: Vec<u64>,
        errors: usize,
        elapsed: Duration,
        send_lag_us: Option<Vec<u64>>,
    ) -> PhaseResult {
        let ok = latencies_us.len();
        PhaseResult {
            ok,
            errors,
            elapsed_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
            throughput_rps: rate(ok, elapsed),
            latency: LatencySummary::of(&mut latencies_us),
            send_lag: send_lag_us.map(|mut lag| LatencySummary::of(&mut lag)),
        }
    }
}

/// `count` per second over `elapsed`; 0 when no time passed.
pub fn rate(count: usize, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 { count as f64 / secs } else { 0.0 }
}

/// `part / whole`, 0 when `whole` is 0.
pub fn ratio(part: f64, whole: f64) -> f64 {
    if whole > 0.0 { part / whole } else { 0.0 }
}

/// Whole microseconds of `d` (saturating).
pub fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn nearest_rank_percentiles_are_exact() {
        let sorted: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&sorted, 50.0), 50);
        assert_eq!(percentile(&sorted, 99.0), 99);
        assert_eq!(percentile(&sorted, 100.0), 100);
        assert_eq!(percentile(&sorted, 0.0), 1, "rank is at least 1");
        let ten: Vec<u64> = (1..=10).collect();
        assert_eq!(percentile(&ten, 50.0), 5);
        assert_eq!(percentile(&ten, 99.0), 10, "ceil(9.9) = rank 10");
        assert_eq!(percentile(&[7], 99.0), 7);
    }

    #[test]
    fn a_single_slow_request_shows_at_p99_not_p50() {
        let mut samples = vec![60_000, 50_000];
        samples.extend(std::iter::repeat_n(1_000, 98));
        let s = LatencySummary::of(&mut samples);
        assert_eq!(s.count, 100);
        assert_eq!(s.p50_us, 1_000);
        assert_eq!(s.p99_us, 50_000, "rank 99 of 100 is the second slowest");
        assert_eq!(s.max_us, 60_000);
    }

    #[test]
    fn unsorted_input_is_sorted_first() {
        let mut samples = vec![30, 10, 20];
        let s = LatencySummary::of(&mut samples);
        assert_eq!((s.p50_us, s.max_us), (20, 30));
    }

    #[test]
    fn empty_phase_summarises_to_zeros() {
        let r = PhaseResult::new(vec![], 5, Duration::ZERO, None);
        assert_eq!(r.ok, 0);
        assert_eq!(r.errors, 5);
        assert_eq!(r.throughput_rps, 0.0);
        assert_eq!(r.latency, LatencySummary::default());
        assert_eq!(ratio(10.0, 0.0), 0.0);
    }

    #[test]
    fn throughput_counts_only_acknowledged_requests() {
        let r = PhaseResult::new(vec![100; 500], 500, Duration::from_millis(250), None);
        assert_eq!(r.ok, 500);
        assert!(
            (r.throughput_rps - 2000.0).abs() < 1e-9,
            "{}",
            r.throughput_rps
        );
        assert!((ratio(1500.0, 2000.0) - 0.75).abs() < 1e-12);
        assert_eq!(micros(Duration::from_nanos(1_999)), 1);
    }
}

//! Percentiles of a handful of durations (nearest rank: with 40 orders the p99 is the slowest).

use std::time::Duration;

/// The spread of one measured duration over the orders.
#[derive(Debug, Clone, Default)]
pub struct Spread {
    sorted: Vec<Duration>,
}

impl Spread {
    pub fn of(mut samples: Vec<Duration>) -> Spread {
        samples.sort();
        Spread { sorted: samples }
    }

    /// The `p`th percentile (0–100) by nearest rank; zero when there are no samples.
    pub fn percentile(&self, p: f64) -> Duration {
        if self.sorted.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * self.sorted.len() as f64).ceil() as usize;
        self.sorted[rank.clamp(1, self.sorted.len()) - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let s = Spread::of((1..=40).rev().map(Duration::from_secs).collect());
        assert_eq!(s.percentile(50.0), Duration::from_secs(20));
        assert_eq!(s.percentile(99.0), Duration::from_secs(40));
        assert_eq!(Spread::default().percentile(50.0), Duration::ZERO);
    }
}

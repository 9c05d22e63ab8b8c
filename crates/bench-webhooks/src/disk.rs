//! What one durable write costs on the disk the inbox lives on, measured in the run.
//!
//! `mizan serve` answers a notification only after its row is committed with
//! `synchronous = FULL`, which ends in one `fdatasync` of the WAL. Many requests share a commit
//! (the receiver writes each burst in one transaction), but a closed loop of C workers can
//! never have more than C requests waiting on one commit, so C / (one fdatasync) bounds its
//! throughput, whatever the CPU. Printing that bound beside the measured figures tells a run
//! held back by the disk from one held back by the code.
//!
//! Invariants: the probe writes only its own scratch file in the given directory and removes it;
//! each round appends 4 KiB (a WAL frame's page) and syncs it, as a commit does.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::stats::{LatencySummary, micros};

/// One WAL page.
const PAGE: [u8; 4096] = [0x5a; 4096];

/// The measured cost of a durable append.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiskProbe {
    /// Latency of `write` 4 KiB + `fdatasync`, per round.
    pub sync: LatencySummary,
}

impl DiskProbe {
    /// The most a closed loop of `concurrency` workers can be acknowledged per second when each
    /// acknowledgement waits for at least one such sync: every commit serves at most all the
    /// workers at once. `None` when nothing was measured.
    pub fn closed_loop_ceiling_rps(&self, concurrency: usize) -> Option<f64> {
        (self.sync.count > 0 && self.sync.p50_us > 0)
            .then(|| concurrency as f64 * 1_000_000.0 / self.sync.p50_us as f64)
    }
}

/// Appends and syncs `rounds` pages to a scratch file in `dir`.
///
/// # Errors
/// Any I/O error creating, writing, syncing or removing the scratch file.
pub fn probe(dir: &Path, rounds: usize) -> std::io::Result<DiskProbe> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join("bench-disk-probe");
    let mut file = OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(&path)?;
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let start = Instant::now();
        file.write_all(&PAGE)?;
        file.sync_data()?;
        samples.push(micros(start.elapsed()));
    }
    drop(file);
    std::fs::remove_file(&path)?;
    Ok(DiskProbe {
        sync: LatencySummary::of(&mut samples),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn probes_the_given_directory_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let probe = probe(dir.path(), 20).unwrap();
        assert_eq!(probe.sync.count, 20);
        assert!(probe.sync.p50_us <= probe.sync.p99_us);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn the_ceiling_is_workers_per_sync() {
        let probe = DiskProbe {
            sync: LatencySummary {
                count: 10,
                p50_us: 2_500,
                p99_us: 4_000,
                max_us: 5_000,
            },
        };
        assert_eq!(probe.closed_loop_ceiling_rps(32), Some(12_800.0));
        let nothing = DiskProbe {
            sync: LatencySummary::default(),
        };
        assert_eq!(nothing.closed_loop_ceiling_rps(32), None);
    }

    #[test]
    fn a_directory_that_cannot_be_created_is_an_error() {
        let file = tempfile::NamedTempFile::new().unwrap();
        assert!(probe(&file.path().join("below-a-file"), 1).is_err());
    }
}

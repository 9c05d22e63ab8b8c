//! One reconciler pass over many open orders at the simulator's latency: the same
//! [`Reconciler::sweep`] that `mizan serve` runs every minute and `mizan status` runs once.
//!
//! The open orders are made at no latency (creating 10,000 at 200 ms would take the bench
//! longer than the pass), with no webhook registered, so nothing but the sweep touches them:
//! `--approved-percent` of them are approved by the customer (a missed `order_approved`, which
//! the sweep authorises: a read, the authorise and a re-read), the rest are checkouts still
//! open (`new`: one read). Then the latency is set and one pass is timed; the simulator counts
//! the API calls it received during the pass.

use std::time::{Duration, Instant};

use anyhow::Result;
use futures::StreamExt;
use mizan_core::reconcile::{MAX_ORDERS_PER_SWEEP, Reconciler};

use crate::rig::{Calls, Rig};

/// What one pass measured.
#[derive(Debug)]
pub struct Sweep {
    pub open: usize,
    pub approved: usize,
    pub concurrency: usize,
    pub latency: Duration,
    pub wall: Duration,
    pub calls: Calls,
    /// Orders the pass read (at most [`MAX_ORDERS_PER_SWEEP`]).
    pub checked: usize,
    /// Orders it changed (the approved ones it authorised).
    pub repaired: usize,
    pub failed: usize,
}

impl Sweep {
    pub fn orders_per_second(&self) -> f64 {
        self.checked as f64 / self.wall.as_secs_f64().max(f64::EPSILON)
    }

    /// Open orders this pass left for the next one (the per-sweep cap).
    pub fn left_over(&self) -> usize {
        self.open.saturating_sub(self.checked)
    }
}

/// Makes `open` open orders (`approved_percent` of them approved) and times one pass at
/// `latency` with `concurrency` reads at once.
pub async fn run(
    open: u64,
    approved_percent: u8,
    latency: Duration,
    concurrency: usize,
) -> Result<Sweep> {
    let rig = Rig::start().await?;
    let ids = rig.create_orders(1, open).await?;
    // Spread evenly (every k-th order) so the sweep's order of reading mixes both kinds.
    let approve: Vec<&String> = ids
        .iter()
        .enumerate()
        .filter(|(i, _)| (i * usize::from(approved_percent)) % 100 < usize::from(approved_percent))
        .map(|(_, id)| id)
        .collect();
    let approvals: Vec<Result<()>> = futures::stream::iter(&approve)
        .map(|id| rig.approve(id))
        .buffer_unordered(8)
        .collect()
        .await;
    approvals.into_iter().collect::<Result<Vec<()>>>()?;

    rig.set_latency(latency).await?;
    let before = rig.calls();
    let started = Instant::now();
    let report = Reconciler::new(rig.console.clone())
        .with_concurrency(concurrency)
        .sweep()
        .await?;
    let wall = started.elapsed();
    let calls = rig.calls().since(&before);
    rig.sim.shutdown().await;
    Ok(Sweep {
        open: ids.len(),
        approved: approve.len(),
        concurrency,
        latency,
        wall,
        calls,
        checked: report.checked,
        repaired: report.repaired,
        failed: report.failed,
    })
}

/// The cap a sweep reads, for the report.
pub const CAP: usize = MAX_ORDERS_PER_SWEEP;

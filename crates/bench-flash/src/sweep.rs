//! The scheduled reconciler over many open orders at the simulator's latency: the same
//! [`Reconciler::tick`] that `mizan serve` runs every minute, through the real API budget.
//!
//! The store is set up as a running service leaves it (at no latency; making 10,000 orders at
//! 200 ms would take longer than the run): `--open-orders` authorised orders waiting for
//! capture, made 8 hours ago (the console's clock runs 8 hours ahead, and the simulator's is
//! moved on to match once they exist), each last read at a time spread over the last 6 hours
//! (the quiet interval); and `--approved-percent` as many checkouts made just now and
//! approved by the customer, whose `order_approved` was missed (last read 10 minutes ago). No
//! webhook is registered, so nothing but the reconciler touches them. Then the latency is set
//! and `--ticks` ticks run a minute apart; the simulator counts the calls each spent.

use std::time::{Duration, Instant};

use anyhow::Result;
use futures::StreamExt;
use mizan_core::reconcile::Reconciler;
use mizan_core::store::watch;

use crate::rig::Rig;

/// One tick as measured.
#[derive(Debug)]
pub struct Tick {
    pub wall: Duration,
    pub calls: u64,
    pub due: usize,
    pub read: usize,
    pub deferred: usize,
    pub repaired: usize,
    pub failed: usize,
    pub most_overdue: Duration,
}

/// What the run measured.
#[derive(Debug)]
pub struct Schedule {
    pub open: usize,
    pub approved: usize,
    pub latency: Duration,
    pub concurrency: usize,
    /// The reconciler's share of the budget, calls a minute.
    pub share: u32,
    pub ticks: Vec<Tick>,
    /// Approved orders found authorised in the store after the run.
    pub approved_authorised: usize,
}

/// Sets up `open` authorised orders and `approved_percent` % more approved ones, then runs
/// `ticks` ticks a minute apart at `latency`.
pub async fn run(
    open: u64,
    approved_percent: u8,
    latency: Duration,
    concurrency: usize,
    ticks: usize,
) -> Result<Schedule> {
    let age = chrono::Duration::hours(8);
    let rig = Rig::start_shifted(age).await?;
    let (console, env) = (&rig.console, rig.console.environment());
    let ids = rig.create_orders(1, open).await?;
    let gateway = console.gateway()?;
    let ready: Vec<Result<()>> = futures::stream::iter(&ids)
        .map(|id| async {
            rig.approve(id).await?;
            gateway.authorise(id).await?;
            console.fetch_order(id).await?;
            Ok(())
        })
        .buffer_unordered(4)
        .collect()
        .await;
    ready.into_iter().collect::<Result<Vec<()>>>()?;
    rig.advance_clock(age).await?;
    let n_approved = (open * u64::from(approved_percent)).div_ceil(100);
    let approved = rig.create_orders(open + 1, n_approved).await?;
    for id in &approved {
        rig.approve(id).await?;
    }
    // As a service running for hours leaves them: read at times spread over the quiet
    // interval, last changed (authorised) before that.
    let now = console.now();
    let spread = chrono::Duration::hours(6);
    for (i, id) in ids.iter().enumerate() {
        let read =
            now - spread * i32::try_from(i).unwrap_or(0) / i32::try_from(ids.len()).unwrap_or(1);
        let changed = now - age;
        watch::backdate(console.store(), env, id, read, Some(changed)).await?;
    }
    for id in &approved {
        let read = now - chrono::Duration::minutes(10);
        watch::backdate(console.store(), env, id, read, None).await?;
    }

    rig.set_latency(latency).await?;
    let reconciler = Reconciler::new(console.clone()).with_concurrency(concurrency);
    let share = console.api_budget().config().reconciler_per_minute;
    let mut out = Vec::new();
    for k in 0..ticks {
        let started = Instant::now();
        let before = rig.calls();
        let r = reconciler.tick().await?;
        let wall = started.elapsed();
        out.push(Tick {
            wall,
            calls: rig.calls().since(&before).total,
            due: r.due,
            read: r.checked,
            deferred: r.deferred,
            repaired: r.repaired,
            failed: r.failed,
            most_overdue: Duration::from_secs(r.most_overdue_secs),
        });
        eprintln!("  tick {}: {:?}", k + 1, out.last());
        if k + 1 < ticks {
            tokio::time::sleep(Duration::from_secs(60).saturating_sub(wall)).await;
        }
    }
    let mut approved_authorised = 0;
    for id in &approved {
        let o = mizan_core::store::orders::get(console.store(), env, id).await?;
        approved_authorised += usize::from(o.is_some_and(|o| o.status == "authorised"));
    }
    rig.sim.shutdown().await;
    Ok(Schedule {
        open: ids.len(),
        approved: approved.len(),
        latency,
        concurrency,
        share,
        ticks: out,
        approved_authorised,
    })
}

//! `bench-flash` (issue 23, "keep up with a flash sale"): how today's console copes with a
//! slow gateway. Two parts, each on its own simulator and console so neither's orders are in
//! the other's way:
//!
//! - the flash sale (`flash.rs`): `--orders` checkouts approved at once, authorised by the
//!   service's webhook processor; orders per second and acknowledgement-to-authorised p50/p99;
//! - the reconciler's schedule (`sweep.rs`): `--ticks` real ticks a minute apart over
//!   `--open-orders` open orders through the real API budget; per tick the orders due, read
//!   and deferred, the calls spent (counted by the simulator) and the wall time;
//! - the schedule's model (`model.rs`): the same plan over `--model-days` of virtual time,
//!   with Tamara's deadlines passing; deadlines kept and calls a minute against the budget.
//!
//! Every Tamara API call answers after `--latency-ms` (the simulator's standing latency).
//! Usage: `bench-flash [--orders 40] [--latency-ms 200] [--open-orders 10000]
//! [--approved-percent 1] [--concurrency 4] [--ticks 3] [--model-days 3]`; `--orders 0`,
//! `--ticks 0` or `--model-days 0` skips a part.

mod flash;
mod model;
mod report;
mod rig;
mod stats;
mod sweep;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

/// The same allocator as `mizan` (mimalloc), so the console here behaves as the shipped one.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "bench-flash",
    about = "Flash-sale and reconcile benchmark (issue 23)"
)]
struct Args {
    /// Approved orders notified at once (0 skips the flash sale).
    #[arg(long, default_value_t = 40)]
    orders: u64,
    /// Every simulator API call answers after this many milliseconds.
    #[arg(long, default_value_t = 200)]
    latency_ms: u64,
    /// Open (authorised) orders the reconciler watches.
    #[arg(long, default_value_t = 10_000)]
    open_orders: u64,
    /// Approved orders with their webhook missed, as a share of the open ones (the
    /// reconciler authorises them).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(0..=100))]
    approved_percent: u8,
    /// Order reads the reconciler runs at once (the service's default is 4).
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Real reconciler ticks, a minute apart (0 skips them).
    #[arg(long, default_value_t = 3)]
    ticks: usize,
    /// Days of virtual time the schedule's model runs (0 skips it).
    #[arg(long, default_value_t = 3)]
    model_days: u32,
    /// Give up on the flash sale after this many seconds.
    #[arg(long, default_value_t = 1_800)]
    timeout_secs: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    // Two workers, like the tests of the service: the machine this runs on has two cores.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("bench-flash: no runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(bench(&args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-flash: {e:#}");
            ExitCode::from(1)
        }
    }
}

async fn bench(args: &Args) -> anyhow::Result<()> {
    let latency = Duration::from_millis(args.latency_ms);
    let flash = if args.orders > 0 {
        eprintln!(
            "flash sale: {} orders at {} ms per API call…",
            args.orders, args.latency_ms
        );
        let timeout = Duration::from_secs(args.timeout_secs);
        Some(flash::run(args.orders, latency, timeout).await?)
    } else {
        None
    };
    let schedule = if args.ticks > 0 && args.open_orders > 0 {
        eprintln!(
            "reconciler: {} open orders (+{} % approved, webhook missed) at {} ms, {} ticks…",
            args.open_orders, args.approved_percent, args.latency_ms, args.ticks
        );
        Some(
            sweep::run(
                args.open_orders,
                args.approved_percent,
                latency,
                args.concurrency,
                args.ticks,
            )
            .await?,
        )
    } else {
        None
    };
    let model = (args.model_days > 0 && args.open_orders > 0).then(|| {
        let share = mizan_core::gateway::BudgetConfig::default().reconciler_per_minute;
        model::run(
            args.open_orders,
            args.approved_percent,
            share,
            args.model_days,
        )
    });
    print!(
        "{}",
        report::markdown(flash.as_ref(), schedule.as_ref(), model.as_ref())
    );
    Ok(())
}

//! `bench-flash` (issue 23, "keep up with a flash sale"): how today's console copes with a
//! slow gateway. Two parts, each on its own simulator and console so neither's orders are in
//! the other's way:
//!
//! - the flash sale (`flash.rs`): `--orders` checkouts approved at once, authorised by the
//!   service's webhook processor; orders per second and acknowledgement-to-authorised p50/p99;
//! - the reconcile pass (`sweep.rs`): one reconciler sweep over `--open-orders` open orders;
//!   wall time and the API calls it spent.
//!
//! Every Tamara API call answers after `--latency-ms` (the simulator's standing latency).
//! Usage: `bench-flash [--orders 40] [--latency-ms 200] [--open-orders 10000]
//! [--approved-percent 50] [--concurrency 4]`; `--orders 0` or `--open-orders 0` skips a part.

mod flash;
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
    /// Open orders the reconcile pass reads (0 skips it).
    #[arg(long, default_value_t = 10_000)]
    open_orders: u64,
    /// Share of the open orders approved with their webhook missed (the pass authorises them).
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u8).range(0..=100))]
    approved_percent: u8,
    /// Order reads the pass runs at once (the service's default is 4).
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
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
    let sweep = if args.open_orders > 0 {
        eprintln!(
            "reconcile pass: {} open orders ({} % approved) at {} ms, concurrency {}…",
            args.open_orders, args.approved_percent, args.latency_ms, args.concurrency
        );
        Some(
            sweep::run(
                args.open_orders,
                args.approved_percent,
                latency,
                args.concurrency,
            )
            .await?,
        )
    } else {
        None
    };
    print!("{}", report::markdown(flash.as_ref(), sweep.as_ref()));
    Ok(())
}

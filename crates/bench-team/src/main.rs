//! `bench-team`: the command-line entry of the team server's order-list benchmark (see the
//! library's docs). Prints the table (or `--json`) on stdout and progress on stderr.
//!
//! Exit status: 0 when the run completed (whatever the target says — it is printed as
//! PASS/MISS), 2 on a usage error (including no `mizan` executable), 1 when the run could not
//! complete (also when PostgreSQL is not installed).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use mizan_bench_team::{BenchError, BenchOptions, run};

/// The same allocator as `mizan`, for the load generator's share of the machine.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "bench-team",
    about = "Seed a throwaway PostgreSQL database with orders, start `mizan serve --database` \
             on it, and have concurrent consoles page and filter the order list through the \
             team API; print page latency p50/p95/p99 against the target."
)]
struct Cli {
    /// The `mizan` executable to benchmark [default: `mizan` next to this executable].
    #[arg(long)]
    mizan: Option<PathBuf>,
    /// Orders seeded into the store.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    orders: u64,
    /// Concurrent consoles (finance users, one token each).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=500))]
    consoles: u64,
    /// Page requests per console.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    requests: u64,
    /// Rows per page.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=1000))]
    limit: u32,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("bench-team: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let mizan = match cli.mizan {
        Some(p) => p,
        None => match std::env::current_exe() {
            Ok(own) => own.with_file_name(format!("mizan{}", std::env::consts::EXE_SUFFIX)),
            Err(e) => {
                eprintln!("bench-team: cannot find its own executable: {e}");
                return ExitCode::from(1);
            }
        },
    };
    let mut opts = BenchOptions::new(mizan);
    opts.orders = cli.orders;
    opts.consoles = usize::try_from(cli.consoles).unwrap_or(20);
    opts.requests = usize::try_from(cli.requests).unwrap_or(200);
    opts.limit = cli.limit;
    match runtime.block_on(run(&opts)) {
        Ok(report) => {
            if cli.json {
                match serde_json::to_string_pretty(&report) {
                    Ok(text) => println!("{text}"),
                    Err(e) => {
                        eprintln!("bench-team: cannot serialise the report: {e}");
                        return ExitCode::from(1);
                    }
                }
            } else {
                print!("{}", report.render());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench-team: {e} [{}]", e.code());
            ExitCode::from(if matches!(e, BenchError::Options(_)) {
                2
            } else {
                1
            })
        }
    }
}

//! `bench-webhooks`: the command-line entry of the webhook receiver benchmark (see the
//! library's docs). Prints the table (or `--json`) on stdout and progress on stderr.
//!
//! Exit status: 0 when the run completed (whatever the targets say — they are printed as
//! PASS/MISS), 2 on a usage error (including no `mizan` executable), 1 when the run could not
//! complete.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use mizan_bench_webhooks::{Backend, Baseline, BenchOptions, bare, run};

/// The same allocator as `mizan` (mimalloc), so the bare baseline (`bench-webhooks bare`) is
/// not handicapped by glibc's malloc against the server it is compared with; the load
/// generator uses it too, for both targets alike.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "bench-webhooks",
    about = "Fire signed Tamara webhooks at `mizan serve` and at a bare axum endpoint; compare \
             throughput and acknowledgement latency, and check that no acknowledged delivery \
             was lost.",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// The `mizan` executable to benchmark [default: `mizan` next to this executable].
    #[arg(long)]
    mizan: Option<PathBuf>,
    /// Closed-loop requests per target.
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..))]
    requests: u64,
    /// Concurrent workers in the closed loop.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..=4096))]
    concurrency: u64,
    /// Requests per second in the paced phase.
    #[arg(long, default_value_t = 1_000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    rate: u32,
    /// Seconds of the paced phase.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=600))]
    paced_secs: u32,
    /// Unmeasured requests per target before measuring [default: requests / 20, 10 to 1000].
    #[arg(long)]
    warmup: Option<u64>,
    /// Closed-loop rounds per target, alternating bare and serve; the ratio is of their medians.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=20))]
    rounds: u32,
    /// The store of `mizan serve`: `postgres` starts a throwaway cluster (mizan-pgtest's, which
    /// needs PostgreSQL installed) and serves each round on a fresh database of it.
    #[arg(long, value_enum, default_value_t = Backend::Sqlite)]
    database: Backend,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The baseline server (answers 200 `{}` and does nothing); started by the bench itself.
    #[command(hide = true)]
    Bare {
        #[arg(long)]
        listen: SocketAddr,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("bench-webhooks: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    if let Some(Command::Bare { listen }) = cli.command {
        return match runtime.block_on(bare::serve(listen)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("bench-webhooks bare: {e}");
                ExitCode::from(1)
            }
        };
    }
    let own = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("bench-webhooks: cannot find its own executable: {e}");
            return ExitCode::from(1);
        }
    };
    let mizan = cli
        .mizan
        .unwrap_or_else(|| own.with_file_name(format!("mizan{}", std::env::consts::EXE_SUFFIX)));
    let mut opts = BenchOptions::new(mizan, Baseline::Process(own));
    opts.requests = cli.requests;
    opts.concurrency = usize::try_from(cli.concurrency).unwrap_or(32);
    opts.rate = cli.rate;
    opts.paced_secs = cli.paced_secs;
    opts.rounds = cli.rounds;
    opts.backend = cli.database;
    opts.warmup = cli.warmup.unwrap_or((cli.requests / 20).clamp(10, 1_000));
    match runtime.block_on(run(&opts)) {
        Ok(report) => {
            if cli.json {
                match serde_json::to_string_pretty(&report) {
                    Ok(text) => println!("{text}"),
                    Err(e) => {
                        eprintln!("bench-webhooks: cannot serialise the report: {e}");
                        return ExitCode::from(1);
                    }
                }
            } else {
                print!("{}", report.render());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench-webhooks: {e} [{}]", e.code());
            let usage = matches!(e, mizan_bench_webhooks::BenchError::Options(_));
            ExitCode::from(if usage { 2 } else { 1 })
        }
    }
}

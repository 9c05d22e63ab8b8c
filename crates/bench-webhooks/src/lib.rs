//! `bench-webhooks`: how fast `mizan serve` acknowledges Tamara's notifications, compared with
//! a bare axum endpoint that does nothing, and whether it loses any. The targets are serve's
//! acknowledgement p99 at 1,000 deliveries/s and zero loss; the comparison with the bare
//! endpoint is informational (docs/benchmarks.md).
//!
//! One run: start the Tamara simulator and create approved orders in it; then, for each round
//! (3 by default): start the bare endpoint as a child process and load it (warm-up, in the
//! first round a paced open loop, closed loop); stop it; start the real `mizan serve` as a
//! child process on a fresh data directory, pointed at the simulator so its processor re-reads
//! every notified order as in production, and load it the same way; stop it with SIGTERM; then
//! check its SQLite inbox body by body against the 200s. The printed ratio is of the two
//! targets' median closed-loop rounds; alternating rounds lets both see the same slow spells.
//!
//! With `--database postgres` the store under test is PostgreSQL instead of SQLite: the bench
//! starts a throwaway cluster of its own (mizan-pgtest, `fsync` on so that a commit costs what
//! it costs in production), gives each round's `mizan serve --database` a fresh database of it,
//! and reads that database's inbox after the stop, body by body as for SQLite; its p99 target
//! is 20 ms instead of 10 (a commit is a round trip to another process plus its WAL flush).
//!
//! Invariants: the two servers never run at the same time (neither steals CPU from the other's
//! measurement); both get byte-identical requests from the same generator; only one server is
//! alive per phase and none outlives the run, even on an error.

pub mod bare;
pub mod disk;
pub mod fixtures;
pub mod inbox;
pub mod load;
pub mod report;
pub mod servers;
pub mod stats;

use std::path::PathBuf;
use std::sync::Arc;

use fixtures::{Notifications, Simulator};
use inbox::InboxTally;
use load::{PhaseRun, Target};
use report::{LoadShape, Report, RoundThroughput, TargetResult};
use servers::ServerProcess;

/// Why a run could not complete. `code()` is stable.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("invalid option: {0}")]
    Options(String),
    #[error("cannot start {what}: {source}")]
    Spawn {
        what: &'static str,
        source: std::io::Error,
    },
    #[error("{what} did not become ready: {detail}")]
    NotReady { what: &'static str, detail: String },
    #[error("the Tamara simulator: {0}")]
    Simulator(String),
    #[error("setting up orders in the simulator: {0}")]
    Setup(String),
    #[error("the HTTP client: {0}")]
    Client(reqwest::Error),
    #[error("signing the notification token: {0}")]
    Sign(tamara::notification::TokenError),
    #[error("stopping the server: {0}")]
    Stop(String),
    #[error("probing the disk under {path}: {source}")]
    Disk {
        path: String,
        source: std::io::Error,
    },
    #[error("reading the delivery store {path}: {source}")]
    Store { path: String, source: sqlx::Error },
    #[error("{0}")]
    NoPostgres(mizan_pgtest::PgTestError),
    #[error("the throwaway PostgreSQL cluster: {0}")]
    Postgres(mizan_pgtest::PgTestError),
}

impl BenchError {
    pub fn code(&self) -> &'static str {
        match self {
            BenchError::Options(_) => "bench_options",
            BenchError::Spawn { .. } => "bench_spawn",
            BenchError::NotReady { .. } => "bench_server_not_ready",
            BenchError::Simulator(_) => "bench_simulator",
            BenchError::Setup(_) => "bench_setup",
            BenchError::Client(_) => "bench_client",
            BenchError::Sign(_) => "bench_sign",
            BenchError::Stop(_) => "bench_stop",
            BenchError::Store { .. } => "bench_store",
            BenchError::Disk { .. } => "bench_disk",
            BenchError::NoPostgres(_) => "bench_no_postgres",
            BenchError::Postgres(_) => "bench_postgres",
        }
    }
}

/// Rounds of the disk probe: enough for a stable median, well under a second on most disks.
const DISK_PROBE_ROUNDS: usize = 200;

/// Why a run with no rounds is refused.
const NO_ROUNDS: &str = "--rounds must be at least 1";

/// How the bare baseline runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Baseline {
    /// `<path> bare --listen 127.0.0.1:0`: the bench executable's hidden subcommand, its own
    /// process like `mizan serve` (what the command does).
    Process(PathBuf),
    /// On a thread of this process (for tests that have no bench executable at hand).
    InProcess,
}

/// The store `mizan serve` runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// A fresh data directory per round (the desktop's and a lone server's store).
    #[default]
    Sqlite,
    /// A fresh database per round of a throwaway cluster the bench starts (the team server).
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// What to run and how hard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchOptions {
    /// The `mizan` executable under test.
    pub mizan: PathBuf,
    pub baseline: Baseline,
    /// Closed-loop requests per target.
    pub requests: u64,
    /// Closed-loop workers.
    pub concurrency: usize,
    /// Paced requests per second.
    pub rate: u32,
    /// Paced seconds.
    pub paced_secs: u32,
    /// Unmeasured requests per target before its phases.
    pub warmup: u64,
    /// Orders created in the simulator; notifications cycle through them.
    pub orders: usize,
    /// Times the closed loop is run against each target, alternating (bare, serve, bare, …),
    /// each on a freshly started server; the paced phase runs in the first round only.
    pub rounds: u32,
    pub backend: Backend,
}

impl BenchOptions {
    /// The defaults: 20,000 requests at concurrency 32, then 1,000 req/s for 5 s.
    pub fn new(mizan: PathBuf, baseline: Baseline) -> BenchOptions {
        BenchOptions {
            mizan,
            baseline,
            requests: 20_000,
            concurrency: 32,
            rate: 1_000,
            paced_secs: 5,
            warmup: 1_000,
            orders: 50,
            rounds: 3,
            backend: Backend::Sqlite,
        }
    }

    fn check(&self) -> Result<(), BenchError> {
        let bad = |m: &str| Err(BenchError::Options(m.to_owned()));
        if self.requests == 0 {
            return bad("--requests must be at least 1");
        }
        if self.concurrency == 0 {
            return bad("--concurrency must be at least 1");
        }
        if self.rate == 0 || self.paced_secs == 0 {
            return bad("--rate and --paced-secs must be at least 1");
        }
        if self.rounds == 0 {
            return bad(NO_ROUNDS);
        }
        if self.orders == 0 {
            return bad("at least one order is needed");
        }
        if !self.mizan.is_file() {
            return Err(BenchError::Options(format!(
                "no mizan executable at {} (build it: cargo build --release -p mizan-cli, or pass --mizan PATH)",
                self.mizan.display()
            )));
        }
        Ok(())
    }
}

/// A server under load, whichever way it runs.
enum Running {
    Process(ServerProcess),
    Thread(bare::InProcessBare),
}

impl Running {
    fn base_url(&self) -> String {
        match self {
            Running::Process(p) => p.base_url(),
            Running::Thread(t) => t.base_url(),
        }
    }

    fn cpu_time(&self) -> Option<std::time::Duration> {
        match self {
            Running::Process(p) => p.cpu_time(),
            Running::Thread(_) => None,
        }
    }

    fn stop(self) -> Result<(), BenchError> {
        match self {
            Running::Process(p) => p.stop(),
            Running::Thread(t) => {
                drop(t);
                Ok(())
            }
        }
    }
}

/// Runs the whole benchmark; progress goes to stderr.
///
/// # Errors
/// Any [`BenchError`]; every server started is stopped first.
pub async fn run(opts: &BenchOptions) -> Result<Report, BenchError> {
    opts.check()?;
    let scratch = tempfile::tempdir().map_err(|source| BenchError::Spawn {
        what: "a scratch directory",
        source,
    })?;
    let simulator = Simulator::start()?;
    let setup_client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .map_err(BenchError::Client)?;
    let orders = fixtures::create_orders(&setup_client, simulator.base_url(), opts.orders).await?;
    let bodies = Arc::new(Notifications::new(orders)?);
    let token = fixtures::sign_now()?;
    let cluster = match opts.backend {
        Backend::Sqlite => None,
        Backend::Postgres => {
            progress("starting a throwaway PostgreSQL cluster (fsync on)");
            Some(
                mizan_pgtest::TempCluster::start_durable().map_err(|e| match e {
                    mizan_pgtest::PgTestError::NotInstalled => BenchError::NoPostgres(e),
                    e => BenchError::Postgres(e),
                })?,
            )
        }
    };

    let mut bare_rounds = Vec::new();
    let mut serve_rounds = Vec::new();
    let mut tally = InboxTally::default();
    for round in 0..opts.rounds {
        let paced = round == 0;
        let of = format!("round {}/{}", round + 1, opts.rounds);
        progress(&format!("{of}: bare endpoint"));
        let bare = match &opts.baseline {
            Baseline::Process(exe) => Running::Process(ServerProcess::bare(exe, scratch.path())?),
            Baseline::InProcess => Running::Thread(bare::InProcessBare::start()?),
        };
        let (bare_result, _) = load_target(opts, &bare, &token, &bodies, paced).await?;
        bare.stop()?;

        progress(&format!("{of}: mizan serve"));
        // A fresh data directory per round: no round inherits another's backlog.
        let data_dir = scratch.path().join(format!("data-{}", round + 1));
        let database = match &cluster {
            Some(c) => Some(
                c.create_database(&format!("bench_round_{}", round + 1))
                    .map_err(BenchError::Postgres)?,
            ),
            None => None,
        };
        let serve = Running::Process(ServerProcess::serve(
            &opts.mizan,
            &data_dir,
            database.as_deref(),
            simulator.base_url(),
            scratch.path(),
        )?);
        let (serve_result, acknowledged) =
            load_target(opts, &serve, &token, &bodies, paced).await?;
        progress(&format!(
            "{of}: stopping mizan serve (SIGTERM) and reading its inbox"
        ));
        serve.stop()?;
        let stored = match &database {
            Some(url) => inbox::tally_postgres(url, &acknowledged).await?,
            None => inbox::tally(&data_dir.join("mizan.db"), &acknowledged).await?,
        };
        tally.absorb(&stored);
        bare_rounds.push(bare_result);
        serve_rounds.push(serve_result);
    }
    drop(simulator);
    drop(cluster);
    let rounds = bare_rounds
        .iter()
        .zip(&serve_rounds)
        .map(|(bare, serve)| RoundThroughput {
            bare_rps: bare.closed.throughput_rps,
            serve_rps: serve.closed.throughput_rps,
        })
        .collect();
    let (Some(serve_result), Some(bare_result)) = (
        TargetResult::across_rounds(&serve_rounds),
        TargetResult::across_rounds(&bare_rounds),
    ) else {
        // `check` refused this already; the results of no round have no median.
        return Err(BenchError::Options(NO_ROUNDS.to_owned()));
    };

    let load = LoadShape {
        requests: opts.requests,
        concurrency: opts.concurrency,
        rate: opts.rate,
        paced_secs: opts.paced_secs,
        warmup: opts.warmup,
        orders: opts.orders,
        backend: opts.backend,
    };
    progress("probing the disk's durable-write latency");
    let disk =
        disk::probe(scratch.path(), DISK_PROBE_ROUNDS).map_err(|source| BenchError::Disk {
            path: scratch.path().display().to_string(),
            source,
        })?;
    let mut report = Report::new(load, serve_result, bare_result, tally);
    report.rounds = rounds;
    report.disk = Some(disk);
    Ok(report)
}

/// Warm-up, paced phase (when `paced`), closed phase against one server. Returns its result
/// and the body indices it acknowledged (warm-up included).
async fn load_target(
    opts: &BenchOptions,
    server: &Running,
    token: &str,
    bodies: &Arc<Notifications>,
    paced: bool,
) -> Result<(TargetResult, Vec<u64>), BenchError> {
    let target = Target::new(&server.base_url(), token, bodies.clone())?;
    // Distinct index ranges per phase: every body the run sends is its own event.
    let paced_first = opts.warmup;
    let closed_first = paced_first + u64::from(opts.rate) * u64::from(opts.paced_secs);
    let warm = target.closed_loop(0, opts.warmup, opts.concurrency).await;
    let cpu_before = server.cpu_time();
    let paced = if paced {
        progress(&format!(
            "  paced: {} req/s for {} s",
            opts.rate, opts.paced_secs
        ));
        target.paced(paced_first, opts.rate, opts.paced_secs).await
    } else {
        PhaseRun::default()
    };
    progress(&format!(
        "  closed loop: {} requests, concurrency {}",
        opts.requests, opts.concurrency
    ));
    let closed = target
        .closed_loop(closed_first, opts.requests, opts.concurrency)
        .await;
    let cpu_us_per_request = cpu_before
        .zip(server.cpu_time())
        .map(|(before, after)| after.saturating_sub(before))
        .map(|used| {
            stats::micros(used) as f64 / (paced.result.ok + closed.result.ok).max(1) as f64
        });
    let mut acknowledged = Vec::new();
    for run in [&warm, &paced, &closed] {
        acknowledged.extend_from_slice(&run.acknowledged);
    }
    let PhaseRun { result: paced, .. } = paced;
    let PhaseRun { result: closed, .. } = closed;
    Ok((
        TargetResult {
            closed,
            paced,
            cpu_us_per_request,
        },
        acknowledged,
    ))
}

fn progress(what: &str) {
    eprintln!("bench-webhooks: {what}");
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[tokio::test]
    async fn options_are_checked_before_anything_starts() {
        let mut opts = BenchOptions::new("/nonexistent/mizan".into(), Baseline::InProcess);
        let err = run(&opts).await.unwrap_err();
        assert_eq!(err.code(), "bench_options");
        assert!(err.to_string().contains("/nonexistent/mizan"), "{err}");
        opts.mizan = std::env::current_exe().unwrap();
        opts.concurrency = 0;
        let err = run(&opts).await.unwrap_err();
        assert!(err.to_string().contains("--concurrency"), "{err}");
    }
}

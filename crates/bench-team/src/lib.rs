//! `bench-team`: how fast the team server answers the order list when many consoles page and
//! filter a large store at once. The target is a page's p95 latency under 100 ms with 20
//! consoles on 1,000,000 orders (docs/benchmarks.md); requests/s is printed for information.
//!
//! One run: start a throwaway PostgreSQL cluster (mizan-pgtest, `fsync` on as in production);
//! create a fresh database and seed it with `mizan_core::store::seed` (then `ANALYZE`, as a
//! live database's autovacuum would have); make one finance user with a personal token per
//! console straight through `mizan_core::store::team` (tokens hashed with the server's own
//! Argon2 cost); start the real `mizan serve --database` as a child process; let every console
//! send its fixed sequence of `POST /api/v1/orders/page` requests (see [`consoles`]); stop the
//! server with SIGTERM.
//!
//! Invariants: the server, the cluster and the scratch directory never outlive the run, even
//! on an error; only requests answered 200 count as latency samples, the rest are errors; the
//! tokens never leave the process (they are not printed).

pub mod consoles;
pub mod report;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use mizan_bench_webhooks::servers::ServerProcess;
use mizan_core::store::{Environment, Store, seed, team};
use mizan_core::team::{Role, TokenHasher};
use mizan_pgtest::{PgTestError, TempCluster};
use sqlx::Connection as _;

use report::{Report, Setup};

/// Why a run could not complete. `code()` is stable.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("invalid option: {0}")]
    Options(String),
    #[error("{0}")]
    NoPostgres(PgTestError),
    #[error("the throwaway PostgreSQL cluster: {0}")]
    Postgres(PgTestError),
    #[error("{what}: {detail}")]
    Setup { what: &'static str, detail: String },
    #[error(transparent)]
    Server(#[from] mizan_bench_webhooks::BenchError),
    #[error("the HTTP client: {0}")]
    Client(reqwest::Error),
}

impl BenchError {
    pub fn code(&self) -> &'static str {
        match self {
            BenchError::Options(_) => "bench_options",
            BenchError::NoPostgres(_) => "bench_no_postgres",
            BenchError::Postgres(_) => "bench_postgres",
            BenchError::Setup { .. } => "bench_setup",
            BenchError::Server(e) => e.code(),
            BenchError::Client(_) => "bench_client",
        }
    }
}

fn setup(what: &'static str) -> impl Fn(String) -> BenchError {
    move |detail| BenchError::Setup { what, detail }
}

/// What to run and how hard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchOptions {
    /// The `mizan` executable under test.
    pub mizan: PathBuf,
    /// Orders seeded into the store.
    pub orders: u64,
    /// Concurrent consoles, each a finance user with a token of their own.
    pub consoles: usize,
    /// Page requests per console.
    pub requests: usize,
    /// Rows per page.
    pub limit: u32,
    /// Cheap Argon2 hashes for the tokens (tests: a debug build hashes the default cost
    /// slowly); the server verifies whatever cost is stored.
    pub cheap_tokens: bool,
}

impl BenchOptions {
    /// The issue's defaults: 20 consoles on 1,000,000 orders, 200 pages each of 50 rows.
    pub fn new(mizan: PathBuf) -> BenchOptions {
        BenchOptions {
            mizan,
            orders: 1_000_000,
            consoles: 20,
            requests: 200,
            limit: 50,
            cheap_tokens: false,
        }
    }

    fn check(&self) -> Result<(), BenchError> {
        let bad = |m: &str| Err(BenchError::Options(m.to_owned()));
        if self.orders == 0 {
            return bad("--orders must be at least 1");
        }
        if self.consoles == 0 || self.requests == 0 {
            return bad("--consoles and --requests must be at least 1");
        }
        if !(1..=1000).contains(&self.limit) {
            return bad("--limit must be 1 to 1000 (the order list's own bounds)");
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

/// Runs the whole benchmark; progress goes to stderr.
///
/// # Errors
/// Any [`BenchError`]; the server and the cluster are stopped first.
pub async fn run(opts: &BenchOptions) -> Result<Report, BenchError> {
    opts.check()?;
    let scratch = tempfile::tempdir().map_err(|e| setup("a scratch directory")(e.to_string()))?;
    progress("starting a throwaway PostgreSQL cluster (fsync on)");
    let cluster = TempCluster::start_durable().map_err(|e| match e {
        PgTestError::NotInstalled => BenchError::NoPostgres(e),
        e => BenchError::Postgres(e),
    })?;
    let url = cluster
        .create_database("bench_team")
        .map_err(BenchError::Postgres)?;

    progress(&format!("seeding {} orders", opts.orders));
    let started = Instant::now();
    let tokens = prepare(&url, opts).await?;
    let seed_secs = started.elapsed().as_secs_f64();
    progress(&format!(
        "seeded and analysed in {seed_secs:.0} s; starting mizan serve --database"
    ));

    let server = serve(&opts.mizan, &url, scratch.path())?;
    let http = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(opts.consoles)
        .build()
        .map_err(BenchError::Client)?;
    let load = consoles::Load {
        base_url: server.base_url(),
        limit: opts.limit,
        requests: opts.requests,
    };
    progress(&format!(
        "{} consoles x {} page requests",
        opts.consoles, opts.requests
    ));
    let result = consoles::run(&http, &load, &tokens).await;
    progress("stopping mizan serve (SIGTERM)");
    server.stop()?;
    drop(cluster);
    Ok(Report::new(
        Setup {
            orders: opts.orders,
            consoles: opts.consoles,
            requests: opts.requests,
            limit: opts.limit,
            seed_secs,
        },
        result,
    ))
}

/// Seeds the orders, analyses the tables and makes one finance user and token per console;
/// returns the tokens.
async fn prepare(url: &str, opts: &BenchOptions) -> Result<Vec<String>, BenchError> {
    let store = Store::connect_postgres(url)
        .await
        .map_err(|e| setup("opening the store")(e.to_string()))?;
    seed::seed_orders(&store, Environment::Sandbox, 0, opts.orders)
        .await
        .map_err(|e| setup("seeding orders")(e.to_string()))?;
    let hasher = if opts.cheap_tokens {
        TokenHasher::with_cost(8, 1, 1).map_err(|e| setup("the token hasher")(e.to_string()))?
    } else {
        TokenHasher::default()
    };
    let now = chrono::Utc::now();
    let mut tokens = Vec::with_capacity(opts.consoles);
    for n in 1..=opts.consoles {
        let user = team::add_user(&store, &format!("console-{n}"), Role::Finance, "bench", now)
            .await
            .map_err(|e| setup("adding a user")(e.to_string()))?;
        let (token, stored) = hasher
            .issue()
            .map_err(|e| setup("issuing a token")(e.to_string()))?;
        team::add_token(&store, user, &stored.prefix, &stored.hash, "bench", now)
            .await
            .map_err(|e| setup("storing a token")(e.to_string()))?;
        tokens.push(token.reveal().to_owned());
    }
    store.close().await;
    // Fresh planner statistics: a live database has them from autovacuum; without them the
    // first minutes of a freshly seeded one measure the planner's guesses instead.
    let mut conn = sqlx::PgConnection::connect(url)
        .await
        .map_err(|e| setup("connecting to analyse")(e.to_string()))?;
    sqlx::query("ANALYZE")
        .execute(&mut conn)
        .await
        .map_err(|e| setup("ANALYZE")(e.to_string()))?;
    conn.close()
        .await
        .map_err(|e| setup("closing the connection")(e.to_string()))?;
    Ok(tokens)
}

/// `mizan serve --database URL` on a free loopback port, with a clean environment; no
/// reconciler (it would re-read the seeded open orders from a gateway that does not exist) and
/// a gateway address nothing listens on.
fn serve(mizan: &Path, url: &str, scratch: &Path) -> Result<ServerProcess, BenchError> {
    let mut cmd = Command::new(mizan);
    cmd.args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--no-reconcile",
        "--database",
        url,
    ])
    .env_clear()
    .env("PATH", std::env::var_os("PATH").unwrap_or_default())
    .env("MIZAN_DATA_DIR", scratch.join("data"))
    .env("MIZAN_SANDBOX_API_URL", "http://127.0.0.1:9")
    .env("MIZAN_SANDBOX_API_TOKEN", "bench-api-token")
    .env(
        "MIZAN_SANDBOX_NOTIFICATION_TOKEN",
        "bench-notification-token",
    )
    .env("MIZAN_OPERATOR", "bench");
    if let Some(filter) = std::env::var_os("MIZAN_LOG") {
        cmd.env("MIZAN_LOG", filter); // serve's log filter, for diagnosing a run
    }
    Ok(ServerProcess::start(
        "mizan serve",
        cmd,
        &scratch.join("serve.stderr"),
    )?)
}

fn progress(what: &str) {
    eprintln!("bench-team: {what}");
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[tokio::test]
    async fn options_are_checked_before_anything_starts() {
        let mut opts = BenchOptions::new("/nonexistent/mizan".into());
        let err = run(&opts).await.unwrap_err();
        assert_eq!(err.code(), "bench_options");
        assert!(err.to_string().contains("/nonexistent/mizan"), "{err}");
        opts.mizan = std::env::current_exe().unwrap();
        opts.limit = 0;
        let err = run(&opts).await.unwrap_err();
        assert!(err.to_string().contains("--limit"), "{err}");
    }
}

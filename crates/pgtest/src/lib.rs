//! A throwaway PostgreSQL cluster for tests: the machine's own PostgreSQL binaries (Debian's
//! `postgresql` package, which `scripts/setup` installs), a data directory and a Unix socket in
//! a temporary directory, and a free port on 127.0.0.1 — never a mock, never the machine's own
//! cluster.
//!
//! Invariants: the cluster is stopped (immediately) and its directory removed when the
//! [`TempCluster`] is dropped; run as root, the server runs as the `postgres` user (PostgreSQL
//! refuses to run as root), which then owns the temporary directory; without PostgreSQL on
//! the machine [`TempCluster::start`] says so ([`PgTestError::NotInstalled`]) and tests decide
//! whether that skips them or fails them ([`required`]).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Set to `1` (as `scripts/test` does) to make a missing PostgreSQL fail the tests that need
/// one instead of skipping them.
pub const REQUIRE_VAR: &str = "MIZAN_REQUIRE_POSTGRES";

/// Why a cluster could not be started.
#[derive(Debug, thiserror::Error)]
pub enum PgTestError {
    #[error(
        "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); scripts/setup installs it"
    )]
    NotInstalled,
    #[error("{step} failed: {detail}")]
    Step { step: &'static str, detail: String },
}

fn step(step: &'static str) -> impl Fn(std::io::Error) -> PgTestError {
    move |e| PgTestError::Step {
        step,
        detail: e.to_string(),
    }
}

/// Whether tests must fail, rather than skip, without PostgreSQL.
pub fn required() -> bool {
    std::env::var(REQUIRE_VAR).is_ok_and(|v| v == "1")
}

/// The newest installed PostgreSQL's `bin` directory.
fn bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| {
            let e = e.ok()?;
            let v = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, b)| b)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A running cluster, stopped and removed on drop.
#[derive(Debug)]
pub struct TempCluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    as_postgres: bool,
    port: u16,
}

impl TempCluster {
    /// Creates and starts a cluster whose superuser `mizan` connects without a password from
    /// loopback only.
    ///
    /// # Errors
    /// [`PgTestError::NotInstalled`]; any failing step, with its output.
    pub fn start() -> Result<TempCluster, PgTestError> {
        Self::start_with(false)
    }

    /// Like [`TempCluster::start`], but with `fsync` on (PostgreSQL's default): for benchmarks,
    /// whose commit latency must include the write-ahead log's flush as in production. Tests
    /// keep it off for speed.
    ///
    /// # Errors
    /// As [`TempCluster::start`].
    pub fn start_durable() -> Result<TempCluster, PgTestError> {
        Self::start_with(true)
    }

    fn start_with(durable: bool) -> Result<TempCluster, PgTestError> {
        let bin = bin_dir().ok_or(PgTestError::NotInstalled)?;
        let dir = tempfile::tempdir().map_err(step("a temporary directory"))?;
        let as_postgres = is_root();
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(step("a free port"))?
            .port();
        let cluster = TempCluster {
            dir,
            bin,
            as_postgres,
            port,
        };
        if as_postgres {
            cluster.run(
                "chown",
                Command::new("chown")
                    .args(["-R", "postgres:postgres"])
                    .arg(cluster.dir.path()),
            )?;
        }
        let data = cluster.data();
        cluster.run(
            "initdb",
            cluster
                .pg("initdb")
                .args([
                    "-A",
                    "trust",
                    "-U",
                    "mizan",
                    "-E",
                    "UTF8",
                    "--no-sync",
                    "-D",
                ])
                .arg(&data),
        )?;
        let fsync = if durable { "on" } else { "off" };
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync={fsync}",
            cluster.dir.path().display()
        );
        cluster.run(
            "pg_ctl start",
            cluster
                .pg("pg_ctl")
                .args(["-w", "-t", "30", "-s", "-D"])
                .arg(&data)
                .args(["-l"])
                .arg(cluster.dir.path().join("server.log"))
                .args(["-o", &options, "start"]),
        )?;
        Ok(cluster)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// A command for the PostgreSQL binary `name`, as the `postgres` user when we are root.
    fn pg(&self, name: &str) -> Command {
        let program = self.bin.join(name);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        }
    }

    fn run(&self, what: &'static str, cmd: &mut Command) -> Result<Output, PgTestError> {
        let out = cmd.output().map_err(step(what))?;
        if out.status.success() {
            return Ok(out);
        }
        let log = std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
        Err(PgTestError::Step {
            step: what,
            detail: format!(
                "{}{}{log}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        })
    }

    /// The cluster's port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A connection URL for `database` (the default database is `postgres`).
    pub fn url(&self, database: &str) -> String {
        format!("postgres://mizan@127.0.0.1:{}/{database}", self.port)
    }

    /// Where the cluster lives (data directory, socket, log).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// The process's shared cluster, started on first use (one `initdb` per test binary, not per
/// test) and stopped when the process exits normally (an `atexit` hook). Tests take a database
/// of their own from it with [`TempCluster::create_database`].
static SHARED: std::sync::OnceLock<Result<TempCluster, String>> = std::sync::OnceLock::new();

extern "C" fn stop_shared() {
    if let Some(Ok(cluster)) = SHARED.get() {
        cluster.stop();
        let _ = std::fs::remove_dir_all(cluster.path());
    }
}

impl TempCluster {
    /// The shared cluster of this test process; `Ok(None)` when PostgreSQL is not installed
    /// and not [`required`] (the caller skips), an error when starting it failed.
    ///
    /// # Errors
    /// Why the cluster could not be started (also [`PgTestError::NotInstalled`] when
    /// [`required`]).
    pub fn shared() -> Result<Option<&'static TempCluster>, PgTestError> {
        let started = SHARED.get_or_init(|| {
            let started = TempCluster::start().map_err(|e| e.to_string());
            if started.is_ok() {
                // SAFETY: registers a plain `extern "C"` function with no arguments; it only
                // reads the already-initialised static.
                unsafe { libc::atexit(stop_shared) };
            }
            started
        });
        match started {
            Ok(cluster) => Ok(Some(cluster)),
            Err(_) if bin_dir().is_none() && !required() => Ok(None),
            Err(detail) => Err(PgTestError::Step {
                step: "start the shared cluster",
                detail: detail.clone(),
            }),
        }
    }

    /// Creates an empty database `name` (letters, digits and `_`) and returns its URL.
    ///
    /// # Errors
    /// A bad name; `createdb`'s failure with its output.
    pub fn create_database(&self, name: &str) -> Result<String, PgTestError> {
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(PgTestError::Step {
                step: "createdb",
                detail: format!("not a plain database name: {name:?}"),
            });
        }
        self.run(
            "createdb",
            self.pg("createdb").arg("-h").arg(self.dir.path()).args([
                "-p",
                &self.port.to_string(),
                "-U",
                "mizan",
                name,
            ]),
        )?;
        Ok(self.url(name))
    }

    fn stop(&self) {
        // Best effort: the directory goes with the TempDir (or the exit hook) either way.
        let _ = self
            .pg("pg_ctl")
            .args(["-s", "-m", "immediate", "-D"])
            .arg(self.data())
            .arg("stop")
            .output();
    }
}

impl Drop for TempCluster {
    fn drop(&mut self) {
        self.stop();
    }
}

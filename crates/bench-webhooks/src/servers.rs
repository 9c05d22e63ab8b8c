//! The two servers under load, each its own OS process: `mizan serve` and the bare baseline.
//!
//! Owns starting a server with `--listen 127.0.0.1:0`, learning its address from the line it
//! prints when it listens (no free-port race), stopping it with SIGTERM and waiting for its
//! exit, and making sure no child outlives the bench (a child still running when its handle
//! is dropped is killed).
//!
//! Invariants: a server counts as ready only once it printed its address; its stderr goes to
//! a file whose tail is quoted when it fails, so a failed run says why.

use std::io::{BufRead as _, BufReader, Read as _, Seek as _, SeekFrom};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::BenchError;
use crate::fixtures::{API_TOKEN, NOTIFICATION_TOKEN};

/// How long a server may take to print its address.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a server may take to exit after SIGTERM (serve finishes in-flight requests and the
/// processor's row in hand).
const STOP_TIMEOUT: Duration = Duration::from_secs(60);

/// A server running as a child process.
pub struct ServerProcess {
    name: &'static str,
    child: Child,
    addr: SocketAddr,
    stderr_path: PathBuf,
}

impl ServerProcess {
    /// Starts `mizan serve` on a free loopback port with its data in `data_dir` (and its store
    /// on the PostgreSQL `database` when given), pointed at the simulator at `api_url`, with a
    /// clean environment.
    ///
    /// # Errors
    /// [`BenchError::Spawn`], [`BenchError::NotReady`].
    pub fn serve(
        mizan: &Path,
        data_dir: &Path,
        database: Option<&str>,
        api_url: &str,
        scratch: &Path,
    ) -> Result<ServerProcess, BenchError> {
        let mut cmd = Command::new(mizan);
        cmd.args(["serve", "--listen", "127.0.0.1:0"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("MIZAN_DATA_DIR", data_dir)
            .env("MIZAN_SANDBOX_API_URL", api_url)
            .env("MIZAN_SANDBOX_API_TOKEN", API_TOKEN)
            .env("MIZAN_SANDBOX_NOTIFICATION_TOKEN", NOTIFICATION_TOKEN)
            .env("MIZAN_OPERATOR", "bench");
        if let Some(url) = database {
            cmd.args(["--database", url]);
        }
        if let Some(filter) = std::env::var_os("MIZAN_LOG") {
            cmd.env("MIZAN_LOG", filter); // serve's log filter, for diagnosing a run
        }
        Self::start("mizan serve", cmd, &scratch.join("serve.stderr"))
    }

    /// Starts `<bench> bare --listen 127.0.0.1:0`.
    ///
    /// # Errors
    /// [`BenchError::Spawn`], [`BenchError::NotReady`].
    pub fn bare(bench: &Path, scratch: &Path) -> Result<ServerProcess, BenchError> {
        let mut cmd = Command::new(bench);
        cmd.args(["bare", "--listen", "127.0.0.1:0"]);
        Self::start("bare endpoint", cmd, &scratch.join("bare.stderr"))
    }

    /// Starts any server command that prints `http://ADDR` on stdout once it listens (other
    /// benchmarks start `mizan serve` with arguments of their own through this).
    ///
    /// # Errors
    /// [`BenchError::Spawn`], [`BenchError::NotReady`].
    pub fn start(
        name: &'static str,
        mut cmd: Command,
        stderr_path: &Path,
    ) -> Result<ServerProcess, BenchError> {
        let stderr = std::fs::File::create(stderr_path)
            .map_err(|source| BenchError::Spawn { what: name, source })?;
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .map_err(|source| BenchError::Spawn { what: name, source })?;
        let (tx, rx) = mpsc::channel::<SocketAddr>();
        if let Some(stdout) = child.stdout.take() {
            // Reads until the address line, then keeps draining so the child never blocks on a
            // full pipe.
            std::thread::spawn(move || {
                let mut announced = false;
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    if !announced && let Some(addr) = announced_addr(&line) {
                        announced = true;
                        let _ = tx.send(addr);
                    }
                }
            });
        }
        let mut server = ServerProcess {
            name,
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            stderr_path: stderr_path.to_owned(),
        };
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(addr) => {
                    server.addr = addr;
                    return Ok(server);
                }
                Err(mpsc::RecvTimeoutError::Timeout) if Instant::now() < deadline => {
                    if let Ok(Some(status)) = server.child.try_wait() {
                        return Err(server.not_ready(format!("exited with {status}")));
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    return Err(server.not_ready(format!(
                        "printed no address within {} s",
                        READY_TIMEOUT.as_secs()
                    )));
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let _ = server.child.wait();
                    return Err(server.not_ready("closed its stdout without an address".into()));
                }
            }
        }
    }

    fn not_ready(&self, what: String) -> BenchError {
        BenchError::NotReady {
            what: self.name,
            detail: format!("{what}; stderr: {}", self.stderr_tail()),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// CPU time (user + system, all threads) the process has used so far, from
    /// `/proc/PID/stat`; None where that is unreadable.
    pub fn cpu_time(&self) -> Option<Duration> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).ok()?;
        cpu_time_of(&stat)
    }

    /// Sends SIGTERM and waits for the exit.
    ///
    /// # Errors
    /// [`BenchError::Stop`] if the signal cannot be sent, the process does not exit in time
    /// (it is then killed), or it exits unsuccessfully.
    pub fn stop(mut self) -> Result<(), BenchError> {
        let status = self.terminate()?;
        if status.success() {
            Ok(())
        } else {
            Err(BenchError::Stop(format!(
                "{} exited with {status}; stderr: {}",
                self.name,
                self.stderr_tail()
            )))
        }
    }

    fn terminate(&mut self) -> Result<ExitStatus, BenchError> {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .map_err(|e| BenchError::Stop(format!("cannot run kill: {e}")))?;
        if !sent.success() {
            return Err(BenchError::Stop(format!("kill -TERM {} failed", self.name)));
        }
        let deadline = Instant::now() + STOP_TIMEOUT;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Ok(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Ok(None) => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    return Err(BenchError::Stop(format!(
                        "{} did not exit within {} s of SIGTERM (killed); stderr: {}",
                        self.name,
                        STOP_TIMEOUT.as_secs(),
                        self.stderr_tail()
                    )));
                }
                Err(e) => return Err(BenchError::Stop(format!("waiting for {}: {e}", self.name))),
            }
        }
    }

    /// The last ~2 KB of the server's stderr, on one line.
    fn stderr_tail(&self) -> String {
        let mut text = String::new();
        if let Ok(mut f) = std::fs::File::open(&self.stderr_path) {
            let len = f.metadata().map(|m| m.len()).unwrap_or(0);
            let _ = f.seek(SeekFrom::Start(len.saturating_sub(2048)));
            let _ = f.read_to_string(&mut text);
        }
        let text = text.trim().replace('\n', " | ");
        if text.is_empty() {
            "(empty)".into()
        } else {
            text
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// `utime + stime` of a `/proc/PID/stat` line. The fields are counted after the last `)`
/// (the command name may contain spaces); the unit is USER_HZ, which Linux fixes at 100 for
/// this interface.
fn cpu_time_of(stat: &str) -> Option<Duration> {
    let fields: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}

/// The address in a line like `mizan: serving sandbox on http://127.0.0.1:8766 (webhooks at
/// /webhooks/tamara)` or `bench-webhooks bare: listening on http://127.0.0.1:40123`.
pub fn announced_addr(line: &str) -> Option<SocketAddr> {
    let rest = &line[line.find("http://")? + "http://".len()..];
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '/')
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn reads_the_address_each_server_announces() {
        assert_eq!(
            announced_addr(
                "mizan: serving sandbox on http://127.0.0.1:8766 (webhooks at /webhooks/tamara)"
            ),
            Some("127.0.0.1:8766".parse().unwrap())
        );
        assert_eq!(
            announced_addr("bench-webhooks bare: listening on http://127.0.0.1:40123"),
            Some("127.0.0.1:40123".parse().unwrap())
        );
        assert_eq!(announced_addr("mizan: stopped"), None);
        assert_eq!(announced_addr("see http://not-an-address/x"), None);
    }

    #[test]
    fn cpu_time_is_user_plus_system_ticks() {
        let stat = "4242 (mizan serve) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 37 0 0 20 0 7";
        assert_eq!(cpu_time_of(stat), Some(Duration::from_millis(2_870)));
        assert_eq!(cpu_time_of("4242 (x) S 1"), None, "truncated");
        assert_eq!(cpu_time_of("no parenthesis"), None);
        let me = std::fs::read_to_string("/proc/self/stat").unwrap();
        assert!(cpu_time_of(&me).is_some(), "{me}");
    }

    #[test]
    fn a_server_that_exits_at_once_is_reported_with_its_stderr() {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo 'boom: no database' >&2; exit 3"]);
        let err = match ServerProcess::start("failing server", cmd, &dir.path().join("e")) {
            Err(e) => e,
            Ok(_) => panic!("a server that exits cannot be ready"),
        };
        let text = err.to_string();
        assert!(text.contains("failing server"), "{text}");
        assert!(text.contains("boom: no database"), "{text}");
        assert_eq!(err.code(), "bench_server_not_ready");
    }
}

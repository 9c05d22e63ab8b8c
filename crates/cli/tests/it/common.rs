//! The harness shared by the CLI tests: a simulator on a free loopback port, a fresh data
//! directory, and the real `mizan` binary run with a clean environment pointed at both.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // each test file uses a part

use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;
use tamara_sandbox::{SandboxConfig, SandboxHandle};

pub struct Env {
    pub base_url: String,
    pub data_dir: tempfile::TempDir,
    token: String,
}

impl Env {
    /// Spawns the simulator with `config`; the binary authenticates with its first API token.
    pub async fn with_sandbox(config: SandboxConfig) -> (Env, SandboxHandle) {
        let token = config.api_tokens.first().cloned().unwrap_or_default();
        let sb = tamara_sandbox::spawn(config, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let env = Env {
            base_url: sb.base_url(),
            data_dir: tempfile::tempdir().unwrap(),
            token,
        };
        (env, sb)
    }

    /// Runs `mizan ARGS` against this simulator and data directory.
    pub fn mizan(&self, args: &[&str]) -> Output {
        self.command(args, &[]).output().unwrap()
    }

    /// Runs `mizan ARGS` with extra environment variables (e.g. a notification token).
    pub fn mizan_with(&self, args: &[&str], vars: &[(&str, &str)]) -> Output {
        self.command(args, vars).output().unwrap()
    }

    /// Starts `mizan serve` on `port` with this simulator and data directory.
    pub fn spawn_serve(&self, port: u16, vars: &[(&str, &str)]) -> Child {
        self.spawn_serve_with(port, &[], vars)
    }

    /// Starts `mizan serve` on `port` with extra serve flags (e.g. `--reconcile-every 1`).
    pub fn spawn_serve_with(&self, port: u16, flags: &[&str], vars: &[(&str, &str)]) -> Child {
        let listen = format!("127.0.0.1:{port}");
        let mut args = vec!["serve", "--listen", &listen];
        args.extend_from_slice(flags);
        self.command(&args, vars)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }

    fn command(&self, args: &[&str], vars: &[(&str, &str)]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_mizan"));
        c.args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("MIZAN_DATA_DIR", self.data_dir.path())
            .env("MIZAN_SANDBOX_API_URL", &self.base_url)
            .env("MIZAN_SANDBOX_API_TOKEN", &self.token)
            // Never the developer's real keychain items, should a command look there.
            .env("MIZAN_KEYCHAIN_SERVICE", "mizan-cli-tests");
        for (k, v) in vars {
            c.env(k, v);
        }
        c
    }

    /// Runs `mizan ARGS`, asserts success, and parses stdout as JSON.
    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.mizan(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

/// Runs `mizan ARGS` on the data directory `dir` alone: no simulator, no credentials (what a
/// command that reads a file or the local store needs).
pub fn mizan_offline(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mizan"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("MIZAN_DATA_DIR", dir)
        .output()
        .unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until something accepts connections on `port` (up to 10 s).
pub async fn wait_listening(port: u16) {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("nothing listened on {port}");
}

/// Sends SIGTERM and waits (up to 10 s) for the exit status.
pub fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    for _ in 0..200 {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    panic!("process did not exit after SIGTERM");
}

/// A checkout at the simulator `base` from the reference request with `reference`, without a
/// notification URL of its own (the test is the only sender); its order id.
pub async fn sim_checkout(
    http: &reqwest::Client,
    base: &str,
    api_token: &str,
    reference: &str,
) -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/reference/checkout_request.json"
    );
    let mut body: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    body["order_reference_id"] = serde_json::json!(reference);
    body["merchant_url"]
        .as_object_mut()
        .unwrap()
        .remove("notification");
    let v: Value = http
        .post(format!("{base}/checkout"))
        .bearer_auth(api_token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["order_id"].as_str().unwrap().to_owned()
}

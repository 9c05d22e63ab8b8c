//! The harness shared by the CLI tests: a simulator on a free loopback port, a fresh data
//! directory, and the real `mizan` binary run with a clean environment pointed at both.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // each test file uses a part

use std::process::{Command, Output};

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
        Command::new(env!("CARGO_BIN_EXE_mizan"))
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("MIZAN_DATA_DIR", self.data_dir.path())
            .env("MIZAN_SANDBOX_API_URL", &self.base_url)
            .env("MIZAN_SANDBOX_API_TOKEN", &self.token)
            // Never the developer's real keychain items, should a command look there.
            .env("MIZAN_KEYCHAIN_SERVICE", "mizan-cli-tests")
            .output()
            .unwrap()
    }

    /// Runs `mizan ARGS`, asserts success, and parses stdout as JSON.
    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.mizan(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

//! The harness of the money-move tests: a simulator (plus a second one standing in for
//! production), orders put in any status through its API, the real `mizan` binary with a
//! clean environment, and direct reads of the SQLite ledger and audit chain it writes.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // each test file uses a part

use std::process::{Child, Command, Output, Stdio};

use mizan_core::Environment;
use mizan_core::store::Store;
use mizan_core::store::audit::{self, AuditEntry};
use mizan_core::store::ledger::{self, LedgerEntry};
use serde_json::{Value, json};
use tamara_sandbox::{SandboxConfig, SandboxHandle};

pub const TOKEN: &str = "moves-api-token-0001";
pub const PROD_TOKEN: &str = "moves-prod-token-0002";
pub const OPERATOR: &str = "Layla (ops)";
pub const OS_USER: &str = "opsuser";

/// A running simulator and a client for its API and `/_sandbox/` controls.
pub struct Sim {
    pub handle: SandboxHandle,
    pub base: String,
    token: String,
    http: reqwest::Client,
}

impl Sim {
    pub async fn start(seed: u64) -> Sim {
        Sim::start_with(seed, TOKEN).await
    }

    pub async fn start_with(seed: u64, token: &str) -> Sim {
        let config = SandboxConfig {
            api_tokens: vec![token.to_owned()],
            seed: Some(seed),
            ..SandboxConfig::default()
        };
        let handle = tamara_sandbox::spawn(config, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        Sim {
            base: handle.base_url(),
            handle,
            token: token.to_owned(),
            http: reqwest::Client::new(),
        }
    }

    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let v: Value = resp.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {v}");
        v
    }

    /// The order as the simulator has it (`GET /orders/{id}`).
    pub async fn order(&self, id: &str) -> Value {
        self.call(reqwest::Method::GET, &format!("/orders/{id}"), None)
            .await
    }

    /// A new order for the documented checkout example (460.00 SAR, 2 × sku-991 = 375.00).
    pub async fn new_order(&self, reference: &str) -> String {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/reference/checkout_request.json"
        );
        let mut body: Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        body["order_reference_id"] = json!(reference);
        body["order_number"] = json!(reference);
        body["merchant_url"]
            .as_object_mut()
            .unwrap()
            .remove("notification");
        let v = self
            .call(reqwest::Method::POST, "/checkout", Some(body))
            .await;
        v["order_id"].as_str().unwrap().to_owned()
    }

    pub async fn approved(&self, reference: &str) -> String {
        let id = self.new_order(reference).await;
        self.call(
            reqwest::Method::POST,
            &format!("/_sandbox/orders/{id}/approve"),
            None,
        )
        .await;
        id
    }

    pub async fn authorised(&self, reference: &str) -> String {
        let id = self.approved(reference).await;
        self.call(
            reqwest::Method::POST,
            &format!("/orders/{id}/authorise"),
            Some(json!({})),
        )
        .await;
        id
    }

    /// Injects API faults (`/_sandbox/faults/api`).
    pub async fn fault(&self, body: Value) {
        self.call(reqwest::Method::POST, "/_sandbox/faults/api", Some(body))
            .await;
    }

    /// Cumulative captured amount, as text.
    pub async fn captured(&self, id: &str) -> String {
        self.order(id).await["captured_amount"]["amount"].to_string()
    }

    pub async fn captures(&self, id: &str) -> Vec<Value> {
        self.order(id).await["transactions"]["captures"]
            .as_array()
            .unwrap()
            .clone()
    }
}

/// The `mizan` binary with its own data directory and environment.
pub struct Cli {
    pub data_dir: tempfile::TempDir,
    vars: Vec<(String, String)>,
}

impl Cli {
    /// Sandbox pointed at `sim`, with an operator name and an OS user.
    pub fn new(sim: &Sim) -> Cli {
        Cli {
            data_dir: tempfile::tempdir().unwrap(),
            vars: vec![
                ("MIZAN_SANDBOX_API_URL".into(), sim.base.clone()),
                ("MIZAN_SANDBOX_API_TOKEN".into(), TOKEN.into()),
                ("MIZAN_OPERATOR".into(), OPERATOR.into()),
                ("USER".into(), OS_USER.into()),
            ],
        }
    }

    /// Adds (or overrides) one environment variable.
    pub fn with(mut self, key: &str, value: &str) -> Cli {
        self.vars.retain(|(k, _)| k != key);
        self.vars.push((key.into(), value.into()));
        self
    }

    /// Production pointed at a second simulator.
    pub fn with_production(self, prod: &Sim) -> Cli {
        self.with("MIZAN_PRODUCTION_API_URL", &prod.base)
            .with("MIZAN_PRODUCTION_API_TOKEN", PROD_TOKEN)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_mizan"));
        c.args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("MIZAN_DATA_DIR", self.data_dir.path());
        for (k, v) in &self.vars {
            c.env(k, v);
        }
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Starts `mizan ARGS` without waiting (for concurrent runs).
    pub fn spawn(&self, args: &[&str]) -> Child {
        self.command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// Runs `mizan --json ARGS`, asserts exit 0, parses stdout.
    pub fn ok(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Runs `mizan --json ARGS`, asserts exit 1 with the error `code`; returns (stdout JSON
    /// or Null, error message).
    pub fn fails(&self, args: &[&str], code: &str) -> (Value, String) {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        let err = error_json(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(err["error"]["code"], code, "{args:?}: {err}");
        let stdout = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        (stdout, err["error"]["message"].as_str().unwrap().to_owned())
    }

    pub async fn store(&self) -> Store {
        Store::open(&self.data_dir.path().join("mizan.db"))
            .await
            .unwrap()
    }

    pub async fn ledger(&self, env: Environment, order_id: &str) -> Vec<LedgerEntry> {
        let store = self.store().await;
        let rows = ledger::list_for_order(&store, env, order_id).await.unwrap();
        store.close().await;
        rows
    }

    pub async fn audit(&self) -> Vec<AuditEntry> {
        let store = self.store().await;
        let rows = audit::list_chain(&store, 10_000, 0).await.unwrap();
        store.close().await;
        rows
    }
}

/// The `{"error": {...}}` line `--json` writes on stderr (warnings may precede it).
pub fn error_json(out: &Output) -> Value {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str::<Value>(l).ok())
        .unwrap_or(Value::Null)
}

/// Writes `v` to a file in `dir` and returns its path as text.
pub fn write_json(dir: &std::path::Path, name: &str, v: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, v.to_string()).unwrap();
    path.display().to_string()
}

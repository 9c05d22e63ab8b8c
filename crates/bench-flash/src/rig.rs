//! The bench's world: the simulator in-process, a console on a temporary data directory
//! pointed at it (the built-in sandbox, as the app's demo mode sets it up), and the simulator's
//! control routes the bench drives (latency, approvals, the call count).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use futures::StreamExt;
use mizan_core::Console;
use mizan_core::config::ConsoleConfig;
use mizan_core::demo::customers::{self, Dice};
use tamara_sandbox::{SandboxConfig, SandboxHandle};

/// Orders created at once while filling the store: enough to overlap the simulator's and the
/// store's work, few enough not to starve a two-core machine.
const CREATE_CONCURRENCY: usize = 4;

/// One simulator and one console over a data directory that lives as long as this does.
pub struct Rig {
    pub sim: SandboxHandle,
    pub console: Console,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Rig {
    /// A fresh simulator (no latency yet) and a console on a new temporary data directory.
    pub async fn start() -> Result<Rig> {
        Rig::start_shifted(chrono::Duration::zero()).await
    }

    /// [`Rig::start`] with the console's clock `shift` ahead of real time (its monotonic time
    /// unchanged), so orders the simulator makes now look `shift` old to the console.
    pub async fn start_shifted(shift: chrono::Duration) -> Result<Rig> {
        let sim = tamara_sandbox::spawn(
            SandboxConfig {
                seed: Some(23),
                ..SandboxConfig::default()
            },
            "127.0.0.1:0".parse()?,
        )
        .await?;
        let dir = tempfile::tempdir().context("a temporary data directory")?;
        let data_dir = dir
            .path()
            .to_str()
            .context("the temporary directory's path is not UTF-8")?;
        // Only this map is read (no MIZAN_* of the caller's environment leaks in).
        let vars: HashMap<String, String> =
            HashMap::from([("MIZAN_DATA_DIR".to_owned(), data_dir.to_owned())]);
        let mut config = ConsoleConfig::from_vars(&vars)?;
        if !config.sandbox.built_in_sandbox {
            bail!("the default sandbox is not the built-in simulator");
        }
        // As the app does in demo mode: the built-in sandbox, moved to the simulator's port.
        config.sandbox.api_url = sim.base_url();
        let console = Console::open(config).await?;
        let console = if shift.is_zero() {
            console
        } else {
            console.with_clock(std::sync::Arc::new(ShiftedClock(shift)))
        };
        Ok(Rig {
            sim,
            console,
            http: reqwest::Client::new(),
            _dir: dir,
        })
    }

    /// Creates `n` checkouts through the console (each one the API's create and read-back,
    /// cached in the store), numbered from `first`; returns their order ids in creation order.
    pub async fn create_orders(&self, first: u64, n: u64) -> Result<Vec<String>> {
        let mut dice = Dice::new(first);
        let mut requests = Vec::new();
        for k in first..first + n {
            requests.push(customers::checkout(&mut dice, k, "http://127.0.0.1")?);
        }
        let console = &self.console;
        let created: Vec<_> = futures::stream::iter(requests)
            .map(|req| async move { console.create_checkout(&req).await })
            .buffered(CREATE_CONCURRENCY)
            .collect()
            .await;
        created
            .into_iter()
            .map(|c| Ok(c?.response.value.order_id))
            .collect()
    }

    /// From now on every Tamara API call answers after `latency`.
    pub async fn set_latency(&self, latency: Duration) -> Result<()> {
        let ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        self.control("faults/api", Some(serde_json::json!({ "latency_ms": ms })))
            .await
            .map(|_| ())
    }

    /// The customer pays: `order_approved` is queued to every registered webhook.
    pub async fn approve(&self, order_id: &str) -> Result<()> {
        self.control(&format!("orders/{order_id}/approve"), None)
            .await
            .map(|_| ())
    }

    /// Moves the simulator's clock forward by `by` (its expiries follow).
    pub async fn advance_clock(&self, by: chrono::Duration) -> Result<()> {
        let body = serde_json::json!({ "seconds": by.num_seconds() });
        self.control("clock/advance", Some(body)).await.map(|_| ())
    }

    /// Tamara API calls the simulator received so far, in all and by method.
    pub fn calls(&self) -> Calls {
        let by_method = self.sim.state().api_calls();
        Calls {
            total: by_method.values().sum(),
            by_method,
        }
    }

    async fn control(&self, path: &str, body: Option<serde_json::Value>) -> Result<String> {
        let url = format!("{}/_sandbox/{path}", self.sim.base_url());
        let resp = self
            .http
            .post(&url)
            .json(&body.unwrap_or_else(|| serde_json::json!({})))
            .send()
            .await
            .with_context(|| format!("POST {url}"))?;
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        if !status.is_success() {
            bail!("POST {url}: HTTP {status}: {text}");
        }
        Ok(text)
    }
}

/// Real time `0` ahead: the console of a service that has been running for hours.
#[derive(Debug)]
struct ShiftedClock(chrono::Duration);

impl mizan_core::clock::Clock for ShiftedClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + self.0
    }

    fn instant(&self) -> std::time::Instant {
        std::time::Instant::now()
    }
}

/// A count of API calls (see [`Rig::calls`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calls {
    pub total: u64,
    pub by_method: BTreeMap<String, u64>,
}

impl Calls {
    /// The calls made since `earlier`.
    pub fn since(&self, earlier: &Calls) -> Calls {
        let by_method = self
            .by_method
            .iter()
            .map(|(m, n)| {
                let before = earlier.by_method.get(m).copied().unwrap_or(0);
                (m.clone(), n.saturating_sub(before))
            })
            .filter(|(_, n)| *n > 0)
            .collect();
        Calls {
            total: self.total.saturating_sub(earlier.total),
            by_method,
        }
    }

    /// `GET 2,000 + POST 1,000`.
    pub fn split(&self) -> String {
        let parts: Vec<String> = self
            .by_method
            .iter()
            .map(|(m, n)| format!("{m} {n}"))
            .collect();
        parts.join(" + ")
    }
}

//! The desktop demo's switchable traffic generator, and when the demo applies: the sandbox is
//! active and nothing (variables or keychain) gave it an API token.
//!
//! Invariants: at most one generator runs at a time; its order count carries over restarts; a
//! demo data directory starts empty each time unless `MIZAN_DATA_DIR` names one.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::{INTERVAL_VAR, Traffic, interval_from};
use crate::config::{ConsoleConfig, TokenSource};
use crate::console::Console;
use crate::environment::Environment;
use crate::error::{Error, Result};

/// Starts and stops demo traffic against a console on the built-in simulator.
#[derive(Debug)]
pub struct Generator {
    interval: Duration,
    created: Arc<AtomicU64>,
    running: Option<(watch::Sender<bool>, JoinHandle<()>)>,
    seed: u64,
}

impl Generator {
    /// A stopped generator, paced by `MIZAN_DEMO_INTERVAL_MS` (or the default).
    pub fn new(seed: u64) -> Generator {
        let interval = interval_from(std::env::var(INTERVAL_VAR).ok().as_deref());
        Generator {
            interval,
            created: Arc::new(AtomicU64::new(0)),
            running: None,
            seed,
        }
    }

    pub fn running(&self) -> bool {
        self.running.as_ref().is_some_and(|(_, t)| !t.is_finished())
    }

    /// Orders created since the app started.
    pub fn orders_created(&self) -> u64 {
        self.created.load(Ordering::Relaxed)
    }

    /// Starts generating against `console`, whose webhooks reach `receiver_base`; a running
    /// generator is left as it is.
    ///
    /// # Errors
    /// As [`Traffic::new`].
    pub async fn start(&mut self, console: &Console, receiver_base: &str) -> Result<()> {
        if self.running() {
            return Ok(());
        }
        self.seed = self.seed.wrapping_add(1);
        let traffic = Traffic::new(console.clone(), receiver_base, self.seed)
            .await?
            .continuing(self.created.clone());
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(traffic.run(self.interval, stopped));
        self.running = Some((stop, task));
        Ok(())
    }

    /// Starts (`on`) or stops the traffic. It runs only in the sandbox and only while the in-app
    /// receiver (at `receiver_base`) can take the simulator's webhooks.
    ///
    /// # Errors
    /// [`Error::Invalid`] outside the sandbox; [`Error::ReceiverNotRunning`]; as [`Self::start`].
    pub async fn switch(
        &mut self,
        on: bool,
        console: &Console,
        receiver_base: Option<&str>,
    ) -> Result<()> {
        if !on {
            self.stop().await;
            return Ok(());
        }
        if console.environment() != Environment::Sandbox {
            return Err(Error::Invalid(
                "demo traffic runs in the sandbox; switch back to it first".into(),
            ));
        }
        let base = receiver_base.ok_or(Error::ReceiverNotRunning)?;
        self.start(console, base).await
    }

    /// Stops generating and waits for the current tick to finish.
    pub async fn stop(&mut self) {
        if let Some((stop, task)) = self.running.take() {
            let _ = stop.send(true);
            let _ = task.await;
        }
    }
}

/// True when the app should open the demo: the sandbox is active and nothing gave it an API
/// token, so it points at the built-in simulator's demo token.
pub fn wanted(config: &ConsoleConfig) -> bool {
    config.environment == Environment::Sandbox
        && config.sandbox.built_in_sandbox
        && config.sandbox.api_token_source == TokenSource::BuiltInDemo
}

/// The demo's data directory: `MIZAN_DATA_DIR` when set (kept as is), else `<data dir>/demo`,
/// emptied so every demo starts from a clean shop (the simulator forgets its orders too).
///
/// # Errors
/// The file system's, when an old database cannot be removed.
pub fn data_dir(config: &ConsoleConfig) -> std::io::Result<PathBuf> {
    let explicit = std::env::var("MIZAN_DATA_DIR").is_ok_and(|v| !v.trim().is_empty());
    if explicit {
        return Ok(config.data_dir.clone());
    }
    let dir = config.data_dir.join("demo");
    for name in ["mizan.db", "mizan.db-wal", "mizan.db-shm"] {
        match std::fs::remove_file(dir.join(name)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> ConsoleConfig {
        let vars: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        ConsoleConfig::from_vars(&vars).unwrap()
    }

    #[test]
    fn demo_only_without_any_sandbox_token_and_only_in_the_sandbox() {
        assert!(wanted(&config(&[("MIZAN_DATA_DIR", "/d")])));
        assert!(!wanted(&config(&[
            ("MIZAN_DATA_DIR", "/d"),
            ("MIZAN_SANDBOX_API_TOKEN", "tok")
        ])));
        assert!(!wanted(&config(&[
            ("MIZAN_DATA_DIR", "/d"),
            ("MIZAN_SANDBOX_API_URL", "https://api-sandbox.tamara.co")
        ])));
        assert!(!wanted(&config(&[
            ("MIZAN_DATA_DIR", "/d"),
            ("MIZAN_ENV", "production")
        ])));
    }

    #[test]
    fn a_new_generator_is_stopped_and_has_created_nothing() {
        let g = Generator::new(1);
        assert!(!g.running());
        assert_eq!(g.orders_created(), 0);
    }
}

//! The app's session: the open console of the active environment, its in-app services, and,
//! in demo mode, the built-in simulator with its traffic generator.
//!
//! Invariants:
//! - exactly one console is active; switching environment stops its services, opens the new
//!   environment's console on the same data directory and starts that one's services;
//! - demo mode is decided once at start (sandbox active, no API token in the environment
//!   variables or the keychain): the simulator runs in-process on an ephemeral loopback port,
//!   with its demo tokens and a data directory of its own (`<data dir>/demo`, fresh each start,
//!   unless `MIZAN_DATA_DIR` names one);
//! - the window title always names the environment; in production it says PRODUCTION.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use mizan_core::config::ConsoleConfig;
use mizan_core::credentials::{self as creds, Keychain};
use mizan_core::store::StoreOptions;
use mizan_core::{Console, Environment};
use tamara_sandbox::SandboxHandle;
use tauri::{AppHandle, Manager as _};
use tokio::sync::{RwLock, watch};

use crate::error::{IpcError, IpcResult};
use crate::services::{self, InApp};

/// The built-in simulator and its traffic generator.
pub struct Demo {
    pub sandbox: SandboxHandle,
    pub interval: Duration,
    pub created: Arc<AtomicU64>,
    traffic: Option<(watch::Sender<bool>, tokio::task::JoinHandle<()>)>,
    seed: u64,
}

impl Demo {
    pub fn running(&self) -> bool {
        self.traffic.as_ref().is_some_and(|(_, t)| !t.is_finished())
    }

    pub fn orders_created(&self) -> u64 {
        self.created.load(Ordering::Relaxed)
    }

    /// Starts the generator against `console` (sandbox on the simulator).
    pub async fn start_traffic(&mut self, console: &Console, receiver_base: &str) -> IpcResult<()> {
        if self.running() {
            return Ok(());
        }
        self.seed = self.seed.wrapping_add(1);
        let traffic = mizan_core::demo::Traffic::new(console.clone(), receiver_base, self.seed)
            .await?
            .continuing(self.created.clone());
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(traffic.run(self.interval, stopped));
        self.traffic = Some((stop, task));
        Ok(())
    }

    pub async fn stop_traffic(&mut self) {
        if let Some((stop, task)) = self.traffic.take() {
            let _ = stop.send(true);
            let _ = task.await;
        }
    }
}

/// Everything that changes with the environment.
pub struct Session {
    pub console: Console,
    pub services: Option<InApp>,
    /// Why the receiver is not running, when it is not.
    pub receiver_error: Option<String>,
    pub reconcile_every: Option<Duration>,
}

/// What Tauri manages: the session behind a lock, plus what never changes.
pub struct AppState {
    pub session: RwLock<Session>,
    pub demo: tokio::sync::Mutex<Option<Demo>>,
    /// The configuration read at start (both environments, tokens filled from the keychain).
    pub base: RwLock<ConsoleConfig>,
    pub app: AppHandle,
}

impl AppState {
    /// A clone of the active console (cheap): commands never hold the session lock across a
    /// slow call.
    pub async fn console(&self) -> Console {
        self.session.read().await.console.clone()
    }

    pub async fn is_demo(&self) -> bool {
        self.demo.lock().await.is_some()
    }
}

/// Fills both environments' tokens from the OS keychain, off the async threads. A keychain
/// that cannot be reached is logged and skipped: the app then runs on what the variables give.
pub async fn fill_from_keychain(config: &mut ConsoleConfig) {
    for env in Environment::ALL {
        let cfg = config.for_env(env).clone();
        if !creds::wants_keychain(&cfg) {
            continue;
        }
        let filled = tokio::task::spawn_blocking(move || {
            let mut cfg = cfg;
            creds::fill_from_keychain(&mut cfg, &Keychain::from_env()).map(|()| cfg)
        })
        .await;
        match filled {
            Ok(Ok(cfg)) => match env {
                Environment::Sandbox => config.sandbox = cfg,
                Environment::Production => config.production = cfg,
            },
            Ok(Err(e)) => tracing::info!(code = e.code().as_str(), "keychain not used: {e}"),
            Err(e) => tracing::warn!("keychain lookup failed: {e}"),
        }
    }
}

/// True when the app should open the demo: the sandbox is active and nothing (variables or
/// keychain) gave it an API token, so it points at the built-in simulator's demo token.
pub fn wants_demo(config: &ConsoleConfig) -> bool {
    config.environment == Environment::Sandbox
        && config.sandbox.built_in_sandbox
        && config.sandbox.api_token_source == mizan_core::config::TokenSource::BuiltInDemo
}

/// The demo's data directory: `MIZAN_DATA_DIR` when set (kept as is), else `<data dir>/demo`,
/// emptied so every demo starts from a clean shop (the simulator forgets its orders too).
fn demo_data_dir(config: &ConsoleConfig) -> std::io::Result<PathBuf> {
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

/// Starts the demo's simulator and points the sandbox configuration at it.
pub async fn start_demo(config: &mut ConsoleConfig) -> IpcResult<Demo> {
    let listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let sandbox = tamara_sandbox::spawn(tamara_sandbox::SandboxConfig::default(), listen)
        .await
        .map_err(|e| {
            IpcError::new(
                mizan_core::ErrorCode::DemoUnavailable,
                format!("cannot start the simulator: {e:#}"),
            )
        })?;
    config.sandbox.api_url = sandbox.base_url();
    config.data_dir = demo_data_dir(config).map_err(|e| {
        IpcError::new(
            mizan_core::ErrorCode::DataDirUnavailable,
            format!("cannot prepare the demo data directory: {e}"),
        )
    })?;
    let interval = mizan_core::demo::interval_from(
        std::env::var(mizan_core::demo::INTERVAL_VAR)
            .ok()
            .as_deref(),
    );
    Ok(Demo {
        sandbox,
        interval,
        created: Arc::new(AtomicU64::new(0)),
        traffic: None,
        seed: u64::from(std::process::id()),
    })
}

/// The desktop's store: SQLite's page cache at 512 KiB per pooled connection instead of the
/// default 2,000. The window keeps the pool open for as long as it runs, and each connection
/// fills its cache as the list reads: at 1,000,000 orders the app process was 180-182 MiB RSS
/// instead of 188 (bench-app, three runs), with the `orders_page` call alone unchanged.
/// Only here: `mizan export` streams whole tables and its benchmark compares against `sqlite3`
/// with the default cache.
const DESKTOP_STORE: StoreOptions = StoreOptions {
    page_cache_kib: Some(512),
};

/// Opens the console of `config.environment` with the operator's saved name, and reads the
/// service settings.
pub async fn open_console(
    mut config: ConsoleConfig,
) -> IpcResult<(Console, u16, Option<Duration>)> {
    let console = Console::open_with(config.clone(), DESKTOP_STORE).await?;
    let saved = mizan_core::settings::for_services(&console).await?;
    let (port, every) = (saved.receiver_port, saved.reconcile_every);
    let console = match saved.operator {
        Some(op) if op != config.operator => {
            // The operator is part of the configuration (it signs moves and audit entries).
            config.operator = op;
            console.store().close().await;
            Console::open_with(config, DESKTOP_STORE).await?
        }
        _ => console,
    };
    Ok((console, port, every))
}

/// Opens a session for `config` and starts its services (the receiver on `port`; 0 picks a
/// free port). A receiver that cannot start is recorded, not fatal: the cache still works.
pub async fn open_session(
    app: &AppHandle,
    config: ConsoleConfig,
    demo: bool,
) -> IpcResult<Session> {
    let (console, port, reconcile_every) = open_console(config).await?;
    let port = if demo { 0 } else { port };
    let (services, receiver_error) =
        match services::start(app.clone(), console.clone(), port, reconcile_every).await {
            Ok(s) => (Some(s), None),
            Err(e) => {
                tracing::warn!("in-app receiver not started: {e}");
                (None, Some(e))
            }
        };
    let session = Session {
        console,
        services,
        receiver_error,
        reconcile_every,
    };
    // The demo's receiver listens on a fresh port each time: point the simulator at it.
    if demo
        && session.console.environment() == Environment::Sandbox
        && let Some(base) = session.receiver_base()
    {
        let url = format!("{base}{}", mizan_core::webhooks::WEBHOOK_PATH);
        if let Err(e) = mizan_core::demo::point_webhooks_at(&session.console, &url).await {
            tracing::warn!("demo webhook not registered: {e}");
        }
    }
    Ok(session)
}

impl Session {
    /// The receiver's base URL (`http://127.0.0.1:PORT`), when it runs.
    pub fn receiver_base(&self) -> Option<String> {
        self.services
            .as_ref()
            .map(|s| format!("http://{}", s.addr()))
    }

    /// Stops the services (receiver first; every acknowledged delivery is already stored).
    pub async fn stop(&mut self) {
        if let Some(s) = self.services.take() {
            s.stop().await;
        }
    }
}

/// The window title for `env`: production can never be mistaken for sandbox.
pub fn title(env: Environment, demo: bool) -> String {
    match (env, demo) {
        (Environment::Production, _) => "Mizan — ▌PRODUCTION▐ live Tamara data".to_owned(),
        (Environment::Sandbox, true) => "Mizan — DEMO (built-in sandbox)".to_owned(),
        (Environment::Sandbox, false) => "Mizan — Sandbox".to_owned(),
    }
}

/// Sets the main window's title.
pub fn set_title(app: &AppHandle, env: Environment, demo: bool) {
    if let Some(w) = app.get_webview_window("main")
        && let Err(e) = w.set_title(&title(env, demo))
    {
        tracing::warn!("window title not set: {e}");
    }
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
        assert!(wants_demo(&config(&[("MIZAN_DATA_DIR", "/d")])));
        assert!(!wants_demo(&config(&[
            ("MIZAN_DATA_DIR", "/d"),
            ("MIZAN_SANDBOX_API_TOKEN", "tok")
        ])));
        assert!(!wants_demo(&config(&[
            ("MIZAN_DATA_DIR", "/d"),
            ("MIZAN_SANDBOX_API_URL", "https://api-sandbox.tamara.co")
        ])));
        assert!(!wants_demo(&config(&[
            ("MIZAN_DATA_DIR", "/d"),
            ("MIZAN_ENV", "production")
        ])));
    }

    #[test]
    fn production_is_named_in_the_title() {
        assert!(title(Environment::Production, false).contains("PRODUCTION"));
        assert!(title(Environment::Production, true).contains("PRODUCTION"));
        assert!(title(Environment::Sandbox, true).contains("DEMO"));
        assert!(!title(Environment::Sandbox, false).contains("PRODUCTION"));
    }
}

//! The app's session: the open console of the active environment, its in-app services, and,
//! in demo mode, the built-in simulator with its traffic generator.
//!
//! Invariants:
//! - exactly one console is active; switching environment stops its services, opens the new
//!   environment's console on the same data directory and starts that one's services;
//! - demo mode is decided once at start ([`mizan_core::demo::wanted`]): the simulator runs
//!   in-process on an ephemeral loopback port, with its demo tokens and a data directory of
//!   its own ([`mizan_core::demo::data_dir`]);
//! - the window title always names the environment; in production it says PRODUCTION.

use std::time::Duration;

use mizan_core::config::ConsoleConfig;
use mizan_core::demo::Generator;
use mizan_core::gateway::ResilienceConfig;
use mizan_core::{Console, Environment, ErrorCode};
use tamara_sandbox::SandboxHandle;
use tauri::{AppHandle, Manager as _};
use tokio::sync::RwLock;

use crate::error::{IpcError, IpcResult};
use crate::services::{self, InApp};

/// The built-in simulator and its traffic generator.
pub struct Demo {
    pub sandbox: SandboxHandle,
    pub traffic: Generator,
}

/// Everything that changes with the environment.
pub struct Session {
    pub console: Console,
    pub services: Option<InApp>,
    /// Why the receiver is not running, when it is not.
    pub receiver_error: Option<mizan_core::desktop::app::ReceiverStartError>,
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

/// Starts the demo's simulator and points the sandbox configuration at it.
pub async fn start_demo(config: &mut ConsoleConfig) -> IpcResult<Demo> {
    let listen = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let sandbox = tamara_sandbox::spawn(tamara_sandbox::SandboxConfig::default(), listen)
        .await
        .map_err(|e| {
            let message = format!("cannot start the simulator: {e:#}");
            IpcError::new(ErrorCode::DemoUnavailable, message)
        })?;
    config.sandbox.api_url = sandbox.base_url();
    config.data_dir = mizan_core::demo::data_dir(config).map_err(|e| {
        let message = format!("cannot prepare the demo data directory: {e}");
        IpcError::new(ErrorCode::DataDirUnavailable, message)
    })?;
    let traffic = Generator::new(u64::from(std::process::id()));
    Ok(Demo { sandbox, traffic })
}

/// Opens a session for `config` and starts its services (the receiver on the saved port; in
/// the demo any free one). A receiver that cannot start is recorded, not fatal: the cache
/// still works.
pub async fn open_session(
    app: &AppHandle,
    config: ConsoleConfig,
    demo: bool,
) -> IpcResult<Session> {
    let (console, saved) = mizan_core::desktop::open_console(config).await?;
    // The same variables as the CLI's (retries, breaker, API budget); a bad value keeps the
    // defaults rather than keeping the app from opening.
    let console = match ResilienceConfig::from_lookup(|k| std::env::var(k).ok()) {
        Ok(r) => console.with_resilience(r),
        Err(e) => {
            tracing::warn!(code = %e.code(), "resilience settings ignored: {e}");
            console
        }
    };
    let port = if demo { 0 } else { saved.receiver_port };
    let every = saved.reconcile_every;
    let (services, receiver_error) =
        match services::start(app.clone(), console.clone(), port, every).await {
            Ok(s) => (Some(s), None),
            Err(e) => {
                tracing::warn!(code = %e.code(), "in-app receiver not started: {e}");
                (None, Some(e))
            }
        };
    let session = Session {
        console,
        services,
        receiver_error,
        reconcile_every: every,
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

    #[test]
    fn production_is_named_in_the_title() {
        assert!(title(Environment::Production, false).contains("PRODUCTION"));
        assert!(title(Environment::Production, true).contains("PRODUCTION"));
        assert!(title(Environment::Sandbox, true).contains("DEMO"));
        assert!(!title(Environment::Sandbox, false).contains("PRODUCTION"));
    }
}

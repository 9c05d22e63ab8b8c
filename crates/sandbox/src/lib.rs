//! tamara-sandbox: a faithful simulator of Tamara's sandbox REST API, served over real HTTP.
//!
//! The source of truth is `shared/reference/tamara-api.md`; decisions the reference tags [SIM]
//! are configurable in [`SandboxConfig`]. Tamara paths behave like the sandbox (same paths,
//! fields, status codes and error body); everything simulator-only lives under `/_sandbox/`
//! (see `routes/control.rs`) plus the hosted checkout page at `/checkout/{checkout_id}`.
//!
//! This crate deliberately shares no types with the `mizan-tamara` client: both are checked
//! against the documented JSON examples, so one misunderstanding cannot hide in both.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let sandbox = tamara_sandbox::spawn(Default::default(), "127.0.0.1:0".parse()?).await?;
//! println!("Tamara sandbox at {}", sandbox.base_url());
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```

pub mod cli;
pub mod clock;
pub mod config;
pub mod delivery;
pub mod disputes;
pub mod errors;
pub mod ids;
pub mod json;
pub mod jwt;
pub mod money;
pub mod orders;
mod routes;
pub mod state;
pub mod statements;
pub mod unknowns;
pub mod view;

use std::net::SocketAddr;

pub use config::SandboxConfig;
pub use state::AppState;

/// The full axum router over a state (for in-process use, e.g. `tower::ServiceExt::oneshot`).
pub fn router(state: AppState) -> axum::Router {
    routes::router(state)
}

/// A running simulator.
pub struct SandboxHandle {
    addr: SocketAddr,
    state: AppState,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl SandboxHandle {
    /// `http://127.0.0.1:PORT` (the bound address; IPv6 is bracketed).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The simulator's state (orders, delivery log, clock) for in-process inspection.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Stops serving (in-flight requests finish) and stops the delivery dispatcher.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
        self.state.deliverer().stop();
    }
}

/// Binds `listen` (port 0 picks a free port) and serves the simulator in a Tokio task.
pub async fn spawn(config: SandboxConfig, listen: SocketAddr) -> anyhow::Result<SandboxHandle> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let state = AppState::new(config)?;
    state.set_bound_base_url(format!("http://{addr}"));
    let app = router(state.clone());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = rx.await;
        });
        if let Err(e) = serve.await {
            tracing::error!("sandbox server stopped: {e}");
        }
    });
    Ok(SandboxHandle {
        addr,
        state,
        stop: Some(tx),
        task,
    })
}

//! The baseline: an axum endpoint that answers `POST /webhooks/tamara` with 200 `{}` and does
//! nothing else — no token check, no storage. What `mizan serve` costs is measured against it.
//!
//! Owns the baseline server, run as its own process (`bench-webhooks bare --listen ADDR`, a
//! hidden subcommand) so it and `mizan serve` are both separate processes on the same Tokio
//! multi-threaded runtime, loaded by the same generator; or, for tests that have no bench
//! executable, on a thread of the calling process ([`InProcessBare`]).
//!
//! Invariants: the handler reads the whole body before answering, as the real receiver does,
//! so both acknowledge a request only after receiving all of it; it prints its address on one
//! line once it listens, and stops on SIGTERM or Ctrl-C.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::routing::post;

use crate::BenchError;
use crate::load::WEBHOOK_PATH;

/// The baseline's routes.
pub fn router() -> Router {
    Router::new().route(WEBHOOK_PATH, post(acknowledge))
}

async fn acknowledge(_body: Bytes) -> (StatusCode, axum::Json<serde_json::Value>) {
    (StatusCode::OK, axum::Json(serde_json::json!({})))
}

/// Serves the baseline on `listen` until SIGTERM or Ctrl-C.
///
/// # Errors
/// [`BenchError::Spawn`] if it cannot bind or serve.
pub async fn serve(listen: SocketAddr) -> Result<(), BenchError> {
    let failed = |source| BenchError::Spawn {
        what: "bare endpoint",
        source,
    };
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(failed)?;
    let addr = listener.local_addr().map_err(failed)?;
    println!("bench-webhooks bare: listening on http://{addr}");
    axum::serve(listener, router())
        .with_graceful_shutdown(terminated())
        .await
        .map_err(failed)
}

async fn terminated() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// The baseline on a thread of this process with its own multi-threaded runtime; stops when
/// dropped.
pub struct InProcessBare {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl InProcessBare {
    /// Starts it on `127.0.0.1:0`.
    ///
    /// # Errors
    /// [`BenchError::Spawn`].
    pub fn start() -> Result<InProcessBare, BenchError> {
        let failed = |source| BenchError::Spawn {
            what: "bare endpoint",
            source,
        };
        let std_listener = std::net::TcpListener::bind(("127.0.0.1", 0)).map_err(failed)?;
        std_listener.set_nonblocking(true).map_err(failed)?;
        let addr = std_listener.local_addr().map_err(failed)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(failed)?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("bare-endpoint".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(std_listener) else {
                        return;
                    };
                    let _ = axum::serve(listener, router())
                        .with_graceful_shutdown(async move {
                            let _ = stopped.await;
                        })
                        .await;
                });
            })
            .map_err(failed)?;
        Ok(InProcessBare {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for InProcessBare {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

//! The receiver's HTTP server: hyper's HTTP/1 connection driver under limits a stranger cannot
//! wear out.
//!
//! Owns how the router is served ([`serve`]) and its limits ([`ServerLimits`]):
//! - a connection cap: at most `max_connections` are served at once (fitted under the process's
//!   open-file limit, [`ServerLimits::for_this_process`]); further ones wait in the
//!   kernel's accept backlog (no descriptor is spent on them), so idle sockets cannot exhaust
//!   the process's file limit and starve a signed delivery;
//! - hyper's `header_read_timeout`, which bounds an idle new connection, a slow-loris header
//!   and an idle keep-alive connection alike: each is closed once its headers have not arrived
//!   in time, freeing its slot;
//! - body and request timeouts are the router's layers ([`super::router`]);
//! - shutdown stops accepting, asks every connection to finish its request in flight and
//!   close, and after `shutdown_grace` drops those still open, so a stop is bounded whatever
//!   clients do. A delivery whose row was committed stays committed: the inbox writer commits
//!   on its own thread, whether or not its request is still waiting.
//!
//! Invariants: a request is answered only by the router (no hand-written responses); every
//! connection holds one permit of the cap for its whole life; accept errors (such as running
//! out of descriptors) pause the loop briefly instead of ending the server.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tower::Service;

/// Limits of the receiver's server; [`ServerLimits::default`] is what `mizan serve` and the
/// desktop run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerLimits {
    /// Time a connection has to send a request's headers, from when it is ready for one (new,
    /// or idle after a response). Default 10 s.
    pub header_read_timeout: Duration,
    /// Connections served at once. Default 512 (under the usual 1,024 descriptor limit, with
    /// room for the store's files).
    pub max_connections: usize,
    /// Time shutdown gives requests in flight before open connections are dropped. Default 10 s.
    pub shutdown_grace: Duration,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            header_read_timeout: Duration::from_secs(10),
            max_connections: 512,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

impl ServerLimits {
    /// The defaults with the connection cap fitted under this process's open-file limit, so a
    /// full cap still leaves descriptors for the store, outgoing calls and the listener.
    pub fn for_this_process() -> Self {
        ServerLimits::default().fitted_to(open_file_limit())
    }

    /// These limits with the cap lowered, if need be, to `file_limit` less
    /// [`RESERVED_DESCRIPTORS`] (never under [`MIN_CONNECTIONS`]); unchanged when the limit
    /// is unknown.
    #[must_use]
    pub fn fitted_to(self, file_limit: Option<u64>) -> Self {
        let Some(limit) = file_limit else {
            return self;
        };
        let room =
            usize::try_from(limit.saturating_sub(RESERVED_DESCRIPTORS)).unwrap_or(usize::MAX);
        ServerLimits {
            max_connections: self.max_connections.min(room).max(MIN_CONNECTIONS),
            ..self
        }
    }
}

/// Descriptors kept out of the connection cap: the database and its WAL for every pooled
/// connection, outgoing HTTP, the listener, logs and the keychain's bus.
pub const RESERVED_DESCRIPTORS: u64 = 64;

/// The cap never goes below this, however low the file limit (a signed delivery must get in).
pub const MIN_CONNECTIONS: usize = 8;

/// The soft limit on open files (RLIMIT_NOFILE), where the platform has one.
#[cfg(unix)]
fn open_file_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Nofile).current
}

#[cfg(not(unix))]
fn open_file_limit() -> Option<u64> {
    None
}

/// How long the accept loop pauses after an accept error (e.g. no descriptor left).
const ACCEPT_PAUSE: Duration = Duration::from_millis(50);

/// Serves `app` (with the peer's address) on `listener` — over TLS when `tls` is given — until
/// `shutdown` completes, then stops within `limits.shutdown_grace` (see the module doc).
///
/// # Errors
/// None today; the result leaves room for a server that can fail.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ServerLimits,
    tls: Option<Arc<rustls::ServerConfig>>,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let tls = tls.map(tokio_rustls::TlsAcceptor::from);
    tracing::info!(max_connections = limits.max_connections, "receiver serving");
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    let mut make = app.into_make_service_with_connect_info::<SocketAddr>();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    tokio::pin!(shutdown);
    loop {
        // Reap finished connections so the set does not grow with the server's lifetime.
        while connections.try_join_next().is_some() {}
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = slots.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break, // never closed; a closed cap would mean stop
            },
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(error = %e, "receiver could not accept a connection");
                    tokio::time::sleep(ACCEPT_PAUSE).await;
                    continue;
                }
            },
        };
        let service = match make.call(peer).await {
            Ok(s) => s,
            Err(never) => match never {},
        };
        let service = TowerToHyperService::new(service);
        match &tls {
            None => {
                let conn = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
                connections.spawn(async move {
                    // A connection ends by its client, its timeouts or shutdown; none is our
                    // error.
                    let _ = conn.await;
                    drop(permit);
                });
            }
            Some(acceptor) => {
                let (acceptor, builder, watcher) =
                    (acceptor.clone(), builder.clone(), graceful.watcher());
                let handshake_timeout = limits.header_read_timeout;
                connections.spawn(async move {
                    // The handshake is bounded like a request's headers: a client that opens
                    // a connection and says nothing gives its slot back.
                    if let Ok(Ok(stream)) =
                        tokio::time::timeout(handshake_timeout, acceptor.accept(stream)).await
                    {
                        let conn = builder.serve_connection(TokioIo::new(stream), service);
                        let _ = watcher.watch(conn).await;
                    }
                    drop(permit);
                });
            }
        }
    }
    drop(listener);
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            open = connections.len(),
            "receiver connections still open after the shutdown grace; dropping them"
        );
    }
    connections.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_fits_under_the_file_limit_with_room_kept() {
        let d = ServerLimits::default();
        assert_eq!(d.fitted_to(None), d);
        assert_eq!(d.fitted_to(Some(1_048_576)).max_connections, 512);
        assert_eq!(d.fitted_to(Some(256)).max_connections, 192);
        assert_eq!(d.fitted_to(Some(20)).max_connections, MIN_CONNECTIONS);
    }

    #[cfg(unix)]
    #[test]
    fn this_process_reads_its_own_file_limit() {
        let limit = open_file_limit().expect("unix processes have RLIMIT_NOFILE");
        let fitted = ServerLimits::for_this_process().max_connections;
        assert!(
            fitted <= 512 && (fitted as u64) <= limit.max(72),
            "{fitted} for {limit}"
        );
    }
}

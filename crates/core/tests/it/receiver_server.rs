//! The receiver's server under clients that never finish: a slow-loris header, idle sockets
//! past the connection cap, a body trickling in while the service stops. Real TCP on loopback.

// Test helpers outside #[test] fns panic on setup failure by design.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use mizan_core::Console;
use mizan_core::store::deliveries::{self, DeliveryFilter, DeliveryVerdict};
use mizan_core::webhooks::{ReceiverState, ServerLimits, router, serve};
use tamara::Sensitive;
use tamara::notification::sign_token;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::common;

const KEY: &str = "receiver-server-notification-key";

/// A receiver served by [`serve`] with `limits`; its address, the console, the stop switch and
/// the server task.
/// What [`start`] hands back.
type Started = (
    SocketAddr,
    Console,
    oneshot::Sender<()>,
    JoinHandle<std::io::Result<()>>,
);

async fn start(dir: &std::path::Path, limits: ServerLimits) -> Started {
    start_with(dir, limits, None).await
}

async fn start_with(
    dir: &std::path::Path,
    limits: ServerLimits,
    timeouts: Option<(Duration, Duration)>,
) -> Started {
    let console = common::console(dir, &[("MIZAN_SANDBOX_NOTIFICATION_TOKEN", KEY)]).await;
    let mut state = ReceiverState::new(console.clone(), Arc::new(Notify::new()));
    if let Some((body, request)) = timeouts {
        state = state.with_timeouts(body, request);
    }
    let app = router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, app, limits, None, async move {
        let _ = stopped.await;
    }));
    (addr, console, stop, server)
}

/// Waits until the server closes `socket` (EOF or reset); how long that took.
async fn closed_within(socket: &mut TcpStream, limit: Duration) -> Duration {
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout_at(started + limit, socket.read(&mut buf)).await {
            Err(_) => panic!("the server kept the connection open for {limit:?}"),
            Ok(Ok(0) | Err(_)) => return started.elapsed(),
            Ok(Ok(_)) => {} // an answer (408) may come before the close
        }
    }
}

/// A client sending its headers one byte a second is cut off at the header timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_loris_header_is_cut_off_at_the_header_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let limits = ServerLimits {
        header_read_timeout: Duration::from_secs(2),
        ..ServerLimits::default()
    };
    let (addr, _console, _stop, _server) = start(dir.path(), limits).await;
    let mut socket = TcpStream::connect(addr).await.unwrap();
    socket
        .write_all(b"POST /webhooks/tamara HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let (mut read, mut write) = socket.into_split();
    let trickle = tokio::spawn(async move {
        for b in b"x-slow: ".iter().cycle() {
            if write.write_all(&[*b]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    let limit = Duration::from_secs(8);
    loop {
        match tokio::time::timeout_at(started + limit, read.read(&mut buf)).await {
            Err(_) => panic!("a slow-loris client kept its connection for {limit:?}"),
            Ok(Ok(0) | Err(_)) => break,
            Ok(Ok(_)) => {}
        }
    }
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    trickle.abort();
}

/// Idle sockets beyond the cap neither keep a signed delivery out nor stay open: each holds a
/// slot only until its header timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_over_the_cap_do_not_keep_a_signed_delivery_out() {
    let dir = tempfile::tempdir().unwrap();
    let limits = ServerLimits {
        header_read_timeout: Duration::from_secs(1),
        max_connections: 4,
        ..ServerLimits::default()
    };
    let (addr, console, _stop, _server) = start(dir.path(), limits).await;
    let mut idle = Vec::new();
    for _ in 0..12 {
        idle.push(TcpStream::connect(addr).await.unwrap());
    }
    let token = sign_token(&Sensitive::new(KEY.to_owned()), Utc::now().timestamp()).unwrap();
    let answer = reqwest::Client::new()
        .post(format!("http://{addr}/webhooks/tamara?tamaraToken={token}"))
        .body(r#"{"order_id":"o-cap","order_reference_id":"R-1","event_type":"order_approved","data":[]}"#)
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    let rows = deliveries::list(console.store(), &DeliveryFilter::default())
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].verdict, DeliveryVerdict::Verified);
    // Every idle socket is closed by the server: 12 sockets through 4 slots of 1 s each.
    for socket in &mut idle {
        closed_within(socket, Duration::from_secs(10)).await;
    }
}

/// A stop while a client trickles a body in: the server gives the request its grace, then
/// ends — it does not wait for the client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_within_its_grace_while_a_slow_client_is_connected() {
    let dir = tempfile::tempdir().unwrap();
    let limits = ServerLimits {
        shutdown_grace: Duration::from_secs(1),
        ..ServerLimits::default()
    };
    let (addr, _console, stop, server) = start(dir.path(), limits).await;
    let mut socket = TcpStream::connect(addr).await.unwrap();
    socket
        .write_all(b"POST /webhooks/tamara HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\n{")
        .await
        .unwrap();
    let trickle = tokio::spawn(async move {
        loop {
            if socket.write_all(b" ").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the server stopped within its grace")
        .unwrap()
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    trickle.abort();
}

/// A body sent a byte at a time never pauses long enough for the body timeout (it restarts
/// with every piece), so the request timeout cuts it off: 408, nothing stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickled_body_is_cut_off_at_the_request_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, console, _stop, _server) = start_with(
        dir.path(),
        ServerLimits::default(),
        Some((Duration::from_secs(1), Duration::from_secs(2))),
    )
    .await;
    let socket = TcpStream::connect(addr).await.unwrap();
    let (mut read, mut write) = socket.into_split();
    write
        .write_all(b"POST /webhooks/tamara HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\n{")
        .await
        .unwrap();
    let trickle = tokio::spawn(async move {
        loop {
            if write.write_all(b" ").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    });
    let mut answer = vec![0u8; 256];
    let n = tokio::time::timeout(Duration::from_secs(5), read.read(&mut answer))
        .await
        .expect("answered before the body was complete")
        .unwrap();
    let head = String::from_utf8_lossy(&answer[..n]).into_owned();
    assert!(head.starts_with("HTTP/1.1 408"), "{head}");
    trickle.abort();
    let rows = deliveries::list(console.store(), &DeliveryFilter::default())
        .await
        .unwrap();
    assert!(rows.is_empty(), "{rows:?}");
}

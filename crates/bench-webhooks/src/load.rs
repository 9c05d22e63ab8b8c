//! The load generator: signed notifications POSTed to a target's webhook path over loopback.
//!
//! Owns the two load shapes. **Closed loop**: `concurrency` workers each send the next request
//! as soon as the previous one is answered; it measures capacity (throughput) and the latency
//! at that capacity. **Paced open loop**: request `i` is due at `start + i / rate` whatever
//! happened before it; its latency is measured from that *intended* send time, so a server
//! stall also charges the requests that queued behind it (correcting coordinated omission), and
//! how late the generator itself started each send is reported apart.
//!
//! Invariants: both targets get byte-identical requests (body `i`, the same token in the
//! `Authorization: Bearer` header and the `tamaraToken` parameter, as Tamara sends it); a
//! request counts as acknowledged only on HTTP 200 with its body read; every other outcome is
//! an error, never a silent drop; the indices of acknowledged requests are kept so the store
//! can be checked body by body.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::BenchError;
use crate::fixtures::Notifications;
use crate::stats::{PhaseResult, micros};

/// The receiver's path on both servers.
pub const WEBHOOK_PATH: &str = "/webhooks/tamara";

/// A request that takes longer than this is an error.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Where and how to send.
#[derive(Clone)]
pub struct Target {
    client: reqwest::Client,
    url: Arc<str>,
    bearer: Arc<str>,
    bodies: Arc<Notifications>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target").finish_non_exhaustive()
    }
}

/// One phase's result plus the body indices that were acknowledged.
#[derive(Debug, Clone, Default)]
pub struct PhaseRun {
    pub result: PhaseResult,
    pub acknowledged: Vec<u64>,
}

impl Target {
    /// A target at `base_url` (`http://127.0.0.1:PORT`), with its own connection pool.
    ///
    /// # Errors
    /// [`BenchError::Client`].
    pub fn new(
        base_url: &str,
        token: &str,
        bodies: Arc<Notifications>,
    ) -> Result<Target, BenchError> {
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(REQUEST_TIMEOUT)
            .pool_idle_timeout(None)
            .tcp_nodelay(true)
            .build()
            .map_err(BenchError::Client)?;
        Ok(Target {
            client,
            url: format!("{base_url}{WEBHOOK_PATH}?tamaraToken={token}").into(),
            bearer: format!("Bearer {token}").into(),
            bodies,
        })
    }

    /// Sends body `i`; true when answered 200.
    async fn send(&self, i: u64) -> bool {
        let sent = self
            .client
            .post(&*self.url)
            .header(reqwest::header::AUTHORIZATION, &*self.bearer)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(self.bodies.body(i))
            .send()
            .await;
        match sent {
            Ok(resp) => {
                let ok = resp.status() == reqwest::StatusCode::OK;
                // The acknowledgement is complete when its body has arrived.
                resp.bytes().await.is_ok() && ok
            }
            Err(_) => false,
        }
    }

    /// Closed loop: bodies `first .. first + requests` sent by `concurrency` workers.
    pub async fn closed_loop(&self, first: u64, requests: u64, concurrency: usize) -> PhaseRun {
        let next = Arc::new(AtomicU64::new(0));
        let start = Instant::now();
        let mut workers = JoinSet::new();
        for _ in 0..concurrency.max(1) {
            let target = self.clone();
            let next = next.clone();
            workers.spawn(async move {
                let mut latencies = Vec::new();
                let mut acknowledged = Vec::new();
                let mut errors = 0usize;
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= requests {
                        break;
                    }
                    let sent_at = Instant::now();
                    if target.send(first + n).await {
                        latencies.push(micros(sent_at.elapsed()));
                        acknowledged.push(first + n);
                    } else {
                        errors += 1;
                    }
                }
                (latencies, acknowledged, errors)
            });
        }
        let mut latencies = Vec::with_capacity(usize::try_from(requests).unwrap_or(0));
        let mut acknowledged = Vec::with_capacity(latencies.capacity());
        let mut errors = 0;
        while let Some(joined) = workers.join_next().await {
            match joined {
                Ok((l, a, e)) => {
                    latencies.extend(l);
                    acknowledged.extend(a);
                    errors += e;
                }
                Err(_) => errors += 1,
            }
        }
        let elapsed = start.elapsed();
        PhaseRun {
            result: PhaseResult::new(latencies, errors, elapsed, None),
            acknowledged,
        }
    }

    /// Paced open loop: `rate` requests per second for `secs` seconds, bodies from `first` on.
    pub async fn paced(&self, first: u64, rate: u32, secs: u32) -> PhaseRun {
        let total = u64::from(rate) * u64::from(secs);
        let start = Instant::now();
        let mut inflight = JoinSet::new();
        for n in 0..total {
            let intended = start + Duration::from_nanos(n * 1_000_000_000 / u64::from(rate.max(1)));
            tokio::time::sleep_until(intended).await;
            let target = self.clone();
            inflight.spawn(async move {
                let lag = micros(Instant::now().saturating_duration_since(intended));
                let ok = target.send(first + n).await;
                (first + n, ok, micros(intended.elapsed()), lag)
            });
        }
        let mut latencies = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
        let mut lags = Vec::with_capacity(latencies.capacity());
        let mut acknowledged = Vec::with_capacity(latencies.capacity());
        let mut errors = 0;
        while let Some(joined) = inflight.join_next().await {
            match joined {
                Ok((i, true, latency, lag)) => {
                    latencies.push(latency);
                    lags.push(lag);
                    acknowledged.push(i);
                }
                Ok((_, false, _, lag)) => {
                    lags.push(lag);
                    errors += 1;
                }
                Err(_) => errors += 1,
            }
        }
        let elapsed = start.elapsed();
        PhaseRun {
            result: PhaseResult::new(latencies, errors, elapsed, Some(lags)),
            acknowledged,
        }
    }
}

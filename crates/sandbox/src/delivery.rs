//! Outgoing notifications: queueing, signing, retries, fault injection and the attempt log.
//!
//! Invariants:
//! - the API never waits for a delivery: jobs go through an unbounded channel to one
//!   background dispatcher;
//! - first attempts leave in the order the state changes happened (the dispatcher sends them
//!   one after another); only retries, injected delays and injected reordering break that order,
//!   exactly the disorder a receiver must survive;
//! - every attempt (and every injected drop) is written to the log served at
//!   `GET /_sandbox/deliveries`, so tests can assert on what was sent without guessing.
//!
//! Signing (§8.1): a fresh HS256 `tamaraToken` per attempt, appended as a query parameter
//! (keeping any query the registered URL already has) and sent as `Authorization: Bearer`.
//! A registered custom `authorization` header (Tamara's own example name) meets Tamara's
//! `Authorization: Bearer` on the same header; what Tamara does then is undocumented (§8.2,
//! §16), so `SandboxConfig::custom_authorization_replaces_bearer` chooses: the Bearer token
//! wins (default) or the custom value replaces it, the token then only in the query.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::clock::{Clock, fmt_millis_z};

/// Locks a mutex, recovering from poisoning (a panicked holder cannot leave these plain
/// collections half-updated in a way that matters to a simulator).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// What to send where.
#[derive(Debug, Clone)]
pub struct Job {
    /// `"webhook"` (registered webhook), `"dispute"` (a registered webhook's dispute event) or
    /// `"legacy"` (`merchant_url.notification`).
    pub kind: &'static str,
    pub url: String,
    /// Event type (`order_captured`) or, for legacy notifications, the order status.
    pub event: String,
    pub order_id: Uuid,
    pub body: Value,
    pub headers: Vec<(String, String)>,
}

/// Pending delivery faults; each counter is consumed by the next deliveries.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct DeliveryFaults {
    /// Send each of the next N deliveries twice.
    pub duplicate: u32,
    /// Silently drop the next N deliveries (logged with `dropped: true`).
    pub drop: u32,
    /// Sign the next N deliveries with a wrong key.
    pub wrong_key: u32,
    /// Hold the next N deliveries, then send them in reverse order.
    pub reorder: u32,
    /// Delay the next `delay_count` deliveries by `delay_ms` (later ones overtake them).
    pub delay_ms: u64,
    pub delay_count: u32,
}

/// One line of the delivery log.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    /// Same for all attempts (and duplicates) of one delivery.
    pub delivery_id: u64,
    pub kind: &'static str,
    pub url: String,
    pub event: String,
    pub order_id: Uuid,
    /// 1 for the first try, 2.. for retries; 0 for a dropped delivery (never sent).
    pub attempt: u32,
    /// HTTP status the receiver answered; `None` on connection errors or drops.
    pub status: Option<u16>,
    pub error: Option<String>,
    pub signed_wrong: bool,
    pub duplicate: bool,
    pub dropped: bool,
    pub delayed_ms: u64,
    pub at: String,
}

#[derive(Debug, Clone)]
struct Delivery {
    id: u64,
    job: Job,
    wrong_key: bool,
    duplicate: bool,
    delay_ms: u64,
}

struct Shared {
    client: reqwest::Client,
    clock: Arc<Clock>,
    notification_token: String,
    retry_schedule: Vec<Duration>,
    custom_authorization_replaces_bearer: bool,
    token_lifetime_secs: i64,
    faults: Mutex<DeliveryFaults>,
    held: Mutex<Vec<Delivery>>,
    log: Mutex<Vec<Attempt>>,
    next_id: AtomicU64,
}

/// Handle owned by the app state: queue jobs, set faults, read the log.
pub struct Deliverer {
    tx: mpsc::UnboundedSender<Job>,
    shared: Arc<Shared>,
    task: Mutex<Option<tokio::task::AbortHandle>>,
}

impl Deliverer {
    /// Starts the dispatcher on the current Tokio runtime, signing and retrying as `config`
    /// says.
    pub fn start(clock: Arc<Clock>, config: &crate::config::SandboxConfig) -> anyhow::Result<Self> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| anyhow::anyhow!("the sandbox must be created inside a Tokio runtime"))?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let shared = Arc::new(Shared {
            client,
            clock,
            notification_token: config.notification_token.clone(),
            retry_schedule: config.retry_schedule.clone(),
            custom_authorization_replaces_bearer: config.custom_authorization_replaces_bearer,
            token_lifetime_secs: config.token_lifetime_secs,
            faults: Mutex::new(DeliveryFaults::default()),
            held: Mutex::new(Vec::new()),
            log: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(1),
        });
        let (tx, rx) = mpsc::unbounded_channel();
        let task = runtime.spawn(dispatch(rx, shared.clone()));
        Ok(Self {
            tx,
            shared,
            task: Mutex::new(Some(task.abort_handle())),
        })
    }

    /// Queues a job (never blocks).
    pub fn enqueue(&self, job: Job) {
        if self.tx.send(job).is_err() {
            tracing::warn!("delivery dispatcher stopped; notification not sent");
        }
    }

    /// Adds to the pending faults (counters accumulate; a new delay replaces the old one).
    pub fn add_faults(&self, f: DeliveryFaults) -> DeliveryFaults {
        let mut g = lock(&self.shared.faults);
        g.duplicate += f.duplicate;
        g.drop += f.drop;
        g.wrong_key += f.wrong_key;
        g.reorder += f.reorder;
        if f.delay_count > 0 {
            g.delay_ms = f.delay_ms;
            g.delay_count = f.delay_count;
        }
        g.clone()
    }

    pub fn clear_faults(&self) {
        *lock(&self.shared.faults) = DeliveryFaults::default();
        // Anything held for reordering goes out now rather than never.
        let held: Vec<Delivery> = std::mem::take(&mut *lock(&self.shared.held));
        for d in held.into_iter().rev() {
            tokio::spawn(send_with_retries(self.shared.clone(), d));
        }
    }

    pub fn log(&self) -> Vec<Attempt> {
        lock(&self.shared.log).clone()
    }

    pub fn clear_log(&self) {
        lock(&self.shared.log).clear();
    }

    /// Stops the dispatcher (retries already scheduled may still finish).
    pub fn stop(&self) {
        if let Some(t) = lock(&self.task).take() {
            t.abort();
        }
    }
}

impl Drop for Deliverer {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn dispatch(mut rx: mpsc::UnboundedReceiver<Job>, shared: Arc<Shared>) {
    while let Some(job) = rx.recv().await {
        let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
        let mut d = Delivery {
            id,
            job,
            wrong_key: false,
            duplicate: false,
            delay_ms: 0,
        };
        let mut hold = false;
        {
            let mut f = lock(&shared.faults);
            if f.drop > 0 {
                f.drop -= 1;
                drop(f);
                record(
                    &shared,
                    &d,
                    0,
                    None,
                    Some("dropped by fault injection".into()),
                    true,
                );
                continue;
            }
            if f.wrong_key > 0 {
                f.wrong_key -= 1;
                d.wrong_key = true;
            }
            if f.duplicate > 0 {
                f.duplicate -= 1;
                d.duplicate = true;
            }
            if f.delay_count > 0 {
                f.delay_count -= 1;
                d.delay_ms = f.delay_ms;
            }
            if f.reorder > 0 {
                f.reorder -= 1;
                hold = true;
            }
        }
        let batch = if hold {
            let mut held = lock(&shared.held);
            held.push(d);
            // Release the held group once the last one of the requested N arrived.
            if lock(&shared.faults).reorder > 0 {
                continue;
            }
            let mut group = std::mem::take(&mut *held);
            group.reverse();
            group
        } else {
            vec![d]
        };
        for d in batch {
            let copies = if d.duplicate { 2 } else { 1 };
            for copy in 0..copies {
                let mut one = d.clone();
                one.duplicate = copy > 0;
                if one.delay_ms > 0 {
                    tokio::spawn(send_with_retries(shared.clone(), one));
                } else if !attempt(&shared, &one, 1).await {
                    tokio::spawn(retry_from(shared.clone(), one, 1));
                }
            }
        }
    }
}

async fn send_with_retries(shared: Arc<Shared>, d: Delivery) {
    if d.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(d.delay_ms)).await;
    }
    if !attempt(&shared, &d, 1).await {
        retry_from(shared, d, 1).await;
    }
}

/// Retries after `done` failed attempts, following the schedule.
async fn retry_from(shared: Arc<Shared>, d: Delivery, done: u32) {
    let schedule = shared.retry_schedule.clone();
    for (i, wait) in schedule
        .iter()
        .enumerate()
        .skip(done.saturating_sub(1) as usize)
    {
        tokio::time::sleep(*wait).await;
        let n = u32::try_from(i).unwrap_or(u32::MAX).saturating_add(2);
        if attempt(&shared, &d, n).await {
            return;
        }
    }
}

/// One HTTP attempt; true on a 2xx answer.
async fn attempt(shared: &Shared, d: &Delivery, n: u32) -> bool {
    let key = if d.wrong_key {
        format!("{}-but-wrong", shared.notification_token)
    } else {
        shared.notification_token.clone()
    };
    let iat = shared.clock.now().timestamp();
    let token = match crate::jwt::sign_for(&key, iat, shared.token_lifetime_secs) {
        Ok(t) => t,
        Err(e) => {
            record(
                shared,
                d,
                n,
                None,
                Some(format!("signing failed: {e}")),
                false,
            );
            return false;
        }
    };
    let url = match with_token(&d.job.url, &token) {
        Ok(u) => u,
        Err(e) => {
            record(shared, d, n, None, Some(e.to_string()), false);
            return false;
        }
    };
    let custom_auth = d
        .job
        .headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("authorization"));
    let mut req = shared.client.post(url);
    for (name, value) in &d.job.headers {
        if !name.eq_ignore_ascii_case("authorization") {
            req = req.header(name.as_str(), value.as_str());
        }
    }
    let req = match custom_auth {
        Some((_, value)) if shared.custom_authorization_replaces_bearer => {
            req.header(reqwest::header::AUTHORIZATION, value.as_str())
        }
        _ => req.bearer_auth(&token),
    };
    let req = req.json(&d.job.body);
    match req.send().await {
        Ok(resp) => {
            let status = resp.status();
            record(shared, d, n, Some(status.as_u16()), None, false);
            status.is_success()
        }
        Err(e) => {
            record(shared, d, n, None, Some(e.to_string()), false);
            false
        }
    }
}

/// A registered URL that does not parse; its text is what the attempt log records.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad url {url}: {source}")]
pub struct BadUrl {
    pub url: String,
    pub source: url::ParseError,
}

/// Appends `tamaraToken=<jwt>` to the URL, keeping its existing query.
///
/// # Errors
/// [`BadUrl`] when `url` does not parse.
pub fn with_token(url: &str, token: &str) -> Result<url::Url, BadUrl> {
    let mut u = url::Url::parse(url).map_err(|source| BadUrl {
        url: url.to_owned(),
        source,
    })?;
    u.query_pairs_mut().append_pair("tamaraToken", token);
    Ok(u)
}

fn record(
    shared: &Shared,
    d: &Delivery,
    n: u32,
    status: Option<u16>,
    error: Option<String>,
    dropped: bool,
) {
    let a = Attempt {
        delivery_id: d.id,
        kind: d.job.kind,
        url: d.job.url.clone(),
        event: d.job.event.clone(),
        order_id: d.job.order_id,
        attempt: n,
        status,
        error,
        signed_wrong: d.wrong_key,
        duplicate: d.duplicate,
        dropped,
        delayed_ms: d.delay_ms,
        at: fmt_millis_z(shared.clock.now()),
    };
    lock(&shared.log).push(a);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_joins_the_query_and_a_bad_url_is_named() {
        let u = with_token("https://h.example/w?a=1", "jwt").map(|u| u.to_string());
        assert_eq!(u.as_deref(), Ok("https://h.example/w?a=1&tamaraToken=jwt"));
        let bad = with_token("not a url", "jwt").err();
        assert_eq!(
            bad.as_ref().map(|e| e.source),
            Some(url::ParseError::RelativeUrlWithoutBase)
        );
        assert_eq!(
            bad.map(|e| e.to_string()).as_deref(),
            Some("bad url not a url: relative URL without a base")
        );
    }
}

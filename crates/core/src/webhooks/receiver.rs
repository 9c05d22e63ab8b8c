//! `POST /webhooks/tamara`: verify the `tamaraToken`, store the raw delivery, answer.
//!
//! Owns the receiver's verdicts and answers: 200 verified, 401 missing/forged/expired/wrongly
//! signed token (stored, never processed), 400 unparseable body with a valid token (stored),
//! 413 body over [`super::MAX_BODY_BYTES`] (axum's body limit; not stored), 405 other methods
//! (axum's method router), 503 when the inbox cannot be written (Tamara retries).
//!
//! Invariants: the row is written (WAL, `synchronous = FULL`) BEFORE any answer, so a 200
//! means the delivery survives a crash. Rows are written by one [`InboxWriter`] task that
//! commits the deliveries arriving together in one transaction (group commit): one fsync
//! acknowledges many, and each request is still answered only after the commit holding its
//! row has returned. Secrets never reach the row: the `Authorization` header, the
//! `tamaraToken` parameter and every header whose name suggests a secret are masked to their
//! last 4 characters; reasons carry the check that failed, never the token.
//! The handler never does business work: it only wakes the processor.

use std::sync::{Arc, OnceLock};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use serde_json::{Map, Value, json};
use tamara::model::notification::Notification;
use tamara::notification::{TokenError, extract_token};
use tokio::sync::{mpsc, oneshot};

use super::ReceiverState;
use crate::store::deliveries::{self, DeliveryVerdict, NewDelivery};
use crate::store::{Store, StoreError, mask_secret};

/// Header-name fragments whose values are masked before storage.
const SECRET_HEADER_HINTS: [&str; 5] = ["token", "key", "secret", "authorization", "cookie"];

/// The query parameter that carries the token.
const QUERY_TOKEN: &str = "tamaraToken";

#[axum::debug_handler]
pub(crate) async fn receive(
    State(state): State<ReceiverState>,
    method: Method,
    uri: Uri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, Json<Value>) {
    state.pressure.record();
    let now = (state.clock)();
    let query_token = query.as_deref().and_then(query_token);
    let authorization = headers
        .get(axum::http::header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("\u{fffd}"));
    let token_check = match &state.verifier {
        None => Err(TokenError::NoKeyConfigured),
        Some(verifier) => extract_token(authorization, query_token.as_deref())
            .and_then(|(token, _source)| verifier.verify(&token, now.timestamp())),
    };
    let parsed = Notification::parse(&body);
    let (verdict, status, reason) = match (&token_check, &parsed) {
        (Err(e), _) => (
            DeliveryVerdict::Rejected,
            StatusCode::UNAUTHORIZED,
            Some(format!("{}: {e}", e.code())),
        ),
        (Ok(_), Err(e)) => (
            DeliveryVerdict::InvalidBody,
            StatusCode::BAD_REQUEST,
            Some(format!("body_invalid: {e}")),
        ),
        (Ok(_), Ok(_)) => (DeliveryVerdict::Verified, StatusCode::OK, None),
    };
    let notification = parsed.ok();
    let delivery = NewDelivery {
        environment: state.environment(),
        received_at: now,
        method: method.to_string(),
        path: uri.path().to_owned(),
        query: query.as_deref().map(mask_query),
        headers_json: masked_headers(&headers),
        body: String::from_utf8_lossy(&body).into_owned(),
        verdict,
        reason: reason.clone(),
        http_status: status.as_u16(),
        order_id: notification.as_ref().map(|n| n.order_id.clone()),
        event_type: notification.as_ref().map(|n| n.kind.name().to_owned()),
    };
    let id = match state.inbox.insert(state.console.store(), delivery).await {
        Ok(id) => id,
        Err(e) => {
            tracing::error!(error = %e, "webhook delivery not stored; answering 503");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"success": false, "error": "inbox_unavailable"})),
            );
        }
    };
    if verdict == DeliveryVerdict::Verified {
        state.wake.notify_one();
        (
            StatusCode::OK,
            Json(json!({"success": true, "delivery_id": id})),
        )
    } else {
        tracing::warn!(
            delivery_id = id,
            reason = reason.as_deref().unwrap_or(""),
            "webhook delivery refused"
        );
        let code = reason
            .as_deref()
            .and_then(|r| r.split(':').next())
            .unwrap_or("refused")
            .to_owned();
        (status, Json(json!({"success": false, "error": code})))
    }
}

/// Most deliveries one inbox transaction carries.
const MAX_GROUP: usize = 256;

/// Scheduler turns a burst may take to gather more deliveries before its commit.
const GATHER_TURNS: usize = 8;

/// A delivery waiting for the writer, with the channel its request waits on.
type Queued = (NewDelivery, oneshot::Sender<Result<i64, String>>);

/// The inbox's single writer (group commit). Without it every delivery was its own
/// transaction and fsync, and concurrent requests queued on SQLite's write lock (sleeping in
/// its busy handler), which capped the receiver at a few hundred deliveries a second.
///
/// The task starts with the first delivery (so always inside the runtime) and ends when the
/// router holding the last clone is dropped.
#[derive(Clone, Default)]
pub(crate) struct InboxWriter {
    queue: Arc<OnceLock<mpsc::UnboundedSender<Queued>>>,
}

impl InboxWriter {
    /// Stores `delivery`; returns its id once the transaction holding it has committed.
    async fn insert(&self, store: &Store, delivery: NewDelivery) -> Result<i64, String> {
        let queue = self.queue.get_or_init(|| {
            // Unbounded is bounded in practice: each queued delivery is a request waiting for
            // its answer.
            let (tx, rx) = mpsc::unbounded_channel();
            let store = store.clone();
            let store_of_console = store.clone();
            tokio::spawn(async move {
                // Its own connection keeps its page cache warm; the shared pool is the
                // fallback (slower, never wrong).
                let own = match store.dedicated_writer().await {
                    Ok(own) => own,
                    Err(e) => {
                        tracing::warn!(error = %e, "inbox writer uses the shared pool");
                        store
                    }
                };
                write_groups(store_of_console, own, rx).await;
            });
            tx
        });
        let (reply, answer) = oneshot::channel();
        let stopped = || "the inbox writer has stopped".to_owned();
        queue.send((delivery, reply)).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// Commits whatever has queued up while the previous commit ran, then answers each request.
/// `console` is the console's store: once it is closed (shutdown), the inbox refuses too, so
/// nothing is acknowledged that the rest of the console can no longer see.
async fn write_groups(console: Store, store: Store, mut queue: mpsc::UnboundedReceiver<Queued>) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    let mut checkpoints = Checkpoints::new(console.clone());
    loop {
        let received = tokio::select! {
            received = queue.recv_many(&mut group, MAX_GROUP) => received,
            () = checkpoints.due() => {
                checkpoints.start();
                continue;
            }
        };
        if received == 0 {
            break;
        }
        checkpoints.wrote();
        if group.len() > 1 {
            gather_burst(&mut queue, &mut group).await;
        }
        if console.pool().is_closed() && !store.pool().is_closed() {
            store.close().await;
        }
        match insert_group(&store, &group).await {
            Ok(ids) => {
                for ((_, reply), id) in group.drain(..).zip(ids) {
                    let _ = reply.send(Ok(id));
                }
            }
            Err(e) => {
                // One bad row must not refuse its neighbours: store them one by one.
                tracing::warn!(error = %e, rows = group.len(), "inbox group not stored; storing one by one");
                for (delivery, reply) in group.drain(..) {
                    let stored = deliveries::insert(&store, &delivery).await;
                    let _ = reply.send(stored.map_err(|e| e.to_string()));
                }
            }
        }
    }
}

/// How often the inbox's writes are checkpointed into the database file.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// The inbox connection's checkpoints, run beside it. Its own commits never checkpoint (see
/// [`Store::dedicated_writer`]), so the WAL would only grow; this copies it into the file
/// every [`CHECKPOINT_EVERY`] after writes, on a connection of the console's pool and as a
/// task of its own, so no acknowledgement ever waits for it. One at a time.
struct Checkpoints {
    console: Store,
    /// When the next one is due: set by the first write after the last one started.
    next: Option<tokio::time::Instant>,
    running: Option<tokio::task::JoinHandle<()>>,
}

impl Checkpoints {
    fn new(console: Store) -> Self {
        Checkpoints {
            console,
            next: None,
            running: None,
        }
    }

    fn wrote(&mut self) {
        if self.next.is_none() {
            self.next = Some(tokio::time::Instant::now() + CHECKPOINT_EVERY);
        }
    }

    /// Resolves when a checkpoint is due; never while nothing was written since the last.
    async fn due(&self) {
        match self.next {
            Some(at) => tokio::time::sleep_until(at).await,
            None => std::future::pending().await,
        }
    }

    fn start(&mut self) {
        if self.running.as_ref().is_some_and(|r| !r.is_finished()) {
            // The previous one still runs (a slow disk): try again a period later.
            self.next = Some(tokio::time::Instant::now() + CHECKPOINT_EVERY);
            return;
        }
        self.next = None;
        if self.console.pool().is_closed() {
            return;
        }
        let console = self.console.clone();
        self.running = Some(tokio::spawn(async move {
            if let Err(e) = console.checkpoint().await {
                tracing::warn!(error = %e, "inbox checkpoint failed; the next one retries");
            }
        }));
    }
}

/// During a burst (more than one delivery already waiting), lets the requests that are
/// runnable right now reach the queue before committing: a few scheduler turns, no timer, so
/// a lone delivery never waits and a burst shares one fsync among more rows.
async fn gather_burst(queue: &mut mpsc::UnboundedReceiver<Queued>, group: &mut Vec<Queued>) {
    for _ in 0..GATHER_TURNS {
        tokio::task::yield_now().await;
        let before = group.len();
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(queued) => group.push(queued),
                Err(_) => break,
            }
        }
        if group.len() == before {
            break;
        }
    }
}

async fn insert_group(store: &Store, group: &[Queued]) -> Result<Vec<i64>, StoreError> {
    let rows: Vec<&NewDelivery> = group.iter().map(|(d, _)| d).collect();
    let mut tx = store.begin().await?;
    let ids = deliveries::insert_many(&mut tx, &rows).await?;
    tx.commit()
        .await
        .map_err(StoreError::query("commit deliveries"))?;
    Ok(ids)
}

/// The `tamaraToken` value of a raw query string, if present.
fn query_token(raw: &str) -> Option<String> {
    url::form_urlencoded::parse(raw.as_bytes())
        .find(|(k, _)| k == QUERY_TOKEN)
        .map(|(_, v)| v.into_owned())
}

/// The query string with the token's value masked; other parameters kept.
fn mask_query(raw: &str) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in url::form_urlencoded::parse(raw.as_bytes()) {
        if k == QUERY_TOKEN {
            out.append_pair(&k, &mask_secret(&v));
        } else {
            out.append_pair(&k, &v);
        }
    }
    out.finish()
}

/// Headers as a JSON object (lower-case names; repeated headers joined with ", "), secret
/// values masked.
fn masked_headers(headers: &HeaderMap) -> String {
    let mut map = Map::new();
    for name in headers.keys() {
        let lower = name.as_str().to_ascii_lowercase();
        let secret = SECRET_HEADER_HINTS.iter().any(|h| lower.contains(h));
        let joined = headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect::<Vec<_>>()
            .join(", ");
        let value = if secret { mask_secret(&joined) } else { joined };
        map.insert(lower, Value::String(value));
    }
    Value::Object(map).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_the_query_token_and_keeps_the_rest() {
        let q = mask_query("storeId=1&tamaraToken=eyJhbGciOiJIUzI1NiJ9.abc.signature1234");
        assert_eq!(q, "storeId=1&tamaraToken=****1234");
        assert_eq!(
            query_token("a=b&tamaraToken=x.y.z").as_deref(),
            Some("x.y.z")
        );
    }

    #[test]
    fn masks_secret_looking_headers() {
        let mut h = HeaderMap::new();
        h.insert(
            "authorization",
            "Bearer aaaa.bbbb.cccc9876".parse().unwrap(),
        );
        h.insert("x-console-key", "k-7f3a-long-value".parse().unwrap());
        h.insert("content-type", "application/json".parse().unwrap());
        let v: Value = serde_json::from_str(&masked_headers(&h)).unwrap();
        assert_eq!(v["authorization"], "****9876");
        assert_eq!(v["x-console-key"], "****alue");
        assert_eq!(v["content-type"], "application/json");
    }
}

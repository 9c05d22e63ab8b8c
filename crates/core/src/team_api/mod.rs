//! The team API: one merchant's finance team working on one server's data (`mizan serve` on
//! PostgreSQL, issue 25). JSON over HTTP under `/api/v1`, beside the webhook receiver on the same
//! listener; consoles sign in with personal tokens ([`auth`]).
//!
//! A host, like the CLI and the desktop shell: handlers call the [`Console`] facade (acting as
//! the signed-in person, so the ledger and the audit log name them) and the desktop read models,
//! and hold no rule of their own — who may do what is [`crate::team::roles`], when a second
//! person must approve is [`crate::team::approvals`], and the approval queue's single decision
//! is [`crate::store::approvals`].
//!
//! Invariants: the server is the gate for every action (a handler checks the caller's role
//! before anything else); the gateway's tokens never leave the server (no route returns
//! configuration or credentials); a refund or cancel at or above the policy's threshold, and a
//! production webhook change, is queued instead of run, and runs once, when approved; state
//! changes are written to the audit log with the person's name; every change is announced on
//! the live event stream (`GET /api/v1/events`).

mod auth;
mod error;
pub mod people;
mod routes;
pub mod webhooks;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::routing::{delete, get, post};
use serde::Serialize;
use tokio::sync::broadcast;

use crate::Console;
use crate::store::notify;
use crate::team::{ApprovalPolicy, LoginThrottle, ThrottlePolicy, TokenHasher};

pub use auth::Caller;
pub use error::ApiError;

/// How many verified-token digests a server remembers before starting over.
const VERIFIED_CAPACITY: usize = 10_000;
/// Events kept for a slow subscriber before it skips ahead (it then re-reads what it shows).
const EVENT_BUFFER: usize = 256;

/// The PostgreSQL channel on which instances pass their events to each other.
const NOTICE_CHANNEL: &str = "mizan_team_events";

/// A change every connected console should see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TeamEvent {
    /// An order's money or state changed (re-read it).
    OrderChanged { order_id: String },
    /// The approval queue changed.
    ApprovalChanged { id: i64, state: String },
    /// People or tokens changed.
    TeamChanged,
}

/// The team API's state: the console it acts through and what sign-in needs.
pub struct TeamApi {
    console: Console,
    hasher: TokenHasher,
    policy: ApprovalPolicy,
    throttle: Mutex<LoginThrottle>,
    verified: Mutex<HashMap<[u8; 32], i64>>,
    events: broadcast::Sender<TeamEvent>,
    /// This instance's name on the notice channel, so it ignores its own notices.
    instance: String,
}

/// An event as one instance tells the others (`store::notify`).
#[derive(Debug, Serialize, serde::Deserialize)]
struct Notice {
    from: String,
    event: TeamEvent,
}

impl std::fmt::Debug for TeamApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TeamApi").finish_non_exhaustive()
    }
}

impl TeamApi {
    /// The API over `console`, with `policy` for four-eyes and `hasher` for new tokens.
    /// On PostgreSQL it also relays the other instances' events to this one's subscribers, so a
    /// colleague's capture through any instance reaches every open console (call it inside a
    /// Tokio runtime).
    pub fn new(console: Console, policy: ApprovalPolicy, hasher: TokenHasher) -> Arc<TeamApi> {
        let mut id = [0u8; 8];
        // Without randomness the pid still tells instances on different hosts apart rarely,
        // and an echo of our own event is only a spare re-read.
        if getrandom::fill(&mut id).is_err() {
            id[..4].copy_from_slice(&std::process::id().to_le_bytes());
        }
        let api = Arc::new(TeamApi {
            console,
            hasher,
            policy,
            throttle: Mutex::new(LoginThrottle::new(ThrottlePolicy::default())),
            verified: Mutex::new(HashMap::new()),
            events: broadcast::channel(EVENT_BUFFER).0,
            instance: hex::encode(id),
        });
        if api.console.store().is_postgres() {
            tokio::spawn(relay(
                api.console.clone(),
                api.events.clone(),
                api.instance.clone(),
            ));
        }
        api
    }

    /// Subscribes to the live events (what `GET /api/v1/events` streams).
    pub fn subscribe(&self) -> broadcast::Receiver<TeamEvent> {
        self.events.subscribe()
    }

    fn announce(&self, event: TeamEvent) {
        if self.console.store().is_postgres() {
            let notice = Notice {
                from: self.instance.clone(),
                event: event.clone(),
            };
            let store = self.console.store().clone();
            tokio::spawn(async move {
                let payload = serde_json::to_string(&notice).unwrap_or_default();
                if let Err(e) = notify::publish(&store, NOTICE_CHANNEL, &payload).await {
                    tracing::warn!(error = %e, "team event not passed to the other instances");
                }
            });
        }
        // No subscriber is not an error: nobody is watching.
        let _ = self.events.send(event);
    }

    fn lock_throttle(&self) -> MutexGuard<'_, LoginThrottle> {
        // A poisoned lock only means a panic elsewhere mid-update; the counts stay usable.
        self.throttle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn lock_verified(&self) -> MutexGuard<'_, HashMap<[u8; 32], i64>> {
        self.verified
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Passes the other instances' events to this one's subscribers until the store closes
/// (PgListener reconnects by itself; what was sent meanwhile is lost, and consoles re-read on
/// reconnecting anyway).
async fn relay(console: Console, events: broadcast::Sender<TeamEvent>, instance: String) {
    let mut listener = match notify::subscribe(console.store(), NOTICE_CHANNEL).await {
        Ok(Some(l)) => l,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(error = %e, "not listening for other instances' team events");
            return;
        }
    };
    loop {
        match listener.recv().await {
            Ok(n) => {
                if let Ok(notice) = serde_json::from_str::<Notice>(n.payload())
                    && notice.from != instance
                {
                    let _ = events.send(notice.event);
                }
            }
            // The store is closing: let go of the listener's connection, which the pool's
            // close waits for.
            Err(sqlx::Error::PoolClosed) => return,
            Err(_) if console.store().is_closed() => return,
            Err(e) => {
                tracing::warn!(error = %e, "team event listener failed; retrying");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        }
    }
}

/// The routes, under `/api/v1`.
pub fn router(api: Arc<TeamApi>) -> Router {
    Router::new()
        .route("/api/v1/me", get(routes::me))
        .route("/api/v1/orders/page", post(routes::orders_page))
        .route("/api/v1/orders/{id}", get(routes::order))
        .route("/api/v1/moves", post(routes::move_money))
        .route("/api/v1/approvals", get(routes::approvals))
        .route("/api/v1/approvals/{id}/approve", post(routes::approve))
        .route("/api/v1/approvals/{id}/reject", post(routes::reject))
        .route(
            "/api/v1/users",
            get(people::users_route).post(people::add_user_route),
        )
        .route("/api/v1/users/{id}/tokens", post(people::issue_token_route))
        .route(
            "/api/v1/users/{id}/tokens/{token_id}",
            delete(people::revoke_token_route),
        )
        .route(
            "/api/v1/webhooks",
            get(webhooks::list).post(webhooks::register),
        )
        .route("/api/v1/webhooks/{id}", delete(webhooks::remove))
        .route("/api/v1/events", get(routes::events))
        .with_state(api)
}

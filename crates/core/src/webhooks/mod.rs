//! The webhook path: the HTTP receiver, the background processor and the checkout redirect
//! pages, all served by one axum router (`mizan serve`, the desktop shell, the scenarios).
//!
//! Owns the routes `POST /webhooks/tamara` ([`receiver`]) and `GET /checkout/{success,failure,
//! cancel}` ([`redirects`]), the inbox processor ([`processor`]) and the one place that writes
//! a freshly read order into the cache without letting its status move backwards
//! ([`cache_details`]).
//!
//! Invariants: the receiver answers only after the delivery row is durable and never waits for
//! business processing (it only wakes the processor); everything that acts on an order re-reads
//! it from the API first, because the token signs the sender, not the body; time comes from an
//! injectable [`Clock`] so token expiry is testable.

pub mod health;
pub mod processor;
pub mod receiver;
pub mod redirects;
pub mod registration;
pub mod replay;
pub mod selftest;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;
use tamara::model::OrderStatus;
use tamara::model::WithRaw;
use tamara::model::order::OrderDetails;
use tamara::notification::TokenVerifier;
use tokio::sync::Notify;

use crate::context::Context;
use crate::environment::Environment;
use crate::error::Result;
use crate::orders::{project, status_rank};
use crate::store::items;
use crate::store::ledger::{self, LedgerSource};
use crate::store::orders;

pub use processor::{Processor, ProcessorConfig};

pub use crate::store::deliveries::{DeliveryFilter, DeliveryVerdict, WebhookDelivery};
pub use crate::store::mask_secret;

/// Stored deliveries matching `filter`, newest first.
///
/// # Errors
/// Store errors.
pub async fn deliveries(
    console: &Context,
    filter: &DeliveryFilter,
) -> Result<Vec<WebhookDelivery>> {
    Ok(crate::store::deliveries::list(console.store(), filter).await?)
}

/// Largest body the receiver reads; a bigger one is answered 413 and not stored (the body is
/// never read, so there is nothing trustworthy to store).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// The receiver's route.
pub const WEBHOOK_PATH: &str = "/webhooks/tamara";

/// Where "now" comes from; tests inject a fixed time.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The wall clock.
pub fn system_clock() -> Clock {
    Arc::new(Utc::now)
}

/// What the router's handlers share.
#[derive(Clone)]
pub struct ReceiverState {
    pub(crate) console: Context,
    /// None when the environment has no notification token: every delivery is then stored as
    /// rejected (`token_no_key_configured`).
    pub(crate) verifier: Option<TokenVerifier>,
    pub(crate) wake: Arc<Notify>,
    pub(crate) clock: Clock,
    /// The receiver's single writer to the inbox (group commit).
    pub(crate) inbox: receiver::Inbox,
}

impl ReceiverState {
    /// State for the console's active environment, verifying with its notification token.
    pub fn new(console: impl Into<Context>, wake: Arc<Notify>, clock: Clock) -> ReceiverState {
        let console: Context = console.into();
        let active = console.config().active();
        let max_lifetime = i64::try_from(active.token_max_lifetime.as_secs()).unwrap_or(i64::MAX);
        let verifier = active
            .notification_token
            .clone()
            .map(|token| TokenVerifier::new(token).with_max_lifetime(max_lifetime));
        ReceiverState {
            console,
            verifier,
            wake,
            clock,
            inbox: receiver::Inbox::default(),
        }
    }

    /// The environment deliveries are verified for and stored under.
    pub fn environment(&self) -> Environment {
        self.console.environment()
    }
}

impl std::fmt::Debug for ReceiverState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceiverState")
            .field("environment", &self.environment())
            .field("verifier", &self.verifier.is_some())
            .finish_non_exhaustive()
    }
}

/// The receiver and the redirect pages. Other methods on the webhook path answer 405.
pub fn router(state: ReceiverState) -> Router {
    Router::new()
        .route(
            WEBHOOK_PATH,
            post(receiver::receive).layer(DefaultBodyLimit::max(MAX_BODY_BYTES)),
        )
        .route("/checkout/success", get(redirects::success))
        .route("/checkout/failure", get(redirects::failure))
        .route("/checkout/cancel", get(redirects::cancel))
        .with_state(Arc::new(state))
}

/// What writing a fresh read into the cache did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheOutcome {
    /// The order row now holds the fetched status (`from` is the previous one, if cached).
    Applied { from: Option<String>, to: String },
    /// The fetched status ranks below the cached one: recorded, not applied.
    Stale { cached: String, fetched: String },
}

impl CacheOutcome {
    /// A one-line description for inbox results and the audit log.
    pub fn describe(&self) -> String {
        match self {
            CacheOutcome::Applied { from: None, to } => format!("cached as {to}"),
            CacheOutcome::Applied { from: Some(f), to } if f == to => format!("still {to}"),
            CacheOutcome::Applied { from: Some(f), to } => format!("{f} -> {to}"),
            CacheOutcome::Stale { cached, fetched } => {
                format!("stale read {fetched} kept {cached} (statuses never move backwards)")
            }
        }
    }
}

/// Writes one read of order details into the cache on `conn` (use `&mut *tx` to make it part
/// of a larger transaction): the order row and its items only if the status does not move
/// backwards, and every observed money move (deduplicated by the store) with `source`.
///
/// # Errors
/// [`crate::Error::UncacheableOrder`]; store errors.
pub async fn cache_details(
    conn: &mut SqliteConnection,
    env: Environment,
    details: &WithRaw<OrderDetails>,
    source: LedgerSource,
    now: DateTime<Utc>,
) -> Result<CacheOutcome> {
    let snapshot = project(env, &details.value, &details.raw, now)?;
    let existing = orders::get(&mut *conn, env, &snapshot.order.order_id).await?;
    let fetched = snapshot.order.status.clone();
    if let Some(cached) = &existing
        && status_rank(&OrderStatus::parse(&fetched))
            < status_rank(&OrderStatus::parse(&cached.status))
    {
        return Ok(CacheOutcome::Stale {
            cached: cached.status.clone(),
            fetched,
        });
    }
    orders::upsert(&mut *conn, &snapshot.order).await?;
    items::replace_for_order(&mut *conn, env, &snapshot.order.order_id, &snapshot.items).await?;
    let actor = source.as_str().to_owned();
    for m in &snapshot.moves {
        let mut m = m.clone();
        m.source = source;
        m.actor.clone_from(&actor);
        ledger::upsert_observed(&mut *conn, &m).await?;
    }
    Ok(CacheOutcome::Applied {
        from: existing.map(|o| o.status),
        to: fetched,
    })
}

/// Reads `order_id` from the API and caches it (never backwards) in one transaction.
///
/// # Errors
/// Gateway errors ([`crate::Error::Gateway`], [`crate::Error::NoApiToken`]); store errors.
pub async fn refresh_order(
    console: &Context,
    order_id: &str,
    source: LedgerSource,
    now: DateTime<Utc>,
) -> Result<(WithRaw<OrderDetails>, CacheOutcome)> {
    let gateway = console.gateway()?;
    let details = gateway.order(order_id, tamara::OrderPath::Orders).await?;
    let mut tx = console.store().begin().await?;
    let outcome = cache_details(&mut tx, console.environment(), &details, source, now).await?;
    tx.commit()
        .await
        .map_err(crate::store::StoreError::query("commit order"))?;
    Ok((details, outcome))
}

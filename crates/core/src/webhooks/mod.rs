//! The webhook path: the HTTP receiver, the background processor and the checkout redirect
//! pages, all served by one axum router (`mizan serve`, the desktop shell, the scenarios).
//!
//! Owns the routes `POST /webhooks/tamara` ([`receiver`]) and `GET /checkout/{success,failure,
//! cancel}` ([`redirects`]) and the inbox processor ([`processor`]). Writing a freshly read
//! order into the cache, never backwards, is [`crate::orders::cache::cache_details`].
//!
//! Invariants: the receiver answers only after the delivery row is durable and never waits for
//! business processing (it only wakes the processor); everything that acts on an order re-reads
//! it from the API first, because the token signs the sender, not the body; time comes from the
//! context's clock, so token expiry is testable.

mod batch;
pub mod body;
pub mod health;
pub mod limit;
pub mod processor;
pub mod receiver;
pub mod redirects;
pub mod registration;
pub mod registration_health;
pub mod replay;
pub mod sample;
pub mod selftest;
pub mod server;
pub mod tls;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{get, post};

use tamara::notification::TokenVerifier;
use tokio::sync::Notify;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

use crate::context::Context;
use crate::environment::Environment;
use crate::error::Result;

pub use limit::RefusalLimit;
pub use processor::{Processor, ProcessorConfig};
pub use server::{ServerLimits, serve};

pub use crate::store::deliveries::{
    DeliveryFilter, DeliveryVerdict, RequestSizes, WebhookDelivery,
};
pub use crate::store::mask_secret;

/// Stored deliveries matching `filter`, newest first. The order may be named by Tamara's id
/// or, for a cached order, by the merchant's reference (people search by the reference they
/// know; deliveries are filed under the id).
///
/// # Errors
/// Store errors.
pub async fn deliveries(
    console: &Context,
    filter: &DeliveryFilter,
) -> Result<Vec<WebhookDelivery>> {
    let store = console.store();
    let mut filter = filter.clone();
    if let Some(named) = filter.order_id.as_deref().map(str::trim) {
        let env = console.environment();
        let by_id = crate::store::orders::get(store, env, named).await?;
        let order = match by_id {
            Some(o) => Some(o),
            None => crate::store::orders::get_by_reference(store, env, named).await?,
        };
        filter.order_id = Some(order.map_or_else(|| named.to_owned(), |o| o.order_id));
    }
    Ok(crate::store::deliveries::list(store, &filter).await?)
}

/// Largest body the receiver reads; a bigger one is answered 413 and not stored (the body is
/// never read, so there is nothing trustworthy to store).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Longest pause between two pieces of a request's body (tower-http's body timeout restarts
/// with every piece, so a body trickled a byte at a time is bounded by [`REQUEST_TIMEOUT`]).
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Time a request has from its headers to its answer, body and inbox commit included; past it
/// the answer is 408 (a commit already under way still lands).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The receiver's route.
pub const WEBHOOK_PATH: &str = "/webhooks/tamara";

/// What the router's handlers share.
#[derive(Clone)]
pub struct ReceiverState {
    pub(crate) console: Context,
    /// None when the environment has no notification token: every delivery is then stored as
    /// rejected (`token_no_key_configured`).
    pub(crate) verifier: Option<TokenVerifier>,
    pub(crate) wake: Arc<Notify>,
    /// The receiver's single writer to the inbox (group commit).
    pub(crate) inbox: receiver::Inbox,
    /// Per-address limit of refused deliveries (never consulted for verified ones).
    pub(crate) refusals: Arc<limit::RefusalLimiter>,
    /// Longest pause in a body ([`BODY_READ_TIMEOUT`] by default).
    body_read_timeout: Duration,
    /// Time from headers to answer ([`REQUEST_TIMEOUT`] by default).
    request_timeout: Duration,
}

impl ReceiverState {
    /// State for the console's active environment, verifying with its notification token.
    pub fn new(console: impl Into<Context>, wake: Arc<Notify>) -> ReceiverState {
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
            inbox: receiver::Inbox::default(),
            refusals: Arc::new(limit::RefusalLimiter::new(RefusalLimit::default())),
            body_read_timeout: BODY_READ_TIMEOUT,
            request_timeout: REQUEST_TIMEOUT,
        }
    }

    /// The same state with another limit of refused deliveries per address.
    #[must_use]
    pub fn with_refusal_limit(mut self, limit: RefusalLimit) -> ReceiverState {
        self.refusals = Arc::new(limit::RefusalLimiter::new(limit));
        self
    }

    /// The same state with other body and request timeouts (tests use short ones).
    #[must_use]
    pub fn with_timeouts(mut self, body_read: Duration, request: Duration) -> ReceiverState {
        self.body_read_timeout = body_read;
        self.request_timeout = request;
        self
    }

    /// Refused requests answered 429 (and not stored) since this state was made: how a flood
    /// shows.
    pub fn rate_limited(&self) -> u64 {
        self.refusals.limited()
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
///
/// The receiver reads the peer's address: serve this with [`serve`] (or
/// `into_make_service_with_connect_info::<SocketAddr>()`). Every request has at most [`BODY_READ_TIMEOUT`] between pieces of its body and [`REQUEST_TIMEOUT`] in all (or
/// the state's own, [`ReceiverState::with_timeouts`]).
pub fn router(state: ReceiverState) -> Router {
    let (body_read_timeout, request_timeout) = (state.body_read_timeout, state.request_timeout);
    Router::new()
        .route(
            WEBHOOK_PATH,
            post(receiver::receive).layer(DefaultBodyLimit::max(MAX_BODY_BYTES)),
        )
        .route("/checkout/success", get(redirects::success))
        .route("/checkout/failure", get(redirects::failure))
        .route("/checkout/cancel", get(redirects::cancel))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ))
        .layer(RequestBodyTimeoutLayer::new(body_read_timeout))
        .with_state(Arc::new(state))
}

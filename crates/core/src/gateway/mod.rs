//! The gateway the core calls: Tamara's client behind a retry policy and a circuit breaker.
//!
//! [`Gateway`] has the same method names as [`TamaraClient`] for everything the core uses, and
//! returns [`GatewayError`] (which `?` turns into [`crate::Error`]).
//!
//! Invariants:
//! - Reads (GET) are retried with jittered exponential back-off on
//!   [`ApiError::is_retryable_read`]; writes (POST, PUT, DELETE) are **never** retried — after an
//!   ambiguous failure ([`GatewayError::is_ambiguous`]) the caller re-reads the order instead.
//! - Every attempt passes the environment's [`CircuitBreaker`]; while it is open calls fail at
//!   once with [`GatewayError::CircuitOpen`] and nothing is sent.
//! - One breaker per environment per [`crate::Console`] ([`Resilience`]), shared by its clones.
//!   State changes are also written (best effort) to the `settings` table under
//!   [`BREAKER_SETTING`], so `mizan status` in another process can show the last transition.

pub mod breaker;
pub mod budget;
mod resilience;
pub mod retry;

use std::future::Future;
use std::sync::Arc;

use tamara::model::WithRaw;
use tamara::model::checkout::{CheckoutRequest, CheckoutResponse};
use tamara::model::order::{MessageResponse, OrderDetails, UpdateReferenceRequest};
use tamara::model::payments::{
    AuthoriseResponse, CancelRequest, CancelResponse, CaptureRequest, CaptureResponse,
    SimplifiedRefundRequest, SimplifiedRefundResponse,
};
use tamara::model::webhooks::{Webhook, WebhookRequest};
use tamara::{ApiError, OrderPath, TamaraClient};

pub use breaker::{BreakerConfig, BreakerState, CircuitBreaker, CircuitState};
pub use budget::{ApiBudget, BudgetConfig, CallClass};
pub use resilience::{Resilience, ResilienceConfig};
pub use retry::RetryPolicy;

use crate::clock::Clock;
use crate::environment::Environment;
use crate::store::Store;
use crate::store::settings::{self, SettingScope};

/// Settings key (per environment) of the breaker's last transition, as JSON.
pub const BREAKER_SETTING: &str = "gateway.breaker";

/// The last breaker transition any process recorded for `env` (see
/// [`BREAKER_SETTING`]), as stored; None when none was, or it no longer reads.
///
/// # Errors
/// Store errors.
pub async fn recorded_breaker(
    store: &Store,
    env: Environment,
) -> crate::Result<Option<serde_json::Value>> {
    let text = settings::get(store, SettingScope::Env(env), BREAKER_SETTING).await?;
    Ok(text.and_then(|s| serde_json::from_str(&s).ok()))
}

/// A failed gateway call.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GatewayError {
    /// Tamara (or what stands in front of it) answered with an error, or did not answer.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The API budget (or a pause after Tamara's 429) would keep a person waiting longer than
    /// [`budget::PERSON_MAX_WAIT`]: the call was not sent.
    #[error(
        "Tamara ({env}) is limiting the rate of calls, so this one was not sent; \
         try again in {retry_after_secs} s"
    )]
    BudgetSpent {
        env: Environment,
        retry_after_secs: u64,
    },
    /// The circuit breaker of `env` is open: the call was not sent.
    #[error(
        "Tamara ({env}) keeps failing, so calls are paused (circuit breaker open); \
         next try in {retry_after_secs} s"
    )]
    CircuitOpen {
        env: Environment,
        retry_after_secs: u64,
    },
}

impl GatewayError {
    /// Stable code: the API error's, or `gateway_circuit_open`.
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            GatewayError::Api(e) => crate::ErrorCode::from(e),
            GatewayError::CircuitOpen { .. } => crate::ErrorCode::GatewayCircuitOpen,
            GatewayError::BudgetSpent { .. } => crate::ErrorCode::GatewayRateLimited,
        }
    }

    /// True when a write may have taken effect anyway (see [`ApiError::is_ambiguous`]); a
    /// call refused by the breaker was never sent, so it is not ambiguous.
    pub fn is_ambiguous(&self) -> bool {
        matches!(self, GatewayError::Api(e) if e.is_ambiguous())
    }

    pub fn api(&self) -> Option<&ApiError> {
        match self {
            GatewayError::Api(e) => Some(e),
            GatewayError::CircuitOpen { .. } | GatewayError::BudgetSpent { .. } => None,
        }
    }
}

impl From<GatewayError> for crate::Error {
    fn from(e: GatewayError) -> Self {
        match e {
            GatewayError::Api(e) => crate::Error::Gateway(e),
            GatewayError::CircuitOpen {
                env,
                retry_after_secs,
            } => crate::Error::CircuitOpen {
                env,
                retry_after_secs,
            },
            GatewayError::BudgetSpent {
                env,
                retry_after_secs,
            } => crate::Error::BudgetSpent {
                env,
                retry_after_secs,
            },
        }
    }
}

/// True for failures that mean "Tamara is not answering": they count against the breaker.
pub fn counts_against_breaker(e: &ApiError) -> bool {
    match e {
        ApiError::Timeout { .. } | ApiError::Connect { .. } | ApiError::Transport(_) => true,
        ApiError::Http { status, .. } | ApiError::NotJson { status, .. } => *status >= 500,
        _ => false,
    }
}

/// A read: retried with jittered back-off on retryable failures, each attempt through the
/// breaker. A macro rather than a function taking a closure: a closure returning a borrowing
/// future makes the caller's future fail the `Send` check (a known rustc limitation).
macro_rules! read {
    ($self:ident, $call:expr) => {{
        let mut attempt = 1u32;
        loop {
            match $self.attempt($call).await {
                Err(GatewayError::Api(e))
                    if attempt < $self.retry.max_attempts && e.is_retryable_read() =>
                {
                    tracing::debug!(attempt, error = %e, "retrying a read");
                    tokio::time::sleep($self.retry.delay(attempt, retry::jitter_unit())).await;
                    attempt += 1;
                }
                r => break r,
            }
        }
    }};
}

// After `read!`, which it uses.
mod disputes;

/// Tamara's client for one environment, behind retries (reads), the breaker and the API
/// budget (everything).
#[derive(Debug, Clone)]
pub struct Gateway {
    client: TamaraClient,
    env: Environment,
    breaker: Arc<CircuitBreaker>,
    budget: Arc<ApiBudget>,
    class: CallClass,
    retry: RetryPolicy,
    store: Option<Store>,
    clock: Arc<dyn Clock>,
}

/// What a [`Gateway`] is built from besides the client: the environment's shared breaker and
/// budget, and who is calling.
#[derive(Debug, Clone)]
pub struct GatewayParts {
    pub env: Environment,
    pub breaker: Arc<CircuitBreaker>,
    pub budget: Arc<ApiBudget>,
    pub class: CallClass,
    pub retry: RetryPolicy,
    /// Receives the breaker's transitions (see [`BREAKER_SETTING`]), when given.
    pub store: Option<Store>,
    pub clock: Arc<dyn Clock>,
}

impl Gateway {
    pub fn new(client: TamaraClient, parts: GatewayParts) -> Self {
        Gateway {
            client,
            env: parts.env,
            breaker: parts.breaker,
            budget: parts.budget,
            class: parts.class,
            retry: parts.retry,
            store: parts.store,
            clock: parts.clock,
        }
    }

    pub fn environment(&self) -> Environment {
        self.env
    }

    pub fn base_url(&self) -> &str {
        self.client.base_url()
    }

    pub fn breaker_state(&self) -> BreakerState {
        self.breaker.state()
    }

    /// One attempt through the breaker, then the budget (a refused call is never sent).
    async fn attempt<T>(
        &self,
        fut: impl Future<Output = Result<T, ApiError>>,
    ) -> Result<T, GatewayError> {
        let permit = self
            .breaker
            .try_acquire()
            .map_err(|wait| GatewayError::CircuitOpen {
                env: self.env,
                retry_after_secs: wait.as_secs_f64().ceil() as u64,
            })?;
        self.budget
            .take(self.class)
            .await
            .map_err(|wait| GatewayError::BudgetSpent {
                env: self.env,
                retry_after_secs: wait.as_secs_f64().ceil() as u64,
            })?;
        let result = fut.await;
        match &result {
            Err(ApiError::RateLimited { retry_after, .. }) => {
                tracing::warn!(env = %self.env, ?retry_after, "Tamara answered 429: pausing calls");
                self.budget.rate_limited_for(*retry_after);
            }
            _ => self.budget.answered(),
        }
        let changed = match &result {
            Err(e) if counts_against_breaker(e) => permit.failure(e.code()),
            _ => permit.success(),
        };
        if changed {
            self.record_transition().await;
        }
        result.map_err(GatewayError::Api)
    }

    async fn record_transition(&self) {
        let s = self.breaker.state();
        tracing::warn!(env = %self.env, state = %s.state, failures = s.consecutive_failures,
            "gateway circuit breaker changed state");
        let Some(store) = &self.store else { return };
        let value = serde_json::json!({
            "state": s.state.as_str(),
            "at": self.clock.now().to_rfc3339(),
            "consecutive_failures": s.consecutive_failures,
            "last_failure": s.last_failure,
        });
        if let Err(e) = settings::set(
            store,
            SettingScope::Env(self.env),
            BREAKER_SETTING,
            &value.to_string(),
            self.clock.now(),
        )
        .await
        {
            tracing::warn!(error = %e, "cannot record the breaker state");
        }
    }

    /// A write: exactly one attempt, never repeated.
    async fn write<T>(
        &self,
        fut: impl Future<Output = Result<T, ApiError>>,
    ) -> Result<T, GatewayError> {
        self.attempt(fut).await
    }

    pub async fn order(
        &self,
        order_id: &str,
        path: OrderPath,
    ) -> Result<WithRaw<OrderDetails>, GatewayError> {
        read!(self, self.client.order(order_id, path))
    }

    pub async fn order_by_reference(
        &self,
        reference: &str,
    ) -> Result<WithRaw<OrderDetails>, GatewayError> {
        read!(self, self.client.order_by_reference(reference))
    }

    pub async fn create_checkout(
        &self,
        req: &CheckoutRequest,
    ) -> Result<WithRaw<CheckoutResponse>, GatewayError> {
        self.write(self.client.create_checkout(req)).await
    }

    pub async fn in_store_session(
        &self,
        req: &tamara::model::in_store::InStoreSessionRequest,
    ) -> Result<WithRaw<tamara::model::in_store::InStoreCheckoutResponse>, GatewayError> {
        self.write(self.client.in_store_session(req)).await
    }

    pub async fn in_store_qr(
        &self,
        device_id: &str,
        req: &tamara::model::in_store::InStoreQrRequest,
    ) -> Result<WithRaw<tamara::model::in_store::InStoreCheckoutResponse>, GatewayError> {
        self.write(self.client.in_store_qr(device_id, req)).await
    }

    pub async fn payment_types(
        &self,
        country: &str,
        order_value: Option<&tamara::Money>,
        phone: Option<&str>,
    ) -> Result<WithRaw<Vec<tamara::model::checkout::PaymentTypeOption>>, GatewayError> {
        read!(self, self.client.payment_types(country, order_value, phone))
    }

    /// A read in effect (it creates nothing), so retried like one.
    pub async fn payment_options_pre_check(
        &self,
        req: &tamara::model::checkout::PaymentOptionsPreCheckRequest,
    ) -> Result<WithRaw<tamara::model::checkout::PaymentOptionsPreCheckResponse>, GatewayError>
    {
        read!(self, self.client.payment_options_pre_check(req))
    }

    pub async fn void_checkout(
        &self,
        checkout_id: &str,
        order_id: &str,
        store_code: Option<&str>,
    ) -> Result<WithRaw<tamara::model::in_store::VoidCheckoutResponse>, GatewayError> {
        self.write(self.client.void_checkout(checkout_id, order_id, store_code))
            .await
    }

    pub async fn id_verification_status(
        &self,
        phone_number: &str,
        country_code: &str,
    ) -> Result<WithRaw<tamara::model::checkout::IdVerificationStatus>, GatewayError> {
        read!(
            self,
            self.client
                .id_verification_status(phone_number, country_code)
        )
    }

    pub async fn authorise(
        &self,
        order_id: &str,
    ) -> Result<WithRaw<AuthoriseResponse>, GatewayError> {
        self.write(self.client.authorise(order_id)).await
    }

    pub async fn capture(
        &self,
        req: &CaptureRequest,
    ) -> Result<WithRaw<CaptureResponse>, GatewayError> {
        self.write(self.client.capture(req)).await
    }

    pub async fn cancel(
        &self,
        order_id: &str,
        req: &CancelRequest,
    ) -> Result<WithRaw<CancelResponse>, GatewayError> {
        self.write(self.client.cancel(order_id, req)).await
    }

    pub async fn simplified_refund(
        &self,
        order_id: &str,
        req: &SimplifiedRefundRequest,
    ) -> Result<WithRaw<SimplifiedRefundResponse>, GatewayError> {
        self.write(self.client.simplified_refund(order_id, req))
            .await
    }

    pub async fn update_reference(
        &self,
        order_id: &str,
        req: &UpdateReferenceRequest,
    ) -> Result<WithRaw<MessageResponse>, GatewayError> {
        self.write(self.client.update_reference(order_id, req))
            .await
    }

    pub async fn register_webhook(
        &self,
        req: &WebhookRequest,
    ) -> Result<WithRaw<Webhook>, GatewayError> {
        self.write(self.client.register_webhook(req)).await
    }

    /// `GET /webhooks`; a 404/405 means the gateway does not offer listing (use
    /// [`Gateway::get_webhook`]). Those two are not retried.
    pub async fn list_webhooks(&self, path: &str) -> Result<WithRaw<Vec<Webhook>>, GatewayError> {
        read!(self, self.client.list_webhooks(path))
    }

    pub async fn get_webhook(&self, webhook_id: &str) -> Result<WithRaw<Webhook>, GatewayError> {
        read!(self, self.client.get_webhook(webhook_id))
    }

    pub async fn update_webhook(
        &self,
        webhook_id: &str,
        req: &WebhookRequest,
    ) -> Result<WithRaw<Webhook>, GatewayError> {
        self.write(self.client.update_webhook(webhook_id, req))
            .await
    }

    pub async fn delete_webhook(
        &self,
        webhook_id: &str,
    ) -> Result<serde_json::Value, GatewayError> {
        self.write(self.client.delete_webhook(webhook_id)).await
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use tamara::error::TimeoutPhase;

    fn http(status: u16) -> ApiError {
        ApiError::Http {
            status,
            message: None,
            error_codes: vec![],
            body: serde_json::Value::Null,
        }
    }

    #[test]
    fn only_unavailability_counts_against_the_breaker() {
        assert!(counts_against_breaker(&http(503)));
        assert!(counts_against_breaker(&ApiError::Timeout {
            after: Duration::from_secs(1),
            phase: TimeoutPhase::Total
        }));
        assert!(counts_against_breaker(&ApiError::Connect {
            host: "h".into(),
            reason: "refused".into()
        }));
        assert!(!counts_against_breaker(&http(404)));
        assert!(!counts_against_breaker(&http(409)));
        assert!(!counts_against_breaker(&http(429)));
    }

    #[test]
    fn circuit_open_has_a_stable_code_and_is_not_ambiguous() {
        let e = GatewayError::CircuitOpen {
            env: Environment::Sandbox,
            retry_after_secs: 3,
        };
        assert_eq!(e.code(), "gateway_circuit_open");
        assert!(!e.is_ambiguous());
        assert!(GatewayError::Api(http(502)).is_ambiguous());
        let core: crate::Error = e.into();
        assert_eq!(core.code(), "gateway_circuit_open");
        let core: crate::Error = GatewayError::Api(http(404)).into();
        assert!(matches!(core, crate::Error::Gateway(_)));
    }

    #[test]
    fn resilience_config_reads_its_variables() {
        let c = ResilienceConfig::from_lookup(|k| match k {
            "MIZAN_BREAKER_THRESHOLD" => Some("7".into()),
            "MIZAN_BREAKER_COOLDOWN_SECS" => Some("9".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.breaker.failure_threshold, 7);
        assert_eq!(c.breaker.cooldown, Duration::from_secs(9));
        assert_eq!(c.retry, RetryPolicy::default());
        let e = ResilienceConfig::from_lookup(|k| {
            (k == "MIZAN_RETRY_ATTEMPTS").then(|| "zero".to_owned())
        });
        assert!(e.is_err());
    }
}

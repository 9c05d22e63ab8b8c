//! The resilience of one console: its retry policy, and per environment its circuit breaker
//! and API budget, with the variables that tune them.
//!
//! Invariant: one breaker and one budget per environment per console, shared by its clones
//! (the [`crate::context::Context`] holds them behind an `Arc`).

use std::sync::Arc;
use std::time::Duration;

use super::{ApiBudget, BreakerConfig, BudgetConfig, CircuitBreaker, RetryPolicy};
use crate::clock::Clock;
use crate::environment::Environment;

/// Retry, breaker and budget settings of a console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ResilienceConfig {
    pub retry: RetryPolicy,
    pub breaker: BreakerConfig,
    pub budget: BudgetConfig,
}

impl ResilienceConfig {
    /// Reads `MIZAN_RETRY_ATTEMPTS`, `MIZAN_BREAKER_THRESHOLD`, `MIZAN_BREAKER_COOLDOWN_SECS`,
    /// `MIZAN_API_BUDGET_PER_MINUTE` and `MIZAN_RECONCILE_BUDGET_PER_MINUTE` from `get`;
    /// anything unset keeps its default.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, crate::Error> {
        let num = |var: &str| -> Result<Option<u64>, crate::Error> {
            match get(var)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
            {
                None => Ok(None),
                Some(v) => v
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .map(Some)
                    .ok_or_else(|| {
                        crate::Error::Invalid(format!("{var} is {v:?}; expected a positive number"))
                    }),
            }
        };
        let mut c = ResilienceConfig::default();
        if let Some(n) = num("MIZAN_RETRY_ATTEMPTS")? {
            c.retry.max_attempts = u32::try_from(n.min(10)).unwrap_or(10);
        }
        if let Some(n) = num("MIZAN_BREAKER_THRESHOLD")? {
            c.breaker.failure_threshold = u32::try_from(n.min(1000)).unwrap_or(1000);
        }
        if let Some(n) = num("MIZAN_BREAKER_COOLDOWN_SECS")? {
            c.breaker.cooldown = Duration::from_secs(n);
        }
        let clamp = |n: u64| u32::try_from(n.min(1_000_000)).unwrap_or(1_000_000);
        if let Some(n) = num("MIZAN_API_BUDGET_PER_MINUTE")? {
            c.budget.per_minute = clamp(n);
        }
        if let Some(n) = num("MIZAN_RECONCILE_BUDGET_PER_MINUTE")? {
            c.budget.reconciler_per_minute = clamp(n);
        }
        if c.budget.reconciler_per_minute > c.budget.per_minute {
            return Err(crate::Error::Invalid(format!(
                "MIZAN_RECONCILE_BUDGET_PER_MINUTE ({}) is more than the whole budget, \
                 MIZAN_API_BUDGET_PER_MINUTE ({})",
                c.budget.reconciler_per_minute, c.budget.per_minute
            )));
        }
        Ok(c)
    }
}

/// The breakers and API budgets of one console, one of each per environment, and the retry
/// policy.
#[derive(Debug)]
pub struct Resilience {
    config: ResilienceConfig,
    sandbox: Arc<CircuitBreaker>,
    production: Arc<CircuitBreaker>,
    sandbox_budget: Arc<ApiBudget>,
    production_budget: Arc<ApiBudget>,
}

impl Resilience {
    pub fn new(config: ResilienceConfig, clock: Arc<dyn Clock>) -> Self {
        Resilience {
            config,
            sandbox: Arc::new(CircuitBreaker::new(config.breaker, clock.clone())),
            production: Arc::new(CircuitBreaker::new(config.breaker, clock.clone())),
            sandbox_budget: Arc::new(ApiBudget::new(config.budget, clock.clone())),
            production_budget: Arc::new(ApiBudget::new(config.budget, clock)),
        }
    }

    pub fn budget(&self, env: Environment) -> &Arc<ApiBudget> {
        match env {
            Environment::Sandbox => &self.sandbox_budget,
            Environment::Production => &self.production_budget,
        }
    }

    pub fn config(&self) -> &ResilienceConfig {
        &self.config
    }

    pub fn breaker(&self, env: Environment) -> &Arc<CircuitBreaker> {
        match env {
            Environment::Sandbox => &self.sandbox,
            Environment::Production => &self.production,
        }
    }
}

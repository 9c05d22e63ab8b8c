//! `Context`: what the modules below the [`crate::Console`] facade work with — the open store,
//! both environments' configuration, and the gateway of the active environment, built on
//! demand (so reading the cache needs no credentials at all).
//!
//! Invariants: modules take `&Context`, never the facade, so the facade can call them without
//! a cycle; every gateway call of one context and environment shares one circuit breaker
//! ([`crate::gateway::Resilience`]) and one HTTP client; every "now" in core comes from the
//! context's one [`Clock`].

use std::sync::Arc;

use tamara::{ClientConfig, TamaraClient};

use chrono::{DateTime, Utc};

use crate::clock::{Clock, SystemClock};
use crate::config::{ConsoleConfig, EnvironmentConfig};
use crate::environment::Environment;
use crate::error::{Error, Result};
use crate::gateway::{
    ApiBudget, BreakerState, CallClass, Gateway, GatewayParts, Resilience, ResilienceConfig,
};
use crate::store::{Store, StoreOptions};

#[derive(Debug, Clone)]
pub struct Context {
    config: ConsoleConfig,
    store: Store,
    clock: Arc<dyn Clock>,
    resilience: Arc<Resilience>,
    /// The active environment's HTTP client, built on first use and shared by every clone:
    /// building one loads the system's CA certificates from disk, which cost the webhook
    /// processor a quarter of its CPU when it was done per call.
    client: Arc<std::sync::OnceLock<TamaraClient>>,
    /// Who this context's gateway calls on behalf of (the budget's share and patience).
    call_class: CallClass,
}

impl Context {
    /// Creates the data directory if needed (private to the user on Unix: 0700) and opens the
    /// store in it, set up by `options`.
    pub(crate) async fn open_with(config: ConsoleConfig, options: StoreOptions) -> Result<Context> {
        create_private_dir(&config.data_dir).map_err(|e| Error::DataDir {
            path: config.data_dir.display().to_string(),
            reason: e.to_string(),
        })?;
        let store = match &config.database_url {
            Some(url) => Store::connect_postgres(url.expose()).await?,
            None => Store::open_with(&config.database_path(), options).await?,
        };
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        Ok(Context {
            config,
            store,
            resilience: Arc::new(Resilience::new(ResilienceConfig::default(), clock.clone())),
            clock,
            client: Arc::new(std::sync::OnceLock::new()),
            call_class: CallClass::Person,
        })
    }

    /// Replaces the retry policy and the breakers (fresh, closed) with ones built from
    /// `config`.
    pub(crate) fn with_resilience(mut self, config: ResilienceConfig) -> Self {
        self.resilience = Arc::new(Resilience::new(config, self.clock.clone()));
        self
    }

    /// Replaces the clock, and the breakers (fresh, closed) so they follow it too.
    pub(crate) fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.resilience = Arc::new(Resilience::new(*self.resilience.config(), clock.clone()));
        self.clock = clock;
        self
    }

    /// This context with `operator` as the person acting (what the ledger and the audit log
    /// name): a team server acts for each signed-in person in turn.
    #[must_use]
    pub fn acting_as(&self, operator: &str) -> Context {
        let mut ctx = self.clone();
        ctx.config.operator = operator.to_owned();
        ctx
    }

    /// This context for calls made on behalf of `class` (same store, breakers and budgets).
    #[must_use]
    pub fn for_calls_of(&self, class: CallClass) -> Context {
        Context {
            call_class: class,
            ..self.clone()
        }
    }

    /// The API budget of the active environment.
    pub fn api_budget(&self) -> &Arc<ApiBudget> {
        self.resilience.budget(self.environment())
    }

    /// The current time, by the context's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The circuit breaker of the active environment, as of now.
    pub fn breaker_state(&self) -> BreakerState {
        self.breaker_state_for(self.environment())
    }

    pub fn breaker_state_for(&self, env: Environment) -> BreakerState {
        self.resilience.breaker(env).state()
    }

    pub fn environment(&self) -> Environment {
        self.config.environment
    }

    pub fn config(&self) -> &ConsoleConfig {
        &self.config
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    fn env_config(&self) -> &EnvironmentConfig {
        self.config.active()
    }

    /// The gateway of the active environment (retries for reads, the shared breaker for
    /// everything); fails with a clear message without a token.
    pub fn gateway(&self) -> Result<Gateway> {
        let c = self.env_config();
        let token = c
            .api_token
            .clone()
            .ok_or(Error::NoApiToken { env: c.environment })?;
        let client = match self.client.get() {
            Some(client) => client.clone(),
            None => {
                let mut cfg = ClientConfig::new(c.api_url.clone(), token);
                cfg.connect_timeout = c.connect_timeout;
                cfg.total_timeout = c.total_timeout;
                let client = TamaraClient::new(cfg)?;
                // A concurrent first call may have won; either client is equivalent.
                let _ = self.client.set(client.clone());
                client
            }
        };
        let env = c.environment;
        Ok(Gateway::new(
            client,
            GatewayParts {
                env,
                breaker: self.resilience.breaker(env).clone(),
                budget: self.resilience.budget(env).clone(),
                class: self.call_class,
                retry: self.resilience.config().retry,
                store: Some(self.store.clone()),
                clock: self.clock.clone(),
            },
        ))
    }
}

/// Creates `dir` and any missing parents, readable by the user alone on Unix (0700): the cache
/// holds customers' names, phones and money movements. An existing directory is left as the
/// user made it.
fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

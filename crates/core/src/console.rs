//! `Console`: the one facade the `mizan` CLI and the desktop shell call.
//!
//! Owns the open store and the configuration of both environments, and builds a gateway client
//! for the active one on demand (so reading the cache needs no credentials at all).
//! Invariants: every read from the API lands in the cache in one transaction (order, items and
//! observed ledger rows together, or nothing); every call names its environment; a read whose
//! status ranks below the cached one ([`crate::orders::status_rank`]) is stale and leaves the
//! cached order as it is (statuses never move backwards); every gateway call of one console
//! and environment shares one circuit breaker ([`crate::gateway::Resilience`]).

use std::sync::Arc;

use chrono::Utc;
use tamara::model::OrderStatus;
use tamara::model::WithRaw;
use tamara::model::checkout::{CheckoutRequest, CheckoutResponse};
use tamara::model::order::OrderDetails;
use tamara::{ClientConfig, OrderPath, TamaraClient};

use crate::config::{ConsoleConfig, EnvironmentConfig};
use crate::environment::Environment;
use crate::error::{Error, Result};
use crate::gateway::{BreakerState, Clock, Gateway, Resilience, ResilienceConfig, SystemClock};
use crate::moves::{self, MoveOutcome, MovePreview, MoveRequest};
use crate::orders::{CachedOrder, project, status_rank};
use crate::store::items;
use crate::store::ledger::{self, LedgerEntry};
use crate::store::orders::{self, OrderFilter, OrderRecord};
use crate::store::{Store, StoreOptions};

/// A created checkout session, and the order as cached right after.
#[derive(Debug, Clone)]
pub struct CheckoutCreated {
    pub response: WithRaw<CheckoutResponse>,
    /// None when the session was created but reading it back failed (the order is then
    /// fetched later; the session itself is not lost).
    pub cached: Option<CachedOrder>,
}

#[derive(Debug, Clone)]
pub struct Console {
    config: ConsoleConfig,
    store: Store,
    resilience: Arc<Resilience>,
    /// The active environment's HTTP client, built on first use and shared by every clone:
    /// building one loads the system's CA certificates from disk, which cost the webhook
    /// processor a quarter of its CPU when it was done per call.
    client: Arc<std::sync::OnceLock<TamaraClient>>,
}

impl Console {
    /// Creates the data directory if needed and opens the store in it.
    pub async fn open(config: ConsoleConfig) -> Result<Console> {
        Console::open_with(config, StoreOptions::default()).await
    }

    /// [`Console::open`] with the store's connections set up by `options`.
    pub async fn open_with(config: ConsoleConfig, options: StoreOptions) -> Result<Console> {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| Error::DataDir {
            path: config.data_dir.display().to_string(),
            reason: e.to_string(),
        })?;
        let store = Store::open_with(&config.database_path(), options).await?;
        Ok(Console {
            config,
            store,
            resilience: Arc::new(Resilience::new(
                ResilienceConfig::default(),
                Arc::new(SystemClock),
            )),
            client: Arc::new(std::sync::OnceLock::new()),
        })
    }

    /// Replaces the retry policy and the breakers (fresh, closed) with ones built from
    /// `config` and `clock`. Call it right after [`Console::open`].
    pub fn with_resilience(mut self, config: ResilienceConfig, clock: Arc<dyn Clock>) -> Self {
        self.resilience = Arc::new(Resilience::new(config, clock));
        self
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
            env,
            self.resilience.breaker(env).clone(),
            self.resilience.config().retry,
            Some(self.store.clone()),
        ))
    }

    /// Validates and creates a checkout session, then reads the new order into the cache.
    pub async fn create_checkout(&self, req: &CheckoutRequest) -> Result<CheckoutCreated> {
        req.validate().map_err(|e| Error::Invalid(e.to_string()))?;
        let gateway = self.gateway()?;
        let response = gateway.create_checkout(req).await?;
        let cached = match gateway
            .order(&response.value.order_id, OrderPath::Orders)
            .await
        {
            Ok(details) => Some(self.cache(&details).await?),
            Err(e) => {
                tracing::warn!(order_id = %response.value.order_id, error = %e, "created, not yet cached");
                None
            }
        };
        Ok(CheckoutCreated { response, cached })
    }

    /// Reads an order from the API by Tamara id and caches it.
    pub async fn fetch_order(&self, order_id: &str) -> Result<CachedOrder> {
        non_empty("order id", order_id)?;
        let details = self.gateway()?.order(order_id, OrderPath::Orders).await?;
        self.cache(&details).await
    }

    /// Reads an order from the API by the merchant's reference and caches it.
    pub async fn fetch_order_by_reference(&self, reference: &str) -> Result<CachedOrder> {
        non_empty("order reference", reference)?;
        let details = self.gateway()?.order_by_reference(reference).await?;
        self.cache(&details).await
    }

    /// Orders from the cache (no network).
    pub async fn list_orders(&self, filter: &OrderFilter) -> Result<Vec<OrderRecord>> {
        Ok(orders::list(&self.store, self.environment(), filter).await?)
    }

    pub async fn count_orders(&self, filter: &OrderFilter) -> Result<u64> {
        Ok(orders::count(&self.store, self.environment(), filter).await?)
    }

    /// One order from the cache (no network): by Tamara id, else by merchant reference.
    pub async fn cached_order(&self, id_or_reference: &str) -> Result<CachedOrder> {
        let env = self.environment();
        let order = match orders::get(&self.store, env, id_or_reference).await? {
            Some(o) => o,
            None => orders::get_by_reference(&self.store, env, id_or_reference)
                .await?
                .ok_or_else(|| Error::OrderNotCached {
                    env,
                    order_id: id_or_reference.to_owned(),
                })?,
        };
        let items = items::list_for_order(&self.store, env, &order.order_id).await?;
        let ledger = ledger::list_for_order(&self.store, env, &order.order_id).await?;
        Ok(CachedOrder {
            order,
            items,
            ledger,
        })
    }

    /// Writes a fresh read into the cache (never moving a status backwards).
    pub(crate) async fn cache(&self, details: &WithRaw<OrderDetails>) -> Result<CachedOrder> {
        let env = self.environment();
        let snapshot = project(env, &details.value, &details.raw, Utc::now())?;
        if let Some(cached) = orders::get(&self.store, env, &snapshot.order.order_id).await? {
            let rank = |s: &str| status_rank(&OrderStatus::parse(s));
            if rank(&snapshot.order.status) < rank(&cached.status) {
                tracing::info!(order_id = %cached.order_id, cached = %cached.status,
                    read = %snapshot.order.status, "stale read ignored: statuses never move backwards");
                return self.cached_order(&cached.order_id).await;
            }
        }
        let mut tx = self.store.begin().await?;
        orders::upsert(&mut *tx, &snapshot.order).await?;
        items::replace_for_order(&mut *tx, env, &snapshot.order.order_id, &snapshot.items).await?;
        for m in &snapshot.moves {
            ledger::upsert_observed(&mut *tx, m).await?;
        }
        tx.commit()
            .await
            .map_err(|e| crate::store::StoreError::query("commit order")(e))?;
        self.cached_order(&snapshot.order.order_id).await
    }
}

/// Money moves (authorise, capture, refund, cancel): the same calls for the CLI and the
/// desktop shell. See [`crate::moves`].
impl Console {
    /// Performs one guarded money move; a move that was sent but failed, or whose outcome stays
    /// unknown, is `Ok` with that ledger state.
    ///
    /// # Errors
    /// [`Error::Move`] when refused before sending; read, store and input errors.
    pub async fn move_money(&self, req: MoveRequest) -> Result<MoveOutcome> {
        moves::execute(self, req).await
    }

    /// A dry run of [`Console::move_money`]: the exact request, nothing sent or written.
    ///
    /// # Errors
    /// As [`Console::move_money`].
    pub async fn preview_move(&self, req: MoveRequest) -> Result<MovePreview> {
        moves::preview(self, req).await
    }

    /// Re-reads an order and settles its money moves still pending or unknown.
    ///
    /// # Errors
    /// Read and store errors.
    pub async fn settle_moves(&self, order_id: &str) -> Result<Vec<LedgerEntry>> {
        non_empty("order id", order_id)?;
        moves::settle_open_moves(self, order_id).await
    }
}

/// The operator's settings, typed and checked. See [`crate::settings`].
impl Console {
    /// The saved settings of the active environment.
    ///
    /// # Errors
    /// Store errors.
    pub async fn settings(&self) -> Result<crate::settings::Settings> {
        crate::settings::load(self).await
    }

    /// Checks and saves `s`; the desktop app applies it when it reopens the console.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field; store errors.
    pub async fn save_settings(&self, s: &crate::settings::Settings) -> Result<()> {
        crate::settings::save(self, s).await
    }

    /// The saved UI language, if one was chosen.
    ///
    /// # Errors
    /// Store errors.
    pub async fn locale(&self) -> Result<Option<String>> {
        crate::settings::locale(self).await
    }

    /// Saves the UI language (`en` or `ar`).
    ///
    /// # Errors
    /// [`Error::Invalid`] for another; store errors.
    pub async fn save_locale(&self, locale: &str) -> Result<()> {
        crate::settings::save_locale(self, locale).await
    }
}

fn non_empty(what: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        Err(Error::Invalid(format!("{what} must not be empty")))
    } else {
        Ok(())
    }
}

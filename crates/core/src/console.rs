//! `Console`: the one facade the `mizan` CLI, the desktop shell and the server call.
//!
//! Owns nothing but a [`Context`] and the list of what hosts may do; each method hands the work
//! to the module that owns it (`orders::cache`, `moves`, `settings`). Invariant: no module
//! below imports this one, so the facade can call them all without a cycle.

use std::sync::Arc;

use tamara::model::checkout::CheckoutRequest;

use crate::clock::Clock;
use crate::config::ConsoleConfig;
use crate::context::Context;
use crate::error::Result;
use crate::gateway::ResilienceConfig;
use crate::moves::{self, MoveOutcome, MovePreview, MoveRequest};
use crate::orders::CachedOrder;
use crate::orders::cache;
use crate::statements as settlement;
use crate::store::StoreOptions;
use crate::store::ledger::LedgerEntry;
use crate::store::order_list::{self, OrderListQuery};
use crate::store::orders::OrderRecord;
use crate::till;

pub use crate::orders::cache::CheckoutCreated;

/// The one facade the CLI, the desktop shell and the server call. It derefs to [`Context`] for
/// the environment, the configuration and the gateway.
#[derive(Debug, Clone)]
pub struct Console {
    ctx: Context,
}

impl std::ops::Deref for Console {
    type Target = Context;

    fn deref(&self) -> &Context {
        &self.ctx
    }
}

impl From<Console> for Context {
    fn from(console: Console) -> Context {
        console.ctx
    }
}

impl Console {
    /// Creates the data directory if needed and opens the store in it.
    pub async fn open(config: ConsoleConfig) -> Result<Console> {
        Console::open_with(config, StoreOptions::default()).await
    }

    /// [`Console::open`] with the store's connections set up by `options`.
    pub async fn open_with(config: ConsoleConfig, options: StoreOptions) -> Result<Console> {
        Ok(Console {
            ctx: Context::open_with(config, options).await?,
        })
    }

    /// Replaces the retry policy and the breakers (fresh, closed) with ones built from
    /// `config`. Call it right after [`Console::open`].
    #[must_use]
    pub fn with_resilience(self, config: ResilienceConfig) -> Self {
        Console {
            ctx: self.ctx.with_resilience(config),
        }
    }

    /// Replaces the clock every part of the console reads the time from (tests set the time
    /// with a [`crate::clock::ManualClock`]). Call it right after [`Console::open`].
    #[must_use]
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        Console {
            ctx: self.ctx.with_clock(clock),
        }
    }

    /// This console for calls made on behalf of `class` (the webhook processor, the
    /// reconciler): same store, breakers and API budget, drawn from as that caller.
    #[must_use]
    pub fn for_calls_of(&self, class: crate::gateway::CallClass) -> Console {
        Console {
            ctx: self.ctx.for_calls_of(class),
        }
    }

    /// This console acting for `operator` (a team server's signed-in person): same store,
    /// breakers and budgets; the ledger and the audit log name them.
    #[must_use]
    pub fn acting_as(&self, operator: &str) -> Console {
        Console {
            ctx: self.ctx.acting_as(operator),
        }
    }

    /// What the modules below this facade work with.
    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// Validates and creates a checkout session, then reads the new order into the cache.
    pub async fn create_checkout(&self, req: &CheckoutRequest) -> Result<CheckoutCreated> {
        cache::create_checkout(&self.ctx, req).await
    }

    /// Reads an order from the API by Tamara id and caches it.
    pub async fn fetch_order(&self, order_id: &str) -> Result<CachedOrder> {
        cache::fetch(&self.ctx, order_id).await
    }

    /// Reads an order from the API by the merchant's reference and caches it.
    pub async fn fetch_order_by_reference(&self, reference: &str) -> Result<CachedOrder> {
        cache::fetch_by_reference(&self.ctx, reference).await
    }

    /// One page of cached orders matching `q`, newest first, as full records (no network):
    /// the same orders, in the same order, as the desktop list shows for `q`.
    pub async fn list_orders(&self, q: &OrderListQuery) -> Result<Vec<OrderRecord>> {
        let (store, env) = (self.ctx.store(), self.environment());
        let plan = order_list::text_plan(store, env, q).await?;
        Ok(order_list::records(store, env, q, &plan).await?)
    }

    /// How many cached orders match `q`, exactly (paging ignored).
    pub async fn count_orders(&self, q: &OrderListQuery) -> Result<u64> {
        let (store, env) = (self.ctx.store(), self.environment());
        let plan = order_list::text_plan(store, env, q).await?;
        Ok(order_list::count(store, env, q, &plan, None).await?.0)
    }

    /// One order from the cache (no network): by Tamara id, else by merchant reference.
    pub async fn cached_order(&self, id_or_reference: &str) -> Result<CachedOrder> {
        cache::cached(&self.ctx, id_or_reference).await
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
        moves::execute(&self.ctx, req).await
    }

    /// Starts an in-store session: a link texted to the customer or shown as a QR code at the
    /// till (see [`till::start`]).
    ///
    /// # Errors
    /// As [`till::start`].
    pub async fn start_in_store_sale(
        &self,
        sale: &till::TillSale,
    ) -> Result<tamara::model::in_store::InStoreCheckoutResponse> {
        till::start(&self.ctx, sale).await
    }

    /// Voids an in-store session the customer has not paid, or says why not.
    ///
    /// # Errors
    /// As [`till::void`].
    pub async fn void_checkout(
        &self,
        checkout_id: &str,
        order_id: &str,
        store_code: Option<&str>,
    ) -> Result<tamara::model::in_store::VoidCheckoutResponse> {
        till::void(&self.ctx, checkout_id, order_id, store_code).await
    }

    /// Whether Tamara has verified the customer's national ID (Saudi Arabia and the UAE).
    ///
    /// # Errors
    /// As [`till::id_verified`].
    pub async fn id_verification_status(&self, phone: &str, country: &str) -> Result<bool> {
        till::id_verified(&self.ctx, phone, country).await
    }

    /// The payment types on offer in `country`, with their limits.
    ///
    /// # Errors
    /// As [`till::payment_types`].
    pub async fn payment_types(
        &self,
        country: &str,
        order_value: Option<crate::money::Money>,
        phone: Option<&str>,
    ) -> Result<Vec<tamara::model::checkout::PaymentTypeOption>> {
        till::payment_types(&self.ctx, country, order_value, phone).await
    }

    /// Whether Tamara would offer this customer anything for this amount.
    ///
    /// # Errors
    /// As [`till::pre_check`].
    pub async fn payment_options_pre_check(
        &self,
        country: &str,
        phone: &str,
        order_value: crate::money::Money,
    ) -> Result<tamara::model::checkout::PaymentOptionsPreCheckResponse> {
        till::pre_check(&self.ctx, country, phone, order_value).await
    }

    /// A cached order's statement (or, with `entry`, one move's receipt) as printable HTML in
    /// `lang` (see [`crate::orders::statement`]).
    ///
    /// # Errors
    /// [`Error::OrderNotCached`](crate::Error); [`crate::Error::Invalid`] for a move of another order.
    pub async fn order_statement(
        &self,
        id_or_reference: &str,
        entry: Option<i64>,
        lang: crate::orders::statement::Lang,
    ) -> Result<String> {
        let cached = self.cached_order(id_or_reference).await?;
        crate::orders::statement::render(&cached, entry, lang, self.ctx.now())
    }

    /// Replaces an order's reference at Tamara and re-reads it.
    ///
    /// # Errors
    /// As [`till::set_reference`].
    pub async fn set_order_reference(&self, order_id: &str, reference: &str) -> Result<()> {
        till::set_reference(&self.ctx, order_id, reference).await
    }

    /// A person settles an unknown money move (see [`moves::by_person`]).
    ///
    /// # Errors
    /// As [`moves::by_person::settle`].
    pub async fn settle_by_person(
        &self,
        entry_id: i64,
        finding: moves::by_person::Finding,
        note: &str,
    ) -> Result<moves::LedgerEntry> {
        moves::by_person::settle(&self.ctx, entry_id, finding, note).await
    }

    /// A dry run of [`Console::move_money`]: the exact request, nothing sent or written.
    ///
    /// # Errors
    /// As [`Console::move_money`].
    pub async fn preview_move(&self, req: MoveRequest) -> Result<MovePreview> {
        moves::preview(&self.ctx, req).await
    }

    /// Re-reads an order and settles its money moves still pending or unknown.
    ///
    /// # Errors
    /// Read and store errors.
    pub async fn settle_moves(&self, order_id: &str) -> Result<Vec<LedgerEntry>> {
        cache::non_empty("order id", order_id)?;
        moves::settle_open_moves(&self.ctx, order_id).await
    }
}

/// The operator's settings, typed and checked. See [`crate::settings`].
impl Console {
    /// The saved settings of the active environment.
    ///
    /// # Errors
    /// Store errors.
    pub async fn settings(&self) -> Result<crate::settings::Settings> {
        crate::settings::load(&self.ctx).await
    }

    /// Checks and saves `s`; the desktop app applies it when it reopens the console.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field; store errors.
    pub async fn save_settings(&self, s: &crate::settings::Settings) -> Result<()> {
        crate::settings::save(&self.ctx, s).await
    }

    /// The saved UI language, if one was chosen.
    ///
    /// # Errors
    /// Store errors.
    pub async fn locale(&self) -> Result<Option<String>> {
        crate::settings::locale(&self.ctx).await
    }

    /// Saves the UI language (`en` or `ar`).
    ///
    /// # Errors
    /// [`Error::Invalid`] for another; store errors.
    pub async fn save_locale(&self, locale: &str) -> Result<()> {
        crate::settings::save_locale(&self.ctx, locale).await
    }
}

/// Tamara's statements: import, reconcile, report. See [`crate::statements`].
impl Console {
    /// Reads and stores a statement file (idempotent; a known statement id is a revision).
    ///
    /// # Errors
    /// [`crate::Error::Statement`], [`crate::Error::StatementOtherMerchant`], store errors.
    pub async fn import_statement(
        &self,
        path: &std::path::Path,
        options: &settlement::ImportOptions,
    ) -> Result<settlement::ImportReport> {
        let actor = self.config().operator.clone();
        settlement::import::import(&self.ctx, path, options, &actor).await
    }

    /// Every imported statement of the active environment, newest period first, each revision.
    ///
    /// # Errors
    /// Store errors.
    pub async fn statements(&self) -> Result<Vec<settlement::StatementSummary>> {
        let all = crate::store::statements::list(self.store(), self.environment()).await?;
        Ok(all.iter().map(Into::into).collect())
    }

    /// One imported statement matched against the ledger (by its row id).
    ///
    /// # Errors
    /// [`crate::Error::StatementNotFound`]; store errors.
    pub async fn reconcile_statement(&self, id: i64) -> Result<settlement::Reconciliation> {
        settlement::reconcile::reconcile(&self.ctx, id).await
    }

    /// Writes statement `id`'s reconciliation report to `path`; returns the rows written.
    ///
    /// # Errors
    /// As [`Self::reconcile_statement`]; export errors (an existing file unless `overwrite`).
    pub async fn export_reconciliation(
        &self,
        id: i64,
        path: &std::path::Path,
        overwrite: bool,
    ) -> Result<u64> {
        let r = self.reconcile_statement(id).await?;
        settlement::report::export(&self.ctx, &r, path, overwrite).await
    }
}

/// Payouts (Tamara's bank deposits) and the monthly view. See
/// [`crate::statements::payouts`] and [`crate::statements::month`].
impl Console {
    /// Records a payout entered by hand, matched to the statements it settles.
    ///
    /// # Errors
    /// [`crate::Error::PayoutConflict`], [`crate::Error::StatementNotFound`],
    /// [`crate::Error::Invalid`]; store errors.
    pub async fn add_payout(&self, p: &settlement::NewPayout) -> Result<settlement::PayoutView> {
        let actor = self.config().operator.clone();
        settlement::payouts::add(&self.ctx, p, &actor).await
    }

    /// Imports Tamara's deposits from a bank statement CSV; the same file again adds nothing.
    ///
    /// # Errors
    /// [`crate::Error::BankFile`] naming the row and column; store errors.
    pub async fn import_bank_file(
        &self,
        path: &std::path::Path,
        options: crate::settlement::BankOptions,
        max_fee: Option<rust_decimal::Decimal>,
    ) -> Result<settlement::BankImport> {
        let actor = self.config().operator.clone();
        settlement::payouts::import(&self.ctx, path, options, max_fee, &actor).await
    }

    /// Every payout with what it settles and its difference explained, and the open statements.
    ///
    /// # Errors
    /// Store errors.
    pub async fn payouts(&self) -> Result<settlement::PayoutList> {
        settlement::payouts::list(&self.ctx).await
    }

    /// The monthly view of `month` (`YYYY-MM`), per currency.
    ///
    /// # Errors
    /// [`crate::Error::Invalid`] for a bad month; store errors.
    pub async fn settlement_month(&self, month: &str) -> Result<settlement::MonthView> {
        settlement::month::month(&self.ctx, month).await
    }
}

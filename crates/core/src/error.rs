//! The core's error: one enum over every failure a user can meet, each with a stable code.
//!
//! Invariants: messages never contain secrets (the parts below guarantee it for their own
//! errors); `code()` values are stable, because the CLI's `--json`, stored results and the UI
//! key on them.

pub mod audit_key;
pub mod dispute;
pub mod export;
pub mod refusal;

pub use crate::error_code::ErrorCode;

use crate::config::ConfigError;
use crate::environment::Environment;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Gateway(#[from] tamara::ApiError),
    #[error(transparent)]
    Credentials(#[from] crate::credentials::CredentialError),
    #[error(transparent)]
    Export(#[from] export::ExportError),
    /// The audit key cannot be used, or is not the one the checkpoints were signed with.
    #[error(transparent)]
    AuditKey(#[from] audit_key::AuditKeyError),
    #[error(
        "no API token for {env}: run `mizan credentials set --env {env}` or set MIZAN_{}_API_TOKEN",
        env.env_var_prefix()
    )]
    NoApiToken { env: Environment },
    #[error("cannot create the data directory {path}: {reason}")]
    DataDir { path: String, reason: String },
    #[error("invalid input: {0}")]
    Invalid(String),
    #[error(
        "order {order_id} is not in the local cache of {env}; run `mizan orders fetch {order_id}`"
    )]
    OrderNotCached { env: Environment, order_id: String },
    #[error("Tamara's order {order_id} cannot be cached: {reason}")]
    UncacheableOrder { order_id: String, reason: String },
    #[error(
        "Tamara ({env}) keeps failing, so calls are paused (circuit breaker open); \
         next try in {retry_after_secs} s"
    )]
    CircuitOpen {
        env: Environment,
        retry_after_secs: u64,
    },
    #[error(
        "Tamara ({env}) is limiting the rate of calls, so this one was not sent; \
         try again in {retry_after_secs} s"
    )]
    BudgetSpent {
        env: Environment,
        retry_after_secs: u64,
    },
    #[error("no webhook delivery {id} in {env}")]
    DeliveryNotFound { id: i64, env: Environment },
    #[error("webhook delivery {id} belongs to {env}; run the command with --env {env}")]
    DeliveryInOtherEnvironment { id: i64, env: Environment },
    #[error("webhook delivery {id} cannot be replayed: {reason}")]
    DeliveryNotReplayable { id: i64, reason: String },
    #[error(
        "no notification token for {env}: set MIZAN_{}_NOTIFICATION_TOKEN",
        env.env_var_prefix()
    )]
    NoNotificationToken { env: Environment },
    /// Something needs the in-app webhook receiver, which is not running.
    #[error("the in-app receiver is not running, so webhooks cannot arrive")]
    ReceiverNotRunning,
    /// Switching to production without typing the confirmation.
    #[error("type PRODUCTION to switch to production: money moves there are real")]
    SwitchNotConfirmed,
    /// A money move refused before anything was sent (its own stable code).
    #[error(transparent)]
    Move(#[from] refusal::MoveRefusal),
    /// A dispute operation refused or impossible (its own stable code).
    #[error(transparent)]
    Dispute(#[from] dispute::DisputeError),
    /// A settlement statement file that cannot be read, or is not a statement.
    #[error(transparent)]
    Statement(#[from] crate::settlement::StatementError),
    /// A statement for another Tamara merchant than this console's.
    #[error(
        "the statement is for merchant {found}, but this console's statements are merchant \
         {expected}'s: nothing imported"
    )]
    StatementOtherMerchant { expected: String, found: String },
    #[error("no imported statement {id} in {env}; `mizan settlement list` shows them")]
    StatementNotFound { id: i64, env: Environment },
    /// A bank statement file that cannot be read, or has no deposits table.
    #[error(transparent)]
    BankFile(#[from] crate::settlement::BankFileError),
    /// A payout that would be recorded twice, or settle a statement already settled.
    #[error("payout refused: {0}; nothing recorded")]
    PayoutConflict(String),
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Config(_) => ErrorCode::ConfigInvalid,
            Error::Store(e) => e.code(),
            Error::Gateway(e) => ErrorCode::from(e),
            Error::Credentials(e) => e.code(),
            Error::Export(e) => e.code(),
            Error::AuditKey(e) => e.code(),
            Error::NoApiToken { .. } => ErrorCode::CredentialsMissing,
            Error::DataDir { .. } => ErrorCode::DataDirUnavailable,
            Error::Invalid(_) => ErrorCode::InvalidInput,
            Error::OrderNotCached { .. } => ErrorCode::OrderNotCached,
            Error::UncacheableOrder { .. } => ErrorCode::OrderUncacheable,
            Error::CircuitOpen { .. } => ErrorCode::GatewayCircuitOpen,
            Error::BudgetSpent { .. } => ErrorCode::GatewayRateLimited,
            Error::DeliveryNotFound { .. } => ErrorCode::DeliveryNotFound,
            Error::DeliveryInOtherEnvironment { .. } => ErrorCode::DeliveryOtherEnvironment,
            Error::DeliveryNotReplayable { .. } => ErrorCode::DeliveryNotReplayable,
            Error::NoNotificationToken { .. } => ErrorCode::NotificationTokenMissing,
            Error::SwitchNotConfirmed => ErrorCode::ConfirmationRequired,
            Error::ReceiverNotRunning => ErrorCode::ReceiverUnavailable,
            Error::Move(r) => r.code(),
            Error::Dispute(e) => e.code(),
            Error::Statement(e) => e.code(),
            Error::StatementOtherMerchant { .. } => ErrorCode::StatementOtherMerchant,
            Error::StatementNotFound { .. } => ErrorCode::StatementNotFound,
            Error::BankFile(_) => ErrorCode::BankFileInvalid,
            Error::PayoutConflict(_) => ErrorCode::PayoutConflict,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

//! Store errors: what went wrong, with a stable machine code for the CLI and the UI.
//!
//! Messages name tables, columns, ids and paths, never bound values such as headers or bodies,
//! so no secret can leak through an error. sqlx's own error is kept as the `source` for logs.

use super::ledger::LedgerEntry;

/// Everything a store function can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file could not be opened or created.
    #[error("cannot open the store at {path}: {source}")]
    Open {
        /// The file path (a location, not a secret).
        path: String,
        /// The underlying sqlx error.
        #[source]
        source: sqlx::Error,
    },

    /// Applying the embedded migrations failed (or an applied migration was edited).
    #[error("cannot migrate the store: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),

    /// A statement failed for a reason other than the ones below.
    #[error("store query failed ({context}): {source}")]
    Query {
        /// What the store was doing, e.g. "upsert order".
        context: &'static str,
        /// The underlying sqlx error.
        #[source]
        source: sqlx::Error,
    },

    /// A statement on the webhook inbox's own connection ([`super::inbox`]) failed.
    #[error("store query failed ({context}): {source}")]
    Inbox {
        /// What the inbox writer was doing, e.g. "commit deliveries".
        context: &'static str,
        /// The underlying SQLite (rusqlite) or thread error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// The store (or the part of it asked for) has been closed: the console is shutting down.
    #[error("{what} is closed: the console is shutting down")]
    Closed {
        /// What refused, e.g. "the webhook inbox".
        what: &'static str,
    },

    /// A stored value no longer decodes: the row was written by something else or damaged.
    #[error("corrupt row in {table}.{column}: {detail}")]
    CorruptRow {
        /// Table name.
        table: &'static str,
        /// Column name.
        column: &'static str,
        /// Why it does not decode (the parse error).
        detail: String,
    },

    /// A ledger idempotency reference was already used. The existing entry is returned so the
    /// caller can tell a retry of the same move (same order, kind, amount) from a clash.
    #[error(
        "idempotency reference already used by ledger entry {} ({} {})",
        existing.id,
        existing.kind.as_str(),
        existing.state.as_str()
    )]
    DuplicateIdempotencyRef {
        /// The entry that already holds the reference, unchanged.
        existing: Box<LedgerEntry>,
    },

    /// A write contradicts what is stored (a uniqueness rule or a state transition).
    #[error("conflict: {0}")]
    Conflict(String),

    /// The row to update, or the parent row a new row refers to, does not exist.
    #[error("{entity} not found: {key}")]
    NotFound {
        /// What was looked for, e.g. "order" or "ledger entry".
        entity: &'static str,
        /// Its key as text.
        key: String,
    },

    /// The caller passed a value the store refuses to write (e.g. mixed currencies in one
    /// order).
    #[error("invalid value for {what}: {detail}")]
    Invalid {
        /// Which field.
        what: &'static str,
        /// Why.
        detail: String,
    },
}

impl StoreError {
    /// A stable code for scripts and the UI; never changes once released.
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            StoreError::Open { .. } => crate::ErrorCode::StoreOpen,
            StoreError::Migrate(_) => crate::ErrorCode::StoreMigrate,
            StoreError::Query { .. } | StoreError::Inbox { .. } => crate::ErrorCode::StoreQuery,
            StoreError::Closed { .. } => crate::ErrorCode::StoreClosed,
            StoreError::CorruptRow { .. } => crate::ErrorCode::StoreCorruptRow,
            StoreError::DuplicateIdempotencyRef { .. } | StoreError::Conflict(_) => {
                crate::ErrorCode::StoreConflict
            }
            StoreError::NotFound { .. } => crate::ErrorCode::StoreNotFound,
            StoreError::Invalid { .. } => crate::ErrorCode::StoreInvalid,
        }
    }

    /// Adapter for `map_err`: wraps a sqlx error with what the store was doing.
    pub(crate) fn query(context: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
        move |source| StoreError::Query { context, source }
    }

    /// Adapter for `map_err` on the inbox writer's own connection.
    pub(crate) fn inbox(context: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
        move |source| StoreError::Inbox {
            context,
            source: Box::new(source),
        }
    }

    pub(crate) fn corrupt(
        table: &'static str,
        column: &'static str,
        detail: impl std::fmt::Display,
    ) -> StoreError {
        StoreError::CorruptRow {
            table,
            column,
            detail: detail.to_string(),
        }
    }
}

/// True when `e` is a unique / primary-key violation (used to turn races into conflicts).
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

/// True when `e` is a foreign-key violation: the parent row (usually the order) is missing.
pub(crate) fn is_foreign_key_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_foreign_key_violation())
}

/// A stored or supplied text that is not one of a closed set (a ledger kind, a verdict, …).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {value:?}")]
pub struct UnknownValue {
    /// Which set, e.g. "ledger kind".
    pub what: &'static str,
    /// The offending text.
    pub value: String,
}

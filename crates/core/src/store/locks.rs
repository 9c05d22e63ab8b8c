//! Work one server instance does at a time when several share a PostgreSQL database: the
//! reconciler's tick, and the deliveries a processor has in hand ([`super::deliveries::claim_next`]).
//!
//! A [`HeldLock`] is a transaction kept open on a pooled connection holding PostgreSQL
//! advisory locks (`pg_try_advisory_xact_lock`): they end with it, so an instance that dies
//! (even SIGKILLed) lets go the moment its connection closes. It writes nothing and locks no
//! rows, so the holder's own write transactions never wait on it. On SQLite (one process per
//! file) every lock is granted and nothing is held.

use sqlx::Postgres;

use super::{Store, StoreError};

/// The advisory key of the reconciler's tick; any fixed number no other program on the
/// database uses, distinct from the write lock's.
const RECONCILER_LOCK_KEY: i64 = 0x4d49_5a41_4e00_0002;

/// Work that only one instance on a database does at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exclusive {
    /// A reconciler tick or sweep (re-reading open orders, authorising missed ones).
    ReconcilerTick,
}

/// Advisory locks held until [`HeldLock::release`] (or drop).
#[derive(Debug)]
pub struct HeldLock {
    pub(super) tx: Option<sqlx::Transaction<'static, Postgres>>,
}

impl HeldLock {
    /// Nothing held (SQLite, or nothing to claim).
    pub(crate) fn none() -> Self {
        HeldLock { tx: None }
    }

    /// Ends the transaction and with it the locks. A failed rollback still lets them go: the
    /// connection is then closed, and PostgreSQL ends its transaction.
    pub async fn release(self) {
        if let Some(tx) = self.tx {
            let _ = tx.rollback().await;
        }
    }
}

impl Store {
    /// Takes `what` for as long as the returned lock is held, or `None` when another
    /// instance holds it now. Never waits. SQLite always grants it.
    ///
    /// # Errors
    /// [`StoreError::Query`] if no connection is available or the statement fails.
    pub async fn try_exclusive(&self, what: Exclusive) -> Result<Option<HeldLock>, StoreError> {
        let Some(pool) = self.postgres_pool() else {
            return Ok(Some(HeldLock::none()));
        };
        let context = "take an instance lock";
        let key = match what {
            Exclusive::ReconcilerTick => RECONCILER_LOCK_KEY,
        };
        let mut tx = pool.begin().await.map_err(StoreError::query(context))?;
        let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
            .bind(key)
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::query(context))?;
        if got {
            Ok(Some(HeldLock { tx: Some(tx) }))
        } else {
            let _ = tx.rollback().await;
            Ok(None)
        }
    }
}

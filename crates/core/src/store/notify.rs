//! Notices between the server instances on one PostgreSQL database (`NOTIFY` / `LISTEN`): how a
//! change made through one instance reaches the live event streams of the others.
//!
//! Invariants: a notice is a hint to re-read, never data to trust — it carries no secret and
//! may be lost (a listener reconnecting misses what was sent meanwhile); on SQLite (one process)
//! there is nobody to tell, so publishing does nothing and there is no listener.

use sqlx::postgres::PgListener;

use super::{Store, StoreError};

/// Sends `payload` to every listener of `channel` on the database (PostgreSQL only); at most
/// 8,000 bytes, PostgreSQL's limit.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn publish(store: &Store, channel: &str, payload: &str) -> Result<(), StoreError> {
    let Some(pool) = store.postgres_pool() else {
        return Ok(());
    };
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(channel)
        .bind(payload)
        .execute(pool)
        .await
        .map_err(StoreError::query("publish a notice"))?;
    Ok(())
}

/// A listener on `channel` with a connection of its own (PostgreSQL); `None` on SQLite.
///
/// # Errors
/// [`StoreError::Query`] when the connection or the `LISTEN` fails.
pub async fn subscribe(store: &Store, channel: &str) -> Result<Option<PgListener>, StoreError> {
    let Some(pool) = store.postgres_pool() else {
        return Ok(None);
    };
    let mut listener = PgListener::connect_with(pool)
        .await
        .map_err(StoreError::query("listen for notices"))?;
    listener
        .listen(channel)
        .await
        .map_err(StoreError::query("listen for notices"))?;
    Ok(Some(listener))
}

//! Non-secret settings: text values by key, global or per environment.
//!
//! Owns `settings`, keyed by (scope, key), where scope is `global`, `sandbox` or
//! `production`. Examples: the active environment, auto-authorise on/off, the receiver's port.
//!
//! NEVER store a secret here (API token, notification token, public key): secrets live in the
//! OS keychain or environment variables, and this table is plain text on disk that ends up in
//! backups and support bundles. This is the one table whose rows may name no environment —
//! the `global` scope — because some preferences (the active environment itself) sit above
//! both.

use std::fmt;

use chrono::{DateTime, Utc};

use super::codec::{self, ts};
use super::{Db, Environment, StoreError, on_conn};

const TABLE: &str = "settings";

/// Where a setting applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SettingScope {
    /// Applies whatever the environment.
    Global,
    /// Applies to one environment only.
    Env(Environment),
}

impl SettingScope {
    /// The stored text: `global`, `sandbox` or `production`.
    pub fn as_str(self) -> &'static str {
        match self {
            SettingScope::Global => "global",
            SettingScope::Env(env) => env.as_str(),
        }
    }
}

impl fmt::Display for SettingScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One stored setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// Setting name.
    pub key: String,
    /// Setting value (never a secret).
    pub value: String,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// The value of `key` in `scope`, if set. No fallback from an environment to global: the
/// caller decides precedence.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn get<'c>(
    db: impl Db<'c>,
    scope: SettingScope,
    key: &str,
) -> Result<Option<String>, StoreError> {
    let mut conn = db.conn().await.map_err(StoreError::query("get setting"))?;
    on_conn!(conn, c => sqlx::query_scalar("SELECT value FROM settings WHERE scope = $1 AND key = $2")
        .bind(scope.as_str())
        .bind(key)
        .fetch_optional(c)
        .await)
    .map_err(StoreError::query("get setting"))
}

/// Sets `key` in `scope` to `value`, replacing any previous value.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn set<'c>(
    db: impl Db<'c>,
    scope: SettingScope,
    key: &str,
    value: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut conn = db.conn().await.map_err(StoreError::query("set setting"))?;
    on_conn!(conn, c => sqlx::query(
        "INSERT INTO settings (scope, key, value, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (scope, key) DO UPDATE SET
            value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(scope.as_str())
    .bind(key)
    .bind(value)
    .bind(ts(now))
    .execute(c)
    .await
    .map(|_| ()))
    .map_err(StoreError::query("set setting"))?;
    Ok(())
}

/// Removes `key` from `scope`; returns whether it was set.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn remove<'c>(
    db: impl Db<'c>,
    scope: SettingScope,
    key: &str,
) -> Result<bool, StoreError> {
    let mut conn = db
        .conn()
        .await
        .map_err(StoreError::query("remove setting"))?;
    let removed =
        on_conn!(conn, c => sqlx::query("DELETE FROM settings WHERE scope = $1 AND key = $2")
        .bind(scope.as_str())
        .bind(key)
        .execute(c)
        .await
        .map(|done| done.rows_affected()))
        .map_err(StoreError::query("remove setting"))?;
    Ok(removed == 1)
}

/// Every setting of `scope`, by key.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn list<'c>(db: impl Db<'c>, scope: SettingScope) -> Result<Vec<Setting>, StoreError> {
    let mut conn = db
        .conn()
        .await
        .map_err(StoreError::query("list settings"))?;
    on_conn!(conn, c => sqlx::query(
        "SELECT key, value, updated_at FROM settings WHERE scope = $1 ORDER BY key"
    )
    .bind(scope.as_str())
    .fetch_all(c)
    .await
    .map_err(StoreError::query("list settings"))?
    .iter()
    .map(|row| {
        Ok(Setting {
            key: codec::get(row, TABLE, "key")?,
            value: codec::get(row, TABLE, "value")?,
            updated_at: codec::time(row, TABLE, "updated_at")?,
        })
    })
    .collect())
}

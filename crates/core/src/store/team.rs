//! The team server's people and their personal tokens.
//!
//! Owns `team_users` and `team_tokens`. A user has one role and is disabled, never deleted (the
//! audit log names them). A token row holds only a non-secret lookup prefix and an Argon2id
//! hash (made by [`crate::team::tokens`]); the token itself is never stored, so finding the
//! user of a presented token is "rows with its prefix, then verify each hash" — done by the
//! caller, which owns the hashing. These tables sit above environments: one person works in
//! sandbox and production alike.

use chrono::{DateTime, Utc};

use super::codec::{self, StoreRow, ts};
use super::error::is_unique_violation;
use super::{Db, StoreError, on_conn};
use crate::team::Role;

const USERS: &str = "team_users";
const TOKENS: &str = "team_tokens";

/// A person on the team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamUser {
    /// Row id (the `UserId` of the approval rules).
    pub id: i64,
    /// Unique login name.
    pub name: String,
    /// What they may do.
    pub role: Role,
    /// When and by whom the account was made.
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    /// Set when the account was disabled: its tokens stop working.
    pub disabled_at: Option<DateTime<Utc>>,
}

/// A token row: who it belongs to and its hash, never the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: i64,
    /// The non-secret lookup prefix.
    pub prefix: String,
    /// Argon2id PHC text.
    pub hash: String,
    /// What the person called it ("laptop", "ci").
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Adds a user and returns their id.
///
/// # Errors
/// [`StoreError::Conflict`] when the name is taken; [`StoreError::Query`].
pub async fn add_user<'c>(
    db: impl Db<'c>,
    name: &str,
    role: Role,
    created_by: &str,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let context = "add team user";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query_scalar(
        "INSERT INTO team_users (name, role, created_at, created_by) VALUES ($1, $2, $3, $4)
         RETURNING id",
    )
    .bind(name)
    .bind(role.as_str())
    .bind(ts(now))
    .bind(created_by)
    .fetch_one(c)
    .await)
    .map_err(|e| {
        if is_unique_violation(&e) {
            StoreError::Conflict(format!("a team user named {name:?} already exists"))
        } else {
            StoreError::query(context)(e)
        }
    })
}

/// The user `id`, if any.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn user<'c>(db: impl Db<'c>, id: i64) -> Result<Option<TeamUser>, StoreError> {
    let context = "get team user";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query("SELECT * FROM team_users WHERE id = $1")
        .bind(id)
        .fetch_optional(c)
        .await
        .map_err(StoreError::query(context))?
        .as_ref()
        .map(user_from_row)
        .transpose())
}

/// Every user, by name.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn users<'c>(db: impl Db<'c>) -> Result<Vec<TeamUser>, StoreError> {
    let context = "list team users";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query("SELECT * FROM team_users ORDER BY name, id")
        .fetch_all(c)
        .await
        .map_err(StoreError::query(context))?
        .iter()
        .map(user_from_row)
        .collect())
}

/// Changes a user's role; returns whether the user exists.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn set_role<'c>(db: impl Db<'c>, id: i64, role: Role) -> Result<bool, StoreError> {
    let context = "set team user role";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let changed = on_conn!(conn, c => sqlx::query("UPDATE team_users SET role = $1 WHERE id = $2")
        .bind(role.as_str())
        .bind(id)
        .execute(c)
        .await
        .map(|d| d.rows_affected()))
    .map_err(StoreError::query(context))?;
    Ok(changed == 1)
}

/// Disables a user (their tokens stop working); returns whether an enabled user was disabled.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn disable_user<'c>(
    db: impl Db<'c>,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let context = "disable team user";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let changed = on_conn!(conn, c => sqlx::query(
        "UPDATE team_users SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL",
    )
    .bind(ts(now))
    .bind(id)
    .execute(c)
    .await
    .map(|d| d.rows_affected()))
    .map_err(StoreError::query(context))?;
    Ok(changed == 1)
}

/// Stores a token's prefix and hash for `user_id`; returns the token row's id.
///
/// # Errors
/// [`StoreError::NotFound`] when the user does not exist; [`StoreError::Query`].
pub async fn add_token<'c>(
    db: impl Db<'c>,
    user_id: i64,
    prefix: &str,
    hash: &str,
    label: &str,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let context = "add team token";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query_scalar(
        "INSERT INTO team_tokens (user_id, prefix, hash, label, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(user_id)
    .bind(prefix)
    .bind(hash)
    .bind(label)
    .bind(ts(now))
    .fetch_one(c)
    .await)
    .map_err(|e| {
        if super::error::is_foreign_key_violation(&e) {
            StoreError::NotFound {
                entity: "team user",
                key: user_id.to_string(),
            }
        } else {
            StoreError::query(context)(e)
        }
    })
}

/// The live tokens (not revoked, of an enabled user) with `prefix`, each with its user: the
/// candidates a presented token is verified against.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn live_tokens_with_prefix<'c>(
    db: impl Db<'c>,
    prefix: &str,
) -> Result<Vec<(TokenRow, TeamUser)>, StoreError> {
    let context = "find team tokens";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query(
        "SELECT t.id AS token_id, t.user_id, t.prefix, t.hash, t.label,
                t.created_at AS token_created_at, t.last_used_at, t.revoked_at,
                u.id, u.name, u.role, u.created_at, u.created_by, u.disabled_at
         FROM team_tokens t JOIN team_users u ON u.id = t.user_id
         WHERE t.prefix = $1 AND t.revoked_at IS NULL AND u.disabled_at IS NULL
         ORDER BY t.id",
    )
    .bind(prefix)
    .fetch_all(c)
    .await
    .map_err(StoreError::query(context))?
    .iter()
    .map(|row| Ok((token_from_row(row)?, user_from_row(row)?)))
    .collect())
}

/// A user's tokens, newest first (revoked ones included, for the admin screen).
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn tokens_of<'c>(db: impl Db<'c>, user_id: i64) -> Result<Vec<TokenRow>, StoreError> {
    let context = "list team tokens";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query(
        "SELECT id AS token_id, user_id, prefix, hash, label, created_at AS token_created_at,
                last_used_at, revoked_at
         FROM team_tokens WHERE user_id = $1 ORDER BY id DESC",
    )
    .bind(user_id)
    .fetch_all(c)
    .await
    .map_err(StoreError::query(context))?
    .iter()
    .map(token_from_row)
    .collect())
}

/// Notes that token `id` was just used.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn touch_token<'c>(
    db: impl Db<'c>,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let context = "touch team token";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query("UPDATE team_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(ts(now))
        .bind(id)
        .execute(c)
        .await
        .map(|_| ()))
    .map_err(StoreError::query(context))
}

/// Revokes token `id` of `user_id`; returns whether a live token was revoked.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn revoke_token<'c>(
    db: impl Db<'c>,
    user_id: i64,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let context = "revoke team token";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let changed = on_conn!(conn, c => sqlx::query(
        "UPDATE team_tokens SET revoked_at = $1
         WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(ts(now))
    .bind(id)
    .bind(user_id)
    .execute(c)
    .await
    .map(|d| d.rows_affected()))
    .map_err(StoreError::query(context))?;
    Ok(changed == 1)
}

fn user_from_row(row: &impl StoreRow) -> Result<TeamUser, StoreError> {
    Ok(TeamUser {
        id: codec::get(row, USERS, "id")?,
        name: codec::get(row, USERS, "name")?,
        role: codec::parsed(row, USERS, "role")?,
        created_at: codec::time(row, USERS, "created_at")?,
        created_by: codec::get(row, USERS, "created_by")?,
        disabled_at: codec::time_opt(row, USERS, "disabled_at")?,
    })
}

fn token_from_row(row: &impl StoreRow) -> Result<TokenRow, StoreError> {
    Ok(TokenRow {
        id: codec::get(row, TOKENS, "token_id")?,
        user_id: codec::get(row, TOKENS, "user_id")?,
        prefix: codec::get(row, TOKENS, "prefix")?,
        hash: codec::get(row, TOKENS, "hash")?,
        label: codec::get(row, TOKENS, "label")?,
        created_at: codec::time(row, TOKENS, "token_created_at")?,
        last_used_at: codec::time_opt(row, TOKENS, "last_used_at")?,
        revoked_at: codec::time_opt(row, TOKENS, "revoked_at")?,
    })
}

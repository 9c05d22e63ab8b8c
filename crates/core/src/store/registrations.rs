//! Webhook registrations: the endpoints we registered with the gateway, per environment.
//!
//! Owns `webhook_registrations`, keyed by (environment, webhook_id). A registration is
//! "confirmed" once the gateway showed it back to us (in its listing or by id) — the go-live
//! checklist wants that evidence. Deleting only stamps `deleted_at`, so the history stays.
//!
//! Invariant: `headers_json` holds header names with masked values, never a secret.

use chrono::{DateTime, Utc};

use super::codec::{self, StoreRow, text_enum, ts};
use super::{Db, Environment, StoreError, on_conn};

const TABLE: &str = "webhook_registrations";

text_enum! {
    /// How the gateway confirmed a registration.
    ConfirmedBy, "confirmation source" {
        /// It appeared in `GET /webhooks`.
        Listing => "listing",
        /// `GET /webhooks/{id}` returned it.
        Get => "get",
    }
}

/// A webhook registration as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookRegistration {
    /// The environment this row belongs to.
    pub environment: Environment,
    /// The gateway's id.
    pub webhook_id: String,
    /// The endpoint Tamara posts to.
    pub url: String,
    /// The event names, as a JSON array.
    pub events_json: String,
    /// Extra headers as a JSON object, values masked.
    pub headers_json: String,
    /// The gateway's registration type (e.g. `order`).
    pub webhook_type: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When the gateway showed it back to us.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// How the gateway showed it back.
    pub confirmed_by: Option<ConfirmedBy>,
    /// When it was removed at the gateway.
    pub deleted_at: Option<DateTime<Utc>>,
}

/// Inserts or replaces a registration (url, events, headers, type; confirmation and deletion
/// stamps are replaced too, so pass the stored ones to keep them).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn upsert<'c>(db: impl Db<'c>, reg: &WebhookRegistration) -> Result<(), StoreError> {
    let context = "upsert registration";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query(
        "INSERT INTO webhook_registrations (environment, webhook_id, url, events_json,
            headers_json, webhook_type, created_at, confirmed_at, confirmed_by, deleted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (environment, webhook_id) DO UPDATE SET
            url = excluded.url,
            events_json = excluded.events_json,
            headers_json = excluded.headers_json,
            webhook_type = excluded.webhook_type,
            created_at = excluded.created_at,
            confirmed_at = excluded.confirmed_at,
            confirmed_by = excluded.confirmed_by,
            deleted_at = excluded.deleted_at",
    )
    .bind(reg.environment.as_str())
    .bind(&reg.webhook_id)
    .bind(&reg.url)
    .bind(&reg.events_json)
    .bind(&reg.headers_json)
    .bind(&reg.webhook_type)
    .bind(ts(reg.created_at))
    .bind(reg.confirmed_at.map(ts))
    .bind(reg.confirmed_by.map(ConfirmedBy::as_str))
    .bind(reg.deleted_at.map(ts))
    .execute(c)
    .await
    .map(|_| ()))
    .map_err(StoreError::query(context))
}

/// The registration with this id in `env`, deleted or not.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn get<'c>(
    db: impl Db<'c>,
    env: Environment,
    webhook_id: &str,
) -> Result<Option<WebhookRegistration>, StoreError> {
    let context = "get registration";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query(
        "SELECT * FROM webhook_registrations WHERE environment = $1 AND webhook_id = $2",
    )
    .bind(env.as_str())
    .bind(webhook_id)
    .fetch_optional(c)
    .await
    .map_err(StoreError::query(context))?
    .as_ref()
    .map(from_row)
    .transpose())
}

/// Registrations of `env`, oldest first; deleted ones only when `include_deleted`.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn list<'c>(
    db: impl Db<'c>,
    env: Environment,
    include_deleted: bool,
) -> Result<Vec<WebhookRegistration>, StoreError> {
    let context = "list registrations";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query(
        "SELECT * FROM webhook_registrations
         WHERE environment = $1 AND (deleted_at IS NULL OR $2)
         ORDER BY created_at, webhook_id",
    )
    .bind(env.as_str())
    .bind(include_deleted)
    .fetch_all(c)
    .await
    .map_err(StoreError::query(context))?
    .iter()
    .map(from_row)
    .collect())
}

/// Records that the gateway showed this registration back to us.
///
/// # Errors
/// [`StoreError::NotFound`]; [`StoreError::Query`].
pub async fn mark_confirmed<'c>(
    db: impl Db<'c>,
    env: Environment,
    webhook_id: &str,
    by: ConfirmedBy,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let context = "confirm registration";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let rows = on_conn!(conn, c => sqlx::query(
        "UPDATE webhook_registrations SET confirmed_at = $1, confirmed_by = $2
         WHERE environment = $3 AND webhook_id = $4",
    )
    .bind(ts(at))
    .bind(by.as_str())
    .bind(env.as_str())
    .bind(webhook_id)
    .execute(c)
    .await
    .map(|d| d.rows_affected()))
    .map_err(StoreError::query(context))?;
    found(rows, env, webhook_id)
}

/// Stamps the registration deleted (it was removed at the gateway); the row stays.
///
/// # Errors
/// [`StoreError::NotFound`]; [`StoreError::Query`].
pub async fn mark_deleted<'c>(
    db: impl Db<'c>,
    env: Environment,
    webhook_id: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let context = "delete registration";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let rows = on_conn!(conn, c => sqlx::query(
        "UPDATE webhook_registrations SET deleted_at = $1
         WHERE environment = $2 AND webhook_id = $3",
    )
    .bind(ts(at))
    .bind(env.as_str())
    .bind(webhook_id)
    .execute(c)
    .await
    .map(|d| d.rows_affected()))
    .map_err(StoreError::query(context))?;
    found(rows, env, webhook_id)
}

fn found(rows: u64, env: Environment, webhook_id: &str) -> Result<(), StoreError> {
    if rows == 0 {
        Err(StoreError::NotFound {
            entity: "webhook registration",
            key: format!("{env}/{webhook_id}"),
        })
    } else {
        Ok(())
    }
}

fn from_row(row: &impl StoreRow) -> Result<WebhookRegistration, StoreError> {
    Ok(WebhookRegistration {
        environment: codec::environment(row, TABLE)?,
        webhook_id: codec::get(row, TABLE, "webhook_id")?,
        url: codec::get(row, TABLE, "url")?,
        events_json: codec::get(row, TABLE, "events_json")?,
        headers_json: codec::get(row, TABLE, "headers_json")?,
        webhook_type: codec::get(row, TABLE, "webhook_type")?,
        created_at: codec::time(row, TABLE, "created_at")?,
        confirmed_at: codec::time_opt(row, TABLE, "confirmed_at")?,
        confirmed_by: codec::parsed_opt(row, TABLE, "confirmed_by")?,
        deleted_at: codec::time_opt(row, TABLE, "deleted_at")?,
    })
}

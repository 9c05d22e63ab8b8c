//! The audit log's hash chain: what every recorded step becomes before it is stored.
//!
//! Owns the hash of an audit row. `hash = sha256_hex(prev_hash + "\n" + canonical line)`, where
//! the canonical line joins seq, environment, time, OS user, actor, action, subject, request
//! summary and result with `\u{1f}` (unit separator, which none of them can usefully contain),
//! and the first row's `prev_hash` is [`GENESIS_HASH`] (64 zeros).
//!
//! Invariants: callers never compute seq or hashes themselves; a concurrent appender that wins
//! the race makes [`record`] re-read the chain's end and retry; request summaries never carry a
//! secret (callers pass ids and amounts, not tokens).
//!
//! [`verify`] walks the chain and names the first entry that is not as written; [`checkpoint`]
//! makes it keyed: checkpoints of the chain's head MACed with a key kept outside the database
//! ([`key`]), which [`verify_signed`] checks the chain against.

pub mod anchor;
pub mod checkpoint;
pub mod guard;
pub mod key;
mod verify;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::environment::Environment;
use crate::error::Result;
use crate::store::audit;

pub use crate::store::audit::AuditEntry;
use crate::store::{Db as _, DbConn, Store, StoreError};

pub use checkpoint::{SignedReport, checkpoint_if_due, verify_signed};
pub use key::{AuditKeyError, AuditKeys, KeySource};
pub use verify::{Breach, CHECKPOINT_KEY, ChainBreak, ChainHead, ChainReport, verify};

/// The `prev_hash` of the first row of the chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How many times [`record`] tries when another appender took the next seq first.
const ATTEMPTS: usize = 3;

/// One step to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub env: Environment,
    /// Who acted: an operator, or a component ("webhook", "reconciler").
    pub actor: String,
    /// What was done, e.g. "webhook.processed".
    pub action: String,
    /// What it was done to, e.g. an order id.
    pub subject: String,
    /// The request, secrets excluded.
    pub request_summary: Option<String>,
    /// The outcome.
    pub result: String,
}

/// The newest audit entries of `env` (all environments when None), since `since`, at most
/// `limit`, newest first.
///
/// # Errors
/// Store errors.
pub async fn recent(
    store: &Store,
    env: Option<Environment>,
    since: Option<DateTime<Utc>>,
    limit: u32,
) -> Result<Vec<AuditEntry>> {
    Ok(audit::list_recent(store, env, since, limit).await?)
}

/// The hash of `entry` given its `prev_hash` (the `hash` field itself is ignored).
pub fn entry_hash(entry: &AuditEntry) -> String {
    let line = [
        entry.seq.to_string(),
        entry.environment.as_str().to_owned(),
        entry.at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
        entry.os_user.clone(),
        entry.operator.clone(),
        entry.action.clone(),
        entry.subject.clone(),
        entry.request_summary.clone().unwrap_or_default(),
        entry.result.clone(),
    ]
    .join("\u{1f}");
    let mut h = Sha256::new();
    h.update(entry.prev_hash.as_bytes());
    h.update(b"\n");
    h.update(line.as_bytes());
    hex::encode(h.finalize())
}

/// Appends `rec` to the chain, retrying when another appender took the next seq first.
/// Returns the new row's seq.
///
/// # Errors
/// [`crate::Error::Store`] when the store fails or the chain stays contended.
pub async fn record(store: &Store, rec: AuditRecord, now: DateTime<Utc>) -> Result<i64> {
    let mut last_err = None;
    for _ in 0..ATTEMPTS {
        let mut conn = store
            .conn()
            .await
            .map_err(StoreError::query("audit connection"))?;
        match append_in(&mut conn, &rec, now).await {
            Ok(seq) => return Ok(seq),
            Err(StoreError::Conflict(m)) => last_err = Some(StoreError::Conflict(m)),
            Err(e) => return Err(e.into()),
        }
    }
    Err(last_err
        .unwrap_or_else(|| StoreError::Conflict("audit chain contended".into()))
        .into())
}

/// Appends `rec` on one connection — typically `&mut tx` of a transaction that already holds
/// SQLite's write lock, so nobody can interleave. One attempt.
///
/// # Errors
/// [`StoreError::Conflict`] if another appender won; [`StoreError::Query`].
pub async fn append_in(
    conn: &mut DbConn<'_>,
    rec: &AuditRecord,
    at: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let last = audit::last(&mut *conn).await?;
    let (seq, prev_hash) = match last {
        Some(l) => (l.seq + 1, l.hash),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let mut entry = AuditEntry {
        seq,
        environment: rec.env,
        at,
        os_user: os_user(),
        operator: rec.actor.clone(),
        action: rec.action.clone(),
        subject: rec.subject.clone(),
        request_summary: rec.request_summary.clone(),
        result: rec.result.clone(),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry_hash(&entry);
    audit::append(&mut *conn, &entry).await
}

/// The operating-system account running the console, or "unknown".
fn os_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(action: &str) -> AuditRecord {
        AuditRecord {
            env: Environment::Sandbox,
            actor: "webhook".into(),
            action: action.into(),
            subject: "order-1".into(),
            request_summary: None,
            result: "ok".into(),
        }
    }

    #[tokio::test]
    async fn records_a_linked_chain() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.db")).await.unwrap();
        assert_eq!(record(&store, rec("one"), Utc::now()).await.unwrap(), 1);
        assert_eq!(record(&store, rec("two"), Utc::now()).await.unwrap(), 2);
        let rows = audit::list_chain(&store, 10, 0).await.unwrap();
        assert_eq!(rows[0].prev_hash, GENESIS_HASH);
        assert_eq!(rows[1].prev_hash, rows[0].hash);
        for r in &rows {
            assert_eq!(entry_hash(r), r.hash, "hash recomputes");
        }
    }

    #[tokio::test]
    async fn concurrent_appenders_both_land() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.db")).await.unwrap();
        let (a, b) = tokio::join!(
            record(&store, rec("a"), Utc::now()),
            record(&store, rec("b"), Utc::now())
        );
        let mut seqs = [a.unwrap(), b.unwrap()];
        seqs.sort_unstable();
        assert_eq!(seqs, [1, 2]);
    }
}

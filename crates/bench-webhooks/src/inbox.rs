//! After the load: what `mizan serve` stored, read from its SQLite file (or its PostgreSQL
//! database) once it has stopped.
//!
//! Owns the loss check. A delivery is lost when the bench got a 200 for body `i` but no
//! verified row in `webhook_deliveries` carries body `i` — checked body by body (each body has
//! its own capture id), not by comparing totals, so a stored-but-unacknowledged request (a
//! client timeout) cannot hide a lost one.
//!
//! Invariants: the file is read only after the service exited (its store is closed, the WAL
//! checkpointed); nothing is written to it.

use std::collections::HashSet;
use std::path::Path;

use serde::Serialize;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions as _, Connection as _};

use crate::BenchError;
use crate::fixtures::index_of;

/// What the store holds after the run, and how it compares with the acknowledgements.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InboxTally {
    /// Requests `mizan serve` answered 200.
    pub acknowledged: usize,
    /// Rows with verdict `verified`.
    pub stored_verified: usize,
    /// Rows with any other verdict (the bench sends none; non-zero means a token or body
    /// problem).
    pub stored_other: usize,
    /// Acknowledged bodies with no verified row.
    pub lost: usize,
    /// Verified rows the processor had settled as processed when the service stopped.
    pub processed: usize,
    /// Verified rows still waiting for the processor.
    pub pending: usize,
    /// Verified rows whose processing failed (to be retried).
    pub failed: usize,
    /// Verified rows skipped (duplicates).
    pub skipped: usize,
}

impl InboxTally {
    /// Adds another run's tally (one per round) to this one.
    pub fn absorb(&mut self, other: &InboxTally) {
        self.acknowledged += other.acknowledged;
        self.stored_verified += other.stored_verified;
        self.stored_other += other.stored_other;
        self.lost += other.lost;
        self.processed += other.processed;
        self.pending += other.pending;
        self.failed += other.failed;
        self.skipped += other.skipped;
    }
}

/// Reads the inbox at `db` and checks every index in `acknowledged` against it.
///
/// # Errors
/// [`BenchError::Store`] if the file cannot be opened or read.
pub async fn tally(db: &Path, acknowledged: &[u64]) -> Result<InboxTally, BenchError> {
    let store_err = |source| BenchError::Store {
        path: db.display().to_string(),
        source,
    };
    let mut conn = SqliteConnectOptions::new()
        .filename(db)
        .create_if_missing(false)
        .connect()
        .await
        .map_err(store_err)?;
    let rows: Vec<(String, String, String)> = sqlx::query_as(INBOX)
        .fetch_all(&mut conn)
        .await
        .map_err(store_err)?;
    conn.close().await.map_err(store_err)?;
    Ok(tally_rows(&rows, acknowledged))
}

/// The inbox's columns the tally reads, on either backend.
const INBOX: &str = "SELECT verdict, processing_state, body FROM webhook_deliveries";

/// Reads the inbox of the PostgreSQL database at `url` and checks every index in
/// `acknowledged` against it.
///
/// # Errors
/// [`BenchError::Store`] if the database cannot be reached or read.
pub async fn tally_postgres(url: &str, acknowledged: &[u64]) -> Result<InboxTally, BenchError> {
    let store_err = |source| BenchError::Store {
        path: url.to_owned(),
        source,
    };
    let mut conn = PgConnection::connect(url).await.map_err(store_err)?;
    let rows: Vec<(String, String, String)> = sqlx::query_as(INBOX)
        .fetch_all(&mut conn)
        .await
        .map_err(store_err)?;
    conn.close().await.map_err(store_err)?;
    Ok(tally_rows(&rows, acknowledged))
}

/// The tally of `(verdict, processing_state, body)` rows against the acknowledged indices.
fn tally_rows(rows: &[(String, String, String)], acknowledged: &[u64]) -> InboxTally {
    let mut t = InboxTally {
        acknowledged: acknowledged.len(),
        ..InboxTally::default()
    };
    let mut stored = HashSet::with_capacity(rows.len());
    for (verdict, state, body) in rows {
        if verdict != "verified" {
            t.stored_other += 1;
            continue;
        }
        t.stored_verified += 1;
        match state.as_str() {
            "processed" => t.processed += 1,
            "pending" => t.pending += 1,
            "failed" => t.failed += 1,
            _ => t.skipped += 1,
        }
        if let Some(i) = index_of(body) {
            stored.insert(i);
        }
    }
    t.lost = acknowledged.iter().filter(|i| !stored.contains(i)).count();
    t
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::fixtures::{Notifications, OrderRef};

    /// A file with the columns the tally reads, holding `rows` (verdict, state, body index).
    async fn inbox(dir: &Path, rows: &[(&str, &str, u64)]) -> std::path::PathBuf {
        let path = dir.join("mizan.db");
        let mut conn = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .connect()
            .await
            .unwrap();
        sqlx::query(
            "CREATE TABLE webhook_deliveries (id INTEGER PRIMARY KEY, verdict TEXT NOT NULL, \
             processing_state TEXT NOT NULL, body TEXT NOT NULL)",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        let bodies = Notifications::new(vec![OrderRef {
            order_id: "o-1".into(),
            reference: "BENCH-0".into(),
        }])
        .unwrap();
        for (verdict, state, i) in rows {
            sqlx::query(
                "INSERT INTO webhook_deliveries (verdict, processing_state, body) VALUES (?, ?, ?)",
            )
            .bind(verdict)
            .bind(state)
            .bind(bodies.body(*i))
            .execute(&mut conn)
            .await
            .unwrap();
        }
        conn.close().await.unwrap();
        path
    }

    #[tokio::test]
    async fn every_acknowledged_body_found_means_nothing_lost() {
        let dir = tempfile::tempdir().unwrap();
        let db = inbox(
            dir.path(),
            &[
                ("verified", "processed", 0),
                ("verified", "pending", 1),
                ("verified", "failed", 2),
                ("verified", "pending", 3), // stored, but its 200 never reached the bench
            ],
        )
        .await;
        let t = tally(&db, &[0, 1, 2]).await.unwrap();
        assert_eq!(t.acknowledged, 3);
        assert_eq!(t.stored_verified, 4);
        assert_eq!(t.lost, 0);
        assert_eq!((t.processed, t.pending, t.failed), (1, 2, 1));
    }

    #[tokio::test]
    async fn an_acknowledged_body_missing_is_lost_even_when_totals_match() {
        let dir = tempfile::tempdir().unwrap();
        let db = inbox(
            dir.path(),
            &[
                ("verified", "pending", 0),
                ("verified", "pending", 9), // an unacknowledged one fills the count
                ("rejected", "skipped", 1), // stored, but not as verified
            ],
        )
        .await;
        let t = tally(&db, &[0, 1]).await.unwrap();
        assert_eq!(
            t.stored_verified, 2,
            "totals alone would say nothing is lost"
        );
        assert_eq!(t.stored_other, 1);
        assert_eq!(t.lost, 1);
    }

    #[tokio::test]
    async fn a_missing_store_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = tally(&dir.path().join("absent.db"), &[]).await.unwrap_err();
        assert_eq!(err.code(), "bench_store");
        assert!(err.to_string().contains("absent.db"), "{err}");
    }
}

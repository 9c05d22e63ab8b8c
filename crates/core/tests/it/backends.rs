//! The store on each backend: a fresh SQLite file, and a fresh database on this test process's
//! throwaway PostgreSQL cluster (`mizan_pgtest`). A store test loops over [`each`] and says
//! which backend failed.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicU32, Ordering};

use mizan_core::store::Store;
use mizan_pgtest::TempCluster;

/// A store on one backend, and what keeps it alive (the SQLite file's directory).
pub struct Backend {
    /// "sqlite" or "postgres", for assertion messages.
    pub name: &'static str,
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
}

/// A fresh store on SQLite.
pub async fn sqlite() -> Backend {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("mizan.db")).await.unwrap();
    Backend {
        name: "sqlite",
        store,
        _dir: Some(dir),
    }
}

/// A fresh store on a new database of the shared cluster; `None` (with a note) when
/// PostgreSQL is not installed and `MIZAN_REQUIRE_POSTGRES` is not set.
pub async fn postgres() -> Option<Backend> {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    let Some(cluster) = TempCluster::shared().expect("the PostgreSQL test cluster") else {
        eprintln!("PostgreSQL is not installed: this test ran on SQLite only");
        return None;
    };
    let name = format!("store_{}", NEXT.fetch_add(1, Ordering::Relaxed));
    let url = tokio::task::spawn_blocking(move || cluster.create_database(&name))
        .await
        .unwrap()
        .unwrap();
    let store = Store::connect_postgres(&url).await.unwrap();
    Some(Backend {
        name: "postgres",
        store,
        _dir: None,
    })
}

/// A fresh store on every backend this machine has: SQLite always, PostgreSQL when installed.
pub async fn each() -> Vec<Backend> {
    let mut all = vec![sqlite().await];
    all.extend(postgres().await);
    all
}

impl Backend {
    /// Runs `sql` (no parameters) on the backend, bypassing the store: what a tamperer or a
    /// test's set-up does.
    pub async fn execute(&self, sql: &'static str) -> Result<u64, sqlx::Error> {
        match (self.store.sqlite_pool(), self.store.postgres_pool()) {
            (Some(p), _) => sqlx::query(sql).execute(p).await.map(|d| d.rows_affected()),
            (_, Some(p)) => sqlx::query(sql).execute(p).await.map(|d| d.rows_affected()),
            (None, None) => unreachable!("a store has one pool"),
        }
    }

    /// The single integer `sql` (no parameters) selects.
    pub async fn scalar(&self, sql: &'static str) -> i64 {
        match (self.store.sqlite_pool(), self.store.postgres_pool()) {
            (Some(p), _) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
            (_, Some(p)) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
            (None, None) => unreachable!("a store has one pool"),
        }
    }
}

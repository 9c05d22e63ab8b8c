//! The store's file, pragmas and schema, checked on real temporary SQLite files.

// Test helpers outside #[test] fns panic on setup failure by design.
#![allow(clippy::unwrap_used)]

use mizan_core::environment::Environment;
use mizan_core::store::{Store, StoreError, StoreOptions, mask_secret};
use sqlx::Row;

async fn open_temp() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("mizan.db")).await.unwrap();
    (dir, store)
}

const TABLES: [&str; 12] = [
    "orders",
    "order_items",
    "ledger_entries",
    "webhook_deliveries",
    "processed_events",
    "webhook_registrations",
    "audit_log",
    "audit_checkpoints",
    "settings",
    "payouts",
    "payout_statements",
    "approvals",
];

#[tokio::test]
async fn migrations_apply_on_a_fresh_file_and_reopening_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested-name.db");
    assert!(!path.exists());
    let store = Store::open(&path).await.unwrap();
    assert!(path.exists(), "open creates the file");
    for table in TABLES {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
        )
        .bind(table)
        .fetch_one(store.sqlite_pool().unwrap())
        .await
        .unwrap();
        assert_eq!(n, 1, "migration creates {table}");
    }
    mizan_core::store::settings::set(
        &store,
        mizan_core::store::settings::SettingScope::Global,
        "k",
        "v",
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    store.close().await;

    let store = Store::open(&path).await.unwrap();
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(store.sqlite_pool().unwrap())
            .await
            .unwrap();
    assert_eq!(
        applied,
        vec![1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13],
        "re-opening applies nothing twice"
    );
    let v = mizan_core::store::settings::get(
        &store,
        mizan_core::store::settings::SettingScope::Global,
        "k",
    )
    .await
    .unwrap();
    assert_eq!(v.as_deref(), Some("v"), "data survives re-opening");
}

#[tokio::test]
async fn every_connection_runs_wal_full_sync_with_foreign_keys() {
    let (_dir, store) = open_temp().await;
    // Hold two connections at once so the check is not of one lucky connection.
    let mut a = store.sqlite_pool().unwrap().acquire().await.unwrap();
    let mut b = store.sqlite_pool().unwrap().acquire().await.unwrap();
    for conn in [&mut a, &mut b] {
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut **conn)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&mut **conn)
            .await
            .unwrap();
        assert_eq!(fk, 1, "foreign keys on");
        let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut **conn)
            .await
            .unwrap();
        assert_eq!(
            sync, 2,
            "synchronous = FULL, so a returned write survives power loss"
        );
        let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(&mut **conn)
            .await
            .unwrap();
        assert_eq!(busy, 5000);
    }
}

#[tokio::test]
async fn a_page_cache_size_applies_to_every_pooled_connection_and_the_default_is_sqlites() {
    let dir = tempfile::tempdir().unwrap();
    let cache_of = async |store: &Store| {
        // Two connections at once, so both the first and a later one are checked.
        let mut a = store.sqlite_pool().unwrap().acquire().await.unwrap();
        let mut b = store.sqlite_pool().unwrap().acquire().await.unwrap();
        let mut sizes = Vec::new();
        for conn in [&mut a, &mut b] {
            let size: i64 = sqlx::query_scalar("PRAGMA cache_size")
                .fetch_one(&mut **conn)
                .await
                .unwrap();
            sizes.push(size);
        }
        sizes
    };
    let small = StoreOptions {
        page_cache_kib: Some(512),
    };
    let store = Store::open_with(&dir.path().join("small.db"), small)
        .await
        .unwrap();
    assert_eq!(cache_of(&store).await, [-512, -512], "512 KiB on each");
    let store = Store::open(&dir.path().join("default.db")).await.unwrap();
    assert_eq!(
        cache_of(&store).await,
        [-2000, -2000],
        "SQLite's own default"
    );
}

#[tokio::test]
async fn every_table_names_its_environment_and_refuses_others() {
    let (_dir, store) = open_temp().await;
    // The checkpoints vouch for the one chain that spans both environments, so they have none.
    for table in TABLES.into_iter().filter(|t| *t != "audit_checkpoints") {
        let columns: Vec<String> =
            sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA table_info({table})")))
                .fetch_all(store.sqlite_pool().unwrap())
                .await
                .unwrap()
                .iter()
                .map(|r| r.get::<String, _>("name"))
                .collect();
        let scoped = if table == "settings" {
            "scope"
        } else {
            "environment"
        };
        assert!(
            columns.iter().any(|c| c == scoped),
            "{table} has {scoped}: {columns:?}"
        );
    }
    let err = sqlx::query(
        "INSERT INTO processed_events (environment, order_id, event_type, sub_id, claimed_at)
         VALUES ('staging', 'o', 'order_approved', '', '2024-01-01T00:00:00.000000000Z')",
    )
    .execute(store.sqlite_pool().unwrap())
    .await
    .unwrap_err();
    assert!(err.to_string().contains("CHECK"), "{err}");
}

#[tokio::test]
async fn a_missing_directory_is_an_open_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-dir").join("mizan.db");
    let err = Store::open(&path).await.unwrap_err();
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    assert_eq!(err.code(), "store_open");
    assert!(err.to_string().contains("no-such-dir"), "{err}");
}

#[test]
fn mask_secret_keeps_only_the_last_four_characters() {
    assert_eq!(mask_secret("eyJhbGciOiJIUzI1NiJ9.abcd"), "****abcd");
    assert_eq!(
        mask_secret("short"),
        "****",
        "short values are fully hidden"
    );
    assert_eq!(mask_secret(""), "****");
    assert!(!mask_secret("supersecretvalue").contains("super"));
}

#[test]
fn environment_text_is_what_the_store_writes() {
    assert_eq!(Environment::Sandbox.as_str(), "sandbox");
    assert_eq!(
        "production".parse::<Environment>().unwrap(),
        Environment::Production
    );
}

/// The cache holds customers' names, phones and money movements: on Unix the data directory a
/// console creates is 0700 and the database with its WAL 0600, whatever the umask; a database
/// made before this rule is tightened when opened.
#[cfg(unix)]
#[tokio::test]
async fn the_data_directory_and_database_are_private_to_the_user() {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let root = tempfile::tempdir().unwrap();
    let data_dir = root.path().join("fresh").join("mizan");
    let vars: std::collections::HashMap<String, String> =
        [("MIZAN_DATA_DIR".to_owned(), data_dir.display().to_string())].into();
    let console =
        mizan_core::Console::open(mizan_core::config::ConsoleConfig::from_vars(&vars).unwrap())
            .await
            .unwrap();
    mizan_core::audit::record(
        console.store(),
        mizan_core::audit::AuditRecord {
            env: mizan_core::Environment::Sandbox,
            actor: "test".into(),
            action: "test.write".into(),
            subject: "-".into(),
            request_summary: None,
            result: "ok".into(),
        },
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(mode(&data_dir), 0o700);
    assert_eq!(mode(&data_dir.join("mizan.db")), 0o600);
    assert_eq!(mode(&data_dir.join("mizan.db-wal")), 0o600);
    console.store().close().await;

    let old = root.path().join("old.db");
    std::fs::write(&old, b"").unwrap();
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
    let store = mizan_core::store::Store::open(&old).await.unwrap();
    assert_eq!(mode(&old), 0o600);
    store.close().await;
}

/// The PostgreSQL schema (`migrations_pg/`) has exactly SQLite's tables and columns, so one
/// query text serves both; a migration added to one side only fails here.
#[tokio::test]
async fn postgres_has_the_same_tables_and_columns_as_sqlite() {
    let Some(pg) = crate::backends::postgres().await else {
        return;
    };
    let sqlite = crate::backends::sqlite().await;
    let sqlite_columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx_%'
           AND m.name NOT LIKE 'orders_text%'
         ORDER BY 1, 2",
    )
    .fetch_all(sqlite.store.sqlite_pool().unwrap())
    .await
    .unwrap();
    let pg_columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx_%'
         ORDER BY 1, 2",
    )
    .fetch_all(pg.store.postgres_pool().unwrap())
    .await
    .unwrap();
    assert!(sqlite_columns.len() > 100, "read SQLite's columns");
    let only = |a: &[(String, String)], b: &[(String, String)]| {
        a.iter()
            .filter(|c| !b.contains(c))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        only(&sqlite_columns, &pg_columns),
        [],
        "columns only on SQLite"
    );
    // SQLite's rowid is the order list's arrival mark; PostgreSQL needs a column for it.
    assert_eq!(
        only(&pg_columns, &sqlite_columns),
        [("orders".to_owned(), "arrival".to_owned())],
        "columns only on PostgreSQL"
    );
}

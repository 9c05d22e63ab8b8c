//! The throwaway cluster against itself: it starts, takes connections on loopback, and row
//! claims with `FOR UPDATE SKIP LOCKED` — what the team server's instances will claim webhook
//! deliveries with (issue 25 §3) — hand each row to one session only, even when two sessions
//! claim at the same time.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use mizan_pgtest::{PgTestError, TempCluster, required};
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection, Row};

fn cluster() -> Option<TempCluster> {
    match TempCluster::start() {
        Ok(c) => Some(c),
        Err(PgTestError::NotInstalled) if !required() => {
            eprintln!(
                "skipped: PostgreSQL is not installed (MIZAN_REQUIRE_POSTGRES=1 fails instead)"
            );
            None
        }
        Err(e) => panic!("no PostgreSQL cluster: {e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sessions_claiming_at_once_never_get_the_same_row() {
    let Some(pg) = cluster() else { return };
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .connect(&pg.url("postgres"))
        .await
        .unwrap();
    sqlx::query("CREATE TABLE inbox (id BIGSERIAL PRIMARY KEY, state TEXT NOT NULL, owner TEXT)")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO inbox (state) SELECT 'pending' FROM generate_series(1, 200)")
        .execute(&pool)
        .await
        .unwrap();

    // Two "instances", each claiming one row at a time until none is left.
    let claim = |name: &'static str| {
        let url = pg.url("postgres");
        async move {
            let mut conn = PgConnection::connect(&url).await.unwrap();
            let mut mine = Vec::new();
            loop {
                let mut tx = conn.begin().await.unwrap();
                let row = sqlx::query(
                    "SELECT id FROM inbox WHERE state = 'pending' ORDER BY id
                     LIMIT 1 FOR UPDATE SKIP LOCKED",
                )
                .fetch_optional(&mut *tx)
                .await
                .unwrap();
                let Some(row) = row else { break };
                let id: i64 = row.get("id");
                sqlx::query("UPDATE inbox SET state = 'processed', owner = $1 WHERE id = $2")
                    .bind(name)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                mine.push(id);
            }
            mine
        }
    };
    let (a, b) = tokio::join!(claim("a"), claim("b"));
    let mut all: Vec<i64> = a.iter().chain(&b).copied().collect();
    all.sort_unstable();
    let before = all.len();
    all.dedup();
    assert_eq!(before, all.len(), "a row was claimed twice");
    assert_eq!(
        all,
        (1..=200).collect::<Vec<i64>>(),
        "every row claimed once"
    );
    let left: i64 = sqlx::query("SELECT COUNT(*) AS n FROM inbox WHERE state = 'pending'")
        .fetch_one(&pool)
        .await
        .unwrap()
        .get("n");
    assert_eq!(left, 0);
    pool.close().await;
}

#[test]
fn the_cluster_listens_on_loopback_and_is_gone_after_drop() {
    let Some(pg) = cluster() else { return };
    let port = pg.port();
    let path = pg.path().to_path_buf();
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
    drop(pg);
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "stopped"
    );
    assert!(!path.exists(), "removed");
}

//! Audit chain verification against a real SQLite file tampered with the way an attacker with
//! file access would: drop the append-only triggers, then edit, delete or insert rows.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use mizan_core::audit::{self, AuditRecord, Breach, ChainBreak, entry_hash};
use mizan_core::environment::Environment;
use mizan_core::store::Store;
use mizan_core::store::audit as audit_store;
use sqlx::Connection as _;

async fn chain_of(n: usize) -> (tempfile::TempDir, PathBuf, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mizan.db");
    let store = Store::open(&path).await.unwrap();
    for i in 1..=n {
        let env = if i % 2 == 0 {
            Environment::Production
        } else {
            Environment::Sandbox
        };
        audit::record(
            &store,
            AuditRecord {
                env,
                actor: "نورة".into(),
                action: "capture".into(),
                subject: format!("order-{i}"),
                request_summary: Some(format!("capture {i}.00 SAR")),
                result: "succeeded".into(),
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    }
    (dir, path, store)
}

/// Runs SQL on the file through a connection of its own, triggers dropped first.
async fn tamper(path: &Path, sql: &[&str]) {
    let url = format!("sqlite://{}", path.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    for s in [
        "DROP TRIGGER IF EXISTS audit_log_no_update",
        "DROP TRIGGER IF EXISTS audit_log_no_delete",
    ]
    .iter()
    .chain(sql)
    {
        sqlx::query(sqlx::AssertSqlSafe(s.to_string()))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    conn.close().await.unwrap();
}

async fn first_break(store: &Store) -> ChainBreak {
    let report = audit::verify(store, chrono::Utc::now()).await.unwrap();
    assert!(!report.is_intact(), "tampering went unnoticed: {report:?}");
    report.broken.unwrap()
}

#[tokio::test]
async fn an_intact_chain_verifies_and_records_its_head() {
    let (_dir, _path, store) = chain_of(6).await;
    let report = audit::verify(&store, chrono::Utc::now()).await.unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.verified, 6);
    let head = report.head.unwrap();
    assert_eq!(head.seq, 6);
    assert!(report.checkpoint.is_none(), "first verification");
    let again = audit::verify(&store, chrono::Utc::now()).await.unwrap();
    assert!(again.is_intact());
    assert_eq!(again.checkpoint.unwrap(), head, "the head was recorded");

    let (_d, _p, empty) = chain_of(0).await;
    let report = audit::verify(&empty, chrono::Utc::now()).await.unwrap();
    assert!(report.is_intact() && report.verified == 0 && report.head.is_none());
}

#[tokio::test]
async fn an_edited_row_is_named() {
    let (_dir, path, store) = chain_of(6).await;
    tamper(
        &path,
        &["UPDATE audit_log SET result = 'failed' WHERE seq = 3"],
    )
    .await;
    let b = first_break(&store).await;
    assert_eq!((b.seq, &b.breach), (3, &Breach::Edited), "{}", b.describe());
    assert!(
        b.describe().contains("entry 3 was edited"),
        "{}",
        b.describe()
    );
}

#[tokio::test]
async fn an_edit_with_a_recomputed_hash_breaks_the_next_link() {
    let (_dir, path, store) = chain_of(6).await;
    let mut row = audit_store::list_chain(&store, 10, 2)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(row.seq, 3);
    row.subject = "order-999".into();
    let forged = entry_hash(&row);
    tamper(
        &path,
        &[&format!(
            "UPDATE audit_log SET subject = 'order-999', hash = '{forged}' WHERE seq = 3"
        )],
    )
    .await;
    let b = first_break(&store).await;
    assert_eq!(
        (b.seq, &b.breach),
        (4, &Breach::Unlinked),
        "{}",
        b.describe()
    );
}

#[tokio::test]
async fn a_deleted_row_is_named_by_its_seq() {
    let (_dir, path, store) = chain_of(6).await;
    tamper(&path, &["DELETE FROM audit_log WHERE seq = 3"]).await;
    let b = first_break(&store).await;
    assert_eq!(
        (b.seq, &b.breach),
        (3, &Breach::Missing { next_present: 4 })
    );
    assert!(
        b.describe().contains("entry 3 is missing"),
        "{}",
        b.describe()
    );

    let (_dir, path, store) = chain_of(6).await;
    tamper(&path, &["DELETE FROM audit_log WHERE seq IN (2, 3)"]).await;
    let b = first_break(&store).await;
    assert_eq!(
        (b.seq, &b.breach),
        (2, &Breach::Missing { next_present: 4 })
    );
    assert!(b.describe().contains("entries 2 to 3"), "{}", b.describe());
}

#[tokio::test]
async fn an_inserted_row_is_caught_even_with_a_well_formed_hash() {
    let (_dir, path, store) = chain_of(6).await;
    // Make room at seq 3 (two steps, so the primary key never collides), then insert a row
    // that links to entry 2 and hashes correctly: only its successor can tell.
    let prev = audit_store::list_chain(&store, 1, 1)
        .await
        .unwrap()
        .remove(0);
    let mut forged = prev.clone();
    forged.seq = 3;
    forged.subject = "order-forged".into();
    forged.prev_hash = prev.hash.clone();
    forged.hash = entry_hash(&forged);
    let insert = format!(
        "INSERT INTO audit_log (seq, environment, at, os_user, operator, action, subject,
            request_summary, result, prev_hash, hash)
         SELECT 3, environment, at, os_user, operator, action, 'order-forged', request_summary,
            result, '{}', '{}' FROM audit_log WHERE seq = 2",
        forged.prev_hash, forged.hash
    );
    tamper(
        &path,
        &[
            "UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 3",
            "UPDATE audit_log SET seq = seq - 999 WHERE seq >= 1000",
            &insert,
        ],
    )
    .await;
    let b = first_break(&store).await;
    assert_eq!(
        (b.seq, &b.breach),
        (4, &Breach::Unlinked),
        "{}",
        b.describe()
    );
    assert!(b.describe().contains("inserted"), "{}", b.describe());

    // An appended row with a made-up hash is an edit of its own.
    let (_dir, path, store) = chain_of(3).await;
    tamper(
        &path,
        &[
            "INSERT INTO audit_log (seq, environment, at, os_user, operator, action, subject,
              result, prev_hash, hash)
           SELECT 4, environment, at, os_user, operator, 'refund', subject, result, hash,
              'f00d' FROM audit_log WHERE seq = 3",
        ],
    )
    .await;
    let b = first_break(&store).await;
    assert_eq!((b.seq, &b.breach), (4, &Breach::Edited));
}

#[tokio::test]
async fn a_cut_tail_is_caught_against_the_last_verified_head() {
    let (_dir, path, store) = chain_of(6).await;
    assert!(
        audit::verify(&store, chrono::Utc::now())
            .await
            .unwrap()
            .is_intact()
    );
    tamper(&path, &["DELETE FROM audit_log WHERE seq >= 5"]).await;
    let b = first_break(&store).await;
    assert_eq!(
        (b.seq, &b.breach),
        (5, &Breach::Truncated { verified_seq: 6 })
    );
    assert!(
        b.describe().contains("newest entries were deleted"),
        "{}",
        b.describe()
    );

    // Rewriting the verified head (and everything behind it) is caught too.
    let (_dir, path, store) = chain_of(2).await;
    assert!(
        audit::verify(&store, chrono::Utc::now())
            .await
            .unwrap()
            .is_intact()
    );
    let mut rows = audit_store::list_chain(&store, 10, 0).await.unwrap();
    rows[1].result = "failed".into();
    rows[1].hash = entry_hash(&rows[1]);
    tamper(
        &path,
        &[&format!(
            "UPDATE audit_log SET result = 'failed', hash = '{}' WHERE seq = 2",
            rows[1].hash
        )],
    )
    .await;
    let b = first_break(&store).await;
    assert_eq!((b.seq, &b.breach), (2, &Breach::Rewritten));
}

#[tokio::test]
async fn verification_does_not_pass_after_a_break_is_found() {
    // A broken chain must not move the checkpoint: the next run still fails.
    let (_dir, path, store) = chain_of(4).await;
    tamper(
        &path,
        &["UPDATE audit_log SET operator = 'x' WHERE seq = 2"],
    )
    .await;
    let first = first_break(&store).await;
    let second = first_break(&store).await;
    assert_eq!(first, second);
    assert_eq!(first.seq, 2);
}

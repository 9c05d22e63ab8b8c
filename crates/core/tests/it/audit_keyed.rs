//! The keyed audit chain against an attacker who can write the database but not read the key:
//! rows rewritten with every hash recomputed, a forged row, a cut tail, dropped triggers, a
//! forged checkpoint — each caught by the signed checkpoints, where the unkeyed walk (whose own
//! checkpoint lives in the database) is fooled. Also: a wrong key, adoption and rotation. Keys
//! come from key files; no keychain is needed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use mizan_core::ErrorCode;
use mizan_core::audit::checkpoint::{self, EVERY};
use mizan_core::audit::key::AuditKey;
use mizan_core::audit::{
    self, AuditKeys, AuditRecord, Breach, GENESIS_HASH, KeySource, SignedReport, entry_hash,
};
use mizan_core::environment::Environment;
use mizan_core::store::Store;
use mizan_core::store::audit as audit_store;
use sqlx::Connection as _;

struct Fixture {
    dir: tempfile::TempDir,
    db: PathBuf,
    store: Store,
    keys: AuditKeys,
}

async fn record(store: &Store, i: usize) {
    audit::record(
        store,
        AuditRecord {
            env: Environment::Sandbox,
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

/// A store with `n` entries and a key file (created 0600 on first use).
async fn fixture(n: usize) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mizan.db");
    let store = Store::open(&db).await.unwrap();
    for i in 1..=n {
        record(&store, i).await;
    }
    let (keys, created) = KeySource::File(dir.path().join("audit.key"))
        .load_or_create()
        .unwrap();
    assert!(created);
    Fixture {
        dir,
        db,
        store,
        keys,
    }
}

impl Fixture {
    async fn verify(&self) -> SignedReport {
        audit::verify_signed(&self.store, &self.keys, false, chrono::Utc::now())
            .await
            .unwrap()
    }

    /// The unkeyed walk: what `mizan audit verify` trusted before.
    async fn unkeyed_is_intact(&self) -> bool {
        audit::verify(&self.store, chrono::Utc::now())
            .await
            .unwrap()
            .is_intact()
    }
}

/// Runs SQL on the file through a connection of its own, as someone with file access would.
async fn tamper(path: &Path, sql: &[String]) {
    let url = format!("sqlite://{}", path.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    for s in sql {
        sqlx::query(sqlx::AssertSqlSafe(s.clone()))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    conn.close().await.unwrap();
}

fn drop_triggers() -> Vec<String> {
    vec![
        "DROP TRIGGER IF EXISTS audit_log_no_update".into(),
        "DROP TRIGGER IF EXISTS audit_log_no_delete".into(),
        // The unkeyed checkpoint lives in the same file: the attacker removes it too.
        "DELETE FROM settings WHERE key = 'audit.verified_head'".into(),
    ]
}

/// Rewrites the chain from `from` with `edit` applied to that row and every hash after it
/// recomputed, so the chain alone is consistent again.
async fn rewrite_from(f: &Fixture, from: i64, edit: impl Fn(&mut audit_store::AuditEntry)) {
    let mut rows = audit_store::list_chain(&f.store, 10_000, 0).await.unwrap();
    let mut sql = drop_triggers();
    sql.push("DELETE FROM audit_log".into());
    let mut prev = GENESIS_HASH.to_owned();
    for r in &mut rows {
        if r.seq == from {
            edit(r);
        }
        r.prev_hash.clone_from(&prev);
        r.hash = entry_hash(r);
        prev.clone_from(&r.hash);
        sql.push(insert_sql(r));
    }
    tamper(&f.db, &sql).await;
}

fn insert_sql(r: &audit_store::AuditEntry) -> String {
    let q = |t: &str| format!("'{}'", t.replace('\'', "''"));
    format!(
        "INSERT INTO audit_log (seq, environment, at, os_user, operator, action, subject,
            request_summary, result, prev_hash, hash)
         VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
        r.seq,
        q(r.environment.as_str()),
        q(&r.at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)),
        q(&r.os_user),
        q(&r.operator),
        q(&r.action),
        q(&r.subject),
        r.request_summary
            .as_deref()
            .map_or_else(|| "NULL".to_owned(), q),
        q(&r.result),
        q(&r.prev_hash),
        q(&r.hash)
    )
}

#[tokio::test]
async fn rewriting_a_row_and_recomputing_every_hash_is_caught() {
    let f = fixture(6).await;
    assert!(f.verify().await.is_intact());
    rewrite_from(&f, 3, |r| r.result = "failed".into()).await;
    assert!(f.unkeyed_is_intact().await, "the unkeyed walk is fooled");
    let report = f.verify().await;
    let b = report.broken.expect("rewrite caught");
    assert_eq!(
        (b.seq, &b.breach),
        (6, &Breach::Rewritten),
        "{}",
        b.describe()
    );
    assert!(
        report.written.is_none(),
        "nothing signed over a broken chain"
    );
}

#[tokio::test]
async fn a_cut_tail_is_caught() {
    let f = fixture(6).await;
    assert!(f.verify().await.is_intact());
    let mut sql = drop_triggers();
    sql.push("DELETE FROM audit_log WHERE seq >= 5".into());
    tamper(&f.db, &sql).await;
    assert!(f.unkeyed_is_intact().await, "the unkeyed walk is fooled");
    let b = f.verify().await.broken.expect("cut caught");
    assert_eq!(
        (b.seq, &b.breach),
        (5, &Breach::Truncated { verified_seq: 6 })
    );
}

#[tokio::test]
async fn a_forged_row_is_caught_and_so_is_a_forged_checkpoint() {
    let f = fixture(4).await;
    assert!(f.verify().await.is_intact());
    // A row slipped in after entry 2, the rest renumbered and rehashed: a consistent chain.
    let rows = audit_store::list_chain(&f.store, 100, 0).await.unwrap();
    let mut forged = rows[1].clone();
    forged.subject = "order-forged".into();
    let mut all = vec![rows[0].clone(), rows[1].clone(), forged];
    all.extend(rows[2..].iter().cloned());
    let mut sql = drop_triggers();
    sql.push("DELETE FROM audit_log".into());
    let mut prev = GENESIS_HASH.to_owned();
    for (i, r) in all.iter_mut().enumerate() {
        r.seq = i64::try_from(i).unwrap() + 1;
        r.prev_hash.clone_from(&prev);
        r.hash = entry_hash(r);
        prev.clone_from(&r.hash);
        sql.push(insert_sql(r));
    }
    // And a checkpoint claiming the forged head, with a MAC made up without the key.
    sql.push(format!(
        "INSERT INTO audit_checkpoints (seq, head_hash, entry_count, at, reason, key_id, mac)
         VALUES (5, '{prev}', 5, '2030-01-01T00:00:00.000000000Z', 'verify', '{}', '{}')",
        f.keys.current().id(),
        "ab".repeat(32)
    ));
    tamper(&f.db, &sql).await;
    assert!(f.unkeyed_is_intact().await, "the unkeyed walk is fooled");
    let b = f.verify().await.broken.expect("forgery caught");
    assert_eq!(
        (b.seq, &b.breach),
        (4, &Breach::Rewritten),
        "{}",
        b.describe()
    );

    // The forged checkpoint alone, over an untouched chain, is named as such.
    let f = fixture(2).await;
    assert!(f.verify().await.is_intact());
    let head = audit_store::last(&f.store).await.unwrap().unwrap();
    tamper(
        &f.db,
        &[format!(
            "INSERT INTO audit_checkpoints (seq, head_hash, entry_count, at, reason, key_id, mac)
             VALUES (2, '{}', 2, '2030-01-01T00:00:00.000000000Z', 'verify', '{}', '{}')",
            head.hash,
            f.keys.current().id(),
            "cd".repeat(32)
        )],
    )
    .await;
    let b = f.verify().await.broken.expect("forged checkpoint caught");
    assert!(
        matches!(b.breach, Breach::CheckpointForged { .. }),
        "{}",
        b.describe()
    );
    assert_eq!(b.kind(), "checkpoint_forged");
}

#[tokio::test]
async fn dropping_the_triggers_then_editing_is_caught() {
    let f = fixture(5).await;
    assert!(f.verify().await.is_intact());
    tamper(&f.db, &drop_triggers()).await;
    // Without triggers the chain still verifies: verification never relied on them.
    record(&f.store, 6).await;
    assert!(f.verify().await.is_intact());
    let mut sql = vec!["UPDATE audit_log SET operator = 'someone else' WHERE seq = 2".to_owned()];
    let mut rows = audit_store::list_chain(&f.store, 100, 0).await.unwrap();
    rows[1].operator = "someone else".into();
    let mut prev = rows[0].hash.clone();
    for r in &mut rows[1..] {
        r.prev_hash.clone_from(&prev);
        r.hash = entry_hash(r);
        prev.clone_from(&r.hash);
        sql.push(format!(
            "UPDATE audit_log SET prev_hash = '{}', hash = '{}' WHERE seq = {}",
            r.prev_hash, r.hash, r.seq
        ));
    }
    tamper(&f.db, &sql).await;
    let b = f.verify().await.broken.expect("edit caught");
    assert_eq!(
        (b.seq, &b.breach),
        (5, &Breach::Rewritten),
        "{}",
        b.describe()
    );
}

#[tokio::test]
async fn a_wrong_key_is_reported_as_such() {
    let f = fixture(3).await;
    assert!(f.verify().await.is_intact());
    let other = AuditKeys::single(AuditKey::generate().unwrap());
    let e = audit::verify_signed(&f.store, &other, false, chrono::Utc::now())
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::AuditKeyWrong, "{e}");
    let text = e.to_string();
    assert!(text.contains(other.current().id()) && text.contains(f.keys.current().id()));
    let key_file = std::fs::read_to_string(f.dir.path().join("audit.key")).unwrap();
    assert!(
        !text.contains(key_file.trim()),
        "the key leaked into an error"
    );
    let stored = audit::checkpoint::list(&f.store).await.unwrap();
    assert_eq!(stored.len(), 1, "a wrong key signs nothing");
    for c in &stored {
        assert!(
            !format!("{c:?}").contains(key_file.trim()),
            "the key is in the database"
        );
    }
}

#[tokio::test]
async fn an_existing_chain_is_adopted_and_the_report_says_from_where() {
    let f = fixture(4).await;
    let first = f.verify().await;
    let adopted = first.written.clone().expect("a first checkpoint");
    assert_eq!((adopted.reason.as_str(), adopted.seq), ("adopt", 4));
    assert_eq!(first.covered_from, Some(adopted.clone()));
    let again = f.verify().await;
    assert!(
        again.written.is_none(),
        "an unchanged head is not signed twice"
    );
    record(&f.store, 5).await;
    let later = f.verify().await;
    assert_eq!(
        later.covered_from,
        Some(adopted),
        "coverage starts at adoption"
    );
    assert_eq!(later.written.unwrap().reason, "verify");

    // An empty chain is adopted at entry 0 and every entry is then written under the key.
    let empty = fixture(0).await;
    let r = empty.verify().await;
    assert_eq!(r.written.unwrap().seq, 0);
    record(&empty.store, 1).await;
    assert!(empty.verify().await.is_intact());
}

#[tokio::test]
async fn rotation_keeps_old_checkpoints_verifiable() {
    let f = fixture(3).await;
    assert!(f.verify().await.is_intact());
    let source = KeySource::File(f.dir.path().join("audit.key"));
    let save = |ring: AuditKeys| {
        let r = source.store(&ring).map(|()| ring);
        async move { r }
    };
    let (report, rotated) = checkpoint::rotate(&f.store, &f.keys, save, chrono::Utc::now())
        .await
        .unwrap();
    assert!(report.is_intact());
    let rotated = rotated.unwrap();
    let (reloaded, created) = source.load_or_create().unwrap();
    assert!(!created);
    assert_eq!(reloaded.current().id(), rotated.current().id());
    assert_ne!(rotated.current().id(), f.keys.current().id());
    assert!(
        reloaded.by_id(f.keys.current().id()).is_some(),
        "old key kept"
    );

    let rows = checkpoint::list(&f.store).await.unwrap();
    let summary: Vec<(&str, i64, &str)> = rows
        .iter()
        .map(|c| (c.reason.as_str(), c.seq, c.key_id.as_str()))
        .collect();
    let (old, new) = (f.keys.current().id(), rotated.current().id());
    assert_eq!(
        summary,
        [
            ("adopt", 3, old),
            ("rotate-old", 3, old),
            ("rotate-new", 3, new)
        ]
    );
    record(&f.store, 4).await;
    let r = audit::verify_signed(&f.store, &reloaded, false, chrono::Utc::now())
        .await
        .unwrap();
    assert!(r.is_intact(), "{:?}", r.broken);
    assert_eq!(r.checkpoints, 3, "old checkpoints still check");
    assert_eq!(r.written.unwrap().key_id, new);

    // And they still catch tampering below them.
    let g = Fixture {
        keys: reloaded,
        ..f
    };
    rewrite_from(&g, 1, |r| r.subject = "order-x".into()).await;
    assert!(!g.verify().await.is_intact());
}

#[tokio::test]
async fn a_checkpoint_comes_every_hundred_entries_over_a_checked_stretch() {
    let f = fixture(0).await;
    assert_eq!(f.verify().await.written.unwrap().seq, 0);
    let n = usize::try_from(EVERY).unwrap();
    for i in 1..n {
        record(&f.store, i).await;
    }
    let now = chrono::Utc::now();
    assert!(
        checkpoint::checkpoint_if_due(&f.store, &f.keys, now)
            .await
            .unwrap()
            .is_none()
    );
    record(&f.store, n).await;
    let c = checkpoint::checkpoint_if_due(&f.store, &f.keys, now)
        .await
        .unwrap();
    assert_eq!(
        c.map(|c| (c.seq, c.reason)),
        Some((EVERY, "periodic".into()))
    );

    // A stretch edited since the last checkpoint is not signed.
    for i in 1..=n {
        record(&f.store, n + i).await;
    }
    let mut sql = drop_triggers();
    sql.push(format!(
        "UPDATE audit_log SET result = 'x' WHERE seq = {}",
        EVERY + 3
    ));
    tamper(&f.db, &sql).await;
    assert!(
        checkpoint::checkpoint_if_due(&f.store, &f.keys, now)
            .await
            .unwrap()
            .is_none()
    );
}

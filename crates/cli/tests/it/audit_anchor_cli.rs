//! `mizan audit verify --anchor`: a head noted off the machine catches what the key alone
//! cannot — a chain cut and re-adopted by someone who holds the key and the database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use sqlx::Connection as _;

use crate::export_cli::{Data, text};

#[tokio::test(flavor = "multi_thread")]
async fn an_anchor_catches_a_chain_cut_and_resigned_with_the_key() {
    let d = Data::seeded().await;
    for _ in 0..3 {
        let out = d.mizan(&["export", "orders", "-o", d.path("o.csv").to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let out = d.mizan(&["--json", "audit", "verify"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let anchor = d.path("anchor.json");
    std::fs::write(&anchor, &out.stdout).unwrap();
    let listed = d.path("checkpoints.json");
    let out = d.mizan(&["--json", "audit", "checkpoints"]);
    std::fs::write(&listed, &out.stdout).unwrap();

    let out = d.mizan(&["audit", "verify", "--anchor", anchor.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("Anchor: all 1 noted head(s) are in the chain"),
        "{}",
        text(&out.stdout)
    );

    // Someone with the database and the key: cut the newest entries, drop every checkpoint,
    // and let verification adopt the shorter chain as found.
    let url = format!("sqlite://{}", d.path("mizan.db").display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    for sql in [
        "DROP TRIGGER audit_log_no_delete",
        "DELETE FROM audit_log WHERE seq >= 3",
        "DELETE FROM audit_checkpoints",
        "DELETE FROM settings WHERE key = 'audit.verified_head'",
    ] {
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    }
    conn.close().await.unwrap();
    let out = d.mizan(&["audit", "verify"]);
    assert!(
        out.status.success(),
        "the key alone is fooled: {}",
        text(&out.stderr)
    );

    for file in [&anchor, &listed] {
        let out = d.mizan(&[
            "--json",
            "audit",
            "verify",
            "--anchor",
            file.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["first_broken"]["kind"], "truncated", "{report}");
        assert_eq!(report["first_broken"]["seq"], 3, "{report}");
        let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
        assert_eq!(err["error"]["code"], "audit_chain_broken");
    }
    let before = std::fs::read(d.path("mizan.db")).unwrap().len();

    // An anchor that is not one is a usage error, never "nothing to check".
    std::fs::write(d.path("bad.json"), "{\"head\": null}").unwrap();
    let out = d.mizan(&[
        "audit",
        "verify",
        "--anchor",
        d.path("bad.json").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("names no head"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(d.path("mizan.db")).unwrap().len(), before);
}

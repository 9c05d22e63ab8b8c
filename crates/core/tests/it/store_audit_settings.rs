//! The append-only audit log and the settings table on a real SQLite file.

// Test helpers outside #[test] fns panic on setup failure by design.
#![allow(clippy::unwrap_used)]

use crate::backends;
use chrono::{Duration, TimeZone, Utc};
use mizan_core::environment::Environment::{self, Production, Sandbox};
use mizan_core::store::audit::{self, AuditEntry};
use mizan_core::store::settings::{self, SettingScope};

fn entry(seq: i64, env: Environment, prev_hash: &str) -> AuditEntry {
    AuditEntry {
        seq,
        environment: env,
        at: Utc.with_ymd_and_hms(2024, 6, 1, 10, 0, 0).unwrap() + Duration::seconds(seq),
        os_user: "sara".to_owned(),
        operator: "Sara".to_owned(),
        action: "capture".to_owned(),
        subject: format!("order o-{seq}"),
        request_summary: Some("capture 10.005 KWD".to_owned()),
        result: "succeeded".to_owned(),
        prev_hash: prev_hash.to_owned(),
        hash: format!("h{seq}"),
    }
}

#[tokio::test]
async fn entries_append_in_a_gapless_linked_sequence() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        assert!(audit::last(&store).await.unwrap().is_none());
        assert_eq!(
            audit::append(&store, &entry(1, Sandbox, "genesis"))
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            audit::append(&store, &entry(2, Production, "h1"))
                .await
                .unwrap(),
            2
        );
        assert_eq!(
            audit::append(&store, &entry(3, Sandbox, "h2"))
                .await
                .unwrap(),
            3
        );
        assert_eq!(
            audit::last(&store).await.unwrap(),
            Some(entry(3, Sandbox, "h2"))
        );

        for (bad, why) in [
            (entry(3, Sandbox, "h2"), "seq reused"),
            (entry(5, Sandbox, "h3"), "gap in seq"),
            (entry(4, Sandbox, "not-h3"), "prev_hash does not link"),
            (entry(0, Sandbox, ""), "seq below 1"),
        ] {
            let err = audit::append(&store, &bad).await.unwrap_err();
            assert_eq!(err.code(), "store_conflict", "{why}: {err}");
        }
        let n = b.scalar("SELECT COUNT(*) FROM audit_log").await;
        assert_eq!(n, 3, "refused appends leave nothing behind");

        let sandbox = audit::list(&store, Sandbox, 10, 0).await.unwrap();
        assert_eq!(sandbox.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 3]);
        assert_eq!(
            audit::list(&store, Sandbox, 10, 1).await.unwrap().len(),
            1,
            "after_seq"
        );
        let chain = audit::list_chain(&store, 10, 0).await.unwrap();
        assert_eq!(chain.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);
        assert!(chain.windows(2).all(|w| w[1].prev_hash == w[0].hash));
    }
}

#[tokio::test]
async fn the_database_refuses_to_rewrite_or_delete_audit_rows() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        audit::append(&store, &entry(1, Sandbox, "genesis"))
            .await
            .unwrap();
        let update = b.execute("UPDATE audit_log SET result = 'forged'").await;
        assert!(update.unwrap_err().to_string().contains("append-only"));
        let delete = b.execute("DELETE FROM audit_log").await;
        assert!(delete.unwrap_err().to_string().contains("append-only"));
        assert_eq!(
            audit::last(&store).await.unwrap(),
            Some(entry(1, Sandbox, "genesis"))
        );
    }
}

#[tokio::test]
async fn settings_are_scoped_globally_or_per_environment() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let sandbox = SettingScope::Env(Sandbox);
        let prod = SettingScope::Env(Production);
        settings::set(
            &store,
            SettingScope::Global,
            "active_environment",
            "sandbox",
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        settings::set(&store, sandbox, "auto_authorise", "on", chrono::Utc::now())
            .await
            .unwrap();
        settings::set(&store, prod, "auto_authorise", "off", chrono::Utc::now())
            .await
            .unwrap();
        settings::set(&store, sandbox, "auto_authorise", "off", chrono::Utc::now())
            .await
            .unwrap();

        assert_eq!(
            settings::get(&store, sandbox, "auto_authorise")
                .await
                .unwrap()
                .as_deref(),
            Some("off")
        );
        assert_eq!(
            settings::get(&store, prod, "auto_authorise")
                .await
                .unwrap()
                .as_deref(),
            Some("off")
        );
        assert_eq!(
            settings::get(&store, SettingScope::Global, "auto_authorise")
                .await
                .unwrap(),
            None
        );
        let listed = settings::list(&store, sandbox).await.unwrap();
        assert_eq!(listed.len(), 1, "overwriting keeps one row");
        assert_eq!(
            (listed[0].key.as_str(), listed[0].value.as_str()),
            ("auto_authorise", "off")
        );

        assert!(
            settings::remove(&store, sandbox, "auto_authorise")
                .await
                .unwrap()
        );
        assert!(
            !settings::remove(&store, sandbox, "auto_authorise")
                .await
                .unwrap()
        );
        assert_eq!(
            settings::get(&store, prod, "auto_authorise")
                .await
                .unwrap()
                .as_deref(),
            Some("off")
        );
    }
}

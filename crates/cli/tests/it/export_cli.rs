//! `mizan export …` and `mizan audit …` through the real binary on a real store file: exit
//! statuses, specific errors, files that appear only when complete, stdout kept clean for
//! CSV, and a tampered audit chain caught.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

use chrono::{DateTime, Utc};
use mizan_core::environment::Environment::Sandbox;
use mizan_core::money::{Currency, Money};
use mizan_core::store::Store;
use mizan_core::store::ledger::{self, LedgerKind, LedgerSource, ObservedMove};
use mizan_core::store::orders::{self, OrderRecord};
use sqlx::Connection as _;

const TOKEN: &str = "cli-export-token-SECRET-0000";

pub(crate) struct Data {
    dir: tempfile::TempDir,
}

impl Data {
    /// A data directory whose store holds one SAR order with a capture and a refund.
    pub(crate) async fn seeded() -> Data {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("mizan.db")).await.unwrap();
        let sar = |t: &str| Money::parse(t, Currency::Sar).unwrap();
        let t = DateTime::parse_from_rfc3339("2024-05-31T20:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        orders::upsert(
            &store,
            &OrderRecord {
                environment: Sandbox,
                order_id: "o-1".into(),
                order_reference_id: "REF-1".into(),
                order_number: None,
                status: "fully_captured".into(),
                payment_type: Some("PAY_NOW".into()),
                instalments: None,
                total: sar("50"),
                authorised: sar("50"),
                captured: sar("50"),
                refunded: sar("0"),
                canceled: sar("0"),
                paid: sar("50"),
                customer_name: Some("سارة".into()),
                customer_phone: None,
                customer_email: None,
                country_code: Some("SA".into()),
                settlement_status: None,
                settlement_date: None,
                description: None,
                created_at: t,
                updated_at: t,
                last_synced_at: None,
                raw_json: None,
            },
        )
        .await
        .unwrap();
        for (kind, id, amount) in [
            (LedgerKind::Capture, "cap-1", "50"),
            (LedgerKind::Refund, "ref-1", "12.5"),
        ] {
            ledger::upsert_observed(
                &store,
                &ObservedMove {
                    environment: Sandbox,
                    order_id: "o-1".into(),
                    kind,
                    gateway_id: id.into(),
                    amount: sar(amount),
                    source: LedgerSource::Webhook,
                    actor: "webhook".into(),
                    comment: Some("تم".into()),
                    occurred_at: t,
                },
                chrono::Utc::now(),
            )
            .await
            .unwrap();
        }
        store.close().await;
        Data { dir }
    }

    pub(crate) fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `mizan ARGS` with a clean environment, a token that must never show, an Arabic
    /// operator name and the audit key in a file of the data directory.
    pub(crate) fn mizan(&self, args: &[&str]) -> Output {
        self.mizan_keyed(args, &self.path("audit.key"))
    }

    fn mizan_keyed(&self, args: &[&str], key_file: &Path) -> Output {
        Command::new(env!("CARGO_BIN_EXE_mizan"))
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("MIZAN_DATA_DIR", self.dir.path())
            .env("MIZAN_AUDIT_KEY_FILE", key_file)
            .env("MIZAN_SANDBOX_API_TOKEN", TOKEN)
            .env("MIZAN_OPERATOR", "نورة")
            .env("USER", "ops")
            .output()
            .unwrap()
    }
}

pub(crate) fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn csv_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".csv") || n.ends_with(".partial"))
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread")]
async fn settlement_to_a_file_with_bom_and_totals() {
    let d = Data::seeded().await;
    let file = d.path("may.csv");
    let out = d.mizan(&[
        "export",
        "settlement",
        "--from",
        "2024-05-01",
        "--to",
        "2024-05-31",
        "--tz",
        "Asia/Riyadh",
        "--bom",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let summary = text(&out.stdout);
    assert!(summary.contains("Exported 2 rows"), "{summary}");
    assert!(summary.contains("may.totals.csv"), "{summary}");
    assert!(summary.contains("37.50"), "net in the summary: {summary}");
    assert!(
        text(&out.stderr).is_empty(),
        "no progress when stderr is not a terminal"
    );
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBFenvironment,order_reference_id,"));
    let csv = text(&bytes);
    assert!(csv.contains(",-12.50,-12.50,"), "{csv}");
    assert!(csv.contains("2024-05-31T23:00:00+03:00"), "{csv}");
    assert!(csv.contains("تم"), "{csv}");
    let totals = text(&std::fs::read(d.path("may.totals.csv")).unwrap());
    assert!(
        totals.contains("sandbox,SAR,succeeded,2,50.00,12.50,0.00,37.50"),
        "{totals}"
    );

    // --json summary, and --progress forces progress lines onto stderr (never stdout).
    let out = d.mizan(&[
        "--json",
        "export",
        "settlement",
        "--from",
        "2024-05-01",
        "--to",
        "2024-05-31",
        "--progress",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["rows"], 2);
    assert_eq!(v["totals"][0]["net"], "37.50");

    for f in ["may.csv", "may.totals.csv"] {
        assert!(!text(&std::fs::read(d.path(f)).unwrap()).contains(TOKEN));
    }
    assert!(!summary.contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_on_stdout_keeps_the_summary_on_stderr() {
    let d = Data::seeded().await;
    let out = d.mizan(&[
        "export",
        "settlement",
        "--from",
        "2024-05-31",
        "--to",
        "2024-05-31",
        "-o",
        "-",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    assert!(csv.starts_with("environment,"), "{csv}");
    assert_eq!(csv.lines().count(), 3, "header and two rows only: {csv}");
    assert!(text(&out.stderr).contains("Exported 2 rows to stdout"));
    assert!(
        csv_files(d.dir.path()).is_empty(),
        "no totals file for stdout"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_windows_and_zones_are_usage_errors_that_write_nothing() {
    let d = Data::seeded().await;
    let file = d.path("x.csv");
    let f = file.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "export",
                "settlement",
                "--from",
                "2024-06-01",
                "--to",
                "2024-05-01",
                "-o",
                f,
            ],
            "--from 2024-06-01 is not before --to 2024-05-01",
        ),
        (
            &[
                "export",
                "settlement",
                "--from",
                "2024-05-01",
                "--to",
                "2024-05-31",
                "--tz",
                "Riyadh",
                "-o",
                f,
            ],
            "unknown time zone \"Riyadh\"",
        ),
        (
            &[
                "export",
                "settlement",
                "--from",
                "31/05/2024",
                "--to",
                "2024-05-31",
                "-o",
                f,
            ],
            "--from \"31/05/2024\" is neither a date",
        ),
        (
            &[
                "export",
                "orders",
                "--from",
                "2024-06-01",
                "--to",
                "2024-05-01",
                "-o",
                f,
            ],
            "not before",
        ),
    ];
    for (args, expected) in cases {
        let out = d.mizan(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        let err = text(&out.stderr);
        assert!(err.contains(expected), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
    }
    let out = d.mizan(&[
        "export",
        "settlement",
        "--from",
        "2024-05-01",
        "--to",
        "2024-05-31",
    ]);
    assert_eq!(out.status.code(), Some(2), "-o is required");
    assert!(csv_files(d.dir.path()).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unwritable_target_fails_with_a_code_and_leaves_nothing() {
    let d = Data::seeded().await;
    let target = d.path("no-such-dir").join("x.csv");
    let out = d.mizan(&["--json", "export", "orders", "-o", target.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "export_write_failed");
    assert!(!target.exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn orders_and_audit_exports_and_the_audit_commands() {
    let d = Data::seeded().await;
    let orders_file = d.path("orders.csv");
    let out = d.mizan(&["export", "orders", "-o", orders_file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let orders = text(&std::fs::read(&orders_file).unwrap());
    assert!(
        orders.contains(
            "o-1,REF-1,,fully_captured,PAY_NOW,,SAR,50.00,50.00,50.00,0.00,0.00,50.00,سارة"
        ),
        "{orders}"
    );

    let audit_file = d.path("audit.csv");
    let out = d.mizan(&[
        "export",
        "audit",
        "--all-envs",
        "-o",
        audit_file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let audit = text(&std::fs::read(&audit_file).unwrap());
    assert!(
        audit.contains("ops,نورة,export.orders"),
        "who: OS user and operator: {audit}"
    );
    assert!(!audit.contains(TOKEN));

    let v: serde_json::Value =
        serde_json::from_slice(&d.mizan(&["--json", "audit", "list"]).stdout).unwrap();
    let actions: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["export.orders", "export.audit"]);
    let listed = text(&d.mizan(&["audit", "list", "--limit", "1"]).stdout);
    assert!(
        listed.contains("export.audit") && !listed.contains("export.orders"),
        "{listed}"
    );
    let out = d.mizan(&["audit", "list", "--limit", "0"]);
    assert_eq!(out.status.code(), Some(2));

    let out = d.mizan(&["audit", "verify"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("Audit chain intact: 2 entries"),
        "{}",
        text(&out.stdout)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_verify_names_the_first_broken_entry() {
    let d = Data::seeded().await;
    for _ in 0..3 {
        let out = d.mizan(&["export", "orders", "-o", d.path("o.csv").to_str().unwrap()]);
        assert!(out.status.success());
    }
    let url = format!("sqlite://{}", d.path("mizan.db").display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    for sql in [
        "DROP TRIGGER audit_log_no_update",
        "UPDATE audit_log SET operator = 'someone else' WHERE seq = 2",
    ] {
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    }
    conn.close().await.unwrap();

    let out = d.mizan(&["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("audit chain broken at entry 2: entry 2 was edited"),
        "{err}"
    );
    let out = d.mizan(&["--json", "audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["intact"], false);
    assert_eq!(report["first_broken"]["seq"], 2);
    assert_eq!(report["first_broken"]["kind"], "edited");
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "audit_chain_broken");
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_checkpoints_are_signed_exported_rotated_and_keyed() {
    use std::os::unix::fs::PermissionsExt as _;
    let d = Data::seeded().await;
    let out = d.mizan(&["export", "orders", "-o", d.path("o.csv").to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = d.mizan(&["audit", "verify"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("entries 1 to 1 were adopted"), "{said}");
    let key = std::fs::read_to_string(d.path("audit.key")).unwrap();
    let key = key.trim();
    let mode = std::fs::metadata(d.path("audit.key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    let out = d.mizan(&["audit", "rotate-key"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("Audit key rotated"),
        "{}",
        text(&out.stdout)
    );
    let out = d.mizan(&["--json", "audit", "checkpoints"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let reasons: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["adopt", "rotate-old", "rotate-new"]);
    assert_eq!(rows[0]["mac"].as_str().unwrap().len(), 64);
    let out = d.mizan(&["--json", "audit", "verify"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["checkpoints"], 3);
    assert_eq!(report["covered_from"]["reason"], "adopt");
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(!all.contains(key) && !text(&std::fs::read(d.path("mizan.db")).unwrap()).contains(key));

    // A key file others can read is refused; another key is named the wrong one.
    std::fs::set_permissions(d.path("audit.key"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = d.mizan(&["--json", "audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "audit_key_exposed");
    let out = d.mizan_keyed(&["--json", "audit", "verify"], &d.path("other.key"));
    assert_eq!(out.status.code(), Some(1));
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "audit_key_wrong", "{err}");
}

//! Export files from a real SQLite file: BOM, Arabic text, no secrets, orders and audit
//! exports, all-or-nothing writes and progress.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::export_fixture;

use std::path::PathBuf;

use export_fixture::{SECRET, find, read, seeded, settle, window};
use mizan_core::environment::Environment::Sandbox;
use mizan_core::export::{
    self, AuditExport, Destination, Format, OrdersExport, SettlementExport, Window, Zone,
};

#[tokio::test]
async fn bom_arabic_and_no_secrets() {
    let (dir, store) = seeded().await;
    let with = dir.path().join("bom.csv");
    let without = dir.path().join("plain.csv");
    settle(&store, &with, "2024-05-01", "2024-05-31", "UTC", true, true).await;
    settle(
        &store,
        &without,
        "2024-05-01",
        "2024-05-31",
        "UTC",
        true,
        false,
    )
    .await;
    let bom_bytes = std::fs::read(&with).unwrap();
    assert!(bom_bytes.starts_with(b"\xEF\xBB\xBFenvironment,"));
    assert!(
        std::fs::read(dir.path().join("bom.totals.csv"))
            .unwrap()
            .starts_with(b"\xEF\xBB\xBF")
    );
    let plain = std::fs::read(&without).unwrap();
    assert!(plain.starts_with(b"environment,"));
    assert_eq!(
        &bom_bytes[3..],
        &plain[..],
        "the BOM is the only difference"
    );
    let rows = read(&with);
    assert_eq!(find(&rows, "ref-2")["comment"], "استرجاع جزئي، طلب العميل");

    let orders_path = dir.path().join("orders.csv");
    let audit_path = dir.path().join("audit.csv");
    let (w, f) = window("2024-01-01", "2024-12-31", "UTC");
    export::orders(
        &store,
        &OrdersExport {
            environment: Sandbox,
            window: w,
            format: f,
            order_ids: None,
        },
        &Destination::File(orders_path.clone()),
        "نورة",
        chrono::Utc::now(),
        &mut |_| {},
    )
    .await
    .unwrap();
    export::audit(
        &store,
        &AuditExport {
            environment: Sandbox,
            all_environments: true,
            window: Window::parse(None, None, Zone::UTC).unwrap(),
            format: f,
        },
        &Destination::File(audit_path.clone()),
        "نورة",
        chrono::Utc::now(),
        &mut |_| {},
    )
    .await
    .unwrap();
    for p in [&with, &without, &orders_path, &audit_path] {
        let text = String::from_utf8(std::fs::read(p).unwrap()).unwrap();
        assert!(!text.contains(SECRET), "{} leaks a secret", p.display());
        assert!(
            !text.contains("Bearer"),
            "{} carries a request summary",
            p.display()
        );
    }
}

#[tokio::test]
async fn orders_and_audit_exports() {
    let (dir, store) = seeded().await;
    let path = dir.path().join("orders.csv");
    let zone = Zone::parse("Asia/Riyadh").unwrap();
    let n = export::orders(
        &store,
        &OrdersExport {
            environment: Sandbox,
            window: Window::parse(None, None, zone).unwrap(),
            format: Format { bom: false, zone },
            order_ids: None,
        },
        &Destination::File(path.clone()),
        "نورة",
        chrono::Utc::now(),
        &mut |_| {},
    )
    .await
    .unwrap();
    assert_eq!(n, 2, "sandbox orders only");
    let rows = read(&path);
    assert_eq!(rows[0].len(), export::ORDER_COLUMNS.len());
    let kwd = rows
        .iter()
        .find(|r| r["tamara_order_id"] == "o-kwd")
        .unwrap();
    assert_eq!(
        (kwd["total"].as_str(), kwd["captured"].as_str()),
        ("500.000", "100.500")
    );
    assert_eq!(kwd["customer_name"], "سارة خالد");
    assert_eq!(
        kwd["customer_phone"], "'+966500000001",
        "a phone is text, not a formula"
    );
    assert_eq!(kwd["created_local"], "2024-05-01T11:00:00+03:00");
    assert_eq!(kwd["instalments"], "3");

    // Each export above was recorded; the audit export shows them with hashes that verify.
    let (w, _) = window("2024-01-01", "2099-12-31", "UTC");
    let _ = settle(
        &store,
        &dir.path().join("s.csv"),
        "2024-05-01",
        "2024-05-31",
        "UTC",
        false,
        false,
    )
    .await;
    let audit_path = dir.path().join("audit.csv");
    let n = export::audit(
        &store,
        &AuditExport {
            environment: Sandbox,
            all_environments: false,
            window: w,
            format: Format::default(),
        },
        &Destination::File(audit_path.clone()),
        "نورة",
        chrono::Utc::now(),
        &mut |_| {},
    )
    .await
    .unwrap();
    let rows = read(&audit_path);
    assert_eq!(rows.len() as u64, n);
    assert_eq!(rows.len(), 2, "orders and settlement exports so far");
    assert_eq!(rows[0]["action"], "export.orders");
    assert_eq!(rows[1]["action"], "export.settlement");
    assert_eq!(rows[1]["operator"], "نورة");
    assert_eq!(rows[1]["result"], "ok: 6 rows");
    assert_eq!(rows[1]["prev_hash"], rows[0]["hash"]);
    assert_eq!(
        rows[1]["subject"],
        dir.path().join("s.csv").display().to_string()
    );
    assert!(
        mizan_core::audit::verify(&store, chrono::Utc::now())
            .await
            .unwrap()
            .is_intact()
    );
}

#[tokio::test]
async fn a_failed_export_leaves_no_file_and_keeps_the_old_one() {
    let (dir, store) = seeded().await;
    let path = dir.path().join("keep.csv");
    std::fs::write(&path, "an earlier export\n").unwrap();
    // A row written by something else: its amount is not a number.
    sqlx::query(
        "INSERT INTO ledger_entries (environment, order_id, kind, gateway_id, currency, amount,
            state, source, actor, occurred_at, recorded_at, updated_at)
         VALUES ('sandbox', 'o-sar', 'capture', 'bad-1', 'SAR', 'lots', 'succeeded', 'poll',
            'poll', '2024-05-31T23:00:00.000000000Z', '2024-05-31T23:00:00.000000000Z',
            '2024-05-31T23:00:00.000000000Z')",
    )
    .execute(store.sqlite_pool().unwrap())
    .await
    .unwrap();
    let (w, f) = window("2024-05-01", "2024-05-31", "UTC");
    let req = SettlementExport {
        environment: Sandbox,
        window: w,
        include_unsettled: false,
        format: f,
    };
    let err = export::settlement(
        &store,
        &req,
        &Destination::File(path.clone()),
        "x",
        chrono::Utc::now(),
        &mut |_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "store_corrupt_row", "{err}");
    assert!(err.to_string().contains("amount"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "an earlier export\n"
    );
    let left: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv" || e == "partial"))
        .collect();
    assert_eq!(
        left,
        vec![path.clone()],
        "no half file, no totals, no temp file"
    );

    // The failure is in the audit log too.
    let last = mizan_core::store::audit::last(&store)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (last.action.as_str(), last.result.as_str()),
        ("export.settlement", "failed: store_corrupt_row")
    );

    // A target directory that does not exist: a write error, nothing created.
    let nowhere = dir.path().join("missing").join("x.csv");
    let err = export::settlement(
        &store,
        &req,
        &Destination::File(nowhere.clone()),
        "x",
        chrono::Utc::now(),
        &mut |_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "export_write_failed", "{err}");
    assert!(!nowhere.exists());
}

#[tokio::test]
async fn progress_is_reported_with_the_final_count() {
    let (dir, store) = seeded().await;
    let (w, f) = window("2024-05-01", "2024-05-31", "UTC");
    let req = SettlementExport {
        environment: Sandbox,
        window: w,
        include_unsettled: false,
        format: f,
    };
    let mut seen = Vec::new();
    export::settlement(
        &store,
        &req,
        &Destination::File(dir.path().join("p.csv")),
        "x",
        chrono::Utc::now(),
        &mut |n| seen.push(n),
    )
    .await
    .unwrap();
    assert_eq!(seen.last(), Some(&6));
}

/// The list's "export selection": the same writer and columns, restricted to the chosen ids;
/// an id of another environment or not cached is simply not there.
#[tokio::test]
async fn an_orders_export_restricted_to_a_selection_writes_exactly_those_orders() {
    let (dir, store) = seeded().await;
    let zone = Zone::parse("Asia/Riyadh").unwrap();
    let export_to = async |name: &str, order_ids: Option<Vec<String>>| {
        let path = dir.path().join(name);
        let req = OrdersExport {
            environment: Sandbox,
            window: Window::parse(None, None, zone).unwrap(),
            format: Format { bom: false, zone },
            order_ids,
        };
        let dest = Destination::File(path.clone());
        let n = export::orders(&store, &req, &dest, "نورة", chrono::Utc::now(), &mut |_| {})
            .await
            .unwrap();
        (n, path)
    };
    let (all, all_path) = export_to("all.csv", None).await;
    assert_eq!(all, 2);
    let ids = ["o-kwd", "o-prod", "o-not-cached"]
        .map(String::from)
        .to_vec();
    let (n, path) = export_to("selection.csv", Some(ids)).await;
    assert_eq!(
        n, 1,
        "o-prod is another environment's, o-not-cached does not exist"
    );
    let rows = read(&path);
    assert_eq!(
        rows.iter()
            .map(|r| r["tamara_order_id"].as_str())
            .collect::<Vec<_>>(),
        ["o-kwd"]
    );
    // Byte for byte the full export's line for that order, under the same header.
    let full = std::fs::read_to_string(&all_path).unwrap();
    let chosen = std::fs::read_to_string(&path).unwrap();
    let mut lines = chosen.lines();
    assert_eq!(lines.next(), full.lines().next());
    let line = lines.next().unwrap();
    assert!(line.contains("o-kwd") && full.lines().any(|l| l == line));
    assert_eq!(lines.next(), None);
    let (none, _) = export_to("empty.csv", Some(vec![])).await;
    assert_eq!(none, 0);
}

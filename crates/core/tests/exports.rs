//! Settlement, audit and order exports from a real SQLite file, read back with a CSV parser.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use mizan_core::environment::Environment::{self, Production, Sandbox};
use mizan_core::export::{
    self, AuditExport, Destination, Format, OrdersExport, SettlementExport, Window, Zone,
};
use mizan_core::money::{Currency, Money};
use mizan_core::store::Store;
use mizan_core::store::ledger::{self, LedgerKind, LedgerSource, ObservedMove, PendingMove};
use mizan_core::store::orders::{self, OrderRecord};

const SECRET: &str = "tok_live_SECRET_7f3a";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn money(text: &str, c: Currency) -> Money {
    Money::parse(text, c).unwrap()
}

async fn order(store: &Store, env: Environment, id: &str, reference: &str, c: Currency) {
    let zero = Money::zero(c);
    orders::upsert(
        store,
        &OrderRecord {
            environment: env,
            order_id: id.into(),
            order_reference_id: reference.into(),
            order_number: Some(format!("N-{id}")),
            status: "partially_captured".into(),
            payment_type: Some("PAY_BY_INSTALMENTS".into()),
            instalments: Some(3),
            total: money("500", c),
            authorised: money("500", c),
            captured: money("100.5", c),
            refunded: zero,
            canceled: zero,
            paid: zero,
            customer_name: Some("سارة خالد".into()),
            customer_phone: Some("+966500000001".into()),
            customer_email: None,
            country_code: Some("SA".into()),
            settlement_status: Some("pending".into()),
            settlement_date: Some("2024-06-15".into()),
            description: Some("طلب تجريبي".into()),
            created_at: Utc.with_ymd_and_hms(2024, 5, 1, 8, 0, 0).unwrap(),
            updated_at: Utc.with_ymd_and_hms(2024, 5, 2, 8, 0, 0).unwrap(),
            last_synced_at: None,
            raw_json: Some(format!("{{\"token\":\"{SECRET}\"}}")),
        },
    )
    .await
    .unwrap();
}

#[allow(clippy::too_many_arguments)]
async fn observed(
    store: &Store,
    env: Environment,
    order_id: &str,
    kind: LedgerKind,
    gateway_id: &str,
    amount: Money,
    when: &str,
    comment: Option<&str>,
) {
    ledger::upsert_observed(
        store,
        &ObservedMove {
            environment: env,
            order_id: order_id.into(),
            kind,
            gateway_id: gateway_id.into(),
            amount,
            source: LedgerSource::Webhook,
            actor: "webhook".into(),
            comment: comment.map(str::to_owned),
            occurred_at: at(when),
        },
    )
    .await
    .unwrap();
}

/// Our own move through the pending → succeeded path, with a secret-looking request summary
/// (never exported).
async fn ours(
    store: &Store,
    order_id: &str,
    kind: LedgerKind,
    amount: Money,
    when: &str,
    settle: Option<&str>,
) {
    let entry = ledger::record_pending(
        store,
        &PendingMove {
            environment: Sandbox,
            order_id: order_id.into(),
            kind,
            amount,
            idempotency_ref: format!("idem-{order_id}-{kind}-{when}"),
            actor: "نورة".into(),
            comment: Some("@ops please check".into()),
            occurred_at: at(when),
            request_summary: Some(format!("Authorization: Bearer {SECRET}")),
        },
    )
    .await
    .unwrap();
    if let Some(gateway_id) = settle {
        ledger::mark_succeeded(store, entry.id, gateway_id)
            .await
            .unwrap();
    }
}

/// A store with SAR and KWD orders, their captures, refunds and cancels, around the end of
/// May in Riyadh (UTC+3), plus rows no settlement export may show.
async fn seeded() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("mizan.db")).await.unwrap();
    let (sar, kwd) = (Currency::Sar, Currency::Kwd);
    order(&store, Sandbox, "o-sar", "=HYPERLINK(\"http://x\")", sar).await;
    order(&store, Sandbox, "o-kwd", "REF-KWD-1", kwd).await;
    order(&store, Production, "o-prod", "REF-PROD", sar).await;
    // 23:59:59 on May 31 in Riyadh, and 00:00:00 on June 1 there (both May 31 in UTC).
    ours(
        &store,
        "o-sar",
        LedgerKind::Capture,
        money("100.5", sar),
        "2024-05-31T20:59:59Z",
        Some("cap-1"),
    )
    .await;
    observed(
        &store,
        Sandbox,
        "o-sar",
        LedgerKind::Refund,
        "ref-1",
        money("20.25", sar),
        "2024-05-31T21:00:00Z",
        Some("-20 بسبب التلف"),
    )
    .await;
    observed(
        &store,
        Sandbox,
        "o-sar",
        LedgerKind::Cancel,
        "can-1",
        money("5", sar),
        "2024-05-10T10:00:00Z",
        None,
    )
    .await;
    observed(
        &store,
        Sandbox,
        "o-kwd",
        LedgerKind::Capture,
        "cap-2",
        money("10.005", kwd),
        "2024-05-15T09:00:00Z",
        None,
    )
    .await;
    observed(
        &store,
        Sandbox,
        "o-kwd",
        LedgerKind::Refund,
        "ref-2",
        money("1.25", kwd),
        "2024-05-16T09:00:00Z",
        Some("استرجاع جزئي، طلب العميل"),
    )
    .await;
    observed(
        &store,
        Sandbox,
        "o-kwd",
        LedgerKind::Cancel,
        "can-2",
        money("2", kwd),
        "2024-05-17T09:00:00Z",
        None,
    )
    .await;
    // Never in a sandbox settlement export: an authorisation, a failed move, production.
    observed(
        &store,
        Sandbox,
        "o-kwd",
        LedgerKind::Authorise,
        "o-kwd",
        money("500", kwd),
        "2024-05-14T09:00:00Z",
        None,
    )
    .await;
    let failed = ledger::record_pending(
        &store,
        &PendingMove {
            environment: Sandbox,
            order_id: "o-sar".into(),
            kind: LedgerKind::Capture,
            amount: money("1", sar),
            idempotency_ref: "idem-failed".into(),
            actor: "نورة".into(),
            comment: None,
            occurred_at: at("2024-05-20T09:00:00Z"),
            request_summary: None,
        },
    )
    .await
    .unwrap();
    ledger::mark_failed(&store, failed.id, "declined")
        .await
        .unwrap();
    observed(
        &store,
        Production,
        "o-prod",
        LedgerKind::Capture,
        "cap-p",
        money("999", sar),
        "2024-05-20T09:00:00Z",
        None,
    )
    .await;
    // Pending: only with include_unsettled.
    ours(
        &store,
        "o-kwd",
        LedgerKind::Capture,
        money("3.5", kwd),
        "2024-05-18T09:00:00Z",
        None,
    )
    .await;
    (dir, store)
}

fn window(from: &str, to: &str, zone: &str) -> (Window, Format) {
    let zone = Zone::parse(zone).unwrap();
    (
        Window::parse(Some(from), Some(to), zone).unwrap(),
        Format { bom: false, zone },
    )
}

async fn settle(
    store: &Store,
    path: &Path,
    from: &str,
    to: &str,
    zone: &str,
    unsettled: bool,
    bom: bool,
) -> export::SettlementReport {
    let (window, mut format) = window(from, to, zone);
    format.bom = bom;
    let req = SettlementExport {
        environment: Sandbox,
        window,
        include_unsettled: unsettled,
        format,
    };
    export::settlement(
        store,
        &req,
        &Destination::File(path.to_owned()),
        "نورة",
        &mut |_| {},
    )
    .await
    .unwrap()
}

/// Rows as header → cell maps, BOM stripped.
fn read(path: &Path) -> Vec<HashMap<String, String>> {
    let bytes = std::fs::read(path).unwrap();
    let bytes = bytes.strip_prefix(export::sheet::BOM).unwrap_or(&bytes);
    let mut r = csv::Reader::from_reader(bytes);
    let headers: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

fn find<'a>(rows: &'a [HashMap<String, String>], id: &str) -> &'a HashMap<String, String> {
    rows.iter()
        .find(|r| r["transaction_id"] == id)
        .unwrap_or_else(|| panic!("no row {id} in {rows:#?}"))
}

#[tokio::test]
async fn settlement_rows_signs_precision_and_totals() {
    let (dir, store) = seeded().await;
    let path = dir.path().join("may.csv");
    let report = settle(
        &store,
        &path,
        "2024-05-01",
        "2024-05-31",
        "UTC",
        false,
        false,
    )
    .await;
    let rows = read(&path);
    assert_eq!(
        rows.iter()
            .map(|r| r["transaction_id"].as_str())
            .collect::<Vec<_>>(),
        ["can-1", "cap-2", "ref-2", "can-2", "cap-1", "ref-1"],
        "succeeded captures/refunds/cancels of sandbox only, in time order"
    );
    assert_eq!(report.rows, 6);
    assert_eq!(export::SETTLEMENT_COLUMNS.len(), rows[0].len());

    let cap = find(&rows, "cap-1");
    assert_eq!(cap["environment"], "sandbox");
    assert_eq!(cap["tamara_order_id"], "o-sar");
    assert_eq!(cap["order_number"], "N-o-sar");
    assert_eq!(cap["transaction_type"], "capture");
    assert_eq!(
        cap["idempotency_reference"],
        "idem-o-sar-capture-2024-05-31T20:59:59Z"
    );
    assert_eq!(cap["time_utc"], "2024-05-31T20:59:59Z");
    assert_eq!(cap["time_local"], "2024-05-31T20:59:59Z");
    assert_eq!(
        (cap["currency"].as_str(), cap["amount"].as_str()),
        ("SAR", "100.50")
    );
    assert_eq!(cap["net_amount"], "100.50");
    assert_eq!(cap["state"], "succeeded");
    assert_eq!(cap["source"], "api");
    assert_eq!(cap["payment_type"], "PAY_BY_INSTALMENTS");
    assert_eq!(cap["instalments"], "3");
    assert_eq!(
        (
            cap["settlement_status"].as_str(),
            cap["settlement_date"].as_str()
        ),
        ("pending", "2024-06-15")
    );
    assert_eq!(cap["actor"], "نورة");

    let refund = find(&rows, "ref-1");
    assert_eq!(
        (refund["amount"].as_str(), refund["net_amount"].as_str()),
        ("-20.25", "-20.25")
    );
    assert_eq!(refund["actor"], "webhook");
    assert_eq!(refund["idempotency_reference"], "");
    let cancel = find(&rows, "can-1");
    assert_eq!(
        (cancel["amount"].as_str(), cancel["net_amount"].as_str()),
        ("-5.00", "0.00")
    );
    let kwd = find(&rows, "cap-2");
    assert_eq!(
        (kwd["currency"].as_str(), kwd["amount"].as_str()),
        ("KWD", "10.005")
    );
    assert_eq!(
        find(&rows, "ref-2")["amount"],
        "-1.250",
        "KWD keeps three places"
    );
    assert_eq!(find(&rows, "can-2")["net_amount"], "0.000");

    let totals = read(&dir.path().join("may.totals.csv"));
    assert_eq!(
        report.totals_file.as_deref(),
        Some(dir.path().join("may.totals.csv").as_path())
    );
    let line = |c: &str| totals.iter().find(|t| t["currency"] == c).unwrap().clone();
    let sar = line("SAR");
    assert_eq!(
        [
            &sar["state"],
            &sar["transactions"],
            &sar["captured"],
            &sar["refunded"],
            &sar["canceled"],
            &sar["net"]
        ],
        ["succeeded", "3", "100.50", "20.25", "5.00", "80.25"]
    );
    let kwd = line("KWD");
    assert_eq!(
        [
            &kwd["transactions"],
            &kwd["captured"],
            &kwd["refunded"],
            &kwd["canceled"],
            &kwd["net"]
        ],
        ["3", "10.005", "1.250", "2.000", "8.755"]
    );
    assert_eq!(totals.len(), 2);
}

#[tokio::test]
async fn the_zone_decides_the_day_a_move_falls_in() {
    let (dir, store) = seeded().await;
    let path = dir.path().join("riyadh.csv");
    settle(
        &store,
        &path,
        "2024-05-01",
        "2024-05-31",
        "Asia/Riyadh",
        false,
        false,
    )
    .await;
    let rows = read(&path);
    let cap = find(&rows, "cap-1");
    assert_eq!(cap["time_utc"], "2024-05-31T20:59:59Z");
    assert_eq!(cap["time_local"], "2024-05-31T23:59:59+03:00");
    assert_eq!(cap["date_local"], "2024-05-31");
    assert!(
        rows.iter().all(|r| r["transaction_id"] != "ref-1"),
        "21:00 UTC on May 31 is June 1 in Riyadh"
    );
    settle(
        &store,
        &path,
        "2024-06-01",
        "2024-06-01",
        "Asia/Riyadh",
        false,
        false,
    )
    .await;
    let june = read(&path);
    assert_eq!(june.len(), 1);
    assert_eq!(june[0]["transaction_id"], "ref-1");
    assert_eq!(june[0]["time_local"], "2024-06-01T00:00:00+03:00");
    assert_eq!(june[0]["date_local"], "2024-06-01");
}

#[tokio::test]
async fn unsettled_moves_only_when_asked_and_totalled_apart() {
    let (dir, store) = seeded().await;
    let path = dir.path().join("all.csv");
    let report = settle(
        &store,
        &path,
        "2024-05-01",
        "2024-05-31",
        "UTC",
        true,
        false,
    )
    .await;
    let rows = read(&path);
    let pending: Vec<_> = rows.iter().filter(|r| r["state"] == "pending").collect();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0]["amount"], "3.500");
    assert_eq!(pending[0]["transaction_id"], "", "no gateway id yet");
    assert!(rows.iter().all(|r| r["state"] != "failed"));
    let kwd_pending = report
        .totals
        .iter()
        .find(|t| t.currency == Currency::Kwd && t.state.as_str() == "pending")
        .unwrap();
    assert_eq!(kwd_pending.captured.amount_text(), "3.500");
    let kwd_done = report
        .totals
        .iter()
        .find(|t| t.currency == Currency::Kwd && t.state.as_str() == "succeeded")
        .unwrap();
    assert_eq!(
        kwd_done.captured.amount_text(),
        "10.005",
        "pending never blurs settled sums"
    );
}

#[tokio::test]
async fn text_cells_are_neutralised_and_amounts_stay_numbers() {
    let (dir, store) = seeded().await;
    let path = dir.path().join("x.csv");
    settle(
        &store,
        &path,
        "2024-05-01",
        "2024-05-31",
        "UTC",
        false,
        false,
    )
    .await;
    let rows = read(&path);
    let cap = find(&rows, "cap-1");
    assert_eq!(cap["order_reference_id"], "'=HYPERLINK(\"http://x\")");
    assert_eq!(cap["comment"], "'@ops please check");
    let refund = find(&rows, "ref-1");
    assert_eq!(refund["comment"], "'-20 بسبب التلف");
    assert_eq!(
        refund["amount"], "-20.25",
        "a value column is never prefixed"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        !text.contains(",=") && !text.contains(",\"="),
        "no raw formula cell: {text}"
    );
}

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
        },
        &Destination::File(orders_path.clone()),
        "نورة",
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
        },
        &Destination::File(path.clone()),
        "نورة",
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
    assert!(mizan_core::audit::verify(&store).await.unwrap().is_intact());
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
    .execute(store.pool())
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
        &mut |n| seen.push(n),
    )
    .await
    .unwrap();
    assert_eq!(seen.last(), Some(&6));
}

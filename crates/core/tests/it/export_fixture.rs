//! The store every export test starts from: SAR and KWD orders with captures, refunds and
//! cancels around the end of May in Riyadh, plus rows no settlement export may show; and
//! helpers to run a settlement export and read a CSV back.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // each test file uses a part

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use mizan_core::environment::Environment::{self, Production, Sandbox};
use mizan_core::export::{self, Destination, Format, SettlementExport, Window, Zone};
use mizan_core::money::{Currency, Money};
use mizan_core::store::Store;
use mizan_core::store::ledger::{self, LedgerKind, LedgerSource, ObservedMove, PendingMove};
use mizan_core::store::orders::{self, OrderRecord};

pub const SECRET: &str = "tok_live_SECRET_7f3a";

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

pub fn money(text: &str, c: Currency) -> Money {
    Money::parse(text, c).unwrap()
}

pub async fn order(store: &Store, env: Environment, id: &str, reference: &str, c: Currency) {
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
pub async fn observed(
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
        chrono::Utc::now(),
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
            witness: None,
        },
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    if let Some(gateway_id) = settle {
        ledger::mark_succeeded(store, entry.id, gateway_id, chrono::Utc::now())
            .await
            .unwrap();
    }
}

/// A store with SAR and KWD orders, their captures, refunds and cancels, around the end of
/// May in Riyadh (UTC+3), plus rows no settlement export may show.
pub async fn seeded() -> (tempfile::TempDir, Store) {
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
            witness: None,
        },
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    ledger::mark_failed(&store, failed.id, "declined", chrono::Utc::now())
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

pub fn window(from: &str, to: &str, zone: &str) -> (Window, Format) {
    let zone = Zone::parse(zone).unwrap();
    (
        Window::parse(Some(from), Some(to), zone).unwrap(),
        Format { bom: false, zone },
    )
}

pub async fn settle(
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
        chrono::Utc::now(),
        &mut |_| {},
    )
    .await
    .unwrap()
}

/// Rows as header → cell maps, BOM stripped.
pub fn read(path: &Path) -> Vec<HashMap<String, String>> {
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

pub fn find<'a>(rows: &'a [HashMap<String, String>], id: &str) -> &'a HashMap<String, String> {
    rows.iter()
        .find(|r| r["transaction_id"] == id)
        .unwrap_or_else(|| panic!("no row {id} in {rows:#?}"))
}

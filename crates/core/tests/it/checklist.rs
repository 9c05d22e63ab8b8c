//! The go-live checklist over a real SQLite file: evidence from each kind of fact, full vs
//! partial moves, the self-test not counting, manual marks and their refusals, and the report's
//! escaping.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use chrono::{TimeZone, Utc};
use mizan_core::checklist::report::{self, ReportFormat};
use mizan_core::checklist::{self, Checklist, ItemState};
use mizan_core::store::deliveries::{self, DeliveryVerdict, NewDelivery};
use mizan_core::store::ledger::{self, LedgerKind, LedgerSource, ObservedMove};
use mizan_core::store::orders::{self, OrderRecord};
use mizan_core::store::registrations::{self, ConfirmedBy, WebhookRegistration};
use mizan_core::{Console, Environment};
use tamara::{Currency, Money};

async fn console(dir: &std::path::Path) -> Console {
    common::console(dir, &[("MIZAN_OPERATOR", "Layla <QA>")]).await
}

fn sar(t: &str) -> Money {
    Money::parse(t, Currency::Sar).unwrap()
}

async fn order(c: &Console, id: &str, status: &str, total: &str, captured: &str) {
    let zero = Money::zero(Currency::Sar);
    let t0 = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap();
    orders::upsert(
        c.store(),
        &OrderRecord {
            environment: Environment::Sandbox,
            order_id: id.to_owned(),
            order_reference_id: format!("REF-{id}"),
            order_number: None,
            status: status.to_owned(),
            payment_type: None,
            instalments: None,
            total: sar(total),
            authorised: sar(total),
            captured: sar(captured),
            refunded: zero,
            canceled: zero,
            paid: zero,
            customer_name: None,
            customer_phone: None,
            customer_email: None,
            country_code: None,
            settlement_status: None,
            settlement_date: None,
            description: None,
            created_at: t0,
            updated_at: t0,
            last_synced_at: Some(t0),
            raw_json: None,
        },
    )
    .await
    .unwrap();
}

async fn moved(c: &Console, order_id: &str, kind: LedgerKind, gateway_id: &str, amount: &str) {
    ledger::upsert_observed(
        c.store(),
        &ObservedMove {
            environment: Environment::Sandbox,
            order_id: order_id.to_owned(),
            kind,
            gateway_id: gateway_id.to_owned(),
            amount: sar(amount),
            source: LedgerSource::Poll,
            actor: "poll".into(),
            comment: None,
            occurred_at: Utc::now(),
        },
        chrono::Utc::now(),
    )
    .await
    .unwrap();
}

async fn delivery(c: &Console, order_id: &str, verdict: DeliveryVerdict) -> i64 {
    deliveries::insert(
        c.store(),
        &NewDelivery {
            environment: Environment::Sandbox,
            received_at: Utc::now(),
            method: "POST".into(),
            path: "/webhooks/tamara".into(),
            query: None,
            headers_json: "{}".into(),
            body: "{}".into(),
            verdict,
            reason: None,
            http_status: 200,
            order_id: Some(order_id.to_owned()),
            event_type: Some("order_approved".into()),
            sender: None,
            sizes: None,
        },
    )
    .await
    .unwrap()
}

fn state(c: &Checklist, id: &str) -> ItemState {
    c.items.iter().find(|i| i.item.id == id).unwrap().state
}

fn evidence(c: &Checklist, id: &str) -> String {
    let i = c.items.iter().find(|i| i.item.id == id).unwrap();
    i.evidence
        .iter()
        .map(|e| e.summary.clone())
        .collect::<Vec<_>>()
        .join("; ")
}

#[tokio::test]
async fn evidence_turns_items_from_pending_to_passed() {
    let dir = tempfile::tempdir().unwrap();
    let c = console(dir.path()).await;
    let empty = checklist::evaluate(&c).await.unwrap();
    for i in &empty.items {
        let expected = match i.item.kind {
            checklist::ItemKind::Automatic => ItemState::Pending,
            checklist::ItemKind::Manual => ItemState::Open,
        };
        assert_eq!(i.state, expected, "{}", i.item.id);
    }
    assert_eq!(empty.progress().0, 0);

    // A self-test delivery is not Tamara's notification.
    delivery(&c, "mizan-selftest-1", DeliveryVerdict::Verified).await;
    delivery(&c, "o-rejected", DeliveryVerdict::Rejected).await;
    let cl = checklist::evaluate(&c).await.unwrap();
    assert_eq!(state(&cl, "notification_verified"), ItemState::Pending);
    let real = delivery(&c, "o-1", DeliveryVerdict::Verified).await;
    deliveries::mark_processed(
        c.store(),
        real,
        "order_approved: new -> authorised; auto-authorised",
        Utc::now(),
    )
    .await
    .unwrap();

    registrations::upsert(
        c.store(),
        &WebhookRegistration {
            environment: Environment::Sandbox,
            webhook_id: "wh-1".into(),
            url: "https://shop.example/webhooks/tamara".into(),
            events_json: "[]".into(),
            headers_json: "{}".into(),
            webhook_type: "order".into(),
            created_at: Utc::now(),
            confirmed_at: Some(Utc::now()),
            confirmed_by: Some(ConfirmedBy::Listing),
            deleted_at: None,
        },
    )
    .await
    .unwrap();

    // Full capture: one capture of the whole total; partial: less than the total.
    order(&c, "o-full", "fully_captured", "300.00", "300.00").await;
    moved(&c, "o-full", LedgerKind::Capture, "cap-1", "300.00").await;
    order(&c, "o-part", "partially_captured", "300.00", "100.00").await;
    moved(&c, "o-part", LedgerKind::Capture, "cap-2", "100.00").await;
    // A refund of part of what was captured.
    moved(&c, "o-part", LedgerKind::Refund, "ref-1", "40.00").await;
    order(&c, "o-dec", "declined", "10.00", "0.00").await;

    let cl = checklist::evaluate(&c).await.unwrap();
    assert_eq!(state(&cl, "webhook_registered"), ItemState::Passed);
    assert!(evidence(&cl, "webhook_registered").contains("wh-1"));
    assert_eq!(state(&cl, "notification_verified"), ItemState::Passed);
    assert!(evidence(&cl, "notification_verified").contains(&format!("delivery {real}")));
    assert_eq!(state(&cl, "auto_authorised"), ItemState::Passed);
    assert_eq!(state(&cl, "status_pulled"), ItemState::Passed);
    assert_eq!(state(&cl, "capture_full"), ItemState::Passed);
    assert!(
        evidence(&cl, "capture_full").contains("o-full"),
        "{}",
        evidence(&cl, "capture_full")
    );
    assert_eq!(state(&cl, "capture_partial"), ItemState::Passed);
    assert!(evidence(&cl, "capture_partial").contains("o-part"));
    assert_eq!(state(&cl, "refund_partial"), ItemState::Passed);
    assert_eq!(
        state(&cl, "refund_full"),
        ItemState::Pending,
        "40 of 100 is not a full refund"
    );
    assert_eq!(state(&cl, "cancel_full"), ItemState::Pending);
    assert_eq!(state(&cl, "decline"), ItemState::Passed);
    assert_eq!(state(&cl, "expiry"), ItemState::Pending);
    assert_eq!(state(&cl, "redirects"), ItemState::Pending);
    let pending = cl.items.iter().find(|i| i.item.id == "redirects").unwrap();
    assert!(
        pending
            .missing
            .as_deref()
            .unwrap()
            .contains("/checkout/success")
    );
}

#[tokio::test]
async fn manual_items_are_marked_by_a_person_and_automatic_ones_never() {
    let dir = tempfile::tempdir().unwrap();
    let c = console(dir.path()).await;
    let s = checklist::mark(&c, "status_page", true, Some("finance team subscribed"))
        .await
        .unwrap();
    assert_eq!(s.state, ItemState::Done);
    assert_eq!(s.mark.as_ref().unwrap().by, "Layla <QA>");
    let s = checklist::mark(&c, "status_page", false, None)
        .await
        .unwrap();
    assert_eq!(s.state, ItemState::Open);

    let e = checklist::mark(&c, "capture_full", true, None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "invalid_input");
    assert!(e.to_string().contains("verified from evidence"), "{e}");
    let e = checklist::mark(&c, "no_such_item", true, None)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("no checklist item"), "{e}");
    let long = "x".repeat(2_001);
    assert!(
        checklist::mark(&c, "brand_ui", true, Some(&long))
            .await
            .is_err()
    );
    let cl = checklist::evaluate(&c).await.unwrap();
    assert_eq!(
        state(&cl, "brand_ui"),
        ItemState::Open,
        "a refused mark wrote nothing"
    );

    // Each mark is audited.
    let chain = mizan_core::store::audit::list_chain(c.store(), 100, 0)
        .await
        .unwrap();
    let marks = chain
        .iter()
        .filter(|e| e.action == "checklist.mark")
        .count();
    assert_eq!(marks, 2);
}

#[tokio::test]
async fn the_report_escapes_what_people_typed() {
    let dir = tempfile::tempdir().unwrap();
    let c = console(dir.path()).await;
    checklist::mark(
        &c,
        "brand_ui",
        true,
        Some("<script>alert(1)</script> | ok\nnext"),
    )
    .await
    .unwrap();
    let cl = checklist::evaluate(&c).await.unwrap();
    let html = report::render(&cl, "Layla <QA>", ReportFormat::Html);
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("&lt;script&gt;"));
    assert!(html.contains("Layla &lt;QA&gt;"));
    let md = report::render(&cl, "Layla", ReportFormat::Markdown);
    let line = md.lines().find(|l| l.contains("brand_ui")).unwrap();
    assert!(line.contains("\\| ok next"), "{line}");
    assert!(md.contains("Required items complete: 1 of"), "{md}");
    assert!(md.contains("## Sign-off"));
}

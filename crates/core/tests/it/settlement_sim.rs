//! The whole settlement path offline: orders captured and refunded through the console against
//! the real simulator, the simulator's statement downloaded (clean, then with each of its
//! faults) and imported, each download a revision of the same statement, and each fault seen
//! as exactly the outcome it should be.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use mizan_core::Console;
use mizan_core::demo::customers::{self, Dice};
use mizan_core::moves::{AmountInput, MoveAction, MoveRequest};
use mizan_core::statements::{ImportKind, ImportOptions, Outcome, Reconciliation};
use tamara::model::payments::ShippingInfo;

use crate::demo_traffic::demo_console;

async fn moved(c: &Console, order_id: &str, action: MoveAction) {
    c.move_money(MoveRequest {
        order_id: order_id.to_owned(),
        action,
        confirm: None,
        idempotency_key: None,
        note: None,
    })
    .await
    .unwrap();
}

fn shipping() -> ShippingInfo {
    ShippingInfo {
        shipped_at: "2026-12-01T10:00:00Z".into(),
        shipping_company: "SMSA".into(),
        tracking_number: None,
        tracking_url: None,
    }
}

/// Three orders captured in full; the second refunded in full.
async fn orders(c: &Console, http: &reqwest::Client, api: &str) -> Vec<String> {
    let mut dice = Dice::new(5);
    let mut ids = Vec::new();
    for n in 1..=3 {
        let req = customers::checkout(&mut dice, n, "http://127.0.0.1:9").unwrap();
        let id = c
            .create_checkout(&req)
            .await
            .unwrap()
            .response
            .value
            .order_id;
        let resp = http
            .post(format!("{api}/_sandbox/orders/{id}/approve"))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success());
        moved(c, &id, MoveAction::Authorise).await;
        let capture = MoveAction::Capture {
            amount: None,
            items: Vec::new(),
            shipping: shipping(),
        };
        moved(c, &id, capture).await;
        ids.push(id);
    }
    let order = c.cached_order(&ids[1]).await.unwrap();
    let refund = MoveAction::Refund {
        amount: AmountInput {
            value: order.order.captured.amount(),
            currency: None,
        },
        comment: "returned".into(),
    };
    moved(c, &ids[1], refund).await;
    ids
}

async fn import(
    c: &Console,
    http: &reqwest::Client,
    url: &str,
    dir: &std::path::Path,
    n: usize,
) -> (ImportKind, Reconciliation) {
    let bytes = http.get(url).send().await.unwrap().bytes().await.unwrap();
    let path = dir.join(format!("statement-{n}.csv"));
    std::fs::write(&path, &bytes).unwrap();
    let report = c
        .import_statement(&path, &ImportOptions::default())
        .await
        .unwrap();
    (
        report.kind,
        c.reconcile_statement(report.statement.id).await.unwrap(),
    )
}

fn outcomes(r: &Reconciliation) -> Vec<(String, Outcome)> {
    r.rows
        .iter()
        .map(|x| (x.tamara_order_id.clone(), x.outcome))
        .collect()
}

#[tokio::test]
async fn simulator_statements_reconcile_and_each_fault_is_its_outcome() {
    let sim = tamara_sandbox::spawn(Default::default(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let api = sim.base_url();
    let dir = tempfile::tempdir().unwrap();
    let c = demo_console(&dir.path().join("data"), &api).await;
    let http = reqwest::Client::new();
    let ids = orders(&c, &http, &api).await;
    let closed: serde_json::Value = http
        .post(format!("{api}/_sandbox/statements/close"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sid = closed["statement_id"].as_str().unwrap();
    let url = |faults: &str| format!("{api}/_sandbox/statements/{sid}.csv?faults={faults}");

    let (kind, clean) = import(
        &c,
        &http,
        &format!("{api}/_sandbox/statements/{sid}.csv"),
        dir.path(),
        0,
    )
    .await;
    assert_eq!(kind, ImportKind::Imported);
    assert!(clean.balanced, "{:#?}", clean.rows);
    assert_eq!(
        outcomes(&clean),
        [
            (ids[0].clone(), Outcome::Matched),
            (ids[1].clone(), Outcome::NetZero),
            (ids[2].clone(), Outcome::Matched),
            (ids[1].clone(), Outcome::NetZero),
        ]
    );

    // Each fault hits the first capture line: the first order's.
    let cases = [
        ("missing_line", Outcome::NotInStatement),
        ("duplicate_line", Outcome::DuplicateLine),
        ("changed_amount", Outcome::AmountDiffers),
        ("unknown_order", Outcome::NotInMizan),
    ];
    for (n, (fault, expected)) in cases.into_iter().enumerate() {
        let (kind, r) = import(&c, &http, &url(fault), dir.path(), n + 1).await;
        assert_eq!(
            (kind, r.statement.revision as usize),
            (ImportKind::Revision, n + 2),
            "{fault}"
        );
        let differences: Vec<Outcome> = r.differences().map(|x| x.outcome).collect();
        assert_eq!(differences, [expected], "{fault}: {:#?}", r.rows);
        let odd = r.differences().next().unwrap();
        if fault == "unknown_order" {
            assert!(!ids.contains(&odd.tamara_order_id) && !odd.order_cached);
        } else {
            assert_eq!(odd.tamara_order_id, ids[0], "{fault}");
        }
    }
}

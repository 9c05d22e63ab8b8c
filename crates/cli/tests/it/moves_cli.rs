//! The real `mizan` binary moving money on the real simulator: authorise, full and partial
//! capture (with and without items), full and partial refund, full and partial cancel; the
//! ledger and the order projection updated at once; dry runs that send and write nothing; an
//! audit line per attempt with the operator and the OS user.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::moves_support;

use mizan_core::Environment;
use mizan_core::store::ledger::{LedgerSource, LedgerState};
use moves_support::{Cli, OPERATOR, OS_USER, Sim, TOKEN, write_json};
use serde_json::json;

const SANDBOX: Environment = Environment::Sandbox;

#[tokio::test(flavor = "multi_thread")]
async fn authorise_capture_in_parts_and_refund_in_parts() {
    let sim = Sim::start(101).await;
    let cli = Cli::new(&sim);
    let id = sim.approved("MV-1").await;

    let v = cli.ok(&["authorise", &id]);
    assert_eq!(v["state"], "succeeded");
    assert_eq!(
        v["gateway_id"],
        id.as_str(),
        "authorise is keyed on the order id"
    );
    assert_eq!(
        v["order"]["status"], "authorised",
        "projection updated at once"
    );
    assert_eq!(sim.order(&id).await["status"], "authorised");

    let v = cli.ok(&["capture", &id, "--amount", "100"]);
    assert_eq!(
        (v["state"].as_str(), v["amount"].as_str()),
        (Some("succeeded"), Some("100.00"))
    );
    assert_eq!(v["order"]["status"], "partially_captured");
    assert_eq!(v["order"]["captured"], "100.00");
    let first_capture = v["gateway_id"].as_str().unwrap().to_owned();
    assert_eq!(
        sim.captures(&id).await[0]["capture_id"],
        first_capture.as_str()
    );

    let v = cli.ok(&["capture", &id]);
    assert_eq!(
        v["amount"], "360.00",
        "no amount: all that is still capturable"
    );
    assert_eq!(v["order"]["status"], "fully_captured");
    assert_eq!(sim.captured(&id).await, "460.00");

    let v = cli.ok(&[
        "refund",
        &id,
        "--amount",
        "60",
        "--comment",
        "one lamp back",
    ]);
    assert_eq!(v["order"]["status"], "partially_refunded");
    assert_eq!(v["order"]["refunded"], "60.00");
    let reference = v["idempotency_ref"].as_str().unwrap().to_owned();
    let order = sim.order(&id).await;
    let refund = &order["transactions"]["refunds"][0];
    assert_eq!(
        refund["merchant_refund_id"],
        reference.as_str(),
        "our reference travels"
    );
    assert_eq!(refund["comment"], "one lamp back");

    let v = cli.ok(&[
        "refund",
        &id,
        "--amount",
        "400.00 SAR",
        "--comment",
        "all back",
    ]);
    assert_eq!(v["order"]["status"], "fully_refunded");
    assert_eq!(
        sim.order(&id).await["refunded_amount"]["amount"].to_string(),
        "460.00"
    );

    let ledger = cli.ledger(SANDBOX, &id).await;
    assert_eq!(
        ledger.len(),
        5,
        "one row per transaction, never a twin: {ledger:#?}"
    );
    for e in &ledger {
        assert_eq!(
            (e.state, e.source),
            (LedgerState::Succeeded, LedgerSource::Api)
        );
        assert!(e.gateway_id.is_some() && e.idempotency_ref.is_some());
        assert_eq!(e.actor, OPERATOR);
    }
    let shown = cli.ok(&["orders", "show", &id]);
    assert_eq!(shown["status"], "fully_refunded", "the cache already knows");
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_in_part_then_in_full() {
    let sim = Sim::start(102).await;
    let cli = Cli::new(&sim);
    let id = sim.authorised("MV-2").await;
    let v = cli.ok(&["cancel", &id, "--amount", "60"]);
    assert_eq!(v["state"], "succeeded");
    assert_eq!(v["order"]["status"], "updated");
    assert_eq!(v["order"]["canceled"], "60.00");
    let v = cli.ok(&["cancel", &id]);
    assert_eq!(v["amount"], "400.00", "no amount: everything not captured");
    assert_eq!(v["order"]["status"], "canceled");
    let order = sim.order(&id).await;
    assert_eq!(order["status"], "canceled");
    assert_eq!(order["canceled_amount"]["amount"].to_string(), "460.00");
    let cancels: Vec<_> = cli
        .ledger(SANDBOX, &id)
        .await
        .into_iter()
        .filter(|e| e.kind.as_str() == "cancel")
        .collect();
    assert_eq!(cancels.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn capture_of_items_from_a_file() {
    let sim = Sim::start(103).await;
    let cli = Cli::new(&sim);
    let id = sim.authorised("MV-3").await;
    let dir = tempfile::tempdir().unwrap();
    let one = write_json(
        dir.path(),
        "one.json",
        &json!([{"reference_id": "sku-991", "quantity": 1}]),
    );
    let v = cli.ok(&[
        "capture",
        &id,
        "--items",
        &one,
        "--shipping-company",
        "SMSA",
        "--tracking-number",
        "SM-1",
        "--shipped-at",
        "2026-05-01T10:00:00Z",
    ]);
    assert_eq!(v["amount"], "187.50", "the items' sum: 375.00 × 1/2");
    let capture = &sim.captures(&id).await[0];
    assert_eq!(capture["items"][0]["quantity"], 1);
    assert_eq!(
        capture["items"][0]["total_amount"]["amount"].to_string(),
        "187.50"
    );
    assert_eq!(
        capture["items"][0]["name"], "Desk lamp",
        "details from the order"
    );
    assert_eq!(capture["shipping_info"]["tracking_number"], "SM-1");
    // Only one lamp is left to ship.
    let two = write_json(
        dir.path(),
        "two.json",
        &json!([{"sku": "LAMP-991", "quantity": 2}]),
    );
    let (_, msg) = cli.fails(&["capture", &id, "--items", &two], "items_invalid");
    assert!(msg.contains("only 1 of 2"), "{msg}");
    let v = cli.ok(&["capture", &id, "--amount", "272.50", "--items", &one]);
    assert_eq!(
        v["order"]["status"], "fully_captured",
        "last lamp plus shipping and tax"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_prints_the_exact_request_and_sends_and_writes_nothing() {
    let sim = Sim::start(104).await;
    let cli = Cli::new(&sim);
    let id = sim.authorised("MV-4").await;
    cli.ok(&["orders", "fetch", &id]);
    let before = (
        sim.order(&id).await,
        cli.ledger(SANDBOX, &id).await,
        cli.audit().await.len(),
    );

    let v = cli.ok(&[
        "capture",
        &id,
        "--amount",
        "50",
        "--shipped-at",
        "2026-05-01T10:00:00Z",
        "--dry-run",
    ]);
    assert_eq!(v["dry_run"], true);
    assert_eq!(
        (v["sent"].as_bool(), v["ledger_written"].as_bool()),
        (Some(false), Some(false))
    );
    assert_eq!(v["environment"], "sandbox");
    assert_eq!(v["method"], "POST");
    assert_eq!(v["url"], format!("{}/payments/capture", sim.base));
    assert_eq!(v["body"]["order_id"], id.as_str());
    assert_eq!(v["body"]["total_amount"]["amount"].to_string(), "50.00");
    assert_eq!(
        v["body"]["shipping_info"]["shipped_at"],
        "2026-05-01T10:00:00Z"
    );
    assert!(
        !v.to_string().contains(TOKEN),
        "no token in a printed request"
    );

    let out = cli.run(&[
        "refund",
        &id,
        "--amount",
        "1",
        "--comment",
        "x",
        "--dry-run",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a dry run is checked like the real move"
    );
    let human = cli.run(&["cancel", &id, "--dry-run"]);
    assert!(human.status.success());
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("DRY RUN: nothing sent, nothing written"),
        "{text}"
    );
    assert!(
        text.contains(&format!("POST {}/orders/{id}/cancel", sim.base)),
        "{text}"
    );
    assert!(
        text.contains(r#""total_amount":{"amount":460.00,"currency":"SAR"}"#),
        "{text}"
    );

    let after = (
        sim.order(&id).await,
        cli.ledger(SANDBOX, &id).await,
        cli.audit().await.len(),
    );
    assert_eq!(before, after, "simulator, ledger and audit untouched");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_attempt_is_audited_with_who_what_and_result() {
    let sim = Sim::start(105).await;
    let cli = Cli::new(&sim);
    let id = sim.authorised("MV-5").await;
    let v = cli.ok(&["capture", &id, "--amount", "100"]);
    cli.fails(&["capture", &id, "--amount", "10.005"], "amount_precision");
    let chain = cli.audit().await;
    let moves: Vec<_> = chain
        .iter()
        .filter(|e| e.action == "move.capture")
        .collect();
    assert_eq!(moves.len(), 2, "{chain:#?}");
    let ok = moves[0];
    assert_eq!(
        (ok.operator.as_str(), ok.os_user.as_str()),
        (OPERATOR, OS_USER)
    );
    assert_eq!(ok.environment, SANDBOX);
    assert_eq!(ok.subject, id);
    let summary = ok.request_summary.as_deref().unwrap();
    assert!(summary.starts_with("POST /payments/capture"), "{summary}");
    assert!(summary.contains("amount=100.00 SAR"), "{summary}");
    assert!(
        summary.contains(v["idempotency_ref"].as_str().unwrap()),
        "{summary}"
    );
    assert!(
        ok.result.starts_with(&format!(
            "succeeded capture_id={}",
            v["gateway_id"].as_str().unwrap()
        )),
        "{}",
        ok.result
    );
    assert!(
        moves[1].result.starts_with("refused amount_precision"),
        "{}",
        moves[1].result
    );
    for e in &chain {
        assert!(
            !format!("{e:?}").contains(TOKEN),
            "no token in the audit log"
        );
        assert_eq!(mizan_core::audit::entry_hash(e), e.hash, "chain intact");
    }
}

/// What the operator says with a capture or cancel is kept: on the ledger entry (and so the
/// order's timeline), in the settlement export and in the audit log — and never sent.
#[tokio::test(flavor = "multi_thread")]
async fn a_capture_note_reaches_the_ledger_the_export_and_the_audit_log() {
    let sim = Sim::start(109).await;
    let cli = Cli::new(&sim);
    let id = sim.authorised("MV-NOTE").await;
    let note = "shipped in two boxes; box 2 by Aramex";
    let v = cli.ok(&["capture", &id, "--amount", "100", "--note", note]);
    assert_eq!(v["state"], "succeeded", "{v}");
    let ledger = cli.ledger(SANDBOX, &id).await;
    let capture = ledger
        .iter()
        .find(|e| e.kind.as_str() == "capture")
        .unwrap();
    assert_eq!(capture.comment.as_deref(), Some(note));
    let sent = sim.captures(&id).await;
    assert!(
        !sent[0].to_string().contains("Aramex"),
        "a note is never sent: {}",
        sent[0]
    );

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("settlement.csv");
    let today = chrono::Utc::now().date_naive();
    let (from, to) = (today.pred_opt().unwrap(), today.succ_opt().unwrap());
    let out = cli.run(&[
        "export",
        "settlement",
        "--from",
        &from.to_string(),
        "--to",
        &to.to_string(),
        "-o",
        file.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(&file).unwrap();
    assert!(csv.contains(note), "{csv}");

    let audit = cli.audit().await;
    let logged = audit.iter().find(|e| e.action == "move.capture").unwrap();
    assert!(
        logged
            .request_summary
            .as_deref()
            .is_some_and(|s| s.contains(&format!("said={note:?}"))),
        "{logged:?}"
    );
    let long = "x".repeat(1001);
    let out = cli.run(&["cancel", &id, "--note", &long]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a note over 1000 characters is refused"
    );
}

/// An order's statement and a refund's receipt, as printable pages; never over a file unasked.
#[tokio::test(flavor = "multi_thread")]
async fn a_statement_and_a_receipt_are_written_and_never_overwritten_unasked() {
    let sim = Sim::start(110).await;
    let cli = Cli::new(&sim);
    let id = sim.authorised("MV-STMT").await;
    cli.ok(&["capture", &id, "--note", "one box"]);
    let refund = cli.ok(&[
        "refund",
        &id,
        "--amount",
        "60.25",
        "--comment",
        "damaged lid",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("statement.html");
    let path = page.to_str().unwrap();
    let out = cli.run(&["orders", "statement", "MV-STMT", "-o", path]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("one box") && html.contains("damaged lid") && html.contains("60.25 SAR"));
    let out = cli.run(&["orders", "statement", "MV-STMT", "-o", path, "--lang", "ar"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an existing file is not replaced unasked"
    );
    assert_eq!(std::fs::read_to_string(&page).unwrap(), html);

    let entry = cli
        .ledger(SANDBOX, &id)
        .await
        .into_iter()
        .find(|e| e.gateway_id == refund["gateway_id"].as_str().map(str::to_owned))
        .unwrap()
        .id
        .to_string();
    let out = cli.run(&[
        "orders",
        "statement",
        &id,
        "--entry",
        &entry,
        "--lang",
        "ar",
        "-o",
        path,
        "--force",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let receipt = std::fs::read_to_string(&page).unwrap();
    assert!(
        receipt.contains("dir=\"rtl\"") && receipt.contains("60.25 SAR"),
        "{receipt}"
    );
    assert!(!receipt.contains("one box"), "a receipt shows its one move");
}

//! Every refusal of a money move, through the real `mizan` binary: the exact code, exit
//! status 1 (2 for malformed input), and neither the simulator's order nor the ledger changed.
//! Each would fail if its guard were removed: the simulator would either accept the request
//! (the ledger or the order would change) or answer with its own, different error.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::moves_support;

use mizan_core::Environment;
use mizan_core::store::ledger::{self, LedgerKind, LedgerState, PendingMove};
use moves_support::{Cli, Sim, write_json};
use serde_json::{Value, json};

const SANDBOX: Environment = Environment::Sandbox;

/// Asserts each `(args, code)` is refused with `code` and changes neither side.
async fn refused(sim: &Sim, cli: &Cli, id: &str, cases: &[(Vec<&str>, &str)]) {
    cli.ok(&["orders", "fetch", id]);
    for (args, code) in cases {
        let before = (sim.order(id).await, cli.ledger(SANDBOX, id).await);
        let (_, msg) = cli.fails(args, code);
        assert!(!msg.is_empty());
        let after = (sim.order(id).await, cli.ledger(SANDBOX, id).await);
        assert_eq!(before, after, "{args:?} changed something");
        let last = cli.audit().await.pop().unwrap();
        assert!(
            last.result.starts_with(&format!("refused {code}")),
            "{}",
            last.result
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn refusals_on_an_authorised_order() {
    let sim = Sim::start(201).await;
    let cli = Cli::new(&sim);
    let id = sim.authorised("RF-1").await;
    let dir = tempfile::tempdir().unwrap();
    let unknown = write_json(
        dir.path(),
        "u.json",
        &json!([{"reference_id": "nope", "quantity": 1}]),
    );
    let lamp = write_json(
        dir.path(),
        "l.json",
        &json!([{"reference_id": "sku-991", "quantity": 1}]),
    );
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["capture", &id, "--amount", "10.005"],
            "amount_precision",
        ),
        (vec!["capture", &id, "--amount", "0"], "amount_not_positive"),
        (
            vec!["capture", &id, "--amount", "-5"],
            "amount_not_positive",
        ),
        (
            vec!["capture", &id, "--amount", "10 AED"],
            "amount_currency_mismatch",
        ),
        (
            vec!["capture", &id, "--amount", "460.01"],
            "amount_exceeds_capturable",
        ),
        (
            vec!["cancel", &id, "--amount", "460.01"],
            "amount_exceeds_cancelable",
        ),
        (vec!["cancel", &id, "--amount", "0.001"], "amount_precision"),
        (
            vec!["refund", &id, "--amount", "1", "--comment", "x"],
            "move_refused_status",
        ),
        (vec!["authorise", &id], "move_refused_status"),
        (vec!["capture", &id, "--items", &unknown], "items_invalid"),
        (
            vec!["capture", &id, "--amount", "100", "--items", &lamp],
            "items_exceed_amount",
        ),
        (
            vec!["capture", &id, "--shipped-at", "yesterday"],
            "move_input_invalid",
        ),
        (
            vec!["capture", &id, "--amount", "5", "--confirm", "NOT-RF-1"],
            "confirmation_mismatch",
        ),
    ];
    refused(&sim, &cli, &id, &cases).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn refusals_once_money_is_captured() {
    let sim = Sim::start(202).await;
    let cli = Cli::new(&sim);
    let id = sim.authorised("RF-2").await;
    cli.ok(&["capture", &id, "--amount", "100"]);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["refund", &id, "--amount", "100.01", "--comment", "x"],
            "amount_exceeds_refundable",
        ),
        (
            vec!["refund", &id, "--amount", "10", "--comment", "  "],
            "comment_required",
        ),
        (
            vec!["refund", &id, "--amount", "10.001", "--comment", "x"],
            "amount_precision",
        ),
        (
            vec!["refund", &id, "--amount", "0", "--comment", "x"],
            "amount_not_positive",
        ),
        (
            vec!["capture", &id, "--amount", "360.01"],
            "amount_exceeds_capturable",
        ),
    ];
    refused(&sim, &cli, &id, &cases).await;
    // Cancelling the uncaptured rest of a partially captured order is Tamara's call
    // (undocumented, §16.10): sent, and the simulator's default refusal reported, nothing moved.
    let before = sim.order(&id).await;
    let (_, msg) = cli.fails(&["cancel", &id, "--amount", "10"], "move_rejected");
    assert!(msg.contains("transition_not_allowed"), "{msg}");
    assert_eq!(sim.order(&id).await, before);
    let last = cli.ledger(SANDBOX, &id).await.pop().unwrap();
    assert_eq!(
        (last.kind, last.state),
        (LedgerKind::Cancel, LedgerState::Failed)
    );
    cli.ok(&["refund", &id, "--amount", "40", "--comment", "part"]);
    let cases: Vec<(Vec<&str>, &str)> = vec![(
        vec!["refund", &id, "--amount", "60.01", "--comment", "x"],
        "amount_exceeds_refundable",
    )];
    refused(&sim, &cli, &id, &cases).await;
    let (_, msg) = cli.fails(
        &["refund", &id, "--amount", "61", "--comment", "x"],
        "amount_exceeds_refundable",
    );
    assert!(
        msg.contains("only 60.00 SAR is refundable"),
        "captured minus refunded: {msg}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn refusals_before_authorisation() {
    let sim = Sim::start(203).await;
    let cli = Cli::new(&sim);
    let fresh = sim.new_order("RF-3").await;
    let approved = sim.approved("RF-4").await;
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["authorise", &fresh], "move_refused_status"),
        (vec!["capture", &fresh], "move_refused_status"),
    ];
    refused(&sim, &cli, &fresh, &cases).await;
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["capture", &approved, "--amount", "1"],
            "move_refused_status",
        ),
        (vec!["cancel", &approved], "move_refused_status"),
        (
            vec!["refund", &approved, "--amount", "1", "--comment", "x"],
            "move_refused_status",
        ),
    ];
    refused(&sim, &cli, &approved, &cases).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_input_is_a_usage_error_and_sends_nothing() {
    let sim = Sim::start(204).await;
    let cli = Cli::new(&sim);
    let id = sim.authorised("RF-5").await;
    let dir = tempfile::tempdir().unwrap();
    let not_json = dir.path().join("bad.json");
    std::fs::write(&not_json, "[{").unwrap();
    let not_json = not_json.display().to_string();
    let zero = write_json(
        dir.path(),
        "z.json",
        &json!([{"reference_id": "sku-991", "quantity": 0}]),
    );
    for args in [
        vec!["capture", &id, "--amount", "abc"],
        vec!["capture", &id, "--amount", "10 XYZ"],
        vec!["refund", &id, "--amount", "5"],
        vec!["capture", &id, "--items", "/nonexistent/items.json"],
        vec!["capture", &id, "--items", &not_json],
        vec!["capture", &id, "--items", &zero],
        vec!["capture", &id, "--idempotency-key", "has space"],
    ] {
        let out = cli.run(&args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(sim.captured(&id).await, "0.00");
    assert!(
        cli.audit().await.is_empty(),
        "usage errors never reach the core"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idempotency_key_moves_money_once_and_never_for_another_move() {
    let sim = Sim::start(205).await;
    let cli = Cli::new(&sim);
    let id = sim.authorised("RF-6").await;
    let first = cli.ok(&[
        "capture",
        &id,
        "--amount",
        "50",
        "--idempotency-key",
        "batch-7:1",
    ]);
    assert_eq!(first["idempotency_ref"], "batch-7:1");
    let again = cli.ok(&[
        "capture",
        &id,
        "--amount",
        "50",
        "--idempotency-key",
        "batch-7:1",
    ]);
    assert_eq!(again["disposition"], "already_recorded");
    assert_eq!(again["ledger_entry_id"], first["ledger_entry_id"]);
    assert_eq!(again["gateway_id"], first["gateway_id"]);
    assert_eq!(sim.captured(&id).await, "50.00", "sent once");
    let cases: Vec<(Vec<&str>, &str)> = vec![(
        vec![
            "capture",
            &id,
            "--amount",
            "60",
            "--idempotency-key",
            "batch-7:1",
        ],
        "idempotency_key_reused",
    )];
    refused(&sim, &cli, &id, &cases).await;
}

/// Writes an API ledger entry for `order_id` as if another process were sending it.
async fn foreign_pending(cli: &Cli, order_id: &str, amount: &str) -> i64 {
    let store = cli.store().await;
    let e = ledger::record_pending(
        &store,
        &PendingMove {
            environment: SANDBOX,
            order_id: order_id.into(),
            kind: LedgerKind::Capture,
            amount: tamara::Money::parse(amount, tamara::Currency::Sar).unwrap(),
            idempotency_ref: format!("other-window-{amount}"),
            actor: "someone else".into(),
            comment: None,
            occurred_at: chrono::Utc::now(),
            request_summary: Some("POST /payments/capture intent=0000".into()),
            witness: None,
        },
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    store.close().await;
    e.id
}

async fn set(cli: &Cli, sql: &'static str, id: i64) {
    let store = cli.store().await;
    sqlx::query(sql)
        .bind(id)
        .execute(store.sqlite_pool().unwrap())
        .await
        .unwrap();
    store.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unsettled_move_on_the_order_blocks_others_until_a_re_read_settles_it() {
    let sim = Sim::start(206).await;
    let cli = Cli::new(&sim);
    let id = sim.authorised("RF-7").await;
    cli.ok(&["orders", "fetch", &id]);
    let other = foreign_pending(&cli, &id, "70").await;
    let cases: Vec<(Vec<&str>, &str)> =
        vec![(vec!["capture", &id, "--amount", "10"], "move_in_progress")];
    refused(&sim, &cli, &id, &cases).await;

    // Its sender gave up with an unknown outcome a moment ago; Tamara shows nothing yet, which
    // proves nothing while the request may still be in flight.
    let store = cli.store().await;
    ledger::mark_unknown(&store, other, "timed out", chrono::Utc::now())
        .await
        .unwrap();
    store.close().await;
    let cases: Vec<(Vec<&str>, &str)> = vec![(
        vec!["capture", &id, "--amount", "10"],
        "move_blocked_unknown",
    )];
    refused(&sim, &cli, &id, &cases).await;

    // Long after any request could live, absence is final: it is settled as failed first, and
    // the new move goes ahead.
    set(
        &cli,
        "UPDATE ledger_entries SET recorded_at = '2020-01-01T00:00:00.000000000Z' WHERE id = ?",
        other,
    )
    .await;
    let v = cli.ok(&["capture", &id, "--amount", "10"]);
    assert_eq!(v["state"], "succeeded");
    let rows = cli.ledger(SANDBOX, &id).await;
    let settled = rows.iter().find(|e| e.id == other).unwrap();
    assert_eq!(settled.state, LedgerState::Failed, "{settled:?}");
    assert!(
        settled.error.as_deref().unwrap().contains("never appeared"),
        "{settled:?}"
    );
    assert_eq!(sim.captured(&id).await, "10.00");
}

#[tokio::test(flavor = "multi_thread")]
async fn production_needs_the_order_reference_as_confirmation() {
    let sandbox = Sim::start(207).await;
    let prod = Sim::start_with(208, moves_support::PROD_TOKEN).await;
    let cli = Cli::new(&sandbox).with_production(&prod);
    let id = prod.authorised("LIVE-9").await;
    cli.ok(&["--env", "production", "orders", "fetch", &id]);
    let before = prod.order(&id).await;
    for (extra, code) in [
        (None, "confirmation_required"),
        (Some("LIVE-8"), "confirmation_mismatch"),
    ] {
        let mut args = vec!["--env", "production", "capture", &id, "--amount", "100"];
        if let Some(c) = extra {
            args.extend(["--confirm", c]);
        }
        let (_, msg) = cli.fails(&args, code);
        assert!(msg.contains("LIVE-9"), "names what to type: {msg}");
        assert_eq!(prod.order(&id).await, before);
        assert!(
            cli.ledger(Environment::Production, &id)
                .await
                .iter()
                .all(|e| e.kind != LedgerKind::Capture)
        );
    }
    let dry = cli.ok(&[
        "--env",
        "production",
        "capture",
        &id,
        "--amount",
        "100",
        "--dry-run",
    ]);
    assert_eq!(dry["requires_confirmation"], true);
    assert_eq!(dry["confirm_with"], "LIVE-9");
    assert_eq!(dry["environment"], "production");
    assert_eq!(dry["url"], format!("{}/payments/capture", prod.base));
    assert_eq!(prod.order(&id).await, before, "a dry run sends nothing");

    let out = cli.run(&[
        "--json",
        "--env",
        "production",
        "capture",
        &id,
        "--amount",
        "100",
        "--confirm",
        "LIVE-9",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("PRODUCTION"));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["environment"].as_str(), v["state"].as_str()),
        (Some("production"), Some("succeeded"))
    );
    assert_eq!(prod.captured(&id).await, "100.00");
    assert!(
        cli.ledger(SANDBOX, &id).await.is_empty(),
        "environments never mix"
    );
}

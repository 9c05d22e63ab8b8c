//! Money moves whose answer is lost, and moves asked for twice, against the real simulator:
//! a 5xx after Tamara applied the move (it happened), a 5xx before (it did not), a timeout
//! after which the move lands, an outcome that stays unknown until a later command settles it,
//! and a double click — in every case money moves at most once and the ledger says so.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::moves_support;

use std::time::{Duration, Instant};

use mizan_core::Environment;
use mizan_core::store::ledger::{LedgerKind, LedgerState};
use moves_support::{Cli, Sim};
use serde_json::{Value, json};

const SANDBOX: Environment = Environment::Sandbox;

#[tokio::test(flavor = "multi_thread")]
async fn a_5xx_after_the_capture_applied_is_settled_as_succeeded() {
    let sim = Sim::start(301).await;
    let cli = Cli::new(&sim);
    let id = sim.authorised("AM-1").await;
    sim.fault(json!({"status": 503, "count": 1, "after_apply": true, "method": "POST"}))
        .await;
    let v = cli.ok(&["capture", &id, "--amount", "100"]);
    assert_eq!(v["state"], "succeeded");
    assert_eq!(v["disposition"], "resolved_by_reread");
    let captures = sim.captures(&id).await;
    assert_eq!(captures.len(), 1);
    assert_eq!(
        v["gateway_id"], captures[0]["capture_id"],
        "the capture Tamara made"
    );
    assert_eq!(v["order"]["captured"], "100.00");
    let rows = cli.ledger(SANDBOX, &id).await;
    let capture_rows: Vec<_> = rows
        .iter()
        .filter(|e| e.kind == LedgerKind::Capture)
        .collect();
    assert_eq!(
        capture_rows.len(),
        1,
        "our entry, not an observed twin: {rows:#?}"
    );
    assert_eq!(capture_rows[0].state, LedgerState::Succeeded);
}

#[tokio::test(flavor = "multi_thread")]
async fn lost_answers_of_refund_and_authorise_are_found_too() {
    let sim = Sim::start(302).await;
    let cli = Cli::new(&sim);
    let id = sim.approved("AM-2").await;
    let lost = json!({"status": 500, "count": 1, "after_apply": true, "method": "POST"});
    sim.fault(lost.clone()).await;
    let v = cli.ok(&["authorise", &id]);
    assert_eq!(
        (v["state"].as_str(), v["disposition"].as_str()),
        (Some("succeeded"), Some("resolved_by_reread"))
    );
    cli.ok(&["capture", &id, "--amount", "200"]);
    // Another refund of the same amount exists; ours is told apart by merchant_refund_id.
    cli.ok(&["refund", &id, "--amount", "50", "--comment", "first"]);
    sim.fault(lost).await;
    let v = cli.ok(&["refund", &id, "--amount", "50", "--comment", "second"]);
    assert_eq!(v["disposition"], "resolved_by_reread");
    let refunds = sim.order(&id).await["transactions"]["refunds"]
        .as_array()
        .unwrap()
        .clone();
    let ours = refunds
        .iter()
        .find(|r| r["merchant_refund_id"] == v["idempotency_ref"])
        .unwrap();
    assert_eq!(v["gateway_id"], ours["refund_id"]);
    assert_eq!(refunds.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_5xx_before_the_capture_is_settled_as_failed_and_may_be_retried() {
    let sim = Sim::start(303).await;
    let cli = Cli::new(&sim);
    let id = sim.authorised("AM-3").await;
    sim.fault(json!({"status": 503, "count": 1, "method": "POST"}))
        .await;
    let (v, msg) = cli.fails(&["capture", &id, "--amount", "100"], "move_rejected");
    assert_eq!(v["state"], "failed");
    assert_eq!(v["disposition"], "resolved_by_reread");
    assert!(msg.contains("did not happen"), "{msg}");
    assert_eq!(sim.captured(&id).await, "0.00");
    let failed_ref = v["idempotency_ref"].as_str().unwrap().to_owned();
    // The same request again is a fresh attempt (nothing moved the first time).
    let v = cli.ok(&["capture", &id, "--amount", "100"]);
    assert_eq!(v["disposition"], "sent");
    assert_eq!(v["idempotency_ref"], format!("{failed_ref}-2"));
    assert_eq!(sim.captured(&id).await, "100.00");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_4xx_is_a_definite_refusal() {
    let sim = Sim::start(304).await;
    let cli = Cli::new(&sim).with("MIZAN_SANDBOX_TIMEOUT_SECS", "5");
    let id = sim.authorised("AM-4").await;
    cli.ok(&["orders", "fetch", &id]);
    // Someone cancels the whole order at Tamara between our read and our capture: the
    // simulator refuses with 409. Stall our capture so the cancel lands first.
    sim.fault(json!({"stall_ms": 1000, "stall_count": 1, "method": "POST"}))
        .await;
    let child = cli.spawn(&["--json", "capture", &id, "--amount", "100"]);
    // Wait until our capture is at Tamara (it took the stall), then cancel everything.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let f: Value = reqwest::get(format!("{}/_sandbox/faults", sim.base))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if f["api"]["stall_count"] == 0 || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    sim.call(
        reqwest::Method::POST,
        &format!("/orders/{id}/cancel"),
        Some(json!({"total_amount": {"amount": 460, "currency": "SAR"}})),
    )
    .await;
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = moves_support::error_json(&out);
    assert_eq!(err["error"]["code"], "move_rejected", "{err}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["state"].as_str(), v["disposition"].as_str()),
        (Some("failed"), Some("sent"))
    );
    assert_eq!(
        v["order"]["status"], "canceled",
        "re-read after the refusal"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_timeout_after_which_the_capture_lands_is_settled_by_re_reading() {
    let sim = Sim::start(305).await;
    let cli = Cli::new(&sim).with("MIZAN_SANDBOX_TIMEOUT_SECS", "1");
    let id = sim.authorised("AM-5").await;
    // Tamara applies the capture 2 s after receiving it; we give up after 1 s.
    sim.fault(json!({"stall_ms": 2000, "stall_count": 1, "method": "POST"}))
        .await;
    let v = cli.ok(&["capture", &id, "--amount", "100"]);
    assert_eq!(v["state"], "succeeded", "{v}");
    assert_eq!(v["disposition"], "resolved_by_reread");
    assert_eq!(v["gateway_id"], sim.captures(&id).await[0]["capture_id"]);
    assert_eq!(sim.captured(&id).await, "100.00");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_outcome_is_settled_by_the_next_command_which_never_sends_twice() {
    let sim = Sim::start(306).await;
    let cli = Cli::new(&sim).with("MIZAN_SANDBOX_TIMEOUT_SECS", "1");
    let id = sim.authorised("AM-6").await;
    // Tamara takes 7 s: longer than the timeout and every re-read.
    sim.fault(json!({"stall_ms": 7000, "stall_count": 1, "method": "POST"}))
        .await;
    let started = Instant::now();
    let (v, msg) = cli.fails(&["capture", &id, "--amount", "100"], "move_outcome_unknown");
    assert_eq!(v["state"], "unknown");
    assert!(
        msg.contains("OUTCOME UNKNOWN") && msg.contains("run the same command again"),
        "{msg}"
    );
    let entry_id = v["ledger_entry_id"].clone();
    // Retried at once: still unknown, still not sent again.
    let (again, _) = cli.fails(&["capture", &id, "--amount", "100"], "move_outcome_unknown");
    assert_eq!(again["ledger_entry_id"], entry_id);
    assert_eq!(again["disposition"], "already_recorded");
    // A different move on the order is refused meanwhile.
    cli.fails(&["capture", &id, "--amount", "5"], "move_blocked_unknown");
    // Once Tamara has applied it, the reconciler settles the entry from a re-read...
    let landed = Duration::from_millis(8000).saturating_sub(started.elapsed());
    tokio::time::sleep(landed).await;
    assert_eq!(sim.captured(&id).await, "100.00");
    cli.ok(&["reconcile"]);
    let entry = cli
        .ledger(SANDBOX, &id)
        .await
        .into_iter()
        .find(|e| entry_id == e.id)
        .unwrap();
    assert_eq!(entry.state, LedgerState::Succeeded, "{entry:?}");
    assert_eq!(
        entry.gateway_id.as_ref(),
        sim.captures(&id).await[0]["capture_id"]
            .as_str()
            .map(str::to_owned)
            .as_ref()
    );
    // ...and the same command, retried, reports it without sending.
    let v = cli.ok(&["capture", &id, "--amount", "100"]);
    assert_eq!(v["ledger_entry_id"], entry_id);
    assert_eq!(
        (v["state"].as_str(), v["disposition"].as_str()),
        (Some("succeeded"), Some("already_recorded"))
    );
    assert_eq!(sim.captures(&id).await.len(), 1, "money moved once");
    assert_eq!(v["order"]["captured"], "100.00");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_double_click_sends_one_request_and_both_report_it() {
    let sim = Sim::start(307).await;
    let cli = Cli::new(&sim);
    let id = sim.authorised("AM-7").await;
    cli.ok(&["orders", "fetch", &id]);
    // Tamara is slow, so the second click arrives while the first is in flight.
    sim.fault(json!({"stall_ms": 1500, "stall_count": 2, "method": "POST"}))
        .await;
    let args = ["--json", "capture", &id, "--amount", "100"];
    let a = cli.spawn(&args);
    let b = cli.spawn(&args);
    let outs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
    let vs: Vec<Value> = outs
        .iter()
        .map(|o| {
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            serde_json::from_slice(&o.stdout).unwrap()
        })
        .collect();
    assert_eq!(vs[0]["ledger_entry_id"], vs[1]["ledger_entry_id"]);
    assert_eq!(vs[0]["gateway_id"], vs[1]["gateway_id"]);
    assert_eq!(
        (vs[0]["state"].as_str(), vs[1]["state"].as_str()),
        (Some("succeeded"), Some("succeeded"))
    );
    let mut dispositions: Vec<_> = vs
        .iter()
        .map(|v| v["disposition"].as_str().unwrap())
        .collect();
    dispositions.sort_unstable();
    assert_eq!(dispositions, ["already_recorded", "sent"]);
    assert_eq!(
        sim.captures(&id).await.len(),
        1,
        "exactly one request reached Tamara"
    );
    assert_eq!(sim.captured(&id).await, "100.00");
    let faults: Value = reqwest::get(format!("{}/_sandbox/faults", sim.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        faults["api"]["stall_count"], 1,
        "only one POST consumed a stall"
    );

    // A third click after both finished: the same move minutes ago is reported, not repeated.
    let late = cli.ok(&["capture", &id, "--amount", "100"]);
    assert_eq!(late["disposition"], "already_recorded");
    assert_eq!(late["ledger_entry_id"], vs[0]["ledger_entry_id"]);
    assert!(
        late["message"]
            .as_str()
            .unwrap()
            .contains("new --idempotency-key"),
        "{late}"
    );
    assert_eq!(sim.captures(&id).await.len(), 1);
    let dry = cli.ok(&["capture", &id, "--amount", "100", "--dry-run"]);
    assert_eq!(
        dry["duplicate_of_entry"], vs[0]["ledger_entry_id"],
        "a dry run warns too"
    );
    // Deliberately again: a new key says so.
    let again = cli.ok(&[
        "capture",
        &id,
        "--amount",
        "100",
        "--idempotency-key",
        "second-box",
    ]);
    assert_eq!(again["disposition"], "sent");
    assert_eq!(sim.captured(&id).await, "200.00");
}

/// Someone else (the partner portal) captures the same amount while our capture's answer is
/// lost and ours never applied: the other capture is not taken for ours.
#[tokio::test(flavor = "multi_thread")]
async fn someone_elses_capture_of_the_same_amount_is_never_taken_for_ours() {
    let sim = Sim::start(308).await;
    let cli = Cli::new(&sim);
    let id = sim.authorised("AM-8").await;
    // Our capture stalls, then fails without applying; meanwhile the portal captures 100.
    sim.fault(
        json!({"status": 503, "count": 1, "stall_ms": 1500, "stall_count": 1,
                     "method": "POST"}),
    )
    .await;
    let ours = cli.spawn(&["--json", "capture", &id, "--amount", "100"]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    sim.call(
        reqwest::Method::POST,
        "/payments/capture",
        Some(
            json!({"order_id": id, "total_amount": {"amount": "100.00", "currency": "SAR"},
                    "shipping_info": {"shipped_at": "2026-01-01T00:00:00Z",
                                      "shipping_company": "Portal"}}),
        ),
    )
    .await;
    let out = ours.wait_with_output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let captures = sim.captures(&id).await;
    assert_eq!(captures.len(), 1, "only the portal's");
    assert_ne!(
        v["gateway_id"],
        captures[0]["capture_id"],
        "never the other capture's id: {v} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(v["state"], "succeeded", "{v}");
    let rows = cli.ledger(SANDBOX, &id).await;
    let mine = rows
        .iter()
        .find(|e| e.idempotency_ref.is_some() && e.kind == LedgerKind::Capture)
        .unwrap();
    assert_eq!(mine.state, LedgerState::Failed, "{mine:?}");
}

/// A capture whose details Tamara does not echo cannot be told from someone else's: the entry
/// stays unknown, needs a person, and blocks the order's other moves until settled.
#[tokio::test(flavor = "multi_thread")]
async fn a_lost_cancel_with_a_lookalike_needs_a_person() {
    let sim = Sim::start(309).await;
    let cli = Cli::new(&sim);
    let id = sim.authorised("AM-9").await;
    sim.fault(json!({"status": 503, "count": 1, "after_apply": true, "method": "POST"}))
        .await;
    let (v, msg) = cli.fails(&["cancel", &id, "--amount", "100"], "move_outcome_unknown");
    assert_eq!(v["state"], "unknown", "{v}");
    assert!(msg.contains("NEEDS A PERSON"), "{msg}");
    cli.fails(&["capture", &id, "--amount", "5"], "move_blocked_unknown");

    // A person checks with Tamara and settles it; a note is required, and only a transaction
    // the order shows with the move's amount is accepted.
    let entry = v["ledger_entry_id"].as_i64().unwrap().to_string();
    let cancels = sim.order(&id).await["transactions"]["cancels"]
        .as_array()
        .unwrap()
        .clone();
    let cancel_id = cancels[0]["cancel_id"].as_str().unwrap().to_owned();
    let refused = |args: &[&str], why: &str| {
        let out = cli.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(err.contains(why), "{args:?}: {err}");
    };
    refused(
        &["resolve", &entry, "--applied", &cancel_id, "--note", " "],
        "say why",
    );
    refused(
        &[
            "resolve",
            &entry,
            "--applied",
            "no-such-cancel",
            "--note",
            "portal",
        ],
        "does not show",
    );
    let done = cli.ok(&[
        "resolve",
        &entry,
        "--applied",
        &cancel_id,
        "--note",
        "portal shows it, Noura",
    ]);
    assert_eq!(done["state"], "succeeded");
    assert_eq!(done["gateway_id"], cancel_id.as_str());
    let audit = cli.audit().await;
    assert!(
        audit
            .iter()
            .any(|a| a.action == "move.settled_by_person" && a.subject == id),
        "{audit:#?}"
    );
    // The order is no longer blocked; settling twice is refused.
    refused(
        &["resolve", &entry, "--not-applied", "--note", "x"],
        "is succeeded",
    );
}

//! Auto-authorise through the real pipeline (simulator delivering signed webhooks to the
//! receiver on loopback, processor, SQLite): a failing authorise is retried with a growing
//! back-off and shown to people while it fails; with the setting off, approved orders wait for
//! a person.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use mizan_core::Environment;
use mizan_core::reconcile::{self, StuckReason};
use mizan_core::store::audit;
use mizan_core::store::settings::{self, SettingScope};
use mizan_core::webhooks::processor::AUTO_AUTHORISE_SETTING;
use mizan_scenarios::approve;
use mizan_scenarios::pipeline::pipeline;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_authorise_is_retried_with_back_off_and_surfaced() {
    let p = pipeline(601).await;
    let id = p.new_order("AA-RETRY-1").await;
    // Authorise fails three times; order reads keep working.
    let r = p
        .http
        .post(format!("{}/_sandbox/faults/api", p.sb.base_url()))
        .json(&json!({"status": 503, "count": 3, "method": "POST"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    approve(&p.sb.base_url(), &id).await;

    // While it fails, it is surfaced: a failed delivery and a stuck order with the reason.
    let store = p.console.store();
    let mut surfaced = None;
    for _ in 0..500 {
        let failed = reconcile::failed_deliveries(store, Environment::Sandbox)
            .await
            .unwrap();
        if let Some(d) = failed
            .into_iter()
            .find(|d| d.order_id.as_deref() == Some(&*id))
        {
            surfaced = Some(d);
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let failed = surfaced.expect("the failing delivery was never surfaced");
    let why = failed.processing_result.clone().unwrap_or_default();
    assert!(why.contains("authorise failed"), "{why}");
    let stuck = reconcile::stuck_orders(&p.console, chrono::Utc::now())
        .await
        .unwrap();
    assert!(
        stuck.iter().any(|s| s.order_id == id
            && matches!(
                s.reason,
                StuckReason::ProcessingFailed { .. } | StuckReason::ApprovedNotAuthorised { .. }
            )),
        "{stuck:?}"
    );

    // It is never dropped: once authorise works, the retry authorises the order.
    p.wait_status(&id, "authorised").await;
    let rows = p.deliveries().await;
    let row = rows.iter().find(|d| d.id == failed.id).unwrap();
    assert_eq!(row.attempts, 4, "three failures, then success: {row:?}");
    assert!(
        row.processing_result
            .as_deref()
            .unwrap_or_default()
            .contains("auto-authorised"),
        "{row:?}"
    );

    // Each failure is in the audit log, and the waits between attempts grow (100, 200 ms...).
    let chain = audit::list_chain(store, 1000, 0).await.unwrap();
    let failures: Vec<_> = chain
        .iter()
        .filter(|e| e.action == "webhook.failed" && e.subject == id)
        .collect();
    assert_eq!(failures.len(), 3, "{failures:#?}");
    let gap1 = failures[1].at - failures[0].at;
    let gap2 = failures[2].at - failures[1].at;
    assert!(gap1 >= chrono::Duration::milliseconds(100), "{gap1}");
    assert!(gap2 >= chrono::Duration::milliseconds(200), "{gap2}");
}

/// Approved orders wait for a person from here on.
async fn auto_authorise_off(p: &mizan_scenarios::pipeline::Pipeline) {
    settings::set(
        p.console.store(),
        SettingScope::Env(Environment::Sandbox),
        AUTO_AUTHORISE_SETTING,
        "off",
        chrono::Utc::now(),
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_auto_authorise_off_an_approved_order_waits_for_a_person() {
    let p = pipeline(602).await;
    auto_authorise_off(&p).await;
    let id = p.new_order("AA-OFF-1").await;
    approve(&p.sb.base_url(), &id).await;
    p.wait_status(&id, "approved").await;
    let rows = p.deliveries().await;
    let approved = rows
        .iter()
        .find(|d| d.event_type.as_deref() == Some("order_approved"))
        .unwrap();
    let result = approved.processing_result.as_deref().unwrap_or_default();
    assert!(!result.contains("authorise"), "{result}");

    // A reconciler sweep respects the setting too.
    let report = reconcile::Reconciler::new(p.console.clone())
        .sweep()
        .await
        .unwrap();
    assert!(
        report.repairs.iter().all(|r| r.note.is_none()),
        "{report:?}"
    );

    // Tamara still has it approved: nothing was sent.
    let at_tamara = mizan_scenarios::client(&p.sb.base_url())
        .order(&id, tamara::OrderPath::Orders)
        .await
        .unwrap();
    assert_eq!(
        at_tamara.value.status.as_ref().map(|s| s.as_str()),
        Some("approved")
    );
    // And a person is told, with the deadline.
    let stuck = reconcile::stuck_orders(&p.console, chrono::Utc::now())
        .await
        .unwrap();
    assert!(
        stuck
            .iter()
            .any(|s| s.order_id == id
                && matches!(s.reason, StuckReason::ApprovedNotAuthorised { .. })),
        "{stuck:?}"
    );
}

/// With merchant auto-capture on, Tamara's authorise answer is also a capture
/// (`auto_captured`, a real `capture_id`): it lands in the ledger once, whether the processor
/// authorised on `order_approved` or a person did.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auto_capturing_authorisation_is_one_capture_in_the_ledger() {
    use mizan_core::moves::{MoveAction, MoveRequest};
    use mizan_core::store::ledger::LedgerKind;
    let config = tamara_sandbox::SandboxConfig {
        auto_capture: true,
        ..tamara_sandbox::SandboxConfig::default()
    };
    let p = mizan_scenarios::pipeline::pipeline_with(603, config, json!({})).await;
    let captures = |id: String| {
        let console = p.console.clone();
        async move {
            let o = console.cached_order(&id).await.unwrap();
            o.ledger
                .into_iter()
                .filter(|e| e.kind == LedgerKind::Capture)
                .collect::<Vec<_>>()
        }
    };

    // The processor authorises on order_approved.
    let by_processor = p.new_order("AC-PROC-1").await;
    approve(&p.sb.base_url(), &by_processor).await;
    p.wait_status(&by_processor, "fully_captured").await;
    let rows = captures(by_processor.clone()).await;
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert_eq!(
        rows[0].comment.as_deref(),
        Some("auto-captured on authorisation")
    );

    // A person authorises.
    auto_authorise_off(&p).await;
    let by_person = p.new_order("AC-PERSON-1").await;
    approve(&p.sb.base_url(), &by_person).await;
    p.wait_status(&by_person, "approved").await;
    let outcome = p
        .console
        .move_money(MoveRequest {
            order_id: by_person.clone(),
            action: MoveAction::Authorise,
            confirm: None,
            idempotency_key: None,
            note: None,
        })
        .await
        .unwrap();
    assert_eq!(
        outcome.order.as_ref().map(|o| o.order.status.as_str()),
        Some("fully_captured")
    );
    p.wait_status(&by_person, "fully_captured").await;
    let rows = captures(by_person).await;
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert!(rows[0].gateway_id.as_deref().is_some_and(|g| !g.is_empty()));
}

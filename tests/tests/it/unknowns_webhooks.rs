//! The reference's open questions about notifications (§16.1, .5, .6, .7, .14, .18), each
//! answered both ways by the simulator, through the real pipeline (signed deliveries to the
//! receiver on loopback, processor, SQLite). Whatever Tamara sends or leaves out, the console
//! ends with the order, the ledger and the inbox right: it re-reads the order after any event
//! and the reconciler re-reads what no event announced.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use mizan_core::Environment;
use mizan_core::reconcile::Reconciler;
use mizan_core::store::deliveries::{DeliveryVerdict, ProcessingState};
use mizan_core::store::ledger::{LedgerKind, LedgerState};
use mizan_core::store::settings::{self, SettingScope};
use mizan_core::webhooks::processor::AUTO_AUTHORISE_SETTING;
use mizan_scenarios::pipeline::{ORDER_EVENTS, Options, Pipeline, pipeline_opts, sar};
use mizan_scenarios::{approve, checkout_request, client};
use serde_json::{Value, json};
use tamara_sandbox::SandboxConfig;
use tamara_sandbox::unknowns::{SilentEvent, UpdatedPayload};

fn with(f: impl FnOnce(&mut SandboxConfig)) -> SandboxConfig {
    let mut c = SandboxConfig {
        retry_schedule: vec![Duration::from_millis(200)],
        ..SandboxConfig::default()
    };
    f(&mut c);
    c
}

async fn control(p: &Pipeline, path: &str, body: Value) -> Value {
    let r = p
        .http
        .post(format!("{}/_sandbox/{path}", p.sb.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap()
}

/// An order created through the console (so it is cached and the reconciler knows it).
async fn console_order(p: &Pipeline, reference: &str) -> String {
    let created = p
        .console
        .create_checkout(&checkout_request(reference))
        .await
        .unwrap();
    created.response.value.order_id
}

async fn no_auto_authorise(p: &Pipeline) {
    let scope = SettingScope::Env(Environment::Sandbox);
    let now = chrono::Utc::now();
    settings::set(p.console.store(), scope, AUTO_AUTHORISE_SETTING, "off", now)
        .await
        .unwrap();
}

/// The amounts of the succeeded captures in the order's ledger.
async fn captures(p: &Pipeline, id: &str) -> Vec<tamara::Money> {
    let o = p.console.cached_order(id).await.unwrap();
    o.ledger
        .iter()
        .filter(|e| e.kind == LedgerKind::Capture && e.state == LedgerState::Succeeded)
        .map(|e| e.amount)
        .collect()
}

/// Every stored delivery verified and none failed or refused: nothing Tamara sent was lost.
async fn inbox_clean(p: &Pipeline) {
    for d in p.deliveries().await {
        assert_eq!(d.verdict, DeliveryVerdict::Verified, "{d:#?}");
        assert_ne!(d.processing_state, ProcessingState::Failed, "{d:#?}");
    }
}

/// §16.1: whether Tamara retries a delivery that found nobody listening. With a retry the
/// processor gets it; without, the reconciler's sweep re-reads the open order and does what
/// the delivery would have made the processor do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_delivery_is_recovered_with_or_without_retries() {
    for (seed, retries) in [(701, true), (702, false)] {
        let config = with(|c| {
            if !retries {
                c.retry_schedule.clear();
            }
        });
        let options = Options {
            receiver_late: true,
            ..Options::default()
        };
        let mut p = pipeline_opts(seed, config, options).await;
        let id = console_order(&p, &format!("UNK-RETRY-{seed}")).await;
        approve(&p.sb.base_url(), &id).await;
        // The first attempt finds the port closed.
        let sim = p.sb.state().clone();
        for _ in 0..100 {
            if !sim.deliverer().log().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(sim.deliverer().log()[0].error.is_some());
        p.start_receiver().await;
        if retries {
            p.wait_status(&id, "authorised").await;
            let tries = sim.deliverer().log();
            let approved = tries
                .iter()
                .filter(|a| a.kind == "webhook" && a.event == "order_approved");
            assert_eq!(approved.map(|a| a.attempt).max(), Some(2), "{tries:#?}");
        } else {
            tokio::time::sleep(Duration::from_millis(400)).await;
            assert!(p.deliveries().await.is_empty(), "no retry, nothing arrives");
            let report = Reconciler::new(p.console.clone()).sweep().await.unwrap();
            assert_eq!(report.repaired, 1, "{report:?}");
            p.wait_status(&id, "authorised").await;
        }
    }
}

/// §16.5: the token lives 900 s or 1,800 s (Tamara's two samples); the receiver verifies
/// both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_token_lifetimes_are_verified() {
    for (seed, lifetime) in [(711, 900), (712, 1800)] {
        let config = with(|c| c.token_lifetime_secs = lifetime);
        let p = pipeline_opts(seed, config, Options::default()).await;
        let id = p.new_order(&format!("UNK-TOKEN-{seed}")).await;
        approve(&p.sb.base_url(), &id).await;
        p.wait_status(&id, "authorised").await;
        assert_eq!(p.deliveries().await.len(), 2);
        inbox_clean(&p).await;
    }
}

/// §16.6: authorise with auto-capture sends `order_authorised`, `order_captured`, or both;
/// authorised by another system, the order reaches the console through whichever arrives,
/// with exactly one capture in the ledger.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auto_capture_is_one_capture_whichever_webhook_announces_it() {
    let answers: [&[SilentEvent]; 3] = [
        &[],
        &[SilentEvent::AutoCaptureAuthorised],
        &[SilentEvent::AutoCaptureCaptured],
    ];
    for (i, silent) in answers.into_iter().enumerate() {
        let config = with(|c| {
            c.auto_capture = true;
            c.silent_events = silent.to_vec();
        });
        let p = pipeline_opts(721 + i as u64, config, Options::default()).await;
        no_auto_authorise(&p).await;
        let id = console_order(&p, &format!("UNK-AC-{i}")).await;
        approve(&p.sb.base_url(), &id).await;
        p.wait_status(&id, "approved").await;
        client(&p.sb.base_url()).authorise(&id).await.unwrap();
        p.wait_status(&id, "fully_captured").await;
        assert_eq!(captures(&p, &id).await, [sar("460")], "{silent:?}");
        inbox_clean(&p).await;
    }
}

/// §16.6: auto-authorisation sends `order_approved`, `order_captured`, or both; the console
/// never tries to authorise an order Tamara already captured, and records the capture once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auto_authorised_order_is_captured_once_whichever_webhook_arrives() {
    let answers: [&[SilentEvent]; 3] = [
        &[],
        &[SilentEvent::AutoAuthorisationApproved],
        &[SilentEvent::AutoAuthorisationCaptured],
    ];
    for (i, silent) in answers.into_iter().enumerate() {
        let config = with(|c| {
            c.auto_authorisation = true;
            c.silent_events = silent.to_vec();
        });
        let p = pipeline_opts(731 + i as u64, config, Options::default()).await;
        let id = console_order(&p, &format!("UNK-AA-{i}")).await;
        approve(&p.sb.base_url(), &id).await;
        p.wait_status(&id, "fully_captured").await;
        assert_eq!(captures(&p, &id).await, [sar("460")], "{silent:?}");
        for d in p.deliveries().await {
            let result = d.processing_result.unwrap_or_default();
            assert!(!result.contains("authorise"), "{result}");
        }
        inbox_clean(&p).await;
    }
}

/// A console following the simulator's clock with an authorised order of its own.
async fn authorised_timed(seed: u64, config: SandboxConfig) -> (Pipeline, String) {
    let options = Options {
        follow_simulator_clock: true,
        ..Options::default()
    };
    let p = pipeline_opts(seed, config, options).await;
    let id = console_order(&p, &format!("UNK-TIMER-{seed}")).await;
    approve(&p.sb.base_url(), &id).await;
    p.wait_status(&id, "authorised").await;
    (p, id)
}

/// §16.6, §16.18: 21 days after authorisation Tamara captures the order, announced or not:
/// the processor or the reconciler records the one capture.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_21_day_capture_reaches_the_ledger_with_or_without_its_webhook() {
    for (seed, silent) in [(741, false), (742, true)] {
        let config = with(|c| {
            if silent {
                c.silent_events = vec![SilentEvent::TimedAutoCapture];
            }
        });
        let (p, id) = authorised_timed(seed, config).await;
        control(&p, "clock/advance", json!({"days": 21})).await;
        if silent {
            tokio::time::sleep(Duration::from_millis(300)).await;
            assert_eq!(p.status(&id).await.as_deref(), Some("authorised"));
            Reconciler::new(p.console.clone()).sweep().await.unwrap();
        }
        p.wait_status(&id, "fully_captured").await;
        assert_eq!(captures(&p, &id).await, [sar("460")]);
        inbox_clean(&p).await;
    }
}

/// §16.6, §16.18: with auto-capture off, an authorised order expires after 90 days,
/// announced or not. The console shows it expired — an expiry is final, so it is never taken
/// for a stale read behind `authorised` — and stops sweeping and flagging it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_90_day_expiry_reaches_the_console_with_or_without_its_webhook() {
    for (seed, silent) in [(751, false), (752, true)] {
        let config = with(|c| {
            c.auto_capture_after_days = None;
            if silent {
                c.silent_events = vec![SilentEvent::AuthorisedExpiry];
            }
        });
        let (p, id) = authorised_timed(seed, config).await;
        control(&p, "clock/advance", json!({"days": 21})).await;
        let report = Reconciler::new(p.console.clone()).sweep().await.unwrap();
        assert_eq!(report.repaired, 0, "nothing happens at 21 days: {report:?}");
        control(&p, "clock/advance", json!({"days": 69})).await;
        if silent {
            Reconciler::new(p.console.clone()).sweep().await.unwrap();
        }
        p.wait_status(&id, "expired").await;
        assert!(captures(&p, &id).await.is_empty());
        let again = Reconciler::new(p.console.clone()).sweep().await.unwrap();
        assert_eq!(again.checked, 0, "an expired order is not open: {again:?}");
        let now = p.console.context().now();
        let stuck = mizan_core::reconcile::stuck_orders(&p.console, now)
            .await
            .unwrap();
        assert!(stuck.iter().all(|s| s.order_id != id), "{stuck:?}");
        inbox_clean(&p).await;
    }
}

/// §16.7: `order_on_hold` either holds the order (every move refused until released) or only
/// notifies. The console stores and processes the event, never fails on it, keeps the last
/// status it can place (`on_hold` is on no documented lifecycle), and refuses a move on a held
/// order from its fresh read, sending nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_on_hold_is_stored_shown_and_never_moved() {
    use mizan_core::moves::{AmountInput, MoveAction, MoveRequest};
    for (seed, keeps) in [(761, false), (762, true)] {
        let config = with(|c| c.on_hold_keeps_status = keeps);
        let mut events = ORDER_EVENTS.to_vec();
        events.push("order_on_hold");
        let options = Options {
            events,
            ..Options::default()
        };
        let p = pipeline_opts(seed, config, options).await;
        let id = console_order(&p, &format!("UNK-HOLD-{seed}")).await;
        approve(&p.sb.base_url(), &id).await;
        p.wait_status(&id, "authorised").await;
        control(&p, &format!("orders/{id}/hold"), json!({})).await;
        let rows = p.wait_settled(3).await;
        let held = rows
            .iter()
            .find(|d| d.event_type.as_deref() == Some("order_on_hold"))
            .unwrap();
        assert_eq!(
            held.processing_state,
            ProcessingState::Processed,
            "{held:#?}"
        );
        let result = held.processing_result.clone().unwrap_or_default();
        assert!(result.contains("order_on_hold"), "{result}");
        if !keeps {
            assert!(result.contains("no documented lifecycle"), "{result}");
        }
        assert_eq!(p.status(&id).await.as_deref(), Some("authorised"));
        let capture = || MoveRequest {
            order_id: id.clone(),
            action: MoveAction::Capture {
                amount: Some(AmountInput::parse("10").unwrap()),
                items: vec![],
                shipping: mizan_scenarios::capture_request(&id, "10").shipping_info,
            },
            confirm: None,
            idempotency_key: None,
            note: None,
        };
        if !keeps {
            let refused = p.console.move_money(capture()).await.unwrap_err();
            assert_eq!(refused.code().as_str(), "move_refused_status", "{refused}");
            assert!(refused.to_string().contains("on_hold"), "{refused}");
            control(&p, &format!("orders/{id}/release"), json!({})).await;
        }
        let done = p.console.move_money(capture()).await.unwrap();
        assert_eq!(done.state(), LedgerState::Succeeded, "{}", done.message);
        inbox_clean(&p).await;
    }
}

/// §16.7: `order_updated` carries the cancel's data, `[]` or an unknown shape. Each partial
/// cancel made elsewhere (a second system, the Partners Portal) reaches the console: no body
/// is refused, and a second update is not mistaken for a repeat of the first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_order_updated_payload_is_accepted_and_each_update_counts() {
    let payloads = [
        UpdatedPayload::LikeCancel,
        UpdatedPayload::Empty,
        UpdatedPayload::Unrecognised,
    ];
    for (i, payload) in payloads.into_iter().enumerate() {
        let config = with(|c| c.order_updated_payload = payload);
        let p = pipeline_opts(771 + i as u64, config, Options::default()).await;
        let id = console_order(&p, &format!("UNK-UPD-{i}")).await;
        approve(&p.sb.base_url(), &id).await;
        p.wait_status(&id, "authorised").await;
        let c = client(&p.sb.base_url());
        for (n, amount) in [(3, "10"), (4, "20")] {
            let req = tamara::model::payments::CancelRequest {
                total_amount: sar(amount),
                shipping_amount: None,
                tax_amount: None,
                discount_amount: None,
                items: vec![],
            };
            c.cancel(&id, &req).await.unwrap();
            p.wait_settled(n).await;
        }
        let cached = p.console.cached_order(&id).await.unwrap();
        assert_eq!(cached.order.canceled, sar("30"), "{payload:?}");
        assert_eq!(cached.order.status, "updated");
        inbox_clean(&p).await;
        let rows = p.deliveries().await;
        let skipped = rows
            .iter()
            .filter(|d| {
                d.processing_result
                    .as_deref()
                    .is_some_and(|r| r.contains("duplicate"))
            })
            .count();
        assert_eq!(skipped, 0, "{payload:?}: {rows:#?}");
    }
}

/// §16.14: the failure and cancel redirects name `declined`/`canceled` or carry no
/// `paymentStatus`; the console's pages show Tamara's real status either way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirect_pages_show_the_real_status_with_or_without_payment_status() {
    for (seed, omit) in [(781, false), (782, true)] {
        let config = with(|c| c.omit_failure_payment_status = omit);
        let p = pipeline_opts(seed, config, Options::default()).await;
        let browser = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::limited(3))
            .build()
            .unwrap();
        for (action, real) in [("decline", "declined"), ("cancel", "expired")] {
            let mut req = checkout_request(&format!("UNK-REDIR-{seed}-{action}"));
            req.merchant_url.success = format!("{}/checkout/success", p.url);
            req.merchant_url.failure = format!("{}/checkout/failure", p.url);
            req.merchant_url.cancel = format!("{}/checkout/cancel", p.url);
            req.merchant_url.notification = None;
            let created = client(&p.sb.base_url())
                .create_checkout(&req)
                .await
                .unwrap()
                .value;
            let page = browser
                .post(format!(
                    "{}/_sandbox/checkout/{}/{action}",
                    p.sb.base_url(),
                    created.checkout_id
                ))
                .send()
                .await
                .unwrap();
            assert!(page.url().as_str().starts_with(&p.url), "{}", page.url());
            assert_eq!(
                page.url().as_str().contains("paymentStatus"),
                !omit,
                "{}",
                page.url()
            );
            assert_eq!(page.status(), 200);
            let html = page.text().await.unwrap();
            assert!(html.contains(&format!("<strong>{real}</strong>")), "{html}");
        }
    }
}

//! The reference's open questions about the API's answers (§16.8, .12, .19, .20), each answered
//! both ways by the simulator, through the console (and the client where the console adds
//! nothing): the console's records and reports stay right either way.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::Duration;

use mizan_core::Console;
use mizan_core::moves::{AmountInput, MoveAction, MoveRequest};
use mizan_core::store::ledger::LedgerState;
use mizan_core::webhooks::registration;
use mizan_scenarios::{approve, capture_request, checkout_request, console, sandbox_with};
use serde_json::Value;
use tamara::model::checkout::CheckoutRequest;
use tamara::{ClientConfig, Sensitive, TamaraClient};
use tamara_sandbox::unknowns::ReferenceLookup;
use tamara_sandbox::{SandboxConfig, SandboxHandle};

async fn setup(
    seed: u64,
    f: impl FnOnce(&mut SandboxConfig),
) -> (SandboxHandle, Console, tempfile::TempDir) {
    let mut config = SandboxConfig::default();
    f(&mut config);
    let sb = sandbox_with(seed, config).await;
    let dir = tempfile::tempdir().unwrap();
    let console = console(&sb.base_url(), dir.path()).await;
    (sb, console, dir)
}

/// §16.8: a duplicate registration answers 409 or 400; either way the console adopts the
/// webhook Tamara already has (its id from the documented error code), never a second one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_registration_is_adopted_under_either_status() {
    for (seed, status) in [(901, 409), (902, 400)] {
        let (_sb, console, _dir) = setup(seed, |c| c.duplicate_webhook_status = status).await;
        let req =
            registration::order_request("http://127.0.0.1:9/webhooks/tamara", &[], BTreeMap::new())
                .unwrap();
        let first = registration::register(console.context(), &req, true)
            .await
            .unwrap();
        assert!(!first.adopted);
        let again = registration::register(console.context(), &req, true)
            .await
            .unwrap();
        assert!(again.adopted, "{status}");
        assert_eq!(again.registration.webhook_id, first.registration.webhook_id);
    }
}

/// §16.8: 401 and 404 with the five-key body or none: the client and the console name the
/// same errors either way (they key on the HTTP status, not the body).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unauthorised_and_not_found_read_the_same_with_or_without_a_body() {
    let mut seen = Vec::new();
    for (seed, bare) in [(911, false), (912, true)] {
        let (sb, console, _dir) = setup(seed, |c| c.bare_401_404 = bare).await;
        let unknown = "00000000-0000-4000-8000-000000000000";
        let not_found = console.fetch_order(unknown).await.unwrap_err();
        let wrong = TamaraClient::new(ClientConfig::new(
            sb.base_url(),
            Sensitive::new("not-the-token".to_owned()),
        ))
        .unwrap();
        let unauthorised = wrong
            .order(unknown, tamara::OrderPath::Orders)
            .await
            .unwrap_err();
        assert_eq!(unauthorised.status(), Some(401));
        seen.push((
            not_found.code().as_str().to_owned(),
            unauthorised.code().to_owned(),
        ));
    }
    assert_eq!(seen[0], seen[1]);
    assert_eq!(
        seen[0],
        (
            "gateway_not_found".to_owned(),
            "gateway_unauthorized".to_owned()
        )
    );
}

/// §16.12: a reused reference reads the newest order or the oldest. The console caches what
/// Tamara answered under that order's own id and loses neither order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reused_reference_reads_whichever_order_tamara_picks() {
    for (seed, lookup) in [
        (921, ReferenceLookup::Newest),
        (922, ReferenceLookup::Oldest),
    ] {
        let (_sb, console, _dir) = setup(seed, |c| c.reference_lookup = lookup).await;
        let mut ids = Vec::new();
        for total in ["100", "200"] {
            let mut req = checkout_request("UNK-REUSED");
            req.total_amount = tamara::Money::parse(total, tamara::Currency::Sar).unwrap();
            req.items[0].total_amount = req.total_amount;
            req.discount = None;
            req.shipping_amount = tamara::Money::zero(tamara::Currency::Sar);
            req.tax_amount = tamara::Money::zero(tamara::Currency::Sar);
            let created = console.create_checkout(&req).await.unwrap();
            ids.push(created.response.value.order_id);
        }
        let read = console
            .fetch_order_by_reference("UNK-REUSED")
            .await
            .unwrap();
        let want = match lookup {
            ReferenceLookup::Newest => &ids[1],
            ReferenceLookup::Oldest => &ids[0],
        };
        assert_eq!(&read.order.order_id, want, "{lookup:?}");
        for (id, total) in ids.iter().zip(["100", "200"]) {
            let cached = console.cached_order(id).await.unwrap().order;
            assert_eq!(cached.total.amount().to_string(), format!("{total}.00"));
        }
    }
}

/// §16.19: an update that removes every custom header sends `"headers": {}`, which Tamara may
/// read as "clear" or "keep". The console's record shows the headers Tamara says it holds, so
/// it is right either way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_without_headers_leaves_the_console_s_record_right() {
    for (seed, keeps) in [(931, false), (932, true)] {
        let (sb, console, _dir) = setup(seed, |c| c.webhook_update_keeps_headers = keeps).await;
        let url = "http://127.0.0.1:9/webhooks/tamara";
        let headers = BTreeMap::from([("x-console-key".to_owned(), "k-secret-7f3a".to_owned())]);
        let req = registration::order_request(url, &[], headers).unwrap();
        let reg = registration::register(console.context(), &req, true)
            .await
            .unwrap();
        let id = reg.registration.webhook_id;
        let none = registration::order_request(url, &[], BTreeMap::new()).unwrap();
        let updated = registration::update(console.context(), &id, &none, true)
            .await
            .unwrap();
        let held = mizan_scenarios::client(&sb.base_url())
            .get_webhook(&id)
            .await
            .unwrap()
            .value
            .headers;
        assert_eq!(held.is_empty(), !keeps, "{held:?}");
        let recorded: BTreeMap<String, String> =
            serde_json::from_str(&updated.headers_json).unwrap();
        let names: Vec<&String> = recorded.keys().collect();
        assert_eq!(names, held.keys().collect::<Vec<_>>(), "keeps={keeps}");
        assert!(!updated.headers_json.contains("k-secret-7f3a"), "masked");
    }
}

/// The documented checkout example in Qatar's currency.
fn in_qatar(reference: &str) -> CheckoutRequest {
    let mut v: Value = serde_json::to_value(checkout_request(reference)).unwrap();
    fn to_qar(v: &mut Value) {
        match v {
            Value::String(s) if s == "SAR" => *s = "QAR".into(),
            Value::Array(a) => a.iter_mut().for_each(to_qar),
            Value::Object(o) => o.values_mut().for_each(to_qar),
            _ => {}
        }
    }
    to_qar(&mut v);
    v["country_code"] = "QA".into();
    v["shipping_address"]["country_code"] = "QA".into();
    serde_json::from_value(v).unwrap()
}

/// §16.20: a Qatari checkout is refused as an unsupported pair, reported with Tamara's code;
/// or accepted, and its money (2 decimals) moves exactly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_qatari_order_is_refused_cleanly_or_handled_exactly() {
    for (seed, supported) in [(941, false), (942, true)] {
        let (sb, console, _dir) = setup(seed, |c| c.qatar_supported = supported).await;
        let created = console
            .create_checkout(&in_qatar(&format!("UNK-QA-{seed}")))
            .await;
        if !supported {
            let e = created.unwrap_err();
            assert_eq!(e.code().as_str(), "gateway_rejected", "{e}");
            assert!(
                e.to_string().contains("not_supported_country_currency"),
                "{e}"
            );
            continue;
        }
        let id = created.unwrap().response.value.order_id;
        approve(&sb.base_url(), &id).await;
        let run = |action| {
            console.move_money(MoveRequest {
                order_id: id.clone(),
                action,
                confirm: None,
                idempotency_key: None,
                note: None,
            })
        };
        run(MoveAction::Authorise).await.unwrap();
        let captured = run(MoveAction::Capture {
            amount: Some(AmountInput::parse("100.55 QAR").unwrap()),
            items: vec![],
            shipping: capture_request(&id, "1").shipping_info,
        })
        .await
        .unwrap();
        assert_eq!(
            captured.state(),
            LedgerState::Succeeded,
            "{}",
            captured.message
        );
        let cached = console.cached_order(&id).await.unwrap().order;
        assert_eq!(cached.captured.to_string(), "100.55 QAR");
    }
}

/// §16.20: `expires_in_minutes` honoured or ignored; the console shows what Tamara says, and
/// keeps sweeping the order while Tamara has it open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_session_expires_when_tamara_honours_it() {
    for (seed, honoured) in [(951, false), (952, true)] {
        let (sb, console, _dir) = setup(seed, |c| c.honour_expires_in_minutes = honoured).await;
        let mut req = checkout_request(&format!("UNK-SESSION-{seed}"));
        req.expires_in_minutes = Some(10);
        let id = console
            .create_checkout(&req)
            .await
            .unwrap()
            .response
            .value
            .order_id;
        reqwest::Client::new()
            .post(format!("{}/_sandbox/clock/advance", sb.base_url()))
            .json(&serde_json::json!({"minutes": 11}))
            .send()
            .await
            .unwrap();
        let report = mizan_core::reconcile::Reconciler::new(console.clone())
            .sweep()
            .await
            .unwrap();
        assert_eq!(report.checked, 1);
        let status = console.cached_order(&id).await.unwrap().order.status;
        assert_eq!(status, if honoured { "expired" } else { "new" });
    }
}

/// §16.20: with a rate limit, a money move refused with 429 is a clean refusal (nothing was
/// done, so nothing to re-read); reads get through once the window passes. Without one, the
/// same move succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_move_is_refused_cleanly() {
    for (seed, limit) in [(961, None), (962, Some(1))] {
        let (sb, console, _dir) = setup(seed, |c| c.rate_limit_per_second = limit).await;
        let id = console
            .create_checkout(&checkout_request(&format!("UNK-RATE-{seed}")))
            .await
            .unwrap()
            .response
            .value
            .order_id;
        approve(&sb.base_url(), &id).await;
        // A fresh window: the move's read takes its one call, the POST meets the limit.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let o = console
            .move_money(MoveRequest {
                order_id: id.clone(),
                action: MoveAction::Authorise,
                confirm: None,
                idempotency_key: None,
                note: None,
            })
            .await
            .unwrap();
        if limit.is_none() {
            assert_eq!(o.state(), LedgerState::Succeeded, "{}", o.message);
            continue;
        }
        assert_eq!(o.state(), LedgerState::Failed, "{}", o.message);
        assert!(o.message.contains("429"), "{}", o.message);
        assert!(o.message.contains("No money moved"), "{}", o.message);
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let read = console.fetch_order(&id).await.unwrap();
        assert_eq!(read.order.status, "approved", "Tamara did nothing");
    }
}

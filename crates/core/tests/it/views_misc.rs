//! The desktop's smaller read models on a real SQLite file: the attention queue (deadlines,
//! failed auto-authorise, processing failures), saved views and their refusals, and the token
//! tester with real signed tokens.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use chrono::{TimeZone, Utc};
use mizan_core::store::deliveries::{self, DeliveryVerdict, NewDelivery};
use mizan_core::store::seed;
use mizan_core::views::attention::{self, AttentionReason};
use mizan_core::views::{saved, token_check};
use mizan_core::{Console, Environment};
use tamara::Sensitive;

async fn console(dir: &std::path::Path) -> Console {
    common::console(dir, &[]).await
}

fn failed_delivery(order_id: &str) -> NewDelivery {
    NewDelivery {
        environment: Environment::Sandbox,
        received_at: Utc::now(),
        method: "POST".into(),
        path: "/webhooks/tamara".into(),
        query: None,
        headers_json: "{}".into(),
        body: format!(r#"{{"order_id":"{order_id}","event_type":"order_approved","data":[]}}"#),
        verdict: DeliveryVerdict::Verified,
        reason: None,
        http_status: 200,
        order_id: Some(order_id.into()),
        event_type: Some("order_approved".into()),
        sender: None,
        sizes: None,
    }
}

#[tokio::test]
async fn the_attention_queue_orders_deadlines_and_names_failures() {
    let dir = tempfile::tempdir().unwrap();
    let console = console(dir.path()).await;
    // 100 seeded orders: j % 20 == 0 approved (5), j % 20 in {4, 5} authorised (10), j % 20 == 6
    // captured in half (5): money left to capture, so in the queue too.
    seed::seed_orders(console.store(), Environment::Sandbox, 0, 100)
        .await
        .unwrap();
    seed::seed_orders(console.store(), Environment::Production, 100, 200)
        .await
        .unwrap();
    let approved = "00000014-0000-4000-8000-5eed00000014"; // j = 20
    for (order, why) in [
        (
            approved,
            "authorise failed: gateway_timeout: no answer in 30 s",
        ),
        ("not-cached-order", "re-read failed: order_not_found: 404"),
    ] {
        let id = deliveries::insert(console.store(), &failed_delivery(order))
            .await
            .unwrap();
        deliveries::mark_failed(console.store(), id, why, Utc::now())
            .await
            .unwrap();
    }
    let now = Utc.with_ymd_and_hms(2026, 1, 3, 23, 40, 0).unwrap();
    let q = attention::attention_queue(&console, now).await.unwrap();
    let count = |r: AttentionReason| q.iter().filter(|i| i.reason == r).count();
    assert_eq!(
        count(AttentionReason::ApprovedNotAuthorised),
        5,
        "sandbox only"
    );
    assert_eq!(count(AttentionReason::AuthorisedNotCaptured), 15);
    assert_eq!(count(AttentionReason::AutoAuthoriseFailed), 1);
    assert_eq!(count(AttentionReason::Mismatch), 1);
    let timed: Vec<_> = q.iter().filter_map(|i| i.deadline).collect();
    assert_eq!(timed.len(), 20, "deadlines first");
    assert!(timed.windows(2).all(|w| w[0] <= w[1]), "soonest first");
    let first = &q[0];
    assert_eq!(first.reason, AttentionReason::ApprovedNotAuthorised);
    assert!(first.reference.starts_with(seed::PREFIX));
    // Approved orders have 72 h from creation: seeded ones were created 31 s apart up to
    // 2026-01-01, so at 23:40 on 2026-01-03 the older ones have expired and the message says so.
    assert!(
        q.iter()
            .any(|i| i.detail.contains("the deadline has passed")),
        "{q:#?}"
    );
    let newest = q
        .iter()
        .find(|i| i.order_id.starts_with("00000000-"))
        .unwrap();
    assert_eq!(
        newest.deadline.unwrap(),
        Utc.with_ymd_and_hms(2026, 1, 4, 0, 0, 0).unwrap()
    );
    assert!(
        newest.detail.contains("0 h 20 min left"),
        "{}",
        newest.detail
    );
    let auto = q
        .iter()
        .find(|i| i.reason == AttentionReason::AutoAuthoriseFailed)
        .unwrap();
    assert_eq!(auto.order_id, approved);
    assert!(auto.detail.contains("gateway_timeout"), "{}", auto.detail);
    let mismatch = q
        .iter()
        .find(|i| i.reason == AttentionReason::Mismatch)
        .unwrap();
    assert_eq!(mismatch.reference, "", "not cached: no reference");
}

#[tokio::test]
async fn saved_views_round_trip_and_refuse_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let console = console(dir.path()).await;
    assert!(saved::list(&console).await.unwrap().is_empty());
    saved::save(
        &console,
        " Waiting ",
        r#"{"statuses":["approved"],"limit":100}"#,
    )
    .await
    .unwrap();
    saved::save(
        &console,
        "Waiting",
        r#"{"statuses":["authorised"],"limit":50}"#,
    )
    .await
    .unwrap();
    saved::save(&console, "KWD", r#"{"currency":"KWD","limit":100}"#)
        .await
        .unwrap();
    let views = saved::list(&console).await.unwrap();
    assert_eq!(views.len(), 2, "saving a name again replaces it");
    let waiting = views.iter().find(|v| v.name == "Waiting").unwrap();
    assert!(waiting.query_json.contains("authorised"));

    for (name, json, needle) in [
        ("", "{}", "1 to 60"),
        (&"x".repeat(61) as &str, "{}", "1 to 60"),
        ("tab\there", "{}", "control"),
        ("ok", "not json", "not JSON"),
        ("ok", "[1]", "JSON object"),
    ] {
        let e = saved::save(&console, name, json).await.unwrap_err();
        assert_eq!(e.code(), "invalid_input");
        assert!(e.to_string().contains(needle), "{e}");
    }
    let e = saved::delete(&console, "Nope").await.unwrap_err();
    assert!(e.to_string().contains("no saved view named"), "{e}");
    saved::delete(&console, "KWD").await.unwrap();
    assert_eq!(saved::list(&console).await.unwrap().len(), 1);
    for i in 0..(saved::MAX_VIEWS - 1) {
        saved::save(&console, &format!("v{i}"), "{}").await.unwrap();
    }
    let e = saved::save(&console, "one too many", "{}")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("at most"), "{e}");
    saved::save(&console, "v1", r#"{"limit":10}"#)
        .await
        .expect("replacing an existing view is allowed at the limit");
}

#[tokio::test]
async fn the_token_tester_says_which_check_fails() {
    let dir = tempfile::tempdir().unwrap();
    let console = console(dir.path()).await;
    // The built-in sandbox's notification token verifies.
    let key = Sensitive::new(mizan_core::config::BUILT_IN_SANDBOX_NOTIFICATION_TOKEN.to_owned());
    let now = Utc::now().timestamp();
    let good = tamara::notification::sign_token(&key, now).unwrap();
    let (ok, checks) = token_check::check_token(&console, &good, now);
    assert!(ok, "{checks:?}");
    assert!(checks.iter().all(|c| c.ok));
    assert_eq!(checks.len(), 7);

    let url = format!("https://shop.example/webhooks/tamara?tamaraToken={good}");
    let (ok, checks) = token_check::check_token(&console, &url, now);
    assert!(ok);
    assert!(checks[0].detail.contains("URL"), "{}", checks[0].detail);

    let failing = |input: &str, at: i64| {
        let (ok, checks) = token_check::check_token(&console, input, at);
        assert!(!ok);
        let first_bad = checks.iter().find(|c| !c.ok).unwrap().clone();
        let after: Vec<_> = checks
            .iter()
            .skip_while(|c| c.name != first_bad.name)
            .skip(1)
            .collect();
        assert!(
            after
                .iter()
                .all(|c| !c.ok && c.detail.starts_with("not checked"))
        );
        first_bad
    };
    let expired = failing(&good, now + 3_600);
    assert_eq!(expired.name, "expiry");
    assert!(expired.detail.contains("expired"), "{}", expired.detail);
    let other =
        tamara::notification::sign_token(&Sensitive::new("another-key".into()), now).unwrap();
    assert_eq!(failing(&other, now).name, "signature");
    assert_eq!(failing("not-a-jwt", now).name, "format");
    assert_eq!(failing("  ", now).name, "found");
    assert_eq!(failing("Authorization: Basic abc", now).name, "format");
    let none_alg = "eyJhbGciOiJub25lIn0.eyJpc3MiOiJUYW1hcmEifQ.";
    assert_eq!(failing(none_alg, now).name, "algorithm");
    for c in token_check::check_token(&console, &good, now).1 {
        assert!(!c.detail.contains(&good), "the token is never echoed");
    }
}

#[tokio::test]
async fn approved_orders_waiting_for_authorisation_are_counted_and_alert_when_old() {
    let dir = tempfile::tempdir().unwrap();
    let console = console(dir.path()).await;
    let none = mizan_core::views::backlog::approved_waiting(&console)
        .await
        .unwrap();
    assert_eq!(
        (none.count, none.oldest_age_secs, none.alerting),
        (0, None, false)
    );
    // j % 20 == 0 is approved: 3 of 60 seeded orders, changed long before now.
    seed::seed_orders(console.store(), Environment::Sandbox, 0, 60)
        .await
        .unwrap();
    seed::seed_orders(console.store(), Environment::Production, 60, 100)
        .await
        .unwrap();
    let waiting = mizan_core::views::backlog::approved_waiting(&console)
        .await
        .unwrap();
    assert_eq!(waiting.count, 3, "this environment's only");
    assert!(
        waiting
            .oldest_age_secs
            .is_some_and(|a| a > waiting.alert_after_secs)
    );
    assert!(waiting.alerting);
    assert_eq!(
        mizan_core::views::backlog::approved_alert_from(Some("5")),
        5
    );
    assert_eq!(
        mizan_core::views::backlog::approved_alert_from(Some("0")),
        1
    );
    assert_eq!(mizan_core::views::backlog::approved_alert_from(None), 30);
}

//! The reconciler against the real simulator: a dropped webhook is repaired by a sweep, an
//! order named only by a failed delivery is fetched, statuses never move backwards, and
//! `stuck_orders` flags the 72 h and 21 day deadlines (with an injected `now`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, Utc};
use mizan_core::reconcile::{self, Reconciler, StuckReason};
use mizan_core::store::deliveries::{self, DeliveryVerdict, NewDelivery};
use mizan_core::store::orders;
use mizan_scenarios::{approve, checkout_request, client, console, sandbox};

#[tokio::test]
async fn a_sweep_repairs_what_webhooks_missed() {
    let sb = sandbox(51).await;
    let url = sb.base_url();
    let dir = tempfile::tempdir().unwrap();
    let console = console(&url, dir.path()).await;
    let created = console
        .create_checkout(&checkout_request("REC-1"))
        .await
        .unwrap();
    let id = created.response.value.order_id.clone();
    // The customer pays; the webhook never reaches the console (nothing is registered).
    approve(&url, &id).await;
    assert_eq!(console.cached_order(&id).await.unwrap().order.status, "new");

    // An order the console never cached, named by a delivery whose processing failed.
    let other = client(&url)
        .create_checkout(&checkout_request("REC-2"))
        .await
        .unwrap()
        .value
        .order_id;
    let delivery = deliveries::insert(
        console.store(),
        &NewDelivery {
            environment: console.environment(),
            received_at: Utc::now(),
            method: "POST".into(),
            path: "/webhooks/tamara".into(),
            query: None,
            headers_json: "{}".into(),
            body: "{}".into(),
            verdict: DeliveryVerdict::Verified,
            reason: None,
            http_status: 200,
            order_id: Some(other.clone()),
            event_type: Some("order_approved".into()),
            sender: None,
            sizes: None,
        },
    )
    .await
    .unwrap();
    deliveries::mark_failed(console.store(), delivery, "gateway_timeout", Utc::now())
        .await
        .unwrap();

    let reconciler = Reconciler::new(console.clone()).with_concurrency(2);
    let report = reconciler.sweep().await.unwrap();
    assert_eq!(report.checked, 2, "{report:?}");
    assert_eq!(report.repaired, 2, "{report:?}");
    assert_eq!(report.failed, 0);
    // Found approved with auto-authorise on (the default): authorised, as the processor would.
    let r = report.repairs.iter().find(|r| r.order_id == id).unwrap();
    assert_eq!(
        (r.from.as_deref(), r.to.as_str()),
        (Some("new"), "authorised")
    );
    assert_eq!(r.note.as_deref(), Some("auto-authorised by the reconciler"));
    let r = report.repairs.iter().find(|r| r.order_id == other).unwrap();
    assert_eq!(r.from, None);
    assert_eq!(
        console.cached_order(&id).await.unwrap().order.status,
        "authorised"
    );
    let chain = mizan_core::store::audit::list_chain(console.store(), 100, 0)
        .await
        .unwrap();
    assert!(
        chain
            .iter()
            .any(|e| e.action == "reconciler.authorised" && e.subject == id)
    );

    let again = reconciler.sweep().await.unwrap();
    assert_eq!((again.repaired, again.unchanged), (0, 2), "{again:?}");
    let last = reconcile::last_sweep(&console).await.unwrap().unwrap();
    assert_eq!(last, again, "the last report is kept for `mizan status`");

    // Stuck: the authorised order (capture before auto-capture), and the failed delivery.
    let stuck = reconcile::stuck_orders(&console, Utc::now()).await.unwrap();
    assert!(
        stuck
            .iter()
            .any(|s| s.order_id == id
                && matches!(s.reason, StuckReason::AuthorisedNotCaptured { .. }))
    );
    assert!(stuck.iter().any(|s| matches!(
        s.reason,
        StuckReason::ProcessingFailed { delivery_id, .. } if delivery_id == delivery
    )));
    sb.shutdown().await;
}

#[tokio::test]
async fn deadlines_are_flagged_at_72_hours_and_21_days() {
    let sb = sandbox(52).await;
    let url = sb.base_url();
    let dir = tempfile::tempdir().unwrap();
    let console = console(&url, dir.path()).await;
    let id = console
        .create_checkout(&checkout_request("REC-3"))
        .await
        .unwrap()
        .response
        .value
        .order_id;
    approve(&url, &id).await;
    let cached = console.fetch_order(&id).await.unwrap().order;

    let at = |now| {
        let console = console.clone();
        let id = id.clone();
        async move {
            reconcile::stuck_orders(&console, now)
                .await
                .unwrap()
                .into_iter()
                .find(|s| s.order_id == id)
                .unwrap()
        }
    };
    let s = at(cached.created_at + Duration::hours(71)).await;
    let StuckReason::ApprovedNotAuthorised { expires_at } = s.reason else {
        panic!("{s:?}")
    };
    assert_eq!(expires_at, cached.created_at + Duration::hours(72));
    assert_eq!(s.time_left, Some(Duration::hours(1)));
    let s = at(cached.created_at + Duration::hours(73)).await;
    assert_eq!(s.time_left, Some(Duration::hours(-1)), "overdue");

    // Authorised (by someone else) and seen by a sweep: auto-capture 21 days later.
    client(&url).authorise(&id).await.unwrap();
    Reconciler::new(console.clone()).sweep().await.unwrap();
    let s = at(Utc::now()).await;
    let StuckReason::AuthorisedNotCaptured { auto_capture_at } = s.reason else {
        panic!("{s:?}")
    };
    let left = s.time_left.unwrap();
    assert!(
        left > Duration::days(20) && left <= Duration::days(21),
        "{left:?}"
    );
    let s = at(auto_capture_at + Duration::minutes(5)).await;
    assert_eq!(s.time_left, Some(Duration::minutes(-5)));
    sb.shutdown().await;
}

#[tokio::test]
async fn a_stale_read_never_moves_a_status_backwards() {
    let sb = sandbox(53).await;
    let url = sb.base_url();
    let dir = tempfile::tempdir().unwrap();
    let console = console(&url, dir.path()).await;
    let id = console
        .create_checkout(&checkout_request("REC-4"))
        .await
        .unwrap()
        .response
        .value
        .order_id;
    // The cache already knows a later status (say, from a webhook processed earlier).
    let mut ahead = console.cached_order(&id).await.unwrap().order;
    ahead.status = "authorised".into();
    orders::upsert(console.store(), &ahead).await.unwrap();
    // Tamara still says `new` (a lagging replica): the cache keeps `authorised`.
    let read = console.fetch_order(&id).await.unwrap();
    assert_eq!(read.order.status, "authorised");
    sb.shutdown().await;
}

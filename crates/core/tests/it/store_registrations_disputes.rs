//! Webhook registrations, disputes and dispute notifications on each backend.

// Test helpers outside #[test] fns panic on setup failure by design.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use mizan_core::environment::Environment::{self, Production, Sandbox};
use mizan_core::money::{Currency, Money};
use mizan_core::store::disputes::{self, DisputeEventRecord, DisputeRecord, EventScope};
use mizan_core::store::mask_secret;
use mizan_core::store::registrations::{self, ConfirmedBy, WebhookRegistration};

use crate::backends;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 1, 10, 0, 0).unwrap()
}

fn registration(env: Environment, id: &str, minutes: i64) -> WebhookRegistration {
    WebhookRegistration {
        environment: env,
        webhook_id: id.to_owned(),
        url: "https://merchant.example/webhooks/tamara".to_owned(),
        events_json: r#"["order_approved","order_captured"]"#.to_owned(),
        headers_json: format!(r#"{{"x-shop":"{}"}}"#, mask_secret("shop-secret-9876")),
        webhook_type: "order".to_owned(),
        created_at: t0() + Duration::minutes(minutes),
        confirmed_at: None,
        confirmed_by: None,
        deleted_at: None,
    }
}

#[tokio::test]
async fn registrations_are_confirmed_and_soft_deleted() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let a = registration(Sandbox, "wh-a", 0);
        registrations::upsert(&store, &a).await.unwrap();
        registrations::upsert(&store, &registration(Sandbox, "wh-b", 1))
            .await
            .unwrap();
        registrations::upsert(&store, &registration(Production, "wh-a", 0))
            .await
            .unwrap();
        assert_eq!(
            registrations::get(&store, Sandbox, "wh-a").await.unwrap(),
            Some(a.clone())
        );
        assert_eq!(
            registrations::get(&store, Sandbox, "wh-x").await.unwrap(),
            None
        );

        let at = t0() + Duration::hours(1);
        registrations::mark_confirmed(&store, Sandbox, "wh-a", ConfirmedBy::Listing, at)
            .await
            .unwrap();
        let got = registrations::get(&store, Sandbox, "wh-a")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (got.confirmed_at, got.confirmed_by),
            (Some(at), Some(ConfirmedBy::Listing))
        );
        let prod = registrations::get(&store, Production, "wh-a")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            prod.confirmed_at, None,
            "confirming sandbox does not touch production"
        );
        let err = registrations::mark_confirmed(&store, Sandbox, "wh-x", ConfirmedBy::Get, at)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "store_not_found");

        registrations::mark_deleted(&store, Sandbox, "wh-b", at)
            .await
            .unwrap();
        let live = registrations::list(&store, Sandbox, false).await.unwrap();
        assert_eq!(
            live.iter()
                .map(|r| r.webhook_id.as_str())
                .collect::<Vec<_>>(),
            ["wh-a"]
        );
        let all = registrations::list(&store, Sandbox, true).await.unwrap();
        assert_eq!(all.len(), 2, "deleted rows stay as history");
        assert_eq!(all[1].deleted_at, Some(at));

        let err = registrations::mark_deleted(&store, Production, "wh-b", at)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "store_not_found");

        // An upsert replaces every column, stamps included.
        let mut moved = a.clone();
        moved.url = "https://merchant.example/v2".to_owned();
        registrations::upsert(&store, &moved).await.unwrap();
        assert_eq!(
            registrations::get(&store, Sandbox, "wh-a").await.unwrap(),
            Some(moved),
            "{}",
            b.name
        );
    }
}

fn dispute(env: Environment, id: &str, order: &str, opened_minutes: Option<i64>) -> DisputeRecord {
    DisputeRecord {
        environment: env,
        dispute_id: id.to_owned(),
        order_id: Some(order.to_owned()),
        order_reference_id: Some(format!("REF-{order}")),
        status: "awaiting_merchant_response".to_owned(),
        amount: Some(Money::parse("12.345", Currency::Kwd).unwrap()),
        opened_at: opened_minutes.map(|m| t0() + Duration::minutes(m)),
        closed_at: None,
        awaiting_since: Some(t0()),
        last_event: Some("dispute_created".to_owned()),
        source: "notification".to_owned(),
        raw_json: None,
        updated_at: t0() + Duration::minutes(5),
    }
}

#[tokio::test]
async fn disputes_upsert_and_list_newest_opened_first() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let d1 = dispute(Sandbox, "d-1", "o-1", Some(10));
        let d2 = dispute(Sandbox, "d-2", "o-1", Some(20));
        // Not opened: listed by its update time (minute 5).
        let mut d3 = dispute(Sandbox, "d-3", "o-2", None);
        (d3.amount, d3.source) = (None, "list".to_owned());
        for d in [&d1, &d2, &d3, &dispute(Production, "d-1", "o-1", Some(30))] {
            disputes::upsert(&store, d).await.unwrap();
        }
        assert_eq!(
            disputes::get(&store, Sandbox, "d-3").await.unwrap(),
            Some(d3.clone())
        );
        assert_eq!(disputes::get(&store, Sandbox, "d-9").await.unwrap(), None);

        let ids = |v: Vec<DisputeRecord>| v.into_iter().map(|d| d.dispute_id).collect::<Vec<_>>();
        assert_eq!(
            ids(disputes::list(&store, Sandbox, None).await.unwrap()),
            ["d-2", "d-1", "d-3"],
            "{}",
            b.name
        );
        assert_eq!(
            ids(disputes::list(&store, Sandbox, Some("o-1")).await.unwrap()),
            ["d-2", "d-1"]
        );
        assert!(
            disputes::list(&store, Production, Some("o-2"))
                .await
                .unwrap()
                .is_empty()
        );

        let mut closed = d1.clone();
        closed.status = "closed".to_owned();
        closed.closed_at = Some(t0() + Duration::hours(2));
        closed.raw_json = Some("{}".to_owned());
        disputes::upsert(&store, &closed).await.unwrap();
        assert_eq!(
            disputes::get(&store, Sandbox, "d-1").await.unwrap(),
            Some(closed)
        );
        assert_eq!(
            disputes::get(&store, Production, "d-1")
                .await
                .unwrap()
                .unwrap()
                .status,
            "awaiting_merchant_response",
            "the other environment's dispute is untouched"
        );
    }
}

fn event(delivery: Option<i64>, order: Option<&str>, dispute: Option<&str>) -> DisputeEventRecord {
    DisputeEventRecord {
        id: 0,
        environment: Sandbox,
        delivery_id: delivery,
        event_type: "dispute_created".to_owned(),
        order_id: order.map(str::to_owned),
        dispute_id: dispute.map(str::to_owned),
        status: dispute.map(|_| "awaiting_merchant_response".to_owned()),
        recognised: order.is_some() && dispute.is_some(),
        received_at: t0(),
        body: r#"{"event_type":"dispute_created"}"#.to_owned(),
    }
}

#[tokio::test]
async fn a_dispute_delivery_is_recorded_once_until_released() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        b.execute(
            "INSERT INTO webhook_deliveries (id, environment, received_at, method, path,
                headers_json, body, verdict, http_status, processing_state)
             VALUES (1, 'sandbox', '2024-06-01T10:00:00.000000000Z', 'POST', '/w', '{}', '{}',
                'verified', 200, 'processed'),
                (2, 'sandbox', '2024-06-01T10:00:00.000000000Z', 'POST', '/w', '{}', '{}',
                'verified', 200, 'processed')",
        )
        .await
        .unwrap();
        let recognised = event(Some(1), Some("o-1"), Some("d-1"));
        assert!(disputes::insert_event(&store, &recognised).await.unwrap());
        assert!(
            !disputes::insert_event(&store, &recognised).await.unwrap(),
            "{}: a repeat delivery is not recorded twice",
            b.name
        );
        // Not understood: no dispute named. Twice without a delivery: both kept.
        assert!(
            disputes::insert_event(&store, &event(Some(2), Some("o-1"), None))
                .await
                .unwrap()
        );
        assert!(
            disputes::insert_event(&store, &event(None, None, None))
                .await
                .unwrap()
        );
        assert!(
            disputes::insert_event(&store, &event(None, Some("o-2"), Some("d-2")))
                .await
                .unwrap()
        );

        let of_order = disputes::events(&store, Sandbox, EventScope::Order("o-1"), 10)
            .await
            .unwrap();
        assert_eq!(
            of_order
                .iter()
                .map(|e| (e.delivery_id, e.recognised, e.dispute_id.as_deref()))
                .collect::<Vec<_>>(),
            [(Some(1), true, Some("d-1")), (Some(2), false, None)],
            "{}: oldest first, the flag round-trips",
            b.name
        );
        assert_eq!(of_order[0].received_at, t0());
        assert_eq!(
            of_order[0].status.as_deref(),
            Some("awaiting_merchant_response")
        );
        let newest = disputes::events(&store, Sandbox, EventScope::Order("o-1"), 1)
            .await
            .unwrap();
        assert_eq!(newest.len(), 1);
        assert_eq!(newest[0].delivery_id, Some(2), "the limit keeps the newest");
        let unmatched = disputes::events(&store, Sandbox, EventScope::Unmatched, 10)
            .await
            .unwrap();
        assert_eq!(
            unmatched.iter().map(|e| e.delivery_id).collect::<Vec<_>>(),
            [Some(2), None]
        );
        assert!(
            disputes::events(&store, Production, EventScope::Unmatched, 10)
                .await
                .unwrap()
                .is_empty()
        );

        disputes::release_event(&store, Sandbox, 1).await.unwrap();
        assert_eq!(b.scalar("SELECT COUNT(*) FROM dispute_events").await, 3);
        assert!(
            disputes::insert_event(&store, &recognised).await.unwrap(),
            "a released delivery is recorded again"
        );
        disputes::release_event(&store, Production, 2)
            .await
            .unwrap();
        assert_eq!(
            b.scalar("SELECT COUNT(*) FROM dispute_events").await,
            4,
            "releasing in the other environment removes nothing"
        );
    }
}

//! The webhook inbox on each backend (SQLite and PostgreSQL), processed-event keys and webhook
//! registrations on a real SQLite file, and what the receiver writes into the inbox.

// Test helpers outside #[test] fns panic on setup failure by design.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use mizan_core::environment::Environment::{self, Production, Sandbox};
use mizan_core::store::deliveries::{
    self, DeliveryFilter, DeliveryVerdict, NewDelivery, ProcessingState,
};
use mizan_core::store::events::{self, EventKey};
use mizan_core::store::{Store, mask_secret};
use mizan_core::webhooks::{ReceiverState, router};
use tamara::Sensitive;
use tamara::notification::sign_token;
use tokio::sync::Notify;

use crate::{backends, common};

async fn open_temp() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("mizan.db")).await.unwrap();
    (dir, store)
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 1, 10, 0, 0).unwrap()
}

fn delivery(env: Environment, order_id: &str, verdict: DeliveryVerdict) -> NewDelivery {
    let token = "eyJhbGciOiJIUzI1NiJ9.payload.signature1234";
    NewDelivery {
        environment: env,
        received_at: t0(),
        method: "POST".to_owned(),
        path: "/webhooks/tamara".to_owned(),
        query: Some(format!("tamaraToken={}", mask_secret(token))),
        headers_json: format!(r#"{{"authorization":"Bearer {}"}}"#, mask_secret(token)),
        body: format!(
            r#"{{"order_id":"{order_id}","event_type":"order_approved","data":[],"amount":10.005}}"#
        ),
        verdict,
        reason: (verdict != DeliveryVerdict::Verified).then(|| "token expired".to_owned()),
        http_status: if verdict == DeliveryVerdict::Rejected {
            401
        } else {
            200
        },
        order_id: Some(order_id.to_owned()),
        event_type: Some("order_approved".to_owned()),
        sender: None,
        sizes: None,
    }
}

#[tokio::test]
async fn a_delivery_is_on_disk_when_insert_returns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mizan.db");
    let store = Store::open(&path).await.unwrap();
    let new = delivery(Sandbox, "o-1", DeliveryVerdict::Verified);
    let id = deliveries::insert(&store, &new).await.unwrap();

    // A second, independent pool on the same file sees it while the first is still open.
    let other = Store::open(&path).await.unwrap();
    assert!(
        deliveries::get(&other, id).await.unwrap().is_some(),
        "committed, not buffered"
    );
    other.close().await;
    // Drop the first pool without a graceful close, then reopen the file.
    drop(store);
    let reopened = Store::open(&path).await.unwrap();
    let got = deliveries::get(&reopened, id).await.unwrap().unwrap();
    assert_eq!(got.body, new.body, "the raw body is kept verbatim");
    assert_eq!(got.headers_json, new.headers_json);
    assert_eq!(got.received_at, new.received_at);
    assert_eq!(got.processing_state, ProcessingState::Pending);
    assert_eq!(got.attempts, 0);
}

/// Secrets never reach the inbox: a real signed token in the `Authorization` header and the
/// `tamaraToken` parameter, and a secret-looking header, go through the receiver (which masks
/// them before the row is written), and the stored row holds none of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_receiver_stores_no_token() {
    const NOTIFICATION_KEY: &str = "store-inbox-notification-key-01";
    const API_KEY: &str = "k-live-0d9e8f7a6b5c";
    let dir = tempfile::tempdir().unwrap();
    let console = common::console(
        dir.path(),
        &[("MIZAN_SANDBOX_NOTIFICATION_TOKEN", NOTIFICATION_KEY)],
    )
    .await;
    let state = ReceiverState::new(console.clone(), Arc::new(Notify::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks/tamara", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(
            listener,
            router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });

    let token = sign_token(
        &Sensitive::new(NOTIFICATION_KEY.to_owned()),
        Utc::now().timestamp(),
    )
    .unwrap();
    let answer = reqwest::Client::new()
        .post(format!("{url}?storeId=7&tamaraToken={token}"))
        .bearer_auth(&token)
        .header("x-api-key", API_KEY)
        .header("content-type", "application/json")
        .body(r#"{"order_id":"o-mask","order_reference_id":"R-1","event_type":"order_approved","data":[]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer.status().as_u16(),
        200,
        "{}",
        answer.text().await.unwrap()
    );

    let rows = deliveries::list(console.store(), &DeliveryFilter::default())
        .await
        .unwrap();
    let [row] = rows.as_slice() else {
        panic!("one delivery stored: {rows:#?}")
    };
    assert_eq!(
        row.verdict,
        DeliveryVerdict::Verified,
        "the token was checked"
    );
    // A mask may keep the last few characters, never more.
    let token_head = &token[..token.len() - 4];
    let query = row.query.as_deref().unwrap_or_default();
    assert!(
        !row.headers_json.contains(token_head),
        "{}",
        row.headers_json
    );
    assert!(
        !row.headers_json.contains(&API_KEY[..API_KEY.len() - 4]),
        "{}",
        row.headers_json
    );
    assert!(!query.contains(token_head), "{query}");
    assert!(query.starts_with("storeId=7&tamaraToken="), "{query}");
    let headers: serde_json::Value = serde_json::from_str(&row.headers_json).unwrap();
    assert_eq!(
        headers["content-type"], "application/json",
        "other headers kept"
    );
}

#[tokio::test]
async fn the_queue_yields_verified_deliveries_in_arrival_order() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let mut ids = Vec::new();
        for (env, order, verdict) in [
            (Sandbox, "o-3", DeliveryVerdict::Verified),
            (Production, "p-1", DeliveryVerdict::Verified),
            (Sandbox, "o-1", DeliveryVerdict::Rejected),
            (Sandbox, "o-2", DeliveryVerdict::Verified),
            (Sandbox, "o-x", DeliveryVerdict::InvalidBody),
        ] {
            ids.push(
                deliveries::insert(&store, &delivery(env, order, verdict))
                    .await
                    .unwrap(),
            );
        }
        assert_eq!(
            deliveries::backlog_count(&store, Some(Sandbox))
                .await
                .unwrap(),
            2
        );
        assert_eq!(deliveries::backlog_count(&store, None).await.unwrap(), 3);
        let next = deliveries::next_unprocessed(&store, Some(Sandbox), 10)
            .await
            .unwrap();
        let orders: Vec<_> = next.iter().map(|d| d.order_id.clone().unwrap()).collect();
        assert_eq!(
            orders,
            ["o-3", "o-2"],
            "arrival order, not order id; unverified are skipped"
        );
        let rejected = deliveries::get(&store, ids[2]).await.unwrap().unwrap();
        assert_eq!(rejected.processing_state, ProcessingState::Skipped);
        assert_eq!(rejected.http_status, 401);

        let at = t0() + Duration::seconds(2);
        deliveries::mark_processed(&store, ids[0], "authorised", at)
            .await
            .unwrap();
        assert_eq!(
            deliveries::backlog_count(&store, Some(Sandbox))
                .await
                .unwrap(),
            1
        );
        let done = deliveries::get(&store, ids[0]).await.unwrap().unwrap();
        assert_eq!(done.processing_state, ProcessingState::Processed);
        assert_eq!((done.attempts, done.processed_at), (1, Some(at)));
        let twice = deliveries::mark_processed(&store, ids[0], "again", at)
            .await
            .unwrap_err();
        assert_eq!(
            twice.code(),
            "store_conflict",
            "a second finish is visible, not silent"
        );

        deliveries::mark_failed(&store, ids[3], "gateway 503", at)
            .await
            .unwrap();
        assert_eq!(
            deliveries::backlog_count(&store, Some(Sandbox))
                .await
                .unwrap(),
            0
        );
        deliveries::requeue(&store, ids[3]).await.unwrap();
        let again = deliveries::next_unprocessed(&store, Some(Sandbox), 10)
            .await
            .unwrap();
        assert_eq!(again.iter().map(|d| d.id).collect::<Vec<_>>(), [ids[3]]);
        assert_eq!(again[0].attempts, 1, "the failed attempt is counted");
        assert!(
            deliveries::requeue(&store, ids[2]).await.is_err(),
            "rejected deliveries stay out"
        );
        let missing = deliveries::mark_failed(&store, 999, "x", at)
            .await
            .unwrap_err();
        assert_eq!(missing.code(), "store_not_found");
    }
}

#[tokio::test]
async fn deliveries_list_newest_first_with_filters() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        for (env, order, verdict) in [
            (Sandbox, "o-1", DeliveryVerdict::Verified),
            (Sandbox, "o-2", DeliveryVerdict::Rejected),
            (Sandbox, "o-1", DeliveryVerdict::Rejected),
            (Production, "o-1", DeliveryVerdict::Verified),
        ] {
            deliveries::insert(&store, &delivery(env, order, verdict))
                .await
                .unwrap();
        }
        let f = DeliveryFilter {
            environment: Some(Sandbox),
            order_id: Some("o-1".into()),
            ..DeliveryFilter::default()
        };
        let got = deliveries::list(&store, &f).await.unwrap();
        assert_eq!(got.iter().map(|d| d.id).collect::<Vec<_>>(), [3, 1]);
        let f = DeliveryFilter {
            verdict: Some(DeliveryVerdict::Rejected),
            limit: Some(1),
            ..f
        };
        let got = deliveries::list(&store, &f).await.unwrap();
        assert_eq!(got.iter().map(|d| d.id).collect::<Vec<_>>(), [3]);
        let f = DeliveryFilter {
            before_id: Some(3),
            limit: None,
            ..f
        };
        assert!(deliveries::list(&store, &f).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn an_orders_deliveries_are_listed_before_and_after_processing() {
    // The by-order index holds only rows that left 'pending'; pending ones are found through
    // the queue. A delivery must be listed at every stage, in id order, exactly once.
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let mut ids = Vec::new();
        for order in ["o-7", "o-8", "o-7", "o-7"] {
            let new = delivery(Sandbox, order, DeliveryVerdict::Verified);
            ids.push(deliveries::insert(&store, &new).await.unwrap());
        }
        let by_order = DeliveryFilter {
            environment: Some(Sandbox),
            order_id: Some("o-7".into()),
            ..DeliveryFilter::default()
        };
        let listed =
            |got: Vec<deliveries::WebhookDelivery>| got.iter().map(|d| d.id).collect::<Vec<_>>();
        let all_pending = listed(deliveries::list(&store, &by_order).await.unwrap());
        assert_eq!(all_pending, [ids[3], ids[2], ids[0]]);
        deliveries::mark_processed(&store, ids[2], "done", t0())
            .await
            .unwrap();
        let mixed = deliveries::list(&store, &by_order).await.unwrap();
        assert_eq!(listed(mixed.clone()), [ids[3], ids[2], ids[0]]);
        assert_eq!(mixed[1].processing_state, ProcessingState::Processed);
        let processed_only = DeliveryFilter {
            processing_state: Some(ProcessingState::Processed),
            ..by_order.clone()
        };
        assert_eq!(
            listed(deliveries::list(&store, &processed_only).await.unwrap()),
            [ids[2]]
        );
        let paged = DeliveryFilter {
            before_id: Some(ids[3]),
            limit: Some(1),
            ..by_order
        };
        assert_eq!(
            listed(deliveries::list(&store, &paged).await.unwrap()),
            [ids[2]],
            "keyset paging across both parts"
        );
    }
}

#[tokio::test]
async fn an_event_is_claimed_once_per_environment_and_sub_id() {
    let (_dir, store) = open_temp().await;
    let key = EventKey::new(Sandbox, "o-1", "order_captured", Some("cap-1"));
    assert!(
        events::claim(&store, &key, None, chrono::Utc::now())
            .await
            .unwrap(),
        "first claim wins"
    );
    assert!(
        !events::claim(&store, &key, None, chrono::Utc::now())
            .await
            .unwrap(),
        "repeat delivery is refused"
    );
    let other_capture = EventKey::new(Sandbox, "o-1", "order_captured", Some("cap-2"));
    assert!(
        events::claim(&store, &other_capture, None, chrono::Utc::now())
            .await
            .unwrap()
    );
    let prod = EventKey {
        environment: Production,
        ..key.clone()
    };
    assert!(
        events::claim(&store, &prod, None, chrono::Utc::now())
            .await
            .unwrap(),
        "environments never mix"
    );
    let no_sub = EventKey::new(Sandbox, "o-1", "order_approved", None);
    assert_eq!(no_sub.sub_id, "");
    assert!(
        events::claim(&store, &no_sub, None, chrono::Utc::now())
            .await
            .unwrap()
    );
    assert!(
        !events::claim(&store, &no_sub, None, chrono::Utc::now())
            .await
            .unwrap()
    );

    assert!(events::release(&store, &key).await.unwrap());
    assert!(
        events::claim(&store, &key, None, chrono::Utc::now())
            .await
            .unwrap(),
        "a released key can be claimed"
    );
}

#[tokio::test]
async fn a_claim_rolls_back_with_failed_processing() {
    let (_dir, store) = open_temp().await;
    let id = deliveries::insert(&store, &delivery(Sandbox, "o-1", DeliveryVerdict::Verified))
        .await
        .unwrap();
    let key = EventKey::new(Sandbox, "o-1", "order_approved", None);
    let mut tx = store.begin().await.unwrap();
    assert!(
        events::claim(&mut tx, &key, Some(id), chrono::Utc::now())
            .await
            .unwrap()
    );
    drop(tx); // processing failed before commit
    assert!(events::claimed(&store, &key).await.unwrap().is_none());
    let mut tx = store.begin().await.unwrap();
    assert!(
        events::claim(&mut tx, &key, Some(id), chrono::Utc::now())
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    let (by, _at) = events::claimed(&store, &key).await.unwrap().unwrap();
    assert_eq!(by, Some(id));
}

/// Store calls run inside `tokio::spawn` (they must be `Send`): the receiver writes from an axum
/// handler and the processor and reconciler are Tokio tasks. This fails to compile if a store
/// future stops being `Send`, and fails at run time if a transaction through a spawned task
/// does not commit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_calls_run_in_spawned_tasks() {
    let (_dir, store) = open_temp().await;
    let direct = {
        let store = store.clone();
        tokio::spawn(async move {
            deliveries::insert(
                &store,
                &delivery(Sandbox, "o-send", DeliveryVerdict::Verified),
            )
            .await
        })
    };
    let id = direct.await.unwrap().unwrap();
    let in_tx = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut tx = store.begin().await?;
            let key = EventKey::new(Sandbox, "o-send", "order_approved", None);
            let claimed = events::claim(&mut tx, &key, Some(id), chrono::Utc::now()).await?;
            deliveries::mark_processed(&mut tx, id, "spawned", t0()).await?;
            tx.commit()
                .await
                .map_err(|source| mizan_core::store::StoreError::Query {
                    context: "commit",
                    source,
                })?;
            Ok::<_, mizan_core::store::StoreError>(claimed)
        })
    };
    assert!(in_tx.await.unwrap().unwrap(), "first claim wins");
    let row = deliveries::get(&store, id).await.unwrap().unwrap();
    assert_eq!(row.processing_state, ProcessingState::Processed);
}

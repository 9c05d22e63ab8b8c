//! The Console over a real SQLite file and the real simulator: what a read from the API
//! writes to the cache, that the cache answers offline, and that environments never mix.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use mizan_core::Environment;
use mizan_core::orders::OrderListQuery;
use mizan_core::store::ledger::LedgerKind;
use mizan_scenarios::{approve, capture_request, checkout_request, client, console, sandbox};

#[tokio::test]
async fn checkout_fetch_and_offline_reads() {
    let sb = sandbox(21).await;
    let dir = tempfile::tempdir().unwrap();
    let console = console(&sb.base_url(), dir.path()).await;

    let created = console
        .create_checkout(&checkout_request("CACHE-1"))
        .await
        .unwrap();
    let id = created.response.value.order_id.clone();
    let cached = created.cached.expect("read back right after creation");
    assert_eq!(cached.order.status, "new");
    assert_eq!(cached.items.len(), 1);

    approve(&sb.base_url(), &id).await;
    let c = client(&sb.base_url());
    c.authorise(&id).await.unwrap();
    let capture = capture_request(&id, "100.25");
    let cap = c.capture(&capture).await.unwrap().value;

    let fetched = console.fetch_order(&id).await.unwrap();
    assert_eq!(fetched.order.status, "partially_captured");
    assert_eq!(fetched.order.captured.amount_text(), "100.25");
    let kinds: Vec<LedgerKind> = fetched.ledger.iter().map(|e| e.kind).collect();
    assert!(kinds.contains(&LedgerKind::Authorise) && kinds.contains(&LedgerKind::Capture));
    let capture_row = fetched
        .ledger
        .iter()
        .find(|e| e.kind == LedgerKind::Capture)
        .unwrap();
    assert_eq!(
        capture_row.gateway_id.as_deref(),
        Some(cap.capture_id.as_str())
    );

    // A second fetch adds nothing to the ledger: observed transactions are deduplicated.
    let again = console.fetch_order_by_reference("CACHE-1").await.unwrap();
    assert_eq!(again.ledger.len(), fetched.ledger.len());

    // The simulator goes away; the cache still answers.
    sb.shutdown().await;
    let offline = console.cached_order("CACHE-1").await.unwrap();
    assert_eq!(offline.order.order_id, id);
    let listed = console
        .list_orders(&OrderListQuery::default())
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    let e = console.fetch_order(&id).await.unwrap_err();
    assert_eq!(e.code(), "gateway_unreachable", "{e}");
}

#[tokio::test]
async fn production_sees_none_of_the_sandbox_cache() {
    let sb = sandbox(22).await;
    let dir = tempfile::tempdir().unwrap();
    let sandbox_console = console(&sb.base_url(), dir.path()).await;
    sandbox_console
        .create_checkout(&checkout_request("ENV-1"))
        .await
        .unwrap();
    assert_eq!(
        sandbox_console
            .list_orders(&OrderListQuery::default())
            .await
            .unwrap()
            .len(),
        1
    );
    drop(sandbox_console);

    let mut config = console(&sb.base_url(), dir.path()).await.config().clone();
    config.environment = Environment::Production;
    let prod = mizan_core::Console::open(config).await.unwrap();
    assert!(
        prod.list_orders(&OrderListQuery::default())
            .await
            .unwrap()
            .is_empty()
    );
    let e = prod.cached_order("ENV-1").await.unwrap_err();
    assert_eq!(e.code(), "order_not_cached");
    // And production has no token unless one is configured.
    assert_eq!(
        prod.fetch_order("x").await.unwrap_err().code(),
        "credentials_missing"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn invalid_checkout_is_refused_before_any_request() {
    let sb = sandbox(23).await;
    let dir = tempfile::tempdir().unwrap();
    let console = console(&sb.base_url(), dir.path()).await;
    let mut req = checkout_request("BAD-1");
    req.items.clear();
    let e = console.create_checkout(&req).await.unwrap_err();
    assert_eq!(e.code(), "invalid_input");
    assert!(
        console
            .list_orders(&OrderListQuery::default())
            .await
            .unwrap()
            .is_empty()
    );
    sb.shutdown().await;
}

//! Disputes end to end: the simulator opens and moves a dispute, signs and sends each event
//! over real HTTP to the core's receiver on loopback; the processor keeps it in SQLite; the
//! disputes board and the order's timeline show it; the third-party list and update (where
//! configured) agree. Also: an unrecognised payload or an unknown dispute event is kept and
//! shown, never refused; a forged dispute event is refused. Every wait is a bounded poll.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use mizan_core::disputes::{self, DisputeError};
use mizan_core::store::deliveries::{DeliveryVerdict, ProcessingState};
use mizan_core::views::detail::{TimelineKind, order_view};
use mizan_core::{Error, ErrorCode};
use mizan_scenarios::pipeline::{Options, Pipeline, good_token, pipeline_opts};
use mizan_scenarios::{API_TOKEN, approve, capture_request, client};
use serde_json::{Value, json};
use tamara::model::dispute::{DEFAULT_DISPUTES_PATH, DisputeFilter};
use tamara_sandbox::SandboxConfig;
use tamara_sandbox::disputes::{DISPUTE_EVENTS, DisputePayload};

/// A pipeline whose simulator serves the dispute API (`api`) and whose console is configured
/// with its path (`path`), with a `dispute` webhook registered at the receiver.
async fn setup(seed: u64, api: bool, path: bool, payload: DisputePayload) -> Pipeline {
    let config = SandboxConfig {
        dispute_api_enabled: api,
        dispute_payload: payload,
        ..SandboxConfig::default()
    };
    let options = Options {
        console_vars: if path {
            vec![(
                "MIZAN_SANDBOX_DISPUTES_PATH",
                DEFAULT_DISPUTES_PATH.to_owned(),
            )]
        } else {
            Vec::new()
        },
        ..Options::default()
    };
    let p = pipeline_opts(seed, config, options).await;
    let reg = p
        .http
        .post(format!("{}/webhooks", p.sb.base_url()))
        .bearer_auth(API_TOKEN)
        .json(
            &json!({"type": "dispute", "url": format!("{}/webhooks/tamara", p.url),
            "events": DISPUTE_EVENTS}),
        )
        .send()
        .await
        .unwrap();
    assert!(reg.status().is_success());
    p
}

/// A captured order, cached; its id.
async fn captured(p: &Pipeline, reference: &str) -> String {
    let id = p.new_order(reference).await;
    approve(&p.sb.base_url(), &id).await;
    p.wait_status(&id, "authorised").await;
    let total = p.console.cached_order(&id).await.unwrap().order.total;
    client(&p.sb.base_url())
        .capture(&capture_request(&id, &total.amount_text()))
        .await
        .unwrap();
    p.wait_status(&id, "fully_captured").await;
    id
}

async fn sim(p: &Pipeline, path: &str, body: Value) -> Value {
    let r = p
        .http
        .post(format!("{}{path}", p.sb.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap()
}

/// Polls until the board holds dispute `id` with `status`.
async fn wait_dispute(p: &Pipeline, id: &str, status: &str) -> disputes::DisputeRow {
    for _ in 0..200 {
        let board = disputes::board(&p.console, false).await.unwrap();
        if let Some(row) = board
            .disputes
            .into_iter()
            .find(|r| r.dispute.dispute_id == id && r.dispute.status == status)
        {
            return row;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "dispute {id} never became {status}: {:#?}",
        disputes::board(&p.console, false).await.unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dispute_opened_and_moved_at_tamara_reaches_the_board_and_the_order() {
    let p = setup(701, false, false, DisputePayload::LikeOrder).await;
    let order = captured(&p, "DSP-1").await;
    sim(
        &p,
        &format!("/_sandbox/orders/{order}/disputes"),
        json!({"comment": "never arrived"}),
    )
    .await;
    let row = wait_dispute(&p, "1", "awaiting_merchant_response").await;
    assert_eq!(row.dispute.order_id.as_deref(), Some(order.as_str()));
    assert_eq!(row.days_left, Some(7), "the default: 7 days to respond");
    disputes::set_response_days(&p.console, 10).await.unwrap();
    let board = disputes::board(&p.console, true).await.unwrap();
    assert_eq!(board.disputes[0].days_left, Some(10));
    assert!(!board.api_configured);

    sim(
        &p,
        "/_sandbox/disputes/1/events",
        json!({"event": "OrderDisputeWasUpdated"}),
    )
    .await;
    wait_dispute(&p, "1", "under_review").await;
    sim(
        &p,
        "/_sandbox/disputes/1/events",
        json!({"event": "OrderDisputeClosedTamaraAcceptedClaim"}),
    )
    .await;
    let row = wait_dispute(&p, "1", "claim_accepted").await;
    assert!(row.dispute.closed_at.is_some());
    assert_eq!(
        row.days_left, None,
        "nothing is asked of the merchant any more"
    );
    assert!(
        disputes::board(&p.console, true)
            .await
            .unwrap()
            .disputes
            .is_empty()
    );

    let all = p.wait_settled(6).await;
    let dispute_rows: Vec<_> = all
        .iter()
        .filter(|d| {
            d.event_type
                .as_deref()
                .is_some_and(disputes::is_dispute_event)
        })
        .collect();
    assert_eq!(dispute_rows.len(), 3);
    assert!(
        dispute_rows
            .iter()
            .all(|d| d.verdict == DeliveryVerdict::Verified
                && d.processing_state == ProcessingState::Processed)
    );

    let view = order_view(&p.console, &order).await.unwrap();
    let shown: Vec<&str> = view
        .timeline
        .iter()
        .filter(|e| e.kind == TimelineKind::Dispute)
        .map(|e| e.title.as_str())
        .collect();
    assert_eq!(
        shown,
        [
            "Dispute 1 — OrderDisputeAwaitingMerchantResponse",
            "Dispute 1 — OrderDisputeWasUpdated",
            "Dispute 1 — OrderDisputeClosedTamaraAcceptedClaim",
        ]
    );
    let (on_order, events) = disputes::for_order(&p.console, &order).await.unwrap();
    assert_eq!(on_order.len(), 1);
    assert!(events.iter().all(|e| e.recognised));

    // A replayed dispute delivery is recorded again in its place, never twice.
    let first = dispute_rows
        .iter()
        .find(|d| d.event_type.as_deref() == Some("OrderDisputeAwaitingMerchantResponse"))
        .unwrap()
        .id;
    let replayed = mizan_core::webhooks::replay::replay(&p.console, first)
        .await
        .unwrap();
    assert_eq!(replayed.after.processing_state, ProcessingState::Processed);
    let result = replayed.after.processing_result.unwrap_or_default();
    assert!(result.contains("late event"), "{result}");
    let (_, again) = disputes::for_order(&p.console, &order).await.unwrap();
    assert_eq!(again.len(), 3, "{again:#?}");
    let row = wait_dispute(&p, "1", "claim_accepted").await;
    assert!(
        row.dispute.closed_at.is_some(),
        "a late replay never reopens it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_third_party_list_and_update_are_used_where_configured() {
    let p = setup(702, true, true, DisputePayload::LikeOrder).await;
    let order = captured(&p, "DSP-2").await;
    sim(&p, &format!("/_sandbox/orders/{order}/disputes"), json!({})).await;
    // The processor re-reads the dispute its event names from the list.
    for _ in 0..200 {
        let board = disputes::board(&p.console, false).await.unwrap();
        if board
            .disputes
            .first()
            .is_some_and(|r| r.dispute.source == "list")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let row = wait_dispute(&p, "1", "awaiting_merchant_response").await;
    assert_eq!(row.dispute.source, "list", "re-read after its event");
    let report = disputes::refresh::refresh(&p.console, &DisputeFilter::default())
        .await
        .unwrap();
    assert_eq!((report.listed, report.total), (1, Some(1)));
    let row = wait_dispute(&p, "1", "awaiting_merchant_response").await;
    assert_eq!(row.dispute.source, "list");
    assert_eq!(
        row.days_left,
        Some(7),
        "the waiting time is kept across a refresh"
    );
    assert!(row.dispute.amount.is_some());

    disputes::refresh::comment(&p.console, "1", "Shipped with SMSA, tracking 123")
        .await
        .unwrap();
    let row = wait_dispute(&p, "1", "under_review").await;
    assert_eq!(row.dispute.source, "list", "re-read after the comment");
    let too_long = "x".repeat(256);
    let e = disputes::refresh::comment(&p.console, "1", &too_long)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::DisputeCommentInvalid);
    let e = disputes::refresh::comment(&p.console, "99", "hello")
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::DisputeNotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_dispute_api_a_refresh_says_so() {
    // No path configured.
    let p = setup(703, true, false, DisputePayload::LikeOrder).await;
    let e = disputes::refresh::refresh(&p.console, &DisputeFilter::default())
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::DisputesApiUnavailable);
    // A path configured, but the simulator (like, perhaps, Tamara) does not serve it.
    let p = setup(704, false, true, DisputePayload::LikeOrder).await;
    let e = disputes::refresh::refresh(&p.console, &DisputeFilter::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::Dispute(DisputeError::ApiUnavailable { answered: Some(a), .. })
            if a.contains("404")),
        "{e}"
    );
    // Its events still count: the failed re-read after each is only logged.
    let order = captured(&p, "DSP-5").await;
    sim(&p, &format!("/_sandbox/orders/{order}/disputes"), json!({})).await;
    let row = wait_dispute(&p, "1", "awaiting_merchant_response").await;
    assert_eq!(row.dispute.source, "notification");
    let all = p.wait_settled(4).await;
    assert!(
        all.iter()
            .all(|d| d.processing_state == ProcessingState::Processed),
        "{all:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unrecognised_payload_or_an_unknown_dispute_event_is_kept_and_shown() {
    let p = setup(705, false, false, DisputePayload::Unrecognised).await;
    let order = captured(&p, "DSP-3").await;
    sim(&p, &format!("/_sandbox/orders/{order}/disputes"), json!({})).await;
    // The simulator sends its event in the background: wait for it, so the one posted below
    // arrives second.
    for _ in 0..200 {
        let arrived = p
            .deliveries()
            .await
            .iter()
            .any(|d| d.event_type.as_deref() == Some("OrderDisputeAwaitingMerchantResponse"));
        if arrived {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // An event no source names, with a body of no known shape, signed like Tamara's.
    let status = p
        .post(
            &format!("/webhooks/tamara?tamaraToken={}", good_token()),
            None,
            r#"{"event_type":"OrderDisputeWasEscalated","case":{"ref":"X-1"}}"#,
        )
        .await;
    assert_eq!(status, 200, "never refused for its shape");
    let all = p.wait_settled(4).await;
    let kept: Vec<_> = all
        .iter()
        .filter(|d| {
            d.event_type
                .as_deref()
                .is_some_and(disputes::is_dispute_event)
        })
        .collect();
    assert_eq!(kept.len(), 2, "{all:#?}");
    for d in &kept {
        assert_eq!(d.verdict, DeliveryVerdict::Verified);
        assert_eq!(d.processing_state, ProcessingState::Processed, "{d:#?}");
        assert!(
            d.processing_result
                .as_deref()
                .unwrap_or("")
                .contains("shape not recognised"),
            "{d:#?}"
        );
    }
    let board = disputes::board(&p.console, false).await.unwrap();
    assert!(board.disputes.is_empty());
    let names: Vec<&str> = board
        .unmatched
        .iter()
        .map(|e| e.event_type.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "OrderDisputeAwaitingMerchantResponse",
            "OrderDisputeWasEscalated"
        ]
    );
    assert!(board.unmatched[1].body.contains("X-1"), "kept verbatim");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_dispute_event_is_refused_and_never_recorded() {
    let p = setup(706, false, false, DisputePayload::LikeOrder).await;
    let order = captured(&p, "DSP-4").await;
    let body = json!({"order_id": order, "dispute_id": 9,
        "event_type": "OrderDisputeClosedClaimCancelled", "data": {}})
    .to_string();
    let forged = tamara::notification::sign_token(
        &tamara::Sensitive::new("not-the-notification-token".to_owned()),
        chrono::Utc::now().timestamp(),
    )
    .unwrap();
    let status = p
        .post(
            &format!("/webhooks/tamara?tamaraToken={forged}"),
            None,
            &body,
        )
        .await;
    assert_eq!(status, 401);
    // And Tamara's own delivery signed with a wrong key (simulator fault).
    p.fault(json!({"wrong_key": 1})).await;
    sim(&p, &format!("/_sandbox/orders/{order}/disputes"), json!({})).await;
    let all = p.wait_settled(5).await;
    let refused: Vec<_> = all
        .iter()
        .filter(|d| d.verdict == DeliveryVerdict::Rejected)
        .collect();
    assert!(refused.len() >= 2, "{all:#?}");
    let board = disputes::board(&p.console, false).await.unwrap();
    assert!(board.disputes.is_empty(), "{board:#?}");
    assert!(board.unmatched.is_empty());
    let (on_order, events) = disputes::for_order(&p.console, &order).await.unwrap();
    assert!(on_order.is_empty() && events.is_empty());
}

//! The reference's open questions about money moves (§16.8 amount errors, §16.10, §16.17),
//! each answered both ways by the simulator, through the console's guarded moves over SQLite.
//! Either the console's own check and Tamara agree, or the console sends the move and reports
//! Tamara's refusal cleanly (a failed ledger entry, "no money moved"); its cached order always
//! ends as Tamara's.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use mizan_core::Console;
use mizan_core::moves::{AmountInput, MoveAction, MoveOutcome, MoveRequest};
use mizan_core::store::ledger::{LedgerKind, LedgerState};
use mizan_scenarios::{approve, capture_request, checkout_request, console, sandbox_with};
use serde_json::{Value, json};
use tamara::{Currency, Money};
use tamara_sandbox::unknowns::{FullyRefundedWhen, OrderExpiryTime};
use tamara_sandbox::{SandboxConfig, SandboxHandle};

fn sar(s: &str) -> Money {
    Money::parse(s, Currency::Sar).unwrap()
}

/// A simulator configured by `f`, a console over a fresh store, and an order of 460 SAR the
/// console created and authorised.
struct Setup {
    sb: SandboxHandle,
    console: Console,
    id: String,
    _dir: tempfile::TempDir,
}

async fn authorised(seed: u64, f: impl FnOnce(&mut SandboxConfig)) -> Setup {
    let mut config = SandboxConfig::default();
    f(&mut config);
    let sb = sandbox_with(seed, config).await;
    let dir = tempfile::tempdir().unwrap();
    let console = console(&sb.base_url(), dir.path()).await;
    let req = checkout_request(&format!("UNK-MOVE-{seed}"));
    let id = console
        .create_checkout(&req)
        .await
        .unwrap()
        .response
        .value
        .order_id;
    approve(&sb.base_url(), &id).await;
    let s = Setup {
        sb,
        console,
        id,
        _dir: dir,
    };
    let done = s.run(MoveAction::Authorise).await;
    assert_eq!(done.state(), LedgerState::Succeeded, "{}", done.message);
    s
}

fn amount(a: &str) -> AmountInput {
    AmountInput::parse(a).unwrap()
}

fn capture(a: Option<&str>) -> MoveAction {
    MoveAction::Capture {
        amount: a.map(amount),
        items: vec![],
        shipping: capture_request("o", "1").shipping_info,
    }
}

fn refund(a: &str) -> MoveAction {
    MoveAction::Refund {
        amount: amount(a),
        comment: "returned".into(),
    }
}

impl Setup {
    fn request(&self, action: MoveAction) -> MoveRequest {
        MoveRequest {
            order_id: self.id.clone(),
            action,
            confirm: None,
            idempotency_key: None,
            note: None,
        }
    }

    /// Runs a move that passes the console's own checks (refusals are a test failure).
    async fn run(&self, action: MoveAction) -> MoveOutcome {
        self.console.move_money(self.request(action)).await.unwrap()
    }

    async fn sim(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let r = reqwest::Client::new()
            .request(method, format!("{}/_sandbox/{path}", self.sb.base_url()))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().await.unwrap()
    }

    /// Holds the console's next POST for `ms` before Tamara handles it, and waits until the
    /// console sent it: what happens meanwhile happens "between" the console's read and its
    /// move.
    async fn stall_next_post(&self, ms: u64) {
        let body = json!({"stall_ms": ms, "stall_count": 1, "method": "POST"});
        self.sim(reqwest::Method::POST, "faults/api", body).await;
    }

    async fn wait_stall_taken(&self) {
        for _ in 0..300 {
            let f = self.sim(reqwest::Method::GET, "faults", Value::Null).await;
            if f["api"]["stall_count"] == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the console never sent its move");
    }

    async fn status(&self) -> String {
        self.console
            .cached_order(&self.id)
            .await
            .unwrap()
            .order
            .status
    }
}

/// A move Tamara refused: failed in the ledger, reported with Tamara's code, nothing moved.
fn refused_by_tamara(o: &MoveOutcome, code: &str) {
    assert_eq!(o.state(), LedgerState::Failed, "{}", o.message);
    assert_eq!(
        o.failure_code().map(|c| c.as_str()),
        Some("move_rejected"),
        "{}",
        o.message
    );
    assert!(o.message.contains(code), "{}", o.message);
    assert!(o.message.contains("No money moved"), "{}", o.message);
}

/// §16.8: an amount above what remains (another system captured first) is refused by Tamara
/// with 400 or 422; either way a definite refusal, never an "unknown" outcome to re-read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_amount_error_is_a_clean_refusal_under_either_status() {
    for (seed, status) in [(801, 400), (802, 422)] {
        let s = authorised(seed, |c| c.amount_error_status = status).await;
        s.stall_next_post(400).await;
        let console = s.console.clone();
        let req = s.request(capture(Some("400")));
        let mine = tokio::spawn(async move { console.move_money(req).await });
        s.wait_stall_taken().await;
        let other = mizan_scenarios::client(&s.sb.base_url());
        other.capture(&capture_request(&s.id, "100")).await.unwrap();
        let o = mine.await.unwrap().unwrap();
        refused_by_tamara(&o, "amount_exceeds_remaining");
        assert!(o.message.contains(&status.to_string()), "{}", o.message);
        let cached = s.console.cached_order(&s.id).await.unwrap();
        assert_eq!(
            cached.order.captured,
            sar("100"),
            "the other capture, read back"
        );
        assert_eq!(cached.order.status, "partially_captured");
    }
}

/// §16.10: cancelling the uncaptured rest of a partially captured order. The console sends it
/// (refusing it itself would leave the unshipped rest to the 21-day auto-capture); Tamara
/// cancels it, or refuses and the console says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_the_rest_after_a_partial_capture_either_way() {
    for (seed, allowed) in [(811, false), (812, true)] {
        let s = authorised(seed, |c| c.cancel_after_partial_capture = allowed).await;
        s.run(capture(Some("100"))).await;
        let o = s.run(MoveAction::Cancel { amount: None }).await;
        if allowed {
            assert_eq!(o.state(), LedgerState::Succeeded, "{}", o.message);
            assert_eq!(o.planned.amount, sar("360"));
            assert_eq!(s.status().await, "fully_captured");
            let cached = s.console.cached_order(&s.id).await.unwrap().order;
            assert_eq!((cached.canceled, cached.captured), (sar("360"), sar("100")));
        } else {
            refused_by_tamara(&o, "transition_not_allowed");
            assert_eq!(s.status().await, "partially_captured");
        }
    }
}

/// §16.10: capturing the rest after a partial refund: allowed, or refused by Tamara and
/// reported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capturing_the_rest_after_a_partial_refund_either_way() {
    for (seed, refuse) in [(821, false), (822, true)] {
        let s = authorised(seed, |c| c.refuse_capture_after_partial_refund = refuse).await;
        s.run(capture(Some("100"))).await;
        s.run(refund("40")).await;
        let o = s.run(capture(None)).await;
        if refuse {
            refused_by_tamara(&o, "transition_not_allowed");
        } else {
            assert_eq!(o.state(), LedgerState::Succeeded, "{}", o.message);
            let cached = s.console.cached_order(&s.id).await.unwrap().order;
            assert_eq!(cached.captured, sar("460"));
        }
        assert_eq!(s.status().await, "partially_refunded");
    }
}

/// §16.10: refunding all that was captured ends the order, or not while part is uncaptured.
/// The console's status and what it offers next follow Tamara's answer — also when the read
/// after the refund fails and the console advances its copy itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refunding_all_captured_money_either_way() {
    let rules = [
        FullyRefundedWhen::AllCaptured,
        FullyRefundedWhen::WholeOrder,
    ];
    for (i, rule) in rules.into_iter().enumerate() {
        let s = authorised(831 + i as u64, |c| c.fully_refunded_when = rule).await;
        s.run(capture(Some("100"))).await;
        // The refund's answer arrives, the read after it fails: the console guesses.
        s.stall_next_post(300).await;
        let console = s.console.clone();
        let req = s.request(refund("100"));
        let mine = tokio::spawn(async move { console.move_money(req).await });
        s.wait_stall_taken().await;
        let reads_fail = json!({"status": 503, "count": 3, "method": "GET"});
        s.sim(reqwest::Method::POST, "faults/api", reads_fail).await;
        let o = mine.await.unwrap().unwrap();
        assert_eq!(o.state(), LedgerState::Succeeded, "{}", o.message);
        let guessed = s.status().await;
        s.sim(reqwest::Method::DELETE, "faults", Value::Null).await;
        s.console.fetch_order(&s.id).await.unwrap();
        let tamara = match rule {
            FullyRefundedWhen::AllCaptured => "fully_refunded",
            FullyRefundedWhen::WholeOrder => "partially_refunded",
        };
        assert_eq!(s.status().await, tamara, "{rule:?} (guessed {guessed})");
        let next = s.console.preview_move(s.request(capture(None))).await;
        match rule {
            FullyRefundedWhen::AllCaptured => {
                let e = next.unwrap_err();
                assert_eq!(e.code().as_str(), "move_refused_status", "{e}");
            }
            FullyRefundedWhen::WholeOrder => {
                assert_eq!(next.unwrap().planned.amount, sar("360"));
                let o = s.run(capture(None)).await;
                assert_eq!(o.state(), LedgerState::Succeeded, "{}", o.message);
            }
        }
    }
}

/// §16.17: whatever `order_expiry_time` means, the console does not decide by it: the
/// deadline it flags is 21 days after authorisation either way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn order_expiry_time_drives_no_decision() {
    let meanings = [
        OrderExpiryTime::AuthorisedExpiry,
        OrderExpiryTime::AutoCapture,
    ];
    for (i, meaning) in meanings.into_iter().enumerate() {
        let s = authorised(841 + i as u64, |c| c.order_expiry_time = meaning).await;
        let now = chrono::Utc::now();
        let stuck = mizan_core::reconcile::stuck_orders(&s.console, now)
            .await
            .unwrap();
        let mine = stuck.iter().find(|x| x.order_id == s.id).unwrap();
        let left = mine.time_left.unwrap();
        assert!(
            left > chrono::Duration::days(20) && left <= chrono::Duration::days(21),
            "{meaning:?}: {left:?}"
        );
        let ledger = s.console.cached_order(&s.id).await.unwrap().ledger;
        assert!(ledger.iter().any(|e| e.kind == LedgerKind::Authorise));
    }
}

/// §16.3: with `instalments`/`payment_type` required or not, the console's checkouts pass:
/// it always sends `payment_type`, and `instalments` with `PAY_BY_INSTALMENTS`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkouts_pass_whether_instalments_are_required_or_not() {
    for (seed, strict) in [(851, false), (852, true)] {
        let sb = sandbox_with(
            seed,
            SandboxConfig {
                strict_instalments: strict,
                ..SandboxConfig::default()
            },
        )
        .await;
        let dir = tempfile::tempdir().unwrap();
        let console = console(&sb.base_url(), dir.path()).await;
        let by_instalments = checkout_request(&format!("UNK-PBI-{seed}"));
        let mut now = checkout_request(&format!("UNK-NOW-{seed}"));
        now.payment_type = tamara::model::PaymentType::PayNow;
        now.instalments = None;
        for req in [by_instalments, now] {
            let created = console.create_checkout(&req).await.unwrap();
            let cached = created.cached.unwrap().order;
            assert_eq!(
                cached.payment_type,
                Some(req.payment_type.as_str().to_owned())
            );
        }
    }
}

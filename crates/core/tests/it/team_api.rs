//! The team API over real HTTP on loopback, in front of a console on the real simulator: every
//! role against every route (the role matrix), four-eyes approvals moving money once, sign-in
//! failures throttled, and the live event stream.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use chrono::TimeDelta;
use mizan_core::Console;
use mizan_core::demo::customers;
use mizan_core::money::{Currency, Money};
use mizan_core::service::{RunningService, ServiceConfig};
use mizan_core::store::ledger::{self, LedgerKind, LedgerState};
use mizan_core::store::team;
use mizan_core::team::{Action, ApprovalPolicy, Role, TokenHasher, permits};
use mizan_core::team_api::{self, TeamApi};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::processor_concurrency::demo_world;

/// A refund or cancel of one unit or more needs a second person, in every currency.
fn strict_policy() -> ApprovalPolicy {
    let one = |c: Currency| Money::parse("1", c).unwrap();
    ApprovalPolicy::new(
        [
            Currency::Sar,
            Currency::Aed,
            Currency::Qar,
            Currency::Kwd,
            Currency::Bhd,
            Currency::Omr,
        ]
        .map(one),
        TimeDelta::hours(24),
    )
}

struct Team {
    base: String,
    http: reqwest::Client,
    _service: RunningService,
}

impl Team {
    async fn start(console: &Console) -> Team {
        let api = TeamApi::new(
            console.clone(),
            strict_policy(),
            TokenHasher::with_cost(8, 1, 1).unwrap(),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let config = ServiceConfig {
            reconcile_every: None,
            extra_routes: Some(team_api::router(api)),
            ..ServiceConfig::default()
        };
        let service = RunningService::start(console.clone(), listener, config).unwrap();
        Team {
            base: format!("http://{}/api/v1", service.addr()),
            http: reqwest::Client::new(),
            _service: service,
        }
    }

    async fn call(
        &self,
        token: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let url = format!("{}{path}", self.base);
        let mut req = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url),
        };
        req = req.bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

/// A user of `role` with a token, written straight to the store (as `mizan team add-user`).
async fn member(console: &Console, name: &str, role: Role) -> (i64, String) {
    let hasher = TokenHasher::with_cost(8, 1, 1).unwrap();
    let id = team::add_user(console.store(), name, role, "test", console.now())
        .await
        .unwrap();
    let (token, stored) = hasher.issue().unwrap();
    team::add_token(
        console.store(),
        id,
        &stored.prefix,
        &stored.hash,
        "t",
        console.now(),
    )
    .await
    .unwrap();
    (id, token.reveal().to_owned())
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

/// Every role against every route: a role the matrix does not grant the route's action gets
/// 403 `team_forbidden` before anything happens; a granted one gets past the gate (its answer
/// may still be another error, e.g. an unknown order).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_meets_the_gate_the_role_matrix_draws() {
    let (_sim, _api, _dir, console) = demo_world().await;
    let team = Team::start(&console).await;
    let mut tokens = Vec::new();
    for role in Role::ALL {
        tokens.push((role, member(&console, role.as_str(), role).await));
    }
    let other = tokens[0].1.0;
    let routes: Vec<(Action, &str, String, Option<Value>)> = vec![
        (
            Action::ReadOrders,
            "POST",
            "/orders/page".into(),
            Some(json!({})),
        ),
        (
            Action::ReadOrders,
            "GET",
            "/orders/no-such-order".into(),
            None,
        ),
        (Action::ReadApprovals, "GET", "/approvals".into(), None),
        (Action::ReadTeam, "GET", "/users".into(), None),
        (Action::ReadWebhooks, "GET", "/webhooks".into(), None),
        (
            Action::RegisterWebhook,
            "POST",
            "/webhooks".into(),
            Some(json!({"url": "not a url"})),
        ),
        (
            Action::RemoveWebhook,
            "DELETE",
            "/webhooks/no-such-webhook".into(),
            None,
        ),
        (Action::ReadOrders, "GET", "/events".into(), None),
        (
            Action::Capture,
            "POST",
            "/moves".into(),
            Some(json!({"input": {"kind": "capture", "order_id": "no-such-order"}})),
        ),
        (
            Action::Refund,
            "POST",
            "/moves".into(),
            Some(json!({"input": {"kind": "refund", "order_id": "no-such-order", "amount": "1"}})),
        ),
        (
            Action::Cancel,
            "POST",
            "/moves".into(),
            Some(json!({"input": {"kind": "cancel", "order_id": "no-such-order"}})),
        ),
        (
            Action::Authorise,
            "POST",
            "/moves".into(),
            Some(json!({"input": {"kind": "authorise", "order_id": "no-such-order"}})),
        ),
        (
            Action::DecideApproval,
            "POST",
            "/approvals/999/approve".into(),
            None,
        ),
        (
            Action::DecideApproval,
            "POST",
            "/approvals/999/reject".into(),
            None,
        ),
        (
            Action::ManageUsers,
            "POST",
            "/users".into(),
            Some(json!({"name": "", "role": "finance"})),
        ),
        (
            Action::ManageUsers,
            "POST",
            format!("/users/{other}/tokens"),
            Some(json!({"label": "x"})),
        ),
        (
            Action::ManageUsers,
            "DELETE",
            format!("/users/{other}/tokens/999"),
            None,
        ),
    ];
    let mut checked = 0;
    for (role, (_, token)) in &tokens {
        for (action, method, path, body) in &routes {
            let (status, answer) = if path == "/events" {
                let r = team
                    .http
                    .get(format!("{}{path}", team.base))
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap();
                (r.status(), Value::Null)
            } else {
                team.call(token, method, path, body.clone()).await
            };
            let allowed = permits(*role, *action);
            if allowed {
                assert_ne!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{role} {method} {path}: {answer}"
                );
                assert_ne!(code(&answer), "team_forbidden", "{role} {method} {path}");
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{role} {method} {path}: {answer}"
                );
                assert_eq!(code(&answer), "team_forbidden", "{role} {method} {path}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 4 * routes.len());
    // The admin's own token routes are open to anyone for themselves.
    let (finance_id, finance_token) = &tokens[1].1;
    let (status, issued) = team
        .call(
            finance_token,
            "POST",
            &format!("/users/{finance_id}/tokens"),
            Some(json!({"label": "phone"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{issued}");
    let (status, me) = team
        .call(issued["token"].as_str().unwrap(), "GET", "/me", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["role"], "finance");
    assert!(
        me["permissions"]
            .as_array()
            .unwrap()
            .contains(&json!("refund"))
    );
    assert!(
        !me["permissions"]
            .as_array()
            .unwrap()
            .contains(&json!("manage_users"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_token_is_refused_and_repeated_failures_are_throttled() {
    let (_sim, _api, _dir, console) = demo_world().await;
    let team = Team::start(&console).await;
    let (_, good) = member(&console, "sara", Role::Finance).await;
    let r = team
        .http
        .get(format!("{}/me", team.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let forged = format!("{}x", &good[..good.len() - 1]);
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let (status, body) = team.call(&forged, "GET", "/me", None).await;
        assert!(
            !body.to_string().contains(&forged),
            "the token is never echoed"
        );
        statuses.push(status);
    }
    // The fifth failure locks the (token prefix, address) pair out.
    assert_eq!(statuses[..4], [StatusCode::UNAUTHORIZED; 4], "{statuses:?}");
    assert_eq!(
        statuses[4..],
        [StatusCode::TOO_MANY_REQUESTS; 3],
        "{statuses:?}"
    );
    // Guessing at sara's token locks her prefix from this address, even with the real token…
    let (status, body) = team.call(&good, "GET", "/me", None).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::TOO_MANY_REQUESTS, "team_login_throttled")
    );
    // …but not a colleague's.
    let (_, other) = member(&console, "lina", Role::Finance).await;
    let (status, me) = team.call(&other, "GET", "/me", None).await;
    assert_eq!(
        (status, me["name"].as_str()),
        (StatusCode::OK, Some("lina"))
    );
}

/// An approved order authorised and captured by one finance person; a refund above the
/// threshold waits for a second; the requester cannot approve it, an auditor may not, a
/// colleague does — and the money moves once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_above_the_threshold_waits_for_a_second_person_and_moves_once() {
    let (_sim, api, _dir, console) = demo_world().await;
    let team = Team::start(&console).await;
    let (_, sara) = member(&console, "sara", Role::Finance).await;
    let (lina_id, lina) = member(&console, "lina", Role::Finance).await;
    let (_, omar) = member(&console, "omar", Role::Auditor).await;

    let mut dice = customers::Dice::new(7);
    let req = customers::checkout(&mut dice, 1, "http://127.0.0.1:9").unwrap();
    let order_id = console
        .create_checkout(&req)
        .await
        .unwrap()
        .response
        .value
        .order_id;
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{api}/_sandbox/orders/{order_id}/approve"))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());

    let mut events = team
        .http
        .get(format!("{}/events", team.base))
        .bearer_auth(&omar)
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), StatusCode::OK);

    for kind in ["authorise", "capture"] {
        let (status, body) = team
            .call(
                &sara,
                "POST",
                "/moves",
                Some(json!({"input": {"kind": kind, "order_id": order_id}})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{kind}: {body}");
        assert_eq!(body["status"], "done");
        assert_eq!(body["result"]["outcome"], "succeeded", "{kind}: {body}");
    }
    // A colleague's capture reaches every open event stream.
    let first = tokio::time::timeout(Duration::from_secs(5), events.chunk())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&first);
    assert!(
        text.contains("order_changed") && text.contains(&order_id),
        "{text}"
    );

    let refund = json!({"input": {"kind": "refund", "order_id": order_id, "amount": "2", "comment": "damaged"}});
    let (status, queued) = team.call(&sara, "POST", "/moves", Some(refund)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{queued}");
    assert_eq!(queued["status"], "awaiting_approval");
    let id = queued["approval"]["id"].as_i64().unwrap();
    assert_eq!(queued["approval"]["requested_by"], "sara");
    let refunds = |console: Console| {
        let order_id = order_id.clone();
        async move {
            ledger::list_for_order(console.store(), console.environment(), &order_id)
                .await
                .unwrap()
                .into_iter()
                .filter(|e| e.kind == LedgerKind::Refund)
                .collect::<Vec<_>>()
        }
    };
    assert!(
        refunds(console.clone()).await.is_empty(),
        "nothing moved while waiting"
    );
    let (_, queue) = team.call(&omar, "GET", "/approvals", None).await;
    assert_eq!(queue.as_array().unwrap().len(), 1);

    let (status, body) = team
        .call(&sara, "POST", &format!("/approvals/{id}/approve"), None)
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "approval_self_decision")
    );
    let (status, body) = team
        .call(&omar, "POST", &format!("/approvals/{id}/approve"), None)
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "team_forbidden")
    );
    let (status, body) = team
        .call(&lina, "POST", &format!("/approvals/{id}/approve"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "executed", "{body}");
    assert_eq!(body["decided_by"], "lina");
    let (status, body) = team
        .call(&lina, "POST", &format!("/approvals/{id}/approve"), None)
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "approval_already_decided")
    );

    let moved = refunds(console.clone()).await;
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert_eq!(moved[0].state, LedgerState::Succeeded);
    assert_eq!(moved[0].actor, "lina", "the approver ran it");
    let (_, queue) = team.call(&omar, "GET", "/approvals", None).await;
    assert!(queue.as_array().unwrap().is_empty());

    // Below the threshold nothing waits.
    let small = json!({"input": {"kind": "refund", "order_id": order_id, "amount": "0.50", "comment": "goodwill"}});
    let (status, body) = team.call(&sara, "POST", "/moves", Some(small)).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("done")),
        "{body}"
    );
    assert_eq!(refunds(console.clone()).await.len(), 2);

    let trail = mizan_core::audit::recent(console.store(), None, None, 50)
        .await
        .unwrap();
    assert!(
        trail
            .iter()
            .any(|e| e.action == "approval.requested" && e.operator == "sara")
    );
    assert!(
        trail
            .iter()
            .any(|e| e.action == "approval.approved" && e.operator == "lina")
    );
    let _ = lina_id;
}

/// In production a webhook change waits for a second developer; finance may not decide it;
/// in sandbox it runs at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_production_webhook_change_waits_for_a_second_developer() {
    let sim = tamara_sandbox::spawn(Default::default(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = crate::common::config(
        dir.path(),
        &[
            ("MIZAN_ENV", "production"),
            ("MIZAN_PRODUCTION_API_URL", &sim.base_url()),
            ("MIZAN_PRODUCTION_API_TOKEN", "sandbox-api-token"),
            (
                "MIZAN_PRODUCTION_NOTIFICATION_TOKEN",
                "sandbox-notification-token",
            ),
        ],
    );
    let console = Console::open(config).await.unwrap();
    let team = Team::start(&console).await;
    let (_, dev1) = member(&console, "dev1", Role::Developer).await;
    let (_, dev2) = member(&console, "dev2", Role::Developer).await;
    let (_, sara) = member(&console, "sara", Role::Finance).await;

    let hook = json!({"url": "https://hooks.example.com/tamara", "events": ["order_approved"]});
    let (status, body) = team
        .call(&sara, "POST", "/webhooks", Some(hook.clone()))
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "team_forbidden")
    );
    let (status, queued) = team.call(&dev1, "POST", "/webhooks", Some(hook)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{queued}");
    let id = queued["approval"]["id"].as_i64().unwrap();
    let (_, listed) = team.call(&dev1, "GET", "/webhooks", None).await;
    assert_eq!(listed, json!([]), "nothing registered while waiting");

    let (status, body) = team
        .call(&dev1, "POST", &format!("/approvals/{id}/approve"), None)
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "approval_self_decision")
    );
    let (status, body) = team
        .call(&sara, "POST", &format!("/approvals/{id}/approve"), None)
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "team_forbidden")
    );
    let (status, body) = team
        .call(&dev2, "POST", &format!("/approvals/{id}/approve"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "executed", "{body}");
    let (_, listed) = team.call(&dev1, "GET", "/webhooks", None).await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["url"], "https://hooks.example.com/tamara");
}

/// Two team servers on one PostgreSQL database: a person added through one reaches the event
/// stream of a console connected to the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_on_one_instance_reaches_consoles_of_another() {
    let Some(cluster) = mizan_pgtest::TempCluster::shared().unwrap() else {
        return;
    };
    let url = tokio::task::spawn_blocking(move || cluster.create_database("two_instances"))
        .await
        .unwrap()
        .unwrap();
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let open = |dir: std::path::PathBuf| {
        let url = url.clone();
        async move {
            Console::open(crate::common::config(&dir, &[("MIZAN_DATABASE_URL", &url)]))
                .await
                .unwrap()
        }
    };
    let a = open(dir_a.path().to_owned()).await;
    let b = open(dir_b.path().to_owned()).await;
    let (team_a, team_b) = (Team::start(&a).await, Team::start(&b).await);
    let (_, admin) = member(&a, "root", Role::Admin).await;
    let (_, omar) = member(&a, "omar", Role::Auditor).await;
    let mut events = team_b
        .http
        .get(format!("{}/events", team_b.base))
        .bearer_auth(&omar)
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), StatusCode::OK);
    // Give instance B's listener a moment to be in place (its LISTEN runs at start).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, _) = team_a
        .call(
            &admin,
            "POST",
            "/users",
            Some(json!({"name": "sara", "role": "finance"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let chunk = tokio::time::timeout(Duration::from_secs(5), events.chunk())
        .await
        .expect("instance B relays instance A's event")
        .unwrap()
        .unwrap();
    assert!(String::from_utf8_lossy(&chunk).contains("team_changed"));
    // Instance B's own view of the team is the database's: the new person is there.
    let (_, users) = team_b.call(&omar, "GET", "/users", None).await;
    assert!(
        users
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["name"] == "sara")
    );
}

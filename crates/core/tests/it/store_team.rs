//! The team server's people, tokens and approval queue, on both backends.

#![allow(clippy::unwrap_used)]

use chrono::{Duration, TimeZone, Utc};
use mizan_core::environment::Environment::{Production, Sandbox};
use mizan_core::store::approvals::{self, ApprovalRowState, NewApproval};
use mizan_core::store::team;
use mizan_core::team::{Role, TokenHasher, lookup_prefix, verify};

use crate::backends;

fn at(minute: i64) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap() + Duration::minutes(minute)
}

#[tokio::test]
async fn users_and_tokens_round_trip_and_revocation_and_disabling_take_effect() {
    // The cheapest Argon2 cost: these tests are about storage, not hashing strength.
    let hasher = TokenHasher::with_cost(8, 1, 1).unwrap();
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = &b.store;
        let sara = team::add_user(store, "sara", Role::Finance, "admin", at(0))
            .await
            .unwrap();
        let omar = team::add_user(store, "omar", Role::Auditor, "admin", at(1))
            .await
            .unwrap();
        let taken = team::add_user(store, "sara", Role::Admin, "admin", at(2)).await;
        assert_eq!(taken.unwrap_err().code(), "store_conflict");
        let listed = team::users(store).await.unwrap();
        assert_eq!(
            listed
                .iter()
                .map(|u| (u.name.as_str(), u.role))
                .collect::<Vec<_>>(),
            [("omar", Role::Auditor), ("sara", Role::Finance)]
        );
        assert!(team::set_role(store, omar, Role::Developer).await.unwrap());
        assert_eq!(
            team::user(store, omar).await.unwrap().unwrap().role,
            Role::Developer
        );
        assert!(!team::set_role(store, 999, Role::Admin).await.unwrap());

        let (token, stored) = hasher.issue().unwrap();
        let id = team::add_token(store, sara, &stored.prefix, &stored.hash, "laptop", at(3))
            .await
            .unwrap();
        let missing = team::add_token(store, 999, "p", "h", "x", at(3)).await;
        assert_eq!(missing.unwrap_err().code(), "store_not_found");

        // Presenting the token: candidates by prefix, then the hash decides.
        let prefix = lookup_prefix(token.reveal()).unwrap();
        let found = team::live_tokens_with_prefix(store, prefix).await.unwrap();
        assert_eq!(found.len(), 1);
        let (row, user) = &found[0];
        assert_eq!((row.id, user.id, user.name.as_str()), (id, sara, "sara"));
        assert!(verify(token.reveal(), &row.hash));
        assert!(
            !row.hash.contains(token.reveal()),
            "the token is not stored"
        );
        team::touch_token(store, id, at(4)).await.unwrap();
        let tokens = team::tokens_of(store, sara).await.unwrap();
        assert_eq!(tokens[0].last_used_at, Some(at(4)));

        assert!(
            !team::revoke_token(store, omar, id, at(5)).await.unwrap(),
            "not omar's"
        );
        assert!(team::revoke_token(store, sara, id, at(5)).await.unwrap());
        assert!(
            !team::revoke_token(store, sara, id, at(6)).await.unwrap(),
            "once"
        );
        assert!(
            team::live_tokens_with_prefix(store, prefix)
                .await
                .unwrap()
                .is_empty()
        );

        let (_, second) = hasher.issue().unwrap();
        team::add_token(store, sara, &second.prefix, &second.hash, "phone", at(7))
            .await
            .unwrap();
        assert!(team::disable_user(store, sara, at(8)).await.unwrap());
        assert!(!team::disable_user(store, sara, at(9)).await.unwrap());
        assert!(
            team::live_tokens_with_prefix(store, &second.prefix)
                .await
                .unwrap()
                .is_empty(),
            "a disabled user's tokens stop working"
        );
        assert_eq!(team::tokens_of(store, sara).await.unwrap().len(), 2);
    }
}

fn refund(requested_by: i64) -> NewApproval {
    NewApproval {
        environment: Production,
        action: "refund".to_owned(),
        subject: "order-1".to_owned(),
        request: r#"{"amount":"7500.00","currency":"SAR"}"#.to_owned(),
        amount: Some("7500.00".to_owned()),
        currency: Some("SAR".to_owned()),
        requested_by,
        requested_at: at(0),
        expires_at: at(60),
    }
}

#[tokio::test]
async fn an_approval_is_decided_once_never_by_its_requester_never_after_expiry() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = &b.store;
        let sara = team::add_user(store, "sara", Role::Finance, "admin", at(0))
            .await
            .unwrap();
        let lina = team::add_user(store, "lina", Role::Finance, "admin", at(0))
            .await
            .unwrap();
        let id = approvals::request(store, &refund(sara)).await.unwrap();
        let queue = approvals::pending(store, Production, at(1)).await.unwrap();
        assert_eq!(queue.iter().map(|a| a.id).collect::<Vec<_>>(), [id]);
        assert_eq!(queue[0].new, refund(sara));
        assert!(
            approvals::pending(store, Sandbox, at(1))
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            approvals::pending(store, Production, at(60))
                .await
                .unwrap()
                .is_empty(),
            "expired at expires_at"
        );

        assert!(
            !approvals::approve(store, id, sara, at(2)).await.unwrap(),
            "own request"
        );
        assert!(
            !approvals::approve(store, id, lina, at(60)).await.unwrap(),
            "expired"
        );
        assert!(
            !approvals::finish(store, id, ApprovalRowState::Executed, "x")
                .await
                .unwrap()
        );
        assert!(approvals::approve(store, id, lina, at(3)).await.unwrap());
        assert!(
            !approvals::approve(store, id, lina, at(4)).await.unwrap(),
            "once"
        );
        assert!(
            !approvals::reject(store, id, lina, at(4)).await.unwrap(),
            "decided"
        );
        let bad = approvals::finish(store, id, ApprovalRowState::Rejected, "x").await;
        assert_eq!(bad.unwrap_err().code(), "store_invalid");
        assert!(
            approvals::finish(store, id, ApprovalRowState::Executed, "refund r-1")
                .await
                .unwrap()
        );
        assert!(
            !approvals::finish(store, id, ApprovalRowState::Failed, "late")
                .await
                .unwrap()
        );
        let row = approvals::get(store, id).await.unwrap().unwrap();
        assert_eq!(
            (
                row.state,
                row.decided_by,
                row.decided_at,
                row.outcome.as_deref()
            ),
            (
                ApprovalRowState::Executed,
                Some(lina),
                Some(at(3)),
                Some("refund r-1")
            )
        );

        let second = approvals::request(store, &refund(lina)).await.unwrap();
        assert!(approvals::reject(store, second, sara, at(5)).await.unwrap());
        assert_eq!(
            approvals::get(store, second).await.unwrap().unwrap().state,
            ApprovalRowState::Rejected
        );
        // The table itself refuses a requester's decision written around the store.
        let forged = b
            .execute("UPDATE approvals SET decided_by = requested_by")
            .await;
        assert!(forged.is_err(), "a CHECK keeps requester and decider apart");
    }
}

/// Ten approvers of one request at once, on separate connections: exactly one wins.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_approvers_move_the_money_once() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let sara = team::add_user(&store, "sara", Role::Finance, "admin", at(0))
            .await
            .unwrap();
        let mut approvers = Vec::new();
        for n in 0..10 {
            approvers.push(
                team::add_user(
                    &store,
                    &format!("approver{n}"),
                    Role::Finance,
                    "admin",
                    at(0),
                )
                .await
                .unwrap(),
            );
        }
        let id = approvals::request(&store, &refund(sara)).await.unwrap();
        let races = approvers.into_iter().map(|who| {
            let store = store.clone();
            tokio::spawn(async move { approvals::approve(&store, id, who, at(1)).await.unwrap() })
        });
        let won = futures::future::join_all(races)
            .await
            .into_iter()
            .filter(|r| *r.as_ref().unwrap())
            .count();
        assert_eq!(won, 1);
    }
}

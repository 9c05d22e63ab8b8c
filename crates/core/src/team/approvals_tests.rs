#![allow(clippy::unwrap_used)]

use super::*;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn money(text: &str, currency: Currency) -> Money {
    Money::parse(text, currency).unwrap()
}

fn refund(text: &str, currency: Currency) -> ApprovalRequest {
    ApprovalRequest::Refund {
        amount: money(text, currency),
    }
}

const ALICE: Member = Member {
    id: UserId(1),
    role: Role::Finance,
};
const BOB: Member = Member {
    id: UserId(2),
    role: Role::Finance,
};
const DEV: Member = Member {
    id: UserId(3),
    role: Role::Developer,
};
const ADMIN: Member = Member {
    id: UserId(4),
    role: Role::Admin,
};
const AUDITOR: Member = Member {
    id: UserId(5),
    role: Role::Auditor,
};

const T0: &str = "2031-03-04T10:00:00Z";

fn pending_refund() -> PendingApproval {
    PendingApproval::request(
        refund("9000", Currency::Sar),
        ALICE,
        at(T0),
        &ApprovalPolicy::default(),
    )
    .unwrap()
}

#[test]
fn the_default_policy_has_a_threshold_for_every_currency() {
    let policy = ApprovalPolicy::default();
    for c in Currency::ALL {
        let expected = if c.precision() == 3 {
            "500.000"
        } else {
            "5000.00"
        };
        assert_eq!(policy.threshold(c).unwrap().amount().to_string(), expected);
    }
    assert_eq!(policy.ttl, TimeDelta::hours(24));
}

#[test]
fn refunds_and_cancels_need_approval_from_the_threshold_up() {
    let policy = ApprovalPolicy::default();
    for (below, exactly, above, c) in [
        ("4999.99", "5000", "5000.01", Currency::Sar),
        ("4999.99", "5000.00", "12000", Currency::Aed),
        ("4999.99", "5000", "5000.01", Currency::Qar),
        ("499.999", "500", "500.001", Currency::Kwd),
        ("499.999", "500.000", "501", Currency::Bhd),
        ("499.999", "500", "500.001", Currency::Omr),
    ] {
        for make in [
            (|m| ApprovalRequest::Refund { amount: m }) as fn(Money) -> ApprovalRequest,
            |m| ApprovalRequest::Cancel { amount: m },
        ] {
            assert!(
                !needs_approval(&policy, &make(money(below, c))),
                "{below} {c}"
            );
            assert!(
                needs_approval(&policy, &make(money(exactly, c))),
                "{exactly} {c}"
            );
            assert!(
                needs_approval(&policy, &make(money(above, c))),
                "{above} {c}"
            );
        }
    }
}

#[test]
fn a_currency_without_a_threshold_always_needs_approval() {
    let policy = ApprovalPolicy::new([money("100", Currency::Sar)], TimeDelta::hours(1));
    assert!(!needs_approval(&policy, &refund("99.99", Currency::Sar)));
    assert!(needs_approval(&policy, &refund("0.01", Currency::Aed)));
    assert!(needs_approval(&policy, &refund("0.001", Currency::Kwd)));
}

#[test]
fn only_production_webhook_changes_need_approval() {
    let policy = ApprovalPolicy::default();
    for change in [
        WebhookChange::Register,
        WebhookChange::Update,
        WebhookChange::Remove,
    ] {
        let request = |environment| ApprovalRequest::Webhook {
            change,
            environment,
        };
        assert!(needs_approval(&policy, &request(Environment::Production)));
        assert!(!needs_approval(&policy, &request(Environment::Sandbox)));
    }
}

#[test]
fn a_second_person_of_the_right_role_approves_once() {
    let mut p = pending_refund();
    assert_eq!(p.state(), ApprovalState::Pending);
    assert_eq!(p.expires_at(), at("2031-03-05T10:00:00Z"));
    let now = at("2031-03-04T11:00:00Z");
    p.approve(BOB, now).unwrap();
    assert_eq!(
        p.state(),
        ApprovalState::Approved {
            by: BOB.id,
            at: now
        }
    );
    // The money moves once: a second approval, by anyone, is refused.
    assert_eq!(p.approve(BOB, now), Err(ApprovalError::AlreadyDecided));
    assert_eq!(
        p.approve(
            Member {
                id: UserId(9),
                role: Role::Finance
            },
            now
        ),
        Err(ApprovalError::AlreadyDecided)
    );
    assert_eq!(p.reject(BOB, now), Err(ApprovalError::AlreadyDecided));
    assert!(
        !p.expire(at("2031-03-09T00:00:00Z")),
        "approved stays approved"
    );
}

#[test]
fn the_requester_can_never_decide() {
    let mut p = pending_refund();
    let now = at("2031-03-04T10:05:00Z");
    assert_eq!(p.approve(ALICE, now), Err(ApprovalError::SelfApproval));
    assert_eq!(p.reject(ALICE, now), Err(ApprovalError::SelfApproval));
    // Not as another role either: identity, not role, is what counts.
    let alice_as_developer = Member {
        id: ALICE.id,
        role: Role::Developer,
    };
    assert_eq!(
        p.approve(alice_as_developer, now),
        Err(ApprovalError::SelfApproval)
    );
    assert_eq!(p.state(), ApprovalState::Pending);
}

#[test]
fn a_rejected_request_cannot_be_approved_later() {
    let mut p = pending_refund();
    let now = at("2031-03-04T10:05:00Z");
    p.reject(BOB, now).unwrap();
    assert_eq!(
        p.state(),
        ApprovalState::Rejected {
            by: BOB.id,
            at: now
        }
    );
    let carol = Member {
        id: UserId(6),
        role: Role::Finance,
    };
    assert_eq!(p.approve(carol, now), Err(ApprovalError::AlreadyDecided));
    assert_eq!(p.approve(BOB, now), Err(ApprovalError::AlreadyDecided));
}

#[test]
fn only_a_role_that_may_act_decides() {
    let mut p = pending_refund();
    let now = at("2031-03-04T10:05:00Z");
    for other in [DEV, ADMIN, AUDITOR] {
        assert_eq!(
            p.approve(other, now),
            Err(ApprovalError::NotPermitted {
                role: other.role,
                action: Action::Refund
            })
        );
        assert!(p.reject(other, now).is_err());
    }

    let webhook = ApprovalRequest::Webhook {
        change: WebhookChange::Register,
        environment: Environment::Production,
    };
    let mut w = PendingApproval::request(webhook, DEV, at(T0), &ApprovalPolicy::default()).unwrap();
    assert!(matches!(
        w.approve(BOB, now),
        Err(ApprovalError::NotPermitted { .. })
    ));
    let dev2 = Member {
        id: UserId(7),
        role: Role::Developer,
    };
    w.approve(dev2, now).unwrap();
}

#[test]
fn asking_is_no_way_around_the_role_matrix() {
    let policy = ApprovalPolicy::default();
    for who in [DEV, ADMIN, AUDITOR] {
        assert_eq!(
            PendingApproval::request(refund("9000", Currency::Sar), who, at(T0), &policy),
            Err(ApprovalError::NotPermitted {
                role: who.role,
                action: Action::Refund
            })
        );
    }
    let webhook = ApprovalRequest::Webhook {
        change: WebhookChange::Remove,
        environment: Environment::Production,
    };
    assert!(PendingApproval::request(webhook, ALICE, at(T0), &policy).is_err());
}

#[test]
fn a_request_expires_exactly_at_its_ttl() {
    let last_moment = at("2031-03-05T09:59:59.999Z");
    let expiry = at("2031-03-05T10:00:00Z");

    let mut p = pending_refund();
    assert_eq!(p.state_at(last_moment), ApprovalState::Pending);
    assert_eq!(p.state_at(expiry), ApprovalState::Expired);
    assert!(!p.expire(last_moment));
    p.clone().approve(BOB, last_moment).unwrap();

    assert_eq!(
        p.clone().approve(BOB, expiry),
        Err(ApprovalError::Expired { expired_at: expiry })
    );
    assert_eq!(
        p.clone().reject(BOB, expiry),
        Err(ApprovalError::Expired { expired_at: expiry })
    );

    assert!(p.expire(expiry));
    assert_eq!(p.state(), ApprovalState::Expired);
    assert!(!p.expire(expiry), "recorded once");
    // A recorded expiry stays one, even for a clock that went back.
    assert_eq!(
        p.approve(BOB, last_moment),
        Err(ApprovalError::Expired { expired_at: expiry })
    );
}

#[test]
fn the_ttl_comes_from_the_policy() {
    let policy = ApprovalPolicy::new([], TimeDelta::minutes(30));
    let p = PendingApproval::request(refund("1", Currency::Sar), BOB, at(T0), &policy).unwrap();
    assert_eq!(p.requested_at(), at(T0));
    assert_eq!(p.expires_at(), at("2031-03-04T10:30:00Z"));
    assert_eq!(p.requester(), BOB);
    assert_eq!(p.request_details().action(), Action::Refund);

    let forever = ApprovalPolicy::new([], TimeDelta::MAX);
    let p = PendingApproval::request(refund("1", Currency::Sar), BOB, at(T0), &forever).unwrap();
    assert_eq!(p.expires_at(), DateTime::<Utc>::MAX_UTC);
}

#[test]
fn errors_say_what_to_do() {
    assert!(
        ApprovalError::SelfApproval
            .to_string()
            .contains("second person")
    );
    let e = ApprovalError::NotPermitted {
        role: Role::Auditor,
        action: Action::Refund,
    };
    assert_eq!(e.to_string(), "the auditor role may not refund");
}

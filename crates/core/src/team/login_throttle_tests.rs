#![allow(clippy::unwrap_used)]

use std::net::{IpAddr, Ipv4Addr};

use super::*;

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2031-03-04T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn secs(n: i64) -> TimeDelta {
    TimeDelta::seconds(n)
}

fn ip(last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(203, 0, 113, last))
}

fn key(subject: &str, last: u8) -> ThrottleKey {
    ThrottleKey::new(subject, ip(last))
}

#[test]
fn the_lockouts_double_from_one_second_to_fifteen_minutes() {
    let p = ThrottlePolicy::default();
    let expected: Vec<Option<i64>> = vec![
        None,
        None,
        None,
        None,
        Some(1),
        Some(2),
        Some(4),
        Some(8),
        Some(16),
        Some(32),
        Some(64),
        Some(128),
        Some(256),
        Some(512),
        Some(900),
        Some(900),
    ];
    let got: Vec<Option<i64>> = (1..=16)
        .map(|n| p.lockout_after(n).map(|d| d.num_seconds()))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(p.lockout_after(0), None);
    assert_eq!(p.lockout_after(u32::MAX), Some(TimeDelta::minutes(15)));
}

#[test]
fn five_failures_lock_the_pair_out_and_waiting_lets_it_try_again() {
    let mut t = LoginThrottle::default();
    let k = key("alice", 1);
    let mut now = t0();
    for _ in 0..4 {
        assert!(t.check(&k, now).is_ok());
        assert_eq!(t.record_failure(k.clone(), now), None);
    }
    let locked = t.record_failure(k.clone(), now).unwrap();
    assert_eq!(locked.until, now + secs(1));
    assert_eq!(t.check(&k, now), Err(locked));
    assert_eq!(locked.retry_after_secs(now), 1);
    assert!(locked.to_string().contains("try again"));

    // Exactly at the end of the lock-out the pair may try again.
    now += secs(1);
    assert!(t.check(&k, now).is_ok());
    let locked = t.record_failure(k.clone(), now).unwrap();
    assert_eq!(locked.until, now + secs(2));
    assert!(t.check(&k, now + secs(1)).is_err());
    assert!(t.check(&k, now + secs(2)).is_ok());
}

#[test]
fn a_success_starts_the_pair_over() {
    let mut t = LoginThrottle::default();
    let k = key("alice", 1);
    for _ in 0..6 {
        t.record_failure(k.clone(), t0());
    }
    t.record_success(&k);
    assert!(t.check(&k, t0()).is_ok());
    assert!(t.is_empty());
    for _ in 0..4 {
        assert_eq!(t.record_failure(k.clone(), t0()), None);
    }
}

#[test]
fn pairs_are_independent() {
    let mut t = LoginThrottle::default();
    for _ in 0..5 {
        t.record_failure(key("alice", 1), t0());
    }
    assert!(t.check(&key("alice", 1), t0()).is_err());
    // The same user from elsewhere, and another user from the same address, are not locked.
    assert!(t.check(&key("alice", 2), t0()).is_ok());
    assert!(t.check(&key("bob", 1), t0()).is_ok());
    // A token prefix is a subject like any other.
    assert!(t.check(&key("AbCdEfGh", 1), t0()).is_ok());
}

#[test]
fn a_failure_after_a_quiet_day_starts_a_new_run() {
    let mut t = LoginThrottle::default();
    let k = key("alice", 1);
    for _ in 0..4 {
        t.record_failure(k.clone(), t0());
    }
    let just_before = t0() + TimeDelta::hours(24) - secs(1);
    assert!(
        t.record_failure(k.clone(), just_before).is_some(),
        "5th in a row"
    );

    let mut t = LoginThrottle::default();
    for _ in 0..4 {
        t.record_failure(k.clone(), t0());
    }
    let a_day_later = t0() + TimeDelta::hours(24);
    assert_eq!(
        t.record_failure(k.clone(), a_day_later),
        None,
        "1st of a new run"
    );
}

#[test]
fn memory_is_bounded_and_the_oldest_pair_gives_way() {
    let mut t = LoginThrottle::new(ThrottlePolicy {
        capacity: 3,
        ..ThrottlePolicy::default()
    });
    for n in 1..=3u8 {
        t.record_failure(key("x", n), t0() + secs(i64::from(n)));
    }
    // Touch the oldest: it is now the newest.
    t.record_failure(key("x", 1), t0() + secs(10));
    t.record_failure(key("x", 4), t0() + secs(11));
    assert_eq!(t.len(), 3);
    assert!(!t.entries.contains_key(&key("x", 2)), "oldest evicted");
    for n in [1, 3, 4] {
        assert!(t.entries.contains_key(&key("x", n)), "{n}");
    }
    assert_eq!(t.by_age.len(), t.entries.len());

    // A flood of new addresses stays within the cap.
    for n in 0..=255u8 {
        t.record_failure(key("flood", n), t0() + secs(20));
    }
    assert_eq!(t.len(), 3);
    assert_eq!(t.by_age.len(), 3);
}

#[test]
fn prune_forgets_quiet_pairs_but_never_a_running_lockout() {
    let mut t = LoginThrottle::new(ThrottlePolicy {
        forget_after: TimeDelta::minutes(10),
        ..ThrottlePolicy::default()
    });
    t.record_failure(key("quiet", 1), t0());
    for _ in 0..15 {
        t.record_failure(key("locked", 1), t0());
    }
    t.record_failure(key("recent", 1), t0() + TimeDelta::minutes(9));

    // Ten minutes on: "locked" is still locked (15 min), "recent" is not quiet yet.
    t.prune(t0() + TimeDelta::minutes(10));
    assert_eq!(t.len(), 2);
    assert!(
        t.check(&key("locked", 1), t0() + TimeDelta::minutes(10))
            .is_err()
    );

    t.prune(t0() + TimeDelta::minutes(20));
    assert!(t.is_empty());
    assert!(t.by_age.is_empty());
}

#[test]
fn retry_after_rounds_up_to_whole_seconds() {
    let locked = LockedOut {
        until: t0() + secs(2),
    };
    assert_eq!(locked.retry_after_secs(t0()), 2);
    assert_eq!(
        locked.retry_after_secs(t0() + TimeDelta::milliseconds(500)),
        2
    );
    assert_eq!(
        locked.retry_after_secs(t0() + TimeDelta::milliseconds(1500)),
        1
    );
    assert_eq!(locked.retry_after_secs(t0() + secs(5)), 1);
}

#[test]
fn huge_policies_saturate_instead_of_panicking() {
    let mut t = LoginThrottle::new(ThrottlePolicy {
        failures_before_lockout: 1,
        first_lockout: TimeDelta::MAX,
        max_lockout: TimeDelta::MAX,
        forget_after: TimeDelta::MAX,
        capacity: 0,
    });
    let locked = t.record_failure(key("x", 1), t0()).unwrap();
    assert_eq!(locked.until, DateTime::<Utc>::MAX_UTC);
    t.record_failure(key("x", 1), t0());
    t.prune(t0());
    assert_eq!(t.len(), 1);
}

#![allow(clippy::unwrap_used)]

use chrono::TimeZone;

use super::*;

fn at(h: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 0, 0, 0).unwrap() + chrono::Duration::hours(h)
}

fn order(id: &str, status: &str, created_h: i64, read_h: Option<i64>) -> WatchedOrder {
    WatchedOrder {
        order_id: id.to_owned(),
        status: status.to_owned(),
        created_at: at(created_h),
        updated_at: at(created_h),
        last_read_at: read_h.map(at),
        authorised_at: None,
    }
}

#[test]
fn each_kind_of_order_is_read_at_its_own_pace() {
    let p = Policy::default();
    let now = at(100);
    let quiet = order("q", "authorised", 0, Some(95));
    assert_eq!(rank(&quiet, now, &p), (Rank::Quiet, p.quiet_every));
    assert_eq!(due_at(&quiet, now, &p), at(101));
    let approved = order("a", "approved", 99, Some(99));
    assert_eq!(rank(&approved, now, &p).0, Rank::Approved);
    assert!(
        due_at(&approved, now, &p) < now,
        "approved: every 5 minutes"
    );
    let mut fresh = order("f", "new", 99, Some(99));
    fresh.created_at = now - chrono::Duration::minutes(30);
    assert_eq!(rank(&fresh, now, &p).0, Rank::Fresh);
    // Authorised 20.5 days ago: Tamara captures it within the day.
    let mut near = order("n", "authorised", 0, Some(99));
    near.authorised_at = Some(now - chrono::Duration::hours(20 * 24 + 12));
    assert_eq!(
        rank(&near, now, &p),
        (Rank::NearDeadline, p.near_deadline_every)
    );
    near.authorised_at = Some(now - chrono::Duration::days(19));
    assert_eq!(rank(&near, now, &p).0, Rank::Approaching);
    let never = order("z", "new", 0, None);
    assert_eq!(due_at(&never, now, &p), DateTime::<Utc>::MIN_UTC);
}

#[test]
fn a_plan_reads_the_most_urgent_first_and_stays_within_its_calls() {
    let p = Policy::default();
    let now = at(100);
    let mut near = order("near", "authorised", 0, Some(90));
    near.authorised_at = Some(now - chrono::Duration::hours(20 * 24 + 20));
    let watched = vec![
        order("quiet-old", "authorised", 0, Some(10)),
        order("quiet-less-old", "authorised", 0, Some(80)),
        order("approved", "approved", 98, Some(99)),
        near,
        WatchedOrder {
            updated_at: now - chrono::Duration::minutes(30),
            ..order("fresh", "new", 99, Some(99))
        },
        order("not-due", "authorised", 0, Some(99)),
    ];
    let settle = vec!["move".to_owned(), "approved".to_owned()];
    let all = plan(&settle, &watched, now, &p, 1_000, 100, |_| false);
    assert_eq!(
        all.read,
        [
            "move",
            "approved",
            "near",
            "fresh",
            "quiet-old",
            "quiet-less-old"
        ],
        "settling first, each order once, then by rank and lateness"
    );
    assert_eq!((all.due, all.deferred), (6, 0));
    // Settling costs at most 4 calls, a checkout 3 (it may turn out approved), the rest 1.
    assert_eq!(all.calls, 4 + 4 + 1 + 3 + 1 + 1);
    assert_eq!(all.most_overdue, Duration::from_secs(84 * 3600));
    // Nine calls: the two settling orders and the one near its deadline.
    let some = plan(&settle, &watched, now, &p, 9, 100, |_| false);
    assert_eq!(some.read, ["move", "approved", "near"]);
    assert_eq!((some.calls, some.deferred), (9, 3));
    // One call is not enough for anything, yet a tick always reads one order.
    let one = plan(&[], &watched, now, &p, 1, 100, |_| false);
    assert_eq!(one.read, ["approved"]);
    let skipped = plan(&settle, &watched, now, &p, 1_000, 2, |id| id == "move");
    assert_eq!(
        skipped.read,
        ["approved", "near"],
        "skipped, and capped at 2"
    );
}

#[test]
fn a_short_tick_scales_the_intervals_down_and_a_long_one_is_their_floor() {
    let fast = Policy::for_tick(Duration::from_secs(1));
    assert_eq!(fast.approved_every, Duration::from_secs(5));
    assert_eq!(fast.quiet_every, Duration::from_secs(360));
    assert_eq!(fast.near_deadline, Policy::default().near_deadline);
    let slow = Policy::for_tick(Duration::from_secs(600));
    assert_eq!(slow.approved_every, Duration::from_secs(600));
    assert_eq!(slow.quiet_every, Policy::default().quiet_every);
    assert_eq!(Policy::for_tick(Duration::from_secs(60)), Policy::default());
}

#[test]
fn an_order_entering_a_busier_rank_is_due_from_then_not_late_by_its_quiet_hours() {
    let p = Policy::default();
    let now = at(500);
    let mut o = order("o", "authorised", 0, Some(495));
    // Its automatic capture is 23 h 50 min away: it came within a day 10 minutes ago.
    o.authorised_at = Some(now - chrono::Duration::days(20) - chrono::Duration::minutes(10));
    assert_eq!(rank(&o, now, &p).0, Rank::NearDeadline);
    assert_eq!(due_at(&o, now, &p), now - chrono::Duration::minutes(10));
}

#[test]
fn a_creation_time_ahead_of_our_clock_does_not_hold_an_order_back() {
    let p = Policy::default();
    let now = at(10);
    let mut o = order("o", "new", 10, Some(8));
    o.created_at = now + chrono::Duration::seconds(3);
    o.updated_at = o.created_at;
    assert_eq!(due_at(&o, now, &p), now, "due now, not in three seconds");
}

//! Statement cycles: runs of `cycle_days` calendar days in the statement time zone, counted from
//! Monday 1 January 2024, so a 7-day cycle is an ISO week (Monday to Sunday) in Riyadh.
//!
//! An event belongs to the cycle of its local calendar date: a capture at 22:30 UTC on a Sunday
//! is Monday 01:30 in Riyadh and goes to the next week (the UTC-filtering trap of §11.1).

use chrono::{DateTime, Datelike, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

/// The first day of cycle 0 (a Monday, so weekly cycles are ISO weeks).
const ANCHOR: NaiveDate = match NaiveDate::from_ymd_opt(2024, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// One cycle: its first local day, length and time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cycle {
    pub start: NaiveDate,
    pub days: u32,
    pub tz: Tz,
}

/// The local calendar date of `t` in `tz`.
pub fn local_date(t: DateTime<Utc>, tz: Tz) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

/// Local midnight starting `day`, as an instant. A zone whose clocks skip midnight (a DST gap)
/// starts the day at the first instant that exists.
pub fn midnight(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let naive = day.and_time(chrono::NaiveTime::MIN);
    match tz.from_local_datetime(&naive).earliest() {
        Some(t) => t.with_timezone(&Utc),
        None => tz
            .from_local_datetime(&(naive + chrono::Duration::hours(1)))
            .earliest()
            .map_or_else(|| naive.and_utc(), |t| t.with_timezone(&Utc)),
    }
}

impl Cycle {
    /// The cycle holding instant `t`.
    pub fn of(t: DateTime<Utc>, days: u32, tz: Tz) -> Cycle {
        let days = days.max(1);
        let offset = (local_date(t, tz) - ANCHOR).num_days();
        let index = offset.div_euclid(i64::from(days));
        let start = add_days(ANCHOR, index * i64::from(days));
        Cycle { start, days, tz }
    }

    /// Its last local day (inclusive).
    pub fn last_day(&self) -> NaiveDate {
        add_days(self.start, i64::from(self.days) - 1)
    }

    /// The instant it starts (local midnight of its first day).
    pub fn start_instant(&self) -> DateTime<Utc> {
        midnight(self.start, self.tz)
    }

    /// The instant it ends, exclusive (local midnight after its last day).
    pub fn end_instant(&self) -> DateTime<Utc> {
        midnight(add_days(self.start, i64::from(self.days)), self.tz)
    }

    /// `ST-<merchant short>-<ISO year>-<ISO week>` for weekly cycles (`ST-6D9F752E-2026-49`),
    /// `ST-<merchant short>-<first day YYYYMMDD>` for any other length.
    pub fn statement_id(&self, merchant_short: &str) -> String {
        if self.days == 7 {
            let w = self.start.iso_week();
            format!("ST-{merchant_short}-{}-{:02}", w.year(), w.week())
        } else {
            format!("ST-{merchant_short}-{}", self.start.format("%Y%m%d"))
        }
    }
}

fn add_days(d: NaiveDate, n: i64) -> NaiveDate {
    let moved = match u64::try_from(n) {
        Ok(n) => d.checked_add_days(Days::new(n)),
        Err(_) => d.checked_sub_days(Days::new(n.unsigned_abs())),
    };
    moved.unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Riyadh;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_week_is_monday_to_sunday_in_riyadh_not_in_utc() {
        // Sunday 13 Dec 2026 22:30 UTC is Monday 01:30 in Riyadh: week 51, not 50.
        let c = Cycle::of(at("2026-12-13T22:30:00Z"), 7, Riyadh);
        assert_eq!(c.start, NaiveDate::from_ymd_opt(2026, 12, 14).unwrap());
        assert_eq!(c.statement_id("6D9F752E"), "ST-6D9F752E-2026-51");
        let c = Cycle::of(at("2026-12-13T20:59:59Z"), 7, Riyadh);
        assert_eq!(c.statement_id("6D9F752E"), "ST-6D9F752E-2026-50");
        assert_eq!(c.last_day(), NaiveDate::from_ymd_opt(2026, 12, 13).unwrap());
        assert_eq!(c.start_instant(), at("2026-12-06T21:00:00Z"));
        assert_eq!(c.end_instant(), at("2026-12-13T21:00:00Z"));
    }

    #[test]
    fn other_cycle_lengths_are_named_by_their_first_day() {
        let c = Cycle::of(at("2026-12-09T10:00:00Z"), 1, Riyadh);
        assert_eq!(c.statement_id("AB"), "ST-AB-20261209");
        assert_eq!(c.end_instant(), at("2026-12-09T21:00:00Z"));
        // Before the anchor too (negative offsets floor, not truncate).
        let c = Cycle::of(at("2023-12-31T10:00:00Z"), 7, Riyadh);
        assert_eq!(c.start, NaiveDate::from_ymd_opt(2023, 12, 25).unwrap());
    }
}

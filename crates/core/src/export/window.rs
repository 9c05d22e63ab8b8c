//! Time in exports: the zone a user reports in, the window `--from`/`--to` select, and the
//! time cells written per row.
//!
//! Invariants: a window is `[from, to)` in UTC instants. A bare date means whole days in the
//! chosen zone: `--from D` starts at D's first instant there, `--to D` ends at the first instant
//! of the next day (so `--from 2024-05-01 --to 2024-05-31` is all of May in that zone). An
//! RFC 3339 time is an exact instant, and `--to` is then exclusive. A window that is empty or
//! reversed is refused, never silently exported as an empty file. Zones are IANA names
//! (chrono-tz's compiled database), so daylight saving is handled where a zone has it.

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveDateTime, Offset, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use super::ExportError;
use crate::store::StoreError;

/// The zone local times are shown in and bare dates are read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(Tz);

impl Zone {
    /// UTC, the default.
    pub const UTC: Zone = Zone(Tz::UTC);

    /// An IANA zone name, exactly as the database spells it (`Asia/Riyadh`, `UTC`).
    ///
    /// # Errors
    /// [`ExportError::UnknownTimeZone`].
    pub fn parse(name: &str) -> Result<Zone, ExportError> {
        name.parse::<Tz>()
            .map(Zone)
            .map_err(|_| ExportError::UnknownTimeZone(name.to_owned()))
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// The zone's offset from UTC at `utc`, in seconds.
    fn offset_at(self, utc: &NaiveDateTime) -> i32 {
        self.0.offset_from_utc_datetime(utc).fix().local_minus_utc()
    }

    /// The first instant of `day` in this zone. Midnight can fall in a daylight-saving gap in
    /// a few zones; the day then starts at the first local time that exists.
    fn start_of(self, day: NaiveDate) -> Result<DateTime<Utc>, ExportError> {
        let midnight = day.and_hms_opt(0, 0, 0).ok_or(ExportError::OutOfRange)?;
        (0..=3)
            .find_map(|h| {
                self.0
                    .from_local_datetime(&(midnight + chrono::Duration::hours(h)))
                    .earliest()
            })
            .map(|t| t.with_timezone(&Utc))
            .ok_or(ExportError::OutOfRange)
    }
}

/// A `[from, to)` window, with the texts it came from (for messages and the audit log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// How the user wrote it, e.g. `2024-05-01..2024-05-31 Asia/Riyadh`.
    pub label: String,
}

impl Window {
    /// Reads optional `--from`/`--to` texts in `zone` (see the module rules).
    ///
    /// # Errors
    /// [`ExportError::BadTime`] for a text that is neither a date nor an RFC 3339 time;
    /// [`ExportError::WindowReversed`] when `from` is not before `to`.
    pub fn parse(from: Option<&str>, to: Option<&str>, zone: Zone) -> Result<Window, ExportError> {
        let from_at = from.map(|t| bound(t, "--from", zone, false)).transpose()?;
        let to_at = to.map(|t| bound(t, "--to", zone, true)).transpose()?;
        if let (Some(f), Some(t)) = (from_at, to_at)
            && f >= t
        {
            return Err(ExportError::WindowReversed {
                from: from.unwrap_or_default().to_owned(),
                to: to.unwrap_or_default().to_owned(),
            });
        }
        Ok(Window {
            from: from_at,
            to: to_at,
            label: format!(
                "{}..{} {}",
                from.unwrap_or(""),
                to.unwrap_or(""),
                zone.name()
            ),
        })
    }
}

/// One bound: a date (start of the day, or of the next day for an upper bound) or a time.
fn bound(
    text: &str,
    flag: &'static str,
    zone: Zone,
    upper: bool,
) -> Result<DateTime<Utc>, ExportError> {
    let t = text.trim();
    if let Ok(day) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        let day = if upper {
            day.checked_add_days(Days::new(1))
                .ok_or(ExportError::OutOfRange)?
        } else {
            day
        };
        return zone.start_of(day);
    }
    DateTime::parse_from_rfc3339(t)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|_| ExportError::BadTime {
            flag,
            value: text.to_owned(),
        })
}

/// Reusable buffers for the time cells of one row: UTC and local RFC 3339 to the second, and
/// the local date. Written by hand because chrono's formatter, run twice per row for a million
/// rows, costs more than the CSV writing itself.
#[derive(Debug, Default)]
pub(crate) struct TimeCells {
    pub utc: String,
    pub local: String,
    pub local_date: String,
}

impl TimeCells {
    /// Fills the cells from a stored time text (`2024-05-31T09:12:40.000000000Z`).
    ///
    /// # Errors
    /// [`StoreError::CorruptRow`] naming `table.column` if the text is not a time.
    pub fn set_stored(
        &mut self,
        stored: &str,
        zone: Zone,
        table: &'static str,
        column: &'static str,
    ) -> Result<(), StoreError> {
        let utc = parse_stored(stored).ok_or_else(|| {
            StoreError::corrupt(table, column, format!("{stored:?} is not a time"))
        })?;
        self.set(utc, zone);
        Ok(())
    }

    /// Fills the cells from a UTC instant.
    pub fn set(&mut self, utc: NaiveDateTime, zone: Zone) {
        let offset = zone.offset_at(&utc);
        self.utc.clear();
        push_datetime(&mut self.utc, &utc);
        self.utc.push('Z');
        let local = utc + chrono::Duration::seconds(i64::from(offset));
        self.local.clear();
        push_datetime(&mut self.local, &local);
        push_offset(&mut self.local, offset);
        self.local_date.clear();
        push_date(&mut self.local_date, &local);
    }
}

/// The fixed-width stored form, read without a general parser; anything else falls back to
/// chrono's RFC 3339 parser.
fn parse_stored(s: &str) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    let fixed = b.len() == 30
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'.'
        && b[29] == b'Z';
    if fixed {
        let num = |from: usize, to: usize| -> Option<u32> {
            b[from..to].iter().try_fold(0u32, |acc, &c| {
                c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
            })
        };
        let date =
            NaiveDate::from_ymd_opt(i32::try_from(num(0, 4)?).ok()?, num(5, 7)?, num(8, 10)?)?;
        return date.and_hms_nano_opt(num(11, 13)?, num(14, 16)?, num(17, 19)?, num(20, 29)?);
    }
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc).naive_utc())
}

fn push_date(buf: &mut String, t: &NaiveDateTime) {
    // Years outside 0..=9999 never occur in stored rows; write! keeps them correct anyway.
    let _ = write!(buf, "{:04}-", t.year());
    push2(buf, t.month());
    buf.push('-');
    push2(buf, t.day());
}

fn push_datetime(buf: &mut String, t: &NaiveDateTime) {
    push_date(buf, t);
    buf.push('T');
    push2(buf, t.hour());
    buf.push(':');
    push2(buf, t.minute());
    buf.push(':');
    push2(buf, t.second());
}

fn push_offset(buf: &mut String, offset_secs: i32) {
    if offset_secs == 0 {
        buf.push('Z');
        return;
    }
    buf.push(if offset_secs < 0 { '-' } else { '+' });
    let abs = offset_secs.unsigned_abs();
    push2(buf, abs / 3600);
    buf.push(':');
    push2(buf, abs % 3600 / 60);
}

fn push2(buf: &mut String, n: u32) {
    buf.push(char::from(b'0' + (n / 10 % 10) as u8));
    buf.push(char::from(b'0' + (n % 10) as u8));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn dates_are_whole_days_in_the_zone() {
        let riyadh = Zone::parse("Asia/Riyadh").unwrap();
        let w = Window::parse(Some("2024-05-01"), Some("2024-05-31"), riyadh).unwrap();
        assert_eq!(w.from, Some(at("2024-04-30T21:00:00Z")));
        assert_eq!(w.to, Some(at("2024-05-31T21:00:00Z")));
        let w = Window::parse(Some("2024-05-01"), Some("2024-05-01"), Zone::UTC).unwrap();
        assert_eq!(w.to, Some(at("2024-05-02T00:00:00Z")), "one day");
    }

    #[test]
    fn times_are_exact_and_reversed_windows_refused() {
        let w = Window::parse(Some("2024-05-01T10:00:00+03:00"), None, Zone::UTC).unwrap();
        assert_eq!(w.from, Some(at("2024-05-01T07:00:00Z")));
        assert_eq!(w.to, None);
        let e = Window::parse(Some("2024-05-02"), Some("2024-05-01"), Zone::UTC).unwrap_err();
        assert!(matches!(e, ExportError::WindowReversed { .. }), "{e}");
        let e = Window::parse(
            Some("2024-05-01T00:00:00Z"),
            Some("2024-05-01T00:00:00Z"),
            Zone::UTC,
        )
        .unwrap_err();
        assert!(
            matches!(e, ExportError::WindowReversed { .. }),
            "empty window: {e}"
        );
        let e = Window::parse(Some("May 1st"), None, Zone::UTC).unwrap_err();
        assert!(e.to_string().contains("May 1st"), "{e}");
    }

    #[test]
    fn zones_are_iana_names() {
        assert!(Zone::parse("Asia/Riyadh").is_ok());
        assert!(Zone::parse("UTC").is_ok());
        let e = Zone::parse("Mars/Olympus").unwrap_err();
        assert!(e.to_string().contains("Mars/Olympus"), "{e}");
    }

    #[test]
    fn time_cells_match_chrono() {
        let mut cells = TimeCells::default();
        let ny = Zone::parse("America/New_York").unwrap();
        cells
            .set_stored("2024-03-10T06:59:59.123456789Z", ny, "t", "c")
            .unwrap();
        assert_eq!(cells.utc, "2024-03-10T06:59:59Z");
        assert_eq!(cells.local, "2024-03-10T01:59:59-05:00");
        cells
            .set_stored("2024-03-10T07:00:00.000000000Z", ny, "t", "c")
            .unwrap();
        assert_eq!(
            cells.local, "2024-03-10T03:00:00-04:00",
            "after the DST jump"
        );
        let riyadh = Zone::parse("Asia/Riyadh").unwrap();
        cells
            .set_stored("2024-05-31T21:30:00.000000000Z", riyadh, "t", "c")
            .unwrap();
        assert_eq!(cells.local, "2024-06-01T00:30:00+03:00");
        assert_eq!(cells.local_date, "2024-06-01");
        cells
            .set_stored("2024-05-31T21:30:00+00:00", Zone::UTC, "t", "c")
            .unwrap();
        assert_eq!(cells.local, "2024-05-31T21:30:00Z", "fallback parser");
        assert!(cells.set_stored("yesterday", Zone::UTC, "t", "c").is_err());
    }
}

//! The shapes that cross the IPC boundary, as the UI sees them (exported to
//! `ui/src/ipc/bindings.ts` by tauri-specta).
//!
//! Invariants (the contract with the UI): amounts are strings at the currency's precision
//! (`"460.00"`, `"12.500"`) next to a `currency` field — never floats; times are RFC 3339 UTC
//! strings; enums are snake_case strings; integers are at most 32 bits (JavaScript numbers are
//! exact there); no secret is ever part of a DTO (credentials cross as "set" plus the last 4).

pub mod app;
pub mod detail;
pub mod ops;
pub mod orders;
pub mod webhooks;

use chrono::{DateTime, SecondsFormat, Utc};
use mizan_core::money::Money;

use crate::error::IpcError;

/// RFC 3339, UTC, millisecond precision (`2025-01-31T09:12:40.123Z`).
pub fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The amount at its currency's precision, without the currency.
pub fn amount(m: Money) -> String {
    m.amount_text()
}

/// Parses an RFC 3339 time (any offset) or a plain date (`2025-01-31`, midnight UTC) from the
/// UI; `what` names the field in the error.
pub fn parse_time(what: &str, text: &str) -> Result<DateTime<Utc>, IpcError> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| {
            IpcError::invalid(format!(
                "{what} {text:?} is not a date (2025-01-31) or an RFC 3339 time"
            ))
        })
}

/// A count for the UI: 32 bits is plenty for anything the console counts on one screen.
pub fn count<T: TryInto<u32>>(n: T) -> u32 {
    n.try_into().unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_from_dates_and_rfc3339_and_say_which_field_is_bad() {
        assert_eq!(
            time(parse_time("from", "2025-01-31").unwrap()),
            "2025-01-31T00:00:00.000Z"
        );
        assert_eq!(
            time(parse_time("from", "2025-01-31T12:00:00+03:00").unwrap()),
            "2025-01-31T09:00:00.000Z"
        );
        let e = parse_time("created_from", "31/01/2025").unwrap_err();
        assert_eq!(e.code, "invalid_input");
        assert!(e.message.contains("created_from"), "{}", e.message);
    }
}

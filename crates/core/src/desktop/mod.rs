//! The desktop app's contract: the shapes that cross to the webview and the work behind each
//! screen's call, so the Tauri shell stays a list of few-line commands. With the `specta`
//! feature these types derive `specta::Type`, the source of `ui/src/ipc/bindings.ts`.
//!
//! Invariants (the contract with the UI): amounts are strings at the currency's precision
//! (`"460.00"`, `"12.500"`) next to a `currency` field — never floats; times are RFC 3339 UTC
//! strings; enums are snake_case strings; integers are at most 32 bits (JavaScript numbers are
//! exact there); no secret is ever part of a shape (credentials cross as "set" plus the last
//! 4); bad input is `invalid_input` naming the field.

pub mod alerts;
pub mod app;
pub mod approved_alert;
pub mod checkout;
pub mod detail;
pub mod disputes;
pub mod ops;
pub mod orders;
pub mod payouts;
pub mod reconciliation;
pub mod registrations;
pub mod statement;
pub mod till;
pub mod webhooks;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::config::ConsoleConfig;
use crate::console::Console;
use crate::environment::Environment;
use crate::error::{Error, Result};
use crate::money::Money;
use crate::settings::{self, ServiceSettings};
use crate::store::StoreOptions;

/// The desktop's store: SQLite's page cache at 512 KiB per pooled connection instead of the
/// default 2,000 pages. The window keeps the pool open while it runs, and a full cache per
/// connection made the app's memory grow for no gain in the order list (docs/benchmarks.md).
pub const STORE_OPTIONS: StoreOptions = StoreOptions {
    page_cache_kib: Some(512),
};

/// Opens the console of `config.environment` as the operator last saved it (their name signs
/// moves and audit entries), with the settings its services start with.
///
/// # Errors
/// Store errors; [`Error::DataDir`].
pub async fn open_console(mut config: ConsoleConfig) -> Result<(Console, ServiceSettings)> {
    let console = Console::open_with(config.clone(), STORE_OPTIONS).await?;
    let saved = settings::for_services(&console).await?;
    match &saved.operator {
        Some(op) if *op != config.operator => {
            config.operator = op.clone();
            console.store().close().await;
            Ok((Console::open_with(config, STORE_OPTIONS).await?, saved))
        }
        _ => Ok((console, saved)),
    }
}

/// The two environments, as the UI names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum EnvironmentName {
    Sandbox,
    Production,
}

impl From<Environment> for EnvironmentName {
    fn from(e: Environment) -> Self {
        match e {
            Environment::Sandbox => EnvironmentName::Sandbox,
            Environment::Production => EnvironmentName::Production,
        }
    }
}

impl From<EnvironmentName> for Environment {
    fn from(e: EnvironmentName) -> Self {
        match e {
            EnvironmentName::Sandbox => Environment::Sandbox,
            EnvironmentName::Production => Environment::Production,
        }
    }
}

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
///
/// # Errors
/// [`Error::Invalid`] naming `what`.
pub fn parse_time(what: &str, text: &str) -> Result<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| {
            Error::Invalid(format!(
                "{what} {text:?} is not a date (2025-01-31) or an RFC 3339 time"
            ))
        })
}

/// A count for the UI: 32 bits is plenty for anything the console counts on one screen.
pub fn count<T: TryInto<u32>>(n: T) -> u32 {
    n.try_into().unwrap_or(u32::MAX)
}

/// Text from the UI with blank meaning none.
fn text(t: &Option<String>) -> Option<&str> {
    t.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// A console on a fresh data folder, for the notifiers' tests (they read the saved language).
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) async fn test_console(dir: &std::path::Path) -> Console {
    let vars: std::collections::HashMap<String, String> =
        [("MIZAN_DATA_DIR".to_owned(), dir.display().to_string())].into();
    let config = crate::config::ConsoleConfig::from_vars(&vars).unwrap();
    Console::open(config).await.unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_from_dates_and_rfc3339_and_say_which_field_is_bad() {
        let at = |t| time(parse_time("from", t).unwrap());
        assert_eq!(at("2025-01-31"), "2025-01-31T00:00:00.000Z");
        assert_eq!(at("2025-01-31T12:00:00+03:00"), "2025-01-31T09:00:00.000Z");
        let e = parse_time("created_from", "31/01/2025").unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::InvalidInput);
        assert!(e.to_string().contains("created_from"), "{e}");
    }

    #[test]
    fn counts_saturate_at_32_bits() {
        assert_eq!(count(7_u64), 7);
        assert_eq!(count(u64::MAX), u32::MAX);
        assert_eq!(count(-1_i64), u32::MAX);
    }
}

//! The operator's settings, typed and validated: the desktop app's receiver port, reconciler
//! interval, operator name and language, the inbox's retention and the rejection alert
//! (global), and per environment the public URL and auto-authorise.
//!
//! Invariants: the setting keys exist only here (and, for the two the webhook path reads, in
//! [`crate::webhooks`]); a value is checked before it is stored, and a refusal is
//! `invalid_input` naming the field; a stored value that no longer parses reads as its default.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::config::Retention;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::store::settings::{self as stored, SettingScope};
use crate::webhooks::health::{REJECTION_ALERT_SETTING, rejection_threshold};
use crate::webhooks::processor::{AUTO_AUTHORISE_SETTING, auto_authorise_enabled};
use crate::webhooks::selftest::PUBLIC_URL_SETTING;

/// The receiver's port without a setting: the same as `mizan serve`.
pub const DEFAULT_RECEIVER_PORT: u16 = 8766;
/// The reconciler's interval without a setting, in seconds.
pub const DEFAULT_RECONCILE_SECS: u32 = 60;
/// Overrides the reconciler interval setting, in seconds; 0 turns the reconciler off (so a
/// benchmark or a test can run without background reads).
pub const RECONCILE_VAR: &str = "MIZAN_RECONCILE_EVERY_SECS";
/// The UI languages.
pub const LOCALES: [&str; 2] = ["en", "ar"];

/// Global keys (non-secret).
mod keys {
    pub const RECEIVER_PORT: &str = "app.receiver_port";
    pub const RECONCILE_EVERY: &str = "app.reconcile_every_secs";
    pub const OPERATOR: &str = "app.operator";
    pub const LOCALE: &str = "app.locale";
    pub const RETENTION_REJECTED: &str = "receiver.retention_rejected_days";
    pub const RETENTION_PROCESSED: &str = "receiver.retention_processed_days";
}

/// Longest retention the form accepts, in days (ten years).
pub const MAX_RETENTION_DAYS: u32 = 3_650;

/// The settings screen: what the operator can change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Settings {
    /// Where the in-app receiver listens (1024 to 65535).
    pub receiver_port: u16,
    /// The public URL Tamara is told to call (a tunnel or reverse proxy), https only.
    pub public_url: Option<String>,
    /// Authorise approved orders as their webhook arrives (this environment).
    pub auto_authorise: bool,
    /// How often the reconciler re-reads unsettled orders (10 to 86400 seconds).
    pub reconcile_every_secs: u32,
    /// Who signs moves and audit entries.
    pub operator: String,
    /// Days refused deliveries are kept (1 to 3650; unset: the configuration's).
    pub retention_rejected_days: u32,
    /// Days processed deliveries are kept after settling (1 to 3650).
    pub retention_processed_days: u32,
    /// Refused deliveries per 10 minutes at which the console alerts (at least 1).
    pub rejection_alert_per_10_min: u32,
}

impl Settings {
    /// Refuses a value that cannot be stored, naming the field.
    ///
    /// # Errors
    /// [`Error::Invalid`].
    pub fn check(&self) -> Result<()> {
        if self.receiver_port < 1024 {
            return Err(Error::Invalid(format!(
                "receiver port {} is reserved; use 1024 to 65535",
                self.receiver_port
            )));
        }
        if !(10..=86_400).contains(&self.reconcile_every_secs) {
            return Err(Error::Invalid(format!(
                "the reconciler interval must be 10 to 86400 seconds, not {}",
                self.reconcile_every_secs
            )));
        }
        for (what, days) in [
            ("refused deliveries", self.retention_rejected_days),
            ("processed deliveries", self.retention_processed_days),
        ] {
            if !(1..=MAX_RETENTION_DAYS).contains(&days) {
                return Err(Error::Invalid(format!(
                    "{what} must be kept 1 to {MAX_RETENTION_DAYS} days, not {days}"
                )));
            }
        }
        if self.rejection_alert_per_10_min == 0 {
            return Err(Error::Invalid(
                "the rejection alert needs a threshold of at least 1".into(),
            ));
        }
        let op = self.operator.trim();
        if op.is_empty() || op.chars().count() > 100 || op.chars().any(char::is_control) {
            return Err(Error::Invalid(
                "the operator name must be 1 to 100 characters without control characters".into(),
            ));
        }
        if let Some(u) = self.public_url()
            && url_scheme(u)? != "https"
        {
            return Err(Error::Invalid(format!(
                "the public URL must use https (Tamara refuses {u})"
            )));
        }
        Ok(())
    }

    /// The public URL, blank meaning none.
    pub fn public_url(&self) -> Option<&str> {
        self.public_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
    }
}

/// The scheme of an absolute URL, lower case.
fn url_scheme(u: &str) -> Result<String> {
    let not_absolute = || Error::Invalid(format!("{u:?} is not an absolute URL"));
    let (scheme, rest) = u.split_once("://").ok_or_else(not_absolute)?;
    if rest.is_empty() || scheme.is_empty() || u.chars().any(char::is_whitespace) {
        return Err(not_absolute());
    }
    Ok(scheme.to_ascii_lowercase())
}

/// What the desktop app needs before it starts its services.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSettings {
    /// The operator's saved name, if one was saved (it overrides the configuration's).
    pub operator: Option<String>,
    pub receiver_port: u16,
    /// None: the reconciler is off.
    pub reconcile_every: Option<Duration>,
}

async fn global(console: &Context, key: &str) -> Result<Option<String>> {
    Ok(stored::get(console.store(), SettingScope::Global, key).await?)
}

/// The saved settings of the console's environment; the operator is the console's own.
///
/// # Errors
/// Store errors.
pub async fn load(console: &Context) -> Result<Settings> {
    let r = retention(console).await?;
    Ok(Settings {
        receiver_port: receiver_port(console).await?,
        public_url: public_url(console).await?,
        auto_authorise: auto_authorise_enabled(console).await?,
        reconcile_every_secs: u32::try_from(reconcile_secs(console).await?)
            .unwrap_or(DEFAULT_RECONCILE_SECS),
        operator: console.config().operator.clone(),
        retention_rejected_days: r.rejected_days,
        retention_processed_days: r.processed_days,
        rejection_alert_per_10_min: rejection_threshold(console).await?,
    })
}

/// How long the inbox keeps deliveries: the saved days, else the configuration's
/// (`MIZAN_RETENTION_*`, [`crate::config::Retention`]).
///
/// # Errors
/// Store errors.
pub async fn retention(console: &Context) -> Result<Retention> {
    let days = |saved: Option<String>, default: u32| {
        saved
            .and_then(|d| d.parse::<u32>().ok())
            .filter(|d| (1..=MAX_RETENTION_DAYS).contains(d))
            .unwrap_or(default)
    };
    let d = console.config().retention;
    Ok(Retention {
        rejected_days: days(
            global(console, keys::RETENTION_REJECTED).await?,
            d.rejected_days,
        ),
        processed_days: days(
            global(console, keys::RETENTION_PROCESSED).await?,
            d.processed_days,
        ),
    })
}

/// The saved receiver port, else the default.
async fn receiver_port(console: &Context) -> Result<u16> {
    Ok(global(console, keys::RECEIVER_PORT)
        .await?
        .and_then(|p| p.parse().ok())
        .unwrap_or(DEFAULT_RECEIVER_PORT))
}

/// The saved reconciler interval in seconds, else the default.
async fn reconcile_secs(console: &Context) -> Result<u64> {
    Ok(global(console, keys::RECONCILE_EVERY)
        .await?
        .and_then(|s| s.parse().ok())
        .unwrap_or(u64::from(DEFAULT_RECONCILE_SECS)))
}

/// Checks and stores `s` (the public URL and auto-authorise for the console's environment).
///
/// # Errors
/// [`Error::Invalid`] naming the field; store errors.
pub async fn save(console: &Context, s: &Settings) -> Result<()> {
    s.check()?;
    let store = console.store();
    let env = SettingScope::Env(console.environment());
    let g = SettingScope::Global;
    stored::set(
        store,
        g,
        keys::RECEIVER_PORT,
        &s.receiver_port.to_string(),
        console.now(),
    )
    .await?;
    let every = s.reconcile_every_secs.to_string();
    stored::set(store, g, keys::RECONCILE_EVERY, &every, console.now()).await?;
    stored::set(store, g, keys::OPERATOR, s.operator.trim(), console.now()).await?;
    for (key, value) in [
        (keys::RETENTION_REJECTED, s.retention_rejected_days),
        (keys::RETENTION_PROCESSED, s.retention_processed_days),
        (REJECTION_ALERT_SETTING, s.rejection_alert_per_10_min),
    ] {
        stored::set(store, g, key, &value.to_string(), console.now()).await?;
    }
    let auto = if s.auto_authorise { "on" } else { "off" };
    stored::set(store, env, AUTO_AUTHORISE_SETTING, auto, console.now()).await?;
    match s.public_url() {
        Some(u) => stored::set(store, env, PUBLIC_URL_SETTING, u, console.now()).await?,
        None => {
            stored::remove(store, env, PUBLIC_URL_SETTING).await?;
        }
    }
    Ok(())
}

/// The operator's name, the receiver's port and the reconciler's interval as saved;
/// [`RECONCILE_VAR`] overrides the interval.
///
/// # Errors
/// Store errors.
pub async fn for_services(console: &Context) -> Result<ServiceSettings> {
    let every = reconcile_secs(console).await?;
    let every = reconcile_override(std::env::var(RECONCILE_VAR).ok().as_deref()).unwrap_or(every);
    Ok(ServiceSettings {
        operator: global(console, keys::OPERATOR)
            .await?
            .filter(|o| !o.trim().is_empty()),
        receiver_port: receiver_port(console).await?,
        reconcile_every: (every > 0).then(|| Duration::from_secs(every)),
    })
}

fn reconcile_override(var: Option<&str>) -> Option<u64> {
    var.and_then(|v| v.trim().parse().ok())
}

/// The saved UI language, if the operator chose one.
///
/// # Errors
/// Store errors.
pub async fn locale(console: &Context) -> Result<Option<String>> {
    global(console, keys::LOCALE).await
}

/// Saves the UI language (`en` or `ar`).
///
/// # Errors
/// [`Error::Invalid`] for another language; store errors.
pub async fn save_locale(console: &Context, locale: &str) -> Result<()> {
    let locale = locale.trim();
    if !LOCALES.contains(&locale) {
        return Err(Error::Invalid(format!("locale {locale:?} is not en or ar")));
    }
    let store = console.store();
    Ok(stored::set(
        store,
        SettingScope::Global,
        keys::LOCALE,
        locale,
        console.now(),
    )
    .await?)
}

/// Remembers `url` as the public URL of the console's environment (what the self-test and
/// the app offer Tamara).
///
/// # Errors
/// Store errors.
pub async fn save_public_url(console: &Context, url: &str) -> Result<()> {
    let env = SettingScope::Env(console.environment());
    Ok(stored::set(
        console.store(),
        env,
        PUBLIC_URL_SETTING,
        url.trim(),
        console.now(),
    )
    .await?)
}

/// The public URL saved for the console's environment.
///
/// # Errors
/// Store errors.
pub async fn public_url(console: &Context) -> Result<Option<String>> {
    let env = SettingScope::Env(console.environment());
    Ok(stored::get(console.store(), env, PUBLIC_URL_SETTING).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Console;

    fn good() -> Settings {
        Settings {
            receiver_port: 8766,
            public_url: Some("https://hooks.example.sa/webhooks/tamara".into()),
            auto_authorise: true,
            reconcile_every_secs: 60,
            operator: "Layla".into(),
            retention_rejected_days: 7,
            retention_processed_days: 90,
            rejection_alert_per_10_min: 50,
        }
    }

    #[test]
    fn settings_are_checked_field_by_field() {
        assert!(good().check().is_ok());
        let no_url = Settings {
            public_url: Some("  ".into()),
            ..good()
        };
        assert!(no_url.check().is_ok());
        assert_eq!(no_url.public_url(), None, "blank is no URL");
        for (bad, needle) in [
            (
                Settings {
                    receiver_port: 80,
                    ..good()
                },
                "reserved",
            ),
            (
                Settings {
                    reconcile_every_secs: 1,
                    ..good()
                },
                "interval",
            ),
            (
                Settings {
                    operator: " ".into(),
                    ..good()
                },
                "operator",
            ),
            (
                Settings {
                    operator: "a\u{7}b".into(),
                    ..good()
                },
                "operator",
            ),
            (
                Settings {
                    public_url: Some("http://hooks.example.sa/x".into()),
                    ..good()
                },
                "https",
            ),
            (
                Settings {
                    public_url: Some("hooks.example.sa".into()),
                    ..good()
                },
                "absolute URL",
            ),
        ] {
            let e = bad.check().unwrap_err();
            assert_eq!(e.code(), crate::ErrorCode::InvalidInput);
            assert!(e.to_string().contains(needle), "{e}");
        }
    }

    #[test]
    fn the_variable_overrides_the_interval_when_it_is_a_number() {
        assert_eq!(reconcile_override(Some(" 0 ")), Some(0));
        assert_eq!(reconcile_override(Some("15")), Some(15));
        assert_eq!(reconcile_override(Some("soon")), None);
        assert_eq!(reconcile_override(None), None);
    }

    #[tokio::test]
    async fn saved_settings_read_back_and_bad_ones_are_not_stored() {
        let dir = tempfile::tempdir().unwrap();
        let vars: std::collections::HashMap<String, String> = [(
            "MIZAN_DATA_DIR".to_owned(),
            dir.path().display().to_string(),
        )]
        .into();
        let config = crate::config::ConsoleConfig::from_vars(&vars).unwrap();
        let console = Console::open(config).await.unwrap();
        let fresh = console.settings().await.unwrap();
        assert_eq!(fresh.receiver_port, DEFAULT_RECEIVER_PORT);
        assert_eq!(fresh.reconcile_every_secs, DEFAULT_RECONCILE_SECS);
        let wanted = Settings {
            receiver_port: 9100,
            public_url: Some(" https://hooks.example.sa/w ".into()),
            auto_authorise: false,
            reconcile_every_secs: 30,
            operator: " Layla ".into(),
            ..fresh.clone()
        };
        console.save_settings(&wanted).await.unwrap();
        let read = console.settings().await.unwrap();
        assert_eq!(read.receiver_port, 9100);
        assert_eq!(
            read.public_url.as_deref(),
            Some("https://hooks.example.sa/w")
        );
        assert!(!read.auto_authorise);
        assert_eq!(read.reconcile_every_secs, 30);
        let services = for_services(&console).await.unwrap();
        assert_eq!(services.operator.as_deref(), Some("Layla"));
        assert_eq!(services.receiver_port, 9100);
        let bad = Settings {
            receiver_port: 80,
            ..wanted
        };
        assert!(console.save_settings(&bad).await.is_err());
        assert_eq!(console.settings().await.unwrap().receiver_port, 9100);
        console.save_locale(" ar ").await.unwrap();
        assert_eq!(console.locale().await.unwrap().as_deref(), Some("ar"));
        let e = console.save_locale("fr").await.unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::InvalidInput);
    }
}

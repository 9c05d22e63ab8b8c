//! Where the console's settings come from: the data directory, the active environment and,
//! per environment, the API URL and tokens.
//!
//! Headless use and CI configure everything with environment variables (DESIGN.md):
//! `MIZAN_DATA_DIR`, `MIZAN_ENV`, `MIZAN_<ENV>_API_URL`, `MIZAN_<ENV>_API_TOKEN`,
//! `MIZAN_<ENV>_NOTIFICATION_TOKEN`, `MIZAN_OPERATOR` with `<ENV>` = `SANDBOX` or `PRODUCTION`;
//! the inbox's retention with `MIZAN_RETENTION_REJECTED_DAYS` and
//! `MIZAN_RETENTION_PROCESSED_DAYS` ([`Retention`]).
//! The OS keychain is the other source of tokens: [`crate::credentials::fill_from_keychain`]
//! fills what these variables leave unset, later and only for commands that need a token, so
//! reading the configuration never touches the keychain.
//!
//! Invariants: tokens are held as [`Sensitive`] and never printed; each token records where it
//! came from ([`TokenSource`]). With no sandbox URL and no sandbox token variables the sandbox
//! environment points at the built-in simulator on loopback with its demo tokens, so a newcomer
//! sees data flow with no credentials — unless the keychain holds a sandbox API token, which
//! then means Tamara's real sandbox (see `fill_from_keychain`). Production has no default token.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use tamara::Sensitive;

use crate::environment::Environment;

/// Where the built-in simulator listens unless told otherwise (`mizan sandbox`).
pub const BUILT_IN_SANDBOX_URL: &str = "http://127.0.0.1:8765";
/// The simulator's default tokens; public by design, valid only against the simulator.
pub const BUILT_IN_SANDBOX_API_TOKEN: &str = "sandbox-api-token";
pub const BUILT_IN_SANDBOX_NOTIFICATION_TOKEN: &str = "sandbox-notification-token";

/// Where a token of [`EnvironmentConfig`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    /// Neither a variable nor the keychain (nor a demo default) supplied it.
    Unset,
    /// `MIZAN_<ENV>_API_TOKEN` / `MIZAN_<ENV>_NOTIFICATION_TOKEN`: always wins.
    EnvVar,
    /// The OS keychain ([`crate::credentials`]).
    Keychain,
    /// The built-in simulator's public demo token.
    BuiltInDemo,
}

impl TokenSource {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenSource::Unset => "unset",
            TokenSource::EnvVar => "environment variable",
            TokenSource::Keychain => "keychain",
            TokenSource::BuiltInDemo => "built-in demo",
        }
    }
}

/// Settings of one environment.
#[derive(Debug, Clone)]
pub struct EnvironmentConfig {
    pub environment: Environment,
    pub api_url: String,
    pub api_token: Option<Sensitive<String>>,
    pub notification_token: Option<Sensitive<String>>,
    pub api_token_source: TokenSource,
    pub notification_token_source: TokenSource,
    /// True when `api_url` is the built-in simulator's default (no URL was configured).
    pub built_in_sandbox: bool,
    pub connect_timeout: Duration,
    pub total_timeout: Duration,
    /// The longest lifetime (`exp` − `iat`) of a notification token the receiver accepts.
    pub token_max_lifetime: Duration,
    /// Where Tamara lists every webhook, if anywhere: no source documents a path (reference
    /// §6.6), so None (the default) confirms and lists webhooks one id at a time.
    pub webhook_list_path: Option<String>,
    /// Where Tamara lists disputes (`MIZAN_<ENV>_DISPUTES_PATH`), if anywhere: the dispute
    /// API is third-party-sourced (reference §5.11, §16.16), so None (the default) means
    /// disputes are known from their notifications only. The update path is this path plus
    /// the dispute id.
    pub disputes_path: Option<String>,
}

/// Everything the console needs to open.
#[derive(Debug, Clone)]
pub struct ConsoleConfig {
    pub data_dir: PathBuf,
    pub environment: Environment,
    pub sandbox: EnvironmentConfig,
    pub production: EnvironmentConfig,
    /// Who is acting, as recorded in the ledger and the audit log beside the OS user
    /// (`MIZAN_OPERATOR`; defaults to the OS user).
    pub operator: String,
    /// How long the webhook inbox keeps refused and settled deliveries.
    pub retention: Retention,
    /// Refused deliveries per 10 minutes at which the console alerts
    /// (`MIZAN_REJECTION_ALERT_PER_10_MIN`, default 50; a saved setting wins).
    pub rejection_alert: u32,
    /// A team server's PostgreSQL database (`MIZAN_DATABASE_URL`, or `mizan serve
    /// --database`); None: the SQLite file in the data directory.
    pub database_url: Option<DatabaseUrl>,
}

/// A `postgres://` URL, which may hold a password: shown without it.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// `url` if it names PostgreSQL.
    ///
    /// # Errors
    /// [`ConfigError::BadDatabaseUrl`] for anything but `postgres://` or `postgresql://`.
    pub fn parse(url: &str) -> Result<DatabaseUrl, ConfigError> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DatabaseUrl(url.to_owned()))
        } else {
            Err(ConfigError::BadDatabaseUrl)
        }
    }

    /// The URL itself, password included: for connecting only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DatabaseUrl(postgres://…)")
    }
}

/// Refused deliveries per 10 minutes at which the console alerts, unless configured.
pub const DEFAULT_REJECTION_ALERT: u32 = 50;

/// How long the webhook inbox keeps deliveries it no longer needs
/// ([`crate::store::delivery_retention`]). Pending and failed verified deliveries are kept
/// whatever these say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Days a refused (401) delivery is kept after it arrived (`MIZAN_RETENTION_REJECTED_DAYS`,
    /// default 7).
    pub rejected_days: u32,
    /// Days a processed or set-aside delivery is kept after it was settled
    /// (`MIZAN_RETENTION_PROCESSED_DAYS`, default 90).
    pub processed_days: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            rejected_days: 7,
            processed_days: 90,
        }
    }
}

impl Retention {
    /// Reads the two variables from `get`; an unset one keeps its default.
    fn from_vars(get: &impl Fn(&str) -> Option<String>) -> Result<Retention, ConfigError> {
        let days = |var: &str, default: u32| -> Result<u32, ConfigError> {
            match get(var) {
                None => Ok(default),
                Some(v) => {
                    v.parse::<u32>()
                        .ok()
                        .filter(|d| *d > 0)
                        .ok_or(ConfigError::BadRetention {
                            var: var.to_owned(),
                            value: v,
                        })
                }
            }
        };
        let d = Retention::default();
        Ok(Retention {
            rejected_days: days("MIZAN_RETENTION_REJECTED_DAYS", d.rejected_days)?,
            processed_days: days("MIZAN_RETENTION_PROCESSED_DAYS", d.processed_days)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("MIZAN_ENV is {0:?}; expected `sandbox` or `production`")]
    BadEnvironment(String),
    #[error("{var} is {value:?}; expected a number of seconds")]
    BadTimeout { var: String, value: String },
    #[error("{var} is {value:?}; expected a whole number of days, at least 1")]
    BadRetention { var: String, value: String },
    #[error("{var} is {value:?}; expected a whole number, at least 1")]
    BadCount { var: String, value: String },
    #[error("MIZAN_DATABASE_URL / --database must be a postgres:// URL")]
    BadDatabaseUrl,
    #[error("TLS {what} {path}: {reason}")]
    TlsFile {
        what: &'static str,
        path: String,
        reason: String,
    },
    #[error("no data directory: set MIZAN_DATA_DIR or --data-dir (HOME is not set either)")]
    NoDataDir,
}

impl ConsoleConfig {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&std::env::vars().collect())
    }

    /// Reads the given variables (tests pass their own map rather than mutating the process).
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let get = |k: &str| {
            vars.get(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let environment = match get("MIZAN_ENV") {
            None => Environment::Sandbox,
            Some(v) => v.parse().map_err(|_| ConfigError::BadEnvironment(v))?,
        };
        let data_dir = match get("MIZAN_DATA_DIR") {
            Some(d) => PathBuf::from(d),
            None => default_data_dir(vars).ok_or(ConfigError::NoDataDir)?,
        };
        Ok(ConsoleConfig {
            data_dir,
            environment,
            sandbox: env_config(Environment::Sandbox, &get)?,
            production: env_config(Environment::Production, &get)?,
            operator: get("MIZAN_OPERATOR")
                .or_else(|| get("USER"))
                .or_else(|| get("USERNAME"))
                .unwrap_or_else(|| "unknown".to_owned()),
            retention: Retention::from_vars(&get)?,
            database_url: get("MIZAN_DATABASE_URL")
                .map(|u| DatabaseUrl::parse(&u))
                .transpose()?,
            rejection_alert: match get("MIZAN_REJECTION_ALERT_PER_10_MIN") {
                None => DEFAULT_REJECTION_ALERT,
                Some(v) => {
                    v.parse::<u32>()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or(ConfigError::BadCount {
                            var: "MIZAN_REJECTION_ALERT_PER_10_MIN".into(),
                            value: v,
                        })?
                }
            },
        })
    }

    pub fn active(&self) -> &EnvironmentConfig {
        self.for_env(self.environment)
    }

    pub fn for_env(&self, env: Environment) -> &EnvironmentConfig {
        match env {
            Environment::Sandbox => &self.sandbox,
            Environment::Production => &self.production,
        }
    }

    /// The SQLite file inside the data directory.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("mizan.db")
    }
}

fn env_config(
    environment: Environment,
    get: &impl Fn(&str) -> Option<String>,
) -> Result<EnvironmentConfig, ConfigError> {
    let prefix = format!("MIZAN_{}_", environment.env_var_prefix());
    let url = get(&format!("{prefix}API_URL"));
    let built_in_sandbox = environment == Environment::Sandbox && url.is_none();
    let api_url = url.unwrap_or_else(|| match environment {
        Environment::Sandbox => BUILT_IN_SANDBOX_URL.to_owned(),
        Environment::Production => tamara::client::PRODUCTION_BASE_URL.to_owned(),
    });
    let mut api_token = get(&format!("{prefix}API_TOKEN")).map(Sensitive::new);
    let mut notification_token = get(&format!("{prefix}NOTIFICATION_TOKEN")).map(Sensitive::new);
    let from_var = |t: &Option<Sensitive<String>>| match t {
        Some(_) => TokenSource::EnvVar,
        None if built_in_sandbox => TokenSource::BuiltInDemo,
        None => TokenSource::Unset,
    };
    let (api_token_source, notification_token_source) =
        (from_var(&api_token), from_var(&notification_token));
    if built_in_sandbox {
        api_token.get_or_insert_with(|| Sensitive::new(BUILT_IN_SANDBOX_API_TOKEN.to_owned()));
        notification_token
            .get_or_insert_with(|| Sensitive::new(BUILT_IN_SANDBOX_NOTIFICATION_TOKEN.to_owned()));
    }
    let secs = |name: &str, default: u64| -> Result<Duration, ConfigError> {
        let var = format!("{prefix}{name}");
        match get(&var) {
            None => Ok(Duration::from_secs(default)),
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|s| *s > 0)
                .map(Duration::from_secs)
                .ok_or(ConfigError::BadTimeout { var, value: v }),
        }
    };
    Ok(EnvironmentConfig {
        environment,
        api_url,
        api_token,
        notification_token,
        api_token_source,
        notification_token_source,
        built_in_sandbox,
        connect_timeout: secs("CONNECT_TIMEOUT_SECS", 5)?,
        total_timeout: secs("TIMEOUT_SECS", 30)?,
        token_max_lifetime: secs(
            "TOKEN_MAX_LIFETIME_SECS",
            tamara::notification::DEFAULT_MAX_LIFETIME_SECS.unsigned_abs(),
        )?,
        webhook_list_path: get(&format!("{prefix}WEBHOOK_LIST_PATH"))
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty()),
        disputes_path: get(&format!("{prefix}DISPUTES_PATH"))
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty()),
    })
}

fn default_data_dir(vars: &HashMap<String, String>) -> Option<PathBuf> {
    if let Some(xdg) = vars.get("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(xdg).join("mizan"));
    }
    vars.get("HOME")
        .filter(|v| !v.is_empty())
        .map(|h| PathBuf::from(h).join(".local/share/mizan"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_to_the_built_in_sandbox() {
        let c = ConsoleConfig::from_vars(&vars(&[("HOME", "/home/a")])).unwrap();
        assert_eq!(c.environment, Environment::Sandbox);
        assert_eq!(c.sandbox.api_url, BUILT_IN_SANDBOX_URL);
        assert!(c.sandbox.built_in_sandbox && c.sandbox.api_token.is_some());
        assert_eq!(c.sandbox.api_token_source, TokenSource::BuiltInDemo);
        assert_eq!(c.production.api_token_source, TokenSource::Unset);
        assert_eq!(c.production.api_url, "https://api.tamara.co");
        assert!(
            c.production.api_token.is_none(),
            "production never gets a default token"
        );
        assert_eq!(c.data_dir, PathBuf::from("/home/a/.local/share/mizan"));
    }

    #[test]
    fn a_configured_sandbox_gets_no_demo_token() {
        let c = ConsoleConfig::from_vars(&vars(&[
            ("MIZAN_DATA_DIR", "/d"),
            ("MIZAN_SANDBOX_API_URL", "https://api-sandbox.tamara.co"),
        ]))
        .unwrap();
        assert!(!c.sandbox.built_in_sandbox);
        assert!(c.sandbox.api_token.is_none());
    }

    #[test]
    fn reads_every_variable_and_refuses_bad_values() {
        let c = ConsoleConfig::from_vars(&vars(&[
            ("MIZAN_DATA_DIR", "/d"),
            ("MIZAN_ENV", "production"),
            ("MIZAN_PRODUCTION_API_TOKEN", " tok-1234567890 "),
            ("MIZAN_PRODUCTION_NOTIFICATION_TOKEN", "n"),
            ("MIZAN_PRODUCTION_TIMEOUT_SECS", "12"),
        ]))
        .unwrap();
        assert_eq!(c.environment, Environment::Production);
        assert_eq!(
            c.active().api_token.as_ref().unwrap().expose(),
            "tok-1234567890"
        );
        assert_eq!(c.active().total_timeout, Duration::from_secs(12));
        assert_eq!(c.active().api_token_source, TokenSource::EnvVar);
        assert!(
            !format!("{c:?}").contains("tok-1234567890"),
            "Debug must not leak tokens"
        );
        let e = ConsoleConfig::from_vars(&vars(&[("MIZAN_DATA_DIR", "/d"), ("MIZAN_ENV", "prod")]));
        assert_eq!(e.unwrap_err(), ConfigError::BadEnvironment("prod".into()));
        let e = ConsoleConfig::from_vars(&vars(&[
            ("MIZAN_DATA_DIR", "/d"),
            ("MIZAN_SANDBOX_TIMEOUT_SECS", "0"),
        ]));
        assert!(matches!(e, Err(ConfigError::BadTimeout { .. })));
        let c = ConsoleConfig::from_vars(&vars(&[("MIZAN_DATA_DIR", "/d")])).unwrap();
        assert_eq!(c.active().token_max_lifetime, Duration::from_secs(1800));
        let c = ConsoleConfig::from_vars(&vars(&[
            ("MIZAN_DATA_DIR", "/d"),
            ("MIZAN_SANDBOX_TOKEN_MAX_LIFETIME_SECS", "900"),
        ]))
        .unwrap();
        assert_eq!(c.active().token_max_lifetime, Duration::from_secs(900));
        assert_eq!(
            ConsoleConfig::from_vars(&vars(&[])).unwrap_err(),
            ConfigError::NoDataDir
        );
    }

    #[test]
    fn retention_defaults_to_a_week_and_a_quarter_and_refuses_zero_days() {
        let c = ConsoleConfig::from_vars(&vars(&[("MIZAN_DATA_DIR", "/d")])).unwrap();
        assert_eq!(
            c.retention,
            Retention {
                rejected_days: 7,
                processed_days: 90
            }
        );
        let c = ConsoleConfig::from_vars(&vars(&[
            ("MIZAN_DATA_DIR", "/d"),
            ("MIZAN_RETENTION_REJECTED_DAYS", "2"),
            ("MIZAN_RETENTION_PROCESSED_DAYS", "30"),
        ]))
        .unwrap();
        assert_eq!(
            c.retention,
            Retention {
                rejected_days: 2,
                processed_days: 30
            }
        );
        let e = ConsoleConfig::from_vars(&vars(&[
            ("MIZAN_DATA_DIR", "/d"),
            ("MIZAN_RETENTION_REJECTED_DAYS", "0"),
        ]));
        assert!(matches!(e, Err(ConfigError::BadRetention { .. })), "{e:?}");
    }

    #[test]
    fn the_rejection_alert_defaults_to_fifty_and_refuses_zero() {
        let c = ConsoleConfig::from_vars(&vars(&[("MIZAN_DATA_DIR", "/d")])).unwrap();
        assert_eq!(c.rejection_alert, 50);
        let c = ConsoleConfig::from_vars(&vars(&[
            ("MIZAN_DATA_DIR", "/d"),
            ("MIZAN_REJECTION_ALERT_PER_10_MIN", "5"),
        ]))
        .unwrap();
        assert_eq!(c.rejection_alert, 5);
        let e = ConsoleConfig::from_vars(&vars(&[
            ("MIZAN_DATA_DIR", "/d"),
            ("MIZAN_REJECTION_ALERT_PER_10_MIN", "0"),
        ]));
        assert!(matches!(e, Err(ConfigError::BadCount { .. })), "{e:?}");
    }
}

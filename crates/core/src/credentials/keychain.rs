//! The OS keychain as a [`CredentialStore`], through `keyring-core` and the platform's store
//! crate: the Secret Service (GNOME Keyring, KWallet, KeePassXC) on Linux, the login Keychain on
//! macOS, the Credential Manager on Windows.
//!
//! Every secret is one item: service [`DEFAULT_SERVICE`] (or [`SERVICE_VAR`], so tests and a
//! second installation never touch the real entries), account `<env>.<kind>`
//! (`sandbox.api_token`). The store is built per [`Keychain`], not set as keyring-core's global
//! default, so two keychains with different service names can live in one process.
//!
//! Invariants: connecting is lazy (the first call connects; building a `Keychain` costs
//! nothing and never fails); keyring errors that carry stored bytes (`BadEncoding`,
//! `BadDataFormat`) are turned into fixed texts, so no error of this module holds a secret.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use keyring_core::api::CredentialStore as PlatformStore;
use keyring_core::{Entry, Error as KeyringError};
use tamara::Sensitive;

use crate::credentials::{CredentialError, CredentialKind, CredentialStore};
use crate::environment::Environment;

/// The service name of Mizan's items.
pub const DEFAULT_SERVICE: &str = "mizan";
/// Variable that replaces [`DEFAULT_SERVICE`] (tests set a unique one).
pub const SERVICE_VAR: &str = "MIZAN_KEYCHAIN_SERVICE";

/// How connecting failed, kept so later calls report it without retrying.
#[derive(Debug, Clone)]
enum ConnectFailure {
    Unreachable(String),
    Locked(String),
}

/// The OS keychain, for one service name.
pub struct Keychain {
    service: String,
    store: OnceLock<Result<Arc<PlatformStore>, ConnectFailure>>,
}

impl std::fmt::Debug for Keychain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keychain")
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

impl Keychain {
    /// The keychain under `MIZAN_KEYCHAIN_SERVICE`, else "mizan". Does not connect yet.
    pub fn from_env() -> Keychain {
        let service = std::env::var(SERVICE_VAR)
            .ok()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| DEFAULT_SERVICE.to_owned());
        Keychain::with_service(service)
    }

    pub fn with_service(service: impl Into<String>) -> Keychain {
        Keychain {
            service: service.into(),
            store: OnceLock::new(),
        }
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    /// Connects now (a no-op once connected): lets a caller report an unreachable keychain
    /// before asking anyone to type a secret. `env` names the variables in the error.
    pub fn connect(&self, env: Environment) -> Result<(), CredentialError> {
        self.store(env).map(|_| ())
    }

    fn store(&self, env: Environment) -> Result<&Arc<PlatformStore>, CredentialError> {
        match self.store.get_or_init(connect) {
            Ok(s) => Ok(s),
            Err(ConnectFailure::Unreachable(reason)) => Err(CredentialError::KeychainUnavailable {
                env,
                reason: reason.clone(),
            }),
            Err(ConnectFailure::Locked(reason)) => Err(CredentialError::KeychainLocked {
                env,
                reason: reason.clone(),
            }),
        }
    }

    fn entry(&self, env: Environment, kind: CredentialKind) -> Result<Entry, CredentialError> {
        let store = self.store(env)?;
        let label = format!("Mizan {env} {}", kind.label());
        let mods: HashMap<&str, &str> = label_modifier(&label);
        let mods = (!mods.is_empty()).then_some(&mods);
        store
            .build(&self.service, &kind.account(env), mods)
            .map_err(|e| map_error(env, e))
    }
}

impl Keychain {
    /// A global item of this service (not one environment's credential): the audit key.
    /// Errors name no environment's variables; callers map them to their own advice.
    pub(crate) fn get_item(
        &self,
        account: &str,
    ) -> Result<Option<Sensitive<String>>, CredentialError> {
        match self.global_entry(account, None)?.get_password() {
            Ok(v) => Ok(Some(Sensitive::new(v))),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(e) => Err(map_error(GLOBAL_ENV, e)),
        }
    }

    /// Stores a global item, replacing any previous value.
    pub(crate) fn set_item(
        &self,
        account: &str,
        label: &str,
        value: &str,
    ) -> Result<(), CredentialError> {
        self.global_entry(account, Some(label))?
            .set_password(value)
            .map_err(|e| map_error(GLOBAL_ENV, e))
    }

    fn global_entry(&self, account: &str, label: Option<&str>) -> Result<Entry, CredentialError> {
        let store = self.store(GLOBAL_ENV)?;
        let mods: HashMap<&str, &str> = label.map(label_modifier).unwrap_or_default();
        let mods = (!mods.is_empty()).then_some(&mods);
        store
            .build(&self.service, account, mods)
            .map_err(|e| map_error(GLOBAL_ENV, e))
    }
}

/// The environment a global item's errors are built with (only their reason is used).
const GLOBAL_ENV: Environment = Environment::Sandbox;

impl CredentialStore for Keychain {
    fn get(
        &self,
        env: Environment,
        kind: CredentialKind,
    ) -> Result<Option<Sensitive<String>>, CredentialError> {
        match self.entry(env, kind)?.get_password() {
            Ok(v) => Ok(Some(Sensitive::new(v))),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(e) => Err(map_error(env, e)),
        }
    }

    fn set(
        &self,
        env: Environment,
        kind: CredentialKind,
        value: &Sensitive<String>,
    ) -> Result<(), CredentialError> {
        self.entry(env, kind)?
            .set_password(value.expose())
            .map_err(|e| map_error(env, e))
    }

    fn delete(&self, env: Environment, kind: CredentialKind) -> Result<bool, CredentialError> {
        match self.entry(env, kind)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(KeyringError::NoEntry) => Ok(false),
            Err(e) => Err(map_error(env, e)),
        }
    }
}

/// The item label shown by the desktop's keychain UI (only the Secret Service store has one).
fn label_modifier(label: &str) -> HashMap<&str, &str> {
    let mut mods = HashMap::new();
    if cfg!(target_os = "linux") {
        mods.insert("label", label);
    }
    mods
}

fn connect() -> Result<Arc<PlatformStore>, ConnectFailure> {
    native_store().map_err(|e| match e {
        KeyringError::NoStorageAccess(_) => ConnectFailure::Locked(reason(&e)),
        other => ConnectFailure::Unreachable(reason(&other)),
    })
}

#[cfg(target_os = "linux")]
fn native_store() -> Result<Arc<PlatformStore>, KeyringError> {
    let store: Arc<PlatformStore> = zbus_secret_service_keyring_store::Store::new()?;
    Ok(store)
}

#[cfg(target_os = "macos")]
fn native_store() -> Result<Arc<PlatformStore>, KeyringError> {
    let store: Arc<PlatformStore> = apple_native_keyring_store::keychain::Store::new()?;
    Ok(store)
}

#[cfg(windows)]
fn native_store() -> Result<Arc<PlatformStore>, KeyringError> {
    let store: Arc<PlatformStore> = windows_native_keyring_store::Store::new()?;
    Ok(store)
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
fn native_store() -> Result<Arc<PlatformStore>, KeyringError> {
    Err(KeyringError::NotSupportedByStore(
        "no OS keychain is supported on this platform".into(),
    ))
}

fn map_error(env: Environment, e: KeyringError) -> CredentialError {
    match e {
        KeyringError::PlatformFailure(_) | KeyringError::NoDefaultStore => {
            CredentialError::KeychainUnavailable {
                env,
                reason: reason(&e),
            }
        }
        KeyringError::NoStorageAccess(_) => CredentialError::KeychainLocked {
            env,
            reason: reason(&e),
        },
        other => CredentialError::KeychainFailed {
            reason: reason(&other),
        },
    }
}

/// The platform's reason, without stored bytes.
fn reason(e: &KeyringError) -> String {
    match e {
        KeyringError::BadEncoding(_) => "the stored value is not UTF-8 text".to_owned(),
        KeyringError::BadDataFormat(..) => "the stored value is malformed".to_owned(),
        KeyringError::Ambiguous(items) => {
            format!("{} items match one credential", items.len())
        }
        other => other.to_string(),
    }
}

/// The keychain account of a team server's personal token: one per server address.
fn team_token_account(server: &str) -> String {
    format!("team-token {}", server.trim().trim_end_matches('/'))
}

impl Keychain {
    /// The personal token saved for the team server at `server` (`mizan login`), if any.
    ///
    /// # Errors
    /// The keychain cannot be reached or read.
    pub fn team_token(&self, server: &str) -> Result<Option<Sensitive<String>>, CredentialError> {
        self.get_item(&team_token_account(server))
    }

    /// Saves the personal token for the team server at `server`, replacing any earlier one.
    ///
    /// # Errors
    /// The keychain cannot be reached or written.
    pub fn save_team_token(&self, server: &str, token: &str) -> Result<(), CredentialError> {
        let server = server.trim().trim_end_matches('/');
        self.set_item(
            &team_token_account(server),
            &format!("Mizan team token for {server}"),
            token,
        )
    }
}

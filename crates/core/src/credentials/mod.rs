//! Tamara credentials: the three secrets of each environment, where they are kept, how a pasted
//! value is checked, and how a stored API token is proved to work.
//!
//! Owns: [`CredentialKind`] (API token, notification token, public key), the
//! [`CredentialStore`] trait and its OS keychain implementation ([`Keychain`]: Secret Service on
//! Linux, Keychain on macOS, Credential Manager on Windows), the shape checks of pasted values
//! ([`shape`]), filling a configuration from the keychain ([`fill_from_keychain`]) and the
//! harmless live check of an API token ([`test_api_token`]).
//!
//! Invariants:
//! - a secret is held as [`Sensitive`] from the moment it is read; no error, log line or
//!   `Debug` output of this module contains one (errors carry kinds, lengths and positions);
//! - nothing is stored unless every value of the same request passed its shape check;
//! - environment variables always win over the keychain; the keychain is only consulted when a
//!   caller asks for it, so configuration that comes entirely from variables never needs a
//!   keychain (headless servers, CI, every test that uses variables);
//! - an unreachable keychain is reported as such, naming the variables to use instead.

mod error;
mod keychain;
/// Checks `value`'s shape for `kind` and stores it in `store` (blocking for the OS keychain).
///
/// # Errors
/// [`CredentialError::Shape`] naming the problem; the store's errors.
pub fn save_checked(
    store: &dyn CredentialStore,
    env: Environment,
    kind: CredentialKind,
    value: &str,
) -> Result<(), CredentialError> {
    let value = shape::check(kind, value).map_err(|problem| CredentialError::Shape {
        env,
        kind,
        problem,
    })?;
    store.set(env, kind, &value)
}

#[cfg(test)]
mod memory;
mod probe;
mod resolve;
pub mod shape;
mod status;

use std::fmt;
use std::str::FromStr;

use tamara::Sensitive;

use crate::environment::Environment;

pub use error::CredentialError;
pub use keychain::{DEFAULT_SERVICE, Keychain, SERVICE_VAR};
pub use probe::{Evidence, PROBE_ORDER_ID, TokenTest, test_api_token};
pub use resolve::{fill_config_from_keychain, fill_from_keychain, wants_keychain};
pub use shape::ShapeProblem;
pub use status::{
    CredentialState, CredentialStatus, demo_supplies, from_env_var, read_statuses, status_of,
};

/// One of the three secrets Tamara issues per environment (reference §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredentialKind {
    /// Bearer token of every REST call.
    ApiToken,
    /// HMAC key that verifies the `tamaraToken` of webhook deliveries.
    NotificationToken,
    /// Front-end widgets only; kept so the desktop app can show it, never used for calls.
    PublicKey,
}

impl CredentialKind {
    pub const ALL: [CredentialKind; 3] = [
        CredentialKind::ApiToken,
        CredentialKind::NotificationToken,
        CredentialKind::PublicKey,
    ];

    /// Stable name: `api_token`, `notification_token`, `public_key`.
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialKind::ApiToken => "api_token",
            CredentialKind::NotificationToken => "notification_token",
            CredentialKind::PublicKey => "public_key",
        }
    }

    /// What people call it.
    pub fn label(self) -> &'static str {
        match self {
            CredentialKind::ApiToken => "API token",
            CredentialKind::NotificationToken => "notification token",
            CredentialKind::PublicKey => "public key",
        }
    }

    /// The variable that overrides the keychain: `MIZAN_<ENV>_API_TOKEN`,
    /// `MIZAN_<ENV>_NOTIFICATION_TOKEN`, `MIZAN_<ENV>_PUBLIC_KEY`.
    pub fn env_var(self, env: Environment) -> String {
        format!(
            "MIZAN_{}_{}",
            env.env_var_prefix(),
            self.as_str().to_ascii_uppercase()
        )
    }

    /// The keychain account of this secret in `env`: `sandbox.api_token`, ...
    pub fn account(self, env: Environment) -> String {
        format!("{}.{}", env.as_str(), self.as_str())
    }
}

impl fmt::Display for CredentialKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for CredentialKind {
    type Err = CredentialError;

    /// Accepts `api_token` and `api-token` (and likewise for the others).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm = s.trim().to_ascii_lowercase().replace('-', "_");
        CredentialKind::ALL
            .into_iter()
            .find(|k| k.as_str() == norm)
            .ok_or_else(|| CredentialError::UnknownKind(s.trim().chars().take(40).collect()))
    }
}

/// Where credentials are kept. The OS keychain in the product ([`Keychain`]); an in-memory map
/// in unit tests of the logic around it. Calls block (the platform APIs do): call them from
/// `spawn_blocking` in async code.
pub trait CredentialStore: Send + Sync {
    /// The stored value, or `None` when there is none.
    fn get(
        &self,
        env: Environment,
        kind: CredentialKind,
    ) -> Result<Option<Sensitive<String>>, CredentialError>;

    /// Stores `value`, replacing any previous one. Callers check the shape first
    /// ([`shape::check`]); the store itself accepts any text.
    fn set(
        &self,
        env: Environment,
        kind: CredentialKind,
        value: &Sensitive<String>,
    ) -> Result<(), CredentialError>;

    /// Removes the value; `true` when there was one.
    fn delete(&self, env: Environment, kind: CredentialKind) -> Result<bool, CredentialError>;
}

/// The environment variables that replace the keychain for `env`, as a phrase for messages.
pub(crate) fn headless_vars(env: Environment) -> String {
    format!(
        "{} and {}",
        CredentialKind::ApiToken.env_var(env),
        CredentialKind::NotificationToken.env_var(env)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stable() {
        assert_eq!(
            CredentialKind::ApiToken.env_var(Environment::Production),
            "MIZAN_PRODUCTION_API_TOKEN"
        );
        assert_eq!(
            CredentialKind::NotificationToken.account(Environment::Sandbox),
            "sandbox.notification_token"
        );
        assert_eq!(
            "public-key".parse::<CredentialKind>().unwrap(),
            CredentialKind::PublicKey
        );
        let e = "api_tokn".parse::<CredentialKind>().unwrap_err();
        assert_eq!(e.code(), "credential_kind_unknown");
    }
}

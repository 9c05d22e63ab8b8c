//! What is configured for each credential, by one rule for every host: a variable wins over the
//! keychain, the keychain over the built-in demo token.
//!
//! Invariant: a status carries only set/unset, the last four characters
//! ([`tamara::sensitive::last_four`]) and where the value comes from, never the value.

use tamara::Sensitive;

use super::{CredentialError, CredentialKind, CredentialStore};
use crate::config::TokenSource;
use crate::environment::Environment;

/// Whether a credential is available, and how sure that is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialState {
    Set,
    /// The built-in simulator's public demo token stands in.
    Demo,
    /// Not in a variable, and the keychain could not be asked.
    Unknown,
    Unset,
}

impl CredentialState {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialState::Set => "set",
            CredentialState::Demo => "demo",
            CredentialState::Unknown => "unknown",
            CredentialState::Unset => "unset",
        }
    }
}

/// One credential of one environment, masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialStatus {
    pub environment: Environment,
    pub kind: CredentialKind,
    pub state: CredentialState,
    /// Where the value comes from (`Unset` when nothing supplies it).
    pub source: TokenSource,
    /// A variable supplies it and the keychain holds one too (the variable wins).
    pub overrides_keychain: bool,
    /// The masked value (`••••abcd`, or `••••` for a short one), when a value is set.
    pub masked: Option<String>,
    /// The last four characters, when the value is long enough to show them.
    pub last4: Option<String>,
    /// Whether the keychain holds a value; None when it could not be asked.
    pub in_keychain: Option<bool>,
}

/// The credential's variable (`MIZAN_<ENV>_API_TOKEN`, …), trimmed; blank counts as unset.
pub fn from_env_var(env: Environment, kind: CredentialKind) -> Option<Sensitive<String>> {
    std::env::var(kind.env_var(env))
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .map(Sensitive::new)
}

/// The status of `kind` in `env` from what the variable and the keychain hold.
///
/// `stored` is None when the keychain could not be asked; `demo` says whether the built-in
/// simulator supplies a demo value for this credential.
pub fn status_of(
    env: Environment,
    kind: CredentialKind,
    var: Option<&Sensitive<String>>,
    stored: Option<Option<&Sensitive<String>>>,
    demo: bool,
) -> CredentialStatus {
    let value = var.or(stored.flatten());
    let (state, source) = match (var, stored) {
        (Some(_), _) => (CredentialState::Set, TokenSource::EnvVar),
        (None, Some(Some(_))) => (CredentialState::Set, TokenSource::Keychain),
        (None, _) if demo => (CredentialState::Demo, TokenSource::BuiltInDemo),
        (None, None) => (CredentialState::Unknown, TokenSource::Unset),
        (None, Some(None)) => (CredentialState::Unset, TokenSource::Unset),
    };
    CredentialStatus {
        environment: env,
        kind,
        state,
        source,
        overrides_keychain: var.is_some() && matches!(stored, Some(Some(_))),
        masked: value.map(Sensitive::masked),
        last4: value.and_then(Sensitive::last_four),
        in_keychain: stored.map(|s| s.is_some()),
    }
}

/// Whether the built-in simulator supplies `kind` in `env` (its demo tokens; it has no key).
pub fn demo_supplies(built_in_sandbox: bool, env: Environment, kind: CredentialKind) -> bool {
    built_in_sandbox && env == Environment::Sandbox && kind != CredentialKind::PublicKey
}

/// Every credential of `env`, reading the variables and `store`. A keychain that cannot be
/// asked is returned beside the statuses (which then say `Unknown`), not as a failure.
pub fn read_statuses(
    env: Environment,
    store: &dyn CredentialStore,
    built_in_sandbox: bool,
) -> (Vec<CredentialStatus>, Option<CredentialError>) {
    let mut problem = None;
    let statuses = CredentialKind::ALL
        .into_iter()
        .map(|kind| {
            let var = from_env_var(env, kind);
            let stored = match store.get(env, kind) {
                Ok(v) => Some(v),
                Err(e) => {
                    problem = Some(e);
                    None
                }
            };
            let demo = demo_supplies(built_in_sandbox, env, kind);
            status_of(
                env,
                kind,
                var.as_ref(),
                stored.as_ref().map(Option::as_ref),
                demo,
            )
        })
        .collect();
    (statuses, problem)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENV: Environment = Environment::Sandbox;
    const KIND: CredentialKind = CredentialKind::ApiToken;

    fn secret(s: &str) -> Sensitive<String> {
        Sensitive::new(s.to_owned())
    }

    #[test]
    fn a_variable_wins_then_the_keychain_then_the_demo() {
        let var = secret("var-token-000000000001");
        let kept = secret("keychain-token-0000002");
        let s = status_of(ENV, KIND, Some(&var), Some(Some(&kept)), true);
        assert_eq!(
            (s.state, s.source),
            (CredentialState::Set, TokenSource::EnvVar)
        );
        assert!(s.overrides_keychain);
        assert_eq!(s.last4.as_deref(), Some("0001"));
        assert_eq!(s.in_keychain, Some(true));
        let s = status_of(ENV, KIND, None, Some(Some(&kept)), true);
        assert_eq!(
            (s.state, s.source),
            (CredentialState::Set, TokenSource::Keychain)
        );
        assert_eq!(s.masked.as_deref(), Some("••••0002"));
        let s = status_of(ENV, KIND, None, Some(None), true);
        assert_eq!(
            (s.state, s.source),
            (CredentialState::Demo, TokenSource::BuiltInDemo)
        );
        assert_eq!((s.masked, s.last4), (None, None));
        let s = status_of(ENV, KIND, None, Some(None), false);
        assert_eq!(s.state, CredentialState::Unset);
        assert_eq!(s.in_keychain, Some(false));
        let s = status_of(ENV, KIND, None, None, false);
        assert_eq!(s.state, CredentialState::Unknown);
        assert_eq!(s.in_keychain, None);
    }

    #[test]
    fn a_short_value_is_set_but_shows_nothing() {
        let short = secret("short");
        let s = status_of(ENV, KIND, Some(&short), Some(None), false);
        assert_eq!(s.state, CredentialState::Set);
        assert_eq!(s.last4, None);
        assert_eq!(s.masked.as_deref(), Some("••••"));
    }

    #[test]
    fn the_simulator_supplies_tokens_only_in_the_sandbox() {
        assert!(demo_supplies(true, Environment::Sandbox, KIND));
        assert!(!demo_supplies(
            true,
            Environment::Sandbox,
            CredentialKind::PublicKey
        ));
        assert!(!demo_supplies(true, Environment::Production, KIND));
        assert!(!demo_supplies(false, Environment::Sandbox, KIND));
    }
}

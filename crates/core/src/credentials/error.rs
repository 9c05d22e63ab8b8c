//! Errors of the credentials module, each with a stable `code()`.
//!
//! Invariant: no variant carries a secret. Keychain failures keep the platform's reason text,
//! which names buses, paths and error kinds, never stored values (the two keyring errors that
//! carry stored bytes are mapped to fixed texts in `keychain.rs`).

use crate::credentials::CredentialKind;
use crate::credentials::headless_vars;
use crate::credentials::shape::ShapeProblem;
use crate::environment::Environment;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CredentialError {
    #[error(
        "the OS keychain is not reachable ({reason}); for headless use set {} instead \
         (environment variables override the keychain)",
        headless_vars(*env)
    )]
    KeychainUnavailable { env: Environment, reason: String },
    #[error(
        "the OS keychain refused access, probably because it is locked ({reason}); unlock it \
         (log in to the desktop session) or set {} instead",
        headless_vars(*env)
    )]
    KeychainLocked { env: Environment, reason: String },
    #[error("the OS keychain failed: {reason}")]
    KeychainFailed { reason: String },
    #[error("the {env} {kind} {problem}; nothing was stored")]
    Shape {
        env: Environment,
        kind: CredentialKind,
        problem: ShapeProblem,
    },
    #[error("unknown credential {0:?} (expected api-token, notification-token or public-key)")]
    UnknownKind(String),
    #[error(
        "no {env} API token: run `mizan credentials set --env {env}` or set {}",
        CredentialKind::ApiToken.env_var(*env)
    )]
    Missing { env: Environment },
    #[error(
        "{env} refused the API token (HTTP {status} from {url}). Sandbox and production \
         tokens differ and one never works in the other; check that this is the {env} token \
         (`mizan credentials test --env {env} --probe-other` tries it against the other \
         environment)"
    )]
    Refused {
        env: Environment,
        status: u16,
        url: String,
    },
    #[error(
        "this looks like a {token_env} token sent to {env}: {env} refused it (HTTP {status}) \
         and {}; store the {env} token with `mizan credentials set --env {env}`",
        evidence_text(*token_env, *evidence)
    )]
    WrongEnvironment {
        env: Environment,
        token_env: Environment,
        status: u16,
        evidence: super::Evidence,
    },
    #[error(transparent)]
    Gateway(#[from] tamara::ApiError),
}

fn evidence_text(token_env: Environment, evidence: super::Evidence) -> String {
    match evidence {
        super::Evidence::SameAsOtherToken => {
            format!("it is the very token configured for {token_env}")
        }
        super::Evidence::OtherAccepted => format!("{token_env} accepted the same token"),
    }
}

impl CredentialError {
    /// Stable code for the CLI's `--json`, the UI and tests.
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            CredentialError::KeychainUnavailable { .. } => crate::ErrorCode::KeychainUnavailable,
            CredentialError::KeychainLocked { .. } => crate::ErrorCode::KeychainLocked,
            CredentialError::KeychainFailed { .. } => crate::ErrorCode::KeychainFailed,
            CredentialError::Shape { problem, .. } => problem.code(),
            CredentialError::UnknownKind(_) => crate::ErrorCode::CredentialKindUnknown,
            CredentialError::Missing { .. } => crate::ErrorCode::CredentialsMissing,
            CredentialError::Refused { .. } => crate::ErrorCode::CredentialRefused,
            CredentialError::WrongEnvironment { .. } => {
                crate::ErrorCode::CredentialWrongEnvironment
            }
            CredentialError::Gateway(e) => crate::ErrorCode::from(e),
        }
    }

    /// True for the errors that mean "the keychain cannot be used here".
    pub fn is_keychain_unreachable(&self) -> bool {
        matches!(
            self,
            CredentialError::KeychainUnavailable { .. } | CredentialError::KeychainLocked { .. }
        )
    }
}

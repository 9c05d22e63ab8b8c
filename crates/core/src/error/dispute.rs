//! Why a dispute operation failed, with a stable code. Lives beside [`crate::Error`], which
//! wraps it, so that the error module depends on no module that returns it.

use crate::environment::Environment;

/// Why a dispute operation failed.
#[derive(Debug, thiserror::Error)]
pub enum DisputeError {
    /// No dispute API is configured for the environment (its paths are third-party-sourced,
    /// reference §5.11), or the configured path is not there.
    #[error(
        "{env} has no dispute API configured: Tamara documents none (its paths come from a \
         third party), so set MIZAN_{}_DISPUTES_PATH to use one{}",
        env.env_var_prefix(),
        .answered.as_deref().map(|a| format!(" ({a})")).unwrap_or_default()
    )]
    ApiUnavailable {
        env: Environment,
        /// What the configured path answered, when one was configured.
        answered: Option<String>,
    },
    #[error("no dispute {dispute_id} in {env}; run `mizan disputes refresh` or wait for its event")]
    NotFound {
        env: Environment,
        dispute_id: String,
    },
    #[error("dispute {0} has no numeric id, so Tamara's update cannot name it")]
    NotAddressable(String),
    #[error("dispute {0} is closed: nothing more can be said on it")]
    Closed(String),
    #[error("the comment cannot be sent: {0}")]
    CommentInvalid(String),
}

impl DisputeError {
    /// A stable code for scripts and the UI.
    pub fn code(&self) -> crate::ErrorCode {
        use crate::ErrorCode as C;
        match self {
            DisputeError::ApiUnavailable { .. } => C::DisputesApiUnavailable,
            DisputeError::NotFound { .. } | DisputeError::NotAddressable(_) => C::DisputeNotFound,
            DisputeError::Closed(_) => C::DisputeClosed,
            DisputeError::CommentInvalid(_) => C::DisputeCommentInvalid,
        }
    }
}

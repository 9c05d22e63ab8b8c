//! `IpcError`: how every failure crosses to the webview — a stable `code` and a message.
//!
//! Invariant: the code is the core's closed [`ErrorCode`] (the UI keys its translations on it,
//! e.g. `amount_exceeds_refundable`); the message is the core's own text, which the core
//! guarantees never contains a secret. Nothing else (no debug dump, no source chain) crosses.

use mizan_core::ErrorCode;
use serde::{Deserialize, Serialize};

/// A failed command, as the UI sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type, thiserror::Error)]
#[error("{message}")]
pub struct IpcError {
    /// The core's stable code (serialised as its snake_case text).
    pub code: ErrorCode,
    /// One line a person can act on.
    pub message: String,
}

impl IpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> IpcError {
        IpcError {
            code,
            message: message.into(),
        }
    }
}

impl From<mizan_core::Error> for IpcError {
    fn from(e: mizan_core::Error) -> Self {
        IpcError {
            code: e.code(),
            message: e.to_string().replace('\n', " "),
        }
    }
}

/// What every command returns.
pub type IpcResult<T> = Result<T, IpcError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_errors_keep_their_code_and_message() {
        let e: IpcError = mizan_core::Error::Invalid("amount must be positive".into()).into();
        assert_eq!(e.code, "invalid_input");
        assert_eq!(e.message, "invalid input: amount must be positive");
        let e: IpcError = mizan_core::Error::NoApiToken {
            env: mizan_core::Environment::Production,
        }
        .into();
        assert_eq!(e.code, "credentials_missing");
        assert!(e.message.contains("production"), "{}", e.message);
    }
}

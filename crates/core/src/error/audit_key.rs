//! Errors of the audit key (`crate::audit::key`), each with a stable `code()`. Kept here, not
//! in the audit module, so the core's error can name them without a module cycle.
//!
//! Invariant: no variant holds key bytes or a key file's contents — keys are named by id.

/// Variable naming the audit key file (re-exported as `crate::audit::key::KEY_FILE_VAR`).
pub const KEY_FILE_VAR: &str = "MIZAN_AUDIT_KEY_FILE";

/// Why the audit key cannot be used. No variant holds key bytes or file contents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditKeyError {
    #[error(
        "the audit key is not reachable in the OS keychain ({reason}); on a server set \
         {KEY_FILE_VAR} to a key file instead"
    )]
    KeychainUnavailable { reason: String },
    #[error("the audit key file {path} cannot be used: {reason}")]
    FileUnusable { path: String, reason: String },
    #[error(
        "the audit key file {path} is readable or writable by others (mode {mode:o}); \
         run `chmod 600 {path}`"
    )]
    FileExposed { path: String, mode: u32 },
    #[error("the audit key in {place} is malformed: {problem}")]
    Malformed { place: String, problem: String },
    #[error(
        "the audit key {key_id} signed none of the {count} checkpoints (they name key \
         {other}): this is not the key this database was signed with — check {KEY_FILE_VAR} \
         or the keychain entry"
    )]
    Wrong {
        key_id: String,
        other: String,
        count: usize,
    },
}

impl AuditKeyError {
    pub fn code(&self) -> crate::ErrorCode {
        use crate::ErrorCode as C;
        match self {
            AuditKeyError::KeychainUnavailable { .. } | AuditKeyError::FileUnusable { .. } => {
                C::AuditKeyUnavailable
            }
            AuditKeyError::FileExposed { .. } => C::AuditKeyExposed,
            AuditKeyError::Malformed { .. } => C::AuditKeyInvalid,
            AuditKeyError::Wrong { .. } => C::AuditKeyWrong,
        }
    }
}

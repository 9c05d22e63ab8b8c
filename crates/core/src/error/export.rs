//! Why an export failed, with a stable code. Lives beside [`crate::Error`], which wraps it, so
//! that the error module depends on no module that returns it.

use std::fmt;
use std::path::Path;

/// Why an export failed, with a stable code.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("unknown time zone {0:?}: use an IANA name such as Asia/Riyadh, or UTC")]
    UnknownTimeZone(String),
    #[error(
        "{flag} {value:?} is neither a date (2024-05-31) nor an RFC 3339 time \
         (2024-05-31T09:00:00+03:00)"
    )]
    BadTime { flag: &'static str, value: String },
    #[error("a date in the window is out of range")]
    OutOfRange,
    #[error("--from {from} is not before --to {to}: the window is empty")]
    WindowReversed { from: String, to: String },
    #[error("cannot write the export: {0}")]
    Io(#[source] std::io::Error),
    #[error("cannot write {path}: {reason}")]
    File { path: String, reason: String },
    #[error("{} already exists: nothing was written (replace it only when asked to)", paths.join(" and "))]
    FileExists { paths: Vec<String> },
}

impl ExportError {
    /// A stable code for scripts and the UI.
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            ExportError::UnknownTimeZone(_) => crate::ErrorCode::ExportTimezoneUnknown,
            ExportError::BadTime { .. } | ExportError::OutOfRange => {
                crate::ErrorCode::ExportTimeInvalid
            }
            ExportError::WindowReversed { .. } => crate::ErrorCode::ExportWindowReversed,
            ExportError::Io(_) | ExportError::File { .. } => crate::ErrorCode::ExportWriteFailed,
            ExportError::FileExists { .. } => crate::ErrorCode::ExportFileExists,
        }
    }

    /// True when the user's input is wrong (as opposed to the disk or the store failing).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            ExportError::UnknownTimeZone(_)
                | ExportError::BadTime { .. }
                | ExportError::OutOfRange
                | ExportError::WindowReversed { .. }
        )
    }

    pub(crate) fn io(e: std::io::Error) -> ExportError {
        ExportError::Io(e)
    }

    pub(crate) fn csv(e: csv::Error) -> ExportError {
        match e.into_kind() {
            csv::ErrorKind::Io(e) => ExportError::Io(e),
            other => ExportError::Io(std::io::Error::other(format!("{other:?}"))),
        }
    }

    pub(crate) fn file(path: &Path, e: impl fmt::Display) -> ExportError {
        ExportError::File {
            path: path.display().to_string(),
            reason: e.to_string(),
        }
    }
}

//! Statements reconciled: a statement file read by [`crate::settlement`] is stored
//! ([`import`]), its lines matched to the ledger's captures and refunds ([`matching`],
//! [`reconcile`]), and written as the report an accountant files ([`report`]).
//!
//! Invariants: nothing here reads a file's bytes (that is [`crate::settlement`]'s); every
//! outcome is computed from the store on demand; amounts stay exact at the currency's
//! precision.

pub mod import;
pub mod matching;
pub mod reconcile;
pub mod report;

pub use import::{ImportKind, ImportOptions, ImportReport, StatementSummary};
pub use matching::Outcome;
pub use reconcile::{ReconRow, Reconciliation};

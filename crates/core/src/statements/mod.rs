//! Statements reconciled: a statement file read by [`crate::settlement`] is stored
//! ([`import`]), its lines matched to the ledger's captures and refunds ([`matching`],
//! [`reconcile`]), and written as the report an accountant files ([`report`]). Tamara's bank
//! deposits are recorded by hand or read from a bank file by [`crate::settlement::bank`] and
//! matched to the statements they settle ([`payouts`]); [`month`] is the monthly view that
//! ties to Tamara's tax invoice.
//!
//! Invariants: nothing here reads a file's bytes (that is [`crate::settlement`]'s); every
//! outcome is computed from the store on demand; amounts stay exact at the currency's
//! precision.

pub mod import;
pub mod matching;
pub mod month;
pub mod payouts;
pub mod reconcile;
pub mod report;

pub use import::{ImportKind, ImportOptions, ImportReport, StatementSummary};
pub use matching::Outcome;
pub use month::{MonthFigures, MonthView};
pub use payouts::{BankImport, Explanation, NewPayout, PayoutList, PayoutView, StatementDue};
pub use reconcile::{ReconRow, Reconciliation};

//! Tamara's settlement statements as files: an XLSX or CSV file in the layout of reference
//! §11.1 ([`layout`]) read into exact, typed lines ([`read`]) and its own totals ([`summary`]); and the merchant's bank
//! statement CSV read into Tamara's deposits ([`bank`]). Storing and matching them is
//! [`crate::statements`]'s.
//!
//! Invariants: columns are found by name, never by position; a file is read whole or refused
//! with the row and column of the first problem (nothing half-read is ever returned); amounts
//! are exact at the currency's precision, never floats; dates are the statement's own calendar
//! dates (Asia/Riyadh by Tamara's convention), kept as dates.

pub mod bank;
pub mod layout;
pub mod read;
#[cfg(test)]
mod sim_tests;
pub mod summary;

pub use bank::{BankCredit, BankFile, BankFileError, BankOptions, read_bank_file};
pub use read::{
    MAX_FILE_BYTES, ReadOptions, Statement, StatementError, StatementEvent, StatementLine,
    read_statement, read_statement_with,
};
pub use summary::StatedTotal;

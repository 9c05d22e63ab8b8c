//! Settlement statements of the simulator's own orders, in the layout Tamara's portal files
//! were observed to have (reference §11.1; Tamara publishes no layout).
//!
//! One line per capture and per refund, on the statement of the cycle (a Riyadh calendar week by
//! default) the event happened in, with the configured fees ([`StatementConfig`]). A statement
//! is issued once and never changes: past cycles close by the simulator's clock, and
//! `POST /_sandbox/statements/close` closes the running one at once. Faults asked for
//! ([`StatementFaults`]) change one produced file, never the issued statement.
//!
//! Invariants: amounts are exact decimals rounded per line at the currency's precision; every
//! capture and refund lands on exactly one statement (windows `[from, to)` follow each other
//! without gap); the layout is written here from the reference, never borrowed from the console.

mod book;
mod cycle;
mod faults;
mod fees;
mod layout;
mod write;

use rust_decimal::Decimal;

pub use book::{Book, CloseError, Closed, Issued, Line, LineEvent, Totals};
pub use cycle::Cycle;
pub use faults::{NAMES as FAULT_NAMES, StatementFaults};
pub use fees::{Fees, round_money};
pub use layout::{COLUMNS, rows};
pub use write::{csv, xlsx};

/// What refund lines cost (reference §11.1 saw refund lines with no fees).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum RefundFees {
    /// No fees and no VAT on a refund line: the merchant repays the refunded amount whole
    /// (what the observed statements show).
    #[default]
    None,
    /// Tamara gives back the variable fee on the refunded amount and its VAT (negative fee and
    /// VAT); the fixed fee is kept.
    VariableReturned,
}

/// Fee rules and cycle of the statements (`SandboxConfig::statements`). Tamara's real fees are
/// per merchant contract; the defaults are plausible, not Tamara's.
#[derive(Debug, Clone)]
pub struct StatementConfig {
    /// Fixed fee per capture line, in the order's currency (1.00 SAR, 1.000 KWD…).
    pub fixed_fee: Decimal,
    /// Variable fee in percent of the captured amount (6.99 = 6.99 %).
    pub variable_percent: Decimal,
    /// VAT in percent, charged on Tamara's fees, never on the order (15 % in KSA).
    pub vat_percent: Decimal,
    /// Length of a statement cycle in days; 7 (weekly, Monday to Sunday) by default.
    pub cycle_days: u32,
    /// The calendar statements are dated in (Tamara's: Asia/Riyadh, UTC+3).
    pub time_zone: chrono_tz::Tz,
    /// What refund lines cost.
    pub refund_fees: RefundFees,
}

impl Default for StatementConfig {
    fn default() -> Self {
        Self {
            fixed_fee: Decimal::ONE,
            variable_percent: Decimal::new(699, 2),
            vat_percent: Decimal::from(15),
            cycle_days: 7,
            time_zone: chrono_tz::Asia::Riyadh,
            refund_fees: RefundFees::None,
        }
    }
}

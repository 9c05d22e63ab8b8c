//! The statement's own totals: the summary table of its header block, one row per payment type
//! and currency, read so reconciliation can check them against the sum of the lines.
//!
//! Invariants: found by its column names ([`layout::SUMMARY_COLUMNS`]), like the detail table;
//! a blank row ends it; a bad cell is refused with its row and column, like a line's.

use rust_decimal::Decimal;

use super::layout::{self, SummaryColumn};
use super::read::StatementError;
use super::read::cells;
use super::read::rows::Row;
use crate::money::{Currency, Money};

/// One summary row as the statement states it.
#[derive(Debug, Clone, PartialEq)]
pub struct StatedTotal {
    pub row: u32,
    pub payment_type: String,
    pub sales: Money,
    /// Negative, as the lines give refunds.
    pub refunds: Money,
    pub fees: Money,
    pub vat: Money,
    pub net: Money,
}

/// Reads the summary table while the header block is read.
#[derive(Debug, Default)]
pub(super) struct SummaryReader {
    columns: Option<Vec<Option<SummaryColumn>>>,
}

impl SummaryReader {
    /// Takes `row` when it is the summary's header or one of its rows; false otherwise.
    ///
    /// # Errors
    /// [`StatementError::Cell`] naming a summary cell that is no amount or currency.
    pub fn feed(&mut self, row: &Row, out: &mut Vec<StatedTotal>) -> Result<bool, StatementError> {
        let named: Vec<Option<SummaryColumn>> = row
            .cells
            .iter()
            .map(|c| layout::summary_column_named(c))
            .collect();
        let has = |c| named.contains(&Some(c));
        if has(SummaryColumn::PaymentType) && has(SummaryColumn::Net) && has(SummaryColumn::Sales) {
            self.columns = Some(named);
            return Ok(true);
        }
        let Some(columns) = &self.columns else {
            return Ok(false);
        };
        if row.cells.iter().all(|c| cells::trimmed(c).is_empty()) {
            self.columns = None;
            return Ok(false);
        }
        let cell = |c: SummaryColumn| {
            columns
                .iter()
                .position(|x| *x == Some(c))
                .and_then(|i| row.cells.get(i).map(|t| (i, cells::trimmed(t))))
        };
        let bad = |c: SummaryColumn, i: usize, reason: String| StatementError::Cell {
            row: row.n,
            column: summary_name(c),
            at: cells::letter(i),
            reason,
        };
        let currency: Currency = match cell(SummaryColumn::Currency) {
            Some((i, t)) => t
                .to_ascii_uppercase()
                .parse()
                .map_err(|e| bad(SummaryColumn::Currency, i, format!("{e}")))?,
            None => return Ok(false),
        };
        let money = |c: SummaryColumn| -> Result<Money, StatementError> {
            let Some((i, t)) = cell(c) else {
                return Ok(Money::zero(currency));
            };
            let value = if t.is_empty() {
                Ok(Decimal::ZERO)
            } else {
                cells::decimal(t)
            };
            value
                .and_then(|d| Money::new(d, currency).map_err(|e| e.to_string()))
                .map_err(|r| bad(c, i, r))
        };
        out.push(StatedTotal {
            row: row.n,
            payment_type: cell(SummaryColumn::PaymentType)
                .map(|(_, t)| t.to_owned())
                .unwrap_or_default(),
            sales: money(SummaryColumn::Sales)?,
            refunds: money(SummaryColumn::Refunds)?,
            fees: money(SummaryColumn::Fees)?,
            vat: money(SummaryColumn::Vat)?,
            net: money(SummaryColumn::Net)?,
        });
        Ok(true)
    }
}

fn summary_name(c: SummaryColumn) -> &'static str {
    layout::SUMMARY_COLUMNS
        .iter()
        .find(|(x, _)| *x == c)
        .and_then(|(_, names)| names.first().copied())
        .unwrap_or("?")
}

//! Reading a statement file into [`Statement`]: the header block's labels, then the detail
//! table found by its header row, each row into a [`StatementLine`]. The bytes become text
//! rows in [`rows`], a cell's text becomes a number or date in [`cells`].
//!
//! Bad input (issue 22 §6) is refused whole, naming the row and column where there is one;
//! what is read instead of refused is read exactly:
//! - refused: a file over [`MAX_FILE_BYTES`] (by size, before reading) or an XLSX unpacking to
//!   more than [`rows::MAX_UNPACKED_BYTES`]; a damaged or renamed XLSX; a password-protected
//!   one (told by its first bytes); a formula cell the file holds no calculated result for (a
//!   program that does not calculate wrote it, or Excel's cache is empty); an Excel error
//!   value; a merged cell a line would share with the row above; a column named twice; an
//!   amount with a decimal comma (`1 200,00`, `1.200,00`); a date that only reads as
//!   month/day, a two-digit year, or a file whose dates all read both ways and only make a
//!   week as month/day; a currency the merchant does not settle in ([`ReadOptions`]); an
//!   unknown Event; a capture with a negative or a refund with a positive amount.
//! - read: a CSV with a UTF-8 BOM, in UTF-16 with a BOM, or in Windows-1256 (what Arabic Excel
//!   writes; a CSV that is not UTF-8 is taken to be it, unless it is UTF-8 damaged in places,
//!   which is refused naming the line), split at `,`, `;` or tabs; a
//!   formula's value Excel calculated and saved; a title or header merged across columns or
//!   rows; empty rows anywhere; thousands separators (`1,200.00`, `1 200.00`, `١٬٢٠٠٫٠٠`);
//!   Arabic-Indic digits; spaces and direction marks around a value; real date cells;
//!   workbook numbers at Excel's 15 significant digits.

use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use super::layout::{self, COLUMNS, Column, HeaderField};
use crate::money::{Currency, Money};

#[path = "cells.rs"]
pub mod cells;
#[path = "rows.rs"]
pub mod rows;

use rows::Row;

/// Largest statement file read (a year of a busy merchant's weekly statements is far less).
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// A statement as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub statement_id: Option<String>,
    pub statement_date: Option<String>,
    pub period: Option<String>,
    pub merchant_id: Option<String>,
    pub lines: Vec<StatementLine>,
    /// The statement's own totals (its summary table), when it has one.
    pub summary: Vec<super::summary::StatedTotal>,
    /// SHA-256 of the file's bytes: the same file again is the same statement.
    pub digest: String,
}

/// What a line records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementEvent {
    Captured,
    Refunded,
}

impl StatementEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            StatementEvent::Captured => "captured",
            StatementEvent::Refunded => "refunded",
        }
    }
}

/// One row of the detail table.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementLine {
    /// The row in the file (1 is the first), for messages and drill-down.
    pub row: u32,
    pub transaction_date: NaiveDate,
    pub tamara_order_id: String,
    pub merchant_order_id: Option<String>,
    pub event: StatementEvent,
    /// As the statement gives it: negative for refunds.
    pub amount: Money,
    pub fixed_fees: Money,
    pub variable_fee_percent: Option<Decimal>,
    pub variable_fees: Money,
    pub total_fees: Money,
    pub vat: Money,
    pub payable: Money,
    pub instalments: Option<u32>,
}

/// Which lines a merchant accepts; the default accepts any line Tamara could send.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// The currencies the merchant settles in; a line in another is refused. `None`: any.
    pub currencies: Option<Vec<Currency>>,
}

/// Why a file is not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    #[error("cannot read {path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("{path} is not a statement file: .xlsx or .csv expected")]
    UnknownFormat { path: String },
    #[error(
        "{path} {} {} MB; statements over {} MB are not read",
        if *unpacked { "unpacks to" } else { "is" },
        size.div_ceil(1024 * 1024),
        limit / (1024 * 1024)
    )]
    TooLarge {
        path: String,
        size: u64,
        limit: u64,
        unpacked: bool,
    },
    #[error(
        "{path} is password-protected: remove the password in Excel (File > Info > Protect \
         Workbook) and save it again"
    )]
    PasswordProtected { path: String },
    #[error("{path} is not a readable XLSX: {reason}; open it in Excel and save it again as .xlsx")]
    NotWorkbook { path: String, reason: String },
    #[error(
        "the CSV starts with a {encoding} mark but its text is not {encoding}: save it again as \"CSV UTF-8\""
    )]
    BadText { encoding: &'static str },
    #[error(
        "the CSV is UTF-8 but line {row} has bytes that are not (a damaged or pasted-in part): \
         save it again as \"CSV UTF-8\""
    )]
    NotUtf8 { row: u32 },
    #[error("no statement table found: missing columns {}", missing.join(", "))]
    MissingColumns { missing: Vec<&'static str> },
    #[error("row {row}, column {column}{}: {reason}", if at.is_empty() { String::new() } else { format!(" ({at})") })]
    Cell {
        row: u32,
        column: &'static str,
        /// The column's letter in the file (`J`), when known.
        at: String,
        reason: String,
    },
    #[error("the statement has no lines")]
    Empty,
}

impl StatementError {
    /// The stable code: a file that cannot be opened, or one that is not a statement.
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            StatementError::Unreadable { .. }
            | StatementError::TooLarge { .. }
            | StatementError::PasswordProtected { .. }
            | StatementError::NotWorkbook { .. } => crate::ErrorCode::StatementUnreadable,
            _ => crate::ErrorCode::StatementInvalid,
        }
    }
}

/// Reads the statement at `path` (`.xlsx` or `.csv`, by extension), accepting any currency.
///
/// # Errors
/// See [`StatementError`]; nothing half-read is returned.
pub fn read_statement(path: &Path) -> Result<Statement, StatementError> {
    read_statement_with(path, &ReadOptions::default())
}

/// Reads the statement at `path`, refusing lines that `options` does not accept.
///
/// # Errors
/// See [`StatementError`]; nothing half-read is returned.
pub fn read_statement_with(
    path: &Path,
    options: &ReadOptions,
) -> Result<Statement, StatementError> {
    let shown = path.display().to_string();
    let unreadable = |e: &dyn std::fmt::Display| StatementError::Unreadable {
        path: shown.clone(),
        reason: e.to_string(),
    };
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let workbook = match ext.as_deref() {
        Some("csv") => false,
        Some("xlsx" | "xlsm" | "xls" | "ods") => true,
        _ => return Err(StatementError::UnknownFormat { path: shown }),
    };
    // By size before reading: a huge file is refused without loading it.
    let size = std::fs::metadata(path).map_err(|e| unreadable(&e))?.len();
    if size > MAX_FILE_BYTES {
        return Err(StatementError::TooLarge {
            path: shown,
            size,
            limit: MAX_FILE_BYTES,
            unpacked: false,
        });
    }
    // One read: the digest is of exactly the bytes parsed.
    let bytes = std::fs::read(path).map_err(|e| unreadable(&e))?;
    let digest = hex::encode(Sha256::digest(&bytes));
    let mut statement = if workbook {
        let rows = rows::workbook_rows(&bytes, ext.as_deref().unwrap_or_default(), &shown)?;
        parse_rows(&rows, options)?
    } else {
        read_csv(&bytes, options)?
    };
    statement.digest = digest;
    Ok(statement)
}

/// A CSV split at commas, or else at semicolons or tabs (what Excel writes in other regions),
/// whichever finds the table.
fn read_csv(bytes: &[u8], options: &ReadOptions) -> Result<Statement, StatementError> {
    let text = rows::csv_text(bytes)?;
    let mut first = None;
    for delimiter in [b',', b';', b'\t'] {
        match parse_rows(&rows::csv_rows(&text, delimiter)?, options) {
            Err(e @ StatementError::MissingColumns { .. }) => {
                first.get_or_insert(e);
            }
            read => return read,
        }
    }
    Err(first.unwrap_or(StatementError::Empty))
}

/// The header block and the detail table of text rows.
pub(crate) fn parse_rows(rows: &[Row], options: &ReadOptions) -> Result<Statement, StatementError> {
    let mut statement = Statement {
        statement_id: None,
        statement_date: None,
        period: None,
        merchant_id: None,
        lines: Vec::new(),
        summary: Vec::new(),
        digest: String::new(),
    };
    let mut summary = super::summary::SummaryReader::default();
    let mut table: Option<(usize, Vec<Option<Column>>)> = None;
    let mut best_missing: Option<Vec<&'static str>> = None;
    for (i, row) in rows.iter().enumerate() {
        let columns: Vec<Option<Column>> =
            row.cells.iter().map(|c| layout::column_named(c)).collect();
        let missing: Vec<&'static str> = COLUMNS
            .iter()
            .filter(|(c, required, _)| *required && !columns.contains(&Some(*c)))
            .map(|(c, _, _)| layout::name_of(*c))
            .collect();
        if missing.is_empty() {
            table = Some((i, columns));
            break;
        }
        if columns.iter().flatten().count() >= 3
            && best_missing
                .as_ref()
                .is_none_or(|b| missing.len() < b.len())
        {
            best_missing = Some(missing);
        }
        if !summary.feed(row, &mut statement.summary)? {
            header_label(&row.cells, &mut statement);
        }
    }
    let Some((header_row, columns)) = table else {
        let missing = best_missing.unwrap_or_else(|| {
            COLUMNS
                .iter()
                .filter(|(_, required, _)| *required)
                .map(|(c, _, _)| layout::name_of(*c))
                .collect()
        });
        return Err(StatementError::MissingColumns { missing });
    };
    let header = rows.get(header_row).map_or(0, |r| r.n);
    named_once(header, &columns)?;
    let mut month_first = Vec::new();
    for row in rows.iter().skip(header_row + 1) {
        // Blank in the statement's columns: a note beside the table is not a line.
        let known = |i: usize| matches!(columns.get(i), Some(Some(_)));
        let blank = row.faults.iter().all(|(i, _)| !known(*i))
            && (row.cells.iter().enumerate())
                .all(|(i, c)| !known(i) || cells::trimmed(c).is_empty());
        if blank {
            continue;
        }
        let (line, alternative) = parse_line(row, &columns, options)?;
        month_first.push((line.row, line.transaction_date, alternative));
        statement.lines.push(line);
    }
    if statement.lines.is_empty() {
        return Err(StatementError::Empty);
    }
    written_month_first(&month_first, &columns)?;
    Ok(statement)
}

/// Refuses a header naming one column twice: which of the two to read would be a guess.
fn named_once(row: u32, columns: &[Option<Column>]) -> Result<(), StatementError> {
    for (i, c) in columns.iter().enumerate() {
        let Some(c) = c else { continue };
        if let Some(j) = columns.iter().skip(i + 1).position(|x| x == &Some(*c)) {
            return Err(StatementError::Cell {
                row,
                column: layout::name_of(*c),
                at: cells::letter(i),
                reason: format!(
                    "named twice in the header (also {})",
                    cells::letter(i + 1 + j)
                ),
            });
        }
    }
    Ok(())
}

/// Refuses a file whose dates all read both ways (day and month both 12 or less) and that spans
/// months read day first but under a month read month first: such a file was written MM/DD,
/// and no single date would have shown it. A statement covers a week (reference §11.1).
fn written_month_first(
    dates: &[(u32, NaiveDate, Option<NaiveDate>)],
    columns: &[Option<Column>],
) -> Result<(), StatementError> {
    let span = |ds: &mut dyn Iterator<Item = NaiveDate>| {
        let all: Vec<NaiveDate> = ds.collect();
        match (all.iter().min(), all.iter().max()) {
            (Some(a), Some(b)) => (*b - *a).num_days(),
            _ => 0,
        }
    };
    let Some(swapped) = dates.iter().map(|(_, _, m)| *m).collect::<Option<Vec<_>>>() else {
        return Ok(());
    };
    let as_written = span(&mut dates.iter().map(|(_, d, _)| *d));
    if as_written <= 31 || span(&mut swapped.into_iter()) > 31 {
        return Ok(());
    }
    let Some((row, date, Some(other))) = dates.iter().find(|(_, d, m)| Some(*d) != *m) else {
        return Ok(());
    };
    Err(StatementError::Cell {
        row: *row,
        column: layout::name_of(Column::TransactionDate),
        at: columns
            .iter()
            .position(|c| *c == Some(Column::TransactionDate))
            .map(cells::letter)
            .unwrap_or_default(),
        reason: format!(
            "read day/month (DD/MM/YYYY, as statements write them) the file's dates span \
             {as_written} days; read month/day they fall within a month, so it looks written \
             month first (this one would be {} instead of {}): check how it was exported",
            other.format("%-d %b %Y"),
            date.format("%-d %b %Y")
        ),
    })
}

/// A `label, value` row of the header block, if it is one.
fn header_label(row: &[String], statement: &mut Statement) {
    let mut cells = row
        .iter()
        .map(|c| cells::trimmed(c))
        .filter(|c| !c.is_empty());
    let (Some(label), Some(value)) = (cells.next(), cells.next()) else {
        return;
    };
    let value = Some(value.to_owned());
    match layout::header_named(label.trim_end_matches(':')) {
        Some(HeaderField::StatementId) => statement.statement_id = value,
        Some(HeaderField::StatementDate) => statement.statement_date = value,
        Some(HeaderField::StatementPeriod) => statement.period = value,
        Some(HeaderField::MerchantId) => statement.merchant_id = value,
        None => {}
    }
}

/// One detail row, and its date read month first if it reads both ways.
fn parse_line(
    row: &Row,
    columns: &[Option<Column>],
    options: &ReadOptions,
) -> Result<(StatementLine, Option<NaiveDate>), StatementError> {
    let n = row.n;
    let index = |c: Column| columns.iter().position(|x| *x == Some(c));
    let bad = |c: Column, reason: String| StatementError::Cell {
        row: n,
        column: layout::name_of(c),
        at: index(c).map(cells::letter).unwrap_or_default(),
        reason,
    };
    // A fault in any column read refuses the line, whether or not the cell looks empty.
    for (i, fault) in &row.faults {
        if let Some(Some(c)) = columns.get(*i) {
            return Err(bad(*c, fault.clone()));
        }
    }
    let cell = |c: Column| -> Option<&str> {
        index(c)
            .and_then(|i| row.cells.get(i))
            .map(|s| cells::trimmed(s))
            .filter(|s| !s.is_empty())
    };
    let required = |c: Column| cell(c).ok_or_else(|| bad(c, "empty".into()));
    let currency_text = required(Column::Currency)?;
    let currency: Currency = currency_text
        .to_ascii_uppercase()
        .parse()
        .map_err(|e| bad(Column::Currency, format!("{e}")))?;
    if let Some(accepted) = &options.currencies
        && !accepted.contains(&currency)
    {
        let codes: Vec<&str> = accepted.iter().map(|c| c.code()).collect();
        return Err(bad(
            Column::Currency,
            format!(
                "{currency} is not a currency this merchant settles in ({})",
                codes.join(", ")
            ),
        ));
    }
    let money = |c: Column| -> Result<Money, StatementError> {
        let value = cells::decimal(required(c)?).map_err(|r| bad(c, r))?;
        Money::new(value, currency).map_err(|e| bad(c, e.to_string()))
    };
    let event_text = required(Column::Event)?;
    let event = match layout::normalise(event_text).as_str() {
        "captured" | "capture" | "تحصيل" => StatementEvent::Captured,
        "refunded" | "refund" | "استرداد" => StatementEvent::Refunded,
        _ => {
            return Err(bad(
                Column::Event,
                format!("{event_text:?} is not Captured or Refunded"),
            ));
        }
    };
    let amount = money(Column::EventAmount)?;
    let wrong_sign = match event {
        StatementEvent::Captured => {
            amount.amount().is_sign_negative() && !amount.amount().is_zero()
        }
        StatementEvent::Refunded => {
            amount.amount().is_sign_positive() && !amount.amount().is_zero()
        }
    };
    if wrong_sign {
        return Err(bad(
            Column::EventAmount,
            format!(
                "{amount} on a {} line: captures are positive, refunds negative",
                event_text
            ),
        ));
    }
    let variable_fee_percent = cell(Column::VariableFeePercent)
        .map(|t| cells::percent(t).map_err(|r| bad(Column::VariableFeePercent, r)))
        .transpose()?;
    let instalments = cell(Column::Instalments)
        .map(|t| cells::whole(t).map_err(|r| bad(Column::Instalments, r)))
        .transpose()?;
    let date_text = required(Column::TransactionDate)?;
    let line = StatementLine {
        row: n,
        transaction_date: cells::date(date_text).map_err(|r| bad(Column::TransactionDate, r))?,
        tamara_order_id: required(Column::TamaraOrderId)?.to_owned(),
        merchant_order_id: cell(Column::MerchantOrderId).map(str::to_owned),
        event,
        amount,
        fixed_fees: money(Column::FixedFees)?,
        variable_fee_percent,
        variable_fees: money(Column::VariableFees)?,
        total_fees: money(Column::TotalFees)?,
        vat: money(Column::Vat)?,
        payable: money(Column::Payable)?,
        instalments,
    };
    Ok((line, cells::month_first(date_text)))
}

#[cfg(test)]
#[path = "read_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "bad_input_tests.rs"]
mod bad_input_tests;

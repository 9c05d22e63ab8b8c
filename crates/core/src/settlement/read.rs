//! Reading a statement file into [`Statement`]: the header block's labels, then the detail
//! table found by its header row, each row into a [`StatementLine`].
//!
//! Cells are text whatever the file: CSV as written (UTF-8, a BOM allowed), XLSX through
//! calamine — numbers by their shortest round-trip text, so `413.83` stays `413.83`, and
//! dates as Excel stores them. Arabic-Indic digits and separators and thousands separators are
//! read; a date that cannot be DD/MM/YYYY (month over 12) is refused rather than guessed.

use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use super::layout::{self, COLUMNS, Column, HeaderField};
use crate::money::{Currency, Money, parse_decimal};

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

/// Why a file is not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    #[error("cannot read {path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("{path} is not a statement file: .xlsx or .csv expected")]
    UnknownFormat { path: String },
    #[error("{path} is larger than {MAX_FILE_BYTES} bytes")]
    TooLarge { path: String },
    #[error(
        "the CSV is not UTF-8 (row {row}): save it as UTF-8 (Excel's \"CSV UTF-8\"); Arabic Excel \
         often writes Windows-1256"
    )]
    NotUtf8 { row: u32 },
    #[error("no statement table found: missing columns {}", missing.join(", "))]
    MissingColumns { missing: Vec<&'static str> },
    #[error("row {row}, column {column}: {reason}")]
    Cell {
        row: u32,
        column: &'static str,
        reason: String,
    },
    #[error("the statement has no lines")]
    Empty,
}

impl StatementError {
    /// The stable code: a file that cannot be opened, or one that is not a statement.
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            StatementError::Unreadable { .. } | StatementError::TooLarge { .. } => {
                crate::ErrorCode::StatementUnreadable
            }
            _ => crate::ErrorCode::StatementInvalid,
        }
    }
}

/// Reads the statement at `path` (`.xlsx` or `.csv`, by extension).
///
/// # Errors
/// See [`StatementError`]; nothing half-read is returned.
pub fn read_statement(path: &Path) -> Result<Statement, StatementError> {
    let shown = path.display().to_string();
    let unreadable = |e: &dyn std::fmt::Display| StatementError::Unreadable {
        path: shown.clone(),
        reason: e.to_string(),
    };
    let size = std::fs::metadata(path).map_err(|e| unreadable(&e))?.len();
    if size > MAX_FILE_BYTES {
        return Err(StatementError::TooLarge { path: shown });
    }
    let bytes = std::fs::read(path).map_err(|e| unreadable(&e))?;
    let digest = hex::encode(Sha256::digest(&bytes));
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let rows = match ext.as_deref() {
        Some("csv") => csv_rows(&bytes)?,
        Some("xlsx" | "xlsm" | "xls" | "ods") => xlsx_rows(path).map_err(|e| unreadable(&e))?,
        _ => return Err(StatementError::UnknownFormat { path: shown }),
    };
    let mut statement = parse_rows(&rows)?;
    statement.digest = digest;
    Ok(statement)
}

/// A row of text cells with its number in the file (1 is the first line or sheet row).
type Row = (u32, Vec<String>);

/// The rows of a CSV as text cells (blank lines are skipped, numbers stay the file's).
fn csv_rows(bytes: &[u8]) -> Result<Vec<Row>, StatementError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rows = Vec::new();
    for record in reader.byte_records() {
        let record = record.map_err(|e| StatementError::Cell {
            row: e
                .position()
                .map_or(0, |p| u32::try_from(p.line()).unwrap_or(u32::MAX)),
            column: "-",
            reason: e.to_string(),
        })?;
        let row = record
            .position()
            .map_or(0, |p| u32::try_from(p.line()).unwrap_or(u32::MAX));
        let cells = record
            .iter()
            .map(|c| String::from_utf8(c.to_vec()).map_err(|_| StatementError::NotUtf8 { row }))
            .collect::<Result<Vec<_>, _>>()?;
        rows.push((row, cells));
    }
    Ok(rows)
}

/// The first sheet of a workbook as text cells.
fn xlsx_rows(path: &Path) -> Result<Vec<Row>, calamine::Error> {
    use calamine::{Data, Reader, open_workbook_auto};
    let mut book = open_workbook_auto(path)?;
    let range = book
        .worksheet_range_at(0)
        .ok_or(calamine::Error::Msg("the workbook has no sheet"))??;
    let first = range.start().map_or(0, |(r, _)| r);
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, r)| {
            let n = first
                .saturating_add(u32::try_from(i).unwrap_or(u32::MAX))
                .saturating_add(1);
            let cells = r
                .iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    Data::Float(f) => f.to_string(),
                    Data::Int(i) => i.to_string(),
                    Data::Bool(b) => b.to_string(),
                    Data::DateTime(d) => d
                        .as_datetime()
                        .map(|t| t.date().format("%d/%m/%Y").to_string())
                        .unwrap_or_default(),
                    Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                    Data::Error(e) => format!("#{e:?}"),
                })
                .collect();
            (n, cells)
        })
        .collect())
}

/// The header block and the detail table of text rows.
pub(crate) fn parse_rows(rows: &[Row]) -> Result<Statement, StatementError> {
    let mut statement = Statement {
        statement_id: None,
        statement_date: None,
        period: None,
        merchant_id: None,
        lines: Vec::new(),
        digest: String::new(),
    };
    let mut table: Option<(usize, Vec<Option<Column>>)> = None;
    let mut best_missing: Option<Vec<&'static str>> = None;
    for (i, (_, row)) in rows.iter().enumerate() {
        let columns: Vec<Option<Column>> = row.iter().map(|c| layout::column_named(c)).collect();
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
        header_label(row, &mut statement);
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
    for (n, row) in rows.iter().skip(header_row + 1) {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        statement.lines.push(parse_line(*n, row, &columns)?);
    }
    if statement.lines.is_empty() {
        return Err(StatementError::Empty);
    }
    Ok(statement)
}

/// A `label, value` row of the header block, if it is one.
fn header_label(row: &[String], statement: &mut Statement) {
    let mut cells = row.iter().map(|c| c.trim()).filter(|c| !c.is_empty());
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

fn parse_line(
    row: u32,
    cells: &[String],
    columns: &[Option<Column>],
) -> Result<StatementLine, StatementError> {
    let cell = |c: Column| -> Option<&str> {
        columns
            .iter()
            .position(|x| *x == Some(c))
            .and_then(|i| cells.get(i))
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    };
    let bad = |c: Column, reason: String| StatementError::Cell {
        row,
        column: layout::name_of(c),
        reason,
    };
    let required = |c: Column| cell(c).ok_or_else(|| bad(c, "empty".into()));
    let currency: Currency = required(Column::Currency)?
        .to_ascii_uppercase()
        .parse()
        .map_err(|e| bad(Column::Currency, format!("{e}")))?;
    let money = |c: Column| -> Result<Money, StatementError> {
        let text = numeral(required(c)?);
        let value = parse_decimal(&text).map_err(|e| bad(c, e.to_string()))?;
        Money::new(value, currency).map_err(|e| bad(c, e.to_string()))
    };
    let event = match layout::normalise(required(Column::Event)?).as_str() {
        "captured" | "capture" | "تحصيل" => StatementEvent::Captured,
        "refunded" | "refund" | "استرداد" => StatementEvent::Refunded,
        other => {
            return Err(bad(
                Column::Event,
                format!("{other:?} is not Captured or Refunded"),
            ));
        }
    };
    let variable_fee_percent = cell(Column::VariableFeePercent)
        .map(|t| {
            let t = numeral(t.trim_end_matches('%'));
            parse_decimal(t.trim()).map_err(|e| bad(Column::VariableFeePercent, e.to_string()))
        })
        .transpose()?;
    let instalments = cell(Column::Instalments)
        .map(|t| {
            numeral(t)
                .parse::<u32>()
                .map_err(|_| bad(Column::Instalments, format!("{t:?} is not a whole number")))
        })
        .transpose()?;
    Ok(StatementLine {
        row,
        transaction_date: date(required(Column::TransactionDate)?)
            .map_err(|r| bad(Column::TransactionDate, r))?,
        tamara_order_id: required(Column::TamaraOrderId)?.to_owned(),
        merchant_order_id: cell(Column::MerchantOrderId).map(str::to_owned),
        event,
        amount: money(Column::EventAmount)?,
        fixed_fees: money(Column::FixedFees)?,
        variable_fee_percent,
        variable_fees: money(Column::VariableFees)?,
        total_fees: money(Column::TotalFees)?,
        vat: money(Column::Vat)?,
        payable: money(Column::Payable)?,
        instalments,
    })
}

/// ASCII digits for Arabic-Indic and Persian ones, `.` for the Arabic decimal separator, and
/// no thousands separators (`,`, `٬`, spaces).
pub(crate) fn numeral(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '٠'..='٩' => char::from_digit(u32::from(c) - u32::from('٠'), 10),
            '۰'..='۹' => char::from_digit(u32::from(c) - u32::from('۰'), 10),
            '٫' => Some('.'),
            ',' | '٬' | ' ' | '\u{a0}' => None,
            other => Some(other),
        })
        .collect()
}

/// A DD/MM/YYYY date (or ISO `YYYY-MM-DD`, with or without a time).
pub(crate) fn date(text: &str) -> Result<NaiveDate, String> {
    let t = numeral(text);
    if let Some(iso) = t.get(..10)
        && let Ok(d) = NaiveDate::parse_from_str(iso, "%Y-%m-%d")
    {
        return Ok(d);
    }
    let parts: Vec<&str> = t.split(['/', '-', '.']).collect();
    let [d, m, y] = parts.as_slice() else {
        return Err(format!("{text:?} is not a DD/MM/YYYY date"));
    };
    let (d, m, y): (u32, u32, i32) = match (d.parse(), m.parse(), y.get(..4).unwrap_or(y).parse()) {
        (Ok(d), Ok(m), Ok(y)) => (d, m, y),
        _ => return Err(format!("{text:?} is not a DD/MM/YYYY date")),
    };
    if m > 12 && d <= 12 {
        return Err(format!(
            "{text:?} reads as month/day; statements write day/month (DD/MM/YYYY)"
        ));
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("{text:?} is not a date"))
}

#[cfg(test)]
#[path = "read_tests.rs"]
mod tests;

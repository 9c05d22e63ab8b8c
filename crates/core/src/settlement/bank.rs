//! Reading a bank statement CSV into Tamara's deposits: the header row found by column names
//! (date, description, reference, credit — or one signed amount), a BOM, `;` or tab
//! separators, thousands separators and Arabic-Indic digits tolerated.
//!
//! Which rows are Tamara's: by default the credits whose description or reference contains
//! "Tamara" or "تمارا" (a bank account receives other money too, and a payout must never be
//! matched to a customer's transfer); `all_credits` takes every credit, for an account that
//! only Tamara pays into. Debits and empty credit cells are skipped.
//!
//! Invariants: a file is read whole or refused with the row and column of the first problem;
//! amounts are exact at the currency's precision, never floats.

use std::path::Path;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use super::layout::normalise;
use super::read::cells::{date, latin};
use crate::money::{Currency, Money, parse_decimal};

/// Largest bank file read (years of a busy account's statement are far less).
pub const MAX_BANK_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Header names, normalised (lower case, letters and digits only), by column; the first name
/// found wins, so a "Value Date" is preferred to a "Posting Date".
const DATE: &[&str] = &[
    "valuedate",
    "date",
    "transactiondate",
    "postingdate",
    "bookingdate",
    "تاريخالقيمة",
    "التاريخ",
    "تاريخالعملية",
    "تاريخالحركة",
];
const DESCRIPTION: &[&str] = &[
    "description",
    "details",
    "transactiondetails",
    "narrative",
    "narration",
    "memo",
    "الوصف",
    "البيان",
    "التفاصيل",
];
const REFERENCE: &[&str] = &[
    "reference",
    "bankreference",
    "transactionreference",
    "referencenumber",
    "ref",
    "المرجع",
    "رقمالمرجع",
];
const CREDIT: &[&str] = &[
    "credit",
    "creditamount",
    "credits",
    "deposit",
    "deposits",
    "moneyin",
    "دائن",
    "إيداع",
    "ايداع",
    "المبلغالدائن",
];
/// A signed amount column, used when the file has no credit column (credits positive).
const AMOUNT: &[&str] = &["amount", "transactionamount", "المبلغ"];
const CURRENCY: &[&str] = &["currency", "العملة"];

/// A deposit read from a bank file.
#[derive(Debug, Clone, PartialEq)]
pub struct BankCredit {
    /// The line in the file (1 is the first).
    pub row: u32,
    pub paid_on: NaiveDate,
    pub amount: Money,
    pub reference: Option<String>,
    pub description: Option<String>,
}

/// A bank file as read: Tamara's deposits, and how many rows were not taken.
#[derive(Debug, Clone, PartialEq)]
pub struct BankFile {
    /// SHA-256 of the file's bytes: with a row number, what makes a deposit imported once.
    pub digest: String,
    pub credits: Vec<BankCredit>,
    /// Rows that are debits, empty, or not Tamara's.
    pub skipped: u32,
}

/// Why a bank file is not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BankFileError {
    #[error("cannot read {path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("the bank file is not UTF-8 (row {row}): save it as UTF-8 CSV")]
    NotUtf8 { row: u32 },
    #[error(
        "no bank statement table found: a header row naming a date, a description or \
         reference, and a credit (or amount) column is needed; missing {}",
        missing.join(", ")
    )]
    MissingColumns { missing: Vec<&'static str> },
    #[error("row {row}, column {column}: {reason}")]
    Cell {
        row: u32,
        column: String,
        reason: String,
    },
}

/// How to read a bank file.
#[derive(Debug, Clone, Copy)]
pub struct BankOptions {
    /// The account's currency when the file has no currency column.
    pub currency: Currency,
    /// Every credit is Tamara's (not only those naming Tamara).
    pub all_credits: bool,
}

/// Reads the bank statement CSV at `path`.
///
/// # Errors
/// See [`BankFileError`]; nothing half-read is returned.
pub fn read_bank_file(path: &Path, options: BankOptions) -> Result<BankFile, BankFileError> {
    let unreadable = |e: &dyn std::fmt::Display| BankFileError::Unreadable {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let size = std::fs::metadata(path).map_err(|e| unreadable(&e))?.len();
    if size > MAX_BANK_FILE_BYTES {
        return Err(unreadable(&format!(
            "larger than {MAX_BANK_FILE_BYTES} bytes"
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| unreadable(&e))?;
    parse_bank_bytes(&bytes, options)
}

/// Parses a bank statement CSV's bytes (see [`read_bank_file`]).
///
/// # Errors
/// See [`BankFileError`].
pub fn parse_bank_bytes(bytes: &[u8], options: BankOptions) -> Result<BankFile, BankFileError> {
    let digest = hex::encode(Sha256::digest(bytes));
    let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut best: Option<Vec<&'static str>> = None;
    // The separator is the one under which a header row is found.
    for sep in [b',', b';', b'\t'] {
        let rows = rows(body, sep)?;
        match find_header(&rows) {
            Ok((at, columns)) => {
                let mut file = BankFile {
                    digest,
                    credits: Vec::new(),
                    skipped: 0,
                };
                for (n, cells) in rows.iter().skip(at + 1) {
                    if cells.iter().all(|c| c.trim().is_empty()) {
                        continue;
                    }
                    match credit(*n, cells, &columns, options)? {
                        Some(c) => file.credits.push(c),
                        None => file.skipped += 1,
                    }
                }
                return Ok(file);
            }
            Err(missing) => {
                if best.as_ref().is_none_or(|b| missing.len() < b.len()) {
                    best = Some(missing);
                }
            }
        }
    }
    Err(BankFileError::MissingColumns {
        missing: best.unwrap_or_default(),
    })
}

type Row = (u32, Vec<String>);

fn rows(bytes: &[u8], sep: u8) -> Result<Vec<Row>, BankFileError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sep)
        .from_reader(bytes);
    let line = |p: Option<&csv::Position>| p.map_or(0, |p| u32::try_from(p.line()).unwrap_or(0));
    let mut out = Vec::new();
    for record in reader.byte_records() {
        let record = record.map_err(|e| BankFileError::Cell {
            row: line(e.position()),
            column: "-".into(),
            reason: e.to_string(),
        })?;
        let row = line(record.position());
        let cells = record
            .iter()
            .map(|c| String::from_utf8(c.to_vec()).map_err(|_| BankFileError::NotUtf8 { row }))
            .collect::<Result<Vec<_>, _>>()?;
        out.push((row, cells));
    }
    Ok(out)
}

/// Column positions and their header text.
struct Columns {
    date: (usize, String),
    description: Option<(usize, String)>,
    reference: Option<(usize, String)>,
    /// The credit column, or the signed amount column (`signed`).
    credit: (usize, String),
    signed: bool,
    currency: Option<(usize, String)>,
}

fn find_header(rows: &[Row]) -> Result<(usize, Columns), Vec<&'static str>> {
    let mut best: Option<Vec<&'static str>> = None;
    for (i, (_, cells)) in rows.iter().enumerate().take(50) {
        let names: Vec<String> = cells.iter().map(|c| normalise(c)).collect();
        let find = |aliases: &[&str]| {
            aliases
                .iter()
                .find_map(|a| names.iter().position(|n| n == a))
                .map(|p| (p, cells[p].trim().trim_start_matches('\u{feff}').to_owned()))
        };
        let date = find(DATE);
        let description = find(DESCRIPTION);
        let reference = find(REFERENCE);
        let credit = find(CREDIT);
        let amount = find(AMOUNT);
        let mut missing = Vec::new();
        if date.is_none() {
            missing.push("date");
        }
        if description.is_none() && reference.is_none() {
            missing.push("description or reference");
        }
        if credit.is_none() && amount.is_none() {
            missing.push("credit");
        }
        if let (Some(date), Some(money)) = (&date, credit.as_ref().or(amount.as_ref()))
            && missing.is_empty()
        {
            return Ok((
                i,
                Columns {
                    date: date.clone(),
                    description,
                    reference,
                    credit: money.clone(),
                    signed: credit.is_none(),
                    currency: find(CURRENCY),
                },
            ));
        }
        if missing.len() < 3 && best.as_ref().is_none_or(|b| missing.len() < b.len()) {
            best = Some(missing);
        }
    }
    Err(best.unwrap_or_else(|| vec!["date", "description or reference", "credit"]))
}

fn credit(
    row: u32,
    cells: &[String],
    c: &Columns,
    options: BankOptions,
) -> Result<Option<BankCredit>, BankFileError> {
    let cell = |col: &(usize, String)| cells.get(col.0).map(|s| s.trim()).filter(|s| !s.is_empty());
    let bad = |col: &(usize, String), reason: String| BankFileError::Cell {
        row,
        column: col.1.clone(),
        reason,
    };
    let description = c.description.as_ref().and_then(cell).map(str::to_owned);
    let reference = c.reference.as_ref().and_then(cell).map(str::to_owned);
    if !options.all_credits && !names_tamara(description.as_deref(), reference.as_deref()) {
        return Ok(None);
    }
    let Some(text) = cell(&c.credit) else {
        return Ok(None);
    };
    let currency = match c
        .currency
        .as_ref()
        .and_then(|col| cell(col).map(|t| (col, t)))
    {
        Some((col, t)) => t
            .to_ascii_uppercase()
            .parse()
            .map_err(|e| bad(col, format!("{e}")))?,
        None => options.currency,
    };
    let value = parse_decimal(&amount_text(text))
        .map_err(|_| bad(&c.credit, format!("{text:?} is not an amount")))?;
    if value.is_sign_negative() || value.is_zero() {
        // A debit in a signed amount column, or nothing credited.
        if !c.signed && value.is_sign_negative() {
            return Err(bad(
                &c.credit,
                format!("{text:?}: a credit is never negative"),
            ));
        }
        return Ok(None);
    }
    let amount = Money::new(value, currency).map_err(|e| bad(&c.credit, e.to_string()))?;
    let date_text = cell(&c.date).ok_or_else(|| bad(&c.date, "empty".into()))?;
    let paid_on = date(date_text).map_err(|r| bad(&c.date, r))?;
    Ok(Some(BankCredit {
        row,
        paid_on,
        amount,
        reference,
        description,
    }))
}

/// Tamara's name in the description or reference, in Latin or Arabic letters.
fn names_tamara(description: Option<&str>, reference: Option<&str>) -> bool {
    [description, reference]
        .into_iter()
        .flatten()
        .any(|t| t.to_lowercase().contains("tamara") || t.contains("تمارا"))
}

/// An amount's text with ASCII digits and a `.` decimal point. When both `,` and `.` appear,
/// the last one is the decimal point ("1.234,56" as well as "1,234.56"); a lone `,` is a
/// decimal comma unless three digits follow it ("70,00" but "1,234"). A currency code before
/// or after it ("SAR 1,234.50") is dropped; any other letter makes it no amount.
fn amount_text(text: &str) -> String {
    let t = without_code(text.trim());
    let comma_decimal = match (t.rfind(','), t.rfind('.')) {
        (Some(c), Some(d)) => c > d,
        // "70,00" is seventy; "1,234" and "1,234,567" are thousands.
        (Some(c), None) => t.matches(',').count() == 1 && t[c + 1..].trim().len() != 3,
        _ => false,
    };
    let t = if comma_decimal {
        t.replace('.', "").replace(',', ".")
    } else {
        t.to_owned()
    };
    // ASCII digits, `.` for the Arabic decimal separator, no thousands separators.
    latin(&t).replace([',', '٬', ' ', '\u{a0}'], "")
}

/// `text` without a three-letter code and a space before or after it.
fn without_code(text: &str) -> &str {
    let code = |c: &str| c.len() == 3 && c.chars().all(|x| x.is_ascii_alphabetic());
    if let Some((head, rest)) = text.split_once(char::is_whitespace)
        && code(head)
    {
        return rest.trim();
    }
    if let Some((rest, tail)) = text.rsplit_once(char::is_whitespace)
        && code(tail)
    {
        return rest.trim();
    }
    text
}

#[cfg(test)]
#[path = "bank_tests.rs"]
mod tests;

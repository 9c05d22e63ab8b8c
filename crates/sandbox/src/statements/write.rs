//! The two file formats of a statement: CSV (UTF-8 with a BOM, so Excel shows Arabic refund
//! reasons right) and XLSX (one sheet).
//!
//! XLSX stores every number as a binary double: amounts cross into `f64` only at the cell,
//! through their exact decimal text, which round-trips for any amount below 15 significant
//! digits. Dates are real Excel dates shown DD/MM/YYYY.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

use super::layout::Cell;

/// The CSV bytes of `rows` (RFC 4180 quoting, CRLF line ends as Excel writes them).
pub fn csv(rows: &[Vec<Cell>]) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| quote(&csv_text(c))).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

fn csv_text(c: &Cell) -> String {
    match c {
        Cell::Empty => String::new(),
        Cell::Text(s) => s.clone(),
        Cell::Amount(d, p) => {
            let mut d = *d;
            d.rescale(*p);
            d.to_string()
        }
        Cell::Number(d) => d.to_string(),
        Cell::Date(d) => d.format("%d/%m/%Y").to_string(),
    }
}

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The XLSX bytes of `rows`, on one sheet named `Statement`.
///
/// # Errors
/// The writer's, should a cell be out of Excel's range.
pub fn xlsx(rows: &[Vec<Cell>]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Statement")?;
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let places = [
        Format::new().set_num_format("0"),
        Format::new().set_num_format("0.0"),
        Format::new().set_num_format("0.00"),
        Format::new().set_num_format("0.000"),
    ];
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (c, cell) in row.iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
            match cell {
                Cell::Empty => {}
                Cell::Text(s) => {
                    sheet.write_string(r, c, s)?;
                }
                Cell::Amount(d, p) => {
                    let format = places.get(*p as usize).unwrap_or(&places[2]);
                    sheet.write_number_with_format(r, c, number(&d.to_string())?, format)?;
                }
                Cell::Number(d) => {
                    sheet.write_number(r, c, number(&d.to_string())?)?;
                }
                Cell::Date(d) => {
                    use chrono::Datelike;
                    let (y, m, day) = (d.year(), d.month(), d.day());
                    let when = ExcelDateTime::from_ymd(
                        u16::try_from(y)
                            .map_err(|_| XlsxError::ParameterError(format!("year {y}")))?,
                        u8::try_from(m).unwrap_or(1),
                        u8::try_from(day).unwrap_or(1),
                    )?;
                    sheet.write_datetime_with_format(r, c, &when, &date)?;
                }
            }
        }
    }
    sheet.set_column_width(1, 38)?;
    book.save_to_buffer()
}

/// The double nearest to a decimal's text (exact text in, correctly rounded out).
fn number(text: &str) -> Result<f64, XlsxError> {
    text.parse::<f64>()
        .map_err(|e| XlsxError::ParameterError(format!("{text}: {e}")))
}

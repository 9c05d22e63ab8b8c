//! A statement file's bytes into rows of text cells, before any meaning is read into them.
//!
//! CSV: UTF-8 (a BOM allowed), UTF-16 with its BOM, otherwise Windows-1256 (what Arabic Excel
//! writes for "CSV"). Workbooks: told by their first bytes, not their name, so an encrypted
//! (password-protected) XLSX or a renamed file gets its own message; XLSX and ODS through
//! calamine, the first sheet only. A cell the reader must not trust (a formula never calculated,
//! an Excel error, a merged cell repeated from the row above) carries a fault, and is refused
//! only if it lands in one of the statement's columns.

use std::borrow::Cow;
use std::io::{Cursor, Read, Seek};

use calamine::{Data, Dimensions, Ods, Reader, Xls, XlsError, Xlsx, XlsxError};

use super::StatementError;

/// Largest a workbook may unpack to: a zip bomb is refused before it is unpacked.
pub const MAX_UNPACKED_BYTES: u64 = 1024 * 1024 * 1024;

/// A row of text cells, with its number in the file (1 is the first line or sheet row), and
/// the cells (by index) whose text is not to be trusted, with why.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub n: u32,
    pub cells: Vec<String>,
    pub faults: Vec<(usize, String)>,
}

/// The text of a CSV file, decoded.
///
/// # Errors
/// A BOM that the bytes after it contradict, or UTF-8 text damaged in places.
pub fn csv_text(bytes: &[u8]) -> Result<Cow<'_, str>, StatementError> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return encoding
            .decode_without_bom_handling_and_without_replacement(bytes.get(bom..).unwrap_or(&[]))
            .ok_or(StatementError::BadText {
                encoding: encoding.name(),
            });
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(text));
    }
    // Arabic in Windows-1256 is almost never valid UTF-8 by chance; UTF-8 with a few damaged
    // bytes is mostly valid. The second is refused rather than read as the first, garbled.
    let (mut valid, mut invalid, mut first_bad) = (0usize, 0usize, None);
    let mut offset = 0;
    for chunk in bytes.utf8_chunks() {
        valid += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        offset += chunk.valid().len();
        if !chunk.invalid().is_empty() {
            first_bad.get_or_insert(offset);
        }
        invalid += chunk.invalid().len();
        offset += chunk.invalid().len();
    }
    if valid > invalid {
        let before = bytes.get(..first_bad.unwrap_or(0)).unwrap_or(&[]);
        let newlines = before.iter().filter(|b| **b == b'\n').count();
        return Err(StatementError::NotUtf8 {
            row: u32::try_from(newlines).map_or(u32::MAX, |n| n.saturating_add(1)),
        });
    }
    Ok(encoding_rs::WINDOWS_1256
        .decode_without_bom_handling(bytes)
        .0)
}

/// The rows of CSV text split at `delimiter`.
pub fn csv_rows(text: &str, delimiter: u8) -> Result<Vec<Row>, StatementError> {
    let mut lines = Lines {
        text: text.as_bytes(),
        at: 0,
        line: 1,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| StatementError::Cell {
            row: e.position().map_or(0, |p| lines.of(p.byte())),
            column: "-",
            at: String::new(),
            reason: e.to_string(),
        })?;
        rows.push(Row {
            n: record.position().map_or(0, |p| lines.of(p.byte())),
            cells: record.iter().map(str::to_owned).collect(),
            faults: Vec::new(),
        });
    }
    Ok(rows)
}

/// Line numbers as an editor shows them. The csv crate places a record that follows blank
/// lines on the first of them, so the record's start is found past them here.
struct Lines<'a> {
    text: &'a [u8],
    at: usize,
    line: u32,
}

impl Lines<'_> {
    /// The line of the record starting at `byte` (records come in order).
    fn of(&mut self, byte: u64) -> u32 {
        let mut start = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        while self
            .text
            .get(start)
            .is_some_and(|b| matches!(b, b'\r' | b'\n'))
        {
            start += 1;
        }
        if let Some(between) = self.text.get(self.at..start) {
            let newlines = between.iter().filter(|b| **b == b'\n').count();
            self.line = self
                .line
                .saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
            self.at = start;
        }
        self.line
    }
}

const OLE: &[u8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1";
const ZIP: &[u8] = b"PK\x03\x04";

/// The first sheet of a workbook as rows.
pub fn workbook_rows(bytes: &[u8], ext: &str, path: &str) -> Result<Vec<Row>, StatementError> {
    let not = |reason: String| StatementError::NotWorkbook {
        path: path.to_owned(),
        reason,
    };
    let locked = || StatementError::PasswordProtected {
        path: path.to_owned(),
    };
    let cursor = Cursor::new(bytes);
    if bytes.starts_with(OLE) {
        // Excel encrypts an XLSX with a password into an OLE file holding this stream.
        if contains(bytes, &utf16("EncryptedPackage")) {
            return Err(locked());
        }
        let mut book: Xls<_> = Xls::new(cursor).map_err(|e| match e {
            XlsError::Password => locked(),
            e => not(e.to_string()),
        })?;
        let merges = book.merge_cells_by_sheet_id(0).unwrap_or_default();
        return sheet_rows(&mut book, &merges, false).map_err(not);
    }
    if !bytes.starts_with(ZIP) {
        return Err(not(
            "it is not an Excel workbook inside (renamed, or damaged)".into(),
        ));
    }
    let mut inside = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| not(format!("it is damaged or incomplete ({e})")))?;
    let unpacked = unpacked_size(&mut inside);
    if unpacked > MAX_UNPACKED_BYTES {
        return Err(StatementError::TooLarge {
            path: path.to_owned(),
            size: unpacked,
            limit: MAX_UNPACKED_BYTES,
            unpacked: true,
        });
    }
    if ext == "ods" {
        let mut book: Ods<_> = Ods::new(cursor).map_err(|e| not(e.to_string()))?;
        return sheet_rows(&mut book, &[], false).map_err(not);
    }
    let placeholders = recalculated_on_load(&mut inside);
    let mut book: Xlsx<_> = Xlsx::new(cursor).map_err(|e| match e {
        XlsxError::Password => locked(),
        e => not(e.to_string()),
    })?;
    let merges = book
        .merge_cells_by_sheet_id(0)
        .map_err(|e| not(e.to_string()))?;
    sheet_rows(&mut book, &merges, placeholders).map_err(not)
}

/// The sum of the sizes the entries of a zip declare.
fn unpacked_size<R: Read + Seek>(zip: &mut zip::ZipArchive<R>) -> u64 {
    (0..zip.len())
        .filter_map(|i| zip.by_index_raw(i).ok().map(|f| f.size()))
        .fold(0, u64::saturating_add)
}

/// Whether the workbook asks to be recalculated when opened: then it was written by a program
/// that does not calculate, and a formula's stored result is a placeholder (a library writes
/// `0`), not what Excel would show. Excel itself drops the flag when it saves.
fn recalculated_on_load<R: Read + Seek>(zip: &mut zip::ZipArchive<R>) -> bool {
    let mut xml = String::new();
    let Ok(file) = zip.by_name("xl/workbook.xml") else {
        return false;
    };
    if file
        .take(16 * 1024 * 1024)
        .read_to_string(&mut xml)
        .is_err()
    {
        return false;
    }
    xml.find("<calcPr")
        .and_then(|i| xml.get(i..))
        .and_then(|tag| tag.split('>').next())
        .is_some_and(|tag| {
            tag.contains("fullCalcOnLoad=\"1\"") || tag.contains("fullCalcOnLoad=\"true\"")
        })
}

fn sheet_rows<RS, R>(
    book: &mut R,
    merges: &[Dimensions],
    placeholders: bool,
) -> Result<Vec<Row>, String>
where
    RS: Read + Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    let name = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or("the workbook has no sheet")?;
    let range = book.worksheet_range(&name).map_err(|e| e.to_string())?;
    let formulas = book.worksheet_formula(&name).ok();
    let (Some((top, _)), Some((bottom, right))) = (range.start(), range.end()) else {
        return Ok(Vec::new());
    };
    let mut rows = Vec::new();
    for r in top..=bottom {
        let mut row = Row {
            n: r.saturating_add(1),
            ..Row::default()
        };
        for c in 0..=right {
            let value = range.get_value((r, c)).unwrap_or(&Data::Empty);
            let formula = formulas
                .as_ref()
                .and_then(|f| f.get_value((r, c)))
                .filter(|f| !f.is_empty());
            let (text, fault) = cell_text(value);
            let uncalculated = match value {
                Data::Empty => true,
                Data::String(s) => s.is_empty(),
                Data::Float(f) => placeholders && *f == 0.0,
                Data::Int(i) => placeholders && *i == 0,
                _ => false,
            };
            let fault = match formula {
                Some(f) if uncalculated => Some(format!(
                    "the formula ={f} has no calculated result in the file: open it in Excel \
                     and save it again, or paste the values"
                )),
                _ => fault,
            };
            if let Some(fault) = fault {
                row.faults
                    .push((usize::try_from(c).unwrap_or(usize::MAX), fault));
            }
            row.cells.push(text);
        }
        rows.push(row);
    }
    fill_merges(&mut rows, top, merges);
    Ok(rows)
}

/// A merged cell has its text in its first row only; the rows below show it too, so they get
/// it, with a fault: a header may span two rows, but a line's value must be its own.
fn fill_merges(rows: &mut [Row], top: u32, merges: &[Dimensions]) {
    for m in merges {
        let ((r0, c0), (r1, _)) = (m.start, m.end);
        let index = |r: u32| usize::try_from(r.saturating_sub(top)).ok();
        let col = usize::try_from(c0).unwrap_or(usize::MAX);
        let Some(text) = index(r0)
            .and_then(|i| rows.get(i))
            .and_then(|row| row.cells.get(col))
            .cloned()
        else {
            continue;
        };
        for r in r0.saturating_add(1)..=r1 {
            if let Some(row) = index(r).and_then(|i| rows.get_mut(i))
                && let Some(cell) = row.cells.get_mut(col)
            {
                cell.clone_from(&text);
                row.faults.push((
                    col,
                    format!(
                        "merged with row {} above: unmerge the cells in Excel",
                        r0.saturating_add(1)
                    ),
                ));
            }
        }
    }
}

/// A cell's text, and a fault if its value cannot be used.
fn cell_text(value: &Data) -> (String, Option<String>) {
    match value {
        Data::Empty => (String::new(), None),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => (s.clone(), None),
        Data::Float(f) => (excel_number(*f), None),
        Data::Int(i) => (i.to_string(), None),
        Data::Bool(b) => (b.to_string(), None),
        // Year first: a real date cell is never ambiguous.
        Data::DateTime(d) => match d.as_datetime() {
            Some(t) if !d.is_duration() => (t.date().format("%Y-%m-%d").to_string(), None),
            _ => (String::new(), Some(format!("{d} is not a date"))),
        },
        Data::Error(e) => (
            String::new(),
            Some(format!("the cell shows the Excel error {e}")),
        ),
    }
}

/// A workbook number as Excel shows it: 15 significant digits, so a sum stored as
/// `28.400000000000002` reads `28.4`, and a typed `413.83` stays `413.83`.
fn excel_number(f: f64) -> String {
    rust_decimal::Decimal::from_scientific(&format!("{f:.14e}"))
        .map_or_else(|_| f.to_string(), |d| d.normalize().to_string())
}

fn utf16(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

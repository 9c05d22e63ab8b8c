//! The CSV sheet every export writes through: UTF-8, RFC 4180 quoting and CRLF line ends (the
//! `csv` crate), an optional byte-order mark, and spreadsheet formula neutralisation.
//!
//! The neutralisation rule is per column, not per cell value: a cell of a *text* column
//! (anything that came from outside — references, names, comments, ids, gateway text) that
//! starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so Excel,
//! LibreOffice and Google Sheets show it as text instead of evaluating it. Cells of *value*
//! columns we produce ourselves — signed amounts, counts, times we format, closed sets such as
//! the environment or transaction type — are written as they are: a refund of `-12.50` must
//! stay a number a spreadsheet can sum, and it cannot carry a formula because we wrote it.
//!
//! Text cells also never carry a NUL, another control character (tab and line breaks aside) or
//! a bidirectional override/isolate (U+202A–U+202E, U+2066–U+2069): each is written as a
//! visible `[U+XXXX]`, so a file cannot be cut short by a reader, hide a terminal escape, or
//! show a customer's name or an amount in a different order than it holds.

use std::fmt::Write as _;
use std::io::Write;

use super::ExportError;

/// The UTF-8 byte-order mark: makes Excel read the file as UTF-8 (Arabic text included).
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Writes rows of cells; call [`Sheet::end_row`] after each row's cells.
pub(crate) struct Sheet<W: Write> {
    csv: csv::Writer<W>,
    scratch: Vec<u8>,
    num: String,
    rows: u64,
}

impl<W: Write> Sheet<W> {
    /// Starts a sheet on `out`, with the BOM first when asked, then the header row.
    ///
    /// # Errors
    /// [`ExportError::Write`] if `out` refuses the bytes.
    pub fn new(mut out: W, bom: bool, header: &[&str]) -> Result<Self, ExportError> {
        if bom {
            out.write_all(BOM).map_err(ExportError::io)?;
        }
        let csv = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .buffer_capacity(1 << 16)
            .from_writer(out);
        let mut sheet = Sheet {
            csv,
            scratch: Vec::with_capacity(256),
            num: String::new(),
            rows: 0,
        };
        for h in header {
            sheet.value(h)?;
        }
        sheet
            .csv
            .write_record(None::<&[u8]>)
            .map_err(ExportError::csv)?;
        Ok(sheet)
    }

    /// A cell of a text column: hostile characters made visible, neutralised when it could
    /// start a formula.
    pub fn text(&mut self, cell: &str) -> Result<(), ExportError> {
        if may_be_hostile(cell) {
            let shown = visible(cell);
            return self.formula_safe(&shown);
        }
        self.formula_safe(cell)
    }

    fn formula_safe(&mut self, cell: &str) -> Result<(), ExportError> {
        if starts_formula(cell) {
            self.scratch.clear();
            self.scratch.push(b'\'');
            self.scratch.extend_from_slice(cell.as_bytes());
            self.csv
                .write_field(&self.scratch)
                .map_err(ExportError::csv)
        } else {
            self.csv.write_field(cell).map_err(ExportError::csv)
        }
    }

    /// A nullable text cell; empty when None.
    pub fn opt_text(&mut self, cell: Option<&str>) -> Result<(), ExportError> {
        self.text(cell.unwrap_or(""))
    }

    /// A cell of a value column, written as is (see the module rule).
    pub fn value(&mut self, cell: &str) -> Result<(), ExportError> {
        self.csv.write_field(cell).map_err(ExportError::csv)
    }

    /// An optional integer cell (instalments, counts); empty when None.
    pub fn opt_int(&mut self, cell: Option<i64>) -> Result<(), ExportError> {
        self.num.clear();
        if let Some(n) = cell {
            // Writing to a String cannot fail.
            let _ = write!(self.num, "{n}");
        }
        self.csv.write_field(&self.num).map_err(ExportError::csv)
    }

    /// Ends the current row.
    pub fn end_row(&mut self) -> Result<(), ExportError> {
        self.csv
            .write_record(None::<&[u8]>)
            .map_err(ExportError::csv)?;
        self.rows += 1;
        Ok(())
    }

    /// Rows written, the header excluded.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Flushes everything and hands back the writer.
    ///
    /// # Errors
    /// [`ExportError::Write`] if the final flush fails.
    pub fn finish(self) -> Result<W, ExportError> {
        self.csv
            .into_inner()
            .map_err(|e| ExportError::io(e.into_error()))
    }
}

/// A quick byte test: false means no character [`visible`] would change (the export's hot
/// path); true means look closer.
fn may_be_hostile(cell: &str) -> bool {
    cell.bytes().any(|b| {
        (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || matches!(b, 0x7f | 0xc2 | 0xe2)
    })
}

fn hostile(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `cell` with every hostile character written as `[U+XXXX]`.
fn visible(cell: &str) -> String {
    let mut out = String::with_capacity(cell.len() + 8);
    for c in cell.chars() {
        if hostile(c) {
            // Writing to a String cannot fail.
            let _ = write!(out, "[U+{:04X}]", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// True when a spreadsheet would take the cell for a formula (or a formula's start).
pub fn starts_formula(cell: &str) -> bool {
    matches!(
        cell.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet_bytes(bom: bool, header: &[&str], f: impl FnOnce(&mut Sheet<Vec<u8>>)) -> String {
        let mut s = Sheet::new(Vec::new(), bom, header).unwrap();
        f(&mut s);
        String::from_utf8(s.finish().unwrap()).unwrap()
    }

    #[test]
    fn text_cells_are_neutralised_values_are_not() {
        let out = sheet_bytes(false, &["a", "b", "c", "d", "e", "f", "g", "h"], |s| {
            for cell in [
                "=1+1",
                "+966500000000",
                "-2",
                "@SUM(A1)",
                "\tx",
                "\rx",
                "ok",
            ] {
                s.text(cell).unwrap();
            }
            s.value("-12.50").unwrap();
            s.end_row().unwrap();
        });
        let row = out.lines().nth(1).unwrap();
        assert_eq!(
            row, "'=1+1,'+966500000000,'-2,'@SUM(A1),'\tx,\"'\rx\",ok,-12.50",
            "CR forces quoting; the value column keeps its minus"
        );
    }

    #[test]
    fn nul_controls_and_bidi_overrides_are_made_visible_in_text_cells() {
        let out = sheet_bytes(false, &["a", "b", "c", "d"], |s| {
            s.text("ab\0cd").unwrap();
            s.text("\u{1b}[2Jname\u{9b}").unwrap();
            s.text("Ali \u{202e}05.001 RAS\u{202c}").unwrap();
            s.text("محمد \u{200f}ok").unwrap();
            s.end_row().unwrap();
        });
        let row = out.lines().nth(1).unwrap();
        assert_eq!(
            row,
            "ab[U+0000]cd,[U+001B][2Jname[U+009B],Ali [U+202E]05.001 RAS[U+202C],محمد \u{200f}ok",
            "a right-to-left mark in Arabic text is ordinary and stays"
        );
    }

    #[test]
    fn bom_header_crlf_and_quoting() {
        let out = sheet_bytes(true, &["a", "b"], |s| {
            s.text("عميل، \"مهم\"").unwrap();
            s.opt_int(Some(3)).unwrap();
            s.end_row().unwrap();
        });
        assert!(out.starts_with('\u{feff}'));
        assert_eq!(
            out.trim_start_matches('\u{feff}'),
            "a,b\r\n\"عميل، \"\"مهم\"\"\",3\r\n"
        );
        let plain = sheet_bytes(false, &["a", "b"], |_| {});
        assert_eq!(plain, "a,b\r\n", "no BOM unless asked");
    }
}

//! Issue 22 §6: each kind of bad statement file, built for real in the test, is refused with
//! the row and column (or the limit), or read exactly where reading is the right answer.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};

use super::*;

const COLUMNS_EN: [&str; 18] = [
    "Transaction Date",
    "Tamara Order ID",
    "Merchant Order ID",
    "Refund Reason",
    "Payment Type",
    "Order Status",
    "Currency",
    "Order Amount",
    "Event",
    "Event Amount",
    "Event Date",
    "Tamara Fixed Fees",
    "Tamara Variable Fees %",
    "Tamara Variable Fees",
    "Total Fees",
    "VAT Collected by Tamara",
    "Total Payable to Merchant",
    "Installments",
];

/// A capture of 460.00 SAR as the statement writes it, one cell per column.
fn capture(date: &str, id: &str) -> Vec<String> {
    [
        date,
        id,
        "REF-1",
        "",
        "PAY_BY_INSTALMENTS",
        "fully_captured",
        "SAR",
        "460.00",
        "Captured",
        "460.00",
        date,
        "1.50",
        "6.5%",
        "29.90",
        "31.40",
        "4.71",
        "423.89",
        "4",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn set(line: &mut [String], column: &str, value: &str) {
    let i = COLUMNS_EN.iter().position(|c| *c == column).unwrap();
    line[i] = value.to_owned();
}

fn csv_line(cells: &[String]) -> String {
    cells
        .iter()
        .map(|c| {
            if c.contains([',', '"']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A CSV statement with a header block, the table's header, then `lines`.
fn csv(lines: &[Vec<String>]) -> String {
    let mut out = format!(
        "Statement ID,ST-1\nTamara Merchant ID,m-1\n\n{}\n",
        COLUMNS_EN.join(",")
    );
    for l in lines {
        out.push_str(&csv_line(l));
        out.push('\n');
    }
    out
}

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Self {
        Dir(tempfile::tempdir().unwrap())
    }
    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }
}

fn cell_error(e: &StatementError) -> (u32, &'static str) {
    match e {
        StatementError::Cell { row, column, .. } => (*row, *column),
        other => panic!("expected a cell error, got {other:?}"),
    }
}

/// Writes the table's header at `row` and `lines` below it, text cells as text.
fn xlsx_table(sheet: &mut Worksheet, row: u32, lines: &[Vec<String>]) {
    for (c, name) in COLUMNS_EN.iter().enumerate() {
        sheet.write(row, u16::try_from(c).unwrap(), *name).unwrap();
    }
    for (i, line) in lines.iter().enumerate() {
        let r = row + 1 + u32::try_from(i).unwrap();
        for (c, v) in line.iter().enumerate() {
            if !v.is_empty() {
                sheet
                    .write(r, u16::try_from(c).unwrap(), v.as_str())
                    .unwrap();
            }
        }
    }
}

#[test]
fn a_windows_1256_csv_reads_with_its_arabic_intact() {
    let mut line = capture("01/12/2026", "o-1");
    set(&mut line, "Merchant Order ID", "طلب-17");
    set(&mut line, "Event", "تحصيل");
    let arabic_header = "تاريخ المعاملة,رقم طلب تمارا,رقم طلب التاجر,سبب الاسترداد,نوع الدفع,\
        حالة الطلب,العملة,مبلغ الطلب,الحدث,مبلغ الحدث,تاريخ الحدث,الرسوم الثابتة,\
        نسبة الرسوم المتغيرة,الرسوم المتغيرة,إجمالي الرسوم,ضريبة القيمة المضافة,المستحق للتاجر,\
        الأقساط";
    let text = format!("{arabic_header}\n{}\n", csv_line(&line));
    let (bytes, _, lossy) = encoding_rs::WINDOWS_1256.encode(&text);
    assert!(!lossy && std::str::from_utf8(&bytes).is_err());
    let dir = Dir::new();
    let s = read_statement(&dir.write("arabic.csv", &bytes)).unwrap();
    let l = &s.lines[0];
    assert_eq!(l.merchant_order_id.as_deref(), Some("طلب-17"));
    assert_eq!((l.event, l.row), (StatementEvent::Captured, 2));
    assert_eq!(l.payable.to_string(), "423.89 SAR");
    // The same text in UTF-8 with one damaged byte is refused, not read as 1256 gibberish.
    let mut damaged = text.into_bytes();
    let at = damaged.iter().position(|b| *b == b'\n').unwrap() + 12;
    damaged.insert(at, 0xC7);
    let e = read_statement(&dir.write("damaged.csv", damaged)).unwrap_err();
    assert_eq!(e, StatementError::NotUtf8 { row: 2 });
}

#[test]
fn a_csv_with_a_bom_reads_and_its_first_header_still_matches() {
    let dir = Dir::new();
    let text = csv(&[capture("01/12/2026", "o-1")]);
    // The BOM sits on the table's first header when there is no header block.
    let bare = text.split_once("\n\n").unwrap().1;
    let utf8 = [b"\xef\xbb\xbf".as_slice(), bare.as_bytes()].concat();
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(bare.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    for (name, bytes) in [("utf8.csv", utf8), ("utf16.csv", utf16)] {
        let s = read_statement(&dir.write(name, bytes)).unwrap();
        assert_eq!(s.lines[0].amount.to_string(), "460.00 SAR", "{name}");
    }
    // A BOM that the bytes after it contradict is refused, not patched with U+FFFD.
    let lying = [b"\xef\xbb\xbf".as_slice(), b"Transaction Date\xc7\n"].concat();
    let e = read_statement(&dir.write("lying.csv", lying)).unwrap_err();
    assert!(
        matches!(e, StatementError::BadText { encoding: "UTF-8" }),
        "{e:?}"
    );
    // Excel in regions with a decimal comma separates with semicolons.
    let semi = text.replace(',', ";");
    let s = read_statement(&dir.write("semi.csv", semi)).unwrap();
    assert_eq!(s.lines[0].vat.to_string(), "4.71 SAR");
}

#[test]
fn empty_rows_in_the_middle_and_at_the_end_are_skipped() {
    let dir = Dir::new();
    let blank = vec![String::new(); 18];
    let spaces = vec!["  ".to_owned(); 18];
    let lines = [
        capture("01/12/2026", "o-1"),
        blank.clone(),
        spaces.clone(),
        capture("02/12/2026", "o-2"),
        blank,
        spaces,
    ];
    // Blank lines too, which the csv crate does not count where the rows after them are.
    let text = csv(&lines).replace("02/12/2026,o-2", "\n\n02/12/2026,o-2") + "\n\n";
    let s = read_statement(&dir.write("gaps.csv", text)).unwrap();
    let rows: Vec<u32> = s.lines.iter().map(|l| l.row).collect();
    assert_eq!(rows, [5, 10]);
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    xlsx_table(sheet, 0, &lines);
    // Formatting alone keeps a row in the sheet; it still has nothing to read.
    sheet.write_blank(9, 3, &Format::new().set_bold()).unwrap();
    let s = read_statement(&dir.write("gaps.xlsx", book.save_to_buffer().unwrap())).unwrap();
    let rows: Vec<u32> = s.lines.iter().map(|l| l.row).collect();
    assert_eq!(rows, [2, 5]);
    // A note beside the table, on a row of its own, is not a line.
    let mut noted =
        csv(&[capture("01/12/2026", "o-1")]).replace("Installments", "Installments,Notes");
    noted.push_str(&",".repeat(18));
    noted.push_str("checked by Sara\n");
    let s = read_statement(&dir.write("noted.csv", noted)).unwrap();
    assert_eq!(s.lines.len(), 1);
}

#[test]
fn thousands_separators_and_arabic_digits_read_exactly_and_a_decimal_comma_is_refused() {
    let dir = Dir::new();
    let mut a = capture("01/12/2026", "o-1");
    for (column, value) in [
        ("Event Amount", "1,200.00"),
        ("Tamara Variable Fees", "1 078.50"),
        ("Total Payable to Merchant", "١٬٠٠٠٫٢٥"),
        ("Installments", "٤"),
    ] {
        set(&mut a, column, value);
    }
    let mut b = capture("٠٣/١٢/٢٠٢٦", "o-2");
    set(&mut b, "Event Amount", "\u{200f}٤٦٠٫٠٠\u{200f}");
    let s = read_statement(&dir.write("digits.csv", csv(&[a.clone(), b]))).unwrap();
    let (a_line, b_line) = (&s.lines[0], &s.lines[1]);
    assert_eq!(a_line.amount.to_string(), "1200.00 SAR");
    assert_eq!(a_line.variable_fees.to_string(), "1078.50 SAR");
    assert_eq!(a_line.payable.to_string(), "1000.25 SAR");
    assert_eq!(b_line.amount.to_string(), "460.00 SAR");
    assert_eq!(
        b_line.transaction_date,
        NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()
    );
    for comma in ["1 200,00", "1.200,00", "460,5"] {
        let mut bad = a.clone();
        set(&mut bad, "Total Fees", comma);
        let e = read_statement(&dir.write("comma.csv", csv(&[a.clone(), bad]))).unwrap_err();
        assert_eq!(cell_error(&e), (6, "Total Fees"), "{comma}: {e}");
        assert!(e.to_string().contains("(O)"), "{e}");
    }
}

#[test]
fn dates_are_day_first_and_a_month_first_file_is_refused_not_swapped() {
    let dir = Dir::new();
    let day = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
    let s = read_statement(&dir.write("ok.csv", csv(&[capture("13/01/2026", "o-1")]))).unwrap();
    assert_eq!(s.lines[0].transaction_date, day(13));
    // One date that only reads month first.
    let lines = [capture("12/01/2026", "o-1"), capture("01/13/2026", "o-2")];
    let e = read_statement(&dir.write("mmdd.csv", csv(&lines))).unwrap_err();
    assert_eq!(cell_error(&e), (6, "Transaction Date"), "{e}");
    assert!(e.to_string().contains("month/day"), "{e}");
    // Every date reads both ways, but only month first makes them a week.
    let week: Vec<Vec<String>> = (1..=7)
        .map(|d| capture(&format!("01/{d:02}/2026"), &format!("o-{d}")))
        .collect();
    let e = read_statement(&dir.write("week.csv", csv(&week))).unwrap_err();
    assert_eq!(cell_error(&e), (6, "Transaction Date"), "{e}");
    assert!(
        e.to_string().contains("2 Jan 2026 instead of 1 Feb 2026"),
        "{e}"
    );
    // The same days written day first read as they are.
    let week: Vec<Vec<String>> = (1..=7)
        .map(|d| capture(&format!("{d:02}/01/2026"), &format!("o-{d}")))
        .collect();
    let s = read_statement(&dir.write("dd.csv", csv(&week))).unwrap();
    assert_eq!(s.lines[6].transaction_date, day(7));
    // A two-digit year is not guessed.
    let e = read_statement(&dir.write("yy.csv", csv(&[capture("05/01/26", "o-1")]))).unwrap_err();
    assert_eq!(cell_error(&e), (5, "Transaction Date"), "{e}");
    // Real date cells are dates whatever their display format.
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    xlsx_table(sheet, 0, &[capture("", "o-1"), capture("", "o-2")]);
    let us = Format::new().set_num_format("mm/dd/yyyy");
    for (r, d) in [(1, 2), (2, 7)] {
        let date = ExcelDateTime::from_ymd(2026, 1, d).unwrap();
        sheet.write_with_format(r, 0, &date, &us).unwrap();
    }
    let s = read_statement(&dir.write("dates.xlsx", book.save_to_buffer().unwrap())).unwrap();
    assert_eq!(s.lines[1].transaction_date, day(7));
}

#[test]
fn a_currency_the_merchant_does_not_settle_in_is_refused_when_asked() {
    let dir = Dir::new();
    let mut aed = capture("02/12/2026", "o-2");
    set(&mut aed, "Currency", "AED");
    let path = dir.write("mixed.csv", csv(&[capture("01/12/2026", "o-1"), aed]));
    assert_eq!(read_statement(&path).unwrap().lines.len(), 2);
    let saudi = ReadOptions {
        currencies: Some(vec![Currency::Sar]),
    };
    let e = read_statement_with(&path, &saudi).unwrap_err();
    assert_eq!(cell_error(&e), (6, "Currency"), "{e}");
    assert!(
        e.to_string()
            .contains("AED is not a currency this merchant"),
        "{e}"
    );
    let both = ReadOptions {
        currencies: Some(vec![Currency::Sar, Currency::Aed]),
    };
    assert_eq!(read_statement_with(&path, &both).unwrap().lines.len(), 2);
}

#[test]
fn a_500_mb_file_is_refused_by_its_size_before_it_is_read() {
    let dir = Dir::new();
    for name in ["big.xlsx", "big.csv"] {
        let path = dir.path(name);
        std::fs::File::create(&path)
            .unwrap()
            .set_len(500 * 1024 * 1024)
            .unwrap();
        let e = read_statement(&path).unwrap_err();
        assert!(matches!(e, StatementError::TooLarge { .. }), "{e:?}");
        let text = e.to_string();
        assert!(
            text.contains("500 MB") && text.contains("over 256 MB"),
            "{text}"
        );
    }
}

#[test]
fn spaces_are_trimmed_and_signs_and_events_are_checked() {
    let dir = Dir::new();
    let mut spaced = capture(" 01/12/2026 ", "\u{a0}o-1 ");
    set(&mut spaced, "Currency", " sar ");
    set(&mut spaced, "Event", "  Captured\u{200f}");
    set(&mut spaced, "Event Amount", "  460.00\t");
    let s = read_statement(&dir.write("spaces.csv", csv(&[spaced]))).unwrap();
    assert_eq!(s.lines[0].tamara_order_id, "o-1");
    assert_eq!(s.lines[0].amount.to_string(), "460.00 SAR");

    let mut negative_capture = capture("01/12/2026", "o-1");
    set(&mut negative_capture, "Event Amount", "-460.00");
    let mut positive_refund = capture("01/12/2026", "o-1");
    set(&mut positive_refund, "Event", "Refunded");
    let mut chargeback = capture("01/12/2026", "o-1");
    set(&mut chargeback, "Event", "Chargeback");
    for (what, line, column, says) in [
        (
            "negative capture",
            negative_capture,
            "Event Amount",
            "-460.00 SAR on a Captured",
        ),
        (
            "positive refund",
            positive_refund,
            "Event Amount",
            "460.00 SAR on a Refunded",
        ),
        (
            "unknown event",
            chargeback,
            "Event",
            "\"Chargeback\" is not Captured or Refunded",
        ),
    ] {
        let path = dir.write("bad.csv", csv(&[capture("01/12/2026", "o-0"), line]));
        let e = read_statement(&path).unwrap_err();
        assert_eq!(cell_error(&e), (6, column), "{what}: {e}");
        assert!(e.to_string().contains(says), "{what}: {e}");
    }
}

#[path = "bad_workbook_tests.rs"]
mod workbook;

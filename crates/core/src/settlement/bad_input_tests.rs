//! Issue 22 §6: each kind of bad statement file, built for real in the test, is refused with
//! the row and column (or the limit), or read exactly where reading is the right answer.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use rust_xlsxwriter::{CalculationMode, ExcelDateTime, Format, Formula, Workbook, Worksheet};

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
fn a_damaged_or_renamed_xlsx_is_not_a_readable_xlsx() {
    let dir = Dir::new();
    let mut book = Workbook::new();
    xlsx_table(book.add_worksheet(), 0, &[capture("01/12/2026", "o-1")]);
    let whole = book.save_to_buffer().unwrap();
    let truncated = dir.write("truncated.xlsx", &whole[..whole.len() / 2]);
    let random: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    let renamed = dir.write("random.xlsx", random);
    let text = dir.write("text.xlsx", csv(&[capture("01/12/2026", "o-1")]));
    for path in [truncated, renamed, text] {
        let e = read_statement(&path).unwrap_err();
        assert!(matches!(e, StatementError::NotWorkbook { .. }), "{e:?}");
        assert!(e.to_string().contains("not a readable XLSX"), "{e}");
        assert_eq!(e.code(), crate::ErrorCode::StatementUnreadable);
    }
    // The untruncated workbook reads: the refusal is the damage, not the writer.
    let good = dir.write("good.xlsx", &whole);
    assert_eq!(read_statement(&good).unwrap().lines.len(), 1);
}

/// An OLE compound file as Excel writes a password-protected XLSX: a root entry holding the
/// `EncryptionInfo` and `EncryptedPackage` streams (empty here; their content is never read).
fn encrypted_xlsx() -> Vec<u8> {
    const FREE: u32 = 0xFFFF_FFFF;
    const END: u32 = 0xFFFF_FFFE;
    let put = |buf: &mut [u8], at: usize, v: u32| buf[at..at + 4].copy_from_slice(&v.to_le_bytes());
    let mut header = vec![0u8; 512];
    header[..8].copy_from_slice(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1");
    header[24..26].copy_from_slice(&0x3Eu16.to_le_bytes());
    header[26..28].copy_from_slice(&3u16.to_le_bytes());
    header[28..30].copy_from_slice(&0xFFFEu16.to_le_bytes());
    header[30..32].copy_from_slice(&9u16.to_le_bytes());
    header[32..34].copy_from_slice(&6u16.to_le_bytes());
    put(&mut header, 44, 1); // one FAT sector
    put(&mut header, 48, 1); // the directory starts at sector 1
    put(&mut header, 56, 4096);
    put(&mut header, 60, END);
    put(&mut header, 68, END);
    for at in (76..512).step_by(4) {
        put(&mut header, at, FREE);
    }
    put(&mut header, 76, 0); // the FAT is sector 0
    let mut fat = vec![0xFFu8; 512];
    put(&mut fat, 0, 0xFFFF_FFFD);
    put(&mut fat, 4, END);
    let mut dir = vec![0u8; 512];
    for (i, (name, kind, child, right)) in [
        ("Root Entry", 5u8, 1, FREE),
        ("EncryptionInfo", 2, FREE, 2),
        ("EncryptedPackage", 2, FREE, FREE),
    ]
    .into_iter()
    .enumerate()
    {
        let e = &mut dir[i * 128..(i + 1) * 128];
        let utf16: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        e[..utf16.len()].copy_from_slice(&utf16);
        e[64..66].copy_from_slice(&u16::try_from(utf16.len() + 2).unwrap().to_le_bytes());
        e[66] = kind;
        e[67] = 1;
        put(e, 68, FREE);
        put(e, 72, right);
        put(e, 76, child);
        put(e, 116, END);
    }
    for e in dir[384..].chunks_mut(128) {
        for at in [68, 72, 76] {
            put(e, at, FREE);
        }
    }
    [header, fat, dir].concat()
}

#[test]
fn a_password_protected_xlsx_says_so_and_how_to_fix_it() {
    let bytes = encrypted_xlsx();
    // calamine, reading the file as a compound file, finds the encrypted package too.
    let calamine = calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(std::io::Cursor::new(
        bytes.clone(),
    ));
    assert!(matches!(calamine, Err(calamine::XlsxError::Password)));
    let dir = Dir::new();
    for name in ["locked.xlsx", "locked.xls"] {
        let e = read_statement(&dir.write(name, &bytes)).unwrap_err();
        assert!(
            matches!(e, StatementError::PasswordProtected { .. }),
            "{name}: {e:?}"
        );
        assert!(
            e.to_string()
                .contains("password-protected: remove the password in Excel"),
            "{e}"
        );
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

/// A one-line XLSX statement whose Total Fees cell is `=L2+N2`, as `result` says.
fn formula_book(result: Option<&str>, mode: CalculationMode) -> Vec<u8> {
    let mut book = Workbook::new();
    book.set_calculation_mode(mode);
    let sheet = book.add_worksheet();
    let mut line = capture("01/12/2026", "o-1");
    set(&mut line, "Total Fees", "");
    xlsx_table(sheet, 0, &[line]);
    let formula = match result {
        Some(r) => Formula::new("=L2+N2").set_result(r),
        None => Formula::new("=L2+N2"),
    };
    sheet.write_formula(1, 14, formula).unwrap();
    book.save_to_buffer().unwrap()
}

#[test]
fn a_formula_reads_by_its_calculated_result_and_is_refused_without_one() {
    let dir = Dir::new();
    let read = |name: &str, bytes: Vec<u8>| read_statement(&dir.write(name, bytes));
    // No result: the writer stored a placeholder 0 and asked Excel to recalculate.
    let e = read("none.xlsx", formula_book(None, CalculationMode::Automatic)).unwrap_err();
    assert_eq!(cell_error(&e), (2, "Total Fees"), "{e}");
    assert!(
        e.to_string().contains("=L2+N2") && e.to_string().contains("(O)"),
        "{e}"
    );
    // A result stored with the formula is read.
    let s = read(
        "set.xlsx",
        formula_book(Some("31.4"), CalculationMode::Automatic),
    )
    .unwrap();
    assert_eq!(s.lines[0].total_fees.to_string(), "31.40 SAR");
    // Float noise in a saved result reads as Excel shows it.
    let noisy = formula_book(Some("31.400000000000002"), CalculationMode::Automatic);
    let s = read("noisy.xlsx", noisy).unwrap();
    assert_eq!(s.lines[0].total_fees.to_string(), "31.40 SAR");
    // A file not flagged for recalculation (as Excel saves it): its 0 is a real result.
    let s = read("saved.xlsx", formula_book(None, CalculationMode::Manual)).unwrap();
    assert_eq!(s.lines[0].total_fees.to_string(), "0.00 SAR");
    // An empty cached result, and an error value, are refused in any file.
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_formula_result_default("");
    xlsx_table(sheet, 0, &[capture("01/12/2026", "o-1")]);
    sheet.write_formula(1, 15, "=N2*0.15").unwrap();
    let e = read("empty.xlsx", book.save_to_buffer().unwrap()).unwrap_err();
    assert_eq!(cell_error(&e), (2, "VAT Collected by Tamara"), "{e}");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    xlsx_table(sheet, 0, &[capture("01/12/2026", "o-1")]);
    sheet
        .write_formula(1, 16, Formula::new("=1/0").set_result("#DIV/0!"))
        .unwrap();
    let e = read("div0.xlsx", book.save_to_buffer().unwrap()).unwrap_err();
    assert_eq!(cell_error(&e), (2, "Total Payable to Merchant"), "{e}");
    assert!(e.to_string().contains("#DIV/0!"), "{e}");
}

#[test]
fn merged_titles_and_headers_read_but_a_merged_line_cell_is_refused() {
    let dir = Dir::new();
    let centre = Format::new();
    // A title across the sheet, then a two-row header: "Tamara Fees" over the fee columns,
    // every other header merged down over both rows.
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .merge_range(0, 0, 0, 17, "Tamara Settlement Statement", &centre)
        .unwrap();
    sheet.write(1, 0, "Statement ID").unwrap();
    sheet.write(1, 1, "ST-9").unwrap();
    sheet
        .merge_range(2, 11, 2, 14, "Tamara Fees", &centre)
        .unwrap();
    for (c, name) in COLUMNS_EN.iter().enumerate() {
        let c = u16::try_from(c).unwrap();
        if (11..=14).contains(&c) {
            sheet.write(3, c, *name).unwrap();
        } else {
            sheet.merge_range(2, c, 3, c, name, &centre).unwrap();
        }
    }
    for (c, v) in capture("01/12/2026", "o-1").iter().enumerate() {
        sheet
            .write(4, u16::try_from(c).unwrap(), v.as_str())
            .unwrap();
    }
    let s = read_statement(&dir.write("two-row.xlsx", book.save_to_buffer().unwrap())).unwrap();
    assert_eq!(s.statement_id.as_deref(), Some("ST-9"));
    assert_eq!((s.lines.len(), s.lines[0].row), (1, 5));
    assert_eq!(s.lines[0].fixed_fees.to_string(), "1.50 SAR");

    // One order's id merged over its capture and refund rows: the refund row's id would be
    // a guess.
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let mut refund = capture("02/12/2026", "");
    set(&mut refund, "Event", "Refunded");
    set(&mut refund, "Event Amount", "-460.00");
    xlsx_table(sheet, 0, &[capture("01/12/2026", ""), refund]);
    sheet.merge_range(1, 1, 2, 1, "o-1", &centre).unwrap();
    let e =
        read_statement(&dir.write("merged-id.xlsx", book.save_to_buffer().unwrap())).unwrap_err();
    assert_eq!(cell_error(&e), (3, "Tamara Order ID"), "{e}");
    assert!(e.to_string().contains("merged with row 2"), "{e}");

    // A header naming one column twice.
    let twice = csv(&[capture("01/12/2026", "o-1")]).replace("Order Amount", "Event Amount");
    let e = read_statement(&dir.write("twice.csv", twice)).unwrap_err();
    assert_eq!(cell_error(&e), (4, "Event Amount"), "{e}");
    assert!(
        e.to_string().contains("(H)") && e.to_string().contains("also J"),
        "{e}"
    );
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
    assert!(e.to_string().contains("DD/MM/YYYY"), "{e}");
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

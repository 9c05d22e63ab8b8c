//! Issue 22 §6 for workbooks: damaged, password-protected, formulas and merged cells, each in
//! a real XLSX built here.
#![allow(clippy::unwrap_used)]

use rust_xlsxwriter::{CalculationMode, Format, Formula, Workbook};

use super::*;

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

/// A zip whose one entry says it unpacks to 2 GiB: the central directory is all that is read.
fn zip_bomb() -> Vec<u8> {
    let name = b"xl/worksheets/sheet1.xml";
    let size = 2u32 * 1024 * 1024 * 1024 - 1;
    let name_len = u16::try_from(name.len()).unwrap().to_le_bytes();
    let mut local = [
        0x0403_4b50u32.to_le_bytes().as_slice(),
        &[20, 0, 0, 0, 8, 0],
    ]
    .concat();
    local.extend_from_slice(&[0; 12]); // time, date, crc, compressed size
    local.extend_from_slice(&size.to_le_bytes());
    local.extend_from_slice(&name_len);
    local.extend_from_slice(&[0, 0]);
    local.extend_from_slice(name);
    let mut central = [
        0x0201_4b50u32.to_le_bytes().as_slice(),
        &[20, 0, 20, 0, 0, 0, 8, 0],
    ]
    .concat();
    central.extend_from_slice(&[0; 12]);
    central.extend_from_slice(&size.to_le_bytes());
    central.extend_from_slice(&name_len);
    central.extend_from_slice(&[0; 16]); // extra, comment, disk, attributes, local offset 0
    central.extend_from_slice(name);
    let mut end = [
        0x0605_4b50u32.to_le_bytes().as_slice(),
        &[0, 0, 0, 0, 1, 0, 1, 0],
    ]
    .concat();
    end.extend_from_slice(&u32::try_from(central.len()).unwrap().to_le_bytes());
    end.extend_from_slice(&u32::try_from(local.len()).unwrap().to_le_bytes());
    end.extend_from_slice(&[0, 0]);
    [local, central, end].concat()
}

#[test]
fn a_workbook_that_unpacks_past_the_limit_is_refused_before_unpacking() {
    let dir = Dir::new();
    let e = read_statement(&dir.write("bomb.xlsx", zip_bomb())).unwrap_err();
    assert!(
        matches!(e, StatementError::TooLarge { unpacked: true, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("unpacks to 2048 MB"), "{e}");
}

#![allow(clippy::unwrap_used)]

use super::*;

const HEADER: &str = "Transaction Date,Tamara Order ID,Merchant Order ID,Refund Reason,Payment Type,\
Order Status,Currency,Order Amount,Event,Event Amount,Event Date,Tamara Fixed Fees,\
Tamara Variable Fees %,Tamara Variable Fees,Total Fees,VAT Collected by Tamara,\
Total Payable to Merchant,Installments";

fn rows(csv: &str) -> Vec<Row> {
    rows::csv_rows(csv, b',').unwrap()
}

fn parse(rows: &[Row]) -> Result<Statement, StatementError> {
    parse_rows(rows, &ReadOptions::default())
}

fn statement() -> String {
    format!(
        "Statement ID,ST-2026-49\nStatement Date,07/12/2026\nTamara Merchant ID,m-42\n\n{HEADER}\n\
         01/12/2026,o-1,REF-1,,PAY_BY_INSTALMENTS,fully_captured,SAR,460.00,Captured,460.00,\
         01/12/2026,1.50,6.5%,29.90,31.40,4.71,423.89,4\n\
         ٠٣/١٢/٢٠٢٦,o-2,REF-2,damaged,PAY_NOW,fully_refunded,SAR,\"1,200.00\",Refunded,\
         \"-1,200.00\",03/12/2026,0,0,0,0,0,\"-1,200.00\",\n"
    )
}

#[test]
fn a_statement_reads_its_header_block_and_every_line_exactly() {
    let s = parse(&rows(&statement())).unwrap();
    assert_eq!(s.statement_id.as_deref(), Some("ST-2026-49"));
    assert_eq!(s.merchant_id.as_deref(), Some("m-42"));
    assert_eq!(s.lines.len(), 2);
    let a = &s.lines[0];
    assert_eq!((a.row, a.event), (6, StatementEvent::Captured));
    assert_eq!(a.amount.to_string(), "460.00 SAR");
    assert_eq!(a.payable.to_string(), "423.89 SAR");
    assert_eq!(a.variable_fee_percent, Some(Decimal::new(65, 1)));
    assert_eq!(a.instalments, Some(4));
    let b = &s.lines[1];
    assert_eq!(
        b.transaction_date,
        NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()
    );
    assert_eq!(b.amount.to_string(), "-1200.00 SAR");
    assert_eq!(b.merchant_order_id.as_deref(), Some("REF-2"));
}

#[test]
fn columns_are_found_by_name_in_any_order() {
    let reordered = "Event,Currency,Tamara Order ID,Transaction Date,Event Amount,Total Fees,\
        Tamara Fixed Fees,Tamara Variable Fees,VAT,Net Payable\n\
        Captured,KWD,o-9,15/11/2026,12.500,0.350,0.100,0.250,0.053,12.097\n";
    let s = parse(&rows(reordered)).unwrap();
    assert_eq!(s.lines[0].amount.to_string(), "12.500 KWD");
    assert_eq!(s.lines[0].vat.to_string(), "0.053 KWD");
}

#[test]
fn an_unknown_layout_is_refused_naming_what_is_missing() {
    let e = parse(&rows(
        "Date,Order,Amount,Currency,Event,Total Fees\n1,2,3,SAR,x,0\n",
    ));
    let Err(StatementError::MissingColumns { missing }) = e else {
        panic!("{e:?}")
    };
    assert!(
        missing.contains(&"Tamara Order ID") && missing.contains(&"Event Amount"),
        "{missing:?}"
    );
}

#[test]
fn bad_cells_name_their_row_and_column() {
    let cases = [
        ("0,1 SAR too precise", "460.005", "Event Amount"),
        ("month/day", "12/25/2026", "Transaction Date"),
    ];
    for (what, value, column) in cases {
        let line = if column == "Event Amount" {
            format!("01/12/2026,o-1,R,,,,SAR,1,Captured,{value},,0,0,0,0,0,0,")
        } else {
            format!("{value},o-1,R,,,,SAR,1,Captured,1,,0,0,0,0,0,1,")
        };
        let e = parse(&rows(&format!("{HEADER}\n{line}\n"))).unwrap_err();
        let StatementError::Cell { row, column: c, .. } = &e else {
            panic!("{what}: {e:?}")
        };
        assert_eq!((*row, *c), (2, column), "{what}: {e}");
    }
    let e = parse(&rows(&format!(
        "{HEADER}\n01/12/2026,o-1,R,,,,EUR,1,Captured,1,,0,0,0,0,0,1,\n"
    )));
    assert!(
        matches!(
            e,
            Err(StatementError::Cell {
                column: "Currency",
                ..
            })
        ),
        "{e:?}"
    );
    assert!(matches!(
        parse(&rows(&format!("{HEADER}\n,,\n"))),
        Err(StatementError::Empty)
    ));
}

#[test]
fn files_are_read_by_extension_and_the_same_bytes_give_the_same_digest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("st.csv");
    std::fs::write(&path, statement()).unwrap();
    let a = read_statement(&path).unwrap();
    let b = read_statement(&path).unwrap();
    assert_eq!(a.digest, b.digest);
    assert_eq!(a.digest.len(), 64);
    let other = dir.path().join("st.txt");
    std::fs::write(&other, statement()).unwrap();
    assert!(matches!(
        read_statement(&other),
        Err(StatementError::UnknownFormat { .. })
    ));
    let broken = dir.path().join("st.xlsx");
    std::fs::write(&broken, b"not a zip").unwrap();
    assert!(matches!(
        read_statement(&broken),
        Err(StatementError::NotWorkbook { .. })
    ));
}

#[test]
fn an_xlsx_statement_reads_numbers_and_dates_as_excel_stores_them() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("statement.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write(0, 0, "Statement ID").unwrap();
    sheet.write(0, 1, "ST-7").unwrap();
    for (c, name) in HEADER.split(',').enumerate() {
        sheet.write(2, u16::try_from(c).unwrap(), name).unwrap();
    }
    let day = Format::new().set_num_format("dd/mm/yyyy");
    let date = ExcelDateTime::from_ymd(2026, 12, 1).unwrap();
    sheet.write_with_format(3, 0, &date, &day).unwrap();
    sheet.write(3, 1, "o-1").unwrap();
    sheet.write(3, 6, "SAR").unwrap();
    sheet.write(3, 8, "Captured").unwrap();
    for (c, v) in [
        (9, 413.83),
        (11, 1.5),
        (13, 26.9),
        (14, 28.4),
        (15, 4.26),
        (16, 381.17),
    ] {
        sheet.write(3, c, v).unwrap();
    }
    sheet.write(3, 17, 3).unwrap();
    book.save(&path).unwrap();

    let s = read_statement(&path).unwrap();
    assert_eq!(s.statement_id.as_deref(), Some("ST-7"));
    let l = &s.lines[0];
    assert_eq!(l.row, 4);
    assert_eq!(
        l.transaction_date,
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    );
    assert_eq!(l.amount.to_string(), "413.83 SAR");
    assert_eq!(l.vat.to_string(), "4.26 SAR");
    assert_eq!(l.instalments, Some(3));
}

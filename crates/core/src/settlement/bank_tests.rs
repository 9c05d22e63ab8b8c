#![allow(clippy::unwrap_used)]

use super::*;

fn sar() -> BankOptions {
    BankOptions {
        currency: Currency::Sar,
        all_credits: false,
    }
}

#[test]
fn tamara_credits_are_taken_with_a_bom_semicolons_and_thousands_separators() {
    let file = "\u{feff}Account;123\n\nValue Date;Description;Reference;Debit;Credit;Balance\n\
        10/12/2026;TAMARA SETTLEMENT ST-49;FT2634;;1.234,56;9.000,00\n\
        11/12/2026;Salary;FT2635;500,00;;8.500,00\n\
        12/12/2026;تحويل من تمارا;FT2636;;٩٩٫٥٠;8.599,50\n\
        13/12/2026;Customer transfer;FT2637;;70,00;8.669,50\n";
    let read = parse_bank_bytes(file.as_bytes(), sar()).unwrap();
    assert_eq!(read.credits.len(), 2);
    assert_eq!(read.skipped, 2);
    let first = &read.credits[0];
    assert_eq!(first.row, 4);
    assert_eq!(
        first.amount,
        Money::parse("1234.56", Currency::Sar).unwrap()
    );
    assert_eq!(
        first.paid_on,
        NaiveDate::from_ymd_opt(2026, 12, 10).unwrap()
    );
    assert_eq!(first.reference.as_deref(), Some("FT2634"));
    assert_eq!(
        read.credits[1].amount,
        Money::parse("99.50", Currency::Sar).unwrap()
    );

    let all = parse_bank_bytes(
        file.as_bytes(),
        BankOptions {
            all_credits: true,
            ..sar()
        },
    )
    .unwrap();
    assert_eq!(
        all.credits.len(),
        3,
        "every credit, the salary debit skipped"
    );
}

#[test]
fn a_signed_amount_column_takes_positive_amounts_as_credits() {
    let file = "Date,Details,Amount,Currency\n2026-12-10,Tamara payout,\"1,000.00\",SAR\n\
        2026-12-11,Tamara fee reversal,-5.00,SAR\n";
    let read = parse_bank_bytes(file.as_bytes(), sar()).unwrap();
    assert_eq!(read.credits.len(), 1);
    assert_eq!(read.credits[0].amount.amount_text(), "1000.00");
}

#[test]
fn bad_input_names_its_row_and_column() {
    let file = "Date,Description,Credit\n10/12/2026,Tamara,12.345\n";
    let e = parse_bank_bytes(file.as_bytes(), sar()).unwrap_err();
    assert!(e.to_string().starts_with("row 2, column Credit:"), "{e}");
    let file = "Date,Description,Credit\n12/31/2026,Tamara,12.00\n";
    let e = parse_bank_bytes(file.as_bytes(), sar()).unwrap_err();
    assert!(e.to_string().starts_with("row 2, column Date:"), "{e}");
    let file = "Date,Description,Credit\n10/12/2026,Tamara,twelve\n";
    assert!(parse_bank_bytes(file.as_bytes(), sar()).is_err());
    let file = "Date,Description,Credit\n10/12/2026,Tamara,1O0.00\n";
    assert!(
        parse_bank_bytes(file.as_bytes(), sar()).is_err(),
        "a letter O is no zero"
    );
    let file = "Date,Description,Credit\n10/12/2026,Tamara,SAR 1\u{a0}234.50\n";
    let read = parse_bank_bytes(file.as_bytes(), sar()).unwrap();
    assert_eq!(read.credits[0].amount.amount_text(), "1234.50");
    let file = "When,What,How much\n10/12/2026,Tamara,12.00\n";
    let e = parse_bank_bytes(file.as_bytes(), sar()).unwrap_err();
    assert!(matches!(e, BankFileError::MissingColumns { .. }), "{e}");
}

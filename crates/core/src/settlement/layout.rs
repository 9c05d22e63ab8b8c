//! The one place that knows a Tamara statement's layout (reference §11.1, observed in real
//! files, not published by Tamara): the header block's labels and the detail table's columns,
//! each found by any of its names — compared without case, spacing or punctuation, English or
//! Arabic. A new layout is a change here only.

/// A detail-table column the reader understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    TransactionDate,
    TamaraOrderId,
    MerchantOrderId,
    RefundReason,
    PaymentType,
    OrderStatus,
    Currency,
    OrderAmount,
    Event,
    EventAmount,
    EventDate,
    FixedFees,
    VariableFeePercent,
    VariableFees,
    TotalFees,
    Vat,
    Payable,
    Instalments,
}

/// Each column with its names, and whether a statement without it is refused.
pub const COLUMNS: [(Column, bool, &[&str]); 18] = [
    (
        Column::TransactionDate,
        true,
        &["Transaction Date", "تاريخ المعاملة"],
    ),
    (
        Column::TamaraOrderId,
        true,
        &["Tamara Order ID", "رقم طلب تمارا"],
    ),
    (
        Column::MerchantOrderId,
        false,
        &["Merchant Order ID", "رقم طلب التاجر"],
    ),
    (
        Column::RefundReason,
        false,
        &["Refund Reason", "سبب الاسترداد"],
    ),
    (Column::PaymentType, false, &["Payment Type", "نوع الدفع"]),
    (Column::OrderStatus, false, &["Order Status", "حالة الطلب"]),
    (Column::Currency, true, &["Currency", "العملة"]),
    (Column::OrderAmount, false, &["Order Amount", "مبلغ الطلب"]),
    (Column::Event, true, &["Event", "الحدث"]),
    (Column::EventAmount, true, &["Event Amount", "مبلغ الحدث"]),
    (Column::EventDate, false, &["Event Date", "تاريخ الحدث"]),
    (
        Column::FixedFees,
        true,
        &["Tamara Fixed Fees", "Fixed Fees", "الرسوم الثابتة"],
    ),
    (
        Column::VariableFeePercent,
        false,
        &[
            "Tamara Variable Fees %",
            "Variable Fees %",
            "نسبة الرسوم المتغيرة",
        ],
    ),
    (
        Column::VariableFees,
        true,
        &["Tamara Variable Fees", "Variable Fees", "الرسوم المتغيرة"],
    ),
    (Column::TotalFees, true, &["Total Fees", "إجمالي الرسوم"]),
    (
        Column::Vat,
        true,
        &["VAT Collected by Tamara", "VAT", "ضريبة القيمة المضافة"],
    ),
    (
        Column::Payable,
        true,
        &["Total Payable to Merchant", "Net Payable", "المستحق للتاجر"],
    ),
    (
        Column::Instalments,
        false,
        &["Installments", "Instalments", "الأقساط"],
    ),
];

/// A label of the header block above the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderField {
    StatementId,
    StatementDate,
    StatementPeriod,
    MerchantId,
}

/// Each header label with its names.
pub const HEADER_FIELDS: [(HeaderField, &[&str]); 4] = [
    (
        HeaderField::StatementId,
        &["Statement ID", "Reference", "رقم الكشف"],
    ),
    (
        HeaderField::StatementDate,
        &["Statement Date", "تاريخ الكشف"],
    ),
    (
        HeaderField::StatementPeriod,
        &["Statement Period", "فترة الكشف"],
    ),
    (
        HeaderField::MerchantId,
        &["Tamara Merchant ID", "Merchant ID", "رقم التاجر"],
    ),
];

/// A header or label as compared: lower case, letters and digits only (Arabic kept), so
/// `"Tamara  Order-ID"` and `"tamara order id"` are one name. `%` is kept: it tells the fee
/// percentage from the fee amount.
pub fn normalise(name: &str) -> String {
    name.trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '%')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The column a header cell names, if any.
pub fn column_named(cell: &str) -> Option<Column> {
    let n = normalise(cell);
    COLUMNS
        .iter()
        .find(|(_, _, names)| names.iter().any(|name| normalise(name) == n))
        .map(|(c, _, _)| *c)
}

/// A column of the summary table in the header block (reference §11.1: "a summary by payment
/// type"). Tamara does not publish its names; these are the simulator's, and a statement
/// without such a table is read as before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SummaryColumn {
    PaymentType,
    Currency,
    Sales,
    Refunds,
    Fees,
    Vat,
    Net,
}

/// Each summary column with its names.
pub const SUMMARY_COLUMNS: [(SummaryColumn, &[&str]); 7] = [
    (
        SummaryColumn::PaymentType,
        &["Summary by Payment Type", "ملخص حسب نوع الدفع"],
    ),
    (SummaryColumn::Currency, &["Currency", "العملة"]),
    (SummaryColumn::Sales, &["Sales", "المبيعات"]),
    (SummaryColumn::Refunds, &["Refunds", "المستردات"]),
    (SummaryColumn::Fees, &["Fees", "الرسوم"]),
    (
        SummaryColumn::Vat,
        &["VAT on Fees", "ضريبة القيمة المضافة على الرسوم"],
    ),
    (SummaryColumn::Net, &["Net Settlement", "صافي التسوية"]),
];

/// The summary column a header cell names, if any.
pub fn summary_column_named(cell: &str) -> Option<SummaryColumn> {
    let n = normalise(cell);
    SUMMARY_COLUMNS
        .iter()
        .find(|(_, names)| names.iter().any(|name| normalise(name) == n))
        .map(|(c, _)| *c)
}

/// The header field a label names, if any.
pub fn header_named(cell: &str) -> Option<HeaderField> {
    let n = normalise(cell);
    HEADER_FIELDS
        .iter()
        .find(|(_, names)| names.iter().any(|name| normalise(name) == n))
        .map(|(f, _)| *f)
}

/// The first (English) name of `c`, for messages.
pub fn name_of(c: Column) -> &'static str {
    COLUMNS
        .iter()
        .find(|(col, _, _)| *col == c)
        .and_then(|(_, _, names)| names.first().copied())
        .unwrap_or("?")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_whatever_the_case_spacing_or_language() {
        assert_eq!(
            column_named("  tamara ORDER-id "),
            Some(Column::TamaraOrderId)
        );
        assert_eq!(
            column_named("\u{feff}Transaction Date"),
            Some(Column::TransactionDate)
        );
        assert_eq!(column_named("مبلغ الحدث"), Some(Column::EventAmount));
        assert_eq!(
            column_named("Tamara Variable Fees %"),
            Some(Column::VariableFeePercent)
        );
        assert_eq!(
            column_named("Tamara Variable Fees"),
            Some(Column::VariableFees)
        );
        assert_eq!(column_named("Colour"), None);
        assert_eq!(header_named("statement id"), Some(HeaderField::StatementId));
    }

    #[test]
    fn every_name_belongs_to_one_column_only() {
        let mut seen = std::collections::HashSet::new();
        for (_, _, names) in COLUMNS {
            for n in names {
                assert!(seen.insert(normalise(n)), "{n} names two columns");
            }
        }
    }
}

//! The reconciliation screen's payouts and month views: Tamara's bank deposits with the
//! statements each settles and its difference explained, the statements still open, a payout
//! entered by hand or imported from the bank's CSV, and one calendar month per currency (see
//! [`crate::statements::payouts`] and [`crate::statements::month`]; docs/DOMAIN.md "Payouts and
//! the month").
//!
//! Invariants: the contract's (amounts as exact strings beside their currency, ISO days for
//! value dates and statement periods — already the statements' own calendar —, RFC 3339 times,
//! ids of 32 bits); everything is read from the store at each call, so a statement revised
//! after a payout shows its newest net at once; explanation codes cross unchanged, the UI
//! translates them.

use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{amount, count, text, time};
use crate::console::Console;
use crate::error::{Error, Result};
use crate::money::{Currency, Money, parse_decimal};
use crate::settlement::BankOptions;
use crate::statements::{
    BankImport, Explanation, MonthFigures, MonthView, NewPayout, PayoutView, StatementDue,
};

/// How a payout's difference (its statements' net payable minus the deposit) is explained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum PayoutExplanation {
    /// The deposit is exactly the statements' net payable.
    None,
    /// Short by no more than the allowed bank/transfer fee.
    PayoutFee,
    /// Nothing explains it, or no statement is linked.
    Unexplained,
}

impl From<Explanation> for PayoutExplanation {
    fn from(e: Explanation) -> Self {
        match e {
            Explanation::None => PayoutExplanation::None,
            Explanation::PayoutFee => PayoutExplanation::PayoutFee,
            // `open_items` is the month's term; a payout's own difference is never it, and if
            // it ever were, nothing would have explained it to the operator.
            Explanation::OpenItems | Explanation::Unexplained => PayoutExplanation::Unexplained,
        }
    }
}

/// A statement a payout settles, or one no payout settles yet (newest revision).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StatementDueView {
    /// The store's row id (what the statement view and `payout_add` take).
    pub id: u32,
    pub statement_id: String,
    pub revision: u32,
    pub period_start: String,
    pub period_end: String,
    pub currency: String,
    pub net_payable: String,
}

/// A payout with what it settles and its difference explained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PayoutRow {
    pub id: u32,
    /// The bank's value date (ISO day).
    pub paid_on: String,
    pub currency: String,
    pub amount: String,
    pub reference: Option<String>,
    /// The bank's description (bank file payouts only).
    pub description: Option<String>,
    /// `manual` or `bank_csv`.
    pub source: String,
    /// The bank file's row (bank file payouts only).
    pub bank_row: Option<u32>,
    pub note: Option<String>,
    pub created_at: String,
    pub created_by: String,
    /// The bank/transfer fee the deposit may be short by.
    pub fee_allowance: String,
    pub statements: Vec<StatementDueView>,
    pub statements_net: String,
    /// Statements' net payable minus the deposit.
    pub difference: String,
    pub explanation: PayoutExplanation,
}

/// Every payout (oldest value date first) and the statements no payout settles yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PayoutsView {
    pub payouts: Vec<PayoutRow>,
    pub open_items: Vec<StatementDueView>,
}

/// A payout entered by hand, as the form sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NewPayoutInput {
    pub amount: String,
    pub currency: String,
    /// The bank's value date, `YYYY-MM-DD`.
    pub paid_on: String,
    pub reference: Option<String>,
    /// Statement row ids it settles; empty: matched automatically.
    pub statements: Vec<u32>,
    /// The largest bank/transfer fee allowed; blank: the setting, else zero.
    pub max_fee: Option<String>,
    pub note: Option<String>,
}

/// What importing a bank file did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BankImportAnswer {
    pub imported: Vec<PayoutRow>,
    /// Tamara's deposits recorded before (same file row or bank reference).
    pub already_recorded: u32,
    /// Rows that are debits, empty, or not Tamara's.
    pub skipped_rows: u32,
}

/// One currency's month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MonthFiguresView {
    pub currency: String,
    pub captured: String,
    /// Negative, as the statements give it.
    pub refunded: String,
    pub fees: String,
    pub vat: String,
    /// Ties to Tamara's monthly tax invoice.
    pub fees_and_vat: String,
    pub net_payable: String,
    pub paid: String,
    /// Net payable − paid = open items − paid for other months + payout fees + unexplained.
    pub difference: String,
    pub open_items: String,
    pub paid_for_other_months: String,
    pub payout_fees: String,
    pub unexplained: String,
    pub statements: Vec<String>,
    pub payouts: Vec<u32>,
}

/// A calendar month, per currency (in code order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MonthSummary {
    /// `YYYY-MM`.
    pub month: String,
    pub first_day: String,
    pub last_day: String,
    pub currencies: Vec<MonthFiguresView>,
}

fn due(s: &StatementDue) -> StatementDueView {
    StatementDueView {
        id: count(s.id),
        statement_id: s.statement_id.clone(),
        revision: s.revision,
        period_start: s.period_start.to_string(),
        period_end: s.period_end.to_string(),
        currency: s.net_payable.currency().code().to_owned(),
        net_payable: amount(s.net_payable),
    }
}

fn payout(p: &PayoutView) -> PayoutRow {
    PayoutRow {
        id: count(p.id),
        paid_on: p.paid_on.to_string(),
        currency: p.amount.currency().code().to_owned(),
        amount: amount(p.amount),
        reference: p.bank_reference.clone(),
        description: p.description.clone(),
        source: p.source.clone(),
        bank_row: p.bank_row,
        note: p.note.clone(),
        created_at: time(p.created_at),
        created_by: p.created_by.clone(),
        fee_allowance: amount(p.fee_allowance),
        statements: p.statements.iter().map(due).collect(),
        statements_net: amount(p.statements_net),
        difference: amount(p.difference),
        explanation: p.explanation.into(),
    }
}

fn figures(m: &MonthFigures) -> MonthFiguresView {
    MonthFiguresView {
        currency: m.currency.code().to_owned(),
        captured: amount(m.captured),
        refunded: amount(m.refunded),
        fees: amount(m.fees),
        vat: amount(m.vat),
        fees_and_vat: amount(m.fees_and_vat),
        net_payable: amount(m.net_payable),
        paid: amount(m.paid),
        difference: amount(m.difference),
        open_items: amount(m.open_items),
        paid_for_other_months: amount(m.paid_for_other_months),
        payout_fees: amount(m.payout_fees),
        unexplained: amount(m.unexplained),
        statements: m.statements.clone(),
        payouts: m.payouts.iter().map(|&id| count(id)).collect(),
    }
}

/// The screen's model of a month.
pub fn summary(v: &MonthView) -> MonthSummary {
    MonthSummary {
        month: v.month.clone(),
        first_day: v.first_day.to_string(),
        last_day: v.last_day.to_string(),
        currencies: v.currencies.iter().map(figures).collect(),
    }
}

fn currency(text: &str) -> Result<Currency> {
    text.trim()
        .to_ascii_uppercase()
        .parse()
        .map_err(|e| Error::Invalid(format!("currency {text:?}: {e}")))
}

/// The form's fields checked and parsed, each error naming its field.
///
/// # Errors
/// [`Error::Invalid`] naming the field.
pub fn parse_new(input: &NewPayoutInput) -> Result<NewPayout> {
    let c = currency(&input.currency)?;
    let amount = Money::parse(input.amount.trim(), c)
        .map_err(|e| Error::Invalid(format!("amount {:?}: {e}", input.amount)))?;
    let paid_on = NaiveDate::parse_from_str(input.paid_on.trim(), "%Y-%m-%d").map_err(|_| {
        Error::Invalid(format!(
            "paid_on {:?} is not a day (2026-12-10)",
            input.paid_on
        ))
    })?;
    let max_fee = text(&input.max_fee)
        .map(|t| parse_decimal(t).map_err(|e| Error::Invalid(format!("max_fee {t:?}: {e}"))))
        .transpose()?;
    Ok(NewPayout {
        paid_on,
        amount,
        reference: text(&input.reference).map(str::to_owned),
        note: text(&input.note).map(str::to_owned),
        statements: input.statements.iter().map(|&id| i64::from(id)).collect(),
        max_fee,
    })
}

/// Every payout with what it settles, and the open statements.
///
/// # Errors
/// Store errors.
pub async fn list(console: &Console) -> Result<PayoutsView> {
    let l = console.payouts().await?;
    Ok(PayoutsView {
        payouts: l.payouts.iter().map(payout).collect(),
        open_items: l.open_items.iter().map(due).collect(),
    })
}

/// Records a payout entered by hand, matched to the statements named or automatically.
///
/// # Errors
/// `invalid_input` naming the field; `payout_conflict`; `statement_not_found`; store errors.
pub async fn add(console: &Console, input: &NewPayoutInput) -> Result<PayoutRow> {
    let p = parse_new(input)?;
    Ok(payout(&console.add_payout(&p).await?))
}

fn answer(r: &BankImport) -> BankImportAnswer {
    BankImportAnswer {
        imported: r.imported.iter().map(payout).collect(),
        already_recorded: r.already_recorded,
        skipped_rows: r.skipped_rows,
    }
}

/// Imports Tamara's deposits from the bank statement CSV at `path`; `currency` is the
/// account's when the file has no currency column; `all_credits` takes every credit, not only
/// those naming Tamara.
///
/// # Errors
/// `invalid_input` for a blank path or a bad currency; `bank_file_invalid` naming the row and
/// column; store errors (then nothing is stored).
pub async fn import(
    console: &Console,
    path: &str,
    currency_code: &str,
    all_credits: bool,
) -> Result<BankImportAnswer> {
    let path = path.trim();
    if path.is_empty() {
        return Err(Error::Invalid(
            "choose a bank statement file to import".into(),
        ));
    }
    let options = BankOptions {
        currency: currency(currency_code)?,
        all_credits,
    };
    let r = console
        .import_bank_file(Path::new(path), options, None)
        .await?;
    Ok(answer(&r))
}

/// The month `YYYY-MM`, per currency.
///
/// # Errors
/// `invalid_input` for a bad month; store errors.
pub async fn month(console: &Console, month: &str) -> Result<MonthSummary> {
    Ok(summary(&console.settlement_month(month).await?))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn input() -> NewPayoutInput {
        NewPayoutInput {
            amount: " 442.82 ".into(),
            currency: "sar".into(),
            paid_on: "2026-12-10".into(),
            reference: Some("  ".into()),
            statements: vec![7],
            max_fee: Some("5".into()),
            note: None,
        }
    }

    #[test]
    fn the_form_parses_and_each_bad_field_is_named() {
        let p = parse_new(&input()).unwrap();
        assert_eq!(p.amount.amount_text(), "442.82");
        assert_eq!(p.reference, None, "blank is none");
        assert_eq!(p.statements, [7]);
        assert_eq!(p.max_fee.unwrap().to_string(), "5");
        for (bad, field) in [
            (
                NewPayoutInput {
                    amount: "4x".into(),
                    ..input()
                },
                "amount",
            ),
            (
                NewPayoutInput {
                    paid_on: "10/12/2026".into(),
                    ..input()
                },
                "paid_on",
            ),
            (
                NewPayoutInput {
                    max_fee: Some("five".into()),
                    ..input()
                },
                "max_fee",
            ),
            (
                NewPayoutInput {
                    currency: "XXX".into(),
                    ..input()
                },
                "currency",
            ),
        ] {
            let e = parse_new(&bad).unwrap_err();
            assert_eq!(e.code(), crate::ErrorCode::InvalidInput);
            assert!(e.to_string().contains(field), "{e}");
        }
    }
}

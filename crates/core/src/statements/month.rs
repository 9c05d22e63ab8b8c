//! The monthly view: for a calendar month, per currency, what Tamara's statements say
//! (captured, refunded, fees, VAT on fees, net payable — from the newest revisions' lines dated
//! in the month), what the bank received (payouts with a value date in the month), the
//! difference, and how it is explained.
//!
//! Statement dates are the statement's own calendar days (Asia/Riyadh, Tamara's cut), so no
//! time zone arithmetic happens here. `fees_and_vat` is the figure that ties to Tamara's
//! monthly tax invoice, which lists only Tamara's fees and the VAT on them (reference §11.1).
//!
//! Invariant: `difference = open_items − paid_for_other_months + payout_fees + unexplained`,
//! exactly; `unexplained` is whatever the other three leave.

use std::collections::{BTreeMap, HashSet};

use chrono::{Datelike as _, NaiveDate};
use serde::Serialize;

use super::payouts::{Explanation, list};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::money::{Currency, Money, MoneyError};
use crate::store::payouts::{self as stored, MonthLine};

/// One currency's month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthFigures {
    pub currency: Currency,
    /// Signed as the statements give them: refunds negative, so captured + refunded − fees −
    /// VAT = net payable.
    pub captured: Money,
    pub refunded: Money,
    pub fees: Money,
    pub vat: Money,
    /// Fees + VAT: ties to Tamara's monthly tax invoice.
    pub fees_and_vat: Money,
    pub net_payable: Money,
    /// Payouts with a value date in the month.
    pub paid: Money,
    /// Net payable − paid.
    pub difference: Money,
    /// This month's lines whose statement no payout of this month settles (unpaid, or paid
    /// later).
    pub open_items: Money,
    /// What this month's payouts paid for lines of other months.
    pub paid_for_other_months: Money,
    /// Bank/transfer fees this month's payouts were short by.
    pub payout_fees: Money,
    pub unexplained: Money,
    /// The statements with lines in the month, and the month's payouts (ids).
    pub statements: Vec<String>,
    pub payouts: Vec<i64>,
}

/// The month's figures, one per currency (in code order).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthView {
    /// `YYYY-MM`.
    pub month: String,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub currencies: Vec<MonthFigures>,
}

/// Parses `YYYY-MM` into its first and last day.
///
/// # Errors
/// [`Error::Invalid`] naming the text.
pub fn month_bounds(text: &str) -> Result<(NaiveDate, NaiveDate)> {
    let bad = || Error::Invalid(format!("{text:?} is not a month: YYYY-MM, e.g. 2026-12"));
    let first =
        NaiveDate::parse_from_str(&format!("{}-01", text.trim()), "%Y-%m-%d").map_err(|_| bad())?;
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    let last = next.and_then(|d| d.pred_opt()).ok_or_else(bad)?;
    Ok((first, last))
}

/// The monthly view of `month` (`YYYY-MM`) in the active environment.
///
/// # Errors
/// [`Error::Invalid`] for a bad month; store errors.
pub async fn month(ctx: &Context, month: &str) -> Result<MonthView> {
    let (first, last) = month_bounds(month)?;
    let env = ctx.environment();
    let lines = stored::lines_dated(ctx.store(), env, first, last).await?;
    let all = list(ctx).await?;
    let in_month: Vec<_> = all
        .payouts
        .iter()
        .filter(|p| p.paid_on >= first && p.paid_on <= last)
        .collect();
    // Statement id → settled by a payout of this month.
    let settled_here: HashSet<&str> = in_month
        .iter()
        .flat_map(|p| p.statements.iter().map(|s| s.statement_id.as_str()))
        .collect();
    let mut by_currency: BTreeMap<Currency, Vec<&MonthLine>> = BTreeMap::new();
    for l in &lines {
        by_currency.entry(l.amount.currency()).or_default().push(l);
    }
    for p in &in_month {
        by_currency.entry(p.amount.currency()).or_default();
    }
    let mut currencies = Vec::new();
    for (currency, lines) in by_currency {
        let payouts: Vec<_> = in_month
            .iter()
            .filter(|p| p.amount.currency() == currency)
            .copied()
            .collect();
        currencies.push(figures(currency, &lines, &payouts, &settled_here).map_err(money_error)?);
    }
    Ok(MonthView {
        month: first.format("%Y-%m").to_string(),
        first_day: first,
        last_day: last,
        currencies,
    })
}

fn figures(
    currency: Currency,
    lines: &[&MonthLine],
    payouts: &[&super::payouts::PayoutView],
    settled_here: &HashSet<&str>,
) -> Result<MonthFigures, MoneyError> {
    let zero = Money::zero(currency);
    let (mut captured, mut refunded, mut fees, mut vat, mut net) = (zero, zero, zero, zero, zero);
    let (mut open, mut here) = (zero, zero);
    let mut statements: Vec<String> = Vec::new();
    for l in lines {
        if l.event == "refunded" {
            refunded = refunded.checked_add(l.amount)?;
        } else {
            captured = captured.checked_add(l.amount)?;
        }
        fees = fees.checked_add(l.total_fees)?;
        vat = vat.checked_add(l.vat)?;
        net = net.checked_add(l.payable)?;
        if settled_here.contains(l.statement_id.as_str()) {
            here = here.checked_add(l.payable)?;
        } else {
            open = open.checked_add(l.payable)?;
        }
        if !statements.contains(&l.statement_id) {
            statements.push(l.statement_id.clone());
        }
    }
    let (mut paid, mut settled_net, mut payout_fees) = (zero, zero, zero);
    for p in payouts {
        paid = paid.checked_add(p.amount)?;
        settled_net = settled_net.checked_add(p.statements_net)?;
        if p.explanation == Explanation::PayoutFee {
            payout_fees = payout_fees.checked_add(p.difference)?;
        }
    }
    let difference = net.checked_sub(paid)?;
    let other_months = settled_net.checked_sub(here)?;
    let unexplained = difference
        .checked_sub(open)?
        .checked_add(other_months)?
        .checked_sub(payout_fees)?;
    Ok(MonthFigures {
        currency,
        captured,
        refunded,
        fees,
        vat,
        fees_and_vat: fees.checked_add(vat)?,
        net_payable: net,
        paid,
        difference,
        open_items: open,
        paid_for_other_months: other_months,
        payout_fees,
        unexplained,
        statements,
        payouts: payouts.iter().map(|p| p.id).collect(),
    })
}

fn money_error(e: MoneyError) -> Error {
    Error::Invalid(format!("monthly view arithmetic: {e}"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_month_is_its_first_to_last_day_and_a_bad_one_is_refused() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            month_bounds("2026-12").unwrap(),
            (d(2026, 12, 1), d(2026, 12, 31))
        );
        assert_eq!(
            month_bounds("2028-02").unwrap(),
            (d(2028, 2, 1), d(2028, 2, 29))
        );
        assert!(month_bounds("2026-13").is_err());
        assert!(month_bounds("December").is_err());
    }
}

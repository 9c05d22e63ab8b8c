//! Matching one statement's lines to the ledger's captures and refunds: every line, and every
//! settled movement of the statement's period, gets exactly one [`Outcome`].
//!
//! Invariants: a ledger movement settles at most one line; a line is matched by Tamara order
//! id, event and amount, never by position; the fee arithmetic is checked on every line with a
//! tolerance of one minor unit (Tamara rounds per line); pure logic — the caller loads rows.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::store::statements::{LineElsewhere, LineRecord, SettledMove};

/// What reconciliation concluded about a line or a movement. The codes are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The line and one movement agree, fees included.
    Matched,
    /// Captured and refunded within this statement: the order nets to zero.
    NetZero,
    /// The movement the line is about has another amount (both are shown).
    AmountDiffers,
    /// A line with no movement in Mizan: the cache may miss a capture or refund.
    NotInMizan,
    /// A movement of the period that no imported statement carries.
    NotInStatement,
    /// The same line again, with no second movement to settle.
    DuplicateLine,
    /// Total fees, VAT or payable do not follow from the line's own figures.
    FeesInconsistent,
}

impl Outcome {
    pub const ALL: [Outcome; 7] = [
        Outcome::Matched,
        Outcome::NetZero,
        Outcome::AmountDiffers,
        Outcome::NotInMizan,
        Outcome::NotInStatement,
        Outcome::DuplicateLine,
        Outcome::FeesInconsistent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Matched => "matched",
            Outcome::NetZero => "net_zero",
            Outcome::AmountDiffers => "amount_differs",
            Outcome::NotInMizan => "not_in_mizan",
            Outcome::NotInStatement => "not_in_statement",
            Outcome::DuplicateLine => "duplicate_line",
            Outcome::FeesInconsistent => "fees_inconsistent",
        }
    }

    /// Whether someone has to look at it.
    pub fn is_difference(self) -> bool {
        !matches!(self, Outcome::Matched | Outcome::NetZero)
    }
}

/// A figure of a line that does not follow from the others.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeeProblem {
    /// `total_fees`, `vat` or `payable`.
    pub field: &'static str,
    /// What the line's other figures give.
    pub expected: Money,
    pub found: Money,
}

/// The conclusion about one line.
#[derive(Debug, Clone, PartialEq)]
pub struct LineMatch {
    pub outcome: Outcome,
    /// The movement it settles (or differs from), by index into the movements given.
    pub movement: Option<usize>,
    pub fee_problems: Vec<FeeProblem>,
    /// For `not_in_mizan`: whether the cache holds the order at all.
    pub order_cached: bool,
}

/// The conclusion about a whole statement.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Matching {
    /// One per line, in the lines' order.
    pub lines: Vec<LineMatch>,
    /// Movements of the period in no imported statement (`not_in_statement`), by index.
    pub missing: Vec<usize>,
}

/// What the matcher is given besides the lines.
pub struct Ledger<'a> {
    /// Settled movements: the lines' orders' and the period's.
    pub moves: &'a [SettledMove],
    /// Lines of other statements about the same orders (a movement they carry is settled).
    pub elsewhere: &'a [LineElsewhere],
    /// The period, as instants: `[from, to)`.
    pub period: (DateTime<Utc>, DateTime<Utc>),
    /// Orders the cache holds, of those the lines name.
    pub cached: &'a HashSet<String>,
    /// VAT on Tamara's fees, in percent.
    pub vat_percent: Decimal,
}

fn kind_of(event: &str) -> &'static str {
    if event == "refunded" {
        "refund"
    } else {
        "capture"
    }
}

/// Matches `lines` against `ledger`.
pub fn match_statement(lines: &[LineRecord], ledger: &Ledger<'_>) -> Matching {
    let mut by_key: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (i, m) in ledger.moves.iter().enumerate() {
        by_key
            .entry((m.order_id.as_str(), m.kind.as_str()))
            .or_default()
            .push(i);
    }
    let mut used = vec![false; ledger.moves.len()];
    let mut seen: HashSet<(&str, &str, Decimal, chrono::NaiveDate)> = HashSet::new();
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let amount = line.amount.amount().abs();
        let candidates = by_key
            .get(&(line.tamara_order_id.as_str(), kind_of(&line.event)))
            .map(Vec::as_slice)
            .unwrap_or_default();
        let free = || candidates.iter().copied().filter(|&i| !used[i]);
        let key = (
            line.tamara_order_id.as_str(),
            line.event.as_str(),
            line.amount.amount(),
            line.transaction_date,
        );
        let repeat = !seen.insert(key);
        let (outcome, movement) =
            if let Some(i) = free().find(|&i| ledger.moves[i].amount.amount() == amount) {
                (Outcome::Matched, Some(i))
            } else if repeat {
                (Outcome::DuplicateLine, None)
            } else if let Some(i) = free().next() {
                (Outcome::AmountDiffers, Some(i))
            } else {
                (Outcome::NotInMizan, None)
            };
        if let Some(i) = movement {
            used[i] = true;
        }
        let fee_problems = fee_problems(line, ledger.vat_percent);
        let outcome = if outcome == Outcome::Matched && !fee_problems.is_empty() {
            Outcome::FeesInconsistent
        } else {
            outcome
        };
        out.push(LineMatch {
            outcome,
            movement,
            fee_problems,
            order_cached: outcome != Outcome::NotInMizan
                || ledger.cached.contains(&line.tamara_order_id),
        });
    }
    mark_net_zero(lines, &mut out);
    let missing = missing_movements(ledger, &used);
    Matching {
        lines: out,
        missing,
    }
}

/// Lines of an order captured and refunded within the statement, all matched, summing to zero.
fn mark_net_zero(lines: &[LineRecord], out: &mut [LineMatch]) {
    let mut orders: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, l) in lines.iter().enumerate() {
        orders
            .entry(l.tamara_order_id.as_str())
            .or_default()
            .push(i);
    }
    for idx in orders.values() {
        let both = idx.iter().any(|&i| lines[i].event == "captured")
            && idx.iter().any(|&i| lines[i].event == "refunded");
        let all_matched = idx.iter().all(|&i| out[i].outcome == Outcome::Matched);
        let sum: Decimal = idx.iter().map(|&i| lines[i].amount.amount()).sum();
        if both && all_matched && sum.is_zero() {
            for &i in idx {
                out[i].outcome = Outcome::NetZero;
            }
        }
    }
}

/// Movements of the period that neither this statement nor another imported one settles.
fn missing_movements(ledger: &Ledger<'_>, used: &[bool]) -> Vec<usize> {
    let (from, to) = ledger.period;
    let unused: Vec<usize> = (0..ledger.moves.len())
        .filter(|&i| !used[i])
        .filter(|&i| ledger.moves[i].occurred_at >= from && ledger.moves[i].occurred_at < to)
        .collect();
    not_carried(&unused, ledger.moves, ledger.elsewhere)
}

/// Of the movements `missing` (indices into `moves`), those no line of another statement
/// carries (by order, event and amount; each line carries one movement).
pub fn not_carried(
    missing: &[usize],
    moves: &[SettledMove],
    elsewhere: &[LineElsewhere],
) -> Vec<usize> {
    let mut carried: HashMap<(&str, &str, Decimal), usize> = HashMap::new();
    for e in elsewhere {
        let key = (
            e.line.tamara_order_id.as_str(),
            kind_of(&e.line.event),
            e.line.amount.amount().abs(),
        );
        *carried.entry(key).or_default() += 1;
    }
    missing
        .iter()
        .copied()
        .filter(|&i| {
            let m = &moves[i];
            match carried.get_mut(&(m.order_id.as_str(), m.kind.as_str(), m.amount.amount())) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            }
        })
        .collect()
}

/// Total fees = fixed + variable, VAT = rate × total fees, payable = amount − fees − VAT, each
/// within one minor unit.
pub fn fee_problems(line: &LineRecord, vat_percent: Decimal) -> Vec<FeeProblem> {
    let currency = line.amount.currency();
    let unit = Decimal::new(1, currency.precision());
    let money = |d: Decimal| Money::new(d.round_dp(currency.precision()), currency).ok();
    let mut problems = Vec::new();
    let mut check = |field, expected: Decimal, found: Money| {
        if (expected - found.amount()).abs() > unit
            && let Some(expected) = money(expected)
        {
            problems.push(FeeProblem {
                field,
                expected,
                found,
            });
        }
    };
    let total = line.fixed_fees.amount() + line.variable_fees.amount();
    check("total_fees", total, line.total_fees);
    let vat = line.total_fees.amount() * vat_percent / Decimal::ONE_HUNDRED;
    check("vat", vat, line.vat);
    let payable = line.amount.amount() - line.total_fees.amount() - line.vat.amount();
    check("payable", payable, line.payable);
    problems
}

#[cfg(test)]
#[path = "matching_tests.rs"]
mod tests;

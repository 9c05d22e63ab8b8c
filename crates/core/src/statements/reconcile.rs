//! One imported statement reconciled against the ledger: its lines and the period's settled
//! movements, each with its outcome, the statement's totals, and whether it balances; and the
//! reconciliation report an accountant files (CSV).
//!
//! Invariants: computed from the store on demand (a repaired cache changes the answer at the
//! next look, nothing stale is kept); the period's instants come from the statement's own time
//! zone, never UTC dates; a statement balances only when every line matches (or nets to zero)
//! and no movement of its period is missing from the imported statements.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone as _, Utc};
use serde::Serialize;

use super::import::{StatementSummary, time_zone};
use super::matching::{FeeProblem, Ledger, Outcome, match_statement, not_carried};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::money::Money;
use crate::store::statements::{self, LineRecord, SettledMove, StatementRecord};

/// A line or a movement, with what reconciliation concluded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReconRow {
    pub outcome: Outcome,
    /// The statement's row (none for a movement the statement lacks).
    pub row: Option<u32>,
    pub transaction_date: Option<NaiveDate>,
    pub tamara_order_id: String,
    /// The merchant's reference: the cache's, else the statement's.
    pub order_reference_id: Option<String>,
    /// `captured` or `refunded`.
    pub event: String,
    /// As the statement gives it (refunds negative).
    pub statement_amount: Option<Money>,
    /// As the ledger keeps it (positive).
    pub ledger_amount: Option<Money>,
    pub ledger_id: Option<i64>,
    /// Tamara's capture or refund id.
    pub gateway_id: Option<String>,
    pub occurred_at: Option<DateTime<Utc>>,
    pub total_fees: Option<Money>,
    pub vat: Option<Money>,
    pub payable: Option<Money>,
    pub fee_problems: Vec<FeeProblem>,
    /// For `not_in_mizan`: the cache holds the order (only the movement is missing).
    pub order_cached: bool,
}

/// The statement's sums, by its lines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatementTotals {
    pub captured: Money,
    pub refunded: Money,
    pub fees: Money,
    pub vat: Money,
    pub payable: Money,
}

/// A figure of the statement's own summary that its lines do not add up to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TotalsDifference {
    /// `sales`, `refunds`, `fees`, `vat` or `net`.
    pub figure: &'static str,
    pub stated: Money,
    /// The sum of the statement's lines.
    pub lines: Money,
}

/// A statement reconciled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reconciliation {
    pub statement: StatementSummary,
    pub vat_percent: rust_decimal::Decimal,
    pub balanced: bool,
    /// How many rows have each outcome.
    pub counts: BTreeMap<Outcome, u32>,
    pub totals: Option<StatementTotals>,
    /// The statement's own summary against the sum of its lines (empty: they agree, or the
    /// file states no totals).
    pub totals_differences: Vec<TotalsDifference>,
    pub rows: Vec<ReconRow>,
}

impl Reconciliation {
    /// The rows someone has to look at.
    pub fn differences(&self) -> impl Iterator<Item = &ReconRow> {
        self.rows.iter().filter(|r| r.outcome.is_difference())
    }

    /// What someone has to look at: the rows above and the summary's figures that do not add up
    /// (what "N differences" counts wherever a statement is listed).
    pub fn difference_count(&self) -> usize {
        self.differences().count() + self.totals_differences.len()
    }
}

/// The period `[first day 00:00, day after the last 00:00)` in `zone`, as instants.
///
/// # Errors
/// [`Error::Invalid`] for an unknown zone.
pub fn period_instants(s: &StatementRecord) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let tz = time_zone(&s.time_zone)?;
    let at = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_time(NaiveTime::MIN))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| Error::Invalid(format!("{d} has no midnight in {}", s.time_zone)))
    };
    let next = s.period_end.succ_opt().unwrap_or(s.period_end);
    Ok((at(s.period_start)?, at(next)?))
}

/// Reconciles the imported statement `id` (its row id) of the active environment.
///
/// # Errors
/// [`Error::StatementNotFound`]; store errors.
pub async fn reconcile(ctx: &Context, id: i64) -> Result<Reconciliation> {
    let env = ctx.environment();
    let store = ctx.store();
    let record = statements::get(store, env, id)
        .await?
        .ok_or(Error::StatementNotFound { id, env })?;
    let lines = statements::lines(store, id).await?;
    let period = period_instants(&record)?;
    // The period's movements first; then only what the lines name beyond them, what other
    // statements say of the movements left over, and whether unknown orders are cached — so a
    // balanced statement costs two reads, not one per question.
    let mut moves = statements::moves_between(store, env, period.0, period.1).await?;
    let seen: HashSet<&str> = moves.iter().map(|m| m.order_id.as_str()).collect();
    let beyond = distinct(
        lines
            .iter()
            .map(|l| l.tamara_order_id.as_str())
            .filter(|o| !seen.contains(o)),
    );
    let earlier = statements::moves_of_orders(store, env, &beyond).await?;
    let known: HashSet<i64> = moves.iter().map(|m| m.ledger_id).collect();
    moves.extend(
        earlier
            .into_iter()
            .filter(|m| !known.contains(&m.ledger_id)),
    );
    let nothing = HashSet::new();
    let mut matching = match_statement(
        &lines,
        &Ledger {
            moves: &moves,
            elsewhere: &[],
            period,
            cached: &nothing,
            vat_percent: record.vat_percent,
        },
    );
    if !matching.missing.is_empty() {
        let orders = distinct(matching.missing.iter().map(|&i| moves[i].order_id.as_str()));
        let elsewhere = statements::lines_elsewhere(store, env, &orders, Some(id)).await?;
        matching.missing = not_carried(&matching.missing, &moves, &elsewhere);
    }
    let unknown: Vec<usize> = (0..lines.len())
        .filter(|&i| matching.lines[i].outcome == Outcome::NotInMizan)
        .collect();
    if !unknown.is_empty() {
        let ids = distinct(unknown.iter().map(|&i| lines[i].tamara_order_id.as_str()));
        let cached = statements::cached_orders(store, env, &ids).await?;
        for i in unknown {
            matching.lines[i].order_cached = cached.contains(&lines[i].tamara_order_id);
        }
    }
    let mut rows = Vec::with_capacity(lines.len() + matching.missing.len());
    for (line, m) in lines.iter().zip(&matching.lines) {
        rows.push(line_row(
            line,
            m.movement.map(|i| &moves[i]),
            m.outcome,
            m.fee_problems.clone(),
            m.order_cached,
        ));
    }
    for &i in &matching.missing {
        rows.push(move_row(&moves[i]));
    }
    let mut counts = BTreeMap::new();
    for r in &rows {
        *counts.entry(r.outcome).or_insert(0) += 1;
    }
    let totals_differences = stated_against_lines(&record, &lines);
    Ok(Reconciliation {
        balanced: rows.iter().all(|r| !r.outcome.is_difference()) && totals_differences.is_empty(),
        totals_differences,
        statement: (&record).into(),
        vat_percent: record.vat_percent,
        counts,
        totals: totals(&lines),
        rows,
    })
}

fn distinct<'a>(ids: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = HashSet::new();
    ids.filter(|id| seen.insert(*id)).collect()
}

fn line_row(
    l: &LineRecord,
    m: Option<&SettledMove>,
    outcome: Outcome,
    fee_problems: Vec<FeeProblem>,
    order_cached: bool,
) -> ReconRow {
    ReconRow {
        outcome,
        row: Some(l.row),
        transaction_date: Some(l.transaction_date),
        tamara_order_id: l.tamara_order_id.clone(),
        order_reference_id: m
            .and_then(|m| m.order_reference_id.clone())
            .or_else(|| l.merchant_order_id.clone()),
        event: l.event.clone(),
        statement_amount: Some(l.amount),
        ledger_amount: m.map(|m| m.amount),
        ledger_id: m.map(|m| m.ledger_id),
        gateway_id: m.and_then(|m| m.gateway_id.clone()),
        occurred_at: m.map(|m| m.occurred_at),
        total_fees: Some(l.total_fees),
        vat: Some(l.vat),
        payable: Some(l.payable),
        fee_problems,
        order_cached,
    }
}

fn move_row(m: &SettledMove) -> ReconRow {
    ReconRow {
        outcome: Outcome::NotInStatement,
        row: None,
        transaction_date: None,
        tamara_order_id: m.order_id.clone(),
        order_reference_id: m.order_reference_id.clone(),
        event: if m.kind == "refund" {
            "refunded"
        } else {
            "captured"
        }
        .to_owned(),
        statement_amount: None,
        ledger_amount: Some(m.amount),
        ledger_id: Some(m.ledger_id),
        gateway_id: m.gateway_id.clone(),
        occurred_at: Some(m.occurred_at),
        total_fees: None,
        vat: None,
        payable: None,
        fee_problems: Vec::new(),
        order_cached: true,
    }
}

/// Sums by the statement's lines; `None` when they mix currencies or the statement is empty.
fn totals(lines: &[LineRecord]) -> Option<StatementTotals> {
    let currency = lines.first()?.amount.currency();
    let zero = Money::zero(currency);
    let mut t = StatementTotals {
        captured: zero,
        refunded: zero,
        fees: zero,
        vat: zero,
        payable: zero,
    };
    let mut by_event: HashMap<bool, Money> = HashMap::new();
    for l in lines {
        let refund = l.event == "refunded";
        let e = by_event.entry(refund).or_insert(zero);
        *e = e.checked_add(l.amount).ok()?;
        t.fees = t.fees.checked_add(l.total_fees).ok()?;
        t.vat = t.vat.checked_add(l.vat).ok()?;
        t.payable = t.payable.checked_add(l.payable).ok()?;
    }
    t.captured = by_event.get(&false).copied().unwrap_or(zero);
    t.refunded = by_event.get(&true).copied().unwrap_or(zero);
    Some(t)
}

/// Each stated figure, per currency, against the exact sum of the lines in that currency.
fn stated_against_lines(record: &StatementRecord, lines: &[LineRecord]) -> Vec<TotalsDifference> {
    let mut out = Vec::new();
    for stated in &record.stated_totals {
        let currency = stated.net.currency();
        let sum = |pick: &dyn Fn(&LineRecord) -> Option<Money>| {
            let total: rust_decimal::Decimal = lines
                .iter()
                .filter(|l| l.amount.currency() == currency)
                .filter_map(pick)
                .map(|m| m.amount())
                .sum();
            Money::new(total, currency).unwrap_or(Money::zero(currency))
        };
        let figures = [
            (
                "sales",
                stated.sales,
                sum(&|l| (l.event != "refunded").then_some(l.amount)),
            ),
            (
                "refunds",
                stated.refunds,
                sum(&|l| (l.event == "refunded").then_some(l.amount)),
            ),
            ("fees", stated.fees, sum(&|l| Some(l.total_fees))),
            ("vat", stated.vat, sum(&|l| Some(l.vat))),
            ("net", stated.net, sum(&|l| Some(l.payable))),
        ];
        for (figure, stated, lines) in figures {
            if stated != lines {
                out.push(TotalsDifference {
                    figure,
                    stated,
                    lines,
                });
            }
        }
    }
    out
}

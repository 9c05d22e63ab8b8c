//! Faults a produced statement file can carry, so a reconciler can be tested against each kind
//! of disagreement: a missing line, a changed amount, an unknown order, a duplicate line.
//!
//! Each fault hits one deterministic line, the first capture line (the first line if there is
//! no capture), so a test sees exactly one difference per fault. Applied in the order
//! changed amount, duplicate, missing, unknown order. The issued statement itself never changes.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::book::{Issued, Line, LineEvent};
use super::{Fees, StatementConfig, round_money};
use crate::money::Currency;

/// The faults of the next produced file (each on or off).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StatementFaults {
    /// The first capture line is left out.
    pub missing_line: bool,
    /// The first capture line's amount is one currency unit more (1.00 SAR, 1.000 KWD), its
    /// fees recomputed for that amount.
    pub changed_amount: bool,
    /// An extra capture line, last, for an order the simulator never had.
    pub unknown_order: bool,
    /// The first capture line appears twice, one after the other.
    pub duplicate_line: bool,
}

/// The names accepted in `?faults=` and answered by the faults route.
pub const NAMES: [&str; 4] = [
    "missing_line",
    "changed_amount",
    "unknown_order",
    "duplicate_line",
];

impl StatementFaults {
    pub fn any(&self) -> bool {
        self.missing_line || self.changed_amount || self.unknown_order || self.duplicate_line
    }

    /// Both sets together.
    pub fn merged(self, other: StatementFaults) -> StatementFaults {
        StatementFaults {
            missing_line: self.missing_line || other.missing_line,
            changed_amount: self.changed_amount || other.changed_amount,
            unknown_order: self.unknown_order || other.unknown_order,
            duplicate_line: self.duplicate_line || other.duplicate_line,
        }
    }

    /// `missing_line,duplicate_line` (names of [`NAMES`], comma separated).
    ///
    /// # Errors
    /// The first name that is not a fault.
    pub fn parse_list(list: &str) -> Result<StatementFaults, String> {
        let mut f = StatementFaults::default();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match name {
                "missing_line" => f.missing_line = true,
                "changed_amount" => f.changed_amount = true,
                "unknown_order" => f.unknown_order = true,
                "duplicate_line" => f.duplicate_line = true,
                other => return Err(other.to_owned()),
            }
        }
        Ok(f)
    }

    /// The lines of `statement` as the faulty file shows them. `unknown` is the id of the
    /// order that does not exist.
    pub fn apply(self, statement: &Issued, config: &StatementConfig, unknown: Uuid) -> Vec<Line> {
        let mut lines = statement.lines.clone();
        let target = lines
            .iter()
            .position(|l| l.event == LineEvent::Captured)
            .or(if lines.is_empty() { None } else { Some(0) });
        if let Some(i) = target {
            if self.changed_amount {
                let l = &lines[i];
                let unit = if l.amount.is_sign_negative() {
                    -Decimal::ONE
                } else {
                    Decimal::ONE
                };
                lines[i] = l.with_amount(l.amount + unit, config);
            }
            if self.duplicate_line {
                lines.insert(i + 1, lines[i].clone());
            }
            if self.missing_line {
                lines.remove(i);
            }
        }
        if self.unknown_order {
            let currency = statement
                .lines
                .first()
                .map_or(Currency::Sar, |l| l.currency);
            lines.push(unknown_line(statement, currency, unknown, config));
        }
        lines
    }
}

/// A capture of 100 for an order id Tamara would know and the simulator does not.
fn unknown_line(
    statement: &Issued,
    currency: Currency,
    id: Uuid,
    config: &StatementConfig,
) -> Line {
    let p = currency.precision();
    let amount = round_money(Decimal::ONE_HUNDRED, p);
    let short: String = id.simple().to_string().chars().take(8).collect();
    Line {
        transaction_date: statement.period_start,
        tamara_order_id: id.to_string(),
        merchant_order_id: format!("UNKNOWN-{short}"),
        refund_reason: String::new(),
        payment_type: "PAY_BY_INSTALMENTS".to_owned(),
        order_status: "fully_captured".to_owned(),
        currency,
        order_amount: amount,
        event: LineEvent::Captured,
        amount,
        event_at: statement.from,
        event_date: statement.period_start,
        fees: Fees::capture(amount, p, config),
        instalments: Some(4),
    }
}

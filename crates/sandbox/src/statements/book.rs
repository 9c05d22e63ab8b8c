//! The book of issued statements: which captures and refunds have been settled, and on which
//! statement.
//!
//! Invariants: statements are issued in time order and never change afterwards; each covers a
//! window `[from, to)` that starts where the previous one ended (`settled_until`), so every
//! event is on exactly one statement; a window never crosses a cycle's end. Only windows with
//! lines are issued (a week without sales has no statement), so a file is never empty.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::cycle::{Cycle, local_date};
use super::faults::StatementFaults;
use super::{Fees, StatementConfig, round_money};
use crate::money::Currency;
use crate::orders::Order;

/// What a line records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEvent {
    Captured,
    Refunded,
}

impl LineEvent {
    pub fn label(self) -> &'static str {
        match self {
            LineEvent::Captured => "Captured",
            LineEvent::Refunded => "Refunded",
        }
    }
}

/// One row of a statement's detail table.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The order's date (when the customer bought), local.
    pub transaction_date: NaiveDate,
    pub tamara_order_id: String,
    pub merchant_order_id: String,
    /// A refund's comment; empty on captures.
    pub refund_reason: String,
    /// `PAY_BY_INSTALMENTS`, or `Pay In Full` for `PAY_NOW` (as observed).
    pub payment_type: String,
    /// The order's status when the statement was issued.
    pub order_status: String,
    pub currency: Currency,
    pub order_amount: Decimal,
    pub event: LineEvent,
    /// Negative for refunds.
    pub amount: Decimal,
    pub event_at: DateTime<Utc>,
    /// The capture's or refund's local date.
    pub event_date: NaiveDate,
    pub fees: Fees,
    pub instalments: Option<u32>,
}

impl Line {
    /// The same line for another amount, fees recomputed (a statement is internally consistent
    /// even where it disagrees with the orders).
    pub fn with_amount(&self, amount: Decimal, config: &StatementConfig) -> Line {
        let p = self.currency.precision();
        let amount = round_money(amount, p);
        let fees = match self.event {
            LineEvent::Captured => Fees::capture(amount, p, config),
            LineEvent::Refunded => Fees::refund(amount, p, config),
        };
        Line {
            amount,
            fees,
            ..self.clone()
        }
    }
}

/// Sums of a statement in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub currency: Currency,
    pub sales: Decimal,
    /// Negative.
    pub refunds: Decimal,
    pub fees: Decimal,
    pub vat: Decimal,
    pub payable: Decimal,
}

impl Totals {
    /// Per currency, in the order currencies first appear.
    pub fn of(lines: &[Line]) -> Vec<Totals> {
        let mut out: Vec<Totals> = Vec::new();
        for l in lines {
            let i = match out.iter().position(|t| t.currency == l.currency) {
                Some(i) => i,
                None => {
                    let zero = round_money(Decimal::ZERO, l.currency.precision());
                    out.push(Totals {
                        currency: l.currency,
                        sales: zero,
                        refunds: zero,
                        fees: zero,
                        vat: zero,
                        payable: zero,
                    });
                    out.len() - 1
                }
            };
            let t = &mut out[i];
            match l.event {
                LineEvent::Captured => t.sales += l.amount,
                LineEvent::Refunded => t.refunds += l.amount,
            }
            t.fees += l.fees.total;
            t.vat += l.fees.vat;
            t.payable += l.fees.payable;
        }
        out
    }
}

/// How a statement came to be issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// Its cycle ended on the simulator's clock.
    ByTime,
    /// `POST /_sandbox/statements/close`.
    OnDemand,
}

/// An issued statement.
#[derive(Debug, Clone)]
pub struct Issued {
    pub id: String,
    pub merchant_id: String,
    pub statement_date: NaiveDate,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub closed: Closed,
    pub lines: Vec<Line>,
}

/// Why nothing was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CloseError {
    #[error("nothing was captured or refunded since the last statement")]
    NothingToSettle,
}

/// Issued statements, the end of the settled time and the faults for the next file.
#[derive(Debug, Default)]
pub struct Book {
    issued: Vec<Issued>,
    settled_until: Option<DateTime<Utc>>,
    pub pending_faults: StatementFaults,
}

/// The stretch of time one statement settles.
#[derive(Clone, Copy)]
struct Window {
    from: DateTime<Utc>,
    /// Exclusive.
    to: DateTime<Utc>,
    cycle: Cycle,
    period_end: NaiveDate,
    closed: Closed,
}

/// A capture or refund of an order, before it is a line.
struct Event<'a> {
    at: DateTime<Utc>,
    order: &'a Order,
    event: LineEvent,
    amount: Decimal,
    reason: &'a str,
}

/// Every capture and refund of `orders`, oldest first (captures before refunds at one instant,
/// then order creation order).
fn events<'a>(orders: &'a HashMap<Uuid, Order>, seq: &[Uuid]) -> Vec<Event<'a>> {
    let mut out = Vec::new();
    for o in seq.iter().filter_map(|id| orders.get(id)) {
        for c in &o.captures {
            out.push(Event {
                at: c.created_at,
                order: o,
                event: LineEvent::Captured,
                amount: c.amount,
                reason: "",
            });
        }
        for r in &o.refunds {
            out.push(Event {
                at: r.created_at,
                order: o,
                event: LineEvent::Refunded,
                amount: -r.amount,
                reason: &r.comment,
            });
        }
    }
    // Stable: ties keep creation order, captures of an order before its refunds.
    out.sort_by_key(|e| (e.at, e.event == LineEvent::Refunded));
    out
}

impl Book {
    pub fn issued(&self) -> &[Issued] {
        &self.issued
    }

    pub fn find(&self, id: &str) -> Option<&Issued> {
        self.issued.iter().find(|s| s.id == id)
    }

    /// Issues a statement for every cycle that ended by `now` and has unsettled events.
    pub fn settle(
        &mut self,
        orders: &HashMap<Uuid, Order>,
        seq: &[Uuid],
        config: &StatementConfig,
        merchant: Uuid,
        now: DateTime<Utc>,
    ) {
        let all = events(orders, seq);
        loop {
            let Some(first) = all.iter().find(|e| self.unsettled(e.at)) else {
                return;
            };
            let cycle = Cycle::of(first.at, config.cycle_days, config.time_zone);
            let end = cycle.end_instant();
            if end > now {
                return;
            }
            let from = self.window_start(&cycle);
            let w = Window {
                from,
                to: end,
                cycle,
                period_end: cycle.last_day(),
                closed: Closed::ByTime,
            };
            self.issue(&all, w, config, merchant);
        }
    }

    /// Settles past cycles, then closes the running one at `now`.
    ///
    /// # Errors
    /// [`CloseError::NothingToSettle`] when the running cycle has no unsettled event.
    pub fn close_now(
        &mut self,
        orders: &HashMap<Uuid, Order>,
        seq: &[Uuid],
        config: &StatementConfig,
        merchant: Uuid,
        now: DateTime<Utc>,
    ) -> Result<&Issued, CloseError> {
        self.settle(orders, seq, config, merchant, now);
        let all = events(orders, seq);
        let cycle = Cycle::of(now, config.cycle_days, config.time_zone);
        let from = self.window_start(&cycle);
        if !all.iter().any(|e| e.at >= from && e.at < now) {
            return Err(CloseError::NothingToSettle);
        }
        let w = Window {
            from,
            to: now,
            cycle,
            period_end: local_date(now, config.time_zone),
            closed: Closed::OnDemand,
        };
        self.issue(&all, w, config, merchant);
        self.issued.last().ok_or(CloseError::NothingToSettle)
    }

    fn unsettled(&self, at: DateTime<Utc>) -> bool {
        self.settled_until.is_none_or(|u| at >= u)
    }

    /// Where a window in `cycle` starts: the cycle's start, or later if part of it is settled.
    fn window_start(&self, cycle: &Cycle) -> DateTime<Utc> {
        let start = cycle.start_instant();
        self.settled_until.map_or(start, |u| u.max(start))
    }

    /// Settles `[w.from, w.to)`, issuing a statement if anything happened in it.
    fn issue(&mut self, all: &[Event<'_>], w: Window, config: &StatementConfig, merchant: Uuid) {
        let Window {
            from,
            to,
            cycle,
            period_end,
            closed,
        } = w;
        let tz = config.time_zone;
        let lines: Vec<Line> = all
            .iter()
            .filter(|e| e.at >= from && e.at < to)
            .map(|e| line(e, config))
            .collect();
        self.settled_until = Some(to);
        if lines.is_empty() {
            return;
        }
        let short: String = merchant.simple().to_string().chars().take(8).collect();
        let short = short.to_ascii_uppercase();
        let base = cycle.statement_id(&short);
        let mut id = base.clone();
        let mut n = 1;
        while self.find(&id).is_some() {
            n += 1;
            id = format!("{base}-{n}");
        }
        self.issued.push(Issued {
            id,
            merchant_id: merchant.to_string(),
            // A cycle's statement is dated the day after it ends; one closed on demand, today.
            statement_date: match closed {
                Closed::ByTime => local_date(to, tz),
                Closed::OnDemand => period_end,
            },
            period_start: local_date(from, tz),
            period_end,
            from,
            to,
            closed,
            lines,
        });
    }
}

fn line(e: &Event<'_>, config: &StatementConfig) -> Line {
    let o = e.order;
    let p = o.currency.precision();
    let amount = round_money(e.amount, p);
    let tz = config.time_zone;
    Line {
        transaction_date: local_date(o.created_at, tz),
        tamara_order_id: o.order_id.to_string(),
        merchant_order_id: o.order_reference_id.clone(),
        refund_reason: e.reason.to_owned(),
        payment_type: match o.payment_type.as_str() {
            "PAY_NOW" => "Pay In Full".to_owned(),
            other => other.to_owned(),
        },
        order_status: o.status.as_str().to_owned(),
        currency: o.currency,
        order_amount: round_money(o.total, p),
        event: e.event,
        amount,
        event_at: e.at,
        event_date: local_date(e.at, tz),
        fees: match e.event {
            LineEvent::Captured => Fees::capture(amount, p, config),
            LineEvent::Refunded => Fees::refund(amount, p, config),
        },
        instalments: match o.payment_type.as_str() {
            "PAY_NOW" => Some(1),
            _ => o.instalments,
        },
    }
}

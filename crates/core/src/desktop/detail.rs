//! The order screen (amounts, items, timeline, allowed moves) and its money-move dialog.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use tamara::model::payments::ShippingInfo;

use super::orders::OrderRow;
use super::reconciliation::{SettledLine, settled_in};
use super::{EnvironmentName, amount, count, time};
use crate::console::Console;
use crate::error::{Error, Result};
use crate::money::parse_decimal;
use crate::moves::{AmountInput, ItemSelection, MoveAction, MoveRefusal, MoveRequest};
use crate::views::detail::{self, Allowed, OrderView, TimelineKind};
use crate::views::orders::OrderListRow;
use crate::views::phrase::Phrase;

/// The carrier a capture names when the operator gives none (Tamara requires one).
pub const DEFAULT_CARRIER: &str = "Merchant delivery";

/// The order's money, all in its currency (`order.currency`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Amounts {
    pub authorised: String,
    pub captured: String,
    pub refunded: String,
    pub canceled: String,
    /// Still capturable: total − canceled − captured.
    pub capturable: String,
    /// Still refundable: captured − refunded.
    pub refundable: String,
    /// Still cancelable: what is not captured (only while nothing is captured).
    pub cancelable: String,
}

/// A line item as Tamara last reported it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ItemRow {
    pub reference_id: Option<String>,
    pub sku: Option<String>,
    pub name: Option<String>,
    pub quantity: u32,
    pub unit_price: Option<String>,
    pub total: String,
}

/// One event in the order's history, oldest first.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TimelineEntry {
    pub at: String,
    pub kind: TimelineKind,
    pub title: String,
    pub detail: String,
    /// The title as a code and parameters, which the UI translates (`title` is the English).
    pub phrase: Phrase,
    /// The detail's parts as codes and parameters (`detail` is the English).
    pub detail_phrases: Vec<Phrase>,
    /// The raw payload as JSON text (a webhook body, a request), for the JSON viewer.
    pub payload: Option<String>,
}

/// Everything the order screen shows.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderDetail {
    pub order: OrderRow,
    pub amounts: Amounts,
    pub items: Vec<ItemRow>,
    pub timeline: Vec<TimelineEntry>,
    /// Tamara's last order-details JSON, verbatim.
    pub raw_order: Option<String>,
    /// Fields of that JSON Mizan could not read and left out (shown, never fatal).
    pub unreadable_fields: Vec<String>,
    pub allowed: Allowed,
    /// When the order was last read from the API.
    pub last_synced_at: Option<String>,
    /// The imported statements' lines about this order (which statement settled each capture
    /// and refund, with Tamara's fees).
    pub settlements: Vec<SettledLine>,
}

/// The kind of money move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum MoveKind {
    Authorise,
    Capture,
    Refund,
    Cancel,
}

/// Units of one item to capture.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MoveItem {
    pub reference_id: String,
    pub quantity: u32,
}

/// A money move as the dialog collects it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MoveInput {
    pub kind: MoveKind,
    pub order_id: String,
    /// Decimal text in the order's currency; none: everything remaining (capture, cancel) or
    /// the items' sum. A refund needs one.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub amount: Option<String>,
    /// Capture by items.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub items: Option<Vec<MoveItem>>,
    /// A refund's reason (required, sent to Tamara); for other moves a note kept with the move
    /// (ledger, timeline, export, audit log) and never sent.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub comment: Option<String>,
    /// A capture's carrier (Tamara requires one; default "Merchant delivery").
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub shipping_company: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub tracking_number: Option<String>,
}

/// The exact request a move would send, shown before sending.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MovePreview {
    pub method: String,
    pub url: String,
    /// The request body, pretty JSON.
    pub body: String,
    pub environment: EnvironmentName,
    /// Production: the operator must type the order reference (`confirm_hint`) to send.
    pub needs_confirmation: bool,
    pub confirm_hint: String,
    /// Earlier moves on this order still unsettled, or a recent identical one, in words.
    pub warnings: Vec<String>,
}

/// What sending a move did.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MoveResult {
    /// `succeeded`, `failed` (Tamara refused; nothing moved) or `unknown` (re-read later).
    pub outcome: String,
    pub detail: String,
    pub order: OrderDetail,
}

impl From<OrderView> for OrderDetail {
    fn from(v: OrderView) -> Self {
        let a = v.amounts;
        let o = &v.cached.order;
        OrderDetail {
            order: OrderRow::from(&OrderListRow::from(o)),
            amounts: Amounts {
                authorised: amount(a.authorised),
                captured: amount(a.captured),
                refunded: amount(a.refunded),
                canceled: amount(a.canceled),
                capturable: amount(a.capturable),
                refundable: amount(a.refundable),
                cancelable: amount(a.cancelable),
            },
            items: v
                .cached
                .items
                .iter()
                .map(|i| ItemRow {
                    reference_id: i.reference_id.clone(),
                    sku: i.sku.clone(),
                    name: i.name.clone(),
                    quantity: count(i.quantity),
                    unit_price: i.unit_price.map(amount),
                    total: amount(i.total_amount),
                })
                .collect(),
            timeline: v
                .timeline
                .into_iter()
                .map(|e| TimelineEntry {
                    at: time(e.at),
                    kind: e.kind,
                    title: e.title,
                    detail: e.detail,
                    phrase: e.phrase,
                    detail_phrases: e.detail_phrases,
                    payload: e.payload,
                })
                .collect(),
            unreadable_fields: v.cached.unreadable_fields(),
            raw_order: o.raw_json.clone(),
            allowed: v.allowed,
            last_synced_at: o.last_synced_at.map(time),
            settlements: Vec::new(),
        }
    }
}

/// One order from the cache with its amounts, items, timeline and allowed moves.
///
/// # Errors
/// [`Error::OrderNotCached`]; store errors.
pub async fn order_detail(console: &Console, id_or_reference: &str) -> Result<OrderDetail> {
    with_settlements(
        console,
        detail::order_view(console, id_or_reference).await?.into(),
    )
    .await
}

/// The order's screen model with the statement lines about it.
async fn with_settlements(console: &Console, mut d: OrderDetail) -> Result<OrderDetail> {
    d.settlements = settled_in(console, &d.order.order_id).await?;
    Ok(d)
}

/// Re-reads the order from Tamara (settling unfinished moves), then shows it.
///
/// # Errors
/// Read and store errors.
pub async fn order_refresh(console: &Console, id_or_reference: &str) -> Result<OrderDetail> {
    let id = console
        .cached_order(id_or_reference)
        .await
        .map_or_else(|_| id_or_reference.trim().to_owned(), |c| c.order.order_id);
    console.fetch_order(&id).await?;
    console.settle_moves(&id).await?;
    order_detail(console, &id).await
}

impl MoveInput {
    /// The dialog's input as the core's request (`confirm`: the typed order reference; `now`:
    /// the shipping date a capture without one gets).
    ///
    /// # Errors
    /// [`Error::Invalid`] for an amount that is not a number; [`MoveRefusal::AmountRequired`]
    /// for a refund without one.
    pub fn to_request(&self, confirm: Option<String>, now: DateTime<Utc>) -> Result<MoveRequest> {
        let amount = super::text(&self.amount)
            .map(|a| {
                parse_decimal(a)
                    .map(|value| AmountInput {
                        value,
                        currency: None,
                    })
                    .map_err(|e| Error::Invalid(format!("amount {a:?}: {e}")))
            })
            .transpose()?;
        let action = match self.kind {
            MoveKind::Authorise => MoveAction::Authorise,
            MoveKind::Cancel => MoveAction::Cancel { amount },
            MoveKind::Refund => MoveAction::Refund {
                amount: amount.ok_or(Error::Move(MoveRefusal::AmountRequired))?,
                comment: self.comment.clone().unwrap_or_default(),
            },
            MoveKind::Capture => MoveAction::Capture {
                amount,
                items: self
                    .items
                    .iter()
                    .flatten()
                    .map(|i| ItemSelection {
                        reference_id: Some(i.reference_id.clone()),
                        sku: None,
                        quantity: i.quantity,
                        total_amount: None,
                    })
                    .collect(),
                shipping: ShippingInfo {
                    shipped_at: now.to_rfc3339_opts(SecondsFormat::Secs, true),
                    shipping_company: super::text(&self.shipping_company)
                        .map_or_else(|| DEFAULT_CARRIER.to_owned(), str::to_owned),
                    tracking_number: super::text(&self.tracking_number).map(str::to_owned),
                    tracking_url: None,
                },
            },
        };
        Ok(MoveRequest {
            order_id: self.order_id.trim().to_owned(),
            action,
            confirm: confirm.filter(|c| !c.is_empty()),
            idempotency_key: None,
            note: super::text(&self.comment)
                .map(str::to_owned)
                .filter(|_| self.kind != MoveKind::Refund),
        })
    }
}

/// The exact request the move would send; nothing is sent or written.
///
/// # Errors
/// As [`Console::preview_move`].
pub async fn move_preview(console: &Console, input: &MoveInput) -> Result<MovePreview> {
    let p = console
        .preview_move(input.to_request(None, console.now())?)
        .await?;
    let mut warnings: Vec<String> = p
        .unsettled
        .iter()
        .map(|e| {
            format!(
                "an earlier {} of {} is still {}: refresh the order first",
                e.kind, e.amount, e.state
            )
        })
        .collect();
    if let Some(d) = &p.duplicate_of {
        warnings.push(format!(
            "an identical {} of {} was made at {}: sending again moves money again",
            d.kind,
            d.amount,
            d.occurred_at.format("%H:%M:%S UTC")
        ));
    }
    Ok(MovePreview {
        method: p.planned.method().to_owned(),
        url: p.url.clone(),
        body: serde_json::to_string_pretty(&p.planned.body()).unwrap_or_default(),
        environment: p.environment.into(),
        needs_confirmation: p.requires_confirmation,
        confirm_hint: p.planned.order_reference_id.clone(),
        warnings,
    })
}

/// Sends the move (guarded: state and amounts checked against a fresh read, idempotent).
///
/// # Errors
/// As [`Console::move_money`].
pub async fn move_execute(
    console: &Console,
    input: &MoveInput,
    confirm: Option<String>,
) -> Result<MoveResult> {
    let outcome = console
        .move_money(input.to_request(confirm, console.now())?)
        .await?;
    let view = detail::order_view(console, &outcome.planned.order_id).await?;
    Ok(MoveResult {
        outcome: outcome.state().as_str().to_owned(),
        detail: outcome.message.clone(),
        order: with_settlements(console, view.into()).await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: MoveKind) -> MoveInput {
        MoveInput {
            kind,
            order_id: " o-1 ".into(),
            amount: None,
            items: None,
            comment: None,
            shipping_company: None,
            tracking_number: None,
        }
    }

    #[test]
    fn dialog_input_becomes_the_cores_move_request() {
        let r = input(MoveKind::Authorise)
            .to_request(Some(String::new()), Utc::now())
            .unwrap();
        assert_eq!(r.order_id, "o-1");
        assert_eq!(r.action, MoveAction::Authorise);
        assert_eq!(r.confirm, None, "an empty confirmation is none");

        let mut capture = input(MoveKind::Capture);
        capture.amount = Some("12.500".into());
        capture.items = Some(vec![MoveItem {
            reference_id: "sku-1".into(),
            quantity: 2,
        }]);
        let r = capture
            .to_request(Some("REF-1".into()), Utc::now())
            .unwrap();
        assert_eq!(r.confirm.as_deref(), Some("REF-1"));
        let MoveAction::Capture {
            amount,
            items,
            shipping,
        } = r.action
        else {
            panic!("a capture");
        };
        assert_eq!(
            amount.unwrap().value.to_string(),
            "12.500",
            "exact, never a float"
        );
        assert_eq!(items[0].reference_id.as_deref(), Some("sku-1"));
        assert_eq!(shipping.shipping_company, DEFAULT_CARRIER);

        let e = input(MoveKind::Refund)
            .to_request(None, Utc::now())
            .unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::MoveAmountRequired);
        assert_eq!(e.to_string(), "a refund needs an amount");
        let mut bad = input(MoveKind::Cancel);
        bad.amount = Some("1,5".into());
        let e = bad.to_request(None, Utc::now()).unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::InvalidInput);
        assert!(e.to_string().contains("1,5"), "{e}");
    }
}

//! Money moves from the order screen: preview the exact request, then send it.

use chrono::{SecondsFormat, Utc};
use mizan_core::money::parse_decimal;
use mizan_core::moves::{AmountInput, ItemSelection, MoveAction, MoveRefusal, MoveRequest};
use mizan_core::views::detail;
use tamara::model::payments::ShippingInfo;
use tauri::State;
use tauri_specta::Event as _;

use super::orders::detail_dto;
use crate::dto::detail::{MoveInput, MoveKind, MovePreview, MoveResult};
use crate::error::{IpcError, IpcResult};
use crate::events::OrderChanged;
use crate::state::AppState;

/// The carrier a capture names when the operator gives none (Tamara requires one).
pub const DEFAULT_CARRIER: &str = "Merchant delivery";

/// The dialog's input as the core's request.
pub fn to_request(input: &MoveInput, confirm: Option<String>) -> IpcResult<MoveRequest> {
    let amount = input
        .amount
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| {
            parse_decimal(a)
                .map(|value| AmountInput {
                    value,
                    currency: None,
                })
                .map_err(|e| IpcError::invalid(format!("amount {a:?}: {e}")))
        })
        .transpose()?;
    let action = match input.kind {
        MoveKind::Authorise => MoveAction::Authorise,
        MoveKind::Cancel => MoveAction::Cancel { amount },
        MoveKind::Refund => MoveAction::Refund {
            amount: amount.ok_or(mizan_core::Error::Move(MoveRefusal::AmountRequired))?,
            comment: input.comment.clone().unwrap_or_default(),
        },
        MoveKind::Capture => MoveAction::Capture {
            amount,
            items: input
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
                shipped_at: Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
                shipping_company: input
                    .shipping_company
                    .clone()
                    .filter(|c| !c.trim().is_empty())
                    .unwrap_or_else(|| DEFAULT_CARRIER.to_owned()),
                tracking_number: input
                    .tracking_number
                    .clone()
                    .filter(|t| !t.trim().is_empty()),
                tracking_url: None,
            },
        },
    };
    Ok(MoveRequest {
        order_id: input.order_id.trim().to_owned(),
        action,
        confirm: confirm.filter(|c| !c.is_empty()),
        idempotency_key: None,
    })
}

/// The exact request the move would send; nothing is sent or written.
#[tauri::command]
#[specta::specta]
pub async fn move_preview(state: State<'_, AppState>, input: MoveInput) -> IpcResult<MovePreview> {
    let console = state.console().await;
    let p = console.preview_move(to_request(&input, None)?).await?;
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
/// In production `confirm_text` must be the order's reference.
#[tauri::command]
#[specta::specta]
pub async fn move_execute(
    state: State<'_, AppState>,
    input: MoveInput,
    confirm_text: Option<String>,
) -> IpcResult<MoveResult> {
    let console = state.console().await;
    let outcome = console
        .move_money(to_request(&input, confirm_text)?)
        .await?;
    let order_id = outcome.planned.order_id.clone();
    let view = detail::order_view(&console, &order_id).await?;
    let event = OrderChanged {
        order_id,
        status: view.cached.order.status.clone(),
    };
    if let Err(e) = event.emit(&state.app) {
        tracing::warn!("event not emitted: {e}");
    }
    Ok(MoveResult {
        outcome: outcome.state().as_str().to_owned(),
        detail: outcome.message.clone(),
        order: detail_dto(view),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::detail::MoveItem;

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
        let r = to_request(&input(MoveKind::Authorise), Some(String::new())).unwrap();
        assert_eq!(r.order_id, "o-1");
        assert_eq!(r.action, MoveAction::Authorise);
        assert_eq!(r.confirm, None, "an empty confirmation is none");

        let mut capture = input(MoveKind::Capture);
        capture.amount = Some("12.500".into());
        capture.items = Some(vec![MoveItem {
            reference_id: "sku-1".into(),
            quantity: 2,
        }]);
        let r = to_request(&capture, Some("REF-1".into())).unwrap();
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

        let e = to_request(&input(MoveKind::Refund), None).unwrap_err();
        assert_eq!(e.code, "move_amount_required");
        let mut bad = input(MoveKind::Cancel);
        bad.amount = Some("1,5".into());
        let e = to_request(&bad, None).unwrap_err();
        assert_eq!(e.code, "invalid_input");
        assert!(e.message.contains("1,5"), "{}", e.message);
    }
}

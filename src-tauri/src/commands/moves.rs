//! Money moves from the order screen: preview the exact request, then send it.

use mizan_core::desktop::detail::{self, MoveInput, MovePreview, MoveResult};
use tauri::State;
use tauri_specta::Event as _;

use crate::error::IpcResult;
use crate::events::OrderChanged;
use crate::state::AppState;

/// The exact request the move would send; nothing is sent or written.
#[tauri::command]
#[specta::specta]
pub async fn move_preview(state: State<'_, AppState>, input: MoveInput) -> IpcResult<MovePreview> {
    Ok(detail::move_preview(&state.console().await, &input).await?)
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
    let result = detail::move_execute(&state.console().await, &input, confirm_text).await?;
    let order = &result.order.order;
    let event = OrderChanged {
        order_id: order.order_id.clone(),
        status: order.status.clone(),
    };
    if let Err(e) = event.emit(&state.app) {
        tracing::warn!("event not emitted: {e}");
    }
    Ok(result)
}

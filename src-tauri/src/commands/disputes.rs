//! The disputes screen: the list with days left to respond, and — where a dispute list path is
//! configured — a refresh from Tamara and the merchant's comment.

use mizan_core::desktop::disputes::{self, DisputesView};
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

/// Disputes of the active environment (only open ones with `open_only`).
#[tauri::command]
#[specta::specta]
pub async fn disputes_list(state: State<'_, AppState>, open_only: bool) -> IpcResult<DisputesView> {
    Ok(disputes::list(&state.console().await, open_only).await?)
}

/// Reads the dispute list from Tamara; how many disputes were read.
#[tauri::command]
#[specta::specta]
pub async fn disputes_refresh(state: State<'_, AppState>) -> IpcResult<u32> {
    Ok(disputes::refresh(&state.console().await).await?)
}

/// Sends a comment on a dispute (1 to 255 characters), then re-reads it.
#[tauri::command]
#[specta::specta]
pub async fn dispute_comment(
    state: State<'_, AppState>,
    dispute_id: String,
    text: String,
) -> IpcResult<()> {
    Ok(disputes::comment(&state.console().await, &dispute_id, &text).await?)
}

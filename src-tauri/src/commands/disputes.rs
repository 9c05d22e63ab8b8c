//! The disputes screen: the list with days left to respond, and a refresh from Tamara's
//! dispute list where one is configured.

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

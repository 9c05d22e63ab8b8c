//! The checkout checker screen.

use mizan_core::checkout::CheckReport;
use mizan_core::desktop::checkout;
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

/// Checks a pasted or dropped checkout request body against Tamara's schema and rules.
#[tauri::command]
#[specta::specta]
pub async fn checkout_check(state: State<'_, AppState>, text: String) -> IpcResult<CheckReport> {
    Ok(checkout::check(&state.console().await, &text))
}

//! The reconciliation screen: Tamara's statements imported from a file, listed with whether
//! each balances, one reconciled line by line, its report exported, and a line the ledger
//! lacks repaired by reading its order again.

use mizan_core::desktop::reconciliation::{self, ImportAnswer, StatementListRow, StatementView};
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

/// Imports a statement file (CSV or XLSX): imported, unchanged, or a new revision.
#[tauri::command]
#[specta::specta]
pub async fn statement_import(state: State<'_, AppState>, path: String) -> IpcResult<ImportAnswer> {
    Ok(reconciliation::import(&state.console().await, &path).await?)
}

/// Every imported statement (each revision), newest period first, with its differences.
#[tauri::command]
#[specta::specta]
pub async fn statements_list(state: State<'_, AppState>) -> IpcResult<Vec<StatementListRow>> {
    Ok(reconciliation::list(&state.console().await).await?)
}

/// One statement reconciled against the ledger.
#[tauri::command]
#[specta::specta]
pub async fn statement_show(state: State<'_, AppState>, id: u32) -> IpcResult<StatementView> {
    Ok(reconciliation::show(&state.console().await, id).await?)
}

/// Writes the reconciliation report (CSV); an existing file only with `overwrite`.
#[tauri::command]
#[specta::specta]
pub async fn statement_export(
    state: State<'_, AppState>,
    id: u32,
    path: String,
    overwrite: bool,
) -> IpcResult<u32> {
    Ok(reconciliation::export(&state.console().await, id, &path, overwrite).await?)
}

/// Reads an order the ledger lacks from Tamara again, then reconciles the statement again.
#[tauri::command]
#[specta::specta]
pub async fn statement_repair_order(
    state: State<'_, AppState>,
    id: u32,
    order_id: String,
) -> IpcResult<StatementView> {
    Ok(reconciliation::repair_order(&state.console().await, id, &order_id).await?)
}

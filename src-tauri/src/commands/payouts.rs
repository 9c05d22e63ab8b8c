//! The reconciliation screen's payouts and month tabs: Tamara's bank deposits listed with what
//! each settles, one entered by hand or imported from the bank's CSV, and the monthly view.

use mizan_core::desktop::payouts::{
    self, BankImportAnswer, MonthSummary, NewPayoutInput, PayoutRow, PayoutsView,
};
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

/// Every payout with the statements it settles and its difference explained, and the open items.
#[tauri::command]
#[specta::specta]
pub async fn payouts_list(state: State<'_, AppState>) -> IpcResult<PayoutsView> {
    Ok(payouts::list(&state.console().await).await?)
}

/// Records a payout entered by hand, matched to the statements named or automatically.
#[tauri::command]
#[specta::specta]
pub async fn payout_add(state: State<'_, AppState>, input: NewPayoutInput) -> IpcResult<PayoutRow> {
    Ok(payouts::add(&state.console().await, &input).await?)
}

/// Imports Tamara's deposits from a bank statement CSV; the same file again adds nothing.
#[tauri::command]
#[specta::specta]
pub async fn payout_import(
    state: State<'_, AppState>,
    path: String,
    currency: String,
    all_credits: bool,
) -> IpcResult<BankImportAnswer> {
    Ok(payouts::import(&state.console().await, &path, &currency, all_credits).await?)
}

/// One calendar month (`YYYY-MM`), per currency.
#[tauri::command]
#[specta::specta]
pub async fn settlement_month(
    state: State<'_, AppState>,
    month: String,
) -> IpcResult<MonthSummary> {
    Ok(payouts::month(&state.console().await, &month).await?)
}

//! The In store screen: a sale at the till, its void, the ID check and what Tamara offers.

use mizan_core::desktop::till::{
    self, PaymentTypeRow, PreCheckResult, TillSaleInput, TillSession, TillVoid,
};
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

/// Starts an in-store sale: a link texted to the customer, or shown as a QR code.
#[tauri::command]
#[specta::specta]
pub async fn till_start(
    state: State<'_, AppState>,
    input: TillSaleInput,
) -> IpcResult<TillSession> {
    Ok(till::start(&state.console().await, &input).await?)
}

/// Voids a sale the customer has not paid.
#[tauri::command]
#[specta::specta]
pub async fn till_void(
    state: State<'_, AppState>,
    checkout_id: String,
    order_id: String,
) -> IpcResult<TillVoid> {
    Ok(till::void(&state.console().await, &checkout_id, &order_id).await?)
}

/// Whether Tamara verified the customer's national ID (SA, AE).
#[tauri::command]
#[specta::specta]
pub async fn till_id_status(
    state: State<'_, AppState>,
    phone: String,
    country: String,
) -> IpcResult<bool> {
    let console = state.console().await;
    Ok(console.id_verification_status(&phone, &country).await?)
}

/// The payment types Tamara offers in a country, with their limits.
#[tauri::command]
#[specta::specta]
pub async fn till_payment_types(
    state: State<'_, AppState>,
    country: String,
    amount: Option<String>,
    currency: String,
) -> IpcResult<Vec<PaymentTypeRow>> {
    let console = state.console().await;
    Ok(till::payment_types(&console, &country, amount, &currency).await?)
}

/// Whether Tamara would offer this customer anything for this amount.
#[tauri::command]
#[specta::specta]
pub async fn till_pre_check(
    state: State<'_, AppState>,
    country: String,
    phone: String,
    amount: String,
    currency: String,
) -> IpcResult<PreCheckResult> {
    let console = state.console().await;
    Ok(till::pre_check(&console, &country, &phone, &amount, &currency).await?)
}

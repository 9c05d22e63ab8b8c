//! Settings, credentials (through the OS keychain; the UI sees only "set" and the last 4) and
//! the demo's traffic switch.

use mizan_core::credentials::{self, Keychain};
use mizan_core::desktop::ops::{self, CredentialKindName, CredentialStatus, CredentialTest};
use mizan_core::desktop::{EnvironmentName, ops::DemoState};
use mizan_core::settings::Settings;
use mizan_core::{Environment, ErrorCode};
use tauri::State;

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

/// The operator's settings.
#[tauri::command]
#[specta::specta]
pub async fn settings(state: State<'_, AppState>) -> IpcResult<Settings> {
    Ok(state.console().await.settings().await?)
}

/// Saves the settings and restarts the in-app services so they apply.
#[tauri::command]
#[specta::specta]
pub async fn settings_save(state: State<'_, AppState>, settings: Settings) -> IpcResult<Settings> {
    state.console().await.save_settings(&settings).await?;
    super::app::reopen(&state, None).await?;
    self::settings(state).await
}

async fn statuses(state: &AppState) -> IpcResult<Vec<CredentialStatus>> {
    let built_in = state.base.read().await.sandbox.built_in_sandbox;
    let read = move || {
        let status = |&env| ops::credential_status(env, built_in);
        Environment::ALL.iter().map(status).collect()
    };
    tokio::task::spawn_blocking(read).await.map_err(|e| {
        IpcError::new(
            ErrorCode::KeychainFailed,
            format!("keychain lookup failed: {e}"),
        )
    })
}

/// Both environments' credentials, masked.
#[tauri::command]
#[specta::specta]
pub async fn credentials_status(state: State<'_, AppState>) -> IpcResult<Vec<CredentialStatus>> {
    statuses(&state).await
}

/// Checks the value's shape and stores it in the OS keychain. It takes effect for the
/// environment when it is next opened (switch environments or restart the app).
#[tauri::command]
#[specta::specta]
pub async fn credentials_set(
    state: State<'_, AppState>,
    environment: EnvironmentName,
    kind: CredentialKindName,
    value: String,
) -> IpcResult<Vec<CredentialStatus>> {
    let (env, kind) = (Environment::from(environment), kind.into());
    let save = move || credentials::save_checked(&Keychain::from_env(), env, kind, &value);
    tokio::task::spawn_blocking(save)
        .await
        .map_err(|e| {
            IpcError::new(
                ErrorCode::KeychainFailed,
                format!("keychain write failed: {e}"),
            )
        })?
        .map_err(mizan_core::Error::from)?;
    // Later sessions of this run see the new token too (the demo keeps its own tokens).
    if !state.is_demo().await {
        let mut fresh = state.base.read().await.clone();
        mizan_core::credentials::fill_config_from_keychain(&mut fresh).await;
        *state.base.write().await = fresh;
    }
    statuses(&state).await
}

/// Proves the environment's API token works with a harmless read.
#[tauri::command]
#[specta::specta]
pub async fn credentials_test(
    state: State<'_, AppState>,
    environment: EnvironmentName,
) -> IpcResult<CredentialTest> {
    let mut config = state.base.read().await.clone();
    mizan_core::credentials::fill_config_from_keychain(&mut config).await;
    Ok(ops::credential_test(&config, environment.into()).await)
}

/// Starts or stops the demo's traffic generator.
#[tauri::command]
#[specta::specta]
pub async fn demo_traffic(state: State<'_, AppState>, running: bool) -> IpcResult<DemoState> {
    let mut demo = state.demo.lock().await;
    if let Some(d) = demo.as_mut() {
        let s = state.session.read().await;
        let base = s.receiver_base();
        d.traffic
            .switch(running, &s.console, base.as_deref())
            .await?;
    }
    Ok(DemoState::of(demo.as_ref().map(|d| &d.traffic)))
}

//! Settings, credentials (through the OS keychain; the UI sees only "set" and the last 4) and
//! the demo's traffic switch.

use mizan_core::credentials::{CredentialError, CredentialStore as _, Keychain, shape};
use mizan_core::desktop::ops::{self, CredentialKindName, CredentialStatus, CredentialTest};
use mizan_core::desktop::{EnvironmentName, ops::DemoState};
use mizan_core::settings::Settings;
use mizan_core::{Environment, ErrorCode};
use tauri::State;

use crate::error::{IpcError, IpcResult};
use crate::state::{self, AppState};

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
    let value = shape::check(kind, &value).map_err(|problem| CredentialError::Shape {
        env,
        kind,
        problem,
    })?;
    tokio::task::spawn_blocking(move || Keychain::from_env().set(env, kind, &value))
        .await
        .map_err(|e| {
            IpcError::new(
                ErrorCode::KeychainFailed,
                format!("keychain write failed: {e}"),
            )
        })??;
    // Later sessions of this run see the new token too.
    let mut fresh = state.base.read().await.clone();
    state::fill_from_keychain(&mut fresh).await;
    if !state.is_demo().await {
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
    state::fill_from_keychain(&mut config).await;
    Ok(ops::credential_test(&config, environment.into()).await)
}

/// Starts or stops the demo's traffic generator.
#[tauri::command]
#[specta::specta]
pub async fn demo_traffic(state: State<'_, AppState>, running: bool) -> IpcResult<DemoState> {
    let mut demo = state.demo.lock().await;
    let Some(d) = demo.as_mut() else {
        return Ok(DemoState {
            available: false,
            running: false,
            orders_created: 0,
        });
    };
    if running {
        let s = state.session.read().await;
        if s.console.environment() != Environment::Sandbox {
            return Err(IpcError::invalid(
                "demo traffic runs in the sandbox; switch back to it first",
            ));
        }
        let base = s.receiver_base().ok_or_else(|| {
            IpcError::new(
                ErrorCode::ReceiverUnavailable,
                "the in-app receiver is not running, so webhooks cannot arrive",
            )
        })?;
        d.start_traffic(&s.console, &base).await?;
    } else {
        d.stop_traffic().await;
    }
    Ok(DemoState {
        available: true,
        running: d.running(),
        orders_created: mizan_core::desktop::count(d.orders_created()),
    })
}

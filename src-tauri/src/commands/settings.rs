//! Settings, credentials (through the OS keychain; the UI sees only "set" and the last 4) and
//! the demo's traffic switch.

use mizan_core::Environment;
use mizan_core::credentials::{
    self, CredentialKind, CredentialState, CredentialStore as _, Keychain, shape,
};
use mizan_core::settings::Settings;
use tauri::State;

use crate::dto::app::EnvironmentName;
use crate::dto::ops::{CredentialKindName, CredentialStatus, CredentialTest, DemoState, Masked};
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

fn kind_of(k: CredentialKindName) -> CredentialKind {
    match k {
        CredentialKindName::ApiToken => CredentialKind::ApiToken,
        CredentialKindName::NotificationToken => CredentialKind::NotificationToken,
        CredentialKindName::PublicKey => CredentialKind::PublicKey,
    }
}

fn masked(s: &mizan_core::credentials::CredentialStatus) -> Masked {
    let set = matches!(s.state, CredentialState::Set | CredentialState::Demo);
    Masked {
        set,
        last4: s.last4.clone(),
        source: s.source.as_str().to_owned(),
    }
}

/// Reads one environment's credentials: variables first (they override), then the keychain.
fn status_of(env: Environment, built_in: bool) -> CredentialStatus {
    let (statuses, problem) = credentials::read_statuses(env, &Keychain::from_env(), built_in);
    let of = |kind| statuses.iter().find(|s| s.kind == kind).map(masked);
    let unset = || Masked {
        set: false,
        last4: None,
        source: mizan_core::config::TokenSource::Unset.as_str().to_owned(),
    };
    CredentialStatus {
        environment: env.into(),
        api_token: of(CredentialKind::ApiToken).unwrap_or_else(unset),
        notification_token: of(CredentialKind::NotificationToken).unwrap_or_else(unset),
        public_key: of(CredentialKind::PublicKey).unwrap_or_else(unset),
        keychain_error: problem.map(|e| e.to_string()),
    }
}

async fn statuses(state: &AppState) -> IpcResult<Vec<CredentialStatus>> {
    let built_in = state.base.read().await.sandbox.built_in_sandbox;
    tokio::task::spawn_blocking(move || {
        Environment::ALL
            .iter()
            .map(|&env| status_of(env, built_in))
            .collect()
    })
    .await
    .map_err(|e| {
        IpcError::new(
            mizan_core::ErrorCode::KeychainFailed,
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
    let env: Environment = environment.into();
    let kind = kind_of(kind);
    let value = shape::check(kind, &value).map_err(|problem| {
        mizan_core::credentials::CredentialError::Shape { env, kind, problem }
    })?;
    tokio::task::spawn_blocking(move || Keychain::from_env().set(env, kind, &value))
        .await
        .map_err(|e| {
            IpcError::new(
                mizan_core::ErrorCode::KeychainFailed,
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
    let env: Environment = environment.into();
    let mut config = state.base.read().await.clone();
    state::fill_from_keychain(&mut config).await;
    Ok(
        match mizan_core::credentials::test_api_token(&config, env, false).await {
            Ok(t) => CredentialTest {
                ok: true,
                detail: format!(
                    "{} accepted the API token from the {} (HTTP {} on a harmless read)",
                    t.url,
                    t.source.as_str(),
                    t.status
                ),
            },
            Err(e) => CredentialTest {
                ok: false,
                detail: e.to_string(),
            },
        },
    )
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
                mizan_core::ErrorCode::ReceiverUnavailable,
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
        orders_created: crate::dto::count(d.orders_created()),
    })
}

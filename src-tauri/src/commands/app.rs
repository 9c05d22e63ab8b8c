//! The app's identity, the environment switch and the UI language.

use mizan_core::Environment;
use mizan_core::desktop::EnvironmentName;
use mizan_core::webhooks::WEBHOOK_PATH;
use serde::Serialize;
use tauri::State;

use crate::error::{IpcError, IpcResult};
use crate::state::{self, AppState};

/// What the operator must type to switch to production.
pub const PRODUCTION_CONFIRMATION: &str = "PRODUCTION";

/// What the app is connected to, shown in the header and the window title.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AppInfo {
    pub environment: EnvironmentName,
    /// The built-in simulator with generated traffic (no credentials configured).
    pub demo: bool,
    pub version: String,
    pub data_dir: String,
    pub operator: String,
    /// Where the in-app receiver listens (`http://127.0.0.1:8766/webhooks/tamara`); empty when
    /// it could not start (see `receiver_error`).
    pub receiver_url: String,
    /// Why the receiver is not running, when it is not.
    pub receiver_error: Option<String>,
    /// The public URL Tamara is told to call (a tunnel or reverse proxy), if set.
    pub public_url: Option<String>,
    /// The saved UI language (`en`, `ar`), if the operator chose one.
    pub locale: Option<String>,
    /// The gateway's base URL of the active environment.
    pub api_url: String,
}

/// Builds [`AppInfo`] from the current session.
pub async fn info(state: &AppState) -> IpcResult<AppInfo> {
    let demo = state.is_demo().await;
    let s = state.session.read().await;
    let console = &s.console;
    let env = console.environment();
    Ok(AppInfo {
        environment: env.into(),
        demo: demo && env == Environment::Sandbox,
        version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: console.config().data_dir.display().to_string(),
        operator: console.config().operator.clone(),
        receiver_url: s
            .receiver_base()
            .map(|b| format!("{b}{WEBHOOK_PATH}"))
            .unwrap_or_default(),
        receiver_error: s.receiver_error.clone(),
        public_url: mizan_core::settings::public_url(console).await?,
        locale: console.locale().await?,
        api_url: console.config().active().api_url.clone(),
    })
}

/// What the app is connected to.
#[tauri::command]
#[specta::specta]
pub async fn app_info(state: State<'_, AppState>) -> IpcResult<AppInfo> {
    info(&state).await
}

/// Switches the active environment, restarting the in-app services for it. Switching to
/// production requires `confirm_text` to be exactly `PRODUCTION`.
#[tauri::command]
#[specta::specta]
pub async fn switch_environment(
    state: State<'_, AppState>,
    environment: EnvironmentName,
    confirm_text: Option<String>,
) -> IpcResult<AppInfo> {
    let env: Environment = environment.into();
    if env == Environment::Production
        && confirm_text.as_deref().map(str::trim) != Some(PRODUCTION_CONFIRMATION)
    {
        return Err(IpcError::new(
            mizan_core::ErrorCode::ConfirmationRequired,
            format!(
                "type {PRODUCTION_CONFIRMATION} to switch to production: money moves there are \
                 real"
            ),
        ));
    }
    reopen(&state, Some(env)).await?;
    info(&state).await
}

/// Stops the session and opens it again (in `env`, else the same environment): how an
/// environment switch and new settings take effect. If the new session cannot open, the
/// previous environment is reopened and the error returned.
pub async fn reopen(state: &AppState, env: Option<Environment>) -> IpcResult<()> {
    let mut demo = state.demo.lock().await;
    let mut session = state.session.write().await;
    let previous = session.console.environment();
    let env = env.unwrap_or(previous);
    if let Some(d) = demo.as_mut() {
        d.stop_traffic().await;
    }
    session.stop().await;
    session.console.store().close().await;
    let mut config = state.base.read().await.clone();
    config.environment = env;
    let is_demo = demo.is_some();
    let opened = match state::open_session(&state.app, config.clone(), is_demo).await {
        Ok(s) => Ok(s),
        Err(e) => {
            config.environment = previous;
            state::open_session(&state.app, config, is_demo)
                .await
                .map(|s| {
                    *session = s;
                })?;
            Err(e)
        }
    }?;
    *session = opened;
    let now = session.console.environment();
    if let (Some(d), Environment::Sandbox, Some(base)) =
        (demo.as_mut(), now, session.receiver_base())
    {
        d.start_traffic(&session.console, &base).await?;
    }
    state::set_title(&state.app, now, is_demo);
    Ok(())
}

/// Remembers the UI language (`en` or `ar`).
#[tauri::command]
#[specta::specta]
pub async fn locale_save(state: State<'_, AppState>, locale: String) -> IpcResult<()> {
    Ok(state.console().await.save_locale(&locale).await?)
}

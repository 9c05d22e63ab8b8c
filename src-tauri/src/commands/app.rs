//! The app's identity, the environment switch and the UI language.

use mizan_core::Environment;
use mizan_core::desktop::EnvironmentName;
use mizan_core::desktop::app::{self, AppInfo, Receiver};
use tauri::State;

use crate::error::IpcResult;
use crate::state::{self, AppState};

/// Builds [`AppInfo`] from the current session.
pub async fn info(state: &AppState) -> IpcResult<AppInfo> {
    let demo = state.is_demo().await;
    let s = state.session.read().await;
    let receiver = Receiver {
        base: s.receiver_base(),
        error: s.receiver_error.as_ref().map(ToString::to_string),
    };
    let mut info = app::app_info(&s.console, demo, receiver).await?;
    // The settings panel shows this: the commit says which build an operator is running.
    info.version = format!("{} ({})", info.version, env!("MIZAN_COMMIT"));
    Ok(info)
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
    app::check_switch(env, confirm_text.as_deref())?;
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
        d.traffic.stop().await;
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
        d.traffic.start(&session.console, &base).await?;
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

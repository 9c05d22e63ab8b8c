//! The app's identity (what it is connected to) and the guard on switching to production.

use serde::Serialize;

use super::EnvironmentName;
use crate::console::Console;
use crate::environment::Environment;
use crate::error::{Error, Result};
use crate::webhooks::WEBHOOK_PATH;

/// What the operator must type to switch to production.
pub const PRODUCTION_CONFIRMATION: &str = "PRODUCTION";

/// What the app is connected to, shown in the header and the window title.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
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

/// The in-app receiver as the session knows it.
#[derive(Debug, Clone, Default)]
pub struct Receiver {
    /// `http://127.0.0.1:PORT`, when it runs.
    pub base: Option<String>,
    /// Why it is not running, when it is not.
    pub error: Option<String>,
}

/// What `console` is connected to; `demo`: the app runs on the built-in simulator.
///
/// # Errors
/// Store errors.
pub async fn app_info(console: &Console, demo: bool, receiver: Receiver) -> Result<AppInfo> {
    let env = console.environment();
    let config = console.config();
    Ok(AppInfo {
        environment: env.into(),
        demo: demo && env == Environment::Sandbox,
        version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: config.data_dir.display().to_string(),
        operator: config.operator.clone(),
        receiver_url: receiver
            .base
            .map(|b| format!("{b}{WEBHOOK_PATH}"))
            .unwrap_or_default(),
        receiver_error: receiver.error,
        public_url: crate::settings::public_url(console).await?,
        locale: console.locale().await?,
        api_url: config.active().api_url.clone(),
    })
}

/// Switching to production needs [`PRODUCTION_CONFIRMATION`] typed (money moves there are
/// real); the sandbox needs nothing.
///
/// # Errors
/// [`Error::SwitchNotConfirmed`].
pub fn check_switch(env: Environment, confirm_text: Option<&str>) -> Result<()> {
    if env == Environment::Production
        && confirm_text.map(str::trim) != Some(PRODUCTION_CONFIRMATION)
    {
        return Err(Error::SwitchNotConfirmed);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_needs_the_word_typed() {
        assert!(check_switch(Environment::Sandbox, None).is_ok());
        assert!(check_switch(Environment::Production, Some(" PRODUCTION ")).is_ok());
        for typed in [None, Some("production"), Some("")] {
            let e = check_switch(Environment::Production, typed).unwrap_err();
            assert_eq!(e.code(), crate::ErrorCode::ConfirmationRequired);
            assert!(e.to_string().contains("type PRODUCTION"), "{e}");
        }
    }
}

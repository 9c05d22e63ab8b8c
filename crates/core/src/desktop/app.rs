//! The app's identity (what it is connected to), why its receiver did not start, and the
//! guard on switching to production.

use std::net::SocketAddr;

use serde::Serialize;

use super::EnvironmentName;
use crate::console::Console;
use crate::environment::Environment;
use crate::error::{Error, ErrorCode, Result};
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

/// Why the in-app receiver did not start. A session without it still works (the cache, the
/// moves); its text is the sentence the header shows in `AppInfo::receiver_error`.
#[derive(Debug, thiserror::Error)]
pub enum ReceiverStartError {
    /// The port is taken, typically.
    #[error("cannot listen on {addr}: {source} (change the receiver port in Settings)")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    /// The bound listener's address could not be read.
    #[error("cannot start the receiver: {0}")]
    Start(std::io::Error),
    /// The change feed's starting point could not be read.
    #[error("cannot read the store: {0}")]
    Store(Error),
}

impl ReceiverStartError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ReceiverStartError::Listen { .. } | ReceiverStartError::Start(_) => {
                ErrorCode::ServeBind
            }
            ReceiverStartError::Store(e) => e.code(),
        }
    }
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
    fn a_receiver_that_did_not_start_says_why_in_a_sentence() {
        let taken = std::io::Error::from(std::io::ErrorKind::AddrInUse);
        let addr = SocketAddr::from(([127, 0, 0, 1], 8766));
        let e = ReceiverStartError::Listen {
            addr,
            source: taken,
        };
        assert_eq!(e.code(), ErrorCode::ServeBind);
        assert_eq!(
            e.to_string(),
            format!(
                "cannot listen on 127.0.0.1:8766: {} (change the receiver port in Settings)",
                std::io::Error::from(std::io::ErrorKind::AddrInUse)
            )
        );
        let e = ReceiverStartError::Store(Error::Invalid("x".into()));
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        assert_eq!(e.to_string(), "cannot read the store: invalid input: x");
    }

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

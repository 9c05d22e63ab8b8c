//! The app's identity and mode: which environment, demo or not, where the data lives.

use serde::{Deserialize, Serialize};

/// The two environments, as the UI names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum EnvironmentName {
    Sandbox,
    Production,
}

impl From<mizan_core::Environment> for EnvironmentName {
    fn from(e: mizan_core::Environment) -> Self {
        match e {
            mizan_core::Environment::Sandbox => EnvironmentName::Sandbox,
            mizan_core::Environment::Production => EnvironmentName::Production,
        }
    }
}

impl From<EnvironmentName> for mizan_core::Environment {
    fn from(e: EnvironmentName) -> Self {
        match e {
            EnvironmentName::Sandbox => mizan_core::Environment::Sandbox,
            EnvironmentName::Production => mizan_core::Environment::Production,
        }
    }
}

/// What the app is connected to, shown in the header and the window title.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
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

//! Settings, credentials (through the OS keychain; the UI sees only "set" and the last 4) and
//! the demo's traffic switch.

use mizan_core::Environment;
use mizan_core::config::TokenSource;
use mizan_core::credentials::{CredentialKind, CredentialStore as _, Keychain, shape};
use mizan_core::store::settings::{self, SettingScope};
use mizan_core::webhooks::processor::{AUTO_AUTHORISE_SETTING, auto_authorise_enabled};
use mizan_core::webhooks::selftest::PUBLIC_URL_SETTING;
use tamara::Sensitive;
use tauri::State;

use crate::dto::app::EnvironmentName;
use crate::dto::ops::{
    CredentialKindName, CredentialStatus, CredentialTest, DemoState, Masked, Settings,
};
use crate::error::{IpcError, IpcResult};
use crate::state::{self, AppState, DEFAULT_RECEIVER_PORT, DEFAULT_RECONCILE_SECS, keys};

/// The operator's settings.
#[tauri::command]
#[specta::specta]
pub async fn settings(state: State<'_, AppState>) -> IpcResult<Settings> {
    let console = state.console().await;
    let store = console.store();
    let global = async |k: &str| settings::get(store, SettingScope::Global, k).await;
    Ok(Settings {
        receiver_port: global(keys::RECEIVER_PORT)
            .await?
            .and_then(|p| p.parse().ok())
            .unwrap_or(DEFAULT_RECEIVER_PORT),
        public_url: settings::get(
            store,
            SettingScope::Env(console.environment()),
            PUBLIC_URL_SETTING,
        )
        .await?,
        auto_authorise: auto_authorise_enabled(&console).await?,
        reconcile_every_secs: global(keys::RECONCILE_EVERY)
            .await?
            .and_then(|s| s.parse().ok())
            .unwrap_or(DEFAULT_RECONCILE_SECS),
        operator: console.config().operator.clone(),
    })
}

fn check(s: &Settings) -> IpcResult<()> {
    if s.receiver_port < 1024 {
        return Err(IpcError::invalid(format!(
            "receiver port {} is reserved; use 1024 to 65535",
            s.receiver_port
        )));
    }
    if !(10..=86_400).contains(&s.reconcile_every_secs) {
        return Err(IpcError::invalid(format!(
            "the reconciler interval must be 10 to 86400 seconds, not {}",
            s.reconcile_every_secs
        )));
    }
    let op = s.operator.trim();
    if op.is_empty() || op.chars().count() > 100 || op.chars().any(char::is_control) {
        return Err(IpcError::invalid(
            "the operator name must be 1 to 100 characters without control characters",
        ));
    }
    if let Some(u) = s
        .public_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        let parsed = url_parse(u)?;
        if parsed != "https" {
            return Err(IpcError::invalid(format!(
                "the public URL must use https (Tamara refuses {u})"
            )));
        }
    }
    Ok(())
}

/// The scheme of an absolute URL.
fn url_parse(u: &str) -> IpcResult<String> {
    let (scheme, rest) = u
        .split_once("://")
        .ok_or_else(|| IpcError::invalid(format!("{u:?} is not an absolute URL")))?;
    if rest.is_empty() || scheme.is_empty() || u.chars().any(char::is_whitespace) {
        return Err(IpcError::invalid(format!("{u:?} is not an absolute URL")));
    }
    Ok(scheme.to_ascii_lowercase())
}

/// Saves the settings and restarts the in-app services so they apply.
#[tauri::command]
#[specta::specta]
pub async fn settings_save(state: State<'_, AppState>, settings: Settings) -> IpcResult<Settings> {
    check(&settings)?;
    {
        let console = state.console().await;
        let store = console.store();
        let env = SettingScope::Env(console.environment());
        let g = SettingScope::Global;
        settings::set(
            store,
            g,
            keys::RECEIVER_PORT,
            &settings.receiver_port.to_string(),
        )
        .await?;
        settings::set(
            store,
            g,
            keys::RECONCILE_EVERY,
            &settings.reconcile_every_secs.to_string(),
        )
        .await?;
        settings::set(store, g, keys::OPERATOR, settings.operator.trim()).await?;
        let auto = if settings.auto_authorise { "on" } else { "off" };
        settings::set(store, env, AUTO_AUTHORISE_SETTING, auto).await?;
        match settings
            .public_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            Some(u) => settings::set(store, env, PUBLIC_URL_SETTING, u).await?,
            None => {
                settings::remove(store, env, PUBLIC_URL_SETTING).await?;
            }
        }
    }
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

fn masked(value: Option<&Sensitive<String>>, source: &str) -> Masked {
    let last4 = value
        .map(|v| v.masked())
        .and_then(|m| m.strip_prefix("••••").map(str::to_owned))
        .filter(|t| !t.is_empty());
    Masked {
        set: value.is_some(),
        last4,
        source: source.to_owned(),
    }
}

/// Reads one environment's credentials: variables first (they override), then the keychain.
fn status_of(env: Environment, built_in: bool) -> CredentialStatus {
    let keychain = Keychain::from_env();
    let mut keychain_error = None;
    let mut read = |kind: CredentialKind| {
        if let Some(v) = std::env::var(kind.env_var(env))
            .ok()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
        {
            return masked(Some(&Sensitive::new(v)), TokenSource::EnvVar.as_str());
        }
        match keychain.get(env, kind) {
            Ok(Some(v)) => return masked(Some(&v), TokenSource::Keychain.as_str()),
            Ok(None) => {}
            Err(e) => keychain_error = Some(e.to_string()),
        }
        if built_in && kind != CredentialKind::PublicKey {
            Masked {
                set: true,
                last4: None,
                source: TokenSource::BuiltInDemo.as_str().to_owned(),
            }
        } else {
            masked(None, TokenSource::Unset.as_str())
        }
    };
    CredentialStatus {
        environment: env.into(),
        api_token: read(CredentialKind::ApiToken),
        notification_token: read(CredentialKind::NotificationToken),
        public_key: read(CredentialKind::PublicKey),
        keychain_error,
    }
}

async fn statuses(state: &AppState) -> IpcResult<Vec<CredentialStatus>> {
    let built_in = state.base.read().await.sandbox.built_in_sandbox;
    tokio::task::spawn_blocking(move || {
        Environment::ALL
            .iter()
            .map(|&env| status_of(env, built_in && env == Environment::Sandbox))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> Settings {
        Settings {
            receiver_port: 8766,
            public_url: Some("https://hooks.example.sa/webhooks/tamara".into()),
            auto_authorise: true,
            reconcile_every_secs: 60,
            operator: "Layla".into(),
        }
    }

    #[test]
    fn settings_are_checked_field_by_field() {
        assert!(check(&good()).is_ok());
        assert!(
            check(&Settings {
                public_url: None,
                ..good()
            })
            .is_ok()
        );
        for (bad, needle) in [
            (
                Settings {
                    receiver_port: 80,
                    ..good()
                },
                "reserved",
            ),
            (
                Settings {
                    reconcile_every_secs: 1,
                    ..good()
                },
                "interval",
            ),
            (
                Settings {
                    operator: " ".into(),
                    ..good()
                },
                "operator",
            ),
            (
                Settings {
                    public_url: Some("http://hooks.example.sa/x".into()),
                    ..good()
                },
                "https",
            ),
            (
                Settings {
                    public_url: Some("hooks.example.sa".into()),
                    ..good()
                },
                "absolute URL",
            ),
        ] {
            let e = check(&bad).unwrap_err();
            assert_eq!(e.code, "invalid_input");
            assert!(e.message.contains(needle), "{}", e.message);
        }
    }

    #[test]
    fn masks_show_at_most_the_last_four() {
        let m = masked(
            Some(&Sensitive::new("sk_live_1234567890abcd".into())),
            "keychain",
        );
        assert!(m.set);
        assert_eq!(m.last4.as_deref(), Some("abcd"));
        let short = masked(Some(&Sensitive::new("short".into())), "keychain");
        assert_eq!(short.last4, None, "a short secret shows nothing");
        assert!(!masked(None, "unset").set);
    }
}

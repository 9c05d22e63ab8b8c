//! Filling an environment's configuration from the keychain, after the environment variables.
//!
//! Rules (README "Credentials" states them for users):
//! - a token set by a variable is never replaced;
//! - a configured URL (or production, which always has Tamara's URL): tokens the variables left
//!   unset come from the keychain;
//! - sandbox with no URL and no token variables: if the keychain holds a sandbox API token, the
//!   sandbox is Tamara's real sandbox (`https://api-sandbox.tamara.co`) with the keychain's
//!   tokens — keychain tokens are real Tamara tokens (they passed the JWT check), which the
//!   simulator would refuse. Otherwise it stays the built-in simulator with its demo tokens;
//! - sandbox with no URL but a token variable: the built-in simulator with that token, as
//!   before the keychain existed (the variables describe the simulator; the keychain is not
//!   consulted).

use tamara::Sensitive;

use crate::config::{EnvironmentConfig, TokenSource};
use crate::credentials::{CredentialError, CredentialKind, CredentialStore};
use crate::environment::Environment;

/// True when [`fill_from_keychain`] would consult the keychain for `cfg`: callers skip opening
/// the keychain at all otherwise.
pub fn wants_keychain(cfg: &EnvironmentConfig) -> bool {
    let sources = [cfg.api_token_source, cfg.notification_token_source];
    if cfg.built_in_sandbox {
        sources.iter().all(|s| *s == TokenSource::BuiltInDemo)
    } else {
        sources.contains(&TokenSource::Unset)
    }
}

/// Applies the rules above to `cfg`, reading `store` only when [`wants_keychain`]. On error
/// `cfg` is left as it was (a command that needs no token can go on; one that does reports the
/// error, which names the variables to use instead).
pub fn fill_from_keychain(
    cfg: &mut EnvironmentConfig,
    store: &dyn CredentialStore,
) -> Result<(), CredentialError> {
    if !wants_keychain(cfg) {
        return Ok(());
    }
    let env = cfg.environment;
    let read = |kind| store.get(env, kind);
    if cfg.built_in_sandbox {
        let Some(api_token) = read(CredentialKind::ApiToken)? else {
            return Ok(());
        };
        let notification = read(CredentialKind::NotificationToken)?;
        cfg.api_url = tamara::client::SANDBOX_BASE_URL.to_owned();
        cfg.built_in_sandbox = false;
        cfg.api_token = Some(api_token);
        cfg.api_token_source = TokenSource::Keychain;
        set(
            &mut cfg.notification_token,
            &mut cfg.notification_token_source,
            notification,
        );
        return Ok(());
    }
    if cfg.api_token_source == TokenSource::Unset {
        let v = read(CredentialKind::ApiToken)?;
        if cfg.notification_token_source == TokenSource::Unset {
            let n = read(CredentialKind::NotificationToken)?;
            set(
                &mut cfg.notification_token,
                &mut cfg.notification_token_source,
                n,
            );
        }
        set(&mut cfg.api_token, &mut cfg.api_token_source, v);
    } else if cfg.notification_token_source == TokenSource::Unset {
        let n = read(CredentialKind::NotificationToken)?;
        set(
            &mut cfg.notification_token,
            &mut cfg.notification_token_source,
            n,
        );
    }
    Ok(())
}

fn set(
    slot: &mut Option<Sensitive<String>>,
    source: &mut TokenSource,
    value: Option<Sensitive<String>>,
) {
    match value {
        Some(v) => {
            *slot = Some(v);
            *source = TokenSource::Keychain;
        }
        None => {
            *slot = None;
            *source = TokenSource::Unset;
        }
    }
}

/// Fills both environments' tokens from the OS keychain, off the async threads. A keychain
/// that cannot be reached is logged and skipped: the configuration then keeps what the
/// variables give.
pub async fn fill_config_from_keychain(config: &mut crate::config::ConsoleConfig) {
    for env in Environment::ALL {
        let cfg = config.for_env(env).clone();
        if !wants_keychain(&cfg) {
            continue;
        }
        let filled = tokio::task::spawn_blocking(move || {
            let mut cfg = cfg;
            fill_from_keychain(&mut cfg, &super::Keychain::from_env()).map(|()| cfg)
        })
        .await;
        match filled {
            Ok(Ok(cfg)) => match env {
                Environment::Sandbox => config.sandbox = cfg,
                Environment::Production => config.production = cfg,
            },
            Ok(Err(e)) => tracing::info!(code = e.code().as_str(), "keychain not used: {e}"),
            Err(e) => tracing::warn!("keychain lookup failed: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::config::{BUILT_IN_SANDBOX_URL, ConsoleConfig};
    use crate::credentials::memory::MemoryStore;
    use crate::environment::Environment::{Production, Sandbox};

    const JWT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJ0eXBlIjoibWVyY2hhbnQifQ.c2lnbmF0dXJlLXNpZw";

    fn config(pairs: &[(&str, &str)]) -> ConsoleConfig {
        let mut vars: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        vars.insert("MIZAN_DATA_DIR".into(), "/d".into());
        ConsoleConfig::from_vars(&vars).unwrap()
    }

    #[test]
    fn variables_win_and_the_keychain_is_not_even_asked() {
        let mut c = config(&[
            ("MIZAN_PRODUCTION_API_TOKEN", "from-env-1234"),
            ("MIZAN_PRODUCTION_NOTIFICATION_TOKEN", "notif-env-1234"),
        ]);
        let store = MemoryStore::unreachable();
        assert!(!wants_keychain(&c.production));
        fill_from_keychain(&mut c.production, &store).unwrap();
        assert_eq!(*store.calls.lock().unwrap(), 0);
        assert_eq!(c.production.api_token.unwrap().expose(), "from-env-1234");
    }

    #[test]
    fn the_keychain_fills_only_what_variables_left_unset() {
        let mut c = config(&[("MIZAN_PRODUCTION_API_TOKEN", "from-env-1234")]);
        let store = MemoryStore::with(&[
            (Production, CredentialKind::ApiToken, JWT),
            (
                Production,
                CredentialKind::NotificationToken,
                "notif-keychain-1234",
            ),
        ]);
        fill_from_keychain(&mut c.production, &store).unwrap();
        let p = &c.production;
        assert_eq!(p.api_token.as_ref().unwrap().expose(), "from-env-1234");
        assert_eq!(p.api_token_source, TokenSource::EnvVar);
        assert_eq!(
            p.notification_token.as_ref().unwrap().expose(),
            "notif-keychain-1234"
        );
        assert_eq!(p.notification_token_source, TokenSource::Keychain);
    }

    #[test]
    fn keychain_sandbox_credentials_mean_tamaras_real_sandbox() {
        let mut c = config(&[]);
        let store = MemoryStore::with(&[(Sandbox, CredentialKind::ApiToken, JWT)]);
        fill_from_keychain(&mut c.sandbox, &store).unwrap();
        assert_eq!(c.sandbox.api_url, "https://api-sandbox.tamara.co");
        assert!(!c.sandbox.built_in_sandbox);
        assert_eq!(c.sandbox.api_token.as_ref().unwrap().expose(), JWT);
        assert!(
            c.sandbox.notification_token.is_none(),
            "never the simulator's demo notification token against the real sandbox"
        );
        assert_eq!(c.sandbox.notification_token_source, TokenSource::Unset);
    }

    #[test]
    fn an_empty_keychain_keeps_the_built_in_simulator() {
        let mut c = config(&[]);
        fill_from_keychain(&mut c.sandbox, &MemoryStore::default()).unwrap();
        assert_eq!(c.sandbox.api_url, BUILT_IN_SANDBOX_URL);
        assert!(c.sandbox.built_in_sandbox);
        assert_eq!(c.sandbox.api_token_source, TokenSource::BuiltInDemo);
    }

    #[test]
    fn a_sandbox_token_variable_without_url_keeps_the_simulator_and_skips_the_keychain() {
        let mut c = config(&[("MIZAN_SANDBOX_API_TOKEN", "sim-token-1234")]);
        assert!(!wants_keychain(&c.sandbox));
        let store = MemoryStore::with(&[(Sandbox, CredentialKind::ApiToken, JWT)]);
        fill_from_keychain(&mut c.sandbox, &store).unwrap();
        assert_eq!(c.sandbox.api_url, BUILT_IN_SANDBOX_URL);
        assert_eq!(*store.calls.lock().unwrap(), 0);
    }

    #[test]
    fn an_unreachable_keychain_leaves_the_config_as_it_was() {
        let mut c = config(&[]);
        let store = MemoryStore::unreachable();
        let e = fill_from_keychain(&mut c.production, &store).unwrap_err();
        assert_eq!(e.code(), "keychain_unavailable");
        let text = e.to_string();
        assert!(
            text.contains("MIZAN_PRODUCTION_API_TOKEN")
                && text.contains("MIZAN_PRODUCTION_NOTIFICATION_TOKEN"),
            "{text}"
        );
        assert!(c.production.api_token.is_none());
        let e = fill_from_keychain(&mut c.sandbox, &store).unwrap_err();
        assert!(e.is_keychain_unreachable());
        assert!(c.sandbox.built_in_sandbox, "still the simulator");
    }
}

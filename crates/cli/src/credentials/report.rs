//! `mizan credentials show` and `mizan credentials test`: what is configured, and whether the
//! API token works.
//!
//! Invariant: only set/unset, the last four characters (`Sensitive::masked`) and the source
//! are ever printed.

use std::collections::HashMap;
use std::sync::Arc;

use mizan_core::Environment;
use mizan_core::config::{ConsoleConfig, TokenSource};
use mizan_core::credentials::{
    self as creds, CredentialError, CredentialKind, CredentialState, CredentialStore, Keychain,
};
use serde_json::json;
use tamara::Sensitive;

use super::{blocking, env_var, failed};
use crate::CliError;
use crate::output::{Output, say, table};

type Stored = HashMap<(Environment, CredentialKind), Option<Sensitive<String>>>;

/// The keychain's values as read once, so the effective configuration can be worked out
/// without asking the keychain again.
struct Snapshot(Stored);

impl CredentialStore for Snapshot {
    fn get(
        &self,
        env: Environment,
        kind: CredentialKind,
    ) -> Result<Option<Sensitive<String>>, CredentialError> {
        Ok(self.0.get(&(env, kind)).cloned().flatten())
    }

    fn set(
        &self,
        _: Environment,
        _: CredentialKind,
        _: &Sensitive<String>,
    ) -> Result<(), CredentialError> {
        Err(CredentialError::KeychainFailed {
            reason: "a snapshot is read-only".into(),
        })
    }

    fn delete(&self, _: Environment, _: CredentialKind) -> Result<bool, CredentialError> {
        Err(CredentialError::KeychainFailed {
            reason: "a snapshot is read-only".into(),
        })
    }
}

pub async fn show(
    config: &ConsoleConfig,
    envs: &[Environment],
    keychain: &Arc<Keychain>,
    out: &Output,
) -> Result<(), CliError> {
    let kc = keychain.clone();
    let list = envs.to_vec();
    let read = blocking(move || {
        let mut stored = Stored::new();
        for env in list {
            for kind in CredentialKind::ALL {
                stored.insert((env, kind), kc.get(env, kind)?);
            }
        }
        Ok::<_, CredentialError>(stored)
    })
    .await?;
    let (snapshot, problem) = match read {
        Ok(s) => (Some(Snapshot(s)), None),
        Err(e) => (None, Some(e)),
    };
    if let Some(e) = &problem {
        eprintln!("mizan: warning: {e}");
    }
    let mut json_envs = Vec::new();
    let mut rows = Vec::new();
    let mut urls = Vec::new();
    for &env in envs {
        let mut effective = config.for_env(env).clone();
        if let Some(s) = &snapshot {
            creds::fill_from_keychain(&mut effective, s).map_err(failed)?;
        }
        let mut json_rows = Vec::new();
        for kind in CredentialKind::ALL {
            let var = env_var(env, kind);
            let stored = snapshot
                .as_ref()
                .map(|s| s.0.get(&(env, kind)).and_then(Option::as_ref));
            let demo = creds::demo_supplies(effective.built_in_sandbox, env, kind);
            let status = creds::status_of(env, kind, var.as_ref(), stored, demo);
            let state = status.state.as_str();
            let masked = status.masked.clone().unwrap_or_else(|| "-".into());
            let source = match (status.source, status.state) {
                (TokenSource::EnvVar, _) if status.overrides_keychain => {
                    format!("{} (overrides the keychain)", kind.env_var(env))
                }
                (TokenSource::EnvVar, _) => kind.env_var(env),
                (TokenSource::Keychain, _) => "keychain".to_owned(),
                (TokenSource::BuiltInDemo, _) => "built-in simulator".to_owned(),
                (TokenSource::Unset, CredentialState::Unknown) => {
                    "keychain not reachable".to_owned()
                }
                (TokenSource::Unset, _) => "-".to_owned(),
            };
            rows.push(vec![
                env.to_string(),
                kind.label().to_owned(),
                state.to_owned(),
                masked.clone(),
                source.clone(),
            ]);
            json_rows.push(json!({
                "kind": kind.as_str(), "state": state,
                "masked": status.masked,
                "source": source, "env_var": kind.env_var(env),
                "in_keychain": status.in_keychain,
            }));
        }
        urls.push(format!(
            "{env}: {}{}",
            effective.api_url,
            if effective.built_in_sandbox {
                "  (built-in simulator, demo tokens)"
            } else {
                ""
            }
        ));
        json_envs.push(json!({
            "environment": env.as_str(), "api_url": effective.api_url,
            "built_in_sandbox": effective.built_in_sandbox, "credentials": json_rows,
        }));
    }
    if out.json {
        out.json_value(&json!({
            "keychain": {
                "service": keychain.service(),
                "reachable": problem.is_none(),
                "error": problem.as_ref().map(|e| json!({"code": e.code(), "message": e.to_string()})),
            },
            "environments": json_envs,
        }));
        return Ok(());
    }
    say!(
        "{}",
        table(&["ENV", "CREDENTIAL", "STATE", "LAST 4", "SOURCE"], &rows)
    );
    say!("");
    for line in urls {
        say!("API {line}");
    }
    Ok(())
}

pub async fn test(
    mut config: ConsoleConfig,
    env: Environment,
    keychain: &Arc<Keychain>,
    out: &Output,
    probe_other: bool,
) -> Result<(), CliError> {
    let kc = keychain.clone();
    let (mut sandbox, mut production) = (config.sandbox.clone(), config.production.clone());
    let (sandbox, production, sandbox_err, production_err) = blocking(move || {
        let s = creds::fill_from_keychain(&mut sandbox, kc.as_ref()).err();
        let p = creds::fill_from_keychain(&mut production, kc.as_ref()).err();
        (sandbox, production, s, p)
    })
    .await?;
    config.sandbox = sandbox;
    config.production = production;
    let problem = match env {
        Environment::Sandbox => sandbox_err,
        Environment::Production => production_err,
    };
    let active = config.for_env(env).clone();
    if let (Some(e), None) = (problem, &active.api_token) {
        return Err(failed(e));
    }
    let tested = match creds::test_api_token(&config, env, probe_other).await {
        Ok(t) => t,
        Err(CredentialError::Gateway(e)) if active.built_in_sandbox => {
            return Err(CliError::Failed {
                code: mizan_core::ErrorCode::from(&e),
                message: format!(
                    "{e} — this is the built-in simulator (no sandbox URL or credentials are \
                     configured); start it with `mizan sandbox` or store your sandbox \
                     credentials with `mizan credentials set --env sandbox`"
                ),
            });
        }
        Err(e) => return Err(failed(e)),
    };
    let masked = active
        .api_token
        .as_ref()
        .map(|t| t.masked())
        .unwrap_or_default();
    let notification = match active.notification_token_source {
        TokenSource::Unset => "unset".to_owned(),
        s => format!("set ({})", s.as_str()),
    };
    if out.json {
        out.json_value(&json!({
            "environment": env.as_str(), "accepted": true, "url": tested.url,
            "status": tested.status,
            "api_token": {"masked": masked, "source": tested.source.as_str()},
            "notification_token": {
                "state": if active.notification_token.is_some() { "set" } else { "unset" },
                "source": active.notification_token_source.as_str(),
            },
        }));
        return Ok(());
    }
    say!(
        "OK: {url} accepted the {env} API token ({masked}, from the {source}): \
         GET /orders/{id} answered HTTP {status} (no such order), as expected.",
        url = tested.url,
        source = tested.source.as_str(),
        id = creds::PROBE_ORDER_ID,
        status = tested.status,
    );
    say!(
        "Notification token: {notification}. Only a delivery from Tamara can prove it \
         (`mizan webhooks deliveries` shows each verdict)."
    );
    Ok(())
}

//! `mizan credentials set|show|test|delete`, and filling the configuration of every other
//! command from the OS keychain.
//!
//! Invariants: secrets come only from a hidden prompt or stdin (never argv); output shows only
//! set/unset, the last four characters and the source; environment variables override the
//! keychain; commands that only read the local cache never open the keychain, and when one that
//! needs a token finds the keychain unreachable, its error says so and names the variables to
//! use instead.

mod input;
mod report;

use std::sync::{Arc, OnceLock};

use clap::{Subcommand, ValueEnum};
use mizan_core::Environment;
use mizan_core::config::ConsoleConfig;
use mizan_core::credentials::{
    self as creds, CredentialError, CredentialKind, CredentialStore, Keychain, shape,
};
use serde_json::{Value, json};
use tamara::Sensitive;

use crate::CliError;
use crate::args::{Command, OrdersCommand};
use crate::output::{Output, say};
use crate::webhooks::WebhooksCommand;

#[derive(Debug, Subcommand)]
pub enum CredentialsCommand {
    /// Store the API token, notification token and public key of --env in the OS keychain,
    /// read from a hidden prompt or stdin (never from arguments).
    Set {
        /// Set only this one.
        #[arg(long, value_enum)]
        only: Option<KindArg>,
    },
    /// Which credentials are set, where from, and their last four characters.
    Show,
    /// Prove the API token of --env works with a harmless read (an order that cannot exist).
    Test {
        /// When refused, also try the token against the other environment, to tell whether it
        /// belongs there (sends it to the other environment's host).
        #[arg(long)]
        probe_other: bool,
    },
    /// Remove the credentials of --env from the OS keychain.
    Delete {
        /// Delete only this one.
        #[arg(long, value_enum)]
        only: Option<KindArg>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    ApiToken,
    NotificationToken,
    PublicKey,
}

impl KindArg {
    fn kinds(only: Option<KindArg>) -> Vec<CredentialKind> {
        match only {
            None => CredentialKind::ALL.to_vec(),
            Some(KindArg::ApiToken) => vec![CredentialKind::ApiToken],
            Some(KindArg::NotificationToken) => vec![CredentialKind::NotificationToken],
            Some(KindArg::PublicKey) => vec![CredentialKind::PublicKey],
        }
    }
}

/// The keychain failure met while filling the configuration, kept to explain a later
/// "no API token" error.
static KEYCHAIN_PROBLEM: OnceLock<CredentialError> = OnceLock::new();

/// Runs `f` (a blocking keychain call) off the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, CliError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| CliError::Failed {
            code: mizan_core::ErrorCode::KeychainFailed,
            message: format!("the keychain call did not finish: {e}"),
        })
}

fn failed(e: CredentialError) -> CliError {
    CliError::Failed {
        code: e.code(),
        message: e.to_string(),
    }
}

/// Whether `command` may talk to Tamara or verify deliveries, and so needs tokens. Commands
/// that only read the local cache are listed; anything else (including commands added later)
/// gets its tokens.
fn needs_credentials(command: &Command) -> bool {
    !matches!(
        command,
        Command::Sandbox(_)
            | Command::Credentials(_)
            | Command::Orders(OrdersCommand::List(_))
            | Command::Orders(OrdersCommand::Show { .. })
            | Command::Orders(OrdersCommand::Stuck)
            | Command::Webhooks(WebhooksCommand::Deliveries(_))
            | Command::Disputes(
                crate::disputes::DisputesCommand::List { .. }
                    | crate::disputes::DisputesCommand::ResponseDays { .. }
            )
    )
}

/// Fills the active environment's missing tokens from the keychain when `command` needs them
/// and the variables left a gap. A failure does not stop the command: it is remembered, and
/// replaces the "no API token" error should the command need the token after all.
pub async fn fill_active(config: &mut ConsoleConfig, command: &Command) {
    let env = config.environment;
    if !needs_credentials(command) || !creds::wants_keychain(config.for_env(env)) {
        return;
    }
    let mut cfg = config.for_env(env).clone();
    let keychain = Keychain::from_env();
    let filled =
        blocking(move || creds::fill_from_keychain(&mut cfg, &keychain).map(|()| cfg)).await;
    match filled {
        Ok(Ok(cfg)) => match env {
            Environment::Sandbox => config.sandbox = cfg,
            Environment::Production => config.production = cfg,
        },
        Ok(Err(e)) => {
            tracing::debug!(code = e.code().as_str(), "keychain not used");
            if matches!(command, Command::Serve(_) | Command::Status) {
                eprintln!("mizan: warning: {e}");
            }
            let _ = KEYCHAIN_PROBLEM.set(e);
        }
        Err(e) => tracing::warn!("keychain lookup failed: {e}"),
    }
}

/// A "no API token" error becomes the keychain failure that explains it.
pub fn explain(e: CliError) -> CliError {
    match KEYCHAIN_PROBLEM.get() {
        Some(problem) if e.code() == mizan_core::ErrorCode::CredentialsMissing => {
            failed(problem.clone())
        }
        _ => e,
    }
}

pub async fn run(
    config: ConsoleConfig,
    env_explicit: bool,
    out: &Output,
    command: &CredentialsCommand,
) -> Result<(), CliError> {
    let env = config.environment;
    let keychain = Arc::new(Keychain::from_env());
    match command {
        CredentialsCommand::Set { only } => {
            require_explicit(env_explicit, "set")?;
            set(env, &keychain, out, KindArg::kinds(*only)).await
        }
        CredentialsCommand::Delete { only } => {
            require_explicit(env_explicit, "delete")?;
            delete(env, &keychain, out, KindArg::kinds(*only)).await
        }
        CredentialsCommand::Show => {
            let envs = if env_explicit {
                vec![env]
            } else {
                Environment::ALL.to_vec()
            };
            report::show(&config, &envs, &keychain, out).await
        }
        CredentialsCommand::Test { probe_other } => {
            report::test(config, env, &keychain, out, *probe_other).await
        }
    }
}

/// Writing or deleting secrets of the wrong environment is the mistake that later looks like
/// a broken token: these two commands take the environment only when it is named.
fn require_explicit(env_explicit: bool, verb: &str) -> Result<(), CliError> {
    if env_explicit {
        Ok(())
    } else {
        Err(CliError::Usage(format!(
            "say which environment to {verb}: `mizan credentials {verb} --env sandbox` or \
             `--env production` (or set MIZAN_ENV)"
        )))
    }
}

/// The value of `kind`'s overriding variable, if set.
fn env_var(env: Environment, kind: CredentialKind) -> Option<Sensitive<String>> {
    mizan_core::credentials::from_env_var(env, kind)
}

async fn set(
    env: Environment,
    keychain: &Arc<Keychain>,
    out: &Output,
    kinds: Vec<CredentialKind>,
) -> Result<(), CliError> {
    let kc = keychain.clone();
    blocking(move || kc.connect(env)).await?.map_err(failed)?;
    let raw = input::read(env, &kinds)?;
    let mut checked: Vec<(CredentialKind, Sensitive<String>)> = Vec::new();
    for kind in &kinds {
        if let Some(v) = raw.get(kind) {
            let value = shape::check(*kind, v).map_err(|problem| {
                failed(CredentialError::Shape {
                    env,
                    kind: *kind,
                    problem,
                })
            })?;
            checked.push((*kind, value));
        }
    }
    let find = |k| checked.iter().find(|(c, _)| *c == k).map(|(_, v)| v);
    shape::check_pair(
        find(CredentialKind::ApiToken),
        find(CredentialKind::NotificationToken),
    )
    .map_err(|problem| {
        failed(CredentialError::Shape {
            env,
            kind: CredentialKind::NotificationToken,
            problem,
        })
    })?;
    let kc = keychain.clone();
    let to_store = checked.clone();
    blocking(move || {
        to_store
            .iter()
            .try_for_each(|(kind, value)| kc.set(env, *kind, value))
    })
    .await?
    .map_err(failed)?;
    let stored: Vec<Value> = checked
        .iter()
        .map(|(k, v)| json!({"kind": k.as_str(), "masked": v.masked()}))
        .collect();
    let overridden: Vec<String> = checked
        .iter()
        .filter(|(k, _)| env_var(env, *k).is_some())
        .map(|(k, _)| k.env_var(env))
        .collect();
    if out.json {
        out.json_value(&json!({
            "environment": env.as_str(), "service": keychain.service(),
            "stored": stored, "overridden_by": overridden,
        }));
        return Ok(());
    }
    for (kind, value) in &checked {
        say!(
            "Stored the {env} {} ({}) in the OS keychain (service {:?}).",
            kind.label(),
            value.masked(),
            keychain.service()
        );
    }
    for var in overridden {
        say!("Note: {var} is set and overrides the keychain value.");
    }
    let api_url_var = format!("MIZAN_{}_API_URL", env.env_var_prefix());
    if env == Environment::Sandbox
        && find(CredentialKind::ApiToken).is_some()
        && std::env::var(&api_url_var).is_err()
    {
        say!(
            "The sandbox now means Tamara's sandbox ({}) instead of the built-in simulator; \
             {api_url_var} overrides that.",
            tamara::client::SANDBOX_BASE_URL
        );
    }
    say!("Next: mizan credentials test --env {env}");
    Ok(())
}

async fn delete(
    env: Environment,
    keychain: &Arc<Keychain>,
    out: &Output,
    kinds: Vec<CredentialKind>,
) -> Result<(), CliError> {
    let kc = keychain.clone();
    let list = kinds.clone();
    let existed = blocking(move || {
        list.iter()
            .map(|k| kc.delete(env, *k))
            .collect::<Result<Vec<bool>, _>>()
    })
    .await?
    .map_err(failed)?;
    if out.json {
        let rows: Vec<Value> = kinds
            .iter()
            .zip(&existed)
            .map(|(k, e)| json!({"kind": k.as_str(), "deleted": e}))
            .collect();
        out.json_value(&json!({"environment": env.as_str(), "credentials": rows}));
        return Ok(());
    }
    for (kind, existed) in kinds.iter().zip(existed) {
        if existed {
            say!("Deleted the {env} {} from the OS keychain.", kind.label());
        } else {
            say!("No {env} {} was stored in the OS keychain.", kind.label());
        }
        if env_var(env, *kind).is_some() {
            say!(
                "Note: {} is still set and still supplies it.",
                kind.env_var(env)
            );
        }
    }
    Ok(())
}

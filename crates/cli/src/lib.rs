//! `mizan`: every capability of the console, scriptable. The binary (`src/main.rs`) only calls
//! [`main`]; the library also gives the packaging tools the same clap [`command`] to render the
//! man page and shell completions from (`src/bin/mizan-gen-docs.rs`).
//!
//! Exit status: 0 on success, 2 on a usage error (bad flags or values), 1 on any other error,
//! always with a one-line reason on stderr. `--json` puts machine-readable output on stdout.
//! In production every command first says so on stderr, so it cannot be mistaken for sandbox.

mod args;
mod audit;
mod checklist;
mod checkout;
mod checkout_check;
mod credentials;
mod disputes;
pub mod docs;
mod export;
mod in_store;
mod moves;
mod orders;
mod output;
mod remote;
mod resolve;
mod serve;
mod settlement;
mod status;
mod team;
mod webhooks;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use mizan_core::config::ConsoleConfig;
use mizan_core::{Console, Environment, ErrorCode};

use crate::args::{Cli, Command, EnvArg};

/// What `mizan --version` prints after the name: the workspace version and the commit it was
/// built from (`build.rs`; "unknown" outside a git checkout without `MIZAN_COMMIT`).
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("MIZAN_COMMIT"), ")");

/// The whole command line as clap sees it: what the man page and completions are rendered from.
pub fn command() -> clap::Command {
    Cli::command()
}

/// A failure with the exit status it maps to.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The user's input is wrong: exit 2.
    #[error("{0}")]
    Usage(String),
    /// Everything else: exit 1. The code is the core's stable error code.
    #[error("{message}")]
    Failed { code: ErrorCode, message: String },
}

impl From<mizan_core::Error> for CliError {
    fn from(e: mizan_core::Error) -> Self {
        let code = e.code();
        let message = e.to_string();
        match e {
            mizan_core::Error::Invalid(_) | mizan_core::Error::Config(_) => {
                CliError::Usage(message)
            }
            _ => CliError::Failed { code, message },
        }
    }
}

impl CliError {
    fn code(&self) -> ErrorCode {
        match self {
            CliError::Usage(_) => ErrorCode::Usage,
            CliError::Failed { code, .. } => *code,
        }
    }
}

/// Runs `mizan` with the process arguments and returns its exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse(); // clap exits 2 on a usage error, 0 on --help/--version
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MIZAN_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("mizan: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let json = cli.json;
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let e = credentials::explain(e);
            let line = e.to_string().replace('\n', " ");
            if json {
                let err = serde_json::json!({"error": {"code": e.code(), "message": line}});
                eprintln!("{err}");
            } else {
                eprintln!("mizan: {}", output::terminal_safe(&line));
            }
            ExitCode::from(match e {
                CliError::Usage(_) => 2,
                CliError::Failed { .. } => 1,
            })
        }
    }
}

async fn run(cli: Cli) -> Result<(), CliError> {
    if let Command::Sandbox(args) = cli.command {
        return tamara_sandbox::cli::run(args)
            .await
            .map_err(|e| CliError::Failed {
                code: ErrorCode::SandboxFailed,
                message: format!("{e:#}"),
            });
    }
    if let Some(server) = cli.server.clone() {
        let out = output::Output { json: cli.json };
        return remote::run(&server, &out, cli.command).await;
    }
    if matches!(cli.command, Command::Login | Command::Approvals { .. }) {
        return Err(CliError::Usage(
            "login and approvals work with a team server: pass --server URL".into(),
        ));
    }
    let mut config = ConsoleConfig::from_env().map_err(|e| CliError::Usage(e.to_string()))?;
    if let Some(env) = cli.env {
        config.environment = match env {
            EnvArg::Sandbox => Environment::Sandbox,
            EnvArg::Production => Environment::Production,
        };
    }
    if let Some(dir) = cli.data_dir {
        config.data_dir = dir;
    }
    if config.environment == Environment::Production {
        eprintln!(
            "mizan: ▌PRODUCTION▐ acting on live Tamara data ({})",
            config.active().api_url
        );
    }
    // Reading a statement needs only the file.
    if let Command::Settlement(settlement::SettlementCommand::Read(a)) = &cli.command {
        let out = output::Output { json: cli.json };
        return settlement::read(&out, a);
    }
    // The checker reads a file and nothing else: no store, no credentials, no network.
    if let Command::Checkout(args::CheckoutCommand::Check(a)) = &cli.command {
        let out = output::Output { json: cli.json };
        return checkout_check::run(config.environment, &out, a);
    }
    if let Command::Credentials(c) = &cli.command {
        let explicit =
            cli.env.is_some() || std::env::var("MIZAN_ENV").is_ok_and(|v| !v.trim().is_empty());
        let out = output::Output { json: cli.json };
        return credentials::run(config, explicit, &out, c).await;
    }
    if let Command::Serve(a) = &cli.command
        && let Some(url) = &a.database
    {
        config.database_url = Some(
            mizan_core::config::DatabaseUrl::parse(url)
                .map_err(|e| CliError::Usage(e.to_string()))?,
        );
    }
    credentials::fill_active(&mut config, &cli.command).await;
    let resilience = mizan_core::gateway::ResilienceConfig::from_lookup(|k| std::env::var(k).ok())?;
    let console = Console::open(config).await?.with_resilience(resilience);
    let out = output::Output { json: cli.json };
    // Serve runs on and is not "after" anything; audit commands sign themselves.
    if let Command::Serve(a) = cli.command {
        return serve::run(console, a).await;
    }
    let periodic = !matches!(cli.command, Command::Audit(_));
    let result = match cli.command {
        Command::Sandbox(_) => Ok(()),
        Command::Checkout(c) => checkout::run(&console, &out, c).await,
        Command::Orders(c) => orders::run(&console, &out, c).await,
        Command::Webhooks(c) => webhooks::run(&console, &out, c).await,
        Command::Status => status::status(&console, &out).await,
        Command::Reconcile => status::reconcile(&console, &out).await,
        Command::Serve(_) => Ok(()),
        Command::Team(c) => team::run(&console, &out, c).await,
        Command::Login | Command::Approvals { .. } => Ok(()),
        Command::Checklist(a) => checklist::run(&console, &out, a).await,
        Command::Authorise(a) => moves::authorise(&console, &out, a).await,
        Command::Capture(a) => moves::capture(&console, &out, a).await,
        Command::Refund(a) => moves::refund(&console, &out, a).await,
        Command::Cancel(a) => moves::cancel(&console, &out, a).await,
        Command::Resolve(a) => resolve::run(&console, &out, a).await,
        Command::Credentials(_) => Ok(()),
        Command::Audit(c) => audit::run(&console, &out, c).await,
        Command::Export(c) => export::run(&console, &out, c).await,
        Command::Disputes(c) => disputes::run(&console, &out, c).await,
        Command::Settlement(c) => settlement::run(&console, &out, c).await,
    };
    if periodic {
        audit::checkpoint_if_due(&console).await;
    }
    result
}

//! `mizan team`: the team server's people and tokens, run on the server's host against its
//! database (`MIZAN_DATABASE_URL`) — how the first admin is made; after that, admins use the
//! team API. A token is printed once and never stored.

use clap::{Args, Subcommand};
use mizan_core::Console;
use mizan_core::team::TokenHasher;
use mizan_core::team_api::{ApiError, people};

use crate::CliError;
use crate::output::Output;

#[derive(Debug, Subcommand)]
pub enum TeamCommand {
    /// Add a person with one role and print their first personal token (shown once).
    AddUser(AddUserArgs),
    /// List the team: id, name, role, disabled.
    Users,
    /// Revoke one of a person's tokens.
    Revoke(RevokeArgs),
}

#[derive(Debug, Args)]
pub struct AddUserArgs {
    /// Unique login name.
    pub name: String,
    /// admin, finance, developer or auditor.
    #[arg(long)]
    pub role: String,
}

#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The person's id (`mizan team users`).
    pub user: i64,
    /// The token's id.
    pub token: i64,
}

pub async fn run(console: &Console, out: &Output, cmd: TeamCommand) -> Result<(), CliError> {
    let by = console.context().config().operator.clone();
    match cmd {
        TeamCommand::AddUser(a) => {
            let issued = people::add_user(console, &a.name, &a.role, &by, &TokenHasher::default())
                .await
                .map_err(failed)?;
            if out.json {
                out.json_value(&serde_json::json!({
                    "user_id": issued.user.id, "token_id": issued.token_id, "token": issued.token
                }));
            } else {
                println!(
                    "user {} ({}); personal token (shown once, keep it safe):",
                    issued.user.id, issued.user.role
                );
                println!("{}", issued.token);
            }
        }
        TeamCommand::Users => {
            for u in people::users(console).await.map_err(failed)? {
                let disabled = if u.disabled { " (disabled)" } else { "" };
                println!("{:>4}  {:<24} {}{disabled}", u.id, u.name, u.role);
            }
        }
        TeamCommand::Revoke(a) => {
            people::revoke_token(console, a.user, a.token, &by)
                .await
                .map_err(failed)?;
            println!("revoked token {} of user {}", a.token, a.user);
        }
    }
    Ok(())
}

/// The team API's error as the CLI reports it: its stable code and message.
fn failed(e: ApiError) -> CliError {
    match e {
        ApiError::BadRequest(m) => CliError::Usage(m),
        other => CliError::Failed {
            code: other.code(),
            message: other.to_string(),
        },
    }
}

//! `mizan team`: the team server's people and tokens, run on the server's host against its
//! database (`MIZAN_DATABASE_URL`) — how the first admin is made; after that, admins use the
//! team API. A token is printed once and never stored.

use clap::{Args, Subcommand};
use mizan_core::Console;
use mizan_core::store::team;
use mizan_core::team::{Role, TokenHasher};

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
    let store = console.store();
    match cmd {
        TeamCommand::AddUser(a) => {
            let role: Role = a
                .role
                .parse()
                .map_err(|e: mizan_core::team::UnknownRole| CliError::Usage(e.to_string()))?;
            let now = console.now();
            let operator = console.context().config().operator.clone();
            let id = team::add_user(store, a.name.trim(), role, &operator, now)
                .await
                .map_err(mizan_core::Error::from)?;
            let (token, stored) = TokenHasher::default()
                .issue()
                .map_err(|e| CliError::Usage(e.to_string()))?;
            let token_id = team::add_token(store, id, &stored.prefix, &stored.hash, "first", now)
                .await
                .map_err(mizan_core::Error::from)?;
            if out.json {
                out.json_value(&serde_json::json!({
                    "user_id": id, "token_id": token_id, "token": token.reveal()
                }));
            } else {
                println!("user {id} ({role}); personal token (shown once, keep it safe):");
                println!("{}", token.reveal());
            }
        }
        TeamCommand::Users => {
            for u in team::users(store).await.map_err(mizan_core::Error::from)? {
                let disabled = if u.disabled_at.is_some() {
                    " (disabled)"
                } else {
                    ""
                };
                println!("{:>4}  {:<24} {}{disabled}", u.id, u.name, u.role);
            }
        }
        TeamCommand::Revoke(a) => {
            if !team::revoke_token(store, a.user, a.token, console.now())
                .await
                .map_err(mizan_core::Error::from)?
            {
                return Err(CliError::Usage(format!(
                    "user {} has no live token {}",
                    a.user, a.token
                )));
            }
            println!("revoked token {} of user {}", a.token, a.user);
        }
    }
    Ok(())
}

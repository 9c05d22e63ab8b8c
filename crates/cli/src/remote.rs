//! `mizan --server URL …`: the command line as a console of a team server. The token comes from
//! `MIZAN_SERVER_TOKEN`, else the OS keychain (saved by `mizan login`); the server does the
//! work and checks the role; `MIZAN_SERVER_CA` names a PEM file to trust for a self-signed
//! server. Commands the team API does not offer yet say so instead of acting on a local cache.

use std::io::{IsTerminal as _, Read as _};

use clap::Subcommand;
use mizan_core::credentials::Keychain;
use mizan_core::desktop::detail::{MoveInput, MoveItem, MoveKind};
use mizan_core::desktop::orders::OrdersQuery;
use mizan_core::team_client::{TeamClient, TeamClientError};
use serde_json::Value;
use tamara::Sensitive;

use crate::CliError;
use crate::args::{Command, OrdersCommand};
use crate::output::Output;

/// The token variable, which wins over the keychain (scripts, CI).
pub const TOKEN_VAR: &str = "MIZAN_SERVER_TOKEN";
const CA_VAR: &str = "MIZAN_SERVER_CA";

#[derive(Debug, Subcommand)]
pub enum ApprovalsCommand {
    /// Requests waiting for a second person (the default).
    List,
    /// Approve request ID: the move then runs, once, as you.
    Approve { id: i64 },
    /// Reject request ID.
    Reject { id: i64 },
}

fn failed(e: TeamClientError) -> CliError {
    match e {
        TeamClientError::BadAddress(_) | TeamClientError::BadCa { .. } => {
            CliError::Usage(e.to_string())
        }
        other => CliError::Failed {
            code: other.code(),
            message: other.to_string(),
        },
    }
}

fn client(server: &str, token: Sensitive<String>) -> Result<TeamClient, CliError> {
    let ca = std::env::var(CA_VAR).ok().filter(|v| !v.trim().is_empty());
    TeamClient::new(server, token, ca.as_deref().map(std::path::Path::new)).map_err(failed)
}

fn token(server: &str) -> Result<Sensitive<String>, CliError> {
    if let Ok(t) = std::env::var(TOKEN_VAR)
        && !t.trim().is_empty()
    {
        return Ok(Sensitive::new(t.trim().to_owned()));
    }
    let saved = Keychain::from_env()
        .team_token(server)
        .map_err(|e| CliError::Failed {
            code: e.code(),
            message: e.to_string(),
        })?;
    saved.ok_or_else(|| {
        CliError::Usage(format!(
            "no token for {server}: run `mizan --server {server} login` or set {TOKEN_VAR}"
        ))
    })
}

/// Runs `command` against the team server at `server`.
pub async fn run(server: &str, out: &Output, command: Command) -> Result<(), CliError> {
    if let Command::Login = command {
        return login(server, out).await;
    }
    let api = client(server, token(server)?)?;
    let answer = match command {
        Command::Orders(OrdersCommand::List(a)) => {
            let q = OrdersQuery {
                statuses: a.status,
                currency: a.currency,
                reference: a.reference,
                limit: a.limit,
                ..OrdersQuery::default()
            };
            api.orders_page(&q).await.map_err(failed)?
        }
        Command::Orders(OrdersCommand::Show { order }) => {
            api.order(&order).await.map_err(failed)?
        }
        Command::Authorise(a) => {
            move_money(&api, MoveKind::Authorise, &a.order, None, None, a.flags).await?
        }
        Command::Capture(a) => {
            if a.items.is_some() {
                return Err(unsupported("capture --items"));
            }
            let mut input = input(MoveKind::Capture, &a.order, a.amount, None);
            input.shipping_company = Some(a.shipping_company);
            input.tracking_number = a.tracking_number;
            send(&api, input, a.flags).await?
        }
        Command::Refund(a) => {
            move_money(
                &api,
                MoveKind::Refund,
                &a.order,
                Some(a.amount),
                Some(a.comment),
                a.flags,
            )
            .await?
        }
        Command::Cancel(a) => {
            move_money(&api, MoveKind::Cancel, &a.order, a.amount, None, a.flags).await?
        }
        Command::Approvals { command } => match command.unwrap_or(ApprovalsCommand::List) {
            ApprovalsCommand::List => api.approvals().await.map_err(failed)?,
            ApprovalsCommand::Approve { id } => api.decide(id, true).await.map_err(failed)?,
            ApprovalsCommand::Reject { id } => api.decide(id, false).await.map_err(failed)?,
        },
        other => return Err(unsupported(command_name(&other))),
    };
    print(out, &answer);
    Ok(())
}

fn input(
    kind: MoveKind,
    order: &str,
    amount: Option<String>,
    comment: Option<String>,
) -> MoveInput {
    MoveInput {
        kind,
        order_id: order.to_owned(),
        amount,
        items: None::<Vec<MoveItem>>,
        comment,
        shipping_company: None,
        tracking_number: None,
    }
}

async fn move_money(
    api: &TeamClient,
    kind: MoveKind,
    order: &str,
    amount: Option<String>,
    comment: Option<String>,
    flags: crate::moves::MoveFlags,
) -> Result<Value, CliError> {
    send(api, input(kind, order, amount, comment), flags).await
}

async fn send(
    api: &TeamClient,
    mut input: MoveInput,
    flags: crate::moves::MoveFlags,
) -> Result<Value, CliError> {
    if flags.dry_run || flags.idempotency_key.is_some() {
        return Err(unsupported("--dry-run and --idempotency-key"));
    }
    if input.kind != MoveKind::Refund {
        input.comment = flags.note;
    }
    api.move_money(&input, flags.confirm.as_deref())
        .await
        .map_err(failed)
}

fn unsupported(what: &str) -> CliError {
    CliError::Usage(format!(
        "{what} does not work with --server yet: run it on the server's host"
    ))
}

fn command_name(c: &Command) -> &'static str {
    match c {
        Command::Orders(_) => "this orders command",
        Command::Checkout(_) => "checkout",
        Command::Webhooks(_) => "webhooks",
        Command::Export(_) => "export",
        Command::Settlement(_) => "settlement",
        Command::Audit(_) => "audit",
        _ => "this command",
    }
}

/// JSON as the server gave it with `--json`; otherwise pretty JSON too, with a one-line summary
/// first for the answers a person scans.
fn print(out: &Output, answer: &Value) {
    if out.json {
        out.json_value(answer);
        return;
    }
    match answer["status"].as_str() {
        Some("awaiting_approval") => println!(
            "queued for approval #{} (a second person must approve it before {})",
            answer["approval"]["id"], answer["approval"]["expires_at"]
        ),
        Some("done") => println!(
            "{}: {}",
            answer["result"]["outcome"].as_str().unwrap_or("?"),
            answer["result"]["detail"].as_str().unwrap_or("")
        ),
        _ => println!(
            "{}",
            serde_json::to_string_pretty(answer).unwrap_or_default()
        ),
    }
}

/// `mizan --server URL login`: reads a personal token (hidden prompt, or stdin when piped),
/// checks it with the server and saves it in the OS keychain.
async fn login(server: &str, out: &Output) -> Result<(), CliError> {
    let raw = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("personal token for {server} (input hidden): "))
            .map_err(|e| CliError::Usage(format!("cannot read the token: {e}")))?
    } else {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| CliError::Usage(format!("cannot read the token from stdin: {e}")))?;
        text
    };
    let token = raw.trim().to_owned();
    let me = client(server, Sensitive::new(token.clone()))?
        .me()
        .await
        .map_err(failed)?;
    Keychain::from_env()
        .save_team_token(server, &token)
        .map_err(|e| CliError::Failed {
            code: e.code(),
            message: e.to_string(),
        })?;
    if out.json {
        out.json_value(&me);
    } else {
        println!(
            "signed in to {server} as {} ({}); the token is in the OS keychain",
            me["name"].as_str().unwrap_or("?"),
            me["role"].as_str().unwrap_or("?")
        );
    }
    Ok(())
}

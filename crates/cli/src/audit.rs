//! `mizan audit list | verify`: read the hash-chained audit log, and prove it untouched.
//!
//! Neither talks to Tamara. `verify` walks the whole chain (both environments) and exits 1 with
//! code `audit_chain_broken`, naming the first broken entry, when a row was edited, inserted or
//! deleted; intact, it prints the head so it can be noted outside this machine.

use clap::{Args, Subcommand};
use mizan_core::Console;
use mizan_core::audit::{self, AuditEntry, ChainReport};
use mizan_core::export::{Window, Zone};
use serde_json::{Value, json};

use crate::CliError;
use crate::export::usage_or_failed;
use crate::output::{Output, say, table};

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recent entries of the active environment, oldest first.
    List(AuditListArgs),
    /// Check the whole chain; exit 1 naming the first edited, inserted or deleted entry.
    Verify,
}

#[derive(Debug, Args)]
pub struct AuditListArgs {
    /// At most this many entries (the newest), 1 to 10000.
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    /// Only entries at or after this date (UTC day) or RFC 3339 time.
    #[arg(long)]
    pub since: Option<String>,
    /// Entries of both environments.
    #[arg(long)]
    pub all_envs: bool,
}

pub async fn run(console: &Console, out: &Output, cmd: AuditCommand) -> Result<(), CliError> {
    match cmd {
        AuditCommand::List(args) => list(console, out, args).await,
        AuditCommand::Verify => verify(console, out).await,
    }
}

async fn list(console: &Console, out: &Output, args: AuditListArgs) -> Result<(), CliError> {
    if args.limit == 0 || args.limit > 10_000 {
        return Err(CliError::Usage(format!(
            "--limit must be 1 to 10000, got {}",
            args.limit
        )));
    }
    let since = Window::parse(args.since.as_deref(), None, Zone::UTC)
        .map_err(|e| CliError::Usage(e.to_string().replace("--from", "--since")))?
        .from;
    let env = (!args.all_envs).then(|| console.environment());
    let entries = audit::recent(console.store(), env, since, args.limit)
        .await
        .map_err(usage_or_failed)?;
    if out.json {
        out.json_value(&Value::Array(entries.iter().map(entry_json).collect()));
        return Ok(());
    }
    if entries.is_empty() {
        say!("No audit entries.");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                e.seq.to_string(),
                e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                e.environment.to_string(),
                format!("{}/{}", e.os_user, e.operator),
                e.action.clone(),
                e.subject.clone(),
                e.result.clone(),
            ]
        })
        .collect();
    say!(
        "{}",
        table(
            &[
                "SEQ",
                "TIME (UTC)",
                "ENV",
                "WHO",
                "ACTION",
                "SUBJECT",
                "RESULT"
            ],
            &rows
        )
    );
    Ok(())
}

fn entry_json(e: &AuditEntry) -> Value {
    json!({
        "seq": e.seq,
        "environment": e.environment.as_str(),
        "at": e.at.to_rfc3339(),
        "os_user": e.os_user,
        "operator": e.operator,
        "action": e.action,
        "subject": e.subject,
        "request_summary": e.request_summary,
        "result": e.result,
        "prev_hash": e.prev_hash,
        "hash": e.hash,
    })
}

async fn verify(console: &Console, out: &Output) -> Result<(), CliError> {
    let report = audit::verify(console.store(), console.now()).await?;
    if out.json {
        out.json_value(&report_json(&report));
    }
    match &report.broken {
        None => {
            if !out.json {
                match &report.head {
                    Some(h) => say!(
                        "Audit chain intact: {} entries. Head: seq {} hash {}",
                        report.verified,
                        h.seq,
                        h.hash
                    ),
                    None => say!("Audit chain intact: no entries yet."),
                }
            }
            Ok(())
        }
        Some(b) => Err(CliError::Failed {
            code: mizan_core::ErrorCode::AuditChainBroken,
            message: format!(
                "audit chain broken at entry {}: {} ({} entries before it verified)",
                b.seq,
                b.describe(),
                report.verified
            ),
        }),
    }
}

fn report_json(r: &ChainReport) -> Value {
    json!({
        "intact": r.is_intact(),
        "verified": r.verified,
        "head": r.head.as_ref().map(|h| json!({"seq": h.seq, "hash": h.hash})),
        "checkpoint": r.checkpoint.as_ref().map(|h| json!({"seq": h.seq, "hash": h.hash})),
        "first_broken": r.broken.as_ref().map(|b| json!({
            "seq": b.seq,
            "kind": b.kind(),
            "message": b.describe(),
        })),
    })
}

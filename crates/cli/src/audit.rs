//! `mizan audit list | verify | checkpoint | checkpoints | rotate-key`: read the hash-chained
//! audit log, and prove it untouched with checkpoints signed by a key the database does not hold.
//!
//! None talks to Tamara. `verify` walks the whole chain (both environments) through every
//! signed checkpoint and exits 1 with code `audit_chain_broken`, naming the first broken entry,
//! when a row was edited, inserted or deleted, the tail cut or a checkpoint forged; intact, it
//! signs and prints the head so it can be noted outside this machine. The key comes from
//! `MIZAN_AUDIT_KEY_FILE` or the OS keychain (generated on first use) and is never printed.

use clap::{Args, Subcommand};
use mizan_core::Console;
use mizan_core::audit::checkpoint::{self, SignedReport};
use mizan_core::audit::key::KEY_FILE_VAR;
use mizan_core::audit::{self, AuditEntry, AuditKeyError, AuditKeys, KeySource};
use mizan_core::export::{Window, Zone};
use mizan_core::store::audit_checkpoints::CheckpointRow;
use serde_json::{Value, json};

use crate::CliError;
use crate::export::usage_or_failed;
use crate::output::{Output, say, table};

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recent entries of the active environment, oldest first.
    List(AuditListArgs),
    /// Check the whole chain against its signed checkpoints; exit 1 naming the first edited,
    /// inserted or deleted entry, a cut tail or a forged checkpoint. Signs the head when intact.
    Verify(AuditVerifyArgs),
    /// Verify, then sign the head even if a checkpoint already vouches for it.
    Checkpoint,
    /// Print the signed checkpoints (with `--json`, for an anchor off this machine).
    Checkpoints,
    /// Sign the head with the old key, switch to a new key, sign the same head with it.
    RotateKey,
}

#[derive(Debug, Args)]
pub struct AuditVerifyArgs {
    /// Also check heads noted off this machine: a file saved from `mizan audit checkpoints
    /// --json` or `mizan audit verify --json`. Each must still be in the chain with its hash.
    #[arg(long, value_name = "FILE")]
    pub anchor: Option<std::path::PathBuf>,
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
        AuditCommand::Verify(args) => verify(console, out, false, args.anchor.as_deref()).await,
        AuditCommand::Checkpoint => verify(console, out, true, None).await,
        AuditCommand::Checkpoints => checkpoints(console, out).await,
        AuditCommand::RotateKey => rotate_key(console, out).await,
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

/// Loads the audit key (generating it on first use), off the async threads: the keychain and
/// the file system block.
pub(crate) async fn load_keys(source: KeySource) -> Result<(AuditKeys, KeySource), CliError> {
    tokio::task::spawn_blocking(move || source.load_or_create().map(|(k, _)| (k, source)))
        .await
        .map_err(|e| CliError::Failed {
            code: mizan_core::ErrorCode::AuditKeyUnavailable,
            message: format!("loading the audit key stopped: {e}"),
        })?
        .map_err(|e| mizan_core::Error::from(e).into())
}

async fn verify(
    console: &Console,
    out: &Output,
    force: bool,
    anchor: Option<&std::path::Path>,
) -> Result<(), CliError> {
    // The anchor is read and checked first: a chain that fails it is not signed.
    let anchored = match anchor {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                CliError::Usage(format!("cannot read the anchor {}: {e}", path.display()))
            })?;
            let points = audit::anchor::parse(&text)
                .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
            let broken = audit::anchor::check(console.store(), &points).await?;
            Some((points.len(), broken))
        }
    };
    if let Some((_, Some(b))) = &anchored {
        if out.json {
            out.json_value(&json!({
                "intact": false,
                "anchor": anchor.map(|p| p.display().to_string()),
                "first_broken": {"seq": b.seq, "kind": b.kind(), "message": b.describe()},
            }));
        }
        return Err(CliError::Failed {
            code: mizan_core::ErrorCode::AuditChainBroken,
            message: format!(
                "audit chain broken at entry {} against the anchor: {}",
                b.seq,
                b.describe()
            ),
        });
    }
    let (keys, _) = load_keys(KeySource::from_env()).await?;
    let report = audit::verify_signed(console.store(), &keys, force, console.now()).await?;
    let result = finish(out, &report);
    if let (Some((n, None)), Ok(()), false) = (&anchored, &result, out.json) {
        say!("Anchor: all {n} noted head(s) are in the chain with their hashes.");
    }
    result
}

/// Prints a report and turns a break into exit 1.
fn finish(out: &Output, report: &SignedReport) -> Result<(), CliError> {
    if out.json {
        out.json_value(&report_json(report));
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
                say!("{}", coverage(report));
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

/// Which part of the chain the key vouches for, and what this run signed.
fn coverage(r: &SignedReport) -> String {
    let mut text = match &r.covered_from {
        Some(c) if c.reason == "adopt" => format!(
            "Signed with audit key {}: entries 1 to {} were adopted as found on {}; every \
             later entry was written under the key.",
            r.key_id,
            c.seq,
            c.at.format("%Y-%m-%d %H:%M:%S UTC")
        ),
        Some(c) => format!(
            "Signed with audit key {}: checkpoints cover the chain from entry 1 (the oldest \
             at entry {}).",
            r.key_id, c.seq
        ),
        None => format!("Audit key {}: no checkpoint yet.", r.key_id),
    };
    if let Some(w) = &r.written {
        text.push_str(&format!(" Signed checkpoint {} at entry {}.", w.id, w.seq));
    }
    text
}

async fn checkpoints(console: &Console, out: &Output) -> Result<(), CliError> {
    let rows = checkpoint::list(console.store()).await?;
    if out.json {
        out.json_value(&Value::Array(rows.iter().map(checkpoint_json).collect()));
        return Ok(());
    }
    if rows.is_empty() {
        say!("No signed checkpoints yet: run `mizan audit verify`.");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|c| {
            vec![
                c.id.to_string(),
                c.seq.to_string(),
                c.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                c.reason.clone(),
                c.key_id.clone(),
                c.head_hash.clone(),
            ]
        })
        .collect();
    say!(
        "{}",
        table(
            &["ID", "SEQ", "TIME (UTC)", "REASON", "KEY", "HEAD HASH"],
            &rows
        )
    );
    Ok(())
}

async fn rotate_key(console: &Console, out: &Output) -> Result<(), CliError> {
    let (keys, source) = load_keys(KeySource::from_env()).await?;
    let old = keys.current().id().to_owned();
    let save = |ring: AuditKeys| async move {
        tokio::task::spawn_blocking(move || source.store(&ring).map(|()| ring))
            .await
            .map_err(|e| AuditKeyError::KeychainUnavailable {
                reason: format!("saving the audit key stopped: {e}"),
            })?
    };
    let (report, rotated) = checkpoint::rotate(console.store(), &keys, save, console.now()).await?;
    if rotated.is_some() && !out.json {
        say!(
            "Audit key rotated: {old} (retired, kept to check its checkpoints) -> {}.",
            report.key_id
        );
    }
    finish(out, &report)
}

/// Best-effort periodic checkpoint after a command, only where a key file is configured: the
/// keychain is never opened unasked, and a failure here never fails the command (the next
/// `mizan audit verify` reports whatever it was).
pub async fn checkpoint_if_due(console: &Console) {
    if std::env::var(KEY_FILE_VAR).is_ok_and(|v| !v.trim().is_empty()) {
        let source = KeySource::from_env();
        let loaded = tokio::task::spawn_blocking(move || source.load()).await;
        if let Ok(Ok(Some(keys))) = loaded
            && let Err(e) = audit::checkpoint_if_due(console.store(), &keys, console.now()).await
        {
            tracing::warn!(code = %e.code(), "periodic audit checkpoint not written: {e}");
        }
    }
}

fn checkpoint_json(c: &CheckpointRow) -> Value {
    json!({
        "id": c.id,
        "seq": c.seq,
        "head_hash": c.head_hash,
        "entry_count": c.entry_count,
        "at": c.at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
        "reason": c.reason,
        "key_id": c.key_id,
        "mac": c.mac,
    })
}

fn report_json(r: &SignedReport) -> Value {
    json!({
        "intact": r.is_intact(),
        "verified": r.verified,
        "head": r.head.as_ref().map(|h| json!({"seq": h.seq, "hash": h.hash})),
        "key_id": r.key_id,
        "checkpoints": r.checkpoints,
        "covered_from": r.covered_from.as_ref().map(checkpoint_json),
        "written": r.written.as_ref().map(checkpoint_json),
        "first_broken": r.broken.as_ref().map(|b| json!({
            "seq": b.seq,
            "kind": b.kind(),
            "message": b.describe(),
        })),
    })
}

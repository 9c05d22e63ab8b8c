//! `mizan checklist`: the go-live checklist with evidence, manual marks, and the sign-off report.
//!
//! Reading the checklist and writing the report touch only the local cache (offline). The
//! report is written to a temporary file beside the target and renamed, so a failure never
//! leaves a half-written report.

use std::io::Write as _;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use mizan_core::Console;
use mizan_core::checklist::rehearse;
use mizan_core::checklist::report::{self, ReportFormat};
use mizan_core::checklist::{self, ItemKind, ItemState, ItemStatus};

use crate::CliError;
use crate::output::{Output, say, table};

#[derive(Debug, Args)]
pub struct ChecklistArgs {
    #[command(subcommand)]
    pub command: Option<ChecklistCommand>,
}

#[derive(Debug, Subcommand)]
pub enum ChecklistCommand {
    /// Every item with its state and evidence (the default).
    List,
    /// Confirm a manual item (or reopen it with --undo), with a note.
    Mark {
        id: String,
        #[arg(long)]
        note: Option<String>,
        #[arg(long)]
        undo: bool,
    },
    /// Run every automatable scenario end to end against the built-in simulator (sandbox only)
    /// and fill the evidence.
    Rehearse,
    /// Write the sign-off report: Markdown, or HTML for a .html file.
    Report {
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
    },
}

fn state(s: ItemState) -> &'static str {
    match s {
        ItemState::Passed => "passed",
        ItemState::Pending => "pending",
        ItemState::Done => "done",
        ItemState::Open => "open",
    }
}

fn detail(i: &ItemStatus) -> String {
    if let Some(e) = i.evidence.first() {
        let more = i.evidence.len().saturating_sub(1);
        return if more > 0 {
            format!("{} (+{more})", e.summary)
        } else {
            e.summary.clone()
        };
    }
    if let Some(m) = &i.missing {
        return m.clone();
    }
    match (&i.mark, i.item.kind) {
        (Some(m), _) => format!("{} by {}", m.note.as_deref().unwrap_or("marked"), m.by),
        (None, ItemKind::Manual) => format!("manual: `mizan checklist mark {}`", i.item.id),
        (None, ItemKind::Automatic) => String::new(),
    }
}

pub async fn run(console: &Console, out: &Output, args: ChecklistArgs) -> Result<(), CliError> {
    match args.command.unwrap_or(ChecklistCommand::List) {
        ChecklistCommand::List => {
            let c = checklist::evaluate(console).await?;
            if out.json {
                out.json_value(&serde_json::to_value(&c).unwrap_or_default());
                return Ok(());
            }
            let rows: Vec<Vec<String>> = c
                .items
                .iter()
                .map(|i| {
                    vec![
                        state(i.state).to_owned(),
                        format!("{}{}", i.item.id, if i.item.optional { " *" } else { "" }),
                        i.item.title.to_owned(),
                        detail(i),
                    ]
                })
                .collect();
            say!(
                "{}",
                table(&["STATE", "ID", "ITEM", "EVIDENCE / NOTE"], &rows)
            );
            let (ok, total) = c.progress();
            say!("{ok} of {total} required items complete (* = optional)");
        }
        ChecklistCommand::Mark { id, note, undo } => {
            let s = checklist::mark(console, &id, !undo, note.as_deref()).await?;
            if out.json {
                out.json_value(&serde_json::to_value(&s).unwrap_or_default());
            } else {
                say!("{}: {}", s.item.id, state(s.state));
            }
        }
        ChecklistCommand::Rehearse => rehearse(console, out).await?,
        ChecklistCommand::Report { output } => {
            let c = checklist::evaluate(console).await?;
            let format = ReportFormat::from_path(&output);
            let text = report::render(&c, &console.config().operator, format);
            write_atomically(&output, text.as_bytes())?;
            let (ok, total) = c.progress();
            if out.json {
                out.json_value(&serde_json::json!({
                    "file": output.display().to_string(), "complete": ok, "required": total,
                }));
            } else {
                say!(
                    "Wrote {} ({ok} of {total} required items complete)",
                    output.display()
                );
            }
        }
    }
    Ok(())
}

/// The rehearsal's checkout: the same defaults as `mizan checkout create` for 300.00 SAR.
fn rehearsal_checkout() -> Result<tamara::model::checkout::CheckoutRequest, CliError> {
    #[derive(clap::Parser)]
    struct Defaults {
        #[command(flatten)]
        args: crate::args::CheckoutCreateArgs,
    }
    let d = <Defaults as clap::Parser>::try_parse_from([
        "rehearse",
        "--reference",
        "REHEARSE",
        "--amount",
        "300.00",
    ])
    .map_err(|e| CliError::Usage(e.to_string()))?;
    crate::checkout::request_from_flags(&d.args)
}

async fn rehearse(console: &Console, out: &Output) -> Result<(), CliError> {
    let steps = rehearse::rehearse(console, rehearsal_checkout()?).await?;
    let c = checklist::evaluate(console).await?;
    let failed = steps.iter().filter(|s| !s.ok).count();
    if out.json {
        out.json_value(&serde_json::json!({
            "steps": steps, "checklist": serde_json::to_value(&c).unwrap_or_default(),
        }));
    } else {
        for s in &steps {
            say!(
                "{} {:<34} {}{}",
                if s.ok { "ok  " } else { "FAIL" },
                s.step,
                s.detail,
                s.order_id
                    .as_deref()
                    .map(|o| format!("  [{o}]"))
                    .unwrap_or_default()
            );
        }
        let automatic: Vec<_> = c
            .items
            .iter()
            .filter(|i| i.item.kind == ItemKind::Automatic)
            .collect();
        let passed = automatic
            .iter()
            .filter(|i| i.state == ItemState::Passed)
            .count();
        say!(
            "{passed} of {} automatic checklist items have evidence; `mizan checklist` shows them",
            automatic.len()
        );
    }
    if failed > 0 {
        return Err(CliError::Failed {
            code: mizan_core::ErrorCode::RehearsalFailed,
            message: format!("{failed} rehearsal step(s) failed"),
        });
    }
    Ok(())
}

fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<(), CliError> {
    let fail = |e: std::io::Error| CliError::Failed {
        code: mizan_core::ErrorCode::ReportWriteFailed,
        message: format!("cannot write {}: {e}", path.display()),
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

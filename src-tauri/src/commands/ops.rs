//! Exports, the go-live checklist and the dashboard.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use mizan_core::checklist::{self, ItemKind, ItemState, ItemStatus, rehearse, report};
use mizan_core::demo::customers::{self, Dice};
use mizan_core::export::{
    self, AuditExport, Destination, Format, OrdersExport, SettlementExport, Window, Zone,
};
use mizan_core::views::dashboard as dash;
use tauri::State;
use tauri_specta::Event as _;

use crate::dto::ops::{
    ChecklistItem, ChecklistKind, Dashboard, ExportKind, ExportResult, RehearsalReport,
    RehearsalStep, ReportFormat, VolumeDay, WebhookHealth,
};
use crate::dto::{amount, count, time};
use crate::error::{IpcError, IpcResult};
use crate::events::{ExportProgress, RehearsalProgress};
use crate::state::AppState;

/// A path the operator chose: absolute, in an existing directory.
fn output_path(path: &str) -> IpcResult<PathBuf> {
    let p = PathBuf::from(path.trim());
    if path.trim().is_empty() || !p.is_absolute() {
        return Err(IpcError::invalid(format!(
            "choose where to save: {path:?} is not an absolute path"
        )));
    }
    match p.parent() {
        Some(dir) if dir.is_dir() => Ok(p),
        _ => Err(IpcError::invalid(format!(
            "the folder of {} does not exist",
            p.display()
        ))),
    }
}

static EXPORTS: AtomicU64 = AtomicU64::new(0);

/// What to export and where.
struct ExportJob {
    kind: ExportKind,
    file: PathBuf,
    window: Window,
    format: Format,
    export_id: String,
}

/// Runs one export, pushing progress events; returns the rows and any extra files.
async fn run_export(
    console: mizan_core::Console,
    app: tauri::AppHandle,
    job: ExportJob,
) -> IpcResult<(u64, Vec<String>)> {
    let env = console.environment();
    let id = job.export_id.clone();
    let mut progress = move |rows: u64| {
        let event = ExportProgress {
            export_id: id.clone(),
            rows: count(rows),
            done: false,
        };
        if let Err(e) = event.emit(&app) {
            tracing::warn!("event not emitted: {e}");
        }
    };
    let dest = Destination::File(job.file.clone());
    let store = console.store();
    let actor = console.config().operator.clone();
    let (window, format) = (job.window, job.format);
    Ok(match job.kind {
        ExportKind::Settlement => {
            let req = SettlementExport {
                environment: env,
                window,
                include_unsettled: false,
                format,
            };
            let r = export::settlement(store, &req, &dest, &actor, &mut progress).await?;
            let extra = r.totals_file.map(|p| p.display().to_string());
            (r.rows, extra.into_iter().collect())
        }
        ExportKind::Audit => {
            let req = AuditExport {
                environment: env,
                all_environments: false,
                window,
                format,
            };
            (
                export::audit(store, &req, &dest, &actor, &mut progress).await?,
                vec![],
            )
        }
        ExportKind::Orders => {
            let req = OrdersExport {
                environment: env,
                window,
                format,
            };
            (
                export::orders(store, &req, &dest, &actor, &mut progress).await?,
                vec![],
            )
        }
    })
}

/// Writes a CSV export to `path` (replaced atomically when complete), pushing
/// `ExportProgress` events as rows are written.
#[tauri::command]
#[specta::specta]
pub async fn export_run(
    state: State<'_, AppState>,
    kind: ExportKind,
    path: String,
    from: Option<String>,
    to: Option<String>,
    timezone: String,
) -> IpcResult<ExportResult> {
    let console = state.console().await;
    let file = output_path(&path)?;
    let zone = Zone::parse(timezone.trim())?;
    let blank = |t: &Option<String>| t.clone().filter(|t| !t.trim().is_empty());
    let window = Window::parse(blank(&from).as_deref(), blank(&to).as_deref(), zone)?;
    let export_id = format!(
        "export-{}-{}",
        chrono::Utc::now().timestamp_millis(),
        EXPORTS.fetch_add(1, Ordering::Relaxed)
    );
    let job = ExportJob {
        kind,
        file: file.clone(),
        window,
        format: Format { bom: false, zone },
        export_id: export_id.clone(),
    };
    // The core's streaming exports are driven on a thread of their own: their futures borrow
    // the store across awaits in a way the command runtime cannot prove `Send`.
    let app = state.app.clone();
    let runtime = tokio::runtime::Handle::current();
    let (rows, extra_paths) =
        tokio::task::spawn_blocking(move || runtime.block_on(run_export(console, app, job)))
            .await
            .map_err(|e| {
                IpcError::new(
                    mizan_core::ErrorCode::ExportWriteFailed,
                    format!("the export stopped: {e}"),
                )
            })??;
    let done = ExportProgress {
        export_id: export_id.clone(),
        rows: count(rows),
        done: true,
    };
    if let Err(e) = done.emit(&state.app) {
        tracing::warn!("event not emitted: {e}");
    }
    Ok(ExportResult {
        export_id,
        rows: count(rows),
        path: file.display().to_string(),
        extra_paths,
    })
}

fn item_dto(i: &ItemStatus) -> ChecklistItem {
    ChecklistItem {
        id: i.item.id.to_owned(),
        section: i.item.section.to_owned(),
        title: i.item.title.to_owned(),
        kind: match i.item.kind {
            ItemKind::Automatic => ChecklistKind::Automatic,
            ItemKind::Manual => ChecklistKind::Manual,
        },
        optional: i.item.optional,
        done: matches!(i.state, ItemState::Passed | ItemState::Done),
        evidence: i.evidence.iter().map(|e| e.summary.clone()).collect(),
        note: i
            .missing
            .clone()
            .or_else(|| i.mark.as_ref().and_then(|m| m.note.clone())),
    }
}

/// The go-live checklist of the active environment, with evidence.
#[tauri::command]
#[specta::specta]
pub async fn checklist(state: State<'_, AppState>) -> IpcResult<Vec<ChecklistItem>> {
    let c = checklist::evaluate(&state.console().await).await?;
    Ok(c.items.iter().map(item_dto).collect())
}

/// Marks a manual item done (or reopens it with `done: false`).
#[tauri::command]
#[specta::specta]
pub async fn checklist_mark(
    state: State<'_, AppState>,
    id: String,
    done: bool,
    note: Option<String>,
) -> IpcResult<ChecklistItem> {
    let s = checklist::mark(&state.console().await, id.trim(), done, note.as_deref()).await?;
    Ok(item_dto(&s))
}

/// Rehearses every automatable scenario against the built-in sandbox; each finished step is
/// also pushed as a `RehearsalProgress` event.
#[tauri::command]
#[specta::specta]
pub async fn checklist_rehearse(state: State<'_, AppState>) -> IpcResult<RehearsalReport> {
    let (console, base) = {
        let s = state.session.read().await;
        (s.console.clone(), s.receiver_base().unwrap_or_default())
    };
    let mut req = customers::checkout(&mut Dice::new(7), 1, &base)
        .map_err(|e| IpcError::invalid(e.to_string()))?;
    req.order_reference_id = "REHEARSE".into();
    let steps = rehearse::rehearse(&console, req).await?;
    let steps: Vec<RehearsalStep> = steps
        .into_iter()
        .map(|s| RehearsalStep {
            step: s.step,
            ok: s.ok,
            detail: s.detail,
        })
        .collect();
    for s in &steps {
        let event = RehearsalProgress {
            step: s.step.clone(),
            ok: s.ok,
            detail: s.detail.clone(),
        };
        if let Err(e) = event.emit(&state.app) {
            tracing::warn!("event not emitted: {e}");
        }
    }
    Ok(RehearsalReport {
        ok: steps.iter().all(|s| s.ok),
        steps,
    })
}

/// Writes the sign-off report (Markdown or HTML) to `path`.
#[tauri::command]
#[specta::specta]
pub async fn checklist_report(
    state: State<'_, AppState>,
    path: String,
    format: ReportFormat,
) -> IpcResult<String> {
    let console = state.console().await;
    let file = output_path(&path)?;
    let c = checklist::evaluate(&console).await?;
    let format = match format {
        ReportFormat::Md => report::ReportFormat::Markdown,
        ReportFormat::Html => report::ReportFormat::Html,
    };
    let text = report::render(&c, &console.config().operator, format);
    tokio::fs::write(&file, text).await.map_err(|e| {
        IpcError::new(
            mizan_core::ErrorCode::ExportWriteFailed,
            format!("cannot write {}: {e}", file.display()),
        )
    })?;
    Ok(file.display().to_string())
}

/// Volume per day, webhook health, breaker, backlog and reconciler over the last `days`.
#[tauri::command]
#[specta::specta]
pub async fn dashboard(state: State<'_, AppState>, days: u32) -> IpcResult<Dashboard> {
    let (console, every) = {
        let s = state.session.read().await;
        (s.console.clone(), s.reconcile_every)
    };
    let d = dash::dashboard(&console, days, every, chrono::Utc::now()).await?;
    Ok(Dashboard {
        volume: d
            .volume
            .iter()
            .map(|v| VolumeDay {
                day: v.day.clone(),
                currency: v.captured.currency().code().to_owned(),
                captured: amount(v.captured),
                refunded: amount(v.refunded),
            })
            .collect(),
        webhooks: WebhookHealth {
            received: count(
                d.deliveries.verified + d.deliveries.rejected + d.deliveries.invalid_body,
            ),
            rejected: count(d.deliveries.rejected + d.deliveries.invalid_body),
            failed: count(d.deliveries.failed),
        },
        breaker: d.breaker.to_owned(),
        backlog: count(d.backlog),
        reconciler_last_run: d.reconciler_last_run.map(time),
        reconciler_late: d.reconciler_late,
    })
}

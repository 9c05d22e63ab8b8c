//! Exports, the go-live checklist and the dashboard.

use std::sync::atomic::{AtomicU64, Ordering};

use mizan_core::ErrorCode;
use mizan_core::desktop::count;
use mizan_core::desktop::ops::{
    self, ChecklistItem, Dashboard, ExportKind, ExportResult, RehearsalReport, ReportFormat,
};
use tauri::State;

use crate::error::{IpcError, IpcResult};
use crate::events::{ExportProgress, RehearsalProgress, emit};
use crate::state::AppState;

static EXPORTS: AtomicU64 = AtomicU64::new(0);

/// The files an export of `kind` to `path` would replace (empty: none exists).
#[tauri::command]
#[specta::specta]
pub fn export_existing(kind: ExportKind, path: String) -> IpcResult<Vec<String>> {
    Ok(ops::export_existing(kind, &ops::output_path(&path)?))
}

/// Writes a CSV export to `path` (replaced atomically when complete; an existing file only
/// with `overwrite`), pushing `ExportProgress` events as rows are written. `order_ids`
/// restricts an orders export to those orders (the list's selection).
#[tauri::command]
#[specta::specta]
// Each argument is a named field of the UI's call; a struct would only rename them.
#[allow(clippy::too_many_arguments)]
pub async fn export_run(
    state: State<'_, AppState>,
    kind: ExportKind,
    path: String,
    from: Option<String>,
    to: Option<String>,
    timezone: String,
    overwrite: bool,
    order_ids: Option<Vec<String>>,
) -> IpcResult<ExportResult> {
    let console = state.console().await;
    let file = ops::output_path(&path)?;
    let window = ops::export_window(from.as_deref(), to.as_deref(), &timezone)?;
    let n = EXPORTS.fetch_add(1, Ordering::Relaxed);
    let export_id = format!("export-{}-{n}", console.now().timestamp_millis());
    let (app, id, target) = (state.app.clone(), export_id.clone(), file.clone());
    let mut progress = move |rows: u64| {
        let (export_id, rows) = (id.clone(), count(rows));
        emit(
            &app,
            ExportProgress {
                export_id,
                rows,
                done: false,
            },
        );
    };
    // The core's streaming exports run on a thread of their own: their futures borrow the
    // store across awaits in a way the command runtime cannot prove `Send`.
    let runtime = tokio::runtime::Handle::current();
    let run = move || {
        runtime.block_on(ops::export_csv(
            &console,
            (kind, &target, overwrite),
            window,
            order_ids,
            &mut progress,
        ))
    };
    let (rows, extra_paths) = tokio::task::spawn_blocking(run).await.map_err(|e| {
        IpcError::new(
            ErrorCode::ExportWriteFailed,
            format!("the export stopped: {e}"),
        )
    })??;
    let rows = count(rows);
    emit(
        &state.app,
        ExportProgress {
            export_id: export_id.clone(),
            rows,
            done: true,
        },
    );
    let path = file.display().to_string();
    Ok(ExportResult {
        export_id,
        rows,
        path,
        extra_paths,
    })
}

/// The go-live checklist of the active environment, with evidence.
#[tauri::command]
#[specta::specta]
pub async fn checklist(state: State<'_, AppState>) -> IpcResult<Vec<ChecklistItem>> {
    Ok(ops::checklist(&state.console().await).await?)
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
    let console = state.console().await;
    Ok(ops::checklist_mark(&console, &id, done, note.as_deref()).await?)
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
    let report = ops::rehearse(&console, &base).await?;
    for s in &report.steps {
        let (step, ok, detail) = (s.step.clone(), s.ok, s.detail.clone());
        emit(&state.app, RehearsalProgress { step, ok, detail });
    }
    Ok(report)
}

/// Writes the sign-off report (Markdown or HTML) to `path`.
#[tauri::command]
#[specta::specta]
pub async fn checklist_report(
    state: State<'_, AppState>,
    path: String,
    format: ReportFormat,
) -> IpcResult<String> {
    Ok(ops::checklist_report(&state.console().await, &path, format).await?)
}

/// Volume per day, webhook health, breaker, backlog and reconciler over the last `days`.
#[tauri::command]
#[specta::specta]
pub async fn dashboard(state: State<'_, AppState>, days: u32) -> IpcResult<Dashboard> {
    let (console, every) = {
        let s = state.session.read().await;
        (s.console.clone(), s.reconcile_every)
    };
    Ok(ops::dashboard(&console, days, every).await?)
}

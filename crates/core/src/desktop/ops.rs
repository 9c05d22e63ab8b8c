//! Exports, the go-live checklist, the dashboard and the credentials screen.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::EnvironmentName;
use super::{amount, count, time};
use crate::checklist::{self, ItemKind, ItemState, ItemStatus, rehearse, report};
use crate::config::{ConsoleConfig, TokenSource};
use crate::console::Console;
use crate::credentials::{self, CredentialKind, CredentialState, Keychain};
use crate::demo::customers::{self, Dice};
use crate::environment::Environment;
use crate::error::{Error, Result};
use crate::export::{
    self, AuditExport, Destination, Format, OrdersExport, SettlementExport, Window, Zone,
};
use crate::views::dashboard as dash;

/// Which CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    Settlement,
    Audit,
    Orders,
}

/// A finished export.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ExportResult {
    pub export_id: String,
    pub rows: u32,
    pub path: String,
    /// Other files written next to it (the settlement totals).
    pub extra_paths: Vec<String>,
}

/// How a checklist item is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ChecklistKind {
    Automatic,
    Manual,
}

/// One go-live checklist item.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChecklistItem {
    pub id: String,
    pub section: String,
    pub title: String,
    pub kind: ChecklistKind,
    pub optional: bool,
    pub done: bool,
    /// Evidence sentences (order ids, delivery ids, times), when done.
    pub evidence: Vec<String>,
    /// What is still missing (automatic) or the operator's note (manual).
    pub note: Option<String>,
}

/// One step of the sandbox rehearsal.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RehearsalStep {
    pub step: String,
    pub ok: bool,
    pub detail: String,
}

/// The whole rehearsal.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RehearsalReport {
    pub ok: bool,
    pub steps: Vec<RehearsalStep>,
}

/// The checklist report's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    Md,
    Html,
}

/// Captured and refunded money of one day in one currency.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct VolumeDay {
    /// `2025-01-31` (UTC).
    pub day: String,
    pub currency: String,
    pub captured: String,
    pub refunded: String,
}

/// Webhook deliveries over the dashboard's window.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct WebhookHealth {
    pub received: u32,
    pub rejected: u32,
    /// Verified deliveries whose processing failed.
    pub failed: u32,
}

/// The dashboard.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Dashboard {
    pub volume: Vec<VolumeDay>,
    pub webhooks: WebhookHealth,
    /// `closed`, `open` or `half_open`.
    pub breaker: String,
    /// Verified deliveries waiting for the processor.
    pub backlog: u32,
    pub reconciler_last_run: Option<String>,
    /// The reconciler missed two of its intervals.
    pub reconciler_late: bool,
    /// The last registration-health check.
    pub registrations: super::registrations::RegistrationStatus,
    /// Refused deliveries of the last ten minutes, when they are spiking.
    pub rejection_spike: Option<super::alerts::RejectionSpike>,
}

/// A secret as the UI may see it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Masked {
    pub set: bool,
    /// The last 4 characters, for recognising which token it is.
    pub last4: Option<String>,
    /// `keychain`, `environment variable`, `built-in demo` or `unset`.
    pub source: String,
}

/// The credentials of one environment.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CredentialStatus {
    pub environment: EnvironmentName,
    pub api_token: Masked,
    pub notification_token: Masked,
    pub public_key: Masked,
    /// Why the keychain could not be read, if it could not.
    pub keychain_error: Option<String>,
}

/// Which credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum CredentialKindName {
    ApiToken,
    NotificationToken,
    PublicKey,
}

/// The live check of an API token.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CredentialTest {
    pub ok: bool,
    pub detail: String,
}

/// The demo traffic generator.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DemoState {
    /// False outside demo mode.
    pub available: bool,
    pub running: bool,
    pub orders_created: u32,
}

impl DemoState {
    /// The generator's state; None outside demo mode.
    pub fn of(generator: Option<&crate::demo::Generator>) -> DemoState {
        DemoState {
            available: generator.is_some(),
            running: generator.is_some_and(crate::demo::Generator::running),
            orders_created: count(generator.map_or(0, crate::demo::Generator::orders_created)),
        }
    }
}

/// A path the operator chose: absolute, in an existing directory.
///
/// # Errors
/// [`Error::Invalid`].
pub fn output_path(path: &str) -> Result<PathBuf> {
    let p = PathBuf::from(path.trim());
    if path.trim().is_empty() || !p.is_absolute() {
        return Err(Error::Invalid(format!(
            "choose where to save: {path:?} is not an absolute path"
        )));
    }
    match p.parent() {
        Some(dir) if dir.is_dir() => Ok(p),
        _ => Err(Error::Invalid(format!(
            "the folder of {} does not exist",
            p.display()
        ))),
    }
}

/// The export's window and format from the dialog's texts (blank: unbounded).
///
/// # Errors
/// The export's own errors (an unknown time zone, a time that does not parse).
pub fn export_window(
    from: Option<&str>,
    to: Option<&str>,
    timezone: &str,
) -> Result<(Window, Format)> {
    let zone = Zone::parse(timezone.trim())?;
    let from = from.filter(|t| !t.trim().is_empty());
    let to = to.filter(|t| !t.trim().is_empty());
    let window = Window::parse(from, to, zone)?;
    Ok((window, Format { bom: false, zone }))
}

/// The files an export of `kind` to `file` would replace (the file, and the settlement's
/// `.totals.csv`), so the UI can name them before asking.
pub fn export_existing(kind: ExportKind, file: &Path) -> Vec<String> {
    let targets = export::guard::targets(file, kind == ExportKind::Settlement);
    let found = export::guard::existing(&targets);
    found.iter().map(|p| p.display().to_string()).collect()
}

/// Writes one CSV export of the active environment to `file`, calling `progress` with the
/// rows written so far; returns the rows and any extra files. An existing file (or the
/// settlement's `.totals.csv`) is replaced only with `overwrite`. `order_ids` restricts an
/// orders export to those orders (the list's selection).
///
/// # Errors
/// `export_file_exists` without `overwrite` when a target exists; `invalid_input` for an empty
/// selection or a selection on another kind of export; export and store errors.
pub async fn export_csv(
    console: &Console,
    (kind, file, overwrite): (ExportKind, &Path, bool),
    (window, format): (Window, Format),
    order_ids: Option<Vec<String>>,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<(u64, Vec<String>)> {
    match &order_ids {
        Some(ids) if ids.is_empty() => {
            return Err(Error::Invalid("select at least one order to export".into()));
        }
        Some(_) if kind != ExportKind::Orders => {
            return Err(Error::Invalid(
                "only the orders export takes a selection".into(),
            ));
        }
        _ => {}
    }
    let targets = export::guard::targets(file, kind == ExportKind::Settlement);
    export::guard::refuse_existing(&targets, overwrite)?;
    let environment = console.environment();
    let dest = Destination::File(file.to_path_buf());
    let store = console.store();
    let actor = console.config().operator.clone();
    Ok(match kind {
        ExportKind::Settlement => {
            let req = SettlementExport {
                environment,
                window,
                include_unsettled: false,
                format,
            };
            let r = export::settlement(store, &req, &dest, &actor, console.now(), progress).await?;
            let extra = r.totals_file.map(|p| p.display().to_string());
            (r.rows, extra.into_iter().collect())
        }
        ExportKind::Audit => {
            let all_environments = false;
            let req = AuditExport {
                environment,
                all_environments,
                window,
                format,
            };
            let rows = export::audit(store, &req, &dest, &actor, console.now(), progress).await?;
            (rows, vec![])
        }
        ExportKind::Orders => {
            let req = OrdersExport {
                environment,
                window,
                format,
                order_ids,
            };
            let rows = export::orders(store, &req, &dest, &actor, console.now(), progress).await?;
            (rows, vec![])
        }
    })
}

impl From<&ItemStatus> for ChecklistItem {
    fn from(i: &ItemStatus) -> Self {
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
}

/// The go-live checklist of the active environment, with evidence.
///
/// # Errors
/// Store errors.
pub async fn checklist(console: &Console) -> Result<Vec<ChecklistItem>> {
    let c = checklist::evaluate(console).await?;
    Ok(c.items.iter().map(ChecklistItem::from).collect())
}

/// Marks a manual item done (or reopens it with `done: false`).
///
/// # Errors
/// As [`checklist::mark`].
pub async fn checklist_mark(
    console: &Console,
    id: &str,
    done: bool,
    note: Option<&str>,
) -> Result<ChecklistItem> {
    let s = checklist::mark(console, id.trim(), done, note).await?;
    Ok(ChecklistItem::from(&s))
}

/// Rehearses every automatable scenario against the built-in sandbox, its webhooks pointed at
/// `receiver_base`.
///
/// # Errors
/// As [`rehearse::rehearse`].
pub async fn rehearse(console: &Console, receiver_base: &str) -> Result<RehearsalReport> {
    let mut req = customers::checkout(&mut Dice::new(7), 1, receiver_base)
        .map_err(|e| Error::Invalid(e.to_string()))?;
    req.order_reference_id = "REHEARSE".into();
    let steps: Vec<RehearsalStep> = rehearse::rehearse(console, req)
        .await?
        .into_iter()
        .map(|s| RehearsalStep {
            step: s.step,
            ok: s.ok,
            detail: s.detail,
        })
        .collect();
    Ok(RehearsalReport {
        ok: steps.iter().all(|s| s.ok),
        steps,
    })
}

/// Writes the sign-off report (Markdown or HTML) to `path`; returns where.
///
/// # Errors
/// [`Error::Invalid`] for a bad path; `export_write_failed` when it cannot be written.
pub async fn checklist_report(
    console: &Console,
    path: &str,
    format: ReportFormat,
) -> Result<String> {
    let file = output_path(path)?;
    let c = checklist::evaluate(console).await?;
    let format = match format {
        ReportFormat::Md => report::ReportFormat::Markdown,
        ReportFormat::Html => report::ReportFormat::Html,
    };
    let text = report::render(&c, &console.config().operator, format);
    tokio::fs::write(&file, text).await.map_err(|e| {
        Error::from(export::ExportError::File {
            path: file.display().to_string(),
            reason: e.to_string(),
        })
    })?;
    Ok(file.display().to_string())
}

/// Volume per day, webhook health, breaker, backlog and reconciler over the last `days`.
///
/// # Errors
/// Store errors.
pub async fn dashboard(
    console: &Console,
    days: u32,
    reconcile_every: Option<std::time::Duration>,
) -> Result<Dashboard> {
    let d = dash::dashboard(console, days, reconcile_every, console.now()).await?;
    let checked = crate::webhooks::registration_health::last(console).await?;
    let n = &d.deliveries;
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
            received: count(n.verified + n.rejected + n.invalid_body),
            rejected: count(n.rejected + n.invalid_body),
            failed: count(n.failed),
        },
        breaker: d.breaker.to_owned(),
        backlog: count(d.backlog),
        reconciler_last_run: d.reconciler_last_run.map(time),
        reconciler_late: d.reconciler_late,
        registrations: checked.as_ref().into(),
        rejection_spike: super::alerts::RejectionSpike::of(&d.rejections),
    })
}

impl From<CredentialKindName> for CredentialKind {
    fn from(k: CredentialKindName) -> Self {
        match k {
            CredentialKindName::ApiToken => CredentialKind::ApiToken,
            CredentialKindName::NotificationToken => CredentialKind::NotificationToken,
            CredentialKindName::PublicKey => CredentialKind::PublicKey,
        }
    }
}

fn masked(s: Option<&credentials::CredentialStatus>) -> Masked {
    Masked {
        set: s.is_some_and(|s| matches!(s.state, CredentialState::Set | CredentialState::Demo)),
        last4: s.and_then(|s| s.last4.clone()),
        source: s
            .map_or(TokenSource::Unset, |s| s.source)
            .as_str()
            .to_owned(),
    }
}

/// One environment's credentials from the variables and the OS keychain (blocking: call off
/// the async threads). `built_in_sandbox`: the configuration runs on the built-in simulator.
pub fn credential_status(env: Environment, built_in_sandbox: bool) -> CredentialStatus {
    let (statuses, problem) =
        credentials::read_statuses(env, &Keychain::from_env(), built_in_sandbox);
    let of = |kind| masked(statuses.iter().find(|s| s.kind == kind));
    CredentialStatus {
        environment: env.into(),
        api_token: of(CredentialKind::ApiToken),
        notification_token: of(CredentialKind::NotificationToken),
        public_key: of(CredentialKind::PublicKey),
        keychain_error: problem.map(|e| e.to_string()),
    }
}

/// Proves the environment's API token works with a harmless read; a refusal is a result, not
/// an error.
pub async fn credential_test(config: &ConsoleConfig, env: Environment) -> CredentialTest {
    match credentials::test_api_token(config, env, false).await {
        Ok(t) => CredentialTest {
            ok: true,
            detail: format!(
                "{} accepted the API token from the {} (HTTP {} on a harmless read)",
                t.url,
                t.source.as_str(),
                t.status
            ),
        },
        Err(e) => CredentialTest {
            ok: false,
            detail: e.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::ErrorCode;

    #[test]
    fn output_paths_must_be_absolute_in_an_existing_folder() {
        let dir = tempfile::tempdir().unwrap();
        let ok = dir.path().join("x.csv");
        assert_eq!(output_path(&ok.display().to_string()).unwrap(), ok);
        for bad in ["", "relative.csv", "/no/such/folder/x.csv"] {
            let e = output_path(bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidInput, "{bad}");
        }
    }

    #[test]
    fn a_credential_nothing_supplies_is_unset() {
        let m = masked(None);
        assert!(!m.set);
        assert_eq!(m.source, "unset");
    }
}

//! The go-live checklist (reference §14): what software can verify, verified from the local
//! cache with evidence; what only a person can confirm, as checkboxes with a note.
//!
//! Owns the evaluation ([`evaluate`]), manual marks ([`mark`], stored per environment in
//! `settings` under `checklist.<id>` and audited), the sign-off report ([`report`]) and the
//! rehearsal against the simulator ([`rehearse`]).
//!
//! Invariants: evaluation reads only the local store (no network), so it works offline and is
//! reproducible; an automatic item cannot be marked by hand — it passes only on evidence.

pub mod evidence;
pub mod items;
pub mod rehearse;
pub mod report;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::audit::{self, AuditRecord};
use crate::console::Console;
use crate::environment::Environment;
use crate::error::{Error, Result};
use crate::store::settings::{self, SettingScope};
pub use evidence::{Evidence, Finding};
pub use items::{ChecklistItem, ITEMS, ItemKind};

const MARK_PREFIX: &str = "checklist.";

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    /// Automatic, with evidence.
    Passed,
    /// Automatic, evidence still missing.
    Pending,
    /// Manual, confirmed by a person.
    Done,
    /// Manual, not confirmed yet.
    Open,
}

/// A person's confirmation of a manual item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManualMark {
    pub done: bool,
    pub note: Option<String>,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// One item with its state and evidence.
#[derive(Debug, Clone, Serialize)]
pub struct ItemStatus {
    #[serde(flatten)]
    pub item: ChecklistItem,
    pub state: ItemState,
    pub evidence: Vec<Evidence>,
    /// For a pending item: what is missing.
    pub missing: Option<String>,
    pub mark: Option<ManualMark>,
}

/// The whole checklist of one environment.
#[derive(Debug, Clone, Serialize)]
pub struct Checklist {
    pub environment: Environment,
    pub generated_at: DateTime<Utc>,
    pub items: Vec<ItemStatus>,
}

impl Checklist {
    /// (passed or done, total) over required items — optional ones do not block go-live.
    pub fn progress(&self) -> (usize, usize) {
        let required: Vec<_> = self.items.iter().filter(|i| !i.item.optional).collect();
        let ok = required
            .iter()
            .filter(|i| matches!(i.state, ItemState::Passed | ItemState::Done))
            .count();
        (ok, required.len())
    }
}

/// Evaluates every item from the local cache.
///
/// # Errors
/// Store errors.
pub async fn evaluate(console: &Console) -> Result<Checklist> {
    let mut items = Vec::with_capacity(ITEMS.len());
    for item in ITEMS {
        items.push(status_of(console, item).await?);
    }
    Ok(Checklist {
        environment: console.environment(),
        generated_at: console.now(),
        items,
    })
}

async fn status_of(console: &Console, item: &ChecklistItem) -> Result<ItemStatus> {
    let mut status = ItemStatus {
        item: *item,
        state: ItemState::Open,
        evidence: vec![],
        missing: None,
        mark: None,
    };
    match item.kind {
        ItemKind::Automatic => match evidence::check(console, item.id).await? {
            Some(Finding::Passed(ev)) => {
                status.state = ItemState::Passed;
                status.evidence = ev;
            }
            Some(Finding::Missing(why)) => {
                status.state = ItemState::Pending;
                status.missing = Some(why);
            }
            None => status.state = ItemState::Pending,
        },
        ItemKind::Manual => {
            let key = format!("{MARK_PREFIX}{}", item.id);
            let scope = SettingScope::Env(console.environment());
            status.mark = settings::get(console.store(), scope, &key)
                .await?
                .and_then(|v| serde_json::from_str::<ManualMark>(&v).ok());
            if status.mark.as_ref().is_some_and(|m| m.done) {
                status.state = ItemState::Done;
            }
        }
    }
    Ok(status)
}

/// Marks a manual item done (or not) with an optional note, as the console's operator.
///
/// # Errors
/// [`Error::Invalid`] for an unknown id or an automatic item; store errors.
pub async fn mark(
    console: &Console,
    id: &str,
    done: bool,
    note: Option<&str>,
) -> Result<ItemStatus> {
    let item = items::find(id).ok_or_else(|| {
        Error::Invalid(format!(
            "no checklist item {id:?}; `mizan checklist` lists the ids"
        ))
    })?;
    if item.kind == ItemKind::Automatic {
        return Err(Error::Invalid(format!(
            "{id} is verified from evidence, not marked by hand; `mizan checklist rehearse` \
             produces the evidence against the sandbox"
        )));
    }
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > 2_000) {
        return Err(Error::Invalid("a note is at most 2000 characters".into()));
    }
    let mark = ManualMark {
        done,
        note: note.map(str::to_owned),
        by: console.config().operator.clone(),
        at: console.now(),
    };
    let env = console.environment();
    let json = serde_json::to_string(&mark).unwrap_or_default();
    let key = format!("{MARK_PREFIX}{id}");
    settings::set(
        console.store(),
        SettingScope::Env(env),
        &key,
        &json,
        console.now(),
    )
    .await?;
    audit::record(
        console.store(),
        AuditRecord {
            env,
            actor: mark.by.clone(),
            action: "checklist.mark".into(),
            subject: id.to_owned(),
            request_summary: note.map(str::to_owned),
            result: if done { "done" } else { "open" }.into(),
        },
        console.now(),
    )
    .await?;
    status_of(console, item).await
}

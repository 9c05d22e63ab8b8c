//! Saved views of the order list: named queries, stored per environment in the settings
//! table as the UI's own JSON (the core does not interpret it).
//!
//! Invariants: names are 1 to 60 characters, unique per environment (saving again replaces);
//! at most [`MAX_VIEWS`] per environment; a stored view that no longer parses is skipped, not
//! fatal.

use crate::console::Console;
use crate::error::{Error, Result};
use crate::store::settings::{self, SettingScope};

/// Settings key prefix of a saved view (`orders_view.<name>`).
pub const VIEW_PREFIX: &str = "orders_view.";

/// Most saved views per environment.
pub const MAX_VIEWS: usize = 50;

/// A saved view: its name and the query as JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedView {
    pub name: String,
    pub query_json: String,
}

fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(Error::Invalid(
            "a view name must be 1 to 60 characters".into(),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::Invalid(
            "a view name must not contain control characters".into(),
        ));
    }
    Ok(name.to_owned())
}

/// The active environment's saved views, by name.
///
/// # Errors
/// Store errors.
pub async fn list(console: &Console) -> Result<Vec<SavedView>> {
    let all = settings::list(console.store(), SettingScope::Env(console.environment())).await?;
    Ok(all
        .into_iter()
        .filter_map(|s| {
            s.key.strip_prefix(VIEW_PREFIX).map(|name| SavedView {
                name: name.to_owned(),
                query_json: s.value,
            })
        })
        .collect())
}

/// Saves (or replaces) the view `name`.
///
/// # Errors
/// [`Error::Invalid`] for a bad name, a query that is not a JSON object, or too many views;
/// store errors.
pub async fn save(console: &Console, name: &str, query_json: &str) -> Result<SavedView> {
    let name = check_name(name)?;
    let parsed: serde_json::Value = serde_json::from_str(query_json)
        .map_err(|e| Error::Invalid(format!("the view's query is not JSON: {e}")))?;
    if !parsed.is_object() {
        return Err(Error::Invalid(
            "the view's query must be a JSON object".into(),
        ));
    }
    let existing = list(console).await?;
    if existing.len() >= MAX_VIEWS && !existing.iter().any(|v| v.name == name) {
        return Err(Error::Invalid(format!(
            "at most {MAX_VIEWS} saved views; delete one first"
        )));
    }
    let scope = SettingScope::Env(console.environment());
    settings::set(
        console.store(),
        scope,
        &format!("{VIEW_PREFIX}{name}"),
        query_json,
        console.now(),
    )
    .await?;
    Ok(SavedView {
        name,
        query_json: query_json.to_owned(),
    })
}

/// Deletes the view `name`.
///
/// # Errors
/// [`Error::Invalid`] when there is no such view; store errors.
pub async fn delete(console: &Console, name: &str) -> Result<()> {
    let name = check_name(name)?;
    let scope = SettingScope::Env(console.environment());
    let removed = settings::remove(console.store(), scope, &format!("{VIEW_PREFIX}{name}")).await?;
    if removed {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "there is no saved view named {name:?}"
        )))
    }
}

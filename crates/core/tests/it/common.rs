//! Set-up shared by the core's integration tests: a console over a real SQLite file in a data
//! directory, configured from variables the way `mizan` reads its environment.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::Path;

use mizan_core::Console;
use mizan_core::config::ConsoleConfig;

/// The configuration `vars` give, with `MIZAN_DATA_DIR` set to `dir`.
pub fn config(dir: &Path, vars: &[(&str, &str)]) -> ConsoleConfig {
    let vars: HashMap<String, String> = [("MIZAN_DATA_DIR", dir.to_str().unwrap())]
        .iter()
        .chain(vars)
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    ConsoleConfig::from_vars(&vars).unwrap()
}

/// A console over `dir`, configured by `vars`.
pub async fn console(dir: &Path, vars: &[(&str, &str)]) -> Console {
    Console::open(config(dir, vars)).await.unwrap()
}

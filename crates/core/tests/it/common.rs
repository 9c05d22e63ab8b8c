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

/// A sandbox delivery stored as the receiver would: `verdict` (401 for a refusal, 200 else),
/// from `sender` when given, about `event` when given.
pub async fn stored_delivery(
    console: &Console,
    at: chrono::DateTime<chrono::Utc>,
    verdict: mizan_core::store::deliveries::DeliveryVerdict,
    sender: Option<&str>,
    event: Option<&str>,
) {
    use mizan_core::store::deliveries::{self, DeliveryVerdict, NewDelivery};
    let refused = verdict == DeliveryVerdict::Rejected;
    deliveries::insert(
        console.store(),
        &NewDelivery {
            environment: mizan_core::Environment::Sandbox,
            received_at: at,
            method: "POST".into(),
            path: "/webhooks/tamara".into(),
            query: None,
            headers_json: "{}".into(),
            body: "{}".into(),
            verdict,
            reason: refused.then(|| "no token".to_owned()),
            http_status: if refused { 401 } else { 200 },
            order_id: None,
            event_type: event.map(str::to_owned),
            sender: sender.map(str::to_owned),
            sizes: None,
        },
    )
    .await
    .unwrap();
}

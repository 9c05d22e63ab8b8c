//! The link to the built-in Tamara simulator's control API (`/_sandbox/…`), for the features
//! that drive a simulated customer: the demo traffic and the go-live rehearsal.
//!
//! Invariant: nothing here ever talks to Tamara. [`SimulatorLink::connect`] refuses any
//! environment but sandbox, and any API URL that does not answer the simulator's own health
//! route, before a single order is touched.

use std::time::Duration;

use crate::console::Console;
use crate::environment::Environment;
use crate::error::{Error, Result};

/// The simulator's base URL and an HTTP client for its control routes.
#[derive(Debug, Clone)]
pub struct SimulatorLink {
    /// Base URL without a trailing slash.
    pub api: String,
    pub http: reqwest::Client,
}

impl SimulatorLink {
    /// Checks that `console` is on sandbox and its API URL is the built-in simulator.
    /// `wrong_env` and `not_simulator` are the refusals' texts (each feature says what the
    /// operator can do instead); `not_simulator` may use `{api}`.
    ///
    /// # Errors
    /// [`Error::Invalid`] with one of the two texts, or when no HTTP client can be built.
    pub async fn connect(
        console: &Console,
        wrong_env: &str,
        not_simulator: &str,
    ) -> Result<SimulatorLink> {
        if console.environment() != Environment::Sandbox {
            return Err(Error::Invalid(wrong_env.to_owned()));
        }
        let api = console
            .config()
            .active()
            .api_url
            .trim_end_matches('/')
            .to_owned();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| Error::Invalid(format!("cannot build an HTTP client: {e}")))?;
        let probe = http.get(format!("{api}/_sandbox/health")).send().await;
        if !probe.is_ok_and(|r| r.status().is_success()) {
            return Err(Error::Invalid(not_simulator.replace("{api}", &api)));
        }
        Ok(SimulatorLink { api, http })
    }
}

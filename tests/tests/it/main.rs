//! Cross-crate scenarios: the real client, core and simulator over SQLite and loopback HTTP; shared
//! fixtures in the library (`tests/lib.rs`).
//!
//! One binary for all of them: each integration-test binary links the whole dependency tree,
//! so one per crate keeps the build short. Add a test file here as a `mod`, not as a new file
//! directly under `tests/`.

mod auto_authorise;
mod client_in_store;
mod client_vs_sandbox;
mod console_cache;
mod disputes;
mod fidelity;
mod processor_burst;
mod receiver_inbox;
mod reconcile;
mod resilience;
mod unknowns_api;
mod unknowns_moves;
mod unknowns_webhooks;
mod webhook_pipeline;

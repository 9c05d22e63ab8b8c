//! The simulator's integration tests, over real HTTP on loopback.
//!
//! One binary for all of them: each integration-test binary links the whole dependency tree,
//! so one per crate keeps the build short. Add a test file here as a `mod`, not as a new file
//! directly under `tests/`.

mod auth_and_input;
mod common;
mod contract;
mod disputes;
mod hosted_and_seed;
mod openapi;
mod state_machine;
mod statements;
mod unknowns_api;
mod unknowns_orders;
mod webhooks;

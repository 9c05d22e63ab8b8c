//! The wire client's integration tests: the reference examples and a loopback server.
//!
//! One binary for all of them: each integration-test binary links the whole dependency tree,
//! so one per crate keeps the build short. Add a test file here as a `mod`, not as a new file
//! directly under `tests/`.

mod client;
mod contract;
mod lenient;
mod openapi;

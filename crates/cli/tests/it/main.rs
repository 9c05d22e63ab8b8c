//! The `mizan` binary's integration tests: each test runs the real executable
//! (`CARGO_BIN_EXE_mizan`) against its own data directory and, where it needs one, a simulator.
//!
//! One binary for all of them: each integration-test binary links the whole dependency tree,
//! so one per crate keeps the build short. Add a test file here as a `mod`, not as a new file
//! directly under `tests/`.

mod adversarial;
mod audit_anchor_cli;
mod audit_key_cli;
mod bench_team;
mod bench_webhooks;
mod checklist_cli;
mod checkout_check_cli;
mod cli;
mod common;
mod credentials_cli;
mod disputes_cli;
mod docs_gen;
mod export_cli;
mod in_store_cli;
mod instances_cli;
mod moves_ambiguous;
mod moves_cli;
mod moves_refusals;
mod moves_support;
mod serve_kill;
mod settlement_cli;
mod settlement_payouts_cli;
mod team_server_cli;
mod webhook_tools;
mod webhooks_cli;

//! The core's integration tests: the store on real SQLite files, the read models, exports, the
//! checklist and demo traffic against the simulator.
//!
//! One binary for all of them: each integration-test binary links the whole dependency tree,
//! so one per crate keeps the build short. Add a test file here as a `mod`, not as a new file
//! directly under `tests/`.

mod audit_chain;
mod audit_guard;
mod audit_keyed;
mod backends;
mod checklist;
mod checkout_check;
mod clock;
mod common;
mod demo_traffic;
mod desktop_export_overwrite;
mod desktop_payouts;
mod desktop_reconciliation;
mod desktop_till;
mod export_files;
mod export_fixture;
mod export_settlement;
mod inbox_retention;
mod module_cycles;
mod order_list_scale;
mod processor_concurrency;
mod receiver_alerts;
mod receiver_refused;
mod receiver_server;
mod reconcile_instances;
mod reconcile_schedule;
mod registration_health;
mod settlement_payouts;
mod settlement_reconcile;
mod settlement_sim;
mod store_audit_settings;
mod store_deliveries;
mod store_inbox;
mod store_inbox_stats;
mod store_inbox_writer;
mod store_ledger;
mod store_ledger_settlement;
mod store_order_events;
mod store_order_list;
mod store_orders;
mod store_registrations_disputes;
mod store_schema;
mod store_seed_watch;
mod store_statements;
mod store_team;
mod team_api;
mod views_lists_trust;
mod views_misc;
mod views_order_list;

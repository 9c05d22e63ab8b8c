//! Read models for the desktop app: what each screen shows, computed from the cache in one
//! place so the Tauri commands stay a few lines each (and the CLI could show the same).
//!
//! Owns: the order list page with its capped count ([`orders`]), saved list views
//! ([`saved`]), the "needs attention" queue ([`attention`]), one order in full with its merged
//! timeline and allowed actions ([`detail`]), the dashboard ([`dashboard`]), the token tester
//! ([`token_check`]) and the change feed the app turns into events ([`changes`]).
//!
//! Invariants: read-only except saved views (the settings table); never calls the gateway;
//! every read is bounded, so each stays fast with a million cached orders.

pub mod attention;
pub mod backlog;
pub mod changes;
pub mod dashboard;
pub mod detail;
pub mod orders;
pub mod phrase;
pub mod saved;
pub mod token_check;

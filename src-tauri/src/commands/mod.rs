//! The commands the webview may call: a few lines each over [`mizan_core::Console`] and the
//! core's read models, grouped by screen. Each returns `Result<T, IpcError>`.
//!
//! Invariant: commands hold the session lock only to clone the console (or to switch it), never
//! across a network call.

pub mod app;
pub mod checkout;
pub mod disputes;
pub mod moves;
pub mod ops;
pub mod orders;
pub mod payouts;
pub mod settings;
pub mod statements;
pub mod till;
pub mod webhooks;

//! Mizan's core: everything the console knows and does, with no UI framework underneath.
//!
//! The CLI and the desktop shell call [`console::Console`] and nothing else. Money comes from
//! the wire crate so that one exact type is used end to end.

pub mod environment;
pub use tamara::money;
pub mod audit;
pub mod checklist;
pub mod checkout;
pub mod clock;
pub mod config;
pub mod console;
pub mod context;
pub mod credentials;
pub mod demo;
pub mod desktop;
pub mod disputes;
pub mod error;
pub mod error_code;
pub mod export;
pub mod gateway;
mod html;
pub mod moves;
pub mod orders;
pub mod phone;
pub mod reconcile;
pub mod service;
pub mod settings;
pub mod settlement;
pub mod shutdown;
pub mod simulator;
pub mod statements;
pub mod store;
pub mod team;
pub mod team_api;
pub mod team_client;
pub mod till;
pub mod views;
pub mod webhooks;

pub use console::Console;
pub use context::Context;
pub use environment::Environment;
pub use error::{Error, Result};
pub use error_code::ErrorCode;
pub use orders::CachedOrder;

//! Tamara's merchant API on the wire.
//!
//! Owns: typed requests and responses for every endpoint a back-office console uses
//! (`../shared/reference/tamara-api.md` §4–§8) in [`model`], the HTTP [`client`], and
//! verification of the `tamaraToken` notification JWT in [`notification`]. Knows nothing of
//! databases or UIs.
//!
//! Invariants: money is exact ([`money`]); unknown JSON fields never fail parsing; every
//! response keeps its raw JSON next to the typed value ([`model::WithRaw`]); secrets are
//! [`Sensitive`] and never printed.

pub mod client;
pub mod error;
pub mod model;
pub mod money;
pub mod notification;
pub mod sensitive;

pub use client::{ClientConfig, OrderPath, TamaraClient};
pub use error::ApiError;
pub use money::{Currency, Money, MoneyError};
pub use sensitive::Sensitive;

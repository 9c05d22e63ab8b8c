//! Mizan's core: everything the console knows and does, with no UI framework underneath.
//!
//! The CLI and the desktop shell call [`console::Console`] and nothing else. Money comes from
//! the wire crate so that one exact type is used end to end.

pub use tamara::money;

//! Cross-crate scenario tests live under `tests/tests/`; this library holds shared fixtures.

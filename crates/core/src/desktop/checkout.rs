//! The checkout checker screen: a request body the developer pasted or dropped, checked by
//! [`crate::checkout`] under the active environment's rules. Nothing is sent and nothing is
//! stored; the UI draws the payload itself and marks each finding at its `path`.

use crate::checkout::{self, CheckReport};
use crate::console::Console;

/// Checks `text` as a `POST /checkout` body (text that is not JSON is one `not_json` error).
pub fn check(console: &Console, text: &str) -> CheckReport {
    checkout::check_text(text, console.environment())
}

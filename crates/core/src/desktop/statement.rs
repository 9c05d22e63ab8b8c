//! The order screen's "Print statement": the order's statement, or one move's receipt, as a
//! printable page in the operator's language (see [`crate::orders::statement`]). The webview
//! prints it; the system's print dialog saves it as PDF.

use crate::console::Console;
use crate::error::Result;
use crate::orders::statement::Lang;

/// The statement of `order_id` (or the receipt of ledger entry `entry`) as HTML.
///
/// # Errors
/// The order is not cached; `entry` is not a move of this order; store errors.
pub async fn order_statement(
    console: &Console,
    order_id: &str,
    entry: Option<u32>,
) -> Result<String> {
    let lang = Lang::of(console.locale().await?.as_deref());
    console
        .order_statement(order_id, entry.map(i64::from), lang)
        .await
}

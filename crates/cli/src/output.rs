//! Rendering for people (aligned tables, one fact per line) and for scripts (`--json`).
//!
//! Invariant: nothing here prints a secret; amounts are always shown at the currency's
//! precision with the currency code.

use mizan_core::CachedOrder;
use mizan_core::moves::LedgerEntry;
use mizan_core::orders::{OrderItem, OrderRecord};
use serde_json::{Value, json};

/// `text` safe to print to a terminal: every control character but newline and tab is shown
/// as a visible escape (`\x1b`), so a webhook body, a customer name or an API message cannot
/// retitle the window, clear the screen or colour what follows (`ESC]0;…BEL`, `ESC[2J`).
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\x{:02x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Writes one line to stdout, made [`terminal_safe`]. A closed pipe (`mizan orders list |
/// head`) ends the program quietly with success, as Unix tools do, instead of panicking like
/// `println!`.
pub fn write_line(line: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let line = line.to_string();
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = writeln!(stdout, "{}", terminal_safe(&line)) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("mizan: cannot write to stdout: {e}");
        std::process::exit(1);
    }
}

/// `println!` that survives a closed pipe.
macro_rules! say {
    ($($arg:tt)*) => { $crate::output::write_line(format_args!($($arg)*)) };
}
pub(crate) use say;

pub struct Output {
    pub json: bool,
}

impl Output {
    pub fn json_value(&self, v: &Value) {
        say!(
            "{}",
            serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
        );
    }
}

pub fn order_json(o: &OrderRecord) -> Value {
    json!({
        "environment": o.environment.as_str(),
        "order_id": o.order_id,
        "order_reference_id": o.order_reference_id,
        "order_number": o.order_number,
        "status": o.status,
        "payment_type": o.payment_type,
        "instalments": o.instalments,
        "currency": o.currency().code(),
        "total": o.total.amount_text(),
        "authorised": o.authorised.amount_text(),
        "captured": o.captured.amount_text(),
        "refunded": o.refunded.amount_text(),
        "canceled": o.canceled.amount_text(),
        "paid": o.paid.amount_text(),
        "customer_name": o.customer_name,
        "customer_phone": o.customer_phone,
        "customer_email": o.customer_email,
        "country_code": o.country_code,
        "settlement_status": o.settlement_status,
        "settlement_date": o.settlement_date,
        "description": o.description,
        "created_at": o.created_at.to_rfc3339(),
        "updated_at": o.updated_at.to_rfc3339(),
        "last_synced_at": o.last_synced_at.map(|t| t.to_rfc3339()),
    })
}

fn item_json(i: &OrderItem) -> Value {
    json!({
        "reference_id": i.reference_id, "sku": i.sku, "name": i.name, "type": i.item_type,
        "quantity": i.quantity, "total_amount": i.total_amount.amount_text(),
        "unit_price": i.unit_price.map(|m| m.amount_text()),
    })
}

fn ledger_json(e: &LedgerEntry) -> Value {
    json!({
        "id": e.id, "kind": e.kind.as_str(), "gateway_id": e.gateway_id,
        "amount": e.amount.amount_text(), "currency": e.amount.currency().code(),
        "state": e.state.as_str(), "source": e.source.as_str(),
        "idempotency_ref": e.idempotency_ref, "actor": e.actor, "comment": e.comment,
        "occurred_at": e.occurred_at.to_rfc3339(),
    })
}

pub fn cached_order_json(c: &CachedOrder) -> Value {
    let mut v = order_json(&c.order);
    v["items"] = Value::Array(c.items.iter().map(item_json).collect());
    v["ledger"] = Value::Array(c.ledger.iter().map(ledger_json).collect());
    v["raw"] = c
        .order
        .raw_json
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok())
        .unwrap_or(Value::Null);
    v
}

/// Left-aligned columns sized to their widest cell.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    let mut out = vec![line(headers.iter().map(|h| h.to_string()).collect())];
    out.extend(rows.iter().map(|r| line(r.clone())));
    out.join("\n")
}

pub fn print_cached_order(c: &CachedOrder) {
    let o = &c.order;
    let money = |m: &mizan_core::money::Money| m.to_string();
    say!("Order      {}  ({})", o.order_id, o.environment);
    say!(
        "Reference  {}{}",
        o.order_reference_id,
        o.order_number
            .as_ref()
            .map(|n| format!("  number {n}"))
            .unwrap_or_default()
    );
    say!("Status     {}", o.status);
    let odd = c.unreadable_fields();
    if !odd.is_empty() {
        say!(
            "Unreadable {} (Tamara sent values Mizan could not read; kept in the raw JSON)",
            odd.join(", ")
        );
    }
    say!(
        "Customer   {}",
        [
            o.customer_name.clone(),
            o.customer_phone.clone(),
            o.customer_email.clone()
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ")
    );
    say!(
        "Payment    {} x{}",
        o.payment_type.as_deref().unwrap_or("-"),
        o.instalments
            .map(|n| n.to_string())
            .unwrap_or_else(|| "-".into())
    );
    say!("Total      {}", money(&o.total));
    say!("Authorised {}", money(&o.authorised));
    say!("Captured   {}", money(&o.captured));
    say!("Refunded   {}", money(&o.refunded));
    say!("Canceled   {}", money(&o.canceled));
    say!("Created    {}", o.created_at.to_rfc3339());
    if let Some(t) = o.last_synced_at {
        say!("Synced     {}", t.to_rfc3339());
    }
    if !c.items.is_empty() {
        say!("\nItems");
        let rows: Vec<Vec<String>> = c
            .items
            .iter()
            .map(|i| {
                vec![
                    i.sku.clone().unwrap_or_default(),
                    i.name.clone().unwrap_or_default(),
                    i.quantity.to_string(),
                    i.total_amount.to_string(),
                ]
            })
            .collect();
        say!("{}", table(&["SKU", "NAME", "QTY", "TOTAL"], &rows));
    }
    say!("\nMoney movements");
    if c.ledger.is_empty() {
        say!("(none yet)");
    } else {
        let rows: Vec<Vec<String>> = c
            .ledger
            .iter()
            .map(|e| {
                vec![
                    e.occurred_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                    e.kind.to_string(),
                    e.amount.to_string(),
                    e.state.to_string(),
                    e.source.to_string(),
                    e.gateway_id.clone().unwrap_or_default(),
                ]
            })
            .collect();
        say!(
            "{}",
            table(
                &[
                    "TIME (UTC)",
                    "KIND",
                    "AMOUNT",
                    "STATE",
                    "SOURCE",
                    "GATEWAY ID"
                ],
                &rows
            )
        );
    }
}

#[cfg(test)]
mod tests {
    use super::terminal_safe;

    #[test]
    fn escape_sequences_are_shown_not_obeyed() {
        assert_eq!(
            terminal_safe("A\u{1b}]0;pwned\u{7}B\u{1b}[2J\u{9b}31m"),
            "A\\x1b]0;pwned\\x07B\\x1b[2J\\x9b31m"
        );
        assert_eq!(terminal_safe("a\r\u{0}b"), "a\\x0d\\x00b");
    }

    #[test]
    fn plain_text_tabs_newlines_and_arabic_pass_unchanged() {
        for text in ["DEMO-000046\t460.00 SAR", "two\nlines", "محمد العتيبي"] {
            assert!(matches!(
                terminal_safe(text),
                std::borrow::Cow::Borrowed(t) if t == text
            ));
        }
    }
}

//! What an operator asks for: the move, its amount as typed, the items of a capture.
//!
//! Invariants: amounts stay exact decimals as typed until the plan checks them against the
//! order's currency (so `10.005` is refused for SAR and accepted for KWD); nothing here reads
//! the order or the network. Malformed input (not a number, not JSON) is
//! [`crate::Error::Invalid`], a usage error; whether a well-formed input fits the order is the
//! plan's job and a [`super::MoveRefusal`].

use std::fmt;

use rust_decimal::Decimal;
use serde_json::Value;
use tamara::model::payments::ShippingInfo;
use tamara::money::{Currency, parse_decimal};

use crate::error::Error;
use crate::store::ledger::LedgerKind;

/// An amount as typed: an exact decimal and, if the operator named one, a currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmountInput {
    pub value: Decimal,
    pub currency: Option<Currency>,
}

impl AmountInput {
    /// `"100"`, `"100.50"`, `"100.50 SAR"` or `"SAR 100.50"`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for anything else (an unknown currency code included).
    pub fn parse(text: &str) -> Result<AmountInput, Error> {
        let parts: Vec<&str> = text.split_whitespace().collect();
        let bad = |why: String| Error::Invalid(format!("amount {text:?}: {why}"));
        let (number, code) = match parts.as_slice() {
            [n] => (*n, None),
            [a, b] if a.chars().all(|c| c.is_ascii_alphabetic()) => (*b, Some(*a)),
            [a, b] => (*a, Some(*b)),
            _ => {
                return Err(bad(
                    "expected a number, optionally with a currency code".into()
                ));
            }
        };
        let value = parse_decimal(number).map_err(|e| bad(e.to_string()))?;
        let currency = code
            .map(|c| c.to_ascii_uppercase().parse::<Currency>())
            .transpose()
            .map_err(|e| bad(e.to_string()))?;
        Ok(AmountInput { value, currency })
    }
}

impl fmt::Display for AmountInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.currency {
            Some(c) => write!(f, "{} {c}", self.value),
            None => write!(f, "{}", self.value),
        }
    }
}

/// One line of a capture: which order item (by `reference_id`, else `sku`), how many units
/// shipped, and optionally the line's amount (else the order line's total pro rata).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemSelection {
    pub reference_id: Option<String>,
    pub sku: Option<String>,
    pub quantity: u32,
    pub total_amount: Option<AmountInput>,
}

impl ItemSelection {
    /// How the line names its order item, for messages.
    pub fn label(&self) -> String {
        match (&self.reference_id, &self.sku) {
            (Some(r), _) => format!("reference_id {r:?}"),
            (None, Some(s)) => format!("sku {s:?}"),
            (None, None) => "an unnamed item".to_owned(),
        }
    }
}

/// Reads a capture's items file: a JSON array of objects with `reference_id` or `sku`,
/// `quantity` (units shipped) and optionally `total_amount` (a money object `{amount,
/// currency}`, or a bare number or numeric string in the order's currency). Other fields
/// (name, type, unit price) may be present and are taken from the order instead.
///
/// # Errors
/// [`Error::Invalid`] naming the first malformed line.
pub fn parse_items(json: &Value) -> Result<Vec<ItemSelection>, Error> {
    let bad = |at: String, why: &str| bad_item(&at, &why);
    let Value::Array(lines) = json else {
        return Err(bad("top level".into(), "expected a JSON array of items"));
    };
    if lines.is_empty() {
        return Err(bad("top level".into(), "the array is empty"));
    }
    let mut out = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let at = format!("item {}", i + 1);
        let Value::Object(o) = line else {
            return Err(bad(at, "expected an object"));
        };
        let text = |key: &str| -> Result<Option<String>, Error> {
            match o.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_owned())),
                Some(_) => Err(bad(
                    at.clone(),
                    &format!("{key} must be a non-empty string"),
                )),
            }
        };
        let reference_id = text("reference_id")?;
        let sku = text("sku")?;
        if reference_id.is_none() && sku.is_none() {
            return Err(bad(at, "name the order item with reference_id or sku"));
        }
        let quantity = match o.get("quantity") {
            Some(Value::Number(n)) => n
                .as_u64()
                .and_then(|q| u32::try_from(q).ok())
                .filter(|q| *q > 0),
            _ => None,
        }
        .ok_or_else(|| {
            bad(
                at.clone(),
                "quantity must be a whole number of units, at least 1",
            )
        })?;
        let total_amount = match o.get("total_amount") {
            None | Some(Value::Null) => None,
            Some(v) => Some(amount_value(v, &at)?),
        };
        out.push(ItemSelection {
            reference_id,
            sku,
            quantity,
            total_amount,
        });
    }
    Ok(out)
}

/// A malformed line of an items file, a usage error naming the line (`at`).
fn bad_item(at: &str, why: &dyn fmt::Display) -> Error {
    Error::Invalid(format!("items file, {at}: {why}"))
}

/// A JSON amount: `{ "amount": 10.5 | "10.50", "currency": "SAR" }`, `10.5` or `"10.50"`,
/// read from the number's exact text. `at` names the items file's line for the error.
fn amount_value(v: &Value, at: &str) -> Result<AmountInput, Error> {
    let bad = |why: &dyn fmt::Display| bad_item(at, why);
    let number = |v: &Value| match v {
        Value::Number(n) => parse_decimal(&n.to_string()).map_err(|e| bad(&e)),
        Value::String(s) => parse_decimal(s).map_err(|e| bad(&e)),
        _ => Err(bad(
            &"total_amount.amount must be a number or a numeric string",
        )),
    };
    match v {
        Value::Object(o) => {
            let value = number(o.get("amount").unwrap_or(&Value::Null))?;
            let currency = match o.get("currency") {
                Some(Value::String(c)) => Some(
                    c.to_ascii_uppercase()
                        .parse::<Currency>()
                        .map_err(|e| bad(&e))?,
                ),
                None | Some(Value::Null) => None,
                Some(_) => return Err(bad(&"total_amount.currency must be a string")),
            };
            Ok(AmountInput { value, currency })
        }
        other => Ok(AmountInput {
            value: number(other)?,
            currency: None,
        }),
    }
}

/// The move asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum MoveAction {
    /// Acknowledge an approved order (§5.3).
    Authorise,
    /// Capture `amount` (None: everything still capturable, or the items' sum when items are
    /// given) with the shipping details Tamara requires (§5.4).
    Capture {
        amount: Option<AmountInput>,
        items: Vec<ItemSelection>,
        shipping: ShippingInfo,
    },
    /// Refund `amount` of what was captured, with a comment (§5.6).
    Refund {
        amount: AmountInput,
        comment: String,
    },
    /// Cancel `amount` of what is not captured (None: all of it) (§5.5).
    Cancel { amount: Option<AmountInput> },
}

impl MoveAction {
    pub fn kind(&self) -> LedgerKind {
        match self {
            MoveAction::Authorise => LedgerKind::Authorise,
            MoveAction::Capture { .. } => LedgerKind::Capture,
            MoveAction::Refund { .. } => LedgerKind::Refund,
            MoveAction::Cancel { .. } => LedgerKind::Cancel,
        }
    }

    /// The amount as typed, for summaries of refused requests.
    pub fn amount_text(&self) -> String {
        match self {
            MoveAction::Authorise => "order total".to_owned(),
            MoveAction::Capture { amount: None, .. } | MoveAction::Cancel { amount: None } => {
                "all remaining".to_owned()
            }
            MoveAction::Capture {
                amount: Some(a), ..
            }
            | MoveAction::Cancel { amount: Some(a) }
            | MoveAction::Refund { amount: a, .. } => a.to_string(),
        }
    }
}

/// One money move on one order of the console's active environment.
#[derive(Debug, Clone, PartialEq)]
pub struct MoveRequest {
    /// Tamara's order id.
    pub order_id: String,
    pub action: MoveAction,
    /// Production only: must equal the order's `order_reference_id`.
    pub confirm: Option<String>,
    /// A caller-chosen idempotency reference (scripts); otherwise one is derived so identical
    /// requests on the same order state collide.
    pub idempotency_key: Option<String>,
    /// The operator's note on a capture, cancel or authorisation (a refund's comment is its
    /// own, sent to Tamara). Kept locally — on the ledger entry, the timeline, the settlement
    /// export and the audit log — never sent, and no part of the move's identity: the same
    /// move with another note is still the same move.
    pub note: Option<String>,
}

/// Longest note a move may carry (as long as a refund's comment may be).
pub const MAX_NOTE_CHARS: usize = 1000;

impl MoveRequest {
    /// The note, trimmed; None when blank.
    pub fn note_text(&self) -> Option<String> {
        self.note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
    }

    /// What the operator said with this move: a refund's comment, else the note.
    pub fn said(&self) -> Option<String> {
        match &self.action {
            MoveAction::Refund { comment, .. } if !comment.trim().is_empty() => {
                Some(comment.trim().to_owned())
            }
            _ => self.note_text(),
        }
    }

    /// Shape checks that need no order: a non-empty id, a well-formed key.
    ///
    /// # Errors
    /// [`Error::Invalid`].
    pub fn validate(&self) -> Result<(), Error> {
        if self.order_id.trim().is_empty() {
            return Err(Error::Invalid("order id must not be empty".into()));
        }
        if self
            .note
            .as_deref()
            .is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS)
        {
            return Err(Error::Invalid(format!(
                "the note is longer than {MAX_NOTE_CHARS} characters"
            )));
        }
        if let Some(k) = &self.idempotency_key {
            let ok = (1..=64).contains(&k.len())
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
            if !ok {
                return Err(Error::Invalid(format!(
                    "idempotency key {k:?}: 1 to 64 characters of A-Z a-z 0-9 - _ . :"
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn amounts_parse_exactly_with_an_optional_currency() {
        let a = AmountInput::parse("10.005").unwrap();
        assert_eq!(a.value.to_string(), "10.005");
        assert_eq!(a.currency, None);
        assert_eq!(
            AmountInput::parse("100.50 sar").unwrap().currency,
            Some(Currency::Sar)
        );
        assert_eq!(
            AmountInput::parse("KWD 1.250").unwrap().to_string(),
            "1.250 KWD"
        );
        assert_eq!(AmountInput::parse("-5").unwrap().value.to_string(), "-5");
        for bad in ["", "ten", "10 XYZ", "1 2 3", "1,5"] {
            assert!(
                matches!(AmountInput::parse(bad), Err(Error::Invalid(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn items_files_are_read_line_by_line_with_clear_errors() {
        let items = parse_items(&json!([
            {"reference_id": "sku-991", "quantity": 1, "name": "ignored"},
            {"sku": "LAMP", "quantity": 2, "total_amount": {"amount": 10.5, "currency": "SAR"}},
            {"sku": "X", "quantity": 1, "total_amount": "3.25"}
        ]))
        .unwrap();
        assert_eq!(items[0].reference_id.as_deref(), Some("sku-991"));
        assert_eq!(
            items[1].total_amount.as_ref().unwrap().to_string(),
            "10.5 SAR"
        );
        assert_eq!(items[2].total_amount.as_ref().unwrap().to_string(), "3.25");
        let cases = [
            (json!({}), "JSON array"),
            (json!([]), "empty"),
            (json!([1]), "object"),
            (json!([{"quantity": 1}]), "reference_id or sku"),
            (json!([{"sku": "A", "quantity": 0}]), "quantity"),
            (json!([{"sku": "A", "quantity": 1.5}]), "quantity"),
            (
                json!([{"sku": "A", "quantity": 1, "total_amount": "x"}]),
                "not a decimal",
            ),
            (
                json!([{"sku": "A", "quantity": 1, "total_amount": {"amount": 1, "currency": "XX"}}]),
                "unknown currency",
            ),
        ];
        for (v, needle) in cases {
            let e = parse_items(&v).unwrap_err().to_string();
            assert!(e.contains(needle), "{v}: {e}");
        }
    }

    #[test]
    fn a_bad_line_amount_is_invalid_input_naming_the_line() {
        let line = |total: Value| json!([{"sku": "A", "quantity": 1}, {"sku": "B", "quantity": 1, "total_amount": total}]);
        let cases = [
            (
                json!(true),
                "total_amount.amount must be a number or a numeric string",
            ),
            (
                json!({"amount": 1, "currency": 7}),
                "total_amount.currency must be a string",
            ),
        ];
        for (total, why) in cases {
            let e = parse_items(&line(total)).unwrap_err();
            assert_eq!(e.code(), crate::ErrorCode::InvalidInput);
            assert_eq!(
                e.to_string(),
                format!("invalid input: items file, item 2: {why}")
            );
        }
    }

    #[test]
    fn requests_need_an_order_and_a_sane_key() {
        let mut r = MoveRequest {
            order_id: " ".into(),
            action: MoveAction::Authorise,
            confirm: None,
            idempotency_key: None,
            note: None,
        };
        assert!(r.validate().is_err());
        r.order_id = "o".into();
        assert!(r.validate().is_ok());
        r.idempotency_key = Some("batch-7:line.3".into());
        assert!(r.validate().is_ok());
        r.idempotency_key = Some("has space".into());
        assert!(r.validate().is_err());
        r.idempotency_key = Some("k".repeat(65));
        assert!(r.validate().is_err());
    }
}

//! Money on the wire: exact decimals with per-currency precision (reference §3.1–3.2).
//!
//! Invariants: amounts are `Decimal`, never floats; SAR/AED/QAR carry at most 2 decimal places,
//! KWD/BHD/OMR at most 3 (by value: `10.500` KWD is fine, `10.005` SAR is refused); amounts are
//! read from a JSON number (exact text thanks to serde_json's `arbitrary_precision`) or a
//! numeric string, and written as JSON numbers rescaled to the currency precision (`460.00`).

use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use crate::errors::{ApiError, ApiResult};

/// Currencies Tamara accepts in API schemas, plus QAR (seen in one plugin only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Currency {
    Sar,
    Aed,
    Kwd,
    Bhd,
    Omr,
    Qar,
}

impl Currency {
    pub fn parse(code: &str) -> Option<Self> {
        Some(match code {
            "SAR" => Self::Sar,
            "AED" => Self::Aed,
            "KWD" => Self::Kwd,
            "BHD" => Self::Bhd,
            "OMR" => Self::Omr,
            "QAR" => Self::Qar,
            _ => return None,
        })
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Sar => "SAR",
            Self::Aed => "AED",
            Self::Kwd => "KWD",
            Self::Bhd => "BHD",
            Self::Omr => "OMR",
            Self::Qar => "QAR",
        }
    }

    /// Decimal places of the currency's minor unit.
    pub fn precision(self) -> u32 {
        match self {
            Self::Kwd | Self::Bhd | Self::Omr => 3,
            Self::Sar | Self::Aed | Self::Qar => 2,
        }
    }

    /// The country whose currency this is (in-store requests name no country). QAR has none:
    /// Qatar is not served (§3.2).
    pub fn country(self) -> Option<&'static str> {
        match self {
            Self::Sar => Some("SA"),
            Self::Aed => Some("AE"),
            Self::Kwd => Some("KW"),
            Self::Bhd => Some("BH"),
            Self::Omr => Some("OM"),
            Self::Qar => None,
        }
    }

    /// Currency of a supported country. QA is deliberately absent: the reference treats Qatar
    /// as unsupported/legacy (§3.2).
    pub fn for_country(country: &str) -> Option<Self> {
        Some(match country {
            "SA" => Self::Sar,
            "AE" => Self::Aed,
            "KW" => Self::Kwd,
            "BH" => Self::Bhd,
            "OM" => Self::Omr,
            _ => return None,
        })
    }
}

/// An exact amount in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    pub amount: Decimal,
    pub currency: Currency,
}

impl Money {
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Self { amount, currency }
    }

    pub fn zero(currency: Currency) -> Self {
        Self::new(Decimal::ZERO, currency)
    }

    /// `{"amount": 460.00, "currency": "SAR"}`.
    pub fn to_json(self) -> Value {
        let mut m = Map::new();
        m.insert("amount".to_owned(), amount_json(self.amount, self.currency));
        m.insert(
            "currency".to_owned(),
            Value::String(self.currency.code().to_owned()),
        );
        Value::Object(m)
    }
}

/// An amount as a JSON number at currency precision.
pub fn amount_json(amount: Decimal, currency: Currency) -> Value {
    let mut d = amount;
    d.rescale(currency.precision());
    // With `arbitrary_precision` a Number keeps this exact text; if parsing ever failed we
    // fall back to the string form, which clients must accept anyway (§3.1).
    match serde_json::Number::from_str(&d.to_string()) {
        Ok(n) => Value::Number(n),
        Err(_) => Value::String(d.to_string()),
    }
}

/// Reads a decimal from a JSON number or a numeric string, exactly.
pub fn parse_decimal(v: &Value, field: &str) -> ApiResult<Decimal> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        Value::Null => return Err(ApiError::missing(field)),
        _ => return Err(ApiError::invalid(field, "expected a number")),
    };
    if text.len() > 40 {
        return Err(ApiError::invalid(field, "number out of range"));
    }
    Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .map_err(|_| ApiError::invalid(field, "not a decimal amount"))
}

/// Parses a Money object `{amount, currency}` found at `field` and checks its precision.
pub fn parse_money(v: &Value, field: &str) -> ApiResult<Money> {
    let obj = match v {
        Value::Object(o) => o,
        Value::Null => return Err(ApiError::missing(field)),
        _ => {
            return Err(ApiError::invalid(
                field,
                "expected an object {amount, currency}",
            ));
        }
    };
    let amount_field = format!("{field}.amount");
    let amount = parse_decimal(obj.get("amount").unwrap_or(&Value::Null), &amount_field)?;
    let currency_field = format!("{field}.currency");
    let code = match obj.get("currency") {
        Some(Value::String(s)) => s.as_str(),
        None | Some(Value::Null) => return Err(ApiError::missing(&currency_field)),
        Some(_) => return Err(ApiError::invalid(&currency_field, "expected a string")),
    };
    let currency = Currency::parse(code).ok_or_else(|| {
        ApiError::bad_request(
            format!("Currency {code} is not supported"),
            "currency_unsupported",
        )
        .with_data(serde_json::json!({ "field": currency_field }))
    })?;
    if amount.normalize().scale() > currency.precision() {
        return Err(ApiError::bad_request(
            format!(
                "{amount_field} has more than {} decimal places for {}",
                currency.precision(),
                currency.code()
            ),
            "amount_invalid_precision",
        )
        .with_data(serde_json::json!({ "field": amount_field })));
    }
    Ok(Money::new(amount.normalize(), currency))
}

/// Parses a Money that must be in `currency` (400 `total_amount_invalid_currency` otherwise).
pub fn parse_money_in(v: &Value, field: &str, currency: Currency) -> ApiResult<Money> {
    let m = parse_money(v, field)?;
    if m.currency != currency {
        return Err(ApiError::currency_mismatch(field));
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn precision_rules() {
        let sar: Value = serde_json::from_str(r#"{"amount": 10.005, "currency": "SAR"}"#).unwrap();
        assert_eq!(
            parse_money(&sar, "x").unwrap_err().code,
            "amount_invalid_precision"
        );
        let kwd: Value = serde_json::from_str(r#"{"amount": 10.005, "currency": "KWD"}"#).unwrap();
        assert_eq!(parse_money(&kwd, "x").unwrap().amount.to_string(), "10.005");
        let s = json!({"amount": "10.500", "currency": "SAR"});
        assert_eq!(parse_money(&s, "x").unwrap().amount.to_string(), "10.5");
    }

    #[test]
    fn serialises_at_currency_precision() {
        let m = Money::new(Decimal::new(46, 0), Currency::Sar);
        assert_eq!(
            serde_json::to_string(&m.to_json()).unwrap(),
            r#"{"amount":46.00,"currency":"SAR"}"#
        );
        let k = Money::new(Decimal::new(15, 1), Currency::Kwd);
        assert!(
            serde_json::to_string(&k.to_json())
                .unwrap()
                .contains("1.500")
        );
    }
}

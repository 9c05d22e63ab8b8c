//! Exact money: a decimal amount in major units plus its currency.
//!
//! Invariants: an amount never carries more decimal places than its currency allows
//! (2 for SAR/AED/QAR, 3 for KWD/BHD/OMR) and is never routed through floating point.
//! On the wire Tamara sends amounts as JSON numbers *or* numeric strings; both parse here,
//! from the number's exact text. We always send JSON numbers, written at the currency's
//! precision (`460.00`).

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Errors building or combining money values. Every message names the offending value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("unknown currency {0:?} (expected one of SAR, AED, QAR, KWD, BHD, OMR)")]
    UnknownCurrency(String),
    #[error("{amount} has more decimal places than {currency} allows ({precision})")]
    TooPrecise {
        amount: String,
        currency: Currency,
        precision: u32,
    },
    #[error("{0:?} is not a decimal amount")]
    NotANumber(String),
    #[error("amount {0} is out of range")]
    OutOfRange(String),
    #[error("currency mismatch: {left} and {right}")]
    CurrencyMismatch { left: Currency, right: Currency },
}

/// The currencies Tamara settles in. QAR appears in one official plugin only; it is kept so an
/// order in QAR still reads, with the 2-decimal precision its minor unit implies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Currency {
    Sar,
    Aed,
    Qar,
    Kwd,
    Bhd,
    Omr,
}

impl Currency {
    pub const ALL: [Currency; 6] = [
        Currency::Sar,
        Currency::Aed,
        Currency::Qar,
        Currency::Kwd,
        Currency::Bhd,
        Currency::Omr,
    ];

    /// Decimal places of the currency's minor unit.
    pub fn precision(self) -> u32 {
        match self {
            Currency::Sar | Currency::Aed | Currency::Qar => 2,
            Currency::Kwd | Currency::Bhd | Currency::Omr => 3,
        }
    }

    /// ISO 4217 code.
    pub fn code(self) -> &'static str {
        match self {
            Currency::Sar => "SAR",
            Currency::Aed => "AED",
            Currency::Qar => "QAR",
            Currency::Kwd => "KWD",
            Currency::Bhd => "BHD",
            Currency::Omr => "OMR",
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::ALL
            .into_iter()
            .find(|c| c.code() == s)
            .ok_or_else(|| MoneyError::UnknownCurrency(s.to_owned()))
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        code.parse().map_err(D::Error::custom)
    }
}

/// An exact amount of one currency. May be zero or negative (signed ledger rows); money moves
/// check positivity themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// Builds a value, refusing more decimal places than the currency has (`10.005 SAR`).
    /// Trailing zeros are not precision: `10.500 SAR` is accepted as `10.50`.
    pub fn new(amount: Decimal, currency: Currency) -> Result<Self, MoneyError> {
        let precision = currency.precision();
        if amount.normalize().scale() > precision {
            return Err(MoneyError::TooPrecise {
                amount: amount.to_string(),
                currency,
                precision,
            });
        }
        let mut amount = amount;
        amount.rescale(precision);
        Ok(Money { amount, currency })
    }

    /// Parses a decimal text (`"460"`, `"460.5"`, `"1.5e2"`) in the given currency.
    pub fn parse(text: &str, currency: Currency) -> Result<Self, MoneyError> {
        Money::new(parse_decimal(text)?, currency)
    }

    pub fn zero(currency: Currency) -> Self {
        Money {
            amount: Decimal::new(0, currency.precision()),
            currency,
        }
    }

    pub fn amount(&self) -> Decimal {
        self.amount
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    pub fn is_positive(&self) -> bool {
        self.amount > Decimal::ZERO
    }

    pub fn is_negative(&self) -> bool {
        self.amount < Decimal::ZERO
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let sum = self
            .amount
            .checked_add(other.amount)
            .ok_or_else(|| MoneyError::OutOfRange(format!("{self} + {other}")))?;
        Money::new(sum, self.currency)
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let diff = self
            .amount
            .checked_sub(other.amount)
            .ok_or_else(|| MoneyError::OutOfRange(format!("{self} - {other}")))?;
        Money::new(diff, self.currency)
    }

    /// The same amount with its sign flipped (refunds and cancels in signed exports).
    pub fn negated(self) -> Money {
        Money {
            amount: -self.amount,
            currency: self.currency,
        }
    }

    fn same_currency(&self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            })
        }
    }

    /// The amount as text at the currency's precision (`460.00`), without the code.
    pub fn amount_text(&self) -> String {
        self.amount.to_string()
    }
}

impl PartialOrd for Money {
    /// Only amounts of one currency compare; across currencies there is no order.
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        (self.currency == other.currency).then(|| self.amount.cmp(&other.amount))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

/// Parses a decimal from the exact text of a JSON number or a numeric string.
pub fn parse_decimal(text: &str) -> Result<Decimal, MoneyError> {
    let t = text.trim();
    let looks_numeric = !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
        && t.chars().any(|c| c.is_ascii_digit());
    if !looks_numeric || t != text {
        return Err(MoneyError::NotANumber(text.to_owned()));
    }
    let parsed = if t.contains(['e', 'E']) {
        Decimal::from_scientific(t)
    } else {
        Decimal::from_str_exact(t)
    };
    parsed.map_err(|e| match e {
        rust_decimal::Error::ExceedsMaximumPossibleValue
        | rust_decimal::Error::LessThanMinimumPossibleValue
        | rust_decimal::Error::Underflow
        | rust_decimal::Error::ScaleExceedsMaximumPrecision(_) => {
            MoneyError::OutOfRange(text.to_owned())
        }
        _ => MoneyError::NotANumber(text.to_owned()),
    })
}

/// The wire shape `{ "amount": 460.0 | "460.00", "currency": "SAR" }`.
#[derive(Deserialize)]
struct WireMoney {
    amount: serde_json::Value,
    currency: String,
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let wire = WireMoney::deserialize(d)?;
        let currency: Currency = wire.currency.parse().map_err(D::Error::custom)?;
        let text = match &wire.amount {
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::String(s) => s.clone(),
            other => {
                return Err(D::Error::custom(format!(
                    "amount must be a number or a numeric string, got {other}"
                )));
            }
        };
        Money::parse(&text, currency).map_err(D::Error::custom)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        // Under arbitrary_precision a Number built from text serialises as that exact text.
        let number = serde_json::Number::from_str(&self.amount.to_string())
            .map_err(serde::ser::Error::custom)?;
        let mut st = s.serialize_struct("Money", 2)?;
        st.serialize_field("amount", &number)?;
        st.serialize_field("currency", &self.currency)?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sar(s: &str) -> Money {
        Money::parse(s, Currency::Sar).unwrap()
    }

    #[test]
    fn precision_per_currency() {
        assert!(
            Money::parse("10.005", Currency::Sar).is_err(),
            "SAR has 2 places"
        );
        assert_eq!(
            Money::parse("10.005", Currency::Kwd).unwrap().amount_text(),
            "10.005"
        );
        assert_eq!(
            Money::parse("10.500", Currency::Aed).unwrap().amount_text(),
            "10.50"
        );
        assert_eq!(
            Money::parse("7", Currency::Omr).unwrap().amount_text(),
            "7.000"
        );
    }

    #[test]
    fn too_precise_error_names_value_and_currency() {
        let e = Money::parse("10.005", Currency::Sar)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("10.005") && e.contains("SAR") && e.contains('2'),
            "{e}"
        );
    }

    #[test]
    fn parses_numbers_and_strings_from_json() {
        let a: Money = serde_json::from_str(r#"{"amount": 150.5, "currency": "SAR"}"#).unwrap();
        let b: Money = serde_json::from_str(r#"{"amount": "150.50", "currency": "SAR"}"#).unwrap();
        assert_eq!(a, b);
        let k: Money = serde_json::from_str(r#"{"amount": 0.1, "currency": "KWD"}"#).unwrap();
        assert_eq!(k.amount_text(), "0.100");
        let e: Money = serde_json::from_str(r#"{"amount": 1.5e2, "currency": "SAR"}"#).unwrap();
        assert_eq!(e, sar("150"));
    }

    #[test]
    fn decimal_text_is_exact_not_float() {
        // 0.1 + 0.2 in f64 is 0.30000000000000004; here it is exact.
        let sum = sar("0.1").checked_add(sar("0.2")).unwrap();
        assert_eq!(sum, sar("0.3"));
        let big: Money =
            serde_json::from_str(r#"{"amount": 12345678901234567.89, "currency": "SAR"}"#).unwrap();
        assert_eq!(big.amount_text(), "12345678901234567.89");
    }

    #[test]
    fn bad_amounts_are_errors_not_panics() {
        for body in [
            r#"{"amount": "abc", "currency": "SAR"}"#,
            r#"{"amount": "", "currency": "SAR"}"#,
            r#"{"amount": " 1", "currency": "SAR"}"#,
            r#"{"amount": true, "currency": "SAR"}"#,
            r#"{"amount": null, "currency": "SAR"}"#,
            r#"{"amount": 1e400, "currency": "SAR"}"#,
            r#"{"amount": 123456789012345678901234567890123, "currency": "SAR"}"#,
            r#"{"amount": 1, "currency": "USD"}"#,
            r#"{"amount": 1}"#,
        ] {
            assert!(
                serde_json::from_str::<Money>(body).is_err(),
                "{body} must not parse"
            );
        }
        let e = serde_json::from_str::<Money>(r#"{"amount": 1, "currency": "USD"}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("USD"), "{e}");
    }

    #[test]
    fn serialises_as_number_at_precision() {
        let json = serde_json::to_string(&Money::parse("460", Currency::Sar).unwrap()).unwrap();
        assert_eq!(json, r#"{"amount":460.00,"currency":"SAR"}"#);
        let json = serde_json::to_string(&Money::parse("1.5", Currency::Bhd).unwrap()).unwrap();
        assert_eq!(json, r#"{"amount":1.500,"currency":"BHD"}"#);
    }

    #[test]
    fn arithmetic_refuses_mixed_currencies() {
        let aed = Money::parse("1", Currency::Aed).unwrap();
        assert!(matches!(
            sar("1").checked_add(aed),
            Err(MoneyError::CurrencyMismatch { .. })
        ));
        assert_eq!(sar("1").partial_cmp(&aed), None);
        assert!(sar("2") > sar("1.99"));
        assert_eq!(sar("1").checked_sub(sar("3")).unwrap(), sar("-2"));
        assert_eq!(sar("5").negated(), sar("-5"));
    }
}

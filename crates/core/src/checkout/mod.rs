//! The checkout payload checker: a shop's `POST /checkout` request body, as raw JSON, checked
//! before anything is sent — against Tamara's OpenAPI schema ([`schema`]) and Tamara's rules
//! ([`rules`], [`totals`]). The CLI (`mizan checkout check`, and `checkout create` before any
//! request) and the desktop's checker screen call [`check`] and nothing else.
//!
//! Invariants: the checker never panics on any JSON and never reads the network; every
//! finding names a dotted path into the payload (`items[0].quantity`, `""` for the whole
//! body), a severity and a stable snake_case [`CheckCode`]; an `error` is what Tamara refuses
//! or what cannot add up under any known convention, a `warning` what Tamara may accept but is
//! likely a mistake, an `info` what the checker assumed. Amounts are exact decimals, never
//! floats. The rules and the totals conventions are written down in `docs/DOMAIN.md`.

pub mod contact;
pub mod rules;
pub mod schema;
pub mod totals;

use serde::Serialize;
use serde_json::Value;

use crate::environment::Environment;

/// How bad a finding is. Ordered: errors first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename = "CheckoutSeverity", rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

/// Declares [`CheckCode`] with its text, so the two cannot drift.
macro_rules! check_codes {
    ($($variant:ident => $text:literal,)*) => {
        /// What a finding is about. Codes are stable: never rename one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[serde(rename = "CheckoutCheckCode", rename_all = "snake_case")]
        pub enum CheckCode {
            $($variant,)*
        }

        impl CheckCode {
            pub const ALL: &'static [CheckCode] = &[$(CheckCode::$variant,)*];

            /// The stable snake_case text, as in JSON.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(CheckCode::$variant => $text,)*
                }
            }
        }
    };
}

check_codes! {
    NotJson => "not_json",
    NotAnObject => "not_an_object",
    MissingField => "missing_field",
    WrongType => "wrong_type",
    NotAllowedValue => "not_allowed_value",
    BadFormat => "bad_format",
    TooLong => "too_long",
    OutOfRange => "out_of_range",
    SchemaViolation => "schema_violation",
    NotInOpenapi => "not_in_openapi",
    FieldNotInSchema => "field_not_in_schema",
    UnknownField => "unknown_field",
    AmountNotANumber => "amount_not_a_number",
    AmountAsString => "amount_as_string",
    AmountNegative => "amount_negative",
    AmountPrecision => "amount_precision",
    TotalTooSmall => "total_too_small",
    CurrencyMismatch => "currency_mismatch",
    CountryCurrencyMismatch => "country_currency_mismatch",
    AddressCountryDiffers => "address_country_differs",
    ItemsEmpty => "items_empty",
    QuantityBelowOne => "quantity_below_one",
    QuantityNotInteger => "quantity_not_integer",
    ItemTotalMismatch => "item_total_mismatch",
    ItemDiscountExceedsPrice => "item_discount_exceeds_price",
    DiscountExceedsTotal => "discount_exceeds_total",
    TotalsMatch => "totals_match",
    TotalsMismatch => "totals_mismatch",
    PhoneInvalid => "phone_invalid",
    PhoneUnexpectedFormat => "phone_unexpected_format",
    UrlInvalid => "url_invalid",
    UrlNotHttps => "url_not_https",
    UrlLoopback => "url_loopback",
    PaymentTypeMissing => "payment_type_missing",
    PaymentTypeLegacy => "payment_type_legacy",
    PaymentTypeUnknown => "payment_type_unknown",
    InstalmentsMissing => "instalments_missing",
    InstalmentsOutOfRange => "instalments_out_of_range",
    InstalmentsIgnored => "instalments_ignored",
}

/// One thing the checker has to say about one place in the payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename = "CheckoutFinding")]
pub struct Finding {
    /// Dotted path into the payload: `items[0].quantity`; `""` is the whole body.
    pub path: String,
    pub severity: Severity,
    pub code: CheckCode,
    pub message: String,
}

impl Finding {
    pub fn new(
        path: &str,
        severity: Severity,
        code: CheckCode,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            path: path.to_owned(),
            severity,
            code,
            message: message.into(),
        }
    }
}

/// What the checker found, errors first (in the order they were found within a severity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename = "CheckoutReport")]
pub struct CheckReport {
    pub findings: Vec<Finding>,
    /// The totals convention the payload adds up under (`items_inclusive`, …), if any.
    pub convention: Option<String>,
}

impl CheckReport {
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
    }

    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// Checks a checkout request body. `env` decides one severity: outside the sandbox a
/// non-HTTPS `merchant_url` is an error (a live shop sends its customers back over HTTPS).
pub fn check(payload: &Value, env: Environment) -> CheckReport {
    let mut findings = Vec::new();
    if !payload.is_object() {
        findings.push(Finding::new(
            "",
            Severity::Error,
            CheckCode::NotAnObject,
            "a checkout request is a JSON object",
        ));
        return CheckReport {
            findings,
            convention: None,
        };
    }
    findings.extend(schema::check(payload));
    findings.extend(rules::check(payload, env));
    let (totals, convention) = totals::check(payload);
    findings.extend(totals);
    findings.sort_by_key(|f| f.severity);
    CheckReport {
        findings,
        convention,
    }
}

/// [`check`] on text: JSON that does not parse is one `not_json` error.
pub fn check_text(text: &str, env: Environment) -> CheckReport {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => check(&v, env),
        Err(e) => CheckReport {
            findings: vec![Finding::new(
                "",
                Severity::Error,
                CheckCode::NotJson,
                format!("not JSON: {e}"),
            )],
            convention: None,
        },
    }
}

/// `parent.key`, or `key` at the root.
pub(crate) fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// `parent[i]`.
pub(crate) fn index(parent: &str, i: usize) -> String {
    format!("{parent}[{i}]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_serialises_as_its_text() {
        for c in CheckCode::ALL {
            let json = serde_json::to_value(c).unwrap_or_default();
            assert_eq!(json, c.as_str(), "{c:?}");
        }
    }

    #[test]
    fn odd_json_never_panics() {
        let huge = "79228162514264337593543950335";
        let m = format!(r#"{{"amount": {huge}, "currency": "KWD"}}"#);
        let texts = [
            format!(
                r#"{{"total_amount": {m}, "shipping_amount": {m}, "tax_amount": {m},
                    "discount": {{"amount": {m}}}, "items": [{{"quantity": 4000000000,
                    "unit_price": {m}, "discount_amount": {m}, "total_amount": {m}}}]}}"#
            ),
            r#"{"items": [null, 1, "x", {"quantity": -1e400}], "merchant_url": [], "consumer": 5}"#
                .to_owned(),
            r#"{"total_amount": {"amount": "1e-30", "currency": 7}, "instalments": -3}"#.to_owned(),
        ];
        for t in texts {
            let r = check_text(&t, Environment::Production);
            assert!(r.has_errors(), "{t}");
        }
    }

    #[test]
    fn not_json_and_not_an_object() {
        let r = check_text("{", Environment::Sandbox);
        assert_eq!(r.findings[0].code, CheckCode::NotJson);
        let r = check_text("[1]", Environment::Sandbox);
        assert_eq!(r.findings[0].code, CheckCode::NotAnObject);
        assert!(r.has_errors());
    }
}

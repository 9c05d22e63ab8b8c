//! The checker's schema layer: a checkout body against the request schema of `POST /checkout`
//! in Tamara's OpenAPI file, extracted byte-for-value into `checkout_request.schema.json`
//! (a test proves it equals the file's), with the corrections below applied at load.
//!
//! Invariants: this layer owns presence, JSON types, string formats and lengths, and the
//! enums of `locale` and the risk fields; the rules layer owns everything about amounts,
//! currencies, countries, phones, URLs, payment type and instalments, so no fact is reported
//! twice. What the official PHP SDK sends and Tamara accepts is never an error here: `null`
//! for an absent optional field, `""` for an optional string, `[]` for an empty object.
//! Corrections of the OpenAPI schema (each because the file's own example or the SDK says so):
//! 1. `maximum` on a string means a length (`name` 255, `sku` 128): it becomes `maxLength`.
//! 2. Every money `amount` may be a number or a numeric string (the file types some `string`,
//!    its examples and the SDK send numbers); its `minimum` moves to the rules layer.
//! 3. `payment_type` and `instalments` are required but undeclared: the rules layer owns them.
//! 4. Currency and country enums move to the rules layer (which knows QAR/QA, see DOMAIN.md).

use std::sync::LazyLock;

use jsonschema::error::ValidationErrorKind;
use serde_json::{Map, Value};

use super::{CheckCode, Finding, Severity, index, join};

/// The request schema of `POST /checkout`, as the OpenAPI file has it.
pub const OPENAPI_SCHEMA: &str = include_str!("checkout_request.schema.json");

/// Keys the schema does not declare that Tamara's guide or the official SDK send.
const KNOWN_EXTRAS: &[&str] = &[
    "notification",
    "national_id",
    "date_of_birth",
    "is_first_order",
    "postal_code",
    "phone_verified",
];

/// Undeclared keys another layer owns: no schema finding at all.
const OWNED_ELSEWHERE: &[&str] = &["payment_type", "instalments"];

struct Compiled {
    schema: Value,
    validator: jsonschema::Validator,
}

static COMPILED: LazyLock<Option<Compiled>> = LazyLock::new(|| {
    let mut schema: Value = serde_json::from_str(OPENAPI_SCHEMA).ok()?;
    correct(&mut schema);
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .ok()?;
    Some(Compiled { schema, validator })
});

/// The corrected JSON Schema (for tests and the docs).
pub fn corrected_schema() -> Option<&'static Value> {
    COMPILED.as_ref().map(|c| &c.schema)
}

/// Applies the corrections listed in the module doc, recursively.
fn correct(s: &mut Value) {
    let Some(obj) = s.as_object_mut() else {
        return;
    };
    if obj.get("type") == Some(&Value::from("string"))
        && let Some(max) = obj.remove("maximum")
    {
        obj.insert("maxLength".into(), max);
    }
    if let Some(Value::Array(req)) = obj.get_mut("required") {
        req.retain(|k| !k.as_str().is_some_and(|k| OWNED_ELSEWHERE.contains(&k)));
    }
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        let is_money = props.contains_key("amount") && props.contains_key("currency");
        for (name, prop) in props.iter_mut() {
            if is_money && name == "amount" {
                *prop = serde_json::json!({ "type": ["number", "string"] });
            } else if matches!(name.as_str(), "currency" | "country_code")
                && let Some(p) = prop.as_object_mut()
            {
                p.remove("enum");
            }
            correct(prop);
        }
    }
    if let Some(items) = obj.get_mut("items") {
        correct(items);
    }
}

/// The schema layer's findings for `payload`.
pub fn check(payload: &Value) -> Vec<Finding> {
    let Some(compiled) = COMPILED.as_ref() else {
        return vec![Finding::new(
            "",
            Severity::Error,
            CheckCode::SchemaViolation,
            "the built-in checkout schema does not compile (a bug in Mizan)",
        )];
    };
    let mut findings = Vec::new();
    let normalised = normalise(payload, &compiled.schema, "", &mut findings);
    for e in compiled.validator.iter_errors(&normalised) {
        let path = dotted(&normalised, &e.instance_path().to_string());
        if let Some(f) = finding(&path, e.kind(), &e.to_string()) {
            findings.push(f);
        }
    }
    findings
}

/// `payload` with the SDK's habits taken as the schema means them (`null` and an optional `""`
/// absent, `[]` an empty object): what a typed model of the request can read.
pub fn without_sdk_habits(payload: &Value) -> Value {
    let schema = COMPILED.as_ref().map_or(&Value::Null, |c| &c.schema);
    normalise(payload, schema, "", &mut Vec::new())
}

/// `value` as the schema should see it: SDK habits (`null`, `""`, `[]`) taken as absent or
/// empty, and a note for every key the schema does not declare.
fn normalise(value: &Value, schema: &Value, path: &str, out: &mut Vec<Finding>) -> Value {
    match value {
        Value::Object(map) => {
            let props = schema.get("properties").and_then(Value::as_object);
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let mut kept = Map::new();
            for (k, v) in map {
                let p = join(path, k);
                let optional = !required.contains(&k.as_str());
                if v.is_null() || (optional && v.as_str() == Some("")) {
                    continue;
                }
                let sub = props.and_then(|ps| ps.get(k));
                match (props, sub) {
                    (Some(_), None) if OWNED_ELSEWHERE.contains(&k.as_str()) && path.is_empty() => {
                    }
                    (Some(_), None) if KNOWN_EXTRAS.contains(&k.as_str()) => {
                        out.push(Finding::new(
                            &p,
                            Severity::Info,
                            CheckCode::FieldNotInSchema,
                            "not in Tamara's OpenAPI schema; the official SDK or guide sends it",
                        ))
                    }
                    (Some(_), None) => out.push(Finding::new(
                        &p,
                        Severity::Warning,
                        CheckCode::UnknownField,
                        format!("{k:?} is not a field of Tamara's checkout request (a typo?)"),
                    )),
                    _ => {}
                }
                let child = sub.unwrap_or(&Value::Null);
                kept.insert(k.clone(), normalise(v, child, &p, out));
            }
            Value::Object(kept)
        }
        Value::Array(a) if a.is_empty() && schema.get("type") == Some(&Value::from("object")) => {
            Value::Object(Map::new())
        }
        Value::Array(a) => {
            let item_schema = schema.get("items").unwrap_or(&Value::Null);
            let items = a.iter().enumerate();
            Value::Array(
                items
                    .map(|(i, v)| normalise(v, item_schema, &index(path, i), out))
                    .collect(),
            )
        }
        other => other.clone(),
    }
}

/// A JSON pointer (`/items/0/quantity`) as a dotted path (`items[0].quantity`), reading
/// `doc` to tell an array index from a key that looks like a number.
pub(crate) fn dotted(doc: &Value, pointer: &str) -> String {
    let mut out = String::new();
    let mut at = Some(doc);
    for raw in pointer.split('/').skip(1) {
        let seg = raw.replace("~1", "/").replace("~0", "~");
        match (at, seg.parse::<usize>()) {
            (Some(Value::Array(a)), Ok(i)) => {
                out = index(&out, i);
                at = a.get(i);
            }
            (cur, _) => {
                out = join(&out, &seg);
                at = cur.and_then(|c| c.get(&seg));
            }
        }
    }
    out
}

/// One validation error as a finding; `None` for what another layer reports.
fn finding(path: &str, kind: &ValidationErrorKind, text: &str) -> Option<Finding> {
    let (severity, code, message) = match kind {
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            return Some(Finding::new(
                &join(path, name),
                Severity::Error,
                CheckCode::MissingField,
                format!("{name} is required"),
            ));
        }
        ValidationErrorKind::Type { kind } => (
            Severity::Error,
            CheckCode::WrongType,
            format!("wrong type: expected {}", type_name(kind)),
        ),
        ValidationErrorKind::Format { format } => {
            if path.starts_with("merchant_url.") {
                return None; // the rules layer checks these URLs
            }
            (
                Severity::Warning,
                CheckCode::BadFormat,
                format!("not a valid {format}"),
            )
        }
        ValidationErrorKind::MaxLength { limit } => (
            Severity::Error,
            CheckCode::TooLong,
            format!("longer than {limit} characters"),
        ),
        ValidationErrorKind::Minimum { .. } | ValidationErrorKind::Maximum { .. } => {
            (Severity::Error, CheckCode::OutOfRange, short(text))
        }
        ValidationErrorKind::Enum { options } => (
            Severity::Error,
            CheckCode::NotAllowedValue,
            format!("not one of {options}"),
        ),
        _ => (Severity::Error, CheckCode::SchemaViolation, short(text)),
    };
    Some(Finding::new(path, severity, code, message))
}

fn type_name(kind: &jsonschema::error::TypeKind) -> String {
    match kind {
        jsonschema::error::TypeKind::Single(t) => t.to_string(),
        jsonschema::error::TypeKind::Multiple(ts) => {
            let names: Vec<String> = (*ts).into_iter().map(|t| t.to_string()).collect();
            names.join(" or ")
        }
    }
}

/// A validator message cut to a line's length (it quotes the whole offending value).
fn short(text: &str) -> String {
    let mut s: String = text.chars().take(160).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_schema_compiles_with_its_corrections() {
        let s = corrected_schema().unwrap();
        let amount = &s["properties"]["shipping_amount"]["properties"]["amount"];
        assert_eq!(amount["type"], json!(["number", "string"]));
        let name = &s["properties"]["items"]["items"]["properties"]["name"];
        assert_eq!(name["maxLength"], 255);
        let req = s["required"].as_array().unwrap();
        assert!(!req.contains(&json!("instalments")) && req.contains(&json!("items")));
    }

    #[test]
    fn pointers_become_dotted_paths() {
        let doc = json!({"items": [{"quantity": 1}], "a/b": {"0": 1}});
        assert_eq!(dotted(&doc, "/items/0/quantity"), "items[0].quantity");
        assert_eq!(dotted(&doc, "/a~1b/0"), "a/b.0");
        assert_eq!(dotted(&doc, ""), "");
    }

    #[test]
    fn sdk_habits_are_not_errors_but_typos_and_wrong_types_are() {
        let body = json!({
            "order_reference_id": "R", "description": "", "country_code": "SA",
            "total_amount": {"amount": 10, "currency": "SAR"},
            "tax_amount": {"amount": "0", "currency": "SAR"},
            "shipping_amount": {"amount": 0, "currency": "SAR"},
            "items": [{"reference_id": "1", "type": "", "name": "n", "sku": "s",
                       "quantity": "2", "total_amount": {"amount": 10, "currency": "SAR"},
                       "unit_price": null, "image_url": ""}],
            "consumer": {"first_name": "a", "last_name": "b", "phone_number": "5",
                         "national_id": ""},
            "shipping_address": {"first_name": "a", "last_name": "b", "line1": "l",
                                 "city": "c", "country_code": "SA"},
            "merchant_url": {"success": "x", "failure": "x", "cancel": "x"},
            "risk_assessment": [], "billing_address": null, "shiping_amount": 1
        });
        let f = check(&body);
        let at = |p: &str| f.iter().filter(|x| x.path == p).collect::<Vec<_>>();
        assert_eq!(at("items[0].quantity")[0].code, CheckCode::WrongType);
        assert_eq!(at("shiping_amount")[0].code, CheckCode::UnknownField);
        assert!(at("risk_assessment").is_empty() && at("billing_address").is_empty());
        assert!(at("items[0].image_url").is_empty(), "{f:?}");
        let errors: Vec<_> = f.iter().filter(|x| x.severity == Severity::Error).collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        let missing = check(&json!({"items": []}));
        assert!(
            missing
                .iter()
                .any(|x| x.path == "consumer" && x.code == CheckCode::MissingField)
        );
    }
}

//! Request-body reading: raw bytes → `serde_json::Value` → checked fields.
//!
//! Bodies are parsed by hand instead of through `axum::Json<T>` so that every malformed body,
//! wrong type or absurd number becomes Tamara's error body with a 400 — never axum's plain-text
//! 415/422 and never a panic. Field paths in errors are dotted (`items[0].total_amount`).

use serde_json::{Map, Value};

use crate::errors::{ApiError, ApiResult};

/// Parses a request body. An empty body is `{}` (authorise and delete need no body).
pub fn parse_body(bytes: &[u8]) -> ApiResult<Value> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_request(format!("Malformed JSON body: {e}"), "invalid_json"))
}

/// The body must be a JSON object.
pub fn as_object<'a>(v: &'a Value, field: &str) -> ApiResult<&'a Map<String, Value>> {
    v.as_object()
        .ok_or_else(|| ApiError::invalid(field, "expected an object"))
}

/// Value of `key`, `Null` when absent (so "absent" and "null" are treated alike).
pub fn get<'a>(obj: &'a Map<String, Value>, key: &str) -> &'a Value {
    obj.get(key).unwrap_or(&Value::Null)
}

fn path(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Required non-empty string.
pub fn req_str(obj: &Map<String, Value>, prefix: &str, key: &str) -> ApiResult<String> {
    match get(obj, key) {
        Value::Null => Err(ApiError::missing(&path(prefix, key))),
        Value::String(s) if s.trim().is_empty() => Err(ApiError::missing(&path(prefix, key))),
        Value::String(s) => Ok(s.clone()),
        _ => Err(ApiError::invalid(&path(prefix, key), "expected a string")),
    }
}

/// Required string that may be empty: the PHP SDK sends `""` for a required field the
/// merchant never set (`description`, an item's `type`), and only absence is refused.
pub fn req_str_or_empty(obj: &Map<String, Value>, prefix: &str, key: &str) -> ApiResult<String> {
    match get(obj, key) {
        Value::Null => Err(ApiError::missing(&path(prefix, key))),
        Value::String(s) => Ok(s.clone()),
        _ => Err(ApiError::invalid(&path(prefix, key), "expected a string")),
    }
}

/// Optional string (absent / null → `None`).
pub fn opt_str(obj: &Map<String, Value>, prefix: &str, key: &str) -> ApiResult<Option<String>> {
    match get(obj, key) {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err(ApiError::invalid(&path(prefix, key), "expected a string")),
    }
}

/// Optional string or number rendered as text (tracking numbers come both ways, §5.4).
pub fn opt_str_or_num(
    obj: &Map<String, Value>,
    prefix: &str,
    key: &str,
) -> ApiResult<Option<String>> {
    match get(obj, key) {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        Value::Number(n) => Ok(Some(n.to_string())),
        _ => Err(ApiError::invalid(&path(prefix, key), "expected a string")),
    }
}

/// Required object.
pub fn req_obj<'a>(
    obj: &'a Map<String, Value>,
    prefix: &str,
    key: &str,
) -> ApiResult<&'a Map<String, Value>> {
    match get(obj, key) {
        Value::Null => Err(ApiError::missing(&path(prefix, key))),
        Value::Object(o) => Ok(o),
        _ => Err(ApiError::invalid(&path(prefix, key), "expected an object")),
    }
}

/// Optional object. An empty array counts as absent: Tamara's PHP SDK sends PHP's empty array
/// `[]` for every empty object (`"risk_assessment": []`, `"headers": []`).
pub fn opt_obj<'a>(
    obj: &'a Map<String, Value>,
    prefix: &str,
    key: &str,
) -> ApiResult<Option<&'a Map<String, Value>>> {
    match get(obj, key) {
        Value::Null => Ok(None),
        Value::Array(a) if a.is_empty() => Ok(None),
        Value::Object(o) => Ok(Some(o)),
        _ => Err(ApiError::invalid(&path(prefix, key), "expected an object")),
    }
}

/// Optional array.
pub fn opt_array<'a>(
    obj: &'a Map<String, Value>,
    prefix: &str,
    key: &str,
) -> ApiResult<Option<&'a Vec<Value>>> {
    match get(obj, key) {
        Value::Null => Ok(None),
        Value::Array(a) => Ok(Some(a)),
        _ => Err(ApiError::invalid(&path(prefix, key), "expected an array")),
    }
}

/// Optional non-negative integer that fits u32 (quantities, instalments).
pub fn opt_u32(obj: &Map<String, Value>, prefix: &str, key: &str) -> ApiResult<Option<u32>> {
    match get(obj, key) {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_u64()
            .and_then(|v| u32::try_from(v).ok())
            .map(Some)
            .ok_or_else(|| ApiError::invalid(&path(prefix, key), "expected a small integer")),
        _ => Err(ApiError::invalid(&path(prefix, key), "expected an integer")),
    }
}

/// Optional boolean.
pub fn opt_bool(obj: &Map<String, Value>, prefix: &str, key: &str) -> ApiResult<Option<bool>> {
    match get(obj, key) {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        _ => Err(ApiError::invalid(&path(prefix, key), "expected a boolean")),
    }
}

/// Checks a maximum length in characters.
pub fn max_len(value: &str, field: &str, max: usize) -> ApiResult<()> {
    if value.chars().count() > max {
        return Err(ApiError::invalid(
            field,
            &format!("longer than {max} characters"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn an_optional_object_may_be_absent_null_an_empty_array_or_an_object() {
        let o = body(json!({"null": null, "php": [], "obj": {"a": "b"}}));
        assert_eq!(opt_obj(&o, "", "missing").unwrap(), None);
        assert_eq!(opt_obj(&o, "", "null").unwrap(), None);
        assert_eq!(opt_obj(&o, "", "php").unwrap(), None);
        assert_eq!(opt_obj(&o, "", "obj").unwrap().unwrap()["a"], json!("b"));
    }

    #[test]
    fn a_non_empty_array_or_a_scalar_is_not_an_object() {
        let o = body(json!({"list": ["x"], "text": "x"}));
        assert!(opt_obj(&o, "", "list").is_err());
        assert!(opt_obj(&o, "", "text").is_err());
    }
}

//! The comparison behind the OpenAPI contract: what a model wrote back against the example it
//! read. Invariants: every key the model writes must equal the example's (numbers as exact
//! decimals; a number may stand for a numeric string, which the file uses for some amounts);
//! a key the example gives a value must come back with one; PHP's `[]` equals an empty map.

use serde_json::Value;

/// Compares what the model wrote back with the example; each difference is one line in `out`.
pub(super) fn compare(model: &Value, example: &Value, at: &str, out: &mut Vec<String>) {
    match (model, example) {
        (Value::Object(m), Value::Object(e)) => {
            for (k, mv) in m {
                match e.get(k) {
                    Some(ev) => compare(mv, ev, &format!("{at}.{k}"), out),
                    None if is_nothing(mv) => {}
                    None => out.push(format!("{at}.{k}: model invents {mv}")),
                }
            }
            // A key the model writes as null is reported by the recursion above.
            for (k, ev) in e {
                if !ev.is_null() && !m.contains_key(k) {
                    out.push(format!("{at}.{k}: {ev} is lost"));
                }
            }
        }
        (Value::Array(m), Value::Array(e)) => {
            if m.len() != e.len() {
                out.push(format!(
                    "{at}: {} elements, example has {}",
                    m.len(),
                    e.len()
                ));
            }
            for (i, (mv, ev)) in m.iter().zip(e).enumerate() {
                compare(mv, ev, &format!("{at}[{i}]"), out);
            }
        }
        // PHP writes an empty map as `[]`; a model keeping a map writes `{}`.
        (Value::Object(m), Value::Array(e)) if m.is_empty() && e.is_empty() => {}
        (Value::Number(_), Value::Number(_) | Value::String(_))
            if decimal(model).is_some() && decimal(model) == decimal(example) => {}
        (Value::Null, e) if !e.is_null() => out.push(format!("{at}: {e} is lost")),
        _ if model != example => out.push(format!("{at}: model {model}, example {example}")),
        _ => {}
    }
}

/// A number, or a numeric string (the file types some amounts as strings), as an exact decimal.
fn decimal(v: &Value) -> Option<rust_decimal::Decimal> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => return None,
    };
    tamara::money::parse_decimal(&text)
        .ok()
        .map(|d| d.normalize())
}

/// What a model writes for a key the example leaves out: null or an empty collection.
fn is_nothing(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

#[test]
fn the_comparison_refuses_what_it_must() {
    let differences = |model: Value, example: Value| {
        let mut out = Vec::new();
        compare(&model, &example, "$", &mut out);
        out
    };
    use serde_json::json;
    // Equal as exact decimals, however written; PHP's empty array for an empty map.
    assert!(differences(json!({"a": 300.00}), json!({"a": 300})).is_empty());
    assert!(differences(json!({"a": 100.00}), json!({"a": "100.00"})).is_empty());
    assert!(differences(json!({"h": {}}), json!({"h": []})).is_empty());
    // The model's nothing for a key the example leaves out; the example's null.
    assert!(differences(json!({"a": null, "b": []}), json!({})).is_empty());
    assert!(differences(json!({}), json!({"a": null})).is_empty());
    // And what must be refused, once each.
    for (model, example) in [
        (json!({"a": 0.1}), json!({"a": 0.10000001})),
        (json!({"a": 1}), json!({"a": "one"})),
        (json!({}), json!({"a": []})),
        (json!({"a": null}), json!({"a": "x"})),
        (json!({"a": "x"}), json!({})),
        (json!({"a": [1]}), json!({"a": [1, 2]})),
        (json!([{"a": "x"}]), json!([{"a": "y"}])),
        (json!({"h": {"k": "v"}}), json!({"h": []})),
        (json!({"a": true}), json!({"a": false})),
    ] {
        assert_eq!(
            differences(model.clone(), example.clone()).len(),
            1,
            "{model} against {example}"
        );
    }
}

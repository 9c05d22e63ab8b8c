//! Tamara's OpenAPI file as test data: its operations, their examples and parameters, and
//! response schemas turned into JSON Schema.
//!
//! OpenAPI 3.0 schema objects are JSON Schema draft 4 (Wright-00) with extras. The conversion
//! turns `nullable: true` into a type union, drops `example` and `x-*` keys, and embeds
//! `components` so a `$ref: "#/components/schemas/…"` resolves in the schema's own document.
//! Where the file's schemas contradict the file's own examples, [`ERRATA`] patches the schema;
//! a test proves each erratum is still needed and that every response example then validates.

use serde_json::{Map, Value, json};

/// The parsed file.
pub struct Oas {
    pub doc: Value,
}

/// One operation (method + path) of the file.
pub struct Operation<'a> {
    pub id: String,
    pub method: String,
    pub path: String,
    pub op: &'a Value,
    /// Path-item parameters followed by the operation's own.
    pub params: Vec<&'a Value>,
}

pub fn load() -> Oas {
    let path = format!(
        "{}/../../tests/fixtures/openapi/tamara-openapi.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    Oas {
        doc: serde_json::from_str(&text).unwrap(),
    }
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

impl Oas {
    /// Every operation, in file order.
    pub fn operations(&self) -> Vec<Operation<'_>> {
        let mut out = Vec::new();
        for (path, item) in self.doc["paths"].as_object().unwrap() {
            let shared: Vec<&Value> = item["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .collect();
            for (method, op) in item.as_object().unwrap() {
                if !METHODS.contains(&method.as_str()) {
                    continue;
                }
                let mut params = shared.clone();
                params.extend(op["parameters"].as_array().into_iter().flatten());
                out.push(Operation {
                    id: op["operationId"].as_str().unwrap().to_owned(),
                    method: method.to_uppercase(),
                    path: path.clone(),
                    op,
                    params,
                });
            }
        }
        out
    }

    pub fn operation(&self, id: &str) -> Operation<'_> {
        let found = self.operations().into_iter().find(|o| o.id == id);
        found.unwrap_or_else(|| panic!("no operation {id} in the OpenAPI file"))
    }

    /// The JSON Schema of `id`'s answer with `status`, errata applied; `None` when the file
    /// gives that answer no schema.
    pub fn response_schema(&self, id: &str, status: u16) -> Option<Value> {
        let op = self.operation(id);
        let mut schema = to_json_schema(op.response(status)?.get("schema")?);
        for e in ERRATA.iter().filter(|e| e.op == id && e.status == status) {
            (e.patch)(&mut schema);
        }
        let components = to_json_schema(&self.doc["components"]["schemas"]);
        schema["components"] = json!({ "schemas": components });
        Some(schema)
    }
}

impl Operation<'_> {
    /// The JSON content of the answer with `status`.
    pub fn response(&self, status: u16) -> Option<&Value> {
        self.op["responses"]
            .get(status.to_string())?
            .get("content")?
            .get("application/json")
    }

    /// The documented answer statuses.
    pub fn statuses(&self) -> Vec<u16> {
        let codes = self.op["responses"].as_object().unwrap().keys();
        codes.map(|k| k.parse().unwrap()).collect()
    }

    /// Named examples of a request body or an answer: `example` and every `examples.*.value`.
    fn examples_of(content: &Value) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        if let Some(e) = content.get("example") {
            out.push(("example".to_owned(), e.clone()));
        }
        for (name, e) in content["examples"].as_object().into_iter().flatten() {
            out.push((name.clone(), e["value"].clone()));
        }
        out
    }

    pub fn response_examples(&self, status: u16) -> Vec<(String, Value)> {
        self.response(status)
            .map(Self::examples_of)
            .unwrap_or_default()
    }

    pub fn request_schema(&self) -> Option<&Value> {
        self.op["requestBody"]["content"]["application/json"].get("schema")
    }

    /// Every request example of the operation. Where the file has none for a documented body
    /// (cancel, legacy refund), the body the file gives by other means: a whole-body example
    /// filed under one property (the legacy refund's `refunds.example`), else the body the
    /// schema's own property examples and defaults make.
    pub fn request_examples(&self) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        for (ct, content) in self.op["requestBody"]["content"]
            .as_object()
            .into_iter()
            .flatten()
        {
            for (name, e) in Self::examples_of(content) {
                out.push((format!("{ct} {name}"), e));
            }
        }
        let Some(schema) = self.request_schema().filter(|_| out.is_empty()) else {
            return out;
        };
        let required: Vec<&str> = schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        for (name, prop) in schema["properties"].as_object().into_iter().flatten() {
            if let Some(e) = prop
                .get("example")
                .filter(|e| !required.is_empty() && required.iter().all(|k| e.get(k).is_some()))
            {
                out.push((
                    format!("whole body under properties.{name}.example"),
                    e.clone(),
                ));
            }
        }
        if out.is_empty() {
            out.push((
                "from the schema's examples".to_owned(),
                example_from_schema(schema),
            ));
        }
        out
    }

    /// A parameter's example value: `example`, else `schema.example`, else `schema.default`.
    pub fn param(&self, name: &str) -> Option<String> {
        let p = self.params.iter().find(|p| p["name"] == name)?;
        let v = [
            &p["example"],
            &p["schema"]["example"],
            &p["schema"]["default"],
        ]
        .into_iter()
        .find(|v| !v.is_null())?;
        Some(match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    }

    /// Names of the parameters in `location` (`query`, `header`, `path`).
    pub fn params_in(&self, location: &str) -> Vec<String> {
        let found = self.params.iter().filter(|p| p["in"] == location);
        found
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    }
}

/// A value built from a schema's own `example`/`default`s, recursively.
pub fn example_from_schema(s: &Value) -> Value {
    if let Some(e) = s.get("example").or_else(|| s.get("default")) {
        return e.clone();
    }
    if s["type"] == "array" {
        return json!([example_from_schema(&s["items"])]);
    }
    if let Some(props) = s["properties"].as_object() {
        let mut out = Map::new();
        for (k, p) in props {
            let v = example_from_schema(p);
            if !v.is_null() {
                out.insert(k.clone(), v);
            }
        }
        return Value::Object(out);
    }
    s["enum"].get(0).cloned().unwrap_or(Value::Null)
}

/// Keywords whose value is one schema, a list of schemas, or a map of names to schemas.
const ONE: [&str; 4] = ["items", "additionalProperties", "not", "additionalItems"];
const LIST: [&str; 3] = ["allOf", "anyOf", "oneOf"];
const MAP: [&str; 3] = ["properties", "patternProperties", "definitions"];

/// An OpenAPI 3.0 schema object as a JSON Schema draft 4 schema.
pub fn to_json_schema(s: &Value) -> Value {
    let Some(obj) = s.as_object() else {
        return s.clone();
    };
    let mut out = Map::new();
    for (k, v) in obj {
        let converted = match k.as_str() {
            "example" | "nullable" => continue,
            k if k.starts_with("x-") => continue,
            k if ONE.contains(&k) && v.is_object() => to_json_schema(v),
            k if ONE.contains(&k) || LIST.contains(&k) => {
                Value::Array(v.as_array().unwrap().iter().map(to_json_schema).collect())
            }
            k if MAP.contains(&k) => map_schemas(v),
            _ => v.clone(),
        };
        out.insert(k.clone(), converted);
    }
    if obj.get("nullable") == Some(&Value::Bool(true)) {
        if let Some(t) = out.get("type").cloned() {
            let mut types = t.as_array().cloned().unwrap_or_else(|| vec![t]);
            types.push(json!("null"));
            out.insert("type".to_owned(), Value::Array(types));
        }
        if let Some(Value::Array(e)) = out.get_mut("enum") {
            e.push(Value::Null);
        }
    }
    Value::Object(out)
}

fn map_schemas(v: &Value) -> Value {
    let named = v.as_object().into_iter().flatten();
    Value::Object(named.map(|(k, s)| (k.clone(), to_json_schema(s))).collect())
}

/// A correction of one response schema of the file, where the schema contradicts every
/// example the file gives for that answer.
pub struct Erratum {
    pub op: &'static str,
    pub status: u16,
    pub why: &'static str,
    pub patch: fn(&mut Value),
}

/// One Money object, as every amount of every example is.
fn money_object(items: &Value) -> Value {
    let mut m = items.clone();
    m["type"] = json!("object");
    m
}

pub const ERRATA: &[Erratum] = &[
    Erratum {
        op: "authoriseOrder",
        status: 200,
        why: "authorized_amount is declared an array of Money; both examples send one Money object",
        patch: |s| {
            s["properties"]["authorized_amount"] =
                money_object(&s["properties"]["authorized_amount"]["items"])
        },
    },
    Erratum {
        op: "authoriseOrder",
        status: 200,
        why: "capture_id is declared format uuid; the example \"Success\" sends \"\" (nothing captured)",
        patch: |s| {
            s["properties"]["capture_id"] =
                json!({ "type": "string", "anyOf": [{ "format": "uuid" }, { "maxLength": 0 }] })
        },
    },
    Erratum {
        op: "voidCheckoutSession",
        status: 200,
        why: "captured_amount is declared an array of {amount, currency, message, store_code}; all \
              three examples send one Money object, with message and store_code beside it",
        patch: |s| {
            let items = s["properties"]["captured_amount"]["items"].clone();
            let mut money = money_object(&items);
            money["properties"]
                .as_object_mut()
                .unwrap()
                .remove("message");
            money["properties"]
                .as_object_mut()
                .unwrap()
                .remove("store_code");
            s["properties"]["captured_amount"] = money;
            s["properties"]["message"] = items["properties"]["message"].clone();
            s["properties"]["store_code"] = items["properties"]["store_code"].clone();
        },
    },
];

/// A validator for OpenAPI 3.0's dialect: draft 4, formats asserted (`uuid` included, which
/// draft 4 does not know).
pub fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .with_format("uuid", |s: &str| uuid::Uuid::parse_str(s).is_ok())
        .build(schema)
        .unwrap_or_else(|e| panic!("schema does not compile: {e}\n{schema}"))
}

/// Every way `value` breaks `schema`, as `path: message` lines.
pub fn violations(schema: &Value, value: &Value) -> Vec<String> {
    let v = validator(schema);
    v.iter_errors(value)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

//! Contract: the client against Tamara's own OpenAPI document
//! (`tests/fixtures/openapi/tamara-openapi.json`, read at run time, never generated from).
//!
//! Every operation of the file (paths × methods) must have a row in [`CONTRACTS`], and every row
//! an operation in the file. Every response example of every status is read into the client's
//! model for it (2xx: the operation's model; 4xx: [`ErrorBody`]), written back, and compared key
//! by key with the example: what the model writes must equal the example (numbers as exact
//! decimals), and nothing the example says may come back missing. Every example is counted and
//! the count per operation is pinned, so an example skipped by a change of the walk fails here.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on broken fixtures

mod calls;
mod compare;
mod vocabulary;

use std::collections::BTreeMap;
use std::path::PathBuf;

use compare::compare;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tamara::model::ErrorBody;
use tamara::model::checkout::{
    CheckoutRequest, CheckoutResponse, IdVerificationStatus, PaymentOptionsPreCheckRequest,
    PaymentOptionsPreCheckResponse, PaymentTypeOption,
};
use tamara::model::in_store::{
    InStoreCheckoutResponse, InStoreQrRequest, InStoreSessionRequest, VoidCheckoutResponse,
};
use tamara::model::order::{MessageResponse, OrderDetails, UpdateReferenceRequest};
use tamara::model::payments::*;
use tamara::model::webhooks::{Webhook, WebhookRequest};

/// Reads an example into `T` and writes it back: what the client keeps of it.
type RoundTrip = fn(&Value) -> Result<Value, String>;

fn round_trip<T: DeserializeOwned + Serialize>(example: &Value) -> Result<Value, String> {
    let typed: T = serde_json::from_value(example.clone()).map_err(|e| format!("refused: {e}"))?;
    serde_json::to_value(&typed).map_err(|e| format!("cannot write back: {e}"))
}

/// An error answer as the client reads it (leniently, field by field), written back.
fn error_round_trip(example: &Value) -> Result<Value, String> {
    serde_json::to_value(ErrorBody::from_json(example)).map_err(|e| e.to_string())
}

/// What the client does with one operation of the file.
struct Contract {
    operation: &'static str,
    /// The model of a 2xx body; `None` for an operation whose success has no body.
    response: Option<RoundTrip>,
    /// Response examples (all statuses) this row must check.
    responses: usize,
    /// The model the client sends, and how many request examples it must check.
    request: Option<RoundTrip>,
    requests: usize,
}

const fn row(
    operation: &'static str,
    response: Option<RoundTrip>,
    responses: usize,
    request: Option<RoundTrip>,
    requests: usize,
) -> Contract {
    Contract {
        operation,
        response,
        responses,
        request,
        requests,
    }
}

/// operationId → the client's models. The counts are the file's, pinned.
const CONTRACTS: &[Contract] = &[
    row(
        "paymentTypes",
        Some(round_trip::<Vec<PaymentTypeOption>>),
        1,
        None,
        0,
    ),
    row(
        "checkPaymentOptionsAvailability",
        Some(round_trip::<PaymentOptionsPreCheckResponse>),
        3,
        Some(round_trip::<PaymentOptionsPreCheckRequest>),
        1,
    ),
    row(
        "customerSIdVerificationStatus",
        Some(round_trip::<IdVerificationStatus>),
        2,
        None,
        0,
    ),
    row(
        "createInStoreCheckoutSession",
        Some(round_trip::<InStoreCheckoutResponse>),
        2,
        Some(round_trip::<InStoreSessionRequest>),
        1,
    ),
    row(
        "createInStoreQrCode",
        Some(round_trip::<InStoreCheckoutResponse>),
        2,
        Some(round_trip::<InStoreQrRequest>),
        1,
    ),
    row(
        "voidCheckoutSession",
        Some(round_trip::<VoidCheckoutResponse>),
        3,
        None,
        0,
    ),
    row(
        "createCheckoutSession",
        Some(round_trip::<CheckoutResponse>),
        2,
        Some(round_trip::<CheckoutRequest>),
        1,
    ),
    row(
        "getOrderDetails",
        Some(round_trip::<OrderDetails>),
        4,
        None,
        0,
    ),
    row(
        "getOrderDetailsByRefId",
        Some(round_trip::<OrderDetails>),
        4,
        None,
        0,
    ),
    row(
        "updateOrderReferenceId",
        Some(round_trip::<MessageResponse>),
        1,
        Some(round_trip::<UpdateReferenceRequest>),
        1,
    ),
    row(
        "authoriseOrder",
        Some(round_trip::<AuthoriseResponse>),
        2,
        None,
        0,
    ),
    row(
        "cancelOrder",
        Some(round_trip::<CancelResponse>),
        3,
        Some(round_trip::<CancelRequest>),
        0,
    ),
    row(
        "captureOrder",
        Some(round_trip::<CaptureResponse>),
        2,
        Some(round_trip::<CaptureRequest>),
        1,
    ),
    row(
        "refund",
        Some(round_trip::<LegacyRefundResponse>),
        2,
        Some(round_trip::<LegacyRefundRequest>),
        0,
    ),
    row(
        "simplifiedRefund",
        Some(round_trip::<SimplifiedRefundResponse>),
        2,
        Some(round_trip::<SimplifiedRefundRequest>),
        1,
    ),
    row(
        "registerWebhookUrl",
        Some(round_trip::<Webhook>),
        1,
        Some(round_trip::<WebhookRequest>),
        2,
    ),
    row(
        "retrieveWebhookUrlUsingWebhookId",
        Some(round_trip::<Webhook>),
        1,
        None,
        0,
    ),
    row(
        "updateWebhookUrlUsingWebhookId",
        Some(round_trip::<Webhook>),
        1,
        Some(round_trip::<WebhookRequest>),
        1,
    ),
    row("deleteWebhookUrlUsingWebhookId", None, 0, None, 0),
];

/// An example of the file that contradicts the file's own schema, filled in as the schema says
/// before it is checked. The raw example must still be refused as stated, so the day Tamara
/// fixes its file this entry fails and is removed.
struct Gap {
    operation: &'static str,
    example: &'static str,
    refused_with: &'static str,
    fill: fn() -> Value,
}

const GAPS: &[Gap] = &[Gap {
    operation: "createCheckoutSession",
    example: "request application/json example",
    // The schema requires payment_type and instalments; the example sends neither.
    refused_with: "missing field `payment_type`",
    fill: || serde_json::json!({"payment_type": "PAY_BY_INSTALMENTS", "instalments": 3}),
}];

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn openapi() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/openapi/tamara-openapi.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// One operation of the file.
struct Operation<'a> {
    id: String,
    method: &'static str,
    path: &'a str,
    spec: &'a Value,
}

fn operations(doc: &Value) -> Vec<Operation<'_>> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if let Some(spec) = item.get(method) {
                let id = spec["operationId"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
                out.push(Operation {
                    id: id.to_owned(),
                    method,
                    path,
                    spec,
                });
            }
        }
    }
    out
}

/// Every example of one `content` map: `example`, and each `examples.*.value` (an entry without
/// a `value` is reported, never skipped).
fn examples(content: &Value, failures: &mut Vec<String>, at: &str) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (media, body) in content.as_object().into_iter().flatten() {
        if let Some(e) = body.get("example") {
            out.push((format!("{media} example"), e.clone()));
        }
        for (name, entry) in body
            .get("examples")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            match entry.get("value") {
                Some(v) => out.push((format!("{media} examples[{name}]"), v.clone())),
                None => failures.push(format!("{at} {media} examples[{name}]: no inline value")),
            }
        }
    }
    out
}

fn check(trip: RoundTrip, example: &Value, at: &str, failures: &mut Vec<String>) {
    match trip(example) {
        Ok(back) => compare(&back, example, at, failures),
        Err(e) => failures.push(format!("{at}: {e}")),
    }
}

#[test]
fn every_operation_of_the_file_has_a_contract_and_every_example_holds() {
    let doc = openapi();
    let ops = operations(&doc);
    let mut failures = Vec::new();
    let mut responses: BTreeMap<String, usize> = BTreeMap::new();
    let mut requests: BTreeMap<String, usize> = BTreeMap::new();
    let mut gaps_seen = 0;
    let mut ids: Vec<&str> = ops.iter().map(|op| op.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), ops.len(), "operationIds must be unique");

    for op in &ops {
        let Some(contract) = CONTRACTS.iter().find(|c| c.operation == op.id) else {
            failures.push(format!(
                "{} ({} {}) has no contract row",
                op.id,
                op.method.to_uppercase(),
                op.path
            ));
            continue;
        };
        let count = responses.entry(op.id.clone()).or_default();
        for (status, response) in op.spec["responses"].as_object().expect("responses") {
            let at = format!("{} {status}", op.id);
            let content = response.get("content").unwrap_or(&Value::Null);
            for (name, example) in examples(content, &mut failures, &at) {
                *count += 1;
                let at = format!("{at} {name}");
                match status.as_bytes().first() {
                    Some(b'2') => match contract.response {
                        Some(trip) => check(trip, &example, &at, &mut failures),
                        None => failures.push(format!("{at}: a body the client does not model")),
                    },
                    Some(b'4') => check(error_round_trip, &example, &at, &mut failures),
                    _ => failures.push(format!("{at}: no rule for status {status}")),
                }
            }
        }
        let count = requests.entry(op.id.clone()).or_default();
        if let Some(body) = op.spec.get("requestBody") {
            let at = format!("{} request", op.id);
            let content = body.get("content").unwrap_or(&Value::Null);
            for (name, example) in examples(content, &mut failures, &at) {
                *count += 1;
                let at = format!("{at} {name}");
                let Some(trip) = contract.request else {
                    failures.push(format!("{at}: a body the client does not model"));
                    continue;
                };
                let gap = GAPS
                    .iter()
                    .find(|g| g.operation == op.id && at.ends_with(g.example));
                match gap {
                    Some(gap) => {
                        gaps_seen += 1;
                        match trip(&example) {
                            Err(e) if e.contains(gap.refused_with) => {}
                            other => failures.push(format!(
                                "{at}: a known gap no longer refused as {:?} ({other:?})",
                                gap.refused_with
                            )),
                        }
                        let mut filled = example.clone();
                        for (k, v) in (gap.fill)().as_object().expect("a fill is an object") {
                            filled[k] = v.clone();
                        }
                        check(trip, &filled, &at, &mut failures);
                    }
                    None => check(trip, &example, &at, &mut failures),
                }
            }
        }
    }
    for c in CONTRACTS {
        if !ops.iter().any(|op| op.id == c.operation) {
            failures.push(format!("{}: a contract row for no operation", c.operation));
            continue;
        }
        let (got, sent) = (responses[c.operation], requests[c.operation]);
        if got != c.responses {
            failures.push(format!(
                "{}: {got} response examples checked, {} pinned",
                c.operation, c.responses
            ));
        }
        if sent != c.requests {
            failures.push(format!(
                "{}: {sent} request examples checked, {} pinned",
                c.operation, c.requests
            ));
        }
    }
    if gaps_seen != GAPS.len() {
        failures.push(format!("{gaps_seen} of {} known gaps met", GAPS.len()));
    }
    assert!(
        failures.is_empty(),
        "{} contract failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(ops.len(), 19, "the file's operations");
    assert_eq!(responses.values().sum::<usize>(), 38, "response examples");
    assert_eq!(requests.values().sum::<usize>(), 10, "request examples");
}

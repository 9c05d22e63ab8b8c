//! The OpenAPI contract through the real client on loopback: for every operation of the file the
//! client's method must use the file's method and path, send every required query parameter and
//! header and no undeclared query parameter, send a body with the schema's required fields (and
//! none where the file has none), read the file's 2xx example into its typed value, and turn each
//! 4xx example into an [`ApiError::Http`] that keeps the codes and their data.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tamara::{ApiError, ClientConfig, Currency, Money, OrderPath, Sensitive, TamaraClient};

use super::{GAPS, examples, openapi, operations};

/// Operations that send a body the file does not describe, and why.
const UNDESCRIBED_BODIES: &[(&str, &str)] = &[(
    "authoriseOrder",
    "the PHP SDK sends {order_id} to authorise; harmless, kept for fidelity",
)];

/// One request as the loopback server saw it.
#[derive(Debug, Clone, Default)]
struct Seen {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

#[derive(Default)]
struct Loopback {
    answer: Mutex<(u16, Value)>,
    seen: Mutex<Vec<Seen>>,
}

async fn record(State(lb): State<Arc<Loopback>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20).await.unwrap().to_vec();
    let query = url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let headers = parts
        .headers
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    lb.seen.lock().unwrap().push(Seen {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query,
        headers,
        body,
    });
    let (status, body) = lb.answer.lock().unwrap().clone();
    let status = StatusCode::from_u16(status).unwrap();
    if body.is_null() {
        status.into_response()
    } else {
        (status, axum::Json(body)).into_response()
    }
}

fn from<T: DeserializeOwned>(v: &Value) -> T {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{v}: {e}"))
}

/// Calls the client's method for `operation`, with the file's request example as the body where
/// there is one; `None` when the client has no method for it.
async fn invoke(c: &TamaraClient, operation: &str, ex: &Value) -> Option<Result<Value, ApiError>> {
    let sar = |s: &str| Money::parse(s, Currency::Sar).unwrap();
    let r = match operation {
        "paymentTypes" => c
            .payment_types("SA", Some(&sar("100")), Some("966500000000"))
            .await
            .map(|w| w.raw),
        "checkPaymentOptionsAvailability" => {
            c.payment_options_pre_check(&from(ex)).await.map(|w| w.raw)
        }
        "customerSIdVerificationStatus" => c
            .id_verification_status("966500000000", "SA")
            .await
            .map(|w| w.raw),
        "createCheckoutSession" => c.create_checkout(&from(ex)).await.map(|w| w.raw),
        "createInStoreCheckoutSession" => c.in_store_session(&from(ex)).await.map(|w| w.raw),
        "createInStoreQrCode" => c.in_store_qr("123456", &from(ex)).await.map(|w| w.raw),
        "voidCheckoutSession" => c
            .void_checkout("chk-1", "ord-1", Some("Branch A"))
            .await
            .map(|w| w.raw),
        "getOrderDetails" => c.order("ord-1", OrderPath::Orders).await.map(|w| w.raw),
        "getOrderDetailsByRefId" => c.order_by_reference("ref-1").await.map(|w| w.raw),
        "updateOrderReferenceId" => c.update_reference("ord-1", &from(ex)).await.map(|w| w.raw),
        "authoriseOrder" => c.authorise("ord-1").await.map(|w| w.raw),
        "cancelOrder" => {
            let req = json!({"total_amount": {"amount": 100, "currency": "SAR"}, "items": []});
            c.cancel("ord-1", &from(&req)).await.map(|w| w.raw)
        }
        "captureOrder" => c.capture(&from(ex)).await.map(|w| w.raw),
        "refund" => {
            let req = json!({"order_id": "ord-1", "refunds": [{"capture_id": "cap-1",
                "total_amount": {"amount": 100, "currency": "SAR"}, "items": []}]});
            c.legacy_refund(&from(&req)).await.map(|w| w.raw)
        }
        "simplifiedRefund" => c.simplified_refund("ord-1", &from(ex)).await.map(|w| w.raw),
        "registerWebhookUrl" => c.register_webhook(&from(ex)).await.map(|w| w.raw),
        "retrieveWebhookUrlUsingWebhookId" => c.get_webhook("wh-1").await.map(|w| w.raw),
        "updateWebhookUrlUsingWebhookId" => {
            c.update_webhook("wh-1", &from(ex)).await.map(|w| w.raw)
        }
        "deleteWebhookUrlUsingWebhookId" => c.delete_webhook("wh-1").await,
        _ => return None,
    };
    Some(r)
}

/// `/checkout/{checkout_id}/void` matches `/checkout/chk-1/void`.
fn path_matches(template: &str, path: &str) -> bool {
    let (t, p): (Vec<_>, Vec<_>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len()
        && t.iter().zip(&p).all(|(t, p)| {
            if t.starts_with('{') && t.ends_with('}') {
                !p.is_empty()
            } else {
                t == p
            }
        })
}

/// Checks one request against the file; each departure is one line in `out`.
fn check_request(doc: &Value, op: &super::Operation<'_>, seen: &Seen, out: &mut Vec<String>) {
    let at = op.id.as_str();
    if seen.method != op.method.to_uppercase() {
        out.push(format!(
            "{at}: sent {}, the file says {}",
            seen.method, op.method
        ));
    }
    if !path_matches(op.path, &seen.path) {
        out.push(format!(
            "{at}: sent {}, the file says {}",
            seen.path, op.path
        ));
    }
    let params: Vec<&Value> = [&doc["paths"][op.path]["parameters"], &op.spec["parameters"]]
        .into_iter()
        .filter_map(Value::as_array)
        .flatten()
        .collect();
    let declared = |place: &'static str| params.iter().filter(move |p| p["in"] == place);
    for p in declared("query").chain(declared("header")) {
        let name = p["name"].as_str().unwrap();
        let sent = if p["in"] == "query" {
            seen.query.iter().any(|(k, _)| k == name)
        } else {
            seen.headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case(name))
        };
        if p["required"] == true && !sent {
            let place = p["in"].as_str().unwrap_or("?");
            out.push(format!("{at}: required {place} {name} not sent"));
        }
    }
    for (k, _) in &seen.query {
        if !declared("query").any(|p| p["name"] == k.as_str()) {
            out.push(format!("{at}: query {k} is not in the file"));
        }
    }
    let schema = &op.spec["requestBody"]["content"]["application/json"]["schema"];
    if op.spec.get("requestBody").is_none() {
        let excused = UNDESCRIBED_BODIES.iter().any(|(id, _)| *id == at);
        if !seen.body.is_empty() && !excused {
            out.push(format!("{at}: sends a body the file does not describe"));
        }
        return;
    }
    let body: Value = serde_json::from_slice(&seen.body).unwrap_or(Value::Null);
    for field in schema["required"].as_array().into_iter().flatten() {
        if body.get(field.as_str().unwrap()).is_none() {
            out.push(format!("{at}: required body field {field} not sent"));
        }
    }
}

#[tokio::test]
async fn every_operation_goes_where_the_file_says_and_reads_its_answers() {
    let doc = openapi();
    let lb = Arc::new(Loopback::default());
    let app = Router::new().fallback(record).with_state(lb.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let c = TamaraClient::new(ClientConfig::new(&base, Sensitive::new("t".repeat(32)))).unwrap();

    let mut out = Vec::new();
    let (mut calls, mut errors) = (0, 0);
    for op in operations(&doc) {
        let at = op.id.clone();
        let content = &op.spec["requestBody"]["content"];
        let mut request = examples(content, &mut out, &at)
            .into_iter()
            .next()
            .map_or(Value::Null, |(_, v)| v);
        if let Some(gap) = GAPS.iter().find(|g| g.operation == at) {
            for (k, v) in (gap.fill)().as_object().unwrap() {
                request[k] = v.clone();
            }
        }
        for (status, response) in op.spec["responses"].as_object().unwrap() {
            let code: u16 = status.parse().unwrap();
            let content = response.get("content").unwrap_or(&Value::Null);
            let mut answers = examples(content, &mut out, &at);
            if answers.is_empty() && code < 300 {
                answers.push(("no body".into(), Value::Null));
            }
            for (name, answer) in answers {
                *lb.answer.lock().unwrap() = (code, answer.clone());
                lb.seen.lock().unwrap().clear();
                let Some(result) = invoke(&c, &at, &request).await else {
                    out.push(format!("{at}: the client has no method for it"));
                    break;
                };
                let seen = lb.seen.lock().unwrap().clone();
                match seen.as_slice() {
                    [one] => check_request(&doc, &op, one, &mut out),
                    more => out.push(format!("{at}: {} requests for one call", more.len())),
                }
                let at = format!("{at} {status} {name}");
                match (code, result) {
                    (200..=299, Ok(raw)) if raw == answer => calls += 1,
                    (400..=499, Err(e)) => {
                        errors += 1;
                        check_error(code, &answer, &e, &at, &mut out);
                    }
                    (_, other) => out.push(format!("{at}: {other:?}")),
                }
            }
        }
    }
    assert!(
        out.is_empty(),
        "{} departures:\n{}",
        out.len(),
        out.join("\n")
    );
    assert_eq!(
        (calls, errors),
        (35, 4),
        "2xx answers read, 4xx answers typed"
    );
}

/// A documented error keeps its status, message, codes and each code's data.
fn check_error(status: u16, answer: &Value, e: &ApiError, at: &str, out: &mut Vec<String>) {
    let body = e.error_body().unwrap_or_default();
    let documented: Vec<(Value, Value)> = answer["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|x| (x["error_code"].clone(), x["data"].clone()))
        .collect();
    let kept: Vec<(Value, Value)> = body
        .errors
        .iter()
        .map(|x| (json!(x.error_code), x.data.clone().unwrap_or(Value::Null)))
        .collect();
    if e.status() != Some(status)
        || body.message.as_deref() != answer["message"].as_str()
        || kept != documented
        || e.error_codes().len() != documented.len()
    {
        out.push(format!("{at}: documented {answer}, kept {e:?}"));
    }
}

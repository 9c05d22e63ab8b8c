//! The simulator held to Tamara's own OpenAPI file (`tests/fixtures/openapi/`), read at run
//! time: every operation of the file is driven with every request example the file gives,
//! over real HTTP, and every answer is judged by the file's response schema and examples
//! (`openapi/check.rs`). The PHP SDK's recorded requests (`tests/fixtures/php-sdk/`, when
//! present) go through the same loop. Counts per operation are asserted, so an example that is
//! skipped, or an operation the file gains, fails the suite.
// Test helpers outside #[test] fns panic on purpose: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod check;
mod oas;
mod php;
mod steps;

use std::collections::BTreeSet;

use serde_json::{Value, json};
use tamara_sandbox::SandboxConfig;

use crate::common::{Sb, TOKEN, config, start_with};
use check::{Checker, Kind, Tally};
use oas::{ERRATA, Oas, violations};

/// Operations of the file the simulator does not serve, with the reason. Each must answer
/// 404/405, so the list cannot outlive the gap it names.
const NOT_SERVED: &[(&str, &str)] = &[];

/// What the walk checks per operation: examples, variants, setup calls, answers validated
/// against a schema, answers checked against an example's keys, refusals checked.
#[rustfmt::skip]
const EXPECTED: &[(&str, [usize; 6])] = &[
    // operation                            ex var set sch key err
    ("paymentTypes",                        [ 1,  0,  0,  0,  1,  0]),
    ("checkPaymentOptionsAvailability",     [ 1,  2,  0,  3,  3,  0]),
    ("customerSIdVerificationStatus",       [ 1,  1,  0,  2,  2,  0]),
    ("createCheckoutSession",               [ 1,  1, 19, 20, 20,  1]),
    ("createInStoreCheckoutSession",        [ 1,  1,  2,  3,  3,  1]),
    ("createInStoreQrCode",                 [ 1,  2,  0,  1,  1,  2]),
    ("voidCheckoutSession",                 [ 1,  2,  0,  3,  3,  0]),
    ("getOrderDetails",                     [ 1,  3,  0,  0,  4,  0]),
    ("getOrderDetailsByRefId",              [ 1,  3,  1,  0,  5,  0]),
    ("updateOrderReferenceId",              [ 1,  0,  0,  1,  1,  0]),
    ("authoriseOrder",                      [ 1,  2, 11, 14, 14,  0]),
    ("cancelOrder",                         [ 1,  2,  2,  4,  4,  1]),
    ("captureOrder",                        [ 1,  1,  6,  8,  8,  0]),
    ("refund",                              [ 1,  1,  0,  2,  2,  0]),
    ("simplifiedRefund",                    [ 1,  1,  2,  4,  4,  0]),
    ("registerWebhookUrl",                  [ 2,  0,  3,  0,  5,  0]),
    ("retrieveWebhookUrlUsingWebhookId",    [ 1,  0,  0,  0,  1,  0]),
    ("updateWebhookUrlUsingWebhookId",      [ 1,  0,  0,  0,  1,  0]),
    ("deleteWebhookUrlUsingWebhookId",      [ 1,  0,  4,  0,  0,  0]),
];

/// A request as sent: path already filled in.
#[derive(Debug, Clone, Default)]
pub struct Req {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
    /// Sent byte for byte instead of `body` (the PHP SDK's exact JSON).
    pub raw: Option<String>,
}

impl Req {
    pub fn new(method: &str, path: impl Into<String>) -> Self {
        Self {
            method: method.to_owned(),
            path: path.into(),
            ..Self::default()
        }
    }

    pub fn json(method: &str, path: impl Into<String>, body: Value) -> Self {
        Self {
            body: Some(body),
            ..Self::new(method, path)
        }
    }

    pub fn query(mut self, pairs: &[(&str, &str)]) -> Self {
        let owned = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()));
        self.query.extend(owned);
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// Sends `req` with the API token (unless it carries its own `Authorization`).
pub async fn send(sb: &Sb, req: &Req) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(req.method.as_bytes()).unwrap();
    let mut r = sb.http.request(method, format!("{}{}", sb.base, req.path));
    if !req.query.is_empty() {
        r = r.query(&req.query);
    }
    if !req
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("authorization"))
    {
        r = r.bearer_auth(TOKEN);
    }
    for (k, v) in &req.headers {
        r = r.header(k, v);
    }
    if let Some(raw) = &req.raw {
        if !req
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        {
            r = r.header("content-type", "application/json");
        }
        r = r.body(raw.clone());
    } else if let Some(b) = &req.body {
        r = r.json(b);
    }
    let resp = r.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    let body = if text.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("{} {}: not JSON: {text}", req.method, req.path))
    };
    (status, body)
}

/// Which simulator a case goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// Default configuration.
    Main,
    /// The merchant settings `auto_capture` and `single_checkout` on.
    Merchant,
    /// `strict_instalments` on.
    Strict,
}

/// The sandboxes of one suite and the checker of their answers.
pub struct Run<'a> {
    pub oas: &'a Oas,
    pub check: Checker<'a>,
    main: Sb,
    merchant: Sb,
    strict: Sb,
}

impl<'a> Run<'a> {
    pub async fn new(oas: &'a Oas) -> Self {
        let merchant = SandboxConfig {
            auto_capture: true,
            single_checkout: true,
            ..config()
        };
        Self {
            oas,
            check: Checker::new(oas),
            main: start_with(config()).await,
            merchant: start_with(merchant).await,
            strict: start_with(SandboxConfig {
                strict_instalments: true,
                ..config()
            })
            .await,
        }
    }

    pub fn sb(&self, which: Which) -> &Sb {
        match which {
            Which::Main => &self.main,
            Which::Merchant => &self.merchant,
            Which::Strict => &self.strict,
        }
    }

    /// Sends a case of `op` that must be accepted, and judges the answer.
    pub async fn accept(&mut self, which: Which, op: &str, kind: Kind, req: Req) -> Value {
        let (status, body) = send(self.sb(which), &req).await;
        let what = format!("{kind:?} {} {}", req.method, req.path);
        self.check.accepted(op, kind, status, &body, &what);
        body
    }

    /// Sends a case of `op` that must be refused with `status` and `code`.
    pub async fn refuse(
        &mut self,
        which: Which,
        op: &str,
        req: Req,
        want: (u16, &str),
        order_id: Option<&str>,
    ) -> Value {
        let (status, body) = send(self.sb(which), &req).await;
        let what = format!("{} {}", req.method, req.path);
        let kind = Kind::Variant;
        self.check
            .refused(op, kind, (status, &body), want, order_id, &what);
        body
    }

    /// A control call (not a Tamara path, so nothing in the file to judge it by).
    pub async fn control(&self, which: Which, path: &str) -> Value {
        let (s, v) = self.sb(which).post(path, json!({})).await;
        assert_eq!(s, 200, "{path}: {v}");
        v
    }
}

/// `path` with `{name}` replaced by `value` for each pair; nothing may be left unfilled.
pub fn fill(path: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = path.to_owned();
    for (k, v) in pairs {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    assert!(!out.contains('{'), "unfilled path {out}");
    out
}

#[test]
fn the_files_response_examples_validate_against_its_corrected_schemas() {
    let oas = oas::load();
    for op in oas.operations() {
        for status in op.statuses() {
            let Some(schema) = oas.response_schema(&op.id, status) else {
                continue;
            };
            for (name, example) in op.response_examples(status) {
                let bad = violations(&schema, &example);
                assert!(bad.is_empty(), "{} {status} {name:?}: {bad:#?}", op.id);
            }
        }
    }
}

#[test]
fn every_erratum_is_still_needed() {
    let oas = oas::load();
    for (i, e) in ERRATA.iter().enumerate() {
        let op = oas.operation(e.op);
        let mut schema = oas::to_json_schema(&op.response(e.status).unwrap()["schema"]);
        for (j, other) in ERRATA.iter().enumerate() {
            if j != i && other.op == e.op && other.status == e.status {
                (other.patch)(&mut schema);
            }
        }
        let broken = op
            .response_examples(e.status)
            .iter()
            .any(|(_, ex)| !violations(&schema, ex).is_empty());
        assert!(
            broken,
            "the file no longer needs the erratum {:?}: remove it",
            e.why
        );
    }
}

#[test]
fn nullable_and_refs_become_json_schema() {
    let oas3 = json!({
        "type": "object", "example": {"a": 1}, "x-readme-ref-name": "t",
        "properties": {
            "example": {"type": "string", "nullable": true, "enum": ["x"]},
            "m": {"$ref": "#/components/schemas/money"}
        }
    });
    let mut s = oas::to_json_schema(&oas3);
    assert_eq!(
        s["properties"]["example"]["type"],
        json!(["string", "null"])
    );
    assert_eq!(s["properties"]["example"]["enum"], json!(["x", null]));
    assert!(s.get("example").is_none() && s.get("x-readme-ref-name").is_none());
    s["components"] = json!({"schemas": {"money": {"type": "object", "required": ["amount"]}}});
    assert!(violations(&s, &json!({"example": null, "m": {"amount": 1}})).is_empty());
    assert_eq!(violations(&s, &json!({"m": {}})).len(), 1);
}

#[tokio::test]
async fn every_operation_of_the_file_is_served_like_its_examples() {
    let oas = oas::load();
    let mut run = Run::new(&oas).await;
    for op in oas.operations() {
        if let Some((_, why)) = NOT_SERVED.iter().find(|(id, _)| *id == op.id) {
            let path = op.path.replace(['{', '}'], "");
            let (s, _) = send(run.sb(Which::Main), &Req::new(&op.method, path)).await;
            assert!(
                [404, 405].contains(&s),
                "{} is served now ({why}): remove it from NOT_SERVED",
                op.id
            );
            continue;
        }
        steps::drive(&mut run, &op).await;
    }
    let ops: Vec<String> = oas.operations().iter().map(|o| o.id.clone()).collect();
    let mut problems = Vec::new();
    for id in &ops {
        let t = run.check.tally.get(id).copied().unwrap_or_default();
        let examples = oas.operation(id).request_examples().len().max(1);
        if !NOT_SERVED.iter().any(|(n, _)| n == id) && t.examples != examples {
            problems.push(format!(
                "{id}: {} of {examples} request examples sent",
                t.examples
            ));
        }
        let want = EXPECTED.iter().find(|(n, _)| n == id).map(|(_, c)| *c);
        let got = [t.examples, t.variants, t.setup, t.schema, t.keys, t.errors];
        if want != Some(got) {
            problems.push(format!("{id}: checked {got:?}, expected {want:?}"));
        }
    }
    for op in oas.operations() {
        for status in op.statuses() {
            for (name, _) in op.response_examples(status) {
                if !run
                    .check
                    .matched
                    .contains(&(op.id.clone(), status, name.clone()))
                {
                    problems.push(format!("{} {status} {name:?}: never answered", op.id));
                }
            }
        }
    }
    let unknown: BTreeSet<_> = EXPECTED
        .iter()
        .map(|(n, _)| n.to_string())
        .filter(|n| !ops.contains(n))
        .collect();
    assert!(
        unknown.is_empty(),
        "EXPECTED names operations the file lacks: {unknown:?}"
    );
    report(&run.check.tally);
    assert!(problems.is_empty(), "{problems:#?}");
}

fn report(tally: &std::collections::BTreeMap<String, Tally>) {
    for (op, t) in tally {
        eprintln!(
            "{op:<36} examples {} variants {} php {} setup {} | schema {} keys {} errors {}",
            t.examples, t.variants, t.php, t.setup, t.schema, t.keys, t.errors
        );
    }
}

/// `payment_type` and `instalments` are in the OAS checkout `required` list but missing from
/// its own example: lenient by default, refused with `strict_instalments`.
#[tokio::test]
async fn instalments_are_lenient_by_default_and_required_when_strict() {
    let oas = oas::load();
    let mut run = Run::new(&oas).await;
    let op = "createCheckoutSession";
    let ex = steps::example(&run, op);
    let req = |b: &Value| Req::json("POST", "/checkout", b.clone());
    let v = run
        .accept(Which::Main, op, check::Kind::Variant, req(&ex))
        .await;
    let d = run
        .sb(Which::Main)
        .get(&format!("/orders/{}", v["order_id"].as_str().unwrap()))
        .await
        .1;
    assert_eq!(
        (d["payment_type"].clone(), d["instalments"].clone()),
        (json!("PAY_BY_INSTALMENTS"), json!(3))
    );
    let strict = Which::Strict;
    let missing = (400, "missing_required_field");
    let body = run.refuse(strict, op, req(&ex), missing, None).await;
    assert_eq!(body["errors"][0]["data"]["field"], "payment_type");
    let mut typed = ex.clone();
    typed["payment_type"] = json!("PAY_BY_INSTALMENTS");
    let body = run.refuse(strict, op, req(&typed), missing, None).await;
    assert_eq!(body["errors"][0]["data"]["field"], "instalments");
    typed["instalments"] = json!(3);
    run.accept(strict, op, check::Kind::Variant, req(&typed))
        .await;
    // Paying now needs no instalments, strict or not (the PHP SDK omits them).
    typed["payment_type"] = json!("PAY_NOW");
    typed.as_object_mut().unwrap().remove("instalments");
    let v = run
        .accept(strict, op, check::Kind::Variant, req(&typed))
        .await;
    let d = run
        .sb(strict)
        .get(&format!("/orders/{}", v["order_id"].as_str().unwrap()))
        .await
        .1;
    assert_eq!(d["instalments"], Value::Null);
}

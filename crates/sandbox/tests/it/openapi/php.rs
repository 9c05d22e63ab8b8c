//! The requests Tamara's PHP SDK sends (`tests/fixtures/php-sdk/*.json`: every body and every
//! variant), through the same accept-and-validate loop as the file's examples. Bodies are sent
//! byte for byte as the SDK wrote them (`body_raw`), with the fixture's placeholder ids swapped
//! for the ids of an order, capture, session or webhook prepared for the case.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::{Value, json};

use super::check::Kind;
use super::steps::{Prepared, in_store, order_in, webhook};
use super::{Req, Run, Which, Which::Main, report, send};
use crate::common::TOKEN;

/// One recorded request.
#[derive(Debug, Clone)]
pub struct Case {
    pub file: String,
    /// The OpenAPI operationId; `None` for SDK-only paths.
    pub op: Option<String>,
    /// `body` or the variant's name.
    pub name: String,
    pub method: String,
    pub path: String,
    pub query: Option<Value>,
    pub headers: Vec<(String, String)>,
    pub raw: String,
}

/// The fixture's placeholder values (its README's table).
const ORDER: &str = "00000000-0000-4000-8000-000000000001";
const CHECKOUT: &str = "00000000-0000-4000-8000-000000000002";
const CAPTURE: &str = "00000000-0000-4000-8000-000000000003";
const WEBHOOK: &str = "00000000-0000-4000-8000-000000000004";

/// SDK-only paths (no operation in the OpenAPI file) the simulator does not serve.
pub const SDK_ONLY: &[(&str, &str)] = &[
    (
        "/checkout/credit-pre-check",
        "the SDK's legacy pre-check; not in the OpenAPI file or the docs (reference §5.1c)",
    ),
    (
        "/merchants/configs",
        "SDK-only merchant config; not in the OpenAPI file (§5.1f)",
    ),
    ("/merchants/profile", "only in an unmerged SDK pull request"),
];

/// Recorded requests the simulator refuses on purpose: `(file, case, status, code, why)`.
pub const REFUSED: &[(&str, &str, u16, &str, &str)] = &[(
    "refund.json",
    "no_refunds",
    400,
    "missing_required_field",
    "a legacy refund without one refund entry moves no money; answering 200 would need a \
     status outside the response schema's enum (fully_refunded, partially_refunded)",
)];

pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/php-sdk")
}

/// Every body and variant of every file; `None` when the folder cannot be read.
pub fn load() -> Option<Vec<Case>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir())
        .ok()?
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let f: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let headers: Vec<(String, String)> = f["headers"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let base = Case {
            file,
            op: f["operation_id"].as_str().map(str::to_owned),
            name: "body".to_owned(),
            method: f["method"].as_str().unwrap().to_owned(),
            path: f["path"].as_str().unwrap().to_owned(),
            query: Some(f["query"].clone()).filter(|q| !q.is_null()),
            headers,
            raw: f["body_raw"].as_str().unwrap().to_owned(),
        };
        out.push(base.clone());
        for v in f["variants"].as_array().into_iter().flatten() {
            let mut case = base.clone();
            case.name = v["name"].as_str().unwrap().to_owned();
            case.raw = v["body_raw"].as_str().unwrap().to_owned();
            if let Some(q) = v.get("query") {
                case.query = Some(q.clone()).filter(|q| !q.is_null());
            }
            out.push(case);
        }
    }
    Some(out)
}

/// The SDK's checkout body (249.5 SAR), the order every prepared case starts from.
fn checkout_body(cases: &[Case]) -> Value {
    let c = cases
        .iter()
        .find(|c| c.op.as_deref() == Some("createCheckoutSession") && c.name == "body")
        .expect("createCheckoutSession.json");
    let mut body: Value = serde_json::from_str(&c.raw).unwrap();
    // Prepared orders change status: their notifications must not head for a real host.
    body["merchant_url"]
        .as_object_mut()
        .unwrap()
        .remove("notification");
    body
}

/// What a case needs before it is sent.
async fn prepare(run: &mut Run<'_>, op: &str, cases: &[Case]) -> Prepared {
    let body = checkout_body(cases);
    match op {
        "authoriseOrder" => order_in(run, Main, "approved", body).await,
        "cancelOrder" | "captureOrder" => order_in(run, Main, "authorised", body).await,
        "refund" | "simplifiedRefund" => order_in(run, Main, "fully_captured", body).await,
        "getOrderDetails" | "getOrderDetailsByRefId" | "updateOrderReferenceId" => {
            order_in(run, Main, "new", body).await
        }
        "voidCheckoutSession" => in_store(run).await,
        "retrieveWebhookUrlUsingWebhookId"
        | "updateWebhookUrlUsingWebhookId"
        | "deleteWebhookUrlUsingWebhookId" => Prepared {
            webhook_id: webhook(run).await,
            ..Prepared::default()
        },
        _ => Prepared::default(),
    }
}

/// Sends one case: accepted (or refused, if listed in [`REFUSED`]) and judged.
pub async fn drive(run: &mut Run<'_>, case: &Case, cases: &[Case]) {
    let Some(op) = case.op.as_deref() else {
        let (s, _) = send(run.sb(Main), &Req::new(&case.method, case.path.clone())).await;
        assert!(
            SDK_ONLY.iter().any(|(p, _)| *p == case.path),
            "{}: unlisted SDK-only path",
            case.file
        );
        let served = ![404, 405].contains(&s);
        assert!(
            !served,
            "{} is served now: drop it from SDK_ONLY",
            case.path
        );
        return;
    };
    let p = prepare(run, op, cases).await;
    let is_webhook = op.contains("Webhook");
    let swap = |s: &str| {
        let mut s = s.to_owned();
        let ids = [
            (ORDER, &p.order_id),
            (CHECKOUT, &p.checkout_id),
            (CAPTURE, &p.capture_id),
            (WEBHOOK, &p.webhook_id),
        ];
        for (from, to) in ids.into_iter().filter(|(_, to)| !to.is_empty()) {
            s = s.replace(from, to);
        }
        s
    };
    let path = case
        .path
        .replace("{order_id}", &p.order_id)
        .replace("{checkout_id}", &p.checkout_id)
        .replace("{webhookId}", &p.webhook_id)
        .replace("{order_reference_id}", &p.reference);
    let mut req = Req::new(&case.method, path);
    for (k, v) in case
        .query
        .iter()
        .flat_map(|q| q.as_object().into_iter().flatten())
    {
        req.query.push((k.clone(), swap(v.as_str().unwrap())));
    }
    for (k, v) in &case.headers {
        let v = v
            .replace("{api_token}", TOKEN)
            .replace("{php_version}", "8.2.36");
        req.headers.push((k.clone(), v));
    }
    req.raw = Some(swap(&case.raw));
    let what = format!("PHP SDK {} {}", case.file, case.name);
    let (status, body) = send(run.sb(Main), &req).await;
    match REFUSED
        .iter()
        .find(|r| r.0 == case.file && r.1 == case.name)
    {
        Some((_, _, s, code, _)) => {
            let want = (*s, *code);
            run.check
                .refused(op, Kind::Php, (status, &body), want, None, &what);
        }
        None => run.check.accepted(op, Kind::Php, status, &body, &what),
    }
    // One registration of a URL at a time: whatever the registry's rule for duplicates.
    if op == "registerWebhookUrl" {
        let id = body["webhook_id"].as_str().unwrap();
        send(run.sb(Main), &Req::new("DELETE", format!("/webhooks/{id}"))).await;
    } else if is_webhook && op != "deleteWebhookUrlUsingWebhookId" {
        let req = Req::new("DELETE", format!("/webhooks/{}", p.webhook_id));
        send(run.sb(Main), &req).await;
    }
}

#[tokio::test]
async fn the_php_sdks_requests_are_accepted_and_answered_like_the_file() {
    let Some(cases) = load() else {
        panic!(
            "no {}: the PHP SDK's recorded requests are missing",
            dir().display()
        );
    };
    assert!(cases.len() > 20, "only {} recorded requests", cases.len());
    let oas = super::oas::load();
    let mut run = Run::new(&oas).await;
    for case in &cases {
        drive(&mut run, case, &cases).await;
    }
    report(&run.check.tally);
    let mut problems = Vec::new();
    let ops: BTreeSet<&str> = cases.iter().filter_map(|c| c.op.as_deref()).collect();
    for op in ops {
        let mine = |c: &&Case| c.op.as_deref() == Some(op);
        let sent = cases.iter().filter(mine).count();
        let refused = cases
            .iter()
            .filter(mine)
            .filter(|c| REFUSED.iter().any(|r| r.0 == c.file && r.1 == c.name))
            .count();
        let t = run.check.tally.get(op).copied().unwrap_or_default();
        if (t.php, t.errors) != (sent, refused) {
            problems.push(format!(
                "{op}: {} of {sent} sent, {} of {refused} refused",
                t.php, t.errors
            ));
        }
    }
    for (file, name, ..) in REFUSED {
        if !cases.iter().any(|c| c.file == *file && c.name == *name) {
            problems.push(format!(
                "REFUSED names {file} {name}, which the fixtures lack"
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// PHP's `[]` and `null` for empty optional objects (reference, changes 6 and 8) on the
/// file's own examples, whether or not the recorded SDK requests are there.
#[tokio::test]
async fn php_style_empty_and_null_objects_are_accepted() {
    use Kind::{Setup, Variant};
    use serde_json::Value::Null;
    let oas = super::oas::load();
    let mut run = Run::new(&oas).await;
    let main = Which::Main;
    let mut b = super::steps::checkout_example(&run, "php-shapes");
    b["payment_type"] = json!("PAY_BY_INSTALMENTS");
    for (k, v) in [
        ("risk_assessment", json!([])),
        ("additional_data", json!([])),
        ("discount", Null),
        ("instalments", Null),
        ("billing_address", Null),
    ] {
        b[k] = v;
    }
    b["merchant_url"]["notification"] = Null;
    b["items"][0]["unit_price"] = Null;
    b["items"][0]["discount_amount"] = Null;
    let create = |b: &Value| Req::json("POST", "/checkout", b.clone());
    let mut ids = Vec::new();
    for _ in 0..3 {
        let v = run
            .accept(main, "createCheckoutSession", Variant, create(&b))
            .await;
        ids.push(v["order_id"].as_str().unwrap().to_owned());
    }
    let details = run
        .accept(
            main,
            "getOrderDetails",
            Variant,
            Req::new("GET", format!("/orders/{}", ids[0])),
        )
        .await;
    assert_eq!(
        details["instalments"], 3,
        "missing instalments default to 3"
    );
    for id in &ids {
        run.control(main, &format!("/_sandbox/orders/{id}/approve"))
            .await;
        let req = Req::new("POST", format!("/orders/{id}/authorise"));
        run.accept(main, "authoriseOrder", Setup, req).await;
    }
    // Capture: no items, null amounts and tracking; the whole 300 of the checkout example.
    let mut cap = super::steps::example(&run, "captureOrder");
    cap["order_id"] = json!(ids[0]);
    cap["total_amount"]["amount"] = json!(300);
    cap["items"] = json!([]);
    for k in ["shipping_amount", "tax_amount", "discount_amount"] {
        cap[k] = Null;
    }
    cap["shipping_info"]["tracking_number"] = Null;
    cap["shipping_info"]["tracking_url"] = Null;
    let v = run
        .accept(
            main,
            "captureOrder",
            Variant,
            Req::json("POST", "/payments/capture", cap),
        )
        .await;
    let capture_id = v["capture_id"].as_str().unwrap().to_owned();
    // Refunds: null merchant_refund_id; a legacy entry with null items and amounts.
    let mut refund = super::steps::example(&run, "simplifiedRefund");
    refund["merchant_refund_id"] = Null;
    let path = format!("/payments/simplified-refund/{}", ids[0]);
    run.accept(
        main,
        "simplifiedRefund",
        Variant,
        Req::json("POST", path, refund),
    )
    .await;
    let legacy = json!({ "order_id": ids[0], "refunds": [{ "capture_id": capture_id,
        "total_amount": {"amount": 100, "currency": "SAR"}, "items": Null,
        "shipping_amount": Null, "tax_amount": Null, "discount_amount": Null }] });
    run.accept(
        main,
        "refund",
        Variant,
        Req::json("POST", "/payments/refund", legacy),
    )
    .await;
    // Cancel: an empty item list and null amounts, the whole order and part of one.
    let mut cancel = super::steps::example(&run, "cancelOrder");
    cancel["items"] = json!([]);
    for k in ["shipping_amount", "tax_amount", "discount_amount"] {
        cancel[k] = Null;
    }
    for (id, amount) in [(&ids[1], 300), (&ids[2], 100)] {
        cancel["total_amount"]["amount"] = json!(amount);
        let req = Req::json("POST", format!("/orders/{id}/cancel"), cancel.clone());
        run.accept(main, "cancelOrder", Variant, req).await;
    }
    let variants: usize = run.check.tally.values().map(|t| t.variants).sum();
    assert_eq!(variants, 9, "{:?}", run.check.tally);
}

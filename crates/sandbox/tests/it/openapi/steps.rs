//! One driver per operation of the file: prepare the state a case needs, send every request
//! example with the real ids put in (nothing else of the example changed), then the variants
//! that produce the file's other documented answers. Each change to an example says why.

use serde_json::{Value, json};

use super::check::Kind::{Example, Setup, Variant};
use super::oas::Operation;
use super::{Req, Run, Which, fill};
use Which::{Main, Merchant};

/// An order prepared for a case.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    pub order_id: String,
    pub checkout_id: String,
    pub reference: String,
    pub capture_id: String,
    pub webhook_id: String,
}

pub async fn drive(run: &mut Run<'_>, op: &Operation<'_>) {
    match op.id.as_str() {
        "paymentTypes" => payment_types(run, op).await,
        "checkPaymentOptionsAvailability" => pre_check(run, op).await,
        "customerSIdVerificationStatus" => id_verification(run, op).await,
        "createCheckoutSession" => checkout(run, op).await,
        "createInStoreCheckoutSession" => in_store_session(run, op).await,
        "createInStoreQrCode" => in_store_qr(run, op).await,
        "voidCheckoutSession" => void(run, op).await,
        "getOrderDetails" | "getOrderDetailsByRefId" => details(run, op).await,
        "updateOrderReferenceId" => update_reference(run, op).await,
        "authoriseOrder" => authorise(run, op).await,
        "cancelOrder" => cancel(run, op).await,
        "captureOrder" => capture(run, op).await,
        "refund" => legacy_refund(run, op).await,
        "simplifiedRefund" => simplified_refund(run, op).await,
        "registerWebhookUrl"
        | "retrieveWebhookUrlUsingWebhookId"
        | "updateWebhookUrlUsingWebhookId"
        | "deleteWebhookUrlUsingWebhookId" => webhooks(run, op).await,
        other => panic!(
            "operation {other} of the OpenAPI file has no driver: add one, or list it in \
             NOT_SERVED with the reason"
        ),
    }
}

/// The first request example of `op`.
pub fn example(run: &Run<'_>, op: &str) -> Value {
    let examples = run.oas.operation(op).request_examples();
    examples.into_iter().next().unwrap().1
}

/// The operation's query parameters with their example values.
fn example_query(op: &Operation<'_>) -> Vec<(String, String)> {
    let names = op.params_in("query");
    names
        .into_iter()
        .map(|n| (n.clone(), op.param(&n).unwrap()))
        .collect()
}

/// Tamara's checkout example under `reference`: a merchant's reference names one order, so
/// prepared orders get their own and lookups by reference find them.
pub fn checkout_example(run: &Run<'_>, reference: &str) -> Value {
    let mut b = example(run, "createCheckoutSession");
    b["order_reference_id"] = json!(reference);
    b
}

pub async fn new_order(run: &mut Run<'_>, which: Which, body: Value) -> Prepared {
    let reference = body["order_reference_id"].as_str().unwrap().to_owned();
    let req = Req::json("POST", "/checkout", body);
    let v = run.accept(which, "createCheckoutSession", Setup, req).await;
    Prepared {
        order_id: v["order_id"].as_str().unwrap().to_owned(),
        checkout_id: v["checkout_id"].as_str().unwrap().to_owned(),
        reference,
        ..Prepared::default()
    }
}

/// An order from `body` in `status`: `new`, `approved`, `authorised` or `fully_captured`
/// (one capture of the whole order: the capture example with the order's total).
pub async fn order_in(run: &mut Run<'_>, which: Which, status: &str, body: Value) -> Prepared {
    let total = body["total_amount"]["amount"].clone();
    let mut o = new_order(run, which, body).await;
    if status == "new" {
        return o;
    }
    let approve = format!("/_sandbox/orders/{}/approve", o.order_id);
    run.control(which, &approve).await;
    if status == "approved" {
        return o;
    }
    let path = format!("/orders/{}/authorise", o.order_id);
    run.accept(which, "authoriseOrder", Setup, Req::new("POST", path))
        .await;
    if status == "authorised" {
        return o;
    }
    assert_eq!(status, "fully_captured");
    let mut cap = example(run, "captureOrder");
    cap["order_id"] = json!(o.order_id);
    cap["total_amount"]["amount"] = total;
    let req = Req::json("POST", "/payments/capture", cap);
    let v = run.accept(which, "captureOrder", Setup, req).await;
    o.capture_id = v["capture_id"].as_str().unwrap().to_owned();
    o
}

async fn payment_types(run: &mut Run<'_>, op: &Operation<'_>) {
    let mut req = Req::new("GET", op.path.clone());
    req.query = example_query(op);
    run.accept(Main, &op.id, Example, req).await;
}

async fn pre_check(run: &mut Run<'_>, op: &Operation<'_>) {
    for (_, ex) in op.request_examples() {
        let req = |b: &Value| Req::json("POST", op.path.clone(), b.clone());
        run.accept(Main, &op.id, Example, req(&ex)).await;
        // Above the instalment maximum: the documented "No Available Options".
        let mut big = ex.clone();
        big["order_value"]["amount"] = json!(100000);
        run.accept(Main, &op.id, Variant, req(&big)).await;
        // A merchant with single checkout: "Available Options - Single Checkout".
        run.accept(Merchant, &op.id, Variant, req(&ex)).await;
    }
}

async fn id_verification(run: &mut Run<'_>, op: &Operation<'_>) {
    let mut req = Req::new("GET", op.path.clone());
    req.query = example_query(op);
    run.accept(Main, &op.id, Example, req.clone()).await;
    // The phone is verified once a checkout with it was approved ("Existing Customer"): the
    // checkout example with the parameter's phone as the consumer's.
    let mut body = checkout_example(run, "id-verification");
    body["consumer"]["phone_number"] = json!(op.param("phone_number").unwrap());
    let o = new_order(run, Main, body).await;
    run.control(Main, &format!("/_sandbox/orders/{}/approve", o.order_id))
        .await;
    run.accept(Main, &op.id, Variant, req).await;
}

async fn checkout(run: &mut Run<'_>, op: &Operation<'_>) {
    for (_, ex) in op.request_examples() {
        let req = |b: &Value| Req::json("POST", op.path.clone(), b.clone());
        run.accept(Main, &op.id, Example, req(&ex)).await;
        // The documented 400: a country whose currency is not the example's SAR.
        let mut kw = ex.clone();
        kw["country_code"] = json!("KW");
        let want = (400, "not_supported_country_currency");
        run.refuse(Main, &op.id, req(&kw), want, None).await;
    }
}

async fn in_store_session(run: &mut Run<'_>, op: &Operation<'_>) {
    for (_, ex) in op.request_examples() {
        let req = |b: &Value| Req::json("POST", op.path.clone(), b.clone());
        run.accept(Main, &op.id, Example, req(&ex)).await;
        // The documented 400: a currency no served country has.
        let mut qar = ex.clone();
        qar["total_amount"]["currency"] = json!("QAR");
        let want = (400, "not_supported_country_currency");
        run.refuse(Main, &op.id, req(&qar), want, None).await;
    }
}

async fn in_store_qr(run: &mut Run<'_>, op: &Operation<'_>) {
    let device = op.param("X-Device-Id").unwrap();
    for (_, ex) in op.request_examples() {
        let req = |b: &Value| Req::json("POST", op.path.clone(), b.clone());
        run.accept(
            Main,
            &op.id,
            Example,
            req(&ex).header("X-Device-Id", &device),
        )
        .await;
        let mut qar = ex.clone();
        qar["amount"]["currency"] = json!("QAR");
        let want = (400, "not_supported_country_currency");
        let qar = req(&qar).header("X-Device-Id", &device);
        run.refuse(Main, &op.id, qar, want, None).await;
        // The header is required.
        let want = (400, "missing_required_field");
        run.refuse(Main, &op.id, req(&ex), want, None).await;
    }
}

/// A session from the in-store example.
pub async fn in_store(run: &mut Run<'_>) -> Prepared {
    let ex = example(run, "createInStoreCheckoutSession");
    let req = Req::json("POST", "/checkout/in-store-session", ex);
    let v = run
        .accept(Main, "createInStoreCheckoutSession", Setup, req)
        .await;
    Prepared {
        order_id: v["order_id"].as_str().unwrap().to_owned(),
        checkout_id: v["checkout_id"].as_str().unwrap().to_owned(),
        ..Prepared::default()
    }
}

async fn void(run: &mut Run<'_>, op: &Operation<'_>) {
    let store = op.param("store_code").unwrap();
    let req = |s: &Prepared| {
        let path = fill(&op.path, &[("checkout_id", &s.checkout_id)]);
        Req::new("POST", path).query(&[("order_id", &s.order_id), ("store_code", &store)])
    };
    let session = in_store(run).await;
    run.accept(Main, &op.id, Example, req(&session)).await;
    // A voided session has expired: voiding it again is "Checkout Already Expired".
    run.accept(Main, &op.id, Variant, req(&session)).await;
    // A session the customer paid (it arrives captured) is "Checkout Already Completed".
    let paid = in_store(run).await;
    run.control(Main, &format!("/_sandbox/orders/{}/approve", paid.order_id))
        .await;
    let status = run.sb(Main).status_of(&paid.order_id).await;
    assert_eq!(status, "fully_captured", "in-store orders arrive captured");
    run.accept(Main, &op.id, Variant, req(&paid)).await;
}

/// Orders in the four statuses the order-details examples show, under references unique to
/// `tag`.
async fn documented_statuses(run: &mut Run<'_>, tag: &str) -> Vec<Prepared> {
    let body = |run: &Run<'_>, s: &str| checkout_example(run, &format!("{tag}-{s}"));
    let new = new_order(run, Main, body(run, "new")).await;
    let captured = order_in(run, Main, "fully_captured", body(run, "captured")).await;
    let refunded = order_in(run, Main, "fully_captured", body(run, "refunded")).await;
    let mut refund = example(run, "simplifiedRefund");
    refund["total_amount"]["amount"] = json!(300);
    let path = format!("/payments/simplified-refund/{}", refunded.order_id);
    let req = Req::json("POST", path, refund);
    run.accept(Main, "simplifiedRefund", Setup, req).await;
    let canceled = order_in(run, Main, "authorised", body(run, "canceled")).await;
    // The cancel body the file gives is for the whole 300 of the checkout example.
    let path = format!("/orders/{}/cancel", canceled.order_id);
    let req = Req::json("POST", path, example(run, "cancelOrder"));
    run.accept(Main, "cancelOrder", Setup, req).await;
    vec![new, captured, refunded, canceled]
}

async fn details(run: &mut Run<'_>, op: &Operation<'_>) {
    let orders = documented_statuses(run, &op.id).await;
    for (i, o) in orders.iter().enumerate() {
        let kind = if i == 0 { Example } else { Variant };
        let path = fill(
            &op.path,
            &[
                ("order_id", &o.order_id),
                ("order_reference_id", &o.reference),
            ],
        );
        run.accept(Main, &op.id, kind, Req::new("GET", path)).await;
    }
}

async fn update_reference(run: &mut Run<'_>, op: &Operation<'_>) {
    let o = new_order(run, Main, checkout_example(run, "update-reference")).await;
    for (_, ex) in op.request_examples() {
        let path = fill(&op.path, &[("order_id", &o.order_id)]);
        run.accept(Main, &op.id, Example, Req::json("PUT", path, ex.clone()))
            .await;
        // The order is now found under the new reference.
        let by_ref = format!(
            "/merchants/orders/reference-id/{}",
            ex["order_reference_id"].as_str().unwrap()
        );
        let v = run
            .accept(
                Main,
                "getOrderDetailsByRefId",
                Setup,
                Req::new("GET", by_ref),
            )
            .await;
        assert_eq!(v["order_id"], json!(o.order_id));
    }
}

async fn authorise(run: &mut Run<'_>, op: &Operation<'_>) {
    let path = |o: &Prepared| fill(&op.path, &[("order_id", &o.order_id)]);
    let o = order_in(run, Main, "approved", checkout_example(run, "authorise")).await;
    run.accept(Main, &op.id, Example, Req::new("POST", path(&o)))
        .await;
    // The PHP SDK's body `{order_id}` (the file declares none).
    let o = order_in(
        run,
        Main,
        "approved",
        checkout_example(run, "authorise-php"),
    )
    .await;
    let req = Req::json("POST", path(&o), json!({ "order_id": o.order_id }));
    run.accept(Main, &op.id, Variant, req).await;
    // A merchant with auto-capture: "Success - Auto Capture Enabled", and the order is
    // captured.
    let body = checkout_example(run, "authorise-auto");
    let o = order_in(run, Merchant, "approved", body).await;
    let v = run
        .accept(Merchant, &op.id, Variant, Req::new("POST", path(&o)))
        .await;
    let d = run
        .sb(Merchant)
        .get(&format!("/orders/{}", o.order_id))
        .await
        .1;
    assert_eq!(d["status"], "fully_captured");
    assert_eq!(
        d["transactions"]["captures"][0]["capture_id"],
        v["capture_id"]
    );
}

async fn cancel(run: &mut Run<'_>, op: &Operation<'_>) {
    let path = |o: &Prepared| fill(&op.path, &[("order_id", &o.order_id)]);
    for (_, ex) in op.request_examples() {
        // The file's body cancels 300, the whole checkout example: "Canceled".
        let o = order_in(run, Main, "authorised", checkout_example(run, "cancel")).await;
        run.accept(
            Main,
            &op.id,
            Example,
            Req::json("POST", path(&o), ex.clone()),
        )
        .await;
        // A partial cancel of that example's 100: "Updated".
        let o = order_in(
            run,
            Main,
            "authorised",
            checkout_example(run, "cancel-part"),
        )
        .await;
        let mut part = ex.clone();
        part["total_amount"]["amount"] = json!(100);
        run.accept(Main, &op.id, Variant, Req::json("POST", path(&o), part))
            .await;
        // The documented 409: cancelling an order not yet authorised.
        let o = order_in(run, Main, "approved", checkout_example(run, "cancel-early")).await;
        let want = (409, "transition_not_allowed");
        let req = Req::json("POST", path(&o), ex.clone());
        run.refuse(Main, &op.id, req, want, Some(&o.order_id)).await;
    }
}

async fn capture(run: &mut Run<'_>, op: &Operation<'_>) {
    for (_, ex) in op.request_examples() {
        let o = order_in(run, Main, "authorised", checkout_example(run, "capture")).await;
        let mut body = ex.clone();
        body["order_id"] = json!(o.order_id);
        // 100 of the 300 order: "Partially Captured".
        run.accept(
            Main,
            &op.id,
            Example,
            Req::json("POST", op.path.clone(), body.clone()),
        )
        .await;
        // The other 200: "Fully Captured".
        body["total_amount"]["amount"] = json!(200);
        run.accept(
            Main,
            &op.id,
            Variant,
            Req::json("POST", op.path.clone(), body),
        )
        .await;
    }
}

async fn legacy_refund(run: &mut Run<'_>, op: &Operation<'_>) {
    for (_, ex) in op.request_examples() {
        let body = checkout_example(run, "legacy-refund");
        let o = order_in(run, Main, "fully_captured", body).await;
        let mut body = ex.clone();
        body["order_id"] = json!(o.order_id);
        body["refunds"][0]["capture_id"] = json!(o.capture_id);
        // 100 of the 300 captured: "Partially Refunded".
        run.accept(
            Main,
            &op.id,
            Example,
            Req::json("POST", op.path.clone(), body.clone()),
        )
        .await;
        // The other 200: "Fully Refunded".
        body["refunds"][0]["total_amount"]["amount"] = json!(200);
        run.accept(
            Main,
            &op.id,
            Variant,
            Req::json("POST", op.path.clone(), body),
        )
        .await;
    }
}

async fn simplified_refund(run: &mut Run<'_>, op: &Operation<'_>) {
    for (_, ex) in op.request_examples() {
        let body = checkout_example(run, "simplified-refund");
        let o = order_in(run, Main, "fully_captured", body).await;
        let path = fill(&op.path, &[("order_id", &o.order_id)]);
        // 100 of the 300 captured: "Partially Refunded".
        run.accept(
            Main,
            &op.id,
            Example,
            Req::json("POST", path.clone(), ex.clone()),
        )
        .await;
        // The other 200: "Fully Refunded".
        let mut rest = ex.clone();
        rest["total_amount"]["amount"] = json!(200);
        run.accept(Main, &op.id, Variant, Req::json("POST", path, rest))
            .await;
    }
}

/// Registers the file's order-webhook example (setup): the update example names order events.
pub async fn webhook(run: &mut Run<'_>) -> String {
    let examples = run.oas.operation("registerWebhookUrl").request_examples();
    let order = examples.into_iter().find(|(_, e)| e["type"] == "order");
    let req = Req::json("POST", "/webhooks", order.unwrap().1);
    let v = run.accept(Main, "registerWebhookUrl", Setup, req).await;
    v["webhook_id"].as_str().unwrap().to_owned()
}

/// Deletes a webhook (setup), so no two registrations of one URL ever coexist.
async fn unregister(run: &mut Run<'_>, id: &str) {
    let req = Req::new("DELETE", format!("/webhooks/{id}"));
    run.accept(Main, "deleteWebhookUrlUsingWebhookId", Setup, req)
        .await;
}

async fn webhooks(run: &mut Run<'_>, op: &Operation<'_>) {
    if op.id == "registerWebhookUrl" {
        for (_, ex) in op.request_examples() {
            let v = run
                .accept(
                    Main,
                    &op.id,
                    Example,
                    Req::json("POST", op.path.clone(), ex),
                )
                .await;
            unregister(run, v["webhook_id"].as_str().unwrap()).await;
        }
        return;
    }
    let id = webhook(run).await;
    let path = fill(&op.path, &[("webhookId", &id)]);
    match op.method.as_str() {
        "PUT" => {
            for (_, ex) in op.request_examples() {
                run.accept(Main, &op.id, Example, Req::json("PUT", path.clone(), ex))
                    .await;
            }
        }
        method => {
            run.accept(Main, &op.id, Example, Req::new(method, path))
                .await;
        }
    }
    if op.method != "DELETE" {
        unregister(run, &id).await;
    }
}

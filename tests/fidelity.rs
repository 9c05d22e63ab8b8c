//! The fidelity table: every operation of Tamara's OpenAPI file (plus notification delivery and
//! the SDK-only calls) mapped to the client function, the simulator route, where a person acts
//! on it, and each deviation with its source. `docs/FIDELITY.md` is rendered from it by
//! `cargo run -p mizan-scenarios --bin fidelity`; the test `fidelity` in `tests/tests/it` fails
//! when the file drifts, when the OpenAPI file gains an operation the table lacks, or when a
//! named client function or simulator route does not exist.
//!
//! Invariant: one row per operationId (rendered in path order); facts about Tamara cite their
//! source key from `../shared/reference/tamara-api.md` ([OAS], [PHP], [WOO], [SIM], …).

use serde_json::Value;

/// The vendored OpenAPI file, relative to the workspace root.
pub const OPENAPI: &str = "tests/fixtures/openapi/tamara-openapi.json";
/// The rendered document, relative to the workspace root.
pub const DOCUMENT: &str = "docs/FIDELITY.md";

/// The contract suites every row with a client function or simulator route is walked by.
pub const CLIENT_SUITE: &str = "crates/tamara/tests/it/openapi.rs";
pub const SIMULATOR_SUITE: &str = "crates/sandbox/tests/it/openapi.rs";

/// One operation.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    /// The OpenAPI operationId, or a name of ours for what the file does not hold.
    pub operation: &'static str,
    /// For operations outside the OpenAPI file: method and path as the source gives them.
    pub outside_oas: Option<(&'static str, &'static str, &'static str)>,
    /// `TamaraClient` method (crates/tamara/src/client.rs or a file under client/), if modelled.
    pub client: Option<&'static str>,
    /// Simulator route: method and axum path (crates/sandbox/src/routes/mod.rs), if served.
    pub simulator: Option<(&'static str, &'static str)>,
    /// Where a person uses it (CLI command, desktop screen), or why nobody needs to.
    pub surface: &'static str,
    /// Deviations and choices, each with its source.
    pub notes: &'static [&'static str],
}

const fn row(
    operation: &'static str,
    client: Option<&'static str>,
    simulator: Option<(&'static str, &'static str)>,
    surface: &'static str,
    notes: &'static [&'static str],
) -> Row {
    Row {
        operation,
        outside_oas: None,
        client,
        simulator,
        surface,
        notes,
    }
}

pub const ROWS: &[Row] = &[
    row(
        "paymentTypes",
        Some("payment_types"),
        Some(("GET", "/checkout/payment-types")),
        "`mizan checkout payment-types [--country C] [--amount X]`; the In store screen; the \
         checklist rehearsal",
        &[],
    ),
    row(
        "checkPaymentOptionsAvailability",
        Some("payment_options_pre_check"),
        Some(("POST", "/checkout/payment-options-pre-check")),
        "`mizan checkout pre-check --phone P --amount X`; the In store screen",
        &[
            "the PHP SDK always sends `is_vip` (default true); the client sends it only when set \
             [PHP]",
        ],
    ),
    row(
        "customerSIdVerificationStatus",
        Some("id_verification_status"),
        Some(("GET", "/merchants/customer/id-verification-status")),
        "`mizan checkout id-status --phone P --country SA` (or AE)",
        &["SA/AE only [OAS]"],
    ),
    row(
        "createCheckoutSession",
        Some("create_checkout"),
        Some(("POST", "/checkout")),
        "`mizan checkout create`; the checklist rehearsal",
        &[
            "`payment_type`/`instalments` are in the OAS `required` list without a schema; \
             the simulator accepts a missing `instalments` [OAS]",
            "the file's own request example sends neither; the client's suite checks it with \
             both filled in [OAS]",
            "the PHP SDK sends `risk_assessment: []` and null optional objects; the simulator \
             reads `[]` and null as absent [PHP]",
        ],
    ),
    row(
        "createInStoreCheckoutSession",
        Some("in_store_session"),
        Some(("POST", "/checkout/in-store-session")),
        "`mizan checkout in-store --phone P --amount X --ref R` (store staff)",
        &[
            "the request example sends `instalments`, which the schema lacks; the client can \
             send it [OAS]",
        ],
    ),
    row(
        "createInStoreQrCode",
        Some("in_store_qr"),
        Some(("POST", "/checkout/in-store")),
        "`mizan checkout in-store --qr --device-id ID --amount X --ref R`; the In store screen",
        &["requires `X-Device-Id`, which the client sends and the PHP SDK never does [OAS][PHP]"],
    ),
    row(
        "voidCheckoutSession",
        Some("void_checkout"),
        Some(("POST", "/checkout/{checkout_id}/void")),
        "`mizan checkout void CHECKOUT_ID --order ORDER_ID`",
        &[
            "the OAS puts `order_id`/`store_code` in the query, the PHP SDK sends a JSON body; \
             the client follows the OAS, the simulator reads both (the query wins) [OAS][PHP]",
            "the schema types `captured_amount` as an array; every example has one amount, and \
             so does the client's model [OAS]",
        ],
    ),
    row(
        "getOrderDetails",
        Some("order"),
        Some(("GET", "/orders/{order_id}")),
        "`mizan orders fetch ID`; the processor and reconciler re-read with it",
        &["the PHP SDK reads `/merchants/orders/{id}` instead; the simulator serves both [PHP]"],
    ),
    row(
        "getOrderDetailsByRefId",
        Some("order_by_reference"),
        Some(("GET", "/merchants/orders/reference-id/{reference}")),
        "`mizan orders fetch --ref REF`",
        &[],
    ),
    row(
        "updateOrderReferenceId",
        Some("update_reference"),
        Some(("PUT", "/orders/{order_id}/reference-id")),
        "`mizan orders set-ref ORDER_ID REF` (audited)",
        &[],
    ),
    row(
        "authoriseOrder",
        Some("authorise"),
        Some(("POST", "/orders/{order_id}/authorise")),
        "`mizan authorise`; the order screen; the processor on `order_approved`",
        &["no request body in the OAS; the PHP SDK sends `{order_id}` [OAS][PHP]"],
    ),
    row(
        "cancelOrder",
        Some("cancel"),
        Some(("POST", "/orders/{order_id}/cancel")),
        "`mizan cancel`; the order screen",
        &[
            "a cancel in the wrong state answers 409 `transition_not_allowed` with \
           `{order_id, old_state, new_state}` [OAS]",
        ],
    ),
    row(
        "captureOrder",
        Some("capture"),
        Some(("POST", "/payments/capture")),
        "`mizan capture`; the order screen",
        &[],
    ),
    row(
        "refund",
        Some("legacy_refund"),
        Some(("POST", "/payments/refund")),
        "read and shown only; new refunds use the simplified refund",
        &[
            "`deprecated: true` in the OAS; still sent by the Magento and WooCommerce plugins \
           [OAS][MAG][WOO]",
        ],
    ),
    row(
        "simplifiedRefund",
        Some("simplified_refund"),
        Some(("POST", "/payments/simplified-refund/{order_id}")),
        "`mizan refund`; the order screen",
        &[],
    ),
    row(
        "registerWebhookUrl",
        Some("register_webhook"),
        Some(("POST", "/webhooks")),
        "`mizan webhooks register`; the Webhooks screen; the checklist rehearsal",
        &[
            "`type` is required in the OAS, never sent by the SDK or plugins; the simulator \
             defaults it to `order` [OAS][PHP]",
            "a URL already registered answers `webhook_already_registered` with \
             `errors[0].data.webhook_id`; Mizan adopts that webhook [WOO]; the HTTP status is \
             unknown, the simulator answers 409 [SIM]",
            "`authorization` is an allowed custom header (Tamara's own example) [OAS]",
        ],
    ),
    row(
        "retrieveWebhookUrlUsingWebhookId",
        Some("get_webhook"),
        Some(("GET", "/webhooks/{webhook_id}")),
        "`mizan webhooks show`; confirms every registration",
        &["empty `headers` come back as `[]` (PHP style); the simulator answers the same [OAS]"],
    ),
    row(
        "updateWebhookUrlUsingWebhookId",
        Some("update_webhook"),
        Some(("PUT", "/webhooks/{webhook_id}")),
        "`mizan webhooks update`",
        &[
            "whether an update naming no headers keeps or clears them is unknown; Mizan always \
           sends the full set (`{}` when none) and records what Tamara answers it holds; the \
           simulator's `webhook_update_keeps_headers` plays both [SIM]",
        ],
    ),
    row(
        "deleteWebhookUrlUsingWebhookId",
        Some("delete_webhook"),
        Some(("DELETE", "/webhooks/{webhook_id}")),
        "`mizan webhooks delete`; the Webhooks screen",
        &["200 with no documented body; any 2xx is success [OAS]"],
    ),
    Row {
        operation: "notification delivery",
        outside_oas: Some(("POST", "{your webhook URL}", "[DOCS][PHP]")),
        client: None,
        simulator: None,
        surface: "the receiver `POST /webhooks/tamara` (`mizan serve`, the desktop app); the \
                  simulator sends them (crates/sandbox/src/delivery.rs)",
        notes: &[
            "token candidates: `Authorization: Bearer <JWT>`, then `?tamaraToken=`; any that \
             verifies is accepted [PHP][DOCS]",
            "whether a custom `authorization` header replaces Tamara's Bearer is unknown; the \
             simulator's `custom_authorization_replaces_bearer` plays both [SIM]",
        ],
    },
    Row {
        operation: "dispute notification delivery",
        outside_oas: Some(("POST", "{your webhook URL}", "[OAS] names only")),
        client: None,
        simulator: None,
        surface: "the receiver, for `type: dispute` webhooks; `mizan disputes list`, the Disputes \
                  screen, `mizan orders show` and the order timeline",
        notes: &[
            "the six event names are Tamara's; their payloads are undocumented, so a verified \
             one is stored verbatim whatever its shape, never refused [OAS]",
            "opened and moved by `/_sandbox/orders/{id}/disputes` and \
             `/_sandbox/disputes/{id}/events`; `dispute_payload` plays two shapes [SIM]",
        ],
    },
    Row {
        operation: "dispute list",
        outside_oas: Some(("GET", "/external/merchants/orders/disputes/", "[T] only")),
        client: Some("disputes"),
        simulator: Some(("GET", "/external/merchants/orders/disputes/")),
        surface: "`mizan disputes refresh`, the Disputes screen — only where \
                  `MIZAN_<ENV>_DISPUTES_PATH` is set",
        notes: &[
            "not in the OAS; path, filters and shape from a third-party profile; the simulator \
             serves it only with `dispute_api_enabled` [T][SIM]",
        ],
    },
    Row {
        operation: "dispute update",
        outside_oas: Some((
            "POST",
            "/external/merchants/orders/disputes/{dispute_id}",
            "[T] only",
        )),
        client: Some("comment_dispute"),
        simulator: Some(("POST", "/external/merchants/orders/disputes/{dispute_id}")),
        surface: "`mizan disputes comment ID TEXT`",
        notes: &[
            "multipart `comment` of at most 255 characters [T]; a dispute awaiting the merchant \
             goes `under_review` [SIM]",
        ],
    },
    Row {
        operation: "listing webhooks",
        outside_oas: Some(("GET", "(no documented path)", "§6.6")),
        client: Some("list_webhooks"),
        simulator: Some(("GET", "/webhooks/list")),
        surface: "`mizan webhooks list` only where `MIZAN_<ENV>_WEBHOOK_LIST_PATH` is set",
        notes: &[
            "no source documents a listing path; the simulator serves one only when \
                  `webhook_listing_enabled` is on [SIM]",
        ],
    },
    Row {
        operation: "merchant configs",
        outside_oas: Some(("GET", "/merchants/configs", "[PHP] only")),
        client: None,
        simulator: None,
        surface: "—",
        notes: &["SDK-only; not needed by a back-office console"],
    },
    Row {
        operation: "credit pre-check",
        outside_oas: Some(("POST", "/checkout/credit-pre-check", "[PHP] only")),
        client: None,
        simulator: None,
        surface: "—",
        notes: &["SDK-only; a shop's storefront call"],
    },
];

/// `(method, path, operationId, summary, deprecated, request examples, response examples)` for
/// every operation of the OpenAPI file, in its order.
pub fn operations(oas: &Value) -> Vec<(String, String, String, String, bool, usize, usize)> {
    let mut out = Vec::new();
    let Some(paths) = oas["paths"].as_object() else {
        return out;
    };
    for (path, ops) in paths {
        let Some(ops) = ops.as_object() else { continue };
        for (method, op) in ops {
            let Some(id) = op["operationId"].as_str() else {
                continue;
            };
            let requests = examples(&op["requestBody"]["content"]);
            let responses = op["responses"]
                .as_object()
                .map_or(0, |r| r.values().map(|v| examples(&v["content"])).sum());
            out.push((
                method.to_uppercase(),
                path.clone(),
                id.to_owned(),
                op["summary"].as_str().unwrap_or("").to_owned(),
                op["deprecated"].as_bool().unwrap_or(false),
                requests,
                responses,
            ));
        }
    }
    out
}

/// Examples under a `content` map: `example` and each of `examples`.
fn examples(content: &Value) -> usize {
    content.as_object().map_or(0, |c| {
        c.values()
            .map(|m| {
                usize::from(m.get("example").is_some())
                    + m["examples"].as_object().map_or(0, serde_json::Map::len)
            })
            .sum()
    })
}

fn cell(v: Option<String>) -> String {
    v.unwrap_or_else(|| "—".to_owned())
}

/// The document, from the OpenAPI file and [`ROWS`].
pub fn render(oas: &Value) -> String {
    let ops = operations(oas);
    let find = |id: &str| ROWS.iter().find(|r| r.operation == id);
    let modelled = ops
        .iter()
        .filter(|o| find(&o.2).is_some_and(|r| r.client.is_some() && r.simulator.is_some()))
        .count();
    let mut s = String::new();
    s.push_str("# Fidelity to Tamara's API\n\n");
    s.push_str(&wrap(
        "Generated by `cargo run -p mizan-scenarios --bin fidelity` from Tamara's OpenAPI file \
         (`tests/fixtures/openapi/tamara-openapi.json`) and the table in `tests/fidelity.rs`; a \
         test fails when this file drifts from them. Do not edit by hand.",
        "",
        "",
    ));
    s.push('\n');
    s.push_str(&wrap(
        &format!(
            "**{modelled} of {} operations** of the OpenAPI file are modelled by both the client \
             and the simulator. Every modelled operation is walked by the contract suites: the \
             client parses every response example (`{CLIENT_SUITE}`); the simulator accepts \
             every request example and the PHP SDK's request shapes, and its answers validate \
             against the operation's response schema (`{SIMULATOR_SUITE}`). Source keys in \
             brackets are those of `../shared/reference/tamara-api.md`.",
            ops.len()
        ),
        "",
        "",
    ));
    s.push('\n');
    s.push_str("## Operations of the OpenAPI file\n\n");
    s.push_str(
        "| Operation | Method and path | Examples (request / response) | Client | Simulator | \
         Where a person uses it |\n|---|---|---|---|---|---|\n",
    );
    for (method, path, id, summary, deprecated, req, resp) in &ops {
        let r = find(id);
        let dep = if *deprecated { " (deprecated)" } else { "" };
        s.push_str(&format!(
            "| `{id}` — {summary}{dep} | `{method} {path}` | {req} / {resp} | {} | {} | {} |\n",
            cell(r.and_then(|r| r.client).map(|c| format!("`{c}`"))),
            cell(
                r.and_then(|r| r.simulator)
                    .map(|(m, p)| format!("`{m} {p}`"))
            ),
            r.map_or("**missing from the table**", |r| r.surface),
        ));
    }
    s.push_str("\n## Beyond the OpenAPI file\n\n");
    s.push_str(
        "| What | Method and path (source) | Client | Simulator | Where a person uses it |\n\
         |---|---|---|---|---|\n",
    );
    for r in ROWS.iter().filter(|r| r.outside_oas.is_some()) {
        let (method, path, source) = r.outside_oas.unwrap_or_default();
        s.push_str(&format!(
            "| {} | `{method} {path}` ({}) | {} | {} | {} |\n",
            r.operation,
            escape(source),
            cell(r.client.map(|c| format!("`{c}`"))),
            cell(r.simulator.map(|(m, p)| format!("`{m} {p}`"))),
            r.surface,
        ));
    }
    s.push_str("\n## Deviations, choices and gaps\n\n");
    for r in ROWS.iter().filter(|r| !r.notes.is_empty()) {
        s.push_str(&format!("- **{}**\n", r.operation));
        for n in r.notes {
            s.push_str(&wrap(&escape(n), "  - ", "    "));
        }
    }
    s
}

/// Source keys such as `[OAS]` as text, not Markdown link references (code spans untouched).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    for c in text.chars() {
        match c {
            '`' => in_code = !in_code,
            '[' | ']' if !in_code => out.push('\\'),
            _ => {}
        }
        out.push(c);
    }
    out
}

/// `text` wrapped at 100 columns, the first line after `first`, the rest after `rest`.
fn wrap(text: &str, first: &str, rest: &str) -> String {
    let mut out = String::new();
    let mut line = first.to_owned();
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.len() + 1 + word.len() > 100 {
            out.push_str(&line);
            out.push('\n');
            line = rest.to_owned();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(&line);
    out.push('\n');
    out
}

//! The OpenAPI file's words the client must know: every order status and webhook event it
//! names, and its documented error answers, read as core will see them. A value the client does
//! not know stays readable, verbatim.

use serde_json::{Value, json};
use tamara::ApiError;
use tamara::model::OrderStatus;
use tamara::model::notification::{Notification, NotificationData, NotificationKind};
use tamara::model::webhooks::{EventType, Webhook};

use super::{examples, openapi, operations};

/// Every string under `key` anywhere in `v`.
fn strings_under<'a>(v: &'a Value, key: &str, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                if k == key {
                    out.extend(x.as_str());
                    out.extend(x.as_array().into_iter().flatten().filter_map(Value::as_str));
                }
                strings_under(x, key, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| strings_under(x, key, out)),
        _ => {}
    }
}

fn all_examples(doc: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    let mut ignored = Vec::new();
    for op in operations(doc) {
        let responses = op.spec["responses"].as_object().unwrap().values();
        let bodies = responses.chain(op.spec.get("requestBody"));
        for body in bodies {
            let content = body.get("content").unwrap_or(&Value::Null);
            out.extend(
                examples(content, &mut ignored, "")
                    .into_iter()
                    .map(|(_, v)| v),
            );
        }
    }
    out
}

#[test]
fn every_status_and_event_the_file_names_is_known() {
    let doc = openapi();
    let all = all_examples(&doc);
    let mut statuses = Vec::new();
    let mut events = Vec::new();
    for ex in &all {
        strings_under(ex, "status", &mut statuses);
        strings_under(ex, "events", &mut events);
    }
    let schemas = &doc["components"]["schemas"];
    for kind in ["orderType", "disputeType"] {
        let names = schemas[kind]["properties"]["events"]["items"]["enum"].as_array();
        events.extend(names.unwrap().iter().filter_map(Value::as_str));
    }
    let distinct = |v: &[&str]| v.iter().collect::<std::collections::BTreeSet<_>>().len();
    // Pinned, so a walk that stops finding them fails rather than passing on nothing.
    assert_eq!(
        (distinct(&statuses), distinct(&events)),
        (8, 15),
        "{statuses:?} {events:?}"
    );
    for s in statuses {
        assert!(
            !matches!(OrderStatus::parse(s), OrderStatus::Other(_)),
            "{s}"
        );
    }
    for e in &events {
        assert!(!matches!(EventType::parse(e), EventType::Other(_)), "{e}");
    }
    assert!(events.contains(&"order_on_hold"));
    assert_eq!(EventType::parse("order_on_hold"), EventType::OrderOnHold);
    assert_eq!(OrderStatus::parse("on_hold"), OrderStatus::OnHold);
}

#[test]
fn an_unknown_status_or_event_is_kept_verbatim_never_fatal() {
    let w: Webhook = serde_json::from_value(json!({
        "webhook_id": "w", "events": ["order_on_hold", "order_teleported"], "headers": []
    }))
    .unwrap();
    assert_eq!(
        w.events,
        [
            EventType::OrderOnHold,
            EventType::Other("order_teleported".into())
        ]
    );
    assert_eq!(
        serde_json::to_value(&w.events).unwrap()[1],
        "order_teleported"
    );
    for (event, data) in [
        ("order_on_hold", json!([])),
        ("order_teleported", json!({"where": "mars"})),
        ("OrderDisputeWasUpdated", json!({"dispute_id": "d-1"})),
    ] {
        let n = Notification::from_value(&json!({
            "order_id": "o-1", "event_type": event, "data": data
        }))
        .unwrap();
        assert_eq!(n.kind.name(), event);
        assert!(matches!(n.kind, NotificationKind::Event(_)));
        assert!(matches!(
            n.data,
            NotificationData::Empty | NotificationData::Other(_)
        ));
    }
    let legacy = Notification::from_value(&json!({"order_id": "o", "order_status": "on_hold"}));
    assert_eq!(
        legacy.unwrap().kind,
        NotificationKind::LegacyStatus(OrderStatus::OnHold)
    );
}

fn documented_error(operation: &str, status: &str) -> Value {
    let doc = openapi();
    let op = operations(&doc)
        .into_iter()
        .find(|op| op.id == operation)
        .unwrap();
    op.spec["responses"][status]["content"]["application/json"]["example"].clone()
}

#[test]
fn the_documented_cancel_conflict_keeps_its_code_and_transition() {
    let e = ApiError::http(409, documented_error("cancelOrder", "409"));
    assert_eq!(e.code(), "gateway_conflict");
    assert_eq!(e.error_codes(), ["transition_not_allowed".to_owned()]);
    assert!(!e.is_ambiguous());
    let body = e.error_body().unwrap();
    assert_eq!(
        body.errors[0].data,
        Some(json!({
            "order_id": "870e3e2e-e88a-4933-9ec0-7f7b8ed65e0c",
            "old_state": "approved",
            "new_state": "canceled"
        }))
    );
    assert_eq!(body.data, Some(json!({})));
    assert_eq!((body.title, body.screen_type), (None, None));
    // The person reading the error learns the transition that was refused.
    let shown = e.to_string();
    assert!(
        shown.contains("transition_not_allowed (")
            && shown.contains("old_state: approved")
            && shown.contains("new_state: canceled"),
        "{shown}"
    );
    assert!(
        e.to_string()
            .contains("cannot be moved to the status canceled"),
        "{e}"
    );
}

#[test]
fn the_documented_unsupported_country_currency_is_a_rejection_with_its_code() {
    for operation in [
        "createCheckoutSession",
        "createInStoreCheckoutSession",
        "createInStoreQrCode",
    ] {
        let e = ApiError::http(400, documented_error(operation, "400"));
        assert_eq!(e.code(), "gateway_rejected", "{operation}");
        assert_eq!(
            e.error_codes(),
            ["not_supported_country_currency".to_owned()]
        );
        let shown = e.to_string();
        assert!(
            shown.contains("Unsupported country-currency combination")
                && shown.contains("[not_supported_country_currency]"),
            "{shown}"
        );
        assert_eq!(e.error_body().unwrap().errors[0].data, None);
    }
}

//! The switches for the reference's open questions (§16) that shape API answers and
//! deliveries: each answer of each switch, over real HTTP. (Order rules and timers:
//! `unknowns_orders.rs`.)

use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
use serde_json::{Value, json};
use tamara_sandbox::SandboxConfig;
use tamara_sandbox::unknowns::ReferenceLookup;

use crate::common::*;

fn with(f: impl FnOnce(&mut SandboxConfig)) -> SandboxConfig {
    let mut c = config();
    f(&mut c);
    c
}

#[derive(serde::Deserialize)]
struct Claims {
    iat: i64,
    exp: i64,
}

/// §16.5: the token lives 900 s by default (the newer sample) and as configured otherwise.
#[tokio::test]
async fn token_lifetime_is_a_switch() {
    for lifetime in [900, 1800] {
        let sb = start_with(with(|c| c.token_lifetime_secs = lifetime)).await;
        let rx = Receiver::start().await;
        register(&sb, &rx.url("/h"), &["order_approved"]).await;
        sb.approved("100").await;
        let seen = rx.wait_for(1).await;
        let q = seen[0].query.clone().unwrap_or_default();
        let token = url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "tamaraToken")
            .map(|(_, v)| v.into_owned())
            .unwrap();
        let mut v = Validation::new(Algorithm::HS256);
        v.required_spec_claims.clear();
        let key = DecodingKey::from_secret(NOTIFICATION_TOKEN.as_bytes());
        let c = decode::<Claims>(&token, &key, &v).unwrap().claims;
        assert_eq!(c.exp - c.iat, lifetime);
    }
}

/// §16.8: a duplicate registration is refused with the documented code and id, under either
/// status.
#[tokio::test]
async fn duplicate_webhook_status_is_a_switch() {
    for status in [409, 400] {
        let sb = start_with(with(|c| c.duplicate_webhook_status = status)).await;
        let body = json!({"url": "https://x.example/h", "events": ["order_approved"]});
        let (_, first) = sb.post("/webhooks", body.clone()).await;
        let (s, again) = sb.post("/webhooks", body).await;
        assert_eq!(s, status, "{again}");
        assert_eq!(
            again["errors"][0]["error_code"],
            "webhook_already_registered"
        );
        assert_eq!(
            again["errors"][0]["data"]["webhook_id"],
            first["webhook_id"]
        );
    }
}

/// §16.8: an amount above what remains answers the configured status; the body is the same.
#[tokio::test]
async fn amount_error_status_is_a_switch() {
    for status in [400, 422] {
        let sb = start_with(with(|c| c.amount_error_status = status)).await;
        let id = sb.authorised("100").await;
        let (s, v) = sb.capture(&id, "150").await;
        assert_eq!(s, status, "{v}");
        assert_eq!(v["errors"][0]["error_code"], "amount_exceeds_remaining");
        // Other 400s keep their status.
        let (s, _) = sb.post("/payments/capture", json!({"order_id": id})).await;
        assert_eq!(s, 400);
    }
}

/// §16.8: 401 and 404 answer the five-key body, or nothing at all.
#[tokio::test]
async fn bare_401_and_404_are_a_switch() {
    for bare in [false, true] {
        let sb = start_with(with(|c| c.bare_401_404 = bare)).await;
        let unknown = "/orders/00000000-0000-0000-0000-000000000000";
        let answers = [
            sb.call_token("GET", unknown, None, Some("wrong")).await,
            sb.get(unknown).await,
            sb.get("/no/such/path").await,
        ];
        for ((s, v), want) in answers.into_iter().zip([401, 404, 404]) {
            assert_eq!(s, want);
            assert_eq!(v.is_null(), bare, "{v}");
        }
        // Other errors keep their body.
        let (s, v) = sb.post("/checkout", json!({})).await;
        assert_eq!((s, v["errors"][0]["error_code"].is_string()), (400, true));
    }
}

/// §16.12: a reused reference reads the newest order, or the oldest.
#[tokio::test]
async fn reference_lookup_is_a_switch() {
    for lookup in [ReferenceLookup::Newest, ReferenceLookup::Oldest] {
        let sb = start_with(with(|c| c.reference_lookup = lookup)).await;
        let first = sb.new_order("100").await;
        let second = sb.new_order("200").await;
        let reference = fixture("checkout_request.json")["order_reference_id"].clone();
        let (s, v) = sb
            .get(&format!(
                "/merchants/orders/reference-id/{}",
                reference.as_str().unwrap()
            ))
            .await;
        assert_eq!(s, 200, "{v}");
        let want = match lookup {
            ReferenceLookup::Newest => &second,
            ReferenceLookup::Oldest => &first,
        };
        assert_eq!(v["order_id"], want.as_str());
    }
}

/// §16.19: an update naming no headers (omitted, `null`, `[]`, `{}`) clears them (default) or
/// keeps them.
#[tokio::test]
async fn webhook_update_without_headers_is_a_switch() {
    for keeps in [false, true] {
        let sb = start_with(with(|c| c.webhook_update_keeps_headers = keeps)).await;
        let (_, w) = sb
            .post(
                "/webhooks",
                json!({"url": "https://x.example/h", "events": ["order_approved"],
                       "headers": {"x-key": "k-1"}}),
            )
            .await;
        let path = format!("/webhooks/{}", w["webhook_id"].as_str().unwrap());
        let with_key = json!({"url": "https://x.example/h", "events": ["order_approved"],
                              "headers": {"x-key": "k-1"}});
        for empty in [None, Some(json!(null)), Some(json!([])), Some(json!({}))] {
            let (s, _) = sb.call("PUT", &path, Some(with_key.clone())).await;
            assert_eq!(s, 200);
            let mut bare = json!({"url": "https://x.example/h", "events": ["order_approved"]});
            if let Some(e) = &empty {
                bare["headers"] = e.clone();
            }
            let (s, v) = sb.call("PUT", &path, Some(bare)).await;
            assert_eq!(s, 200, "{v}");
            let kept = v["headers"] == json!({"x-key": "k-1"});
            assert_eq!(kept, keeps, "{empty:?}: {v}");
            if !keeps {
                assert_eq!(v["headers"], json!([]), "PHP's empty array when none: {v}");
            }
            let (_, read) = sb.get(&path).await;
            assert_eq!(read["headers"], v["headers"]);
        }
    }
}

/// §16.20: `expires_in_minutes` is ignored (30 minutes) unless honoured.
#[tokio::test]
async fn expires_in_minutes_is_a_switch() {
    for honoured in [false, true] {
        let sb = start_with(with(|c| c.honour_expires_in_minutes = honoured)).await;
        let mut body = checkout_body("100", "SAR", "SA");
        body["expires_in_minutes"] = json!(10);
        let (s, v) = sb.post("/checkout", body.clone()).await;
        assert_eq!(s, 200, "{v}");
        let id = v["order_id"].as_str().unwrap().to_owned();
        sb.advance(json!({"minutes": 11})).await;
        let want = if honoured { "expired" } else { "new" };
        assert_eq!(sb.status_of(&id).await, want);
        sb.advance(json!({"minutes": 20})).await;
        assert_eq!(sb.status_of(&id).await, "expired");
        body["expires_in_minutes"] = json!(2);
        let (s, _) = sb.post("/checkout", body).await;
        assert_eq!(
            s,
            if honoured { 400 } else { 200 },
            "5 to 1440 when honoured"
        );
    }
}

/// §16.20: Qatar is an unsupported pair unless switched on.
#[tokio::test]
async fn qatar_is_a_switch() {
    for supported in [false, true] {
        let sb = start_with(with(|c| c.qatar_supported = supported)).await;
        let (s, v) = sb
            .post("/checkout", checkout_body("100.50", "QAR", "QA"))
            .await;
        if supported {
            assert_eq!(s, 200, "{v}");
            let id = v["order_id"].as_str().unwrap();
            let (_, d) = sb.get(&format!("/orders/{id}")).await;
            assert_eq!(d["total_amount"], money("100.50", "QAR"));
        } else {
            assert_eq!(s, 400);
            assert_eq!(
                v["errors"][0]["error_code"],
                "not_supported_country_currency"
            );
        }
    }
}

/// §16.20: no limit by default; with one, the calls past it in a second answer 429.
#[tokio::test]
async fn rate_limit_is_a_switch() {
    for limit in [None, Some(3)] {
        let sb = start_with(with(|c| c.rate_limit_per_second = limit)).await;
        let mut statuses = Vec::new();
        for _ in 0..5 {
            statuses.push(sb.get("/checkout/payment-types?country=SA").await);
        }
        let limited: Vec<&(u16, Value)> = statuses.iter().filter(|(s, _)| *s == 429).collect();
        match limit {
            None => assert!(limited.is_empty()),
            Some(_) => {
                assert_eq!(limited.len(), 2, "{statuses:?}");
                assert_eq!(limited[0].1["errors"][0]["error_code"], "too_many_requests");
                let (s, _) = sb.get("/_sandbox/health").await;
                assert_eq!(s, 200, "control endpoints are not Tamara's API");
            }
        }
    }
}

/// §12: a rate limit set at run time stands until ended; `Retry-After` is a switch (off by
/// default), and ending the limit lets every call through again.
#[tokio::test]
async fn a_rate_limit_set_at_run_time_and_its_retry_after_are_switches() {
    let sb = start().await;
    for retry_after in [None, Some(2u64)] {
        let (s, _) = sb
            .post(
                "/_sandbox/faults/api",
                serde_json::json!({"rate_limit_per_second": 2, "retry_after_secs": retry_after}),
            )
            .await;
        assert_eq!(s, 200);
        tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
        let mut headers = Vec::new();
        for _ in 0..4 {
            let resp = sb
                .http
                .get(format!("{}/checkout/payment-types?country=SA", sb.base))
                .bearer_auth(TOKEN)
                .send()
                .await
                .unwrap();
            let h = resp
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_owned());
            headers.push((resp.status().as_u16(), h));
        }
        let limited: Vec<_> = headers.iter().filter(|(s, _)| *s == 429).collect();
        assert!(!limited.is_empty() && limited.len() <= 2, "{headers:?}");
        let want = retry_after.map(|n| n.to_string());
        assert!(limited.iter().all(|(_, h)| *h == want), "{headers:?}");
    }
    sb.post(
        "/_sandbox/faults/api",
        serde_json::json!({"rate_limit_per_second": 0}),
    )
    .await;
    for _ in 0..5 {
        assert_eq!(sb.get("/checkout/payment-types?country=SA").await.0, 200);
    }
}

/// §16.14: failure and cancel redirects name `declined`/`canceled`, or carry no status.
#[tokio::test]
async fn failure_redirect_status_is_a_switch() {
    for omit in [false, true] {
        let sb = start_with(with(|c| c.omit_failure_payment_status = omit)).await;
        for (action, word) in [("decline", "declined"), ("cancel", "canceled")] {
            let id = sb.new_order("100").await;
            let list = sb.get("/_sandbox/orders").await.1;
            let checkout = list
                .as_array()
                .unwrap()
                .iter()
                .find(|o| o["order_id"] == id.as_str())
                .unwrap()["checkout_id"]
                .as_str()
                .unwrap()
                .to_owned();
            let resp = sb
                .http
                .post(format!("{}/_sandbox/checkout/{checkout}/{action}", sb.base))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 303);
            let to = resp.headers()["location"].to_str().unwrap().to_owned();
            assert!(to.contains(&format!("orderId={id}")), "{to}");
            assert_eq!(to.contains(&format!("paymentStatus={word}")), !omit, "{to}");
        }
    }
}

/// §16.4: a registered custom `authorization` header loses to Tamara's `Bearer` token (default)
/// or replaces it; the token is in the query either way.
#[tokio::test]
async fn custom_authorization_header_is_a_switch() {
    for replaces in [false, true] {
        let sb = start_with(with(|c| c.custom_authorization_replaces_bearer = replaces)).await;
        let rx = Receiver::start().await;
        let (s, _) = sb
            .post(
                "/webhooks",
                json!({"url": rx.url("/h"), "events": ["order_approved"],
                       "headers": {"authorization": "12344-1231-abcd"}}),
            )
            .await;
        assert_eq!(s, 200);
        sb.approved("100").await;
        let seen = rx.wait_for(1).await;
        let auth = seen[0].headers["authorization"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(auth == "12344-1231-abcd", replaces, "{auth}");
        assert_eq!(auth.starts_with("Bearer "), !replaces, "{auth}");
        assert!(seen[0].query.as_deref().unwrap().contains("tamaraToken="));
    }
}

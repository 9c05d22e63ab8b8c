//! Disputes — **third-party-sourced** (reference §5.11, §16.16).
//!
//! Tamara's OpenAPI file has no dispute paths; only the `dispute` webhook type and its six
//! event names are Tamara's own (§6.5). The list and update shapes below come from a
//! third-party profile ([T] api-evangelist `tamara-disputes-api-openapi.yml`): plausible, not
//! confirmed. Its host is doubtful too, so the path is the caller's to configure
//! ([`DEFAULT_DISPUTES_PATH`] is the profile's).
//!
//! Invariants: every field except `dispute_id` is optional and unknown fields are ignored; an
//! amount that does not read as money is kept out of [`Dispute::amount`] (the raw JSON still
//! has it), never a parse failure; `disputes` may be PHP's empty array `[]`; statuses are an
//! open enumeration.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::open_enum;
use crate::money::Money;

/// The list path of the third-party profile (trailing slash included, as it writes it).
pub const DEFAULT_DISPUTES_PATH: &str = "/external/merchants/orders/disputes/";

/// Longest comment the update accepts ([T]: `comment` ≤ 255).
pub const MAX_COMMENT_CHARS: usize = 255;

open_enum!(
    /// `dispute_status` values of the third-party profile's filter.
    DisputeStatus {
        Open => "open",
        AwaitingMerchantResponse => "awaiting_merchant_response",
        Cancelled => "cancelled",
        ClaimAccepted => "claim_accepted",
        ClaimRejected => "claim_rejected",
        Closed => "closed",
        UnderReview => "under_review",
    }
);

impl DisputeStatus {
    /// Statuses after which the dispute is over (nothing more is asked of the merchant).
    pub fn is_closed(&self) -> bool {
        matches!(
            self,
            DisputeStatus::Cancelled
                | DisputeStatus::ClaimAccepted
                | DisputeStatus::ClaimRejected
                | DisputeStatus::Closed
        )
    }
}

/// One entry of a dispute's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisputeActivity {
    #[serde(default)]
    pub event: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub attachments: Vec<Value>,
    #[serde(default)]
    pub created_at: Option<String>,
}

/// A dispute as the list returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dispute {
    /// An integer in the profile; read from a number or a numeric string.
    #[serde(deserialize_with = "int_id")]
    pub dispute_id: i64,
    #[serde(default)]
    pub order_id: Option<String>,
    #[serde(default)]
    pub merchant_order_reference_id: Option<String>,
    #[serde(default)]
    pub order_status: Option<String>,
    #[serde(default)]
    pub dispute_status: Option<DisputeStatus>,
    #[serde(default)]
    pub opened_at: Option<String>,
    #[serde(default)]
    pub closed_at: Option<String>,
    #[serde(default, deserialize_with = "lenient_money")]
    pub amount: Option<Money>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub activities: Vec<DisputeActivity>,
}

/// `data.merchant_details` of the list.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MerchantDetails {
    #[serde(default)]
    pub merchant_id: Option<String>,
    #[serde(default)]
    pub merchant_code: Option<String>,
    #[serde(default)]
    pub merchant_name: Option<String>,
    #[serde(default)]
    pub merchant_status: Option<String>,
}

/// `data` of the list: disputes keyed by their id.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DisputePage {
    #[serde(default)]
    pub merchant_details: Option<MerchantDetails>,
    #[serde(default, deserialize_with = "keyed_disputes")]
    pub disputes: BTreeMap<String, Dispute>,
}

/// `GET …/disputes/` answer: `{total, data: {merchant_details, disputes: {"<id>": Dispute}}}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DisputeList {
    #[serde(default)]
    pub total: Option<i64>,
    #[serde(default)]
    pub data: DisputePage,
}

/// The list's optional query filters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DisputeFilter {
    pub order_id: Option<String>,
    pub merchant_order_reference_id: Option<String>,
    pub dispute_id: Option<i64>,
    pub order_status: Option<String>,
    pub dispute_status: Option<DisputeStatus>,
    pub is_parent: Option<bool>,
    pub limit: Option<u32>,
    pub page: Option<u32>,
}

impl DisputeFilter {
    /// The query pairs, in the profile's order, only those set.
    pub fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        let mut put = |k: &'static str, v: Option<String>| {
            if let Some(v) = v {
                q.push((k, v));
            }
        };
        put("order_id", self.order_id.clone());
        put(
            "merchant_order_reference_id",
            self.merchant_order_reference_id.clone(),
        );
        put("dispute_id", self.dispute_id.map(|d| d.to_string()));
        put("order_status", self.order_status.clone());
        put(
            "dispute_status",
            self.dispute_status.as_ref().map(|s| s.as_str().to_owned()),
        );
        put("is_parent", self.is_parent.map(|b| b.to_string()));
        put("limit", self.limit.map(|n| n.to_string()));
        put("page", self.page.map(|n| n.to_string()));
        q
    }
}

/// `POST …/disputes/{id}` answer: `{"message": "order.dispute.updated_successfully"}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DisputeUpdated {
    #[serde(default)]
    pub message: Option<String>,
}

fn int_id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let v = Value::deserialize(d)?;
    let text = match &v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => String::new(),
    };
    text.trim()
        .parse()
        .map_err(|_| serde::de::Error::custom(format!("dispute_id must be an integer, got {v}")))
}

fn lenient_money<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Money>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(serde_json::from_value(v).ok())
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<DisputeActivity>, D::Error> {
    Ok(Option::<Vec<DisputeActivity>>::deserialize(d)?.unwrap_or_default())
}

/// An object of id → dispute, or `[]`/`null` for none; a non-empty array is read by each
/// entry's own `dispute_id`.
fn keyed_disputes<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, Dispute>, D::Error> {
    use serde::de::Error as _;
    match Value::deserialize(d)? {
        Value::Null => Ok(BTreeMap::new()),
        Value::Object(map) => map
            .into_iter()
            .map(|(k, v)| Ok((k, serde_json::from_value(v).map_err(D::Error::custom)?)))
            .collect(),
        Value::Array(items) => items
            .into_iter()
            .map(|v| {
                let d: Dispute = serde_json::from_value(v).map_err(D::Error::custom)?;
                Ok((d.dispute_id.to_string(), d))
            })
            .collect(),
        other => Err(D::Error::custom(format!(
            "disputes must be an object, got {other}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_profile_shape_reads_and_odd_values_do_not_fail_it() {
        let raw = r#"{"total": 2, "data": {
            "merchant_details": {"merchant_id": "m-1", "merchant_name": "Shop"},
            "disputes": {
              "41": {"dispute_id": 41, "order_id": "o-1", "merchant_order_reference_id": "R1",
                     "order_status": "fully_captured", "dispute_status": "awaiting_merchant_response",
                     "opened_at": "2026-12-01T10:00:00Z", "closed_at": null,
                     "amount": {"amount": 120.50, "currency": "SAR"},
                     "activities": [{"event": "opened", "comment": "item not received",
                                     "attachments": [], "created_at": "2026-12-01T10:00:00Z"}]},
              "42": {"dispute_id": "42", "dispute_status": "escalated",
                     "amount": {"amount": 1, "currency": "XYZ"}, "activities": null}
            }}}"#;
        let list: DisputeList = serde_json::from_str(raw).unwrap();
        assert_eq!(list.total, Some(2));
        let a = &list.data.disputes["41"];
        assert_eq!(
            a.dispute_status,
            Some(DisputeStatus::AwaitingMerchantResponse)
        );
        assert_eq!(a.amount.unwrap().amount_text(), "120.50");
        assert_eq!(a.activities.len(), 1);
        let b = &list.data.disputes["42"];
        assert_eq!(b.dispute_id, 42);
        assert_eq!(
            b.dispute_status,
            Some(DisputeStatus::Other("escalated".into()))
        );
        assert!(b.amount.is_none(), "an unknown currency is not a failure");
        let empty: DisputeList =
            serde_json::from_str(r#"{"total":0,"data":{"disputes":[]}}"#).unwrap();
        assert!(empty.data.disputes.is_empty());
    }

    #[test]
    fn filters_become_the_profile_s_query() {
        let f = DisputeFilter {
            order_id: Some("o-1".into()),
            dispute_status: Some(DisputeStatus::Open),
            limit: Some(50),
            ..DisputeFilter::default()
        };
        assert_eq!(
            f.query(),
            vec![
                ("order_id", "o-1".to_owned()),
                ("dispute_status", "open".to_owned()),
                ("limit", "50".to_owned())
            ]
        );
    }
}

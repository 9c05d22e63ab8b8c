//! The go-live checklist's items: reference §14 (Tamara's online checklist), each either
//! verified by software from the local cache or a manual checkbox with a note.
//!
//! Invariant: ids are stable — manual marks are stored under them and reports cite them.

use serde::Serialize;

/// How an item is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// Verified from evidence in the local cache.
    Automatic,
    /// Confirmed by a person (`mizan checklist mark`).
    Manual,
}

/// One line of the checklist.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ChecklistItem {
    pub id: &'static str,
    pub section: &'static str,
    pub title: &'static str,
    pub kind: ItemKind,
    /// `*` in Tamara's checklist: only if the merchant supports it.
    pub optional: bool,
}

const fn auto(id: &'static str, section: &'static str, title: &'static str) -> ChecklistItem {
    ChecklistItem {
        id,
        section,
        title,
        kind: ItemKind::Automatic,
        optional: false,
    }
}

const fn manual(id: &'static str, section: &'static str, title: &'static str) -> ChecklistItem {
    ChecklistItem {
        id,
        section,
        title,
        kind: ItemKind::Manual,
        optional: false,
    }
}

const fn optional(mut item: ChecklistItem) -> ChecklistItem {
    item.optional = true;
    item
}

const BRAND: &str = "Brand guidelines";
const OPTIONS: &str = "Payment options";
const CHECKOUT: &str = "Checkout";
const POST: &str = "Post-order";
const ORDERS: &str = "Order management";
const WEBHOOKS: &str = "Webhooks";
const STATUS: &str = "Status page";

/// Every item, in report order.
pub const ITEMS: &[ChecklistItem] = &[
    manual(
        "brand_ui",
        BRAND,
        "Merchant UI branding follows Tamara's branding guidelines",
    ),
    manual(
        "brand_logos",
        BRAND,
        "Tamara logos match the official brand assets",
    ),
    manual(
        "brand_option_labels",
        BRAND,
        "Tamara shown as a payment option with the correct labels",
    ),
    manual(
        "brand_icon",
        BRAND,
        "Tamara's icon next to the option and in every payment-method list",
    ),
    manual(
        "widgets_guidelines",
        BRAND,
        "Widgets follow the guidelines on product, cart and checkout, in Arabic and English",
    ),
    manual(
        "widgets_popup",
        BRAND,
        "Widgets open Tamara's information pop-up with the right content",
    ),
    manual(
        "widgets_web",
        BRAND,
        "Widget behaviour correct on desktop and mobile web",
    ),
    optional(manual(
        "widgets_apps",
        BRAND,
        "Widget behaviour correct in mobile apps",
    )),
    manual(
        "precheck_limits",
        OPTIONS,
        "Pre-check: Tamara shown only within the min/max limits",
    ),
    manual(
        "option_labels",
        OPTIONS,
        "Labels correct; icon next to the options and in all lists",
    ),
    manual(
        "checkout_complete",
        CHECKOUT,
        "Customers can start and complete checkout",
    ),
    manual(
        "checkout_language",
        CHECKOUT,
        "Checkout language matches the store",
    ),
    manual(
        "checkout_details",
        CHECKOUT,
        "Checkout details match the store order",
    ),
    manual(
        "checkout_payload",
        CHECKOUT,
        "Order payload correct (reference, items, totals, consumer, platform, mobile/web)",
    ),
    manual(
        "risk_fields",
        CHECKOUT,
        "Risk-assessment fields requested by the integration manager are sent",
    ),
    auto(
        "redirects",
        CHECKOUT,
        "Redirects work for success, cancellation and failure",
    ),
    auto(
        "decline",
        CHECKOUT,
        "A declined checkout is handled (order declined)",
    ),
    auto(
        "expiry",
        CHECKOUT,
        "An order not authorised in time becomes expired",
    ),
    optional(manual(
        "checkout_mobile",
        CHECKOUT,
        "Checkout verified on mobile web and in mobile apps",
    )),
    manual(
        "id_verification",
        CHECKOUT,
        "ID verification works (KSA Nafath, UAE Uqudo)",
    ),
    manual(
        "comms_tamara",
        POST,
        "Customer communications name Tamara as the payment method",
    ),
    manual("shipping_updates", POST, "Customers get shipping updates"),
    auto(
        "webhook_registered",
        WEBHOOKS,
        "Webhook registered and confirmed by listing",
    ),
    auto(
        "notification_verified",
        WEBHOOKS,
        "A verified notification received from Tamara",
    ),
    auto(
        "auto_authorised",
        ORDERS,
        "Approved orders authorised automatically, without manual steps",
    ),
    auto(
        "status_pulled",
        ORDERS,
        "Order status pulled with the order details API",
    ),
    auto("capture_full", ORDERS, "Full capture reaches Tamara"),
    optional(auto(
        "capture_partial",
        ORDERS,
        "Partial capture reaches Tamara",
    )),
    auto("refund_full", ORDERS, "Full refund reaches Tamara"),
    optional(auto(
        "refund_partial",
        ORDERS,
        "Partial refund reaches Tamara",
    )),
    auto("cancel_full", ORDERS, "Full cancel reaches Tamara"),
    optional(auto(
        "cancel_partial",
        ORDERS,
        "Partial cancel reaches Tamara",
    )),
    manual(
        "oms_updates",
        ORDERS,
        "Order updates from the dashboard/OMS reach Tamara",
    ),
    manual(
        "statuses_in_sync",
        ORDERS,
        "Merchant and Tamara statuses stay in sync",
    ),
    manual(
        "refunds_only_tamara",
        ORDERS,
        "All refunds of Tamara orders go through Tamara (no store wallet)",
    ),
    manual(
        "status_page",
        STATUS,
        "Relevant staff subscribe to Tamara's status page",
    ),
];

/// The item with this id.
pub fn find(id: &str) -> Option<&'static ChecklistItem> {
    ITEMS.iter().find(|i| i.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_the_issue_s_automatic_items_exist() {
        let mut ids: Vec<_> = ITEMS.iter().map(|i| i.id).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate ids");
        for id in [
            "webhook_registered",
            "notification_verified",
            "auto_authorised",
            "status_pulled",
            "capture_full",
            "capture_partial",
            "refund_full",
            "refund_partial",
            "cancel_full",
            "cancel_partial",
            "decline",
            "expiry",
            "redirects",
        ] {
            assert_eq!(find(id).map(|i| i.kind), Some(ItemKind::Automatic), "{id}");
        }
        assert_eq!(find("status_page").map(|i| i.kind), Some(ItemKind::Manual));
    }
}

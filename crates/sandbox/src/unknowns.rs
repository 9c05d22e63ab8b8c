//! The simulator's answers to the reference's open questions (§16): one type per unknown whose
//! answer is a choice among plausible behaviours, and [`OrderRules`], the part of them an
//! order's state machine needs.
//!
//! Invariants: every default is the reference's own [SIM] choice (or, where it has none, the
//! behaviour the simulator had before the switch existed); the rules are copied into each order
//! when it is created, so a transition never looks configuration up and an order keeps the
//! answers it was born with.

use chrono::Duration;

use crate::config::SandboxConfig;

/// A notification whose sending is unknown (§9.2 "unknown"/"assumed" webhooks, §16.6). Each
/// fires by default; naming it in [`SandboxConfig::silent_events`] suppresses it, so a receiver
/// can be tested against a Tamara that stays quiet there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum SilentEvent {
    /// `order_authorised` of an authorise that auto-captured (merchant `auto_capture`).
    AutoCaptureAuthorised,
    /// `order_captured` of an authorise that auto-captured.
    AutoCaptureCaptured,
    /// `order_approved` of an auto-authorised order (merchant `auto_authorisation`).
    AutoAuthorisationApproved,
    /// `order_captured` of an auto-authorised order.
    AutoAuthorisationCaptured,
    /// `order_captured` of the capture Tamara makes after the auto-capture period (21 days).
    TimedAutoCapture,
    /// `order_expired` of an authorised order left uncaptured past the expiry period (90 days).
    AuthorisedExpiry,
}

/// What `order_expiry_time` in the authorise answer means (§5.3, §16.17).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OrderExpiryTime {
    /// Authorisation + the authorised-order expiry period (90 days): the reference's [SIM].
    #[default]
    AuthorisedExpiry,
    /// Authorisation + the auto-capture period (21 days): when the order stops being open.
    AutoCapture,
}

/// The `data` of an `order_updated` notification, undocumented (§7, §16.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum UpdatedPayload {
    /// Like `order_canceled`: `{cancel_id, canceled_amount}` (the reference's [SIM]).
    #[default]
    LikeCancel,
    /// `[]`, like the events without details.
    Empty,
    /// A shape no source shows (`{update_type, new_total_amount}`): a receiver must still
    /// accept it.
    Unrecognised,
}

/// When refunds end an order as `fully_refunded` (§9.2, §16.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum FullyRefundedWhen {
    /// Once everything captured is refunded, even if part of the order was never captured
    /// (the reference's [SIM]; the rest can then never be captured).
    #[default]
    AllCaptured,
    /// Only once the whole order (total − canceled) is captured and refunded; before that it
    /// stays `partially_refunded` and the rest can still be captured.
    WholeOrder,
}

/// Which order `GET /merchants/orders/reference-id/{ref}` answers when a reference was reused
/// (§5.8b, §16.12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ReferenceLookup {
    /// The most recently created order carrying the reference.
    #[default]
    Newest,
    /// The first order created with it.
    Oldest,
}

/// The rules an order's state machine follows where Tamara's are unknown, taken from the
/// configuration when the order is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderRules {
    /// Merchant auto-authorisation: approval goes on to `fully_captured` (§5.3).
    pub auto_authorisation: bool,
    /// Authorised orders are captured whole this long after authorisation; `None`: never.
    pub auto_capture_after: Option<Duration>,
    /// Authorised orders neither captured nor canceled expire this long after authorisation.
    pub authorised_expiry: Duration,
    /// A `partially_captured` order may cancel its uncaptured remainder.
    pub cancel_after_partial_capture: bool,
    /// A `partially_refunded` order may capture its uncaptured remainder.
    pub capture_after_partial_refund: bool,
    pub fully_refunded_when: FullyRefundedWhen,
    pub updated_payload: UpdatedPayload,
    /// `order_on_hold` leaves the status as it is (otherwise the order is `on_hold` until
    /// released).
    pub on_hold_keeps_status: bool,
}

impl OrderRules {
    pub fn from_config(c: &SandboxConfig) -> OrderRules {
        OrderRules {
            auto_authorisation: c.auto_authorisation,
            auto_capture_after: c
                .auto_capture_after_days
                .map(|d| Duration::days(i64::from(d))),
            authorised_expiry: Duration::days(i64::from(c.authorised_expiry_days)),
            cancel_after_partial_capture: c.cancel_after_partial_capture,
            capture_after_partial_refund: !c.refuse_capture_after_partial_refund,
            fully_refunded_when: c.fully_refunded_when,
            updated_payload: c.order_updated_payload,
            on_hold_keeps_status: c.on_hold_keeps_status,
        }
    }
}

impl Default for OrderRules {
    fn default() -> Self {
        OrderRules::from_config(&SandboxConfig::default())
    }
}

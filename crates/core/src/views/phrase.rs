//! Prose the desktop translates: what the core would say in English (timeline entries,
//! attention details) as a stable code with named parameters. The English text stays beside it
//! for the CLI; the UI renders the code in the operator's language (`ui/src/lib/phrase.tsx`).
//!
//! Parameters are plain strings. Those named in [`CODE_PARAMS`] are closed sets (a status, a
//! verdict, a move kind) that the UI translates too; every other parameter is data shown as it
//! is (an id, an amount, a reference, a name, text from Tamara or the gateway).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Which sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum PhraseCode {
    /// Timeline: the order was created (`reference`, `total`).
    OrderCreated,
    /// Timeline: the order's details were read from Tamara (`status`).
    OrderRead,
    /// Timeline: a webhook delivery (`event` or none, `verdict`).
    WebhookReceived,
    /// Timeline: how a delivery was handled (`processing`, `http`).
    WebhookHandled,
    /// Timeline: a money move (`move_kind`, `amount`, `move_state`).
    MoveRecorded,
    /// Timeline: who moved the money (`actor`, `source`).
    MovedBy,
    /// A comment (`comment`).
    Comment,
    /// Tamara's id of a move (`id`).
    TamaraId,
    /// Why something failed, as the gateway or processor said it (`reason`).
    Reason,
    /// Timeline: a status change (`from` or none, `to`).
    StatusChanged,
    /// Timeline: an audited action (`action`).
    AuditAction,
    /// Timeline: an audited action's result (`result`, `operator`).
    AuditResult,
    /// Attention: approved, not authorised; authorise before Tamara expires it.
    AuthoriseBeforeExpiry,
    /// Attention: authorised, not captured; capture or cancel before auto-capture.
    CaptureBeforeAutoCapture,
    /// Attention: a delivery could not be processed (`delivery`, `event` or none, `reason`).
    DeliveryUnprocessed,
    /// Attention: a move's outcome is not known (`move_kind`, `amount`, `move_state`).
    MoveUnsettled,
    /// Attention: the reconciler could not read the order (`at`, `reason`).
    ReconcileFailed,
    /// Timeline: a dispute event (`dispute`, `event`).
    DisputeEvent,
    /// Timeline: a dispute's status after an event (`dispute_status`).
    DisputeStatus,
    /// Timeline: a dispute event's body had a shape not recognised; kept as sent.
    DisputeUnrecognised,
}

/// Parameters the UI translates (closed sets); all others are data.
pub const CODE_PARAMS: &[&str] = &[
    "status",
    "from",
    "to",
    "verdict",
    "processing",
    "move_kind",
    "move_state",
    "source",
];

/// A sentence by code, with its parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Phrase {
    pub code: PhraseCode,
    pub params: BTreeMap<String, String>,
}

impl Phrase {
    /// `code` with `params` (name, value).
    pub fn new(code: PhraseCode, params: &[(&str, &str)]) -> Phrase {
        Phrase {
            code,
            params: params
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }
}

//! `mizan resolve`: a person settles a money move whose outcome stayed unknown, after checking
//! with Tamara — applied as a named transaction, or not applied — with a note for the audit.

use clap::Args;
use mizan_core::Console;
use mizan_core::moves::by_person::Finding;
use serde_json::json;

use crate::CliError;
use crate::output::{Output, say};

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("finding").required(true).args(["applied", "not_applied"])))]
pub struct ResolveArgs {
    /// The ledger entry (`ledger_entry_id` in the move's output).
    pub entry_id: i64,
    /// Tamara applied it as this transaction (capture/refund/cancel id; the order id for an
    /// authorisation), which the order must show with the move's exact amount.
    #[arg(long, value_name = "GATEWAY_ID")]
    pub applied: Option<String>,
    /// Tamara did not apply it.
    #[arg(long)]
    pub not_applied: bool,
    /// Why: what Tamara showed, who confirmed it (kept in the ledger and the audit log).
    #[arg(long)]
    pub note: String,
}

pub async fn run(console: &Console, out: &Output, a: ResolveArgs) -> Result<(), CliError> {
    let finding = match a.applied {
        Some(gateway_id) => Finding::Applied { gateway_id },
        None => Finding::NotApplied,
    };
    let e = console
        .settle_by_person(a.entry_id, finding, &a.note)
        .await?;
    if out.json {
        out.json_value(&json!({
            "ledger_entry_id": e.id, "order_id": e.order_id, "kind": e.kind.as_str(),
            "state": e.state.as_str(), "gateway_id": e.gateway_id, "error": e.error,
        }));
    } else {
        say!(
            "Ledger entry {} ({} of {} on order {}) is now {}",
            e.id,
            e.kind,
            e.amount,
            e.order_id,
            e.state
        );
    }
    Ok(())
}

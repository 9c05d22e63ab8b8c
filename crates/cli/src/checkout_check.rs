//! `mizan checkout check FILE`, and the same check that `mizan checkout create` runs on its
//! request before sending anything.
//!
//! Invariants: the checker is `mizan_core::checkout::check` and nothing else (no second copy
//! of a rule); nothing here opens the store or the network; every piece of the payload that
//! reaches the terminal goes through `say!` (made terminal-safe); `--json` prints the findings
//! exactly as the core returns them.

use std::path::PathBuf;

use mizan_core::checkout::{self, CheckReport, Finding, Severity};
use mizan_core::{Environment, ErrorCode};
use serde_json::{Value, json};

use crate::CliError;
use crate::output::{Output, say};

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The checkout request body (JSON); `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// Prints the findings; an error among them is exit status 1.
pub fn run(env: Environment, out: &Output, args: &CheckArgs) -> Result<(), CliError> {
    let text = read(&args.file)?;
    let name = match args.file.to_str() {
        Some("-") => "standard input".to_owned(),
        _ => args.file.display().to_string(),
    };
    let report = checkout::check_text(&text, env);
    let errors = report.count(Severity::Error);
    if out.json {
        out.json_value(&json!({
            "file": name,
            "environment": env.as_str(),
            "ok": errors == 0,
            "convention": report.convention,
            "errors": errors,
            "warnings": report.count(Severity::Warning),
            "findings": report.findings,
        }));
    } else {
        print_report(&name, &report);
    }
    if errors == 0 {
        return Ok(());
    }
    Err(CliError::Failed {
        code: ErrorCode::InvalidInput,
        message: format!(
            "{name} has {errors} error(s): Tamara would refuse it or it does not add up"
        ),
    })
}

fn read(path: &std::path::Path) -> Result<String, CliError> {
    let result = if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(path)
    };
    result.map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))
}

fn print_report(name: &str, r: &CheckReport) {
    let adds_up = r
        .convention
        .as_deref()
        .map(|c| format!("; adds up as {c}"))
        .unwrap_or_default();
    say!(
        "{name}: {} error(s), {} warning(s), {} note(s){adds_up}",
        r.count(Severity::Error),
        r.count(Severity::Warning),
        r.count(Severity::Info)
    );
    let width = r.findings.iter().map(|f| shown(f).len()).max().unwrap_or(0);
    for f in &r.findings {
        let sev = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "note",
        };
        say!(
            "  {sev:<7}  {:<width$}  {}  {}",
            shown(f),
            f.code.as_str(),
            f.message
        );
    }
}

fn shown(f: &Finding) -> &str {
    if f.path.is_empty() {
        "(request)"
    } else {
        &f.path
    }
}

/// Runs the checker on a request about to be sent: errors refuse it (a usage error naming each
/// field, and the flag that set it when it came from flags); warnings go to stderr.
pub fn refuse_if_invalid(
    payload: &Value,
    env: Environment,
    from_flags: bool,
    source: &str,
) -> Result<(), CliError> {
    let report = checkout::check(payload, env);
    for f in report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
    {
        eprintln!(
            "mizan: warning: {}",
            crate::output::terminal_safe(&format!("{}: {}", shown(f), f.message))
        );
    }
    let problems: Vec<String> = report
        .errors()
        .map(|f| match flag_for(&f.path).filter(|_| from_flags) {
            Some(flag) => format!("{flag} ({}): {}", f.path, f.message),
            None => format!("{}: {}", shown(f), f.message),
        })
        .collect();
    if problems.is_empty() {
        return Ok(());
    }
    Err(CliError::Usage(format!(
        "{source} is not a valid checkout request, nothing was sent: {}",
        problems.join("; ")
    )))
}

/// The `checkout create` flag that sets the field at `path`.
fn flag_for(path: &str) -> Option<&'static str> {
    if path.ends_with(".currency") {
        return Some("--currency");
    }
    Some(match path.trim_end_matches(".amount") {
        "total_amount" => "--amount",
        "shipping_amount" => "--shipping",
        "tax_amount" => "--tax",
        "country_code" => "--country",
        "payment_type" => "--payment-type",
        "instalments" => "--instalments",
        "consumer.phone_number" | "shipping_address.phone_number" => "--phone",
        "consumer.email" => "--email",
        "merchant_url.success" => "--success-url",
        "merchant_url.failure" => "--failure-url",
        "merchant_url.cancel" => "--cancel-url",
        "order_reference_id" => "--reference",
        "description" | "items[0].name" => "--description",
        "locale" => "--locale",
        "shipping_address.city" => "--city",
        "shipping_address.line1" => "--line1",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::flag_for;

    #[test]
    fn fields_name_their_flags() {
        assert_eq!(flag_for("shipping_amount.amount"), Some("--shipping"));
        assert_eq!(flag_for("total_amount.currency"), Some("--currency"));
        assert_eq!(flag_for("merchant_url.success"), Some("--success-url"));
        assert_eq!(flag_for("items[0].quantity"), None);
    }
}

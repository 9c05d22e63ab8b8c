//! `mizan orders fetch | list | show` (`show` adds the order's dispute events).
//!
//! `fetch` is the only one that talks to Tamara; `list` and `show` read the local cache and
//! work offline.

use mizan_core::Console;
use mizan_core::money::Currency;
use mizan_core::orders::statement::Lang;
use mizan_core::orders::{MAX_PAGE, OrderListQuery};

use crate::CliError;
use crate::args::{OrdersCommand, OrdersListArgs};
use crate::output::say;
use crate::output::{Output, cached_order_json, order_json, print_cached_order, table};

pub async fn run(console: &Console, out: &Output, cmd: OrdersCommand) -> Result<(), CliError> {
    match cmd {
        OrdersCommand::Fetch {
            order_id,
            reference,
        } => {
            let cached = match (order_id, reference) {
                (Some(id), _) => console.fetch_order(&id).await?,
                (None, Some(r)) => console.fetch_order_by_reference(&r).await?,
                (None, None) => {
                    return Err(CliError::Usage("give an ORDER_ID or --ref REF".into()));
                }
            };
            if out.json {
                out.json_value(&cached_order_json(&cached));
            } else {
                print_cached_order(&cached);
            }
        }
        OrdersCommand::Show { order } => {
            let cached = console.cached_order(&order).await?;
            let disputes = crate::disputes::for_order(console, &cached.order.order_id).await?;
            if out.json {
                let mut v = cached_order_json(&cached);
                v["disputes"] = disputes;
                out.json_value(&v);
            } else {
                print_cached_order(&cached);
                crate::disputes::print_for_order(&disputes);
            }
        }
        OrdersCommand::List(args) => list(console, out, args).await?,
        OrdersCommand::Stuck => crate::status::stuck(console, out).await?,
        OrdersCommand::Statement {
            order,
            entry,
            lang,
            output,
            force,
        } => {
            if !matches!(lang.trim(), "en" | "ar") {
                return Err(CliError::Usage(format!(
                    "--lang must be en or ar, got {lang:?}"
                )));
            }
            let page = console
                .order_statement(&order, entry, Lang::of(Some(&lang)))
                .await?;
            if output.as_os_str() == "-" {
                print!("{page}");
            } else {
                write_new(&output, &page, force)?;
                crate::output::say!("Wrote {}", output.display());
            }
        }
        OrdersCommand::SetRef {
            order_id,
            reference,
        } => {
            console.set_order_reference(&order_id, &reference).await?;
            let cached = console.cached_order(&order_id).await?;
            if out.json {
                out.json_value(&crate::output::order_json(&cached.order));
            } else {
                crate::output::say!(
                    "Order {order_id} now has reference {}",
                    cached.order.order_reference_id
                );
            }
        }
    }
    Ok(())
}

async fn list(console: &Console, out: &Output, args: OrdersListArgs) -> Result<(), CliError> {
    let currency = match &args.currency {
        None => None,
        Some(c) => Some(
            c.trim()
                .to_ascii_uppercase()
                .parse::<Currency>()
                .map_err(|e| CliError::Usage(format!("--currency: {e}")))?,
        ),
    };
    if args.limit == 0 || args.limit > MAX_PAGE {
        return Err(CliError::Usage(format!(
            "--limit must be 1 to {MAX_PAGE}, got {}",
            args.limit
        )));
    }
    // No --status is every status, as the query reads an empty list.
    let q = OrderListQuery {
        statuses: args
            .status
            .iter()
            .map(|s| s.trim().to_ascii_lowercase())
            .collect(),
        currency,
        reference: args.reference.clone(),
        limit: args.limit,
        ..OrderListQuery::default()
    };
    let orders = console.list_orders(&q).await?;
    if out.json {
        out.json_value(&serde_json::Value::Array(
            orders.iter().map(order_json).collect(),
        ));
        return Ok(());
    }
    if orders.is_empty() {
        say!(
            "No cached orders in {} match. Create one with `mizan checkout create`, or read one \
             with `mizan orders fetch ORDER_ID`.",
            console.environment()
        );
        return Ok(());
    }
    let rows: Vec<Vec<String>> = orders
        .iter()
        .map(|o| {
            vec![
                o.created_at.format("%Y-%m-%d %H:%M").to_string(),
                o.order_id.clone(),
                o.order_reference_id.clone(),
                o.status.clone(),
                o.total.to_string(),
                o.captured.amount_text(),
                o.refunded.amount_text(),
            ]
        })
        .collect();
    let headers = [
        "CREATED (UTC)",
        "ORDER ID",
        "REFERENCE",
        "STATUS",
        "TOTAL",
        "CAPTURED",
        "REFUNDED",
    ];
    say!("{}", table(&headers, &rows));
    let total = console.count_orders(&q).await?;
    if total > orders.len() as u64 {
        say!(
            "({} of {} shown; use --limit or filters)",
            orders.len(),
            total
        );
    }
    Ok(())
}

/// Writes `text` to `path`, private to the user, refusing to replace a file unless `force`.
fn write_new(path: &std::path::Path, text: &str, force: bool) -> Result<(), CliError> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            CliError::Usage(format!(
                "{} exists; pass --force to replace it",
                path.display()
            ))
        } else {
            CliError::Usage(format!("cannot write {}: {e}", path.display()))
        }
    })?;
    file.write_all(text.as_bytes())
        .map_err(|e| CliError::Usage(format!("cannot write {}: {e}", path.display())))
}

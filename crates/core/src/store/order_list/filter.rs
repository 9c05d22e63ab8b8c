//! The order list's WHERE clause, written for either backend: the filters, then the text plan.
//!
//! Invariant: every value is bound (`$N`), never formatted into the SQL; only fixed fragments
//! differ between the dialects, side by side here.

use super::{OrderListQuery, REHEARSAL_PREFIX, TRIGRAM, TextPlan};
use crate::store::Environment;
use crate::store::codec::{Arg, Built, ts};

/// The four columns the text search looks in (SQLite's `orders_text` holds the same four).
const TEXT_COLUMNS: [&str; 4] = [
    "order_reference_id",
    "customer_name",
    "customer_email",
    "customer_phone",
];

/// Tamara's order ids are UUIDs: 36 characters of hex digits and dashes.
pub(super) fn looks_like_id(t: &str) -> bool {
    t.len() == 36 && t.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

/// The FTS5 query for the text filters, or None when there is none or one is too short for
/// trigrams. Each text is one quoted phrase, so nothing the user types is FTS syntax.
pub(super) fn fts_query(q: &OrderListQuery) -> Option<String> {
    let phrase = |t: &str| format!("\"{}\"", t.replace('"', "\"\""));
    let long = |t: &str| t.chars().count() >= TRIGRAM;
    let mut parts = Vec::new();
    if let Some(r) = &q.reference {
        if !long(r) {
            return None;
        }
        parts.push(format!("order_reference_id : {}", phrase(r)));
    }
    if let Some(t) = &q.text {
        if !long(t) {
            return None;
        }
        parts.push(phrase(t));
    }
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

/// A `LIKE` pattern (with `ESCAPE '\'`) matching `text` anywhere: `%`, `_` and `\` are
/// literal. SQLite's LIKE ignores the case of ASCII letters, as the trigram index does;
/// PostgreSQL's ILIKE ignores case too.
fn like(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The list's one WHERE clause: the filters, then the text plan. On PostgreSQL the plan
/// changes nothing here: the text is always the `ILIKE` filter, which the GIN index serves.
pub(super) fn push_where(
    b: &mut Built,
    postgres: bool,
    env: Environment,
    q: &OrderListQuery,
    plan: &TextPlan,
) {
    let narrow = match plan {
        TextPlan::Narrow(rowids) if !postgres => Some(rowids),
        TextPlan::Narrow(_) | TextPlan::None | TextPlan::Broad => None,
    };
    push_filters(b, postgres, env, q, narrow.is_none());
    match narrow {
        Some(rowids) if rowids.is_empty() => {
            b.push(" AND 1 = 0");
        }
        Some(rowids) => {
            b.push(" AND rowid IN (");
            b.bind_list(rowids.iter().map(|id| Arg::Int(*id)));
            b.push(")");
        }
        None => push_text(b, postgres, q),
    }
}

/// The text filters as a walk tests them: `LIKE` on SQLite, `ILIKE` on PostgreSQL.
fn push_text(b: &mut Built, postgres: bool, q: &OrderListQuery) {
    // SQLite's LIKE is ASCII case-insensitive already; PostgreSQL's is not.
    let like_op = if postgres { " ILIKE " } else { " LIKE " };
    if let Some(r) = &q.reference {
        b.push(" AND order_reference_id")
            .push(like_op)
            .bind(Arg::Text(like(r)))
            .push(" ESCAPE '\\'");
    }
    if let Some(t) = &q.text {
        let pattern = like(t);
        b.push(" AND (");
        for (i, column) in TEXT_COLUMNS.iter().enumerate() {
            if i > 0 {
                b.push(" OR ");
            }
            b.push(column)
                .push(like_op)
                .bind(Arg::Text(pattern.clone()))
                .push(" ESCAPE '\\'");
        }
        if let Some(key) = crate::phone::search_key(t) {
            b.push(" OR customer_phone_key = ").bind(Arg::Text(key));
        }
        // SQLite's narrow plan adds the order whose id is the text; PostgreSQL has no narrow
        // plan, so its filter does.
        if postgres && looks_like_id(t) {
            b.push(" OR order_id = ").bind(Arg::Text(t.clone()));
        }
        b.push(")");
    }
}

/// The filters other than text: environment, statuses, currency, dates, amounts.
///
/// Every secondary index starts with `environment`. When the candidate rows are already known
/// (a list of rowids, or the trigram index's matches), `indexed = false` writes the
/// environment test so that no index can serve it (`environment || '' = ?`, portable SQL):
/// the planner then reads those rows by rowid instead of walking a million index entries and
/// testing each against the list.
pub(super) fn push_filters(
    b: &mut Built,
    postgres: bool,
    env: Environment,
    q: &OrderListQuery,
    indexed: bool,
) {
    b.push(if indexed {
        " WHERE environment = "
    } else {
        " WHERE environment || '' = "
    });
    b.bind(Arg::Text(env.as_str().to_owned()));
    if !q.statuses.is_empty() {
        b.push(" AND status IN (");
        b.bind_list(q.statuses.iter().map(|s| Arg::Text(s.clone())));
        b.push(")");
    }
    if let Some(c) = q.currency {
        b.push(" AND currency = ")
            .bind(Arg::Text(c.code().to_owned()));
    }
    if let Some(from) = q.created_from {
        b.push(" AND created_at >= ").bind(Arg::Text(ts(from)));
    }
    if let Some(to) = q.created_to {
        b.push(" AND created_at < ").bind(Arg::Text(ts(to)));
    }
    // Bound as text and cast by the database, exactly like its amount index: SQLite's is on
    // REAL, PostgreSQL's on NUMERIC (exact).
    let amount = if postgres {
        "CAST(total_amount AS NUMERIC)"
    } else {
        "CAST(total_amount AS REAL)"
    };
    let cast_end = if postgres {
        " AS NUMERIC)"
    } else {
        " AS REAL)"
    };
    for (bound, op) in [(q.amount_min, " >= CAST("), (q.amount_max, " <= CAST(")] {
        if let Some(bound) = bound {
            b.push(" AND ")
                .push(amount)
                .push(op)
                .bind(Arg::Text(bound.to_string()))
                .push(cast_end);
        }
    }
    // An order's arrival in the cache: SQLite's rowid (an upsert keeps it, the store never
    // vacuums), PostgreSQL's identity column `arrival` (migrations_pg/0003).
    let arrival = if postgres { "arrival" } else { "rowid" };
    if let Some(mark) = q.arrived_upto {
        b.push(" AND ")
            .push(arrival)
            .push(" <= ")
            .bind(Arg::Int(mark));
    }
    if let Some(mark) = q.arrived_after {
        b.push(" AND ")
            .push(arrival)
            .push(" > ")
            .bind(Arg::Int(mark));
    }
    if let Some(only) = q.rehearsal {
        // substr, not LIKE: the prefix is matched exactly, case included. CAST: PostgreSQL's
        // substr takes an INTEGER length, and a bound i64 is BIGINT.
        b.push(" AND substr(order_reference_id, 1, CAST(")
            .bind(Arg::Int(
                i64::try_from(REHEARSAL_PREFIX.len()).unwrap_or(i64::MAX),
            ))
            .push(if only {
                " AS INTEGER)) = "
            } else {
                " AS INTEGER)) <> "
            })
            .bind(Arg::Text(REHEARSAL_PREFIX.to_owned()));
    }
}

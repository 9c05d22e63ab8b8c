//! `/_sandbox/statements…`: the settlement statements of the simulator's orders (no API token,
//! like every control route; Tamara has no statement API, its portal hands out the files).
//!
//! - `GET /_sandbox/statements`: every issued statement (past cycles close by the clock);
//! - `POST /_sandbox/statements/close`: closes the running cycle now, answers the statement;
//! - `GET /_sandbox/statements/{id}` (JSON with lines), `{id}.csv`, `{id}.xlsx` (or
//!   `?format=csv|xlsx|json`), optionally `?faults=missing_line,…` for that file only;
//! - `POST /_sandbox/statements/faults` `{missing_line, changed_amount, unknown_order,
//!   duplicate_line}`: faults of the next file produced (CSV or XLSX), then forgotten;
//!   `GET` shows them, `DELETE` clears them.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::errors::{ApiError, ApiResult};
use crate::json::parse_body;
use crate::money::amount_json;
use crate::state::AppState;
use crate::statements::{self, Issued, Line, StatementFaults, Totals};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/_sandbox/statements", get(list))
        .route("/_sandbox/statements/close", post(close))
        .route(
            "/_sandbox/statements/faults",
            get(faults).post(add_faults).delete(clear_faults),
        )
        .route("/_sandbox/statements/{file}", get(download))
}

/// Issues the statements of every cycle ended by now, then runs `f` on the book.
fn with_book<T>(
    state: &AppState,
    f: impl FnOnce(&mut statements::Book, &mut crate::ids::IdGen) -> T,
) -> T {
    let config = &state.config().statements;
    let merchant = state.config().merchant_id;
    let now = state.clock().now();
    state.with_store(|store, ids| {
        store
            .statements
            .settle(&store.orders, &store.order_seq, config, merchant, now);
        f(&mut store.statements, ids)
    })
}

async fn list(State(state): State<AppState>) -> Json<Value> {
    Json(with_book(&state, |book, _| {
        Value::Array(book.issued().iter().map(summary_json).collect())
    }))
}

async fn close(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let config = &state.config().statements;
    let merchant = state.config().merchant_id;
    let now = state.clock().now();
    state.with_store(|store, _| {
        store
            .statements
            .close_now(&store.orders, &store.order_seq, config, merchant, now)
            .map(|s| Json(summary_json(s)))
            .map_err(|e| ApiError::new(StatusCode::CONFLICT, e.to_string(), "nothing_to_settle"))
    })
}

async fn faults(State(state): State<AppState>) -> Json<Value> {
    Json(with_book(&state, |book, _| json!(book.pending_faults)))
}

async fn add_faults(State(state): State<AppState>, body: Bytes) -> ApiResult<Json<Value>> {
    let asked: StatementFaults = serde_json::from_value(parse_body(&body)?)
        .map_err(|e| ApiError::bad_request(e.to_string(), "invalid_field"))?;
    Ok(Json(with_book(&state, |book, _| {
        book.pending_faults = book.pending_faults.merged(asked);
        json!(book.pending_faults)
    })))
}

async fn clear_faults(State(state): State<AppState>) -> Json<Value> {
    Json(with_book(&state, |book, _| {
        book.pending_faults = StatementFaults::default();
        json!(book.pending_faults)
    }))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
    Xlsx,
}

async fn download(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let (id, format) = match (file.strip_suffix(".csv"), file.strip_suffix(".xlsx")) {
        (Some(id), _) => (id, Format::Csv),
        (_, Some(id)) => (id, Format::Xlsx),
        _ => match query.get("format").map(String::as_str) {
            None | Some("json") => (file.as_str(), Format::Json),
            Some("csv") => (file.as_str(), Format::Csv),
            Some("xlsx") => (file.as_str(), Format::Xlsx),
            Some(_) => return Err(ApiError::invalid("format", "expected csv, xlsx or json")),
        },
    };
    let asked = match query.get("faults") {
        Some(list) => Some(StatementFaults::parse_list(list).map_err(|name| {
            ApiError::invalid(
                "faults",
                &format!(
                    "{name} is not one of {}",
                    statements::FAULT_NAMES.join(", ")
                ),
            )
        })?),
        None => None,
    };
    let config = &state.config().statements;
    let (statement, lines) = with_book(&state, |book, ids| {
        let statement = book.find(id).cloned()?;
        if format == Format::Json {
            let lines = statement.lines.clone();
            return Some((statement, lines));
        }
        // Faults named in the query are for this file; the pending ones wait for a file asked
        // without them.
        let faults = asked.unwrap_or_else(|| std::mem::take(&mut book.pending_faults));
        let lines = match faults.any() {
            true => faults.apply(&statement, config, ids.next_uuid()),
            false => statement.lines.clone(),
        };
        Some((statement, lines))
    })
    .ok_or_else(|| ApiError::not_found("Statement"))?;
    let tz = config.time_zone.name();
    let rows = statements::rows(&statement, &lines, tz);
    Ok(match format {
        Format::Json => {
            let mut v = summary_json(&statement);
            v["lines"] = Value::Array(lines.iter().map(line_json).collect());
            Json(v).into_response()
        }
        Format::Csv => file_response(statements::csv(&rows), "text/csv; charset=utf-8", id, "csv"),
        Format::Xlsx => {
            let bytes = statements::xlsx(&rows).map_err(|e| {
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("the statement could not be written: {e}"),
                    "internal_error",
                )
            })?;
            file_response(
                bytes,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                id,
                "xlsx",
            )
        }
    })
}

fn file_response(bytes: Vec<u8>, content_type: &'static str, id: &str, ext: &str) -> Response {
    let disposition = format!("attachment; filename=\"{id}.{ext}\"");
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

fn totals_json(t: &Totals) -> Value {
    let c = t.currency;
    json!({
        "currency": c.code(),
        "sales": amount_json(t.sales, c),
        "refunds": amount_json(t.refunds, c),
        "fees": amount_json(t.fees, c),
        "vat": amount_json(t.vat, c),
        "payable": amount_json(t.payable, c),
    })
}

fn summary_json(s: &Issued) -> Value {
    json!({
        "statement_id": s.id,
        "statement_date": s.statement_date.to_string(),
        "period_start": s.period_start.to_string(),
        "period_end": s.period_end.to_string(),
        "from": crate::clock::fmt_millis_z(s.from),
        "to": crate::clock::fmt_millis_z(s.to),
        "closed": match s.closed {
            statements::Closed::ByTime => "by_time",
            statements::Closed::OnDemand => "on_demand",
        },
        "merchant_id": s.merchant_id,
        "line_count": s.lines.len(),
        "totals": Totals::of(&s.lines).iter().map(totals_json).collect::<Vec<_>>(),
    })
}

fn line_json(l: &Line) -> Value {
    let c = l.currency;
    let f = &l.fees;
    json!({
        "transaction_date": l.transaction_date.to_string(),
        "tamara_order_id": l.tamara_order_id,
        "merchant_order_id": l.merchant_order_id,
        "refund_reason": l.refund_reason,
        "payment_type": l.payment_type,
        "order_status": l.order_status,
        "currency": c.code(),
        "order_amount": amount_json(l.order_amount, c),
        "event": l.event.label(),
        "event_amount": amount_json(l.amount, c),
        "event_at": crate::clock::fmt_millis_z(l.event_at),
        "event_date": l.event_date.to_string(),
        "fixed_fees": amount_json(f.fixed, c),
        "variable_fee_percent": f.variable_percent.normalize().to_string(),
        "variable_fees": amount_json(f.variable, c),
        "total_fees": amount_json(f.total, c),
        "vat": amount_json(f.vat, c),
        "payable": amount_json(f.payable, c),
        "instalments": l.instalments,
    })
}

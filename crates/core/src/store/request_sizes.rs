//! The real sizes of a webhook request, stored beside the delivery (migration 0006).
//!
//! Owns the mapping of [`RequestSizes`] to the three nullable columns `body_bytes`,
//! `headers_bytes` and `query_bytes`. Invariant: the three are written and read together —
//! all set, or all NULL (rows older than the migration).

use super::StoreError;
use super::codec::{self, StoreRow};

/// The sizes of a request as received, in bytes. A refused delivery stores only samples, so
/// these are the record of what was actually sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RequestSizes {
    /// The body.
    pub body: u64,
    /// Header names and values (without separators).
    pub headers: u64,
    /// The raw query string.
    pub query: u64,
}

/// `sizes` as the three nullable columns, in column order.
pub(crate) fn size_columns(sizes: Option<RequestSizes>) -> [Option<i64>; 3] {
    let col = |n: u64| Some(i64::try_from(n).unwrap_or(i64::MAX));
    match sizes {
        Some(s) => [col(s.body), col(s.headers), col(s.query)],
        None => [None, None, None],
    }
}

/// The three size columns, all or nothing.
pub(super) fn from_row(
    row: &impl StoreRow,
    table: &'static str,
) -> Result<Option<RequestSizes>, StoreError> {
    let col = |name: &'static str| -> Result<Option<u64>, StoreError> {
        let n: Option<i64> = codec::get(row, table, name)?;
        n.map(|n| u64::try_from(n).map_err(|e| StoreError::corrupt(table, name, e)))
            .transpose()
    };
    Ok(
        match (
            col("body_bytes")?,
            col("headers_bytes")?,
            col("query_bytes")?,
        ) {
            (Some(body), Some(headers), Some(query)) => Some(RequestSizes {
                body,
                headers,
                query,
            }),
            _ => None,
        },
    )
}

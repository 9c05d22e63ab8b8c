//! Listing the inbox with optional filters, and the small SQL builder behind every query of
//! [`super`] whose conditions vary (SQL text with `$N` placeholders plus its bind values,
//! bound in each backend's arm of `on_conn!`).

use std::fmt::Write as _;

use super::{DeliveryVerdict, ProcessingState, WebhookDelivery, from_row};
use crate::store::{Db, Environment, StoreError, on_conn};

/// A bind value of a [`Sql`].
pub(super) enum Bind {
    Text(String),
    Int(i64),
}

impl From<&str> for Bind {
    fn from(text: &str) -> Bind {
        Bind::Text(text.to_owned())
    }
}

impl From<i64> for Bind {
    fn from(n: i64) -> Bind {
        Bind::Int(n)
    }
}

/// SQL text built piece by piece, each bound value numbered `$1, $2, …` in order: portable
/// where sqlx's `QueryBuilder` is tied to one backend.
pub(super) struct Sql {
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    pub(super) fn new(text: &str) -> Sql {
        Sql {
            text: text.to_owned(),
            binds: Vec::new(),
        }
    }

    pub(super) fn push(&mut self, text: &str) {
        self.text.push_str(text);
    }

    /// Appends the next placeholder and remembers its value.
    pub(super) fn bind(&mut self, value: impl Into<Bind>) {
        self.binds.push(value.into());
        // Writing to a String cannot fail.
        let _ = write!(self.text, "${}", self.binds.len());
    }

    /// The text for `sqlx::query`: safe to run, since it is built from this crate's static
    /// pieces only and every value is bound, never spliced in.
    pub(super) fn text(&self) -> sqlx::AssertSqlSafe<&str> {
        sqlx::AssertSqlSafe(&self.text)
    }

    pub(super) fn binds(&self) -> &[Bind] {
        &self.binds
    }
}

/// `$query` (a `sqlx::query`/`query_scalar` of `$sql`'s text) with `$sql`'s values bound, in
/// whichever backend's arm it is expanded.
macro_rules! bound {
    ($sql:expr, $query:expr) => {{
        let mut query = $query;
        for value in $sql.binds() {
            query = match value {
                $crate::store::deliveries::list::Bind::Text(t) => query.bind(t.as_str()),
                $crate::store::deliveries::list::Bind::Int(n) => query.bind(*n),
            };
        }
        query
    }};
}
pub(super) use bound;

/// Which deliveries [`list`] returns, newest first.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    /// Only this environment.
    pub environment: Option<Environment>,
    /// From the body, when it parsed; as a filter, only this order.
    pub order_id: Option<String>,
    /// Only this verdict.
    pub verdict: Option<DeliveryVerdict>,
    /// Only this processing state.
    pub processing_state: Option<ProcessingState>,
    /// Only deliveries with a smaller id (keyset paging).
    pub before_id: Option<i64>,
    /// Page size; 100 when None.
    pub limit: Option<u32>,
}

/// Deliveries matching `filter`, newest first.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn list<'c>(
    db: impl Db<'c>,
    filter: &DeliveryFilter,
) -> Result<Vec<WebhookDelivery>, StoreError> {
    let context = "list deliveries";
    let mut sql = Sql::new("SELECT * FROM ");
    if filter.order_id.is_some() {
        // The by-order index holds only rows that have left 'pending' (migration 0003: the
        // receiver's inserts do not touch it). Pending rows come through the queue index.
        sql.push("(SELECT * FROM webhook_deliveries WHERE processing_state <> 'pending'");
        push_list_filters(&mut sql, filter);
        sql.push(" UNION ALL SELECT * FROM webhook_deliveries WHERE processing_state = 'pending'");
        push_list_filters(&mut sql, filter);
        // PostgreSQL requires the alias.
        sql.push(") AS d");
    } else {
        sql.push("webhook_deliveries WHERE 1 = 1");
        push_list_filters(&mut sql, filter);
    }
    sql.push(" ORDER BY id DESC LIMIT ");
    sql.bind(i64::from(filter.limit.unwrap_or(100)));
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => bound!(sql, sqlx::query(sql.text()))
        .fetch_all(c)
        .await
        .map_err(StoreError::query(context))?
        .iter()
        .map(from_row)
        .collect())
}

/// `filter`'s conditions, each as ` AND …`.
fn push_list_filters(sql: &mut Sql, filter: &DeliveryFilter) {
    if let Some(env) = filter.environment {
        sql.push(" AND environment = ");
        sql.bind(env.as_str());
    }
    if let Some(order_id) = &filter.order_id {
        sql.push(" AND order_id = ");
        sql.bind(order_id.as_str());
    }
    if let Some(verdict) = filter.verdict {
        sql.push(" AND verdict = ");
        sql.bind(verdict.as_str());
    }
    if let Some(state) = filter.processing_state {
        sql.push(" AND processing_state = ");
        sql.bind(state.as_str());
    }
    if let Some(before) = filter.before_id {
        sql.push(" AND id < ");
        sql.bind(before);
    }
}

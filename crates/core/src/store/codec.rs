//! Encoding of domain values into portable column text, and decoding them back.
//!
//! Every decode failure becomes [`StoreError::CorruptRow`] naming the table and column, so a
//! damaged or foreign row is reported, never a panic. Encoders are the only place the stored
//! text forms are decided.

use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{Decode, Postgres, Row as _, Sqlite, Type};

use super::StoreError;
use crate::environment::Environment;
use crate::money::{Currency, Money};

/// Stored form of a time: RFC 3339 UTC with a fixed nine-digit fraction
/// (`2024-05-31T09:12:40.000000000Z`). Fixed width makes text order equal time order, which
/// range queries and `ORDER BY` rely on; nanoseconds make it round-trip exactly.
pub(crate) fn ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

/// A value both backends decode: text, integers (PostgreSQL's `BIGINT` for every SQLite
/// `INTEGER`), booleans and their `Option`s.
pub(crate) trait Portable:
    for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>
{
}

impl<T> Portable for T where
    T: for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>
{
}

/// A row of either backend.
pub(crate) trait StoreRow {
    /// The column named `column`.
    fn value<T: Portable>(&self, column: &str) -> Result<T, sqlx::Error>;
    /// The nullable TEXT column at `index`, borrowed.
    fn text_at(&self, index: usize) -> Result<Option<&str>, sqlx::Error>;
}

impl StoreRow for SqliteRow {
    fn value<T: Portable>(&self, column: &str) -> Result<T, sqlx::Error> {
        self.try_get(column)
    }
    fn text_at(&self, index: usize) -> Result<Option<&str>, sqlx::Error> {
        self.try_get(index)
    }
}

impl StoreRow for PgRow {
    fn value<T: Portable>(&self, column: &str) -> Result<T, sqlx::Error> {
        self.try_get(column)
    }
    fn text_at(&self, index: usize) -> Result<Option<&str>, sqlx::Error> {
        self.try_get(index)
    }
}

/// Reads a column as its stored type, reporting a type mismatch as a corrupt row.
pub(crate) fn get<T: Portable>(
    row: &impl StoreRow,
    table: &'static str,
    column: &'static str,
) -> Result<T, StoreError> {
    row.value(column)
        .map_err(|e| StoreError::corrupt(table, column, e))
}

/// Borrows a TEXT column by position, without copying: the streaming exports' hot path
/// (a name lookup and an owned `String` per cell would cost more than the CSV writing).
pub(crate) fn text_at<'r>(
    row: &'r impl StoreRow,
    index: usize,
    table: &'static str,
    column: &'static str,
) -> Result<&'r str, StoreError> {
    opt_text_at(row, index, table, column)?
        .ok_or_else(|| StoreError::corrupt(table, column, "NULL where text is required"))
}

/// Borrows a nullable TEXT column by position (see [`text_at`]).
pub(crate) fn opt_text_at<'r>(
    row: &'r impl StoreRow,
    index: usize,
    table: &'static str,
    column: &'static str,
) -> Result<Option<&'r str>, StoreError> {
    row.text_at(index)
        .map_err(|e| StoreError::corrupt(table, column, e))
}

/// Reads a TEXT column and parses it with `FromStr`.
pub(crate) fn parsed<T>(
    row: &impl StoreRow,
    table: &'static str,
    column: &'static str,
) -> Result<T, StoreError>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    let text: String = get(row, table, column)?;
    text.parse()
        .map_err(|e| StoreError::corrupt(table, column, e))
}

/// Reads a nullable TEXT column and parses it when present.
pub(crate) fn parsed_opt<T>(
    row: &impl StoreRow,
    table: &'static str,
    column: &'static str,
) -> Result<Option<T>, StoreError>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    let text: Option<String> = get(row, table, column)?;
    text.map(|t| t.parse().map_err(|e| StoreError::corrupt(table, column, e)))
        .transpose()
}

pub(crate) fn environment(
    row: &impl StoreRow,
    table: &'static str,
) -> Result<Environment, StoreError> {
    parsed(row, table, "environment")
}

pub(crate) fn currency(
    row: &impl StoreRow,
    table: &'static str,
    column: &'static str,
) -> Result<Currency, StoreError> {
    parsed(row, table, column)
}

/// Reads an amount column in `currency`; more decimals than the currency allows is corrupt.
pub(crate) fn money(
    row: &impl StoreRow,
    table: &'static str,
    column: &'static str,
    currency: Currency,
) -> Result<Money, StoreError> {
    let text: String = get(row, table, column)?;
    Money::parse(&text, currency).map_err(|e| StoreError::corrupt(table, column, e))
}

pub(crate) fn money_opt(
    row: &impl StoreRow,
    table: &'static str,
    column: &'static str,
    currency: Currency,
) -> Result<Option<Money>, StoreError> {
    let text: Option<String> = get(row, table, column)?;
    text.map(|t| Money::parse(&t, currency).map_err(|e| StoreError::corrupt(table, column, e)))
        .transpose()
}

pub(crate) fn time(
    row: &impl StoreRow,
    table: &'static str,
    column: &'static str,
) -> Result<DateTime<Utc>, StoreError> {
    let text: String = get(row, table, column)?;
    parse_time(&text).map_err(|e| StoreError::corrupt(table, column, e))
}

pub(crate) fn time_opt(
    row: &impl StoreRow,
    table: &'static str,
    column: &'static str,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let text: Option<String> = get(row, table, column)?;
    text.map(|t| parse_time(&t).map_err(|e| StoreError::corrupt(table, column, e)))
        .transpose()
}

pub(crate) fn parse_time(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc))
}

/// Checks that a money value is in the row's currency before it is written.
pub(crate) fn same_currency(
    what: &'static str,
    value: &Money,
    currency: Currency,
) -> Result<(), StoreError> {
    if value.currency() == currency {
        Ok(())
    } else {
        Err(StoreError::Invalid {
            what,
            detail: format!(
                "{} differs from the row currency {}",
                value.currency(),
                currency
            ),
        })
    }
}

/// Declares a closed set of stored text values: the enum, `as_str`, `Display` and a `FromStr`
/// whose error ([`super::UnknownValue`]) names the bad text.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored text.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text ),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::store::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $( $text => Ok($name::$variant), )+
                    other => Err($crate::store::UnknownValue {
                        what: $what,
                        value: other.to_owned(),
                    }),
                }
            }
        }
    };
}
pub(crate) use text_enum;

// ---------------------------------------------------------------------------------------------
// SQL built at run time, for both backends (the order list's filters, the reconciler's status
// list). sqlx's `QueryBuilder` is generic over one database; this builds the text once with
// `$N` placeholders and binds the same values in each backend's arm of `on_conn!`.

/// A value for one `$N` placeholder of a [`Built`] statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Arg {
    Text(String),
    Int(i64),
}

/// SQL text with `$N` placeholders, and the values for them in order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Built {
    pub(crate) sql: String,
    pub(crate) args: Vec<Arg>,
}

impl Built {
    pub(crate) fn new(sql: &str) -> Built {
        Built {
            sql: sql.to_owned(),
            args: Vec::new(),
        }
    }

    /// Appends SQL text.
    pub(crate) fn push(&mut self, sql: &str) -> &mut Built {
        self.sql.push_str(sql);
        self
    }

    /// Appends the next placeholder (`$N`) and records its value.
    pub(crate) fn bind(&mut self, arg: Arg) -> &mut Built {
        self.args.push(arg);
        self.sql.push('$');
        self.sql.push_str(&self.args.len().to_string());
        self
    }

    /// Appends `$N, $N+1, …` for `values`, comma-separated.
    pub(crate) fn bind_list(&mut self, values: impl IntoIterator<Item = Arg>) -> &mut Built {
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.bind(v);
        }
        self
    }

    /// The text for `sqlx::query` (values are bound, never formatted into it).
    pub(crate) fn text(&self) -> sqlx::AssertSqlSafe<String> {
        sqlx::AssertSqlSafe(self.sql.clone())
    }
}

/// Binds a [`Built`]'s values to a query of either backend, in order (`sqlx::query`,
/// `query_scalar` or `query_as`; expanded per backend inside `on_conn!`).
macro_rules! bind_args {
    ($query:expr, $built:expr) => {{
        let mut q = $query;
        for a in &$built.args {
            q = match a {
                $crate::store::codec::Arg::Text(s) => q.bind(s.as_str()),
                $crate::store::codec::Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }};
}
pub(crate) use bind_args;

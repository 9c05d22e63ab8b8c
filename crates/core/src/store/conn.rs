//! Where store functions run: a connection or transaction of either backend (SQLite for one
//! person's console, PostgreSQL for a team server).
//!
//! Invariants:
//! - A store function takes any [`Db`] and runs its SQL through [`on_conn!`], which expands the
//!   same statement once per backend, so one text serves both. That text uses `$1`-style
//!   placeholders (SQLite reads them as numbered parameters too) and portable SQL; where the
//!   dialects must differ the module says so beside the two texts.
//! - Rows are decoded through [`super::codec`], which takes either backend's row.

use futures::future::BoxFuture;
use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, Postgres, Sqlite, SqliteConnection};

/// Where store functions run: `&Store`, `&mut StoreTx`, or a connection of either backend.
///
/// Deliberately not sqlx's generic `Acquire`: futures holding `<T as Acquire>::Connection`
/// across an `.await` are not provably `Send` for every lifetime (a rustc limitation), which
/// kept store calls out of `tokio::spawn` and axum handlers. [`Db::conn`] hands back one
/// concrete [`DbConn`], so every store future is `Send`.
pub trait Db<'c>: Send + 'c {
    /// A connection for the duration of the call: a pooled one for `&Store`, or a reborrow of
    /// the caller's transaction or connection.
    fn conn(self) -> BoxFuture<'c, Result<DbConn<'c>, sqlx::Error>>;
}

/// A connection lent to a store function by a [`Db`].
pub enum DbConn<'c> {
    /// Taken from a SQLite pool, returned to it on drop.
    SqlitePooled(PoolConnection<Sqlite>),
    /// The caller's own SQLite connection or transaction.
    Sqlite(&'c mut SqliteConnection),
    /// Taken from a PostgreSQL pool, returned to it on drop.
    PostgresPooled(PoolConnection<Postgres>),
    /// The caller's own PostgreSQL connection or transaction.
    Postgres(&'c mut PgConnection),
}

/// One backend's connection, for [`on_conn!`] to match on.
pub enum Conn<'a> {
    /// SQLite.
    Sqlite(&'a mut SqliteConnection),
    /// PostgreSQL.
    Postgres(&'a mut PgConnection),
}

impl DbConn<'_> {
    /// The connection, by backend.
    pub fn backend(&mut self) -> Conn<'_> {
        match self {
            DbConn::SqlitePooled(c) => Conn::Sqlite(c),
            DbConn::Sqlite(c) => Conn::Sqlite(c),
            DbConn::PostgresPooled(c) => Conn::Postgres(c),
            DbConn::Postgres(c) => Conn::Postgres(c),
        }
    }

    /// Whether this is a PostgreSQL connection (for the few statements the dialects spell
    /// differently).
    pub fn is_postgres(&self) -> bool {
        matches!(self, DbConn::PostgresPooled(_) | DbConn::Postgres(_))
    }
}

impl std::fmt::Debug for DbConn<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let backend = if self.is_postgres() {
            "postgres"
        } else {
            "sqlite"
        };
        f.debug_struct("DbConn").field("backend", &backend).finish()
    }
}

/// Runs `$body` with `$c` bound to the backend's own connection (`&mut SqliteConnection` or
/// `&mut PgConnection`): the body is compiled once per backend, so `sqlx::query(..)` in it
/// takes that backend's types.
macro_rules! on_conn {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn.backend() {
            $crate::store::Conn::Sqlite($c) => $body,
            $crate::store::Conn::Postgres($c) => $body,
        }
    };
}
pub(crate) use on_conn;

/// A write transaction over the store. Pass `&mut tx` to store functions; nothing is written
/// until [`StoreTx::commit`], and dropping it rolls back.
///
/// On SQLite it holds the store's in-process write lock for its whole life, so this process's
/// writers queue in order and hand over at once, instead of each discovering SQLite's lock
/// taken and sleeping in SQLite's busy handler (1, 2, 5 … 100 ms steps) — the sleeps that made
/// the receiver's acknowledgements wait behind the processor (docs/benchmarks.md). On
/// PostgreSQL it holds the database's store-wide advisory lock instead (see
/// [`super::Store::begin`]).
pub struct StoreTx {
    pub(super) tx: Tx,
    pub(super) _write: Option<tokio::sync::OwnedMutexGuard<()>>,
}

/// A transaction of one backend.
pub(super) enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl StoreTx {
    /// Commits (durable when this returns: SQLite runs `synchronous = FULL`, PostgreSQL its
    /// write-ahead log).
    ///
    /// # Errors
    /// The database's error; the transaction is then rolled back.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self.tx {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }

    /// The transaction as a connection, for functions that take `&mut DbConn`.
    pub fn as_db(&mut self) -> DbConn<'_> {
        match &mut self.tx {
            Tx::Sqlite(tx) => DbConn::Sqlite(tx),
            Tx::Postgres(tx) => DbConn::Postgres(tx),
        }
    }
}

impl std::fmt::Debug for StoreTx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreTx").finish_non_exhaustive()
    }
}

impl<'c> Db<'c> for &'c mut StoreTx {
    fn conn(self) -> BoxFuture<'c, Result<DbConn<'c>, sqlx::Error>> {
        Box::pin(async move { Ok(self.as_db()) })
    }
}

impl<'c> Db<'c> for &'c mut SqliteConnection {
    fn conn(self) -> BoxFuture<'c, Result<DbConn<'c>, sqlx::Error>> {
        Box::pin(async move { Ok(DbConn::Sqlite(self)) })
    }
}

impl<'c> Db<'c> for &'c mut PgConnection {
    fn conn(self) -> BoxFuture<'c, Result<DbConn<'c>, sqlx::Error>> {
        Box::pin(async move { Ok(DbConn::Postgres(self)) })
    }
}

impl<'c> Db<'c> for &'c mut DbConn<'_> {
    fn conn(self) -> BoxFuture<'c, Result<DbConn<'c>, sqlx::Error>> {
        Box::pin(async move {
            Ok(match self.backend() {
                Conn::Sqlite(c) => DbConn::Sqlite(c),
                Conn::Postgres(c) => DbConn::Postgres(c),
            })
        })
    }
}

/// The key of the PostgreSQL advisory lock every write transaction takes (see
/// [`super::Store::begin`]); any fixed number no other program on the database uses.
pub(crate) const WRITE_LOCK_KEY: i64 = 0x4d49_5a41_4e00_0001;

/// A write transaction of either backend on a borrowed connection, from [`begin_write_on`].
pub(crate) enum WriteTx<'a> {
    Sqlite(sqlx::Transaction<'a, Sqlite>),
    Postgres(sqlx::Transaction<'a, Postgres>),
}

impl WriteTx<'_> {
    /// The transaction's connection, by backend.
    pub(crate) fn backend(&mut self) -> Conn<'_> {
        match self {
            WriteTx::Sqlite(tx) => Conn::Sqlite(tx),
            WriteTx::Postgres(tx) => Conn::Postgres(tx),
        }
    }

    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            WriteTx::Sqlite(tx) => tx.commit().await,
            WriteTx::Postgres(tx) => tx.commit().await,
        }
    }
}

/// A write transaction on `conn`: inside the caller's transaction a savepoint; otherwise
/// SQLite's `BEGIN IMMEDIATE` (see [`super::Store::begin`] for why), or on PostgreSQL `BEGIN`
/// plus the store-wide write lock.
pub(crate) async fn begin_write_on<'a>(
    conn: &'a mut DbConn<'_>,
) -> Result<WriteTx<'a>, sqlx::Error> {
    use sqlx::Connection as _;
    match conn.backend() {
        Conn::Sqlite(c) if c.is_in_transaction() => Ok(WriteTx::Sqlite(c.begin().await?)),
        Conn::Sqlite(c) => Ok(WriteTx::Sqlite(c.begin_with("BEGIN IMMEDIATE").await?)),
        Conn::Postgres(c) => {
            let nested = c.is_in_transaction();
            let mut tx = c.begin().await?;
            if !nested {
                lock_writes(&mut tx).await?;
            }
            Ok(WriteTx::Postgres(tx))
        }
    }
}

/// Takes the store-wide write lock for the rest of the PostgreSQL transaction on `conn`.
pub(crate) async fn lock_writes(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(WRITE_LOCK_KEY)
        .execute(conn)
        .await?;
    Ok(())
}

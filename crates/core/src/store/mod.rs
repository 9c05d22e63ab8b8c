//! The console's SQLite store: one file, opened once, shared by every part of the core.
//!
//! Owns the connection pool, the embedded migrations (`crates/core/migrations/`) and one module
//! per table or aggregate. Nothing outside `store` writes SQL, and the UI never sends any.
//!
//! Invariants:
//! - Every row names its [`Environment`]; every key that identifies a gateway object includes
//!   it, and every query filters on it. Sandbox and production data never mix.
//! - Money is stored as exact decimal text at the currency's precision plus a currency code,
//!   never as a float. Times are RFC 3339 UTC text with a fixed nine-digit fraction, so text
//!   order is time order and values round-trip exactly.
//! - The file runs in WAL mode with `synchronous = FULL`: when a write returns, it survives a
//!   crash or power loss. The webhook inbox relies on that before it answers 200.
//! - A row that no longer decodes (bad amount, unknown status) is a
//!   [`StoreError::CorruptRow`] naming the table and column, never a panic.
//! - Queries are runtime-checked (`sqlx::query`), each exercised by a test against a real file,
//!   and avoid SQLite-only functions so the store can move to PostgreSQL. One exception: the
//!   webhook inbox's writer ([`inbox`]) runs its INSERT through rusqlite on a thread of its
//!   own, because the receiver's acknowledgement waits on it (the module says why).
//!
//! Functions take any [`Db`]: `&Store` for a single call, or `&mut` a [`StoreTx`] from
//! [`Store::begin`] to make several calls atomic (claim an event, update the order, write the
//! ledger, then commit).

pub mod audit;
pub mod audit_checkpoints;
mod codec;
pub mod deliveries;
pub mod delivery_retention;
pub mod delivery_stats;
pub mod desktop;
pub mod disputes;
mod error;
pub mod events;
pub mod evidence;
pub mod inbox;
pub mod items;
pub mod ledger;
pub mod order_list;
pub mod orders;
pub mod payouts;
pub mod registrations;
mod request_sizes;
pub mod seed;
pub mod settings;
pub mod statements;
pub mod watch;

use std::path::Path;
use std::time::Duration;

use futures::future::BoxFuture;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions as _, Sqlite, SqliteConnection, SqlitePool};

pub use crate::environment::Environment;
pub use deliveries::mask_secret;
pub use error::{StoreError, UnknownValue};

/// How long a writer waits for another connection's lock before failing with "busy".
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// SQLite allows one writer at a time; a few connections let readers (the UI's order list,
/// an export) proceed while the webhook processor writes.
const MAX_CONNECTIONS: u32 = 4;
/// Rows buffered between SQLite's thread and a streaming reader.
const STREAM_ROW_BUFFER: usize = 50;

/// A write transaction over the store. Pass `&mut tx` to store functions; nothing is written
/// until [`StoreTx::commit`], and dropping it rolls back.
///
/// It holds the store's in-process write lock for its whole life, so this process's writers
/// queue in order and hand over at once, instead of each discovering SQLite's lock taken and
/// sleeping in SQLite's busy handler (1, 2, 5 … 100 ms steps) — the sleeps that made the
/// receiver's acknowledgements wait tens of milliseconds behind the processor.
pub struct StoreTx {
    tx: sqlx::Transaction<'static, Sqlite>,
    _write: tokio::sync::OwnedMutexGuard<()>,
}

impl StoreTx {
    /// Commits (with `synchronous = FULL`, durable when this returns).
    ///
    /// # Errors
    /// The database's error; the transaction is then rolled back.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl std::ops::Deref for StoreTx {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for StoreTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }
}

impl std::fmt::Debug for StoreTx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreTx").finish_non_exhaustive()
    }
}

/// Where store functions run: `&Store`, `&mut StoreTx`, or a raw `&mut SqliteConnection`.
///
/// Deliberately not sqlx's generic `Acquire`: futures holding `<T as Acquire>::Connection`
/// across an `.await` are not provably `Send` for every lifetime (a rustc limitation), which
/// kept store calls out of `tokio::spawn` and axum handlers. [`Db::conn`] hands back one
/// concrete [`DbConn`], so every store future is `Send`.
pub trait Db<'c>: Send {
    /// A connection for the duration of the call: a pooled one for `&Store`, or a reborrow of
    /// the caller's transaction or connection.
    fn conn(self) -> BoxFuture<'c, Result<DbConn<'c>, sqlx::Error>>;
}

/// Runs the query `qb` built on one connection of `db` and returns its rows; `context` names
/// the work in both errors (getting the connection, running the query).
pub(crate) async fn fetch_built<'c>(
    db: impl Db<'c>,
    qb: &mut sqlx::QueryBuilder<Sqlite>,
    context: &'static str,
) -> Result<Vec<sqlx::sqlite::SqliteRow>, StoreError> {
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    qb.build()
        .fetch_all(&mut *conn)
        .await
        .map_err(StoreError::query(context))
}

/// Starts a write transaction on `conn`: `BEGIN IMMEDIATE` on a connection outside any
/// transaction (see [`Store::begin`] for why), else a savepoint inside the caller's.
pub(crate) async fn begin_write(
    conn: &mut SqliteConnection,
) -> Result<sqlx::Transaction<'_, Sqlite>, sqlx::Error> {
    use sqlx::Connection as _;
    if conn.is_in_transaction() {
        conn.begin().await
    } else {
        conn.begin_with("BEGIN IMMEDIATE").await
    }
}

/// A connection lent to a store function by a [`Db`]; derefs to [`SqliteConnection`].
pub enum DbConn<'c> {
    /// Taken from the pool, returned to it on drop.
    Pooled(PoolConnection<Sqlite>),
    /// The caller's own connection or transaction.
    Borrowed(&'c mut SqliteConnection),
}

impl std::ops::Deref for DbConn<'_> {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        match self {
            DbConn::Pooled(conn) => conn,
            DbConn::Borrowed(conn) => conn,
        }
    }
}

impl std::ops::DerefMut for DbConn<'_> {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        match self {
            DbConn::Pooled(conn) => conn,
            DbConn::Borrowed(conn) => conn,
        }
    }
}

impl<'c> Db<'c> for &'c Store {
    fn conn(self) -> BoxFuture<'c, Result<DbConn<'c>, sqlx::Error>> {
        Box::pin(async move { self.pool.acquire().await.map(DbConn::Pooled) })
    }
}

impl<'c> Db<'c> for &'c mut StoreTx {
    fn conn(self) -> BoxFuture<'c, Result<DbConn<'c>, sqlx::Error>> {
        Box::pin(async move { Ok(DbConn::Borrowed(self)) })
    }
}

impl<'c> Db<'c> for &'c mut SqliteConnection {
    fn conn(self) -> BoxFuture<'c, Result<DbConn<'c>, sqlx::Error>> {
        Box::pin(async move { Ok(DbConn::Borrowed(self)) })
    }
}

impl<'c> Db<'c> for &'c mut DbConn<'_> {
    fn conn(self) -> BoxFuture<'c, Result<DbConn<'c>, sqlx::Error>> {
        Box::pin(async move { Ok(DbConn::Borrowed(self)) })
    }
}

/// The open store: a cheap-to-clone handle on the SQLite pool.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    /// Serialises this process's write transactions ([`StoreTx`]).
    write: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// How the pooled connections are set up beyond the fixed pragmas of [`Store::open`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreOptions {
    /// SQLite's page cache per pooled connection, in KiB (`PRAGMA cache_size = -N`); `None`
    /// keeps SQLite's default of 2,000 KiB. Each connection fills its cache as it reads, so
    /// a process that keeps the pool open holds up to this much per connection.
    pub page_cache_kib: Option<u32>,
}

impl Store {
    /// Opens (creating if missing) the SQLite file at `path` and applies pending migrations.
    ///
    /// Every connection is set to WAL, `synchronous = FULL`, `foreign_keys = ON` and a 5 s busy
    /// timeout.
    ///
    /// # Errors
    /// [`StoreError::Open`] if the file cannot be opened or created;
    /// [`StoreError::Migrate`] if a migration fails or an applied one was edited.
    pub async fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with(path, StoreOptions::default()).await
    }

    /// [`Store::open`] with `options` applied to every pooled connection.
    ///
    /// # Errors
    /// As [`Store::open`].
    pub async fn open_with(path: &Path, options: StoreOptions) -> Result<Store, StoreError> {
        make_private(path).map_err(|e| StoreError::Open {
            path: path.display().to_string(),
            source: sqlx::Error::Io(e),
        })?;
        let mut connect = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        if let Some(kib) = options.page_cache_kib {
            connect = connect.pragma("cache_size", format!("-{kib}"));
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(connect)
            .await
            .map_err(|source| StoreError::Open {
                path: path.display().to_string(),
                source,
            })?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(StoreError::Migrate)?;
        let store = Store {
            pool,
            write: std::sync::Arc::new(tokio::sync::Mutex::new(())),
        };
        orders::backfill_phone_keys(&store).await?;
        Ok(store)
    }

    /// The underlying pool, for code that needs sqlx directly (tests, diagnostics).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Starts a transaction. Dropping it without `commit` rolls back.
    ///
    /// # Errors
    /// [`StoreError::Query`] if no connection is available or `BEGIN` fails.
    ///
    /// `BEGIN IMMEDIATE`: the transaction takes SQLite's write lock up front (waiting up to the
    /// busy timeout for it). A deferred transaction that reads and then writes cannot wait: if
    /// another connection wrote in between it fails at once with "database is locked", which
    /// is exactly what a money move racing the webhook processor would hit.
    pub async fn begin(&self) -> Result<StoreTx, StoreError> {
        let write = self.write.clone().lock_owned().await;
        let tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(StoreError::query("begin transaction"))?;
        Ok(StoreTx { tx, _write: write })
    }

    /// A second handle on the same file for one long streaming read (an export): one
    /// connection of its own, so the read never holds a connection of the shared pool, with a
    /// deep row buffer between SQLite's thread and the reader (fewer thread hand-offs per row)
    /// and without sqlx's slow-statement warning, which every long stream would trip.
    ///
    /// # Errors
    /// [`StoreError::Query`] if the connection cannot be opened.
    pub async fn streaming_reader(&self) -> Result<Store, StoreError> {
        let options = (*self.pool.connect_options())
            .clone()
            .row_buffer_size(STREAM_ROW_BUFFER)
            .disable_statement_logging();
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .map_err(StoreError::query("open streaming reader"))?;
        Ok(Store {
            pool,
            write: self.write.clone(),
        })
    }

    /// Copies what the WAL holds into the database file, as far as readers allow, without
    /// blocking writers (`wal_checkpoint(PASSIVE)`; it takes no write lock, in SQLite or here).
    ///
    /// # Errors
    /// [`StoreError::Query`] if the statement fails.
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&self.pool)
            .await
            .map_err(StoreError::query("checkpoint"))?;
        Ok(())
    }

    /// Waits for open connections to finish and closes the pool (and with it the file).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Makes the database file readable by the user alone on Unix (0600), creating it empty if it
/// does not exist yet (SQLite takes an empty file as a new database, and gives its `-wal` and
/// `-shm` files the same permissions). A file made before this rule is tightened too.
///
/// An existing file is never opened here, only `chmod`ed: closing any descriptor of a file
/// drops every POSIX lock this process holds on it, SQLite's included.
fn make_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        let created = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path);
        match created {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
            }
            Err(e) => return Err(e),
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

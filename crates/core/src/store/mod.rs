//! The console's store: one SQLite file for one person's console, or one PostgreSQL database
//! for a team server (`mizan serve --database postgres://…`), shared by every part of the core.
//!
//! Owns the connection pool, the embedded migrations (`crates/core/migrations/` for SQLite,
//! `crates/core/migrations_pg/` for PostgreSQL: the same tables and columns) and one module per
//! table or aggregate. Nothing outside `store` writes SQL, and the UI never sends any.
//!
//! Invariants:
//! - Every row names its [`Environment`]; every key that identifies a gateway object includes
//!   it, and every query filters on it. Sandbox and production data never mix.
//! - Money is stored as exact decimal text at the currency's precision plus a currency code,
//!   never as a float. Times are RFC 3339 UTC text with a fixed nine-digit fraction, so text
//!   order is time order and values round-trip exactly — on both backends.
//! - SQLite runs in WAL mode with `synchronous = FULL`: when a write returns, it survives a
//!   crash or power loss. The webhook inbox relies on that before it answers 200.
//! - A row that no longer decodes (bad amount, unknown status) is a
//!   [`StoreError::CorruptRow`] naming the table and column, never a panic.
//! - Queries are runtime-checked (`sqlx::query`), each exercised by a test against a real
//!   database, one text for both backends ([`conn`] says how). Modules not yet moved onto
//!   PostgreSQL refuse there with an error rather than run SQLite's SQL. One exception: the
//!   webhook inbox's writer ([`inbox`]) runs its INSERT through rusqlite on a thread of its
//!   own, because the receiver's acknowledgement waits on it (the module says why).
//!
//! Functions take any [`Db`]: `&Store` for a single call, or `&mut` a [`StoreTx`] from
//! [`Store::begin`] to make several calls atomic (claim an event, update the order, write the
//! ledger, then commit).

pub mod approvals;
pub mod audit;
pub mod audit_checkpoints;
mod codec;
mod conn;
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
pub mod locks;
pub mod notify;
pub mod order_list;
pub mod orders;
pub mod payouts;
pub mod registrations;
mod request_sizes;
pub mod seed;
pub mod settings;
pub mod statements;
pub mod team;
pub mod watch;

use std::path::Path;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions as _, SqlitePool};

pub use crate::environment::Environment;
pub use conn::{Conn, Db, DbConn, StoreTx};
pub(crate) use conn::{begin_write_on, on_conn};
pub use deliveries::mask_secret;
pub use error::{StoreError, UnknownValue};

/// How long a writer waits for another connection's lock before failing with "busy".
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// SQLite allows one writer at a time; a few connections let readers (the UI's order list,
/// an export) proceed while the webhook processor writes.
const MAX_CONNECTIONS: u32 = 4;
/// A team server's connections to PostgreSQL: readers for every console, writers queued on the
/// write lock.
const MAX_POSTGRES_CONNECTIONS: u32 = 16;
/// Rows buffered between SQLite's thread and a streaming reader.
const STREAM_ROW_BUFFER: usize = 50;

impl<'c> Db<'c> for &'c Store {
    fn conn(self) -> futures::future::BoxFuture<'c, Result<DbConn<'c>, sqlx::Error>> {
        Box::pin(async move {
            match &self.pool {
                Pool::Sqlite(p) => p.acquire().await.map(DbConn::SqlitePooled),
                Pool::Postgres(p) => p.acquire().await.map(DbConn::PostgresPooled),
            }
        })
    }
}

/// Runs `$body` with `$p` bound to the store's own pool (`&SqlitePool` or `&PgPool`), compiled
/// once per backend like [`on_conn!`].
macro_rules! on_pool {
    ($store:expr, $p:ident => $body:expr) => {
        match $store.backend_pool() {
            $crate::store::BackendPool::Sqlite($p) => $body,
            $crate::store::BackendPool::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_pool;

/// A store's pool, by backend, for [`on_pool!`].
pub(crate) enum BackendPool<'a> {
    Sqlite(&'a SqlitePool),
    Postgres(&'a PgPool),
}

/// The backend's pool.
#[derive(Debug, Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The open store: a cheap-to-clone handle on the pool, SQLite's or PostgreSQL's.
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
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
            pool: Pool::Sqlite(pool),
            write: std::sync::Arc::new(tokio::sync::Mutex::new(())),
        };
        orders::backfill_phone_keys(&store).await?;
        Ok(store)
    }

    /// Connects to the PostgreSQL database at `url` (`postgres://…`) and applies its pending
    /// migrations (`crates/core/migrations_pg/`, the same schema in PostgreSQL's types).
    ///
    /// # Errors
    /// [`StoreError::Open`] (naming the host and database, never the password);
    /// [`StoreError::Migrate`].
    pub async fn connect_postgres(url: &str) -> Result<Store, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(MAX_POSTGRES_CONNECTIONS)
            .connect(url)
            .await
            .map_err(|source| StoreError::Open {
                path: redact_url(url),
                source,
            })?;
        sqlx::migrate!("./migrations_pg")
            .run(&pool)
            .await
            .map_err(StoreError::Migrate)?;
        Ok(Store {
            pool: Pool::Postgres(pool),
            write: std::sync::Arc::new(tokio::sync::Mutex::new(())),
        })
    }

    /// The pool, by backend, for [`on_pool!`].
    pub(crate) fn backend_pool(&self) -> BackendPool<'_> {
        match &self.pool {
            Pool::Sqlite(p) => BackendPool::Sqlite(p),
            Pool::Postgres(p) => BackendPool::Postgres(p),
        }
    }

    /// Whether the store is on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self.pool, Pool::Postgres(_))
    }

    /// The SQLite pool, for code that needs sqlx directly (tests, diagnostics, the parts of the
    /// store still on SQLite only); `None` on PostgreSQL.
    pub fn sqlite_pool(&self) -> Option<&SqlitePool> {
        match &self.pool {
            Pool::Sqlite(p) => Some(p),
            Pool::Postgres(_) => None,
        }
    }

    /// The PostgreSQL pool, for code that needs sqlx directly (tests, diagnostics); `None` on
    /// SQLite.
    pub fn postgres_pool(&self) -> Option<&PgPool> {
        match &self.pool {
            Pool::Postgres(p) => Some(p),
            Pool::Sqlite(_) => None,
        }
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
    ///
    /// On PostgreSQL the transaction takes a store-wide advisory lock
    /// (`pg_advisory_xact_lock`), held until it ends: writers queue exactly as on SQLite, across
    /// every server instance on the database, so a read-then-write (is this event claimed? what
    /// is captured?) cannot interleave with another's.
    pub async fn begin(&self) -> Result<StoreTx, StoreError> {
        match &self.pool {
            Pool::Sqlite(pool) => {
                let write = self.write.clone().lock_owned().await;
                let tx = pool
                    .begin_with("BEGIN IMMEDIATE")
                    .await
                    .map_err(StoreError::query("begin transaction"))?;
                Ok(StoreTx {
                    tx: conn::Tx::Sqlite(tx),
                    _write: Some(write),
                })
            }
            Pool::Postgres(pool) => {
                let mut tx = pool
                    .begin()
                    .await
                    .map_err(StoreError::query("begin transaction"))?;
                conn::lock_writes(&mut tx)
                    .await
                    .map_err(StoreError::query("begin transaction"))?;
                Ok(StoreTx {
                    tx: conn::Tx::Postgres(tx),
                    _write: None,
                })
            }
        }
    }

    /// A second handle on the same file for one long streaming read (an export): one
    /// connection of its own, so the read never holds a connection of the shared pool, with a
    /// deep row buffer between SQLite's thread and the reader (fewer thread hand-offs per row)
    /// and without sqlx's slow-statement warning, which every long stream would trip.
    ///
    /// # Errors
    /// [`StoreError::Query`] if the connection cannot be opened.
    pub async fn streaming_reader(&self) -> Result<Store, StoreError> {
        let Pool::Sqlite(sqlite) = &self.pool else {
            // PostgreSQL streams rows off the server as they are read; no second pool needed.
            return Ok(self.clone());
        };
        let options = (*sqlite.connect_options())
            .clone()
            .row_buffer_size(STREAM_ROW_BUFFER)
            .disable_statement_logging();
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .map_err(StoreError::query("open streaming reader"))?;
        Ok(Store {
            pool: Pool::Sqlite(pool),
            write: self.write.clone(),
        })
    }

    /// Copies what the WAL holds into the database file, as far as readers allow, without
    /// blocking writers (`wal_checkpoint(PASSIVE)`; it takes no write lock, in SQLite or here).
    ///
    /// # Errors
    /// [`StoreError::Query`] if the statement fails.
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        let Pool::Sqlite(pool) = &self.pool else {
            return Ok(());
        };
        sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(pool)
            .await
            .map_err(StoreError::query("checkpoint"))?;
        Ok(())
    }

    /// Whether [`Store::close`] has run.
    pub fn is_closed(&self) -> bool {
        match &self.pool {
            Pool::Sqlite(p) => p.is_closed(),
            Pool::Postgres(p) => p.is_closed(),
        }
    }

    /// Waits for open connections to finish and closes the pool (and with it the file).
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }
}

/// Makes the database file readable by the user alone on Unix (0600), creating it empty if it
/// does not exist yet (SQLite takes an empty file as a new database, and gives its `-wal` and
/// `-shm` files the same permissions). A file made before this rule is tightened too.
///
/// An existing file is never opened here, only `chmod`ed: closing any descriptor of a file
/// drops every POSIX lock this process holds on it, SQLite's included.
/// `url` without its password, for errors and logs.
fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                // Cannot fail for a URL that has a password (it has a host).
                let _ = parsed.set_password(Some("***"));
            }
            parsed.to_string()
        }
        Err(_) => "(an unparsable PostgreSQL URL)".to_owned(),
    }
}

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

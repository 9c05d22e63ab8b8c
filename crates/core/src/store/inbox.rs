//! The webhook inbox's writer: one SQLite connection on a thread of its own, committing the
//! deliveries that arrive together in one transaction (group commit). On PostgreSQL the same
//! API writes through the store's pool from a Tokio task, grouping likewise ([`postgres`]);
//! what follows is the SQLite path.
//!
//! Why a thread and rusqlite rather than the sqlx pool: the receiver answers only after its
//! row is durable, so this path is the receiver's cost. Through sqlx every statement is a
//! round trip to sqlx's SQLite worker thread (BEGIN, INSERT, COMMIT: three thread wake-ups per
//! group), and the multi-row `INSERT … RETURNING` a group needed wrote a statement journal that
//! spilled to a temporary file above 64 KiB. Here a group is one `BEGIN IMMEDIATE`, one cached
//! single-row INSERT per delivery (no statement journal) and one COMMIT, on the thread that
//! collected the group. `bash scripts/bench-webhooks` measures it.
//!
//! Invariants:
//! - [`InboxWriter::insert`] returns a delivery's id only after the COMMIT holding its row has
//!   returned (WAL, `synchronous = FULL`: the row survives a crash or power loss).
//! - One bad row never refuses its neighbours: when a group fails, each of its rows is tried
//!   again in a transaction of its own and answered on its own.
//! - A transaction holds the store's in-process write lock, like every [`super::StoreTx`], so
//!   it hands over to the processor's writes without SQLite's busy sleeps.
//! - Once the console's store is closed (shutdown), the inbox refuses with
//!   [`StoreError::Closed`]: nothing is acknowledged that the console can no longer see.
//! - The connection's own commits never checkpoint (that would make the requests of the
//!   commit wait for it); a task beside it runs a passive checkpoint on the console's pool at
//!   most every [`CHECKPOINT_EVERY`] after writes, and the writer itself checkpoints between
//!   groups once the log reaches [`RESTART_LOG_AT`] frames, so that the log starts over
//!   instead of growing through a storm. Without a Tokio runtime to run that task, the
//!   connection keeps SQLite's automatic checkpoints instead. Either way the WAL is bounded.
//! - This is the one place SQL runs outside sqlx; its INSERT has the very columns
//!   [`super::deliveries::insert`] writes (one column list for both), and the tests read its
//!   rows back through sqlx.

use std::cell::Cell;
use std::ffi::c_int;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Weak};
use std::time::Duration;

use rusqlite::hooks::Wal;
use rusqlite::{Connection, OpenFlags, TransactionBehavior, params};
use tokio::sync::oneshot;

use super::codec::ts;
use super::deliveries::{INSERT, NewDelivery, initial_state, size_columns};
use super::{BUSY_TIMEOUT, Store, StoreError};

mod postgres;

/// Most deliveries one transaction carries.
const MAX_GROUP: usize = 256;

/// How often the inbox's writes are checkpointed into the database file.
pub const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// Frames in the WAL at which the writer checkpoints on its own thread, so that SQLite starts
/// the log over instead of appending to it (see [`restart_log`]).
pub const RESTART_LOG_AT: c_int = 1000;

thread_local! {
    /// Frames in the WAL after this thread's last commit (set by SQLite's WAL hook).
    static WAL_FRAMES: Cell<c_int> = const { Cell::new(0) };
}

/// What refuses when the console has shut down.
const WHAT: &str = "the webhook inbox";

/// A delivery waiting for the writer, with the channel its request waits on.
type Queued = (NewDelivery, oneshot::Sender<Result<i64, StoreError>>);

/// What the writer thread tells the checkpoint task.
#[derive(Default)]
struct Shared {
    /// Set by each commit, cleared by each checkpoint.
    wrote: AtomicBool,
}

/// A handle on the inbox's writer thread (SQLite) or task (PostgreSQL). Cheap to clone; the
/// thread (and its connection) or task ends when the last handle is dropped.
#[derive(Clone)]
pub struct InboxWriter {
    queue: Queue,
}

/// Where [`InboxWriter::insert`] queues a delivery, by backend.
#[derive(Clone)]
enum Queue {
    /// The SQLite writer thread.
    Sqlite(mpsc::Sender<Queued>),
    /// The PostgreSQL writer task.
    Postgres(tokio::sync::mpsc::UnboundedSender<Queued>),
}

impl std::fmt::Debug for InboxWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InboxWriter").finish_non_exhaustive()
    }
}

impl InboxWriter {
    /// Opens the writer's own connection to `store`'s file and starts its thread (and, inside
    /// a Tokio runtime, the checkpoint task). On PostgreSQL, starts the writer task on the
    /// current Tokio runtime instead (no checkpoints: the server keeps its own log).
    ///
    /// # Errors
    /// [`StoreError::Inbox`] if the connection cannot be opened or set up, or on PostgreSQL
    /// outside a Tokio runtime (the caller can fall back to [`super::deliveries::insert`] on
    /// the pool: slower, never wrong).
    pub fn start(store: &Store) -> Result<InboxWriter, StoreError> {
        let Some(pool) = store.sqlite_pool() else {
            return Ok(InboxWriter {
                queue: Queue::Postgres(postgres::start(store)?),
            });
        };
        let runtime = tokio::runtime::Handle::try_current().ok();
        let conn = open(pool, runtime.is_some())?;
        let shared = Arc::new(Shared::default());
        let (queue, received) = mpsc::channel();
        let console = store.clone();
        let writer = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("mizan-inbox".to_owned())
            .spawn(move || write_groups(conn, &console, &writer, &received))
            .map_err(|e| StoreError::Inbox {
                context: "start the inbox thread",
                source: Box::new(e),
            })?;
        if let Some(runtime) = runtime {
            runtime.spawn(checkpoints(store.clone(), Arc::downgrade(&shared)));
        }
        Ok(InboxWriter {
            queue: Queue::Sqlite(queue),
        })
    }

    /// Stores `delivery`; returns its id once the transaction holding it has committed.
    ///
    /// # Errors
    /// [`StoreError::Inbox`] if the row could not be written; [`StoreError::Closed`] once
    /// the console's store is closed. The receiver must then not answer 200.
    pub async fn insert(&self, delivery: NewDelivery) -> Result<i64, StoreError> {
        let (reply, answer) = oneshot::channel();
        let closed = || StoreError::Closed { what: WHAT };
        match &self.queue {
            Queue::Sqlite(queue) => queue.send((delivery, reply)).map_err(|_| closed())?,
            Queue::Postgres(queue) => queue.send((delivery, reply)).map_err(|_| closed())?,
        }
        answer.await.map_err(|_| closed())?
    }
}

/// The writer's connection: the store's file and pragmas, plus no automatic checkpoints when
/// `checkpointed` (the checkpoint task does them).
fn open(pool: &sqlx::SqlitePool, checkpointed: bool) -> Result<Connection, StoreError> {
    let path = pool.connect_options().get_filename().to_owned();
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(&path, flags).map_err(StoreError::inbox("open"))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(StoreError::inbox("set busy timeout"))?;
    let autocheckpoint = if checkpointed { 0 } else { 1000 };
    conn.execute_batch(&format!(
        "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;
         PRAGMA wal_autocheckpoint = {autocheckpoint};"
    ))
    .map_err(StoreError::inbox("set pragmas"))?;
    // The pool put the file in WAL mode; a writer in another journal mode would make each
    // commit rewrite the file instead of appending to the log.
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .map_err(StoreError::inbox("read journal mode"))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Inbox {
            context: "journal mode",
            source: format!("the file is in {mode} mode, not wal").into(),
        });
    }
    if checkpointed {
        conn.wal_hook(Some(note_wal_frames));
    }
    // Prepared once here so a broken schema fails at start, not on the first delivery.
    conn.prepare_cached(INSERT)
        .map_err(StoreError::inbox("prepare insert"))?;
    Ok(conn)
}

/// The thread: takes whatever queued up while the previous commit ran, commits it, answers
/// each request. Ends when every [`InboxWriter`] is dropped.
fn write_groups(
    mut conn: Connection,
    console: &Store,
    shared: &Shared,
    queue: &mpsc::Receiver<Queued>,
) {
    let mut group: Vec<Queued> = Vec::with_capacity(MAX_GROUP);
    while let Ok(first) = queue.recv() {
        group.push(first);
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(queued) => group.push(queued),
                Err(_) => break,
            }
        }
        if console.is_closed() {
            for (_, reply) in group.drain(..) {
                let _ = reply.send(Err(StoreError::Closed { what: WHAT }));
            }
            continue;
        }
        let rows: Vec<&NewDelivery> = group.iter().map(|(d, _)| d).collect();
        let committed = commit(&mut conn, console, &rows);
        drop(rows);
        match committed {
            Ok(ids) => {
                for ((_, reply), id) in group.drain(..).zip(ids) {
                    let _ = reply.send(Ok(id));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, rows = group.len(), "inbox group not stored; storing one by one");
                for (delivery, reply) in group.drain(..) {
                    let one = commit(&mut conn, console, &[&delivery])
                        .map(|ids| ids.first().copied().unwrap_or_default());
                    let _ = reply.send(one);
                }
            }
        }
        shared.wrote.store(true, Ordering::Release);
        restart_log(&conn, console);
    }
}

/// SQLite's WAL hook: remembers how many frames the log holds after a commit.
#[allow(clippy::unnecessary_wraps)] // the hook's signature
fn note_wal_frames(_wal: &Wal, frames: c_int) -> rusqlite::Result<()> {
    WAL_FRAMES.set(frames);
    Ok(())
}

/// Once the log holds [`RESTART_LOG_AT`] frames, checkpoints it from this thread, between
/// groups. Why here and not only in the checkpoint task: SQLite starts the log over (writes
/// from its beginning again) only when a write begins with every frame already in the
/// database file, which never happens while deliveries keep arriving and another connection
/// checkpoints behind them. The log then grows for as long as the storm lasts, and every
/// commit that extends the file must sync the file's size too (one more write to the disk per
/// commit). Checkpointing here, under the store's write lock, copies the frames the task has
/// not copied yet; the next commit then starts the log over and overwrites it in place.
/// The groups committed before are answered already; only the requests queued meanwhile wait.
fn restart_log(conn: &Connection, console: &Store) {
    if WAL_FRAMES.get() < RESTART_LOG_AT {
        return;
    }
    WAL_FRAMES.set(0);
    let _write = console.write.blocking_lock();
    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
        tracing::warn!(error = %e, "inbox checkpoint failed; the log grows until the next one");
    }
}

/// Inserts `rows` in one transaction under the store's write lock; their ids in order.
fn commit(
    conn: &mut Connection,
    console: &Store,
    rows: &[&NewDelivery],
) -> Result<Vec<i64>, StoreError> {
    let _write = console.write.blocking_lock();
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(StoreError::inbox("begin deliveries"))?;
    let mut ids = Vec::with_capacity(rows.len());
    {
        let mut insert = tx
            .prepare_cached(INSERT)
            .map_err(StoreError::inbox("prepare insert"))?;
        for d in rows {
            let [body_bytes, headers_bytes, query_bytes] = size_columns(d.sizes);
            insert
                .execute(params![
                    d.environment.as_str(),
                    ts(d.received_at),
                    d.method,
                    d.path,
                    d.query,
                    d.headers_json,
                    d.body,
                    d.verdict.as_str(),
                    d.reason,
                    i64::from(d.http_status),
                    d.order_id,
                    d.event_type,
                    initial_state(d.verdict).as_str(),
                    d.sender,
                    body_bytes,
                    headers_bytes,
                    query_bytes,
                ])
                .map_err(StoreError::inbox("insert delivery"))?;
            ids.push(tx.last_insert_rowid());
        }
    }
    // Dropping `tx` on an error above rolls back.
    tx.commit()
        .map_err(StoreError::inbox("commit deliveries"))?;
    Ok(ids)
}

/// Copies the inbox's writes from the WAL into the database file, on a connection of the
/// console's pool so no acknowledgement waits for it; passive, so it blocks no writer. Ends
/// with the writer thread or when the console closes.
async fn checkpoints(console: Store, writer: Weak<Shared>) {
    loop {
        tokio::time::sleep(CHECKPOINT_EVERY).await;
        let Some(shared) = writer.upgrade() else {
            return;
        };
        if console.is_closed() {
            return;
        }
        if shared.wrote.swap(false, Ordering::AcqRel)
            && let Err(e) = console.checkpoint().await
        {
            tracing::warn!(error = %e, "inbox checkpoint failed; the next one retries");
        }
    }
}

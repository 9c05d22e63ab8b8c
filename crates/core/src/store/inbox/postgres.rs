//! The inbox's writer on PostgreSQL: a Tokio task inserting through the store's pool, the
//! deliveries that queued up while the previous commit ran in one transaction.
//!
//! Why a writer at all when any pooled connection could insert: the same group commit as on
//! SQLite — a burst of deliveries costs one commit (one write-ahead log flush) per group, not
//! per delivery. A reply is sent only after `COMMIT` has returned; with PostgreSQL's default
//! `synchronous_commit = on` the row is then flushed to the server's log.
//!
//! No store-wide write lock ([`crate::store::Store::begin`]) is taken: a new row races with no
//! read-then-write elsewhere (the processor claims rows that already exist), so the receiver's
//! acknowledgements never wait behind the processor's transactions.

use sqlx::{PgPool, Postgres};
use tokio::sync::mpsc;

use super::{MAX_GROUP, Queued, WHAT};
use crate::store::deliveries::{INSERT_RETURNING, NewDelivery, bind_delivery};
use crate::store::{Store, StoreError};

/// Starts the writer task on the current Tokio runtime; the queue it reads.
pub(super) fn start(store: &Store) -> Result<mpsc::UnboundedSender<Queued>, StoreError> {
    let runtime = tokio::runtime::Handle::try_current().map_err(|e| StoreError::Inbox {
        context: "start the inbox task",
        source: Box::new(e),
    })?;
    let (queue, received) = mpsc::unbounded_channel();
    runtime.spawn(write_groups(store.clone(), received));
    Ok(queue)
}

/// The task: takes whatever queued up while the previous commit ran, commits it, answers each
/// request. Ends when every [`super::InboxWriter`] is dropped.
async fn write_groups(console: Store, mut queue: mpsc::UnboundedReceiver<Queued>) {
    let mut group: Vec<Queued> = Vec::with_capacity(MAX_GROUP);
    while let Some(first) = queue.recv().await {
        group.push(first);
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(queued) => group.push(queued),
                Err(_) => break,
            }
        }
        let pool = match console.postgres_pool() {
            Some(pool) if !console.is_closed() => pool,
            _ => {
                for (_, reply) in group.drain(..) {
                    let _ = reply.send(Err(StoreError::Closed { what: WHAT }));
                }
                continue;
            }
        };
        let rows: Vec<&NewDelivery> = group.iter().map(|(d, _)| d).collect();
        let committed = commit(pool, &rows).await;
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
                    let one = commit(pool, &[&delivery])
                        .await
                        .map(|ids| ids.first().copied().unwrap_or_default());
                    let _ = reply.send(one);
                }
            }
        }
    }
}

/// Inserts `rows` in one transaction; their ids in order.
async fn commit(pool: &PgPool, rows: &[&NewDelivery]) -> Result<Vec<i64>, StoreError> {
    let mut tx: sqlx::Transaction<'_, Postgres> = pool
        .begin()
        .await
        .map_err(StoreError::query("begin deliveries"))?;
    let mut ids = Vec::with_capacity(rows.len());
    for d in rows {
        let id: i64 = bind_delivery!(sqlx::query_scalar(INSERT_RETURNING), d)
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::query("insert delivery"))?;
        ids.push(id);
    }
    // Dropping `tx` on an error above rolls back.
    tx.commit()
        .await
        .map_err(StoreError::query("commit deliveries"))?;
    Ok(ids)
}

//! Verifying the audit chain: walks every row in seq order and names the first one that is not
//! as the chain wrote it.
//!
//! A row is intact when its seq is the previous seq + 1 (the first is 1), its `prev_hash` is
//! the previous row's hash ([`GENESIS_HASH`] for the first) and its own hash recomputes from
//! its contents. So:
//! - a deleted row leaves a gap: the first missing seq is named;
//! - an edited row no longer hashes to its stored hash, and if the editor recomputed that hash
//!   the next row's `prev_hash` no longer matches it;
//! - an inserted row needs the rows after it renumbered, and a renumbered row no longer
//!   matches its hash or its neighbour.
//!
//! What the chain alone cannot show is a cut tail: delete the newest rows and what is left is
//! a valid, shorter chain. So every successful verification records the head it saw (seq and
//! hash, global setting [`CHECKPOINT_KEY`]), and the next one requires that row still be there
//! with that hash. That catches truncation below a verified head unless the attacker also edits
//! the setting — which needs the same file access, so for an anchor outside the machine the
//! head printed by `mizan audit verify` should be noted elsewhere. The walk streams: memory
//! stays flat however long the chain.
//!
//! That setting is the unkeyed check. The keyed one ([`super::checkpoint`]) feeds the same walk
//! with heads vouched for by MACed checkpoints, which someone with the database alone cannot
//! write.

use chrono::{DateTime, Utc};
use futures::TryStreamExt;

use super::{GENESIS_HASH, entry_hash};
use crate::error::Result;
use crate::store::audit::{self, AuditEntry};
use crate::store::settings::{self, SettingScope};
use crate::store::{Store, StoreError};

/// The global setting holding the last verified head, as `SEQ HASH`.
pub const CHECKPOINT_KEY: &str = "audit.verified_head";

/// The last row of an intact chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: String,
}

/// What is wrong at the first broken entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Breach {
    /// Entries from `seq` up to (not including) `next_present` are gone: deleted rows.
    Missing { next_present: i64 },
    /// The entry's `prev_hash` is not the previous entry's hash: a row was inserted before it,
    /// or the previous row was rewritten with a recomputed hash.
    Unlinked,
    /// The entry's contents do not hash to its stored hash: it was edited.
    Edited,
    /// The chain ends before an entry that an earlier verification saw: the tail was cut.
    Truncated { verified_seq: i64 },
    /// The entry an earlier verification saw as the head now has another hash: it and the
    /// chain behind it were rewritten.
    Rewritten,
    /// A signed checkpoint whose MAC does not check with any key we hold: it was forged or
    /// altered in the database (`seq` is the entry it claims).
    CheckpointForged { checkpoint_id: i64 },
}

/// The first broken entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The seq of the first entry that is missing or not as written.
    pub seq: i64,
    pub breach: Breach,
}

impl ChainBreak {
    /// One line for people.
    pub fn describe(&self) -> String {
        let seq = self.seq;
        match &self.breach {
            Breach::Missing { next_present } if *next_present == seq + 1 => {
                format!("entry {seq} is missing (deleted)")
            }
            Breach::Missing { next_present } => format!(
                "entries {seq} to {} are missing (deleted)",
                next_present - 1
            ),
            Breach::Unlinked => format!(
                "entry {seq} does not link to entry {}: a row was inserted before it or entry {} \
                 was rewritten",
                seq - 1,
                seq - 1
            ),
            Breach::Edited => format!("entry {seq} was edited: its contents do not match its hash"),
            Breach::Truncated { verified_seq } => format!(
                "entry {seq} is missing: the chain ends at {} but entry {verified_seq} was \
                 verified before (the newest entries were deleted)",
                seq - 1
            ),
            Breach::Rewritten => format!(
                "entry {seq} has another hash than when it was last verified: the chain was \
                 rewritten"
            ),
            Breach::CheckpointForged { checkpoint_id } => format!(
                "checkpoint {checkpoint_id} (claiming entry {seq}) is not signed by the audit \
                 key: it was forged or altered"
            ),
        }
    }

    /// A stable name of the breach for scripts.
    pub fn kind(&self) -> &'static str {
        match self.breach {
            Breach::Missing { .. } => "missing",
            Breach::Unlinked => "unlinked",
            Breach::Edited => "edited",
            Breach::Truncated { .. } => "truncated",
            Breach::Rewritten => "rewritten",
            Breach::CheckpointForged { .. } => "checkpoint_forged",
        }
    }
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// Entries read before the first break (all of them when intact).
    pub verified: u64,
    /// The last entry of an intact chain (None when the chain is empty or broken).
    pub head: Option<ChainHead>,
    /// The head recorded by the previous successful verification, if any.
    pub checkpoint: Option<ChainHead>,
    /// The first break, or None when the chain is intact.
    pub broken: Option<ChainBreak>,
}

impl ChainReport {
    pub fn is_intact(&self) -> bool {
        self.broken.is_none()
    }
}

/// Walks the whole chain (both environments) and reports the first broken entry. When the
/// chain is intact, records its head as the new checkpoint.
///
/// # Errors
/// [`crate::Error::Store`] if the store cannot be read, or a row does not decode at all.
pub async fn verify(store: &Store, now: DateTime<Utc>) -> Result<ChainReport> {
    let checkpoint = read_checkpoint(store).await?;
    let walk = walk(store, checkpoint.iter().cloned().collect()).await?;
    let head = walk.head.filter(|_| walk.broken.is_none());
    if let Some(h) = &head {
        settings::set(
            store,
            SettingScope::Global,
            CHECKPOINT_KEY,
            &format!("{} {}", h.seq, h.hash),
            now,
        )
        .await?;
    }
    Ok(ChainReport {
        verified: walk.verified,
        head,
        checkpoint,
        broken: walk.broken,
    })
}

/// What a finished walk saw.
pub(super) struct Walked {
    /// Entries read before the first break.
    pub verified: u64,
    /// The last entry read (the chain's head when intact).
    pub head: Option<ChainHead>,
    pub broken: Option<ChainBreak>,
}

/// Streams the whole chain against `pins` (heads vouched for earlier: each must still be in
/// the chain with its hash, and the chain must reach the newest) and stops at the first break.
pub(super) async fn walk(store: &Store, pins: Vec<ChainHead>) -> Result<Walked> {
    let mut walk = Walk::new(pins);
    let reader = store.streaming_reader().await?;
    {
        let mut rows = std::pin::pin!(audit::stream_chain(&reader));
        while let Some(entry) = rows.try_next().await? {
            if walk.step(&entry) {
                break;
            }
        }
    }
    reader.close().await;
    let broken = walk.finish();
    Ok(Walked {
        verified: walk.verified,
        head: walk.head,
        broken,
    })
}

/// The checkpoint setting, if present and readable. A malformed one is a store error: it is
/// written by us only, so garbage there is tampering or corruption worth reporting.
async fn read_checkpoint(store: &Store) -> Result<Option<ChainHead>> {
    let Some(text) = settings::get(store, SettingScope::Global, CHECKPOINT_KEY).await? else {
        return Ok(None);
    };
    let parsed = text
        .split_once(' ')
        .and_then(|(seq, hash)| Some((seq.parse::<i64>().ok()?, hash)));
    match parsed {
        Some((seq, hash)) if seq >= 1 && hash.len() == 64 => Ok(Some(ChainHead {
            seq,
            hash: hash.to_owned(),
        })),
        _ => Err(StoreError::CorruptRow {
            table: "settings",
            column: "value",
            detail: format!("{CHECKPOINT_KEY} is not `SEQ HASH`"),
        }
        .into()),
    }
}

/// The walk's state between rows.
struct Walk {
    expected_seq: i64,
    prev_hash: String,
    verified: u64,
    head: Option<ChainHead>,
    /// Heads vouched for earlier, by seq.
    pins: Vec<ChainHead>,
    broken: Option<ChainBreak>,
}

impl Walk {
    fn new(mut pins: Vec<ChainHead>) -> Self {
        pins.sort_by_key(|p| p.seq);
        Walk {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
            verified: 0,
            head: None,
            pins,
            broken: None,
        }
    }

    /// Checks one row; true when it is broken (the walk stops at the first break).
    fn step(&mut self, e: &AuditEntry) -> bool {
        let breach = if e.seq != self.expected_seq {
            Some(ChainBreak {
                seq: self.expected_seq,
                breach: Breach::Missing {
                    next_present: e.seq,
                },
            })
        } else if e.prev_hash != self.prev_hash {
            Some(ChainBreak {
                seq: e.seq,
                breach: Breach::Unlinked,
            })
        } else if entry_hash(e) != e.hash {
            Some(ChainBreak {
                seq: e.seq,
                breach: Breach::Edited,
            })
        } else if self.pins.iter().any(|c| c.seq == e.seq && c.hash != e.hash) {
            Some(ChainBreak {
                seq: e.seq,
                breach: Breach::Rewritten,
            })
        } else {
            None
        };
        if let Some(b) = breach {
            self.broken = Some(b);
            return true;
        }
        self.verified += 1;
        self.expected_seq = e.seq + 1;
        self.prev_hash.clone_from(&e.hash);
        self.head = Some(ChainHead {
            seq: e.seq,
            hash: e.hash.clone(),
        });
        false
    }

    /// The first break, including a tail cut below the checkpoint.
    fn finish(&mut self) -> Option<ChainBreak> {
        if self.broken.is_none()
            && let Some(c) = self.pins.last()
            && self.expected_seq <= c.seq
        {
            self.broken = Some(ChainBreak {
                seq: self.expected_seq,
                breach: Breach::Truncated {
                    verified_seq: c.seq,
                },
            });
        }
        self.broken.clone()
    }
}

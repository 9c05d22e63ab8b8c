//! Signed checkpoints: what makes the audit chain keyed.
//!
//! A checkpoint says "the chain's newest entry was `seq` with hash `head_hash`, and it held
//! `entry_count` entries" at time `at`, MACed (HMAC-SHA256) with the audit key, which lives in
//! the keychain or a key file, never in the database ([`super::key`]). The MACed message is
//! [`message`]: a version tag, then seq, head hash, count, time, reason and key id, one a line.
//!
//! Verification ([`verify_signed`]) trusts nothing the database says about itself — not the
//! triggers, not the hashes, not the checkpoint table:
//! - every checkpoint's MAC must check with a key we hold (current or retired); one that does
//!   not is forged or altered, and if none does, the key is the wrong one;
//! - the chain is walked from genesis, recomputing every hash, and must pass through each
//!   checkpoint's head (so rewriting rows, even with every hash recomputed, or forging one, is
//!   caught below the newest checkpoint) and reach the newest (so a cut tail is caught).
//!
//! Cadence: `mizan audit verify` and `mizan audit checkpoint` sign the head they verified;
//! [`checkpoint_if_due`] signs after every [`EVERY`] entries, having checked the entries since
//! the last checkpoint. The first verification of an existing chain adopts it: its first
//! checkpoint vouches for the chain as found then, and the report names that entry.
//!
//! Limits: entries newer than the last checkpoint are only hash-chained until the next one;
//! whoever can write the database can still roll it back to an older copy as a whole, or
//! delete every checkpoint (the next verification then adopts afresh, which the report shows).
//! `mizan audit checkpoints --json` exports them for an anchor off this machine.

use chrono::{DateTime, SecondsFormat, Utc};

use super::key::{AuditKey, AuditKeyError, AuditKeys};
use super::verify::{Breach, ChainBreak, ChainHead, walk};
use super::{GENESIS_HASH, entry_hash};
use crate::error::Result;
use crate::store::Store;
use crate::store::audit as chain_store;
use crate::store::audit_checkpoints::{self, CheckpointRow};

/// How many entries [`checkpoint_if_due`] lets pass between two checkpoints.
pub const EVERY: i64 = 100;

/// Why a checkpoint was written, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The first checkpoint of a chain that existed before the key.
    Adopt,
    /// After [`EVERY`] entries.
    Periodic,
    /// By a successful `mizan audit verify`.
    Verify,
    /// By `mizan audit checkpoint`.
    Manual,
    /// A rotation's last checkpoint under the old key.
    RotateOld,
    /// A rotation's first checkpoint under the new key, over the same head.
    RotateNew,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Adopt => "adopt",
            Reason::Periodic => "periodic",
            Reason::Verify => "verify",
            Reason::Manual => "manual",
            Reason::RotateOld => "rotate-old",
            Reason::RotateNew => "rotate-new",
        }
    }
}

/// The bytes a checkpoint's MAC covers.
pub fn message(row: &CheckpointRow) -> Vec<u8> {
    format!(
        "mizan-audit-checkpoint-v1\n{}\n{}\n{}\n{}\n{}\n{}",
        row.seq,
        row.head_hash,
        row.entry_count,
        row.at.to_rfc3339_opts(SecondsFormat::Nanos, true),
        row.reason,
        row.key_id
    )
    .into_bytes()
}

/// The outcome of [`verify_signed`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedReport {
    /// Entries read before the first break (all of them when intact).
    pub verified: u64,
    /// The chain's newest entry when intact (None when empty or broken).
    pub head: Option<ChainHead>,
    /// The first break, or None when the chain is intact.
    pub broken: Option<ChainBreak>,
    /// The id of the current key.
    pub key_id: String,
    /// Checkpoints whose MAC checked (before this run wrote one).
    pub checkpoints: usize,
    /// The oldest valid checkpoint: the key vouches for the chain as it stood there (entries
    /// up to its seq were adopted as found, or written under the key).
    pub covered_from: Option<CheckpointRow>,
    /// The checkpoint this run wrote, if any.
    pub written: Option<CheckpointRow>,
}

impl SignedReport {
    pub fn is_intact(&self) -> bool {
        self.broken.is_none()
    }
}

/// What a check found before anything is written.
struct Checked {
    report: SignedReport,
    last_valid: Option<CheckpointRow>,
}

/// Checks every checkpoint's MAC and walks the chain through them. Writes nothing.
async fn check(store: &Store, keys: &AuditKeys) -> Result<Checked> {
    let rows = audit_checkpoints::list(store).await?;
    let mut valid = Vec::new();
    let mut forged = None;
    let mut unknown_key = None;
    for row in &rows {
        match keys.by_id(&row.key_id) {
            None => unknown_key = unknown_key.or(Some(row)),
            Some(k) if is_valid(k, row) => valid.push(row.clone()),
            Some(_) => forged = forged.or(Some(row)),
        }
    }
    if let Some(other) = unknown_key
        && valid.is_empty()
        && forged.is_none()
    {
        return Err(AuditKeyError::Wrong {
            key_id: keys.current().id().to_owned(),
            other: other.key_id.clone(),
            count: rows.len(),
        }
        .into());
    }
    let pins = valid
        .iter()
        .filter(|r| r.seq > 0)
        .map(|r| ChainHead {
            seq: r.seq,
            hash: r.head_hash.clone(),
        })
        .collect();
    let walked = walk(store, pins).await?;
    // A break in the chain names entries; a bad checkpoint alone is reported after it.
    let bad = forged.or(unknown_key).map(|r| ChainBreak {
        seq: r.seq,
        breach: Breach::CheckpointForged {
            checkpoint_id: r.id,
        },
    });
    let broken = walked.broken.or(bad);
    Ok(Checked {
        report: SignedReport {
            verified: walked.verified,
            head: walked.head.filter(|_| broken.is_none()),
            broken,
            key_id: keys.current().id().to_owned(),
            checkpoints: valid.len(),
            covered_from: valid.first().cloned(),
            written: None,
        },
        last_valid: valid.last().cloned(),
    })
}

/// A checkpoint is valid when its MAC checks and it says something possible: its count is its
/// seq (the chain counts from 1 without gaps) and an empty chain's head is the genesis hash.
fn is_valid(key: &AuditKey, row: &CheckpointRow) -> bool {
    key.verify(&message(row), &row.mac)
        && row.entry_count == row.seq
        && (row.seq > 0 || row.head_hash == GENESIS_HASH)
}

/// Signs `head` (None: the empty chain) with `key` and stores it.
async fn sign(
    store: &Store,
    key: &AuditKey,
    head: Option<&ChainHead>,
    reason: Reason,
    now: DateTime<Utc>,
) -> Result<CheckpointRow> {
    let (seq, hash) = head.map_or((0, GENESIS_HASH.to_owned()), |h| (h.seq, h.hash.clone()));
    let mut row = CheckpointRow {
        id: 0,
        seq,
        head_hash: hash,
        entry_count: seq,
        at: now,
        reason: reason.as_str().to_owned(),
        key_id: key.id().to_owned(),
        mac: String::new(),
    };
    row.mac = key.mac_hex(&message(&row));
    row.id = audit_checkpoints::insert(store, &row).await?;
    Ok(row)
}

/// Verifies the chain against its signed checkpoints and, when intact, signs its head — unless
/// the newest checkpoint already vouches for it with the current key. With no checkpoint yet
/// this adopts the chain as found. `force` signs even then (`mizan audit checkpoint`).
///
/// # Errors
/// [`AuditKeyError::Wrong`] when no checkpoint was signed by any key we hold; store errors.
pub async fn verify_signed(
    store: &Store,
    keys: &AuditKeys,
    force: bool,
    now: DateTime<Utc>,
) -> Result<SignedReport> {
    let Checked {
        mut report,
        last_valid,
    } = check(store, keys).await?;
    if !report.is_intact() {
        return Ok(report);
    }
    let head_seq = report.head.as_ref().map_or(0, |h| h.seq);
    let current = keys.current();
    let fresh = last_valid
        .as_ref()
        .is_some_and(|c| c.seq == head_seq && c.key_id == current.id());
    if force || !fresh {
        let reason = match (&last_valid, force) {
            (None, _) => Reason::Adopt,
            (Some(_), true) => Reason::Manual,
            (Some(_), false) => Reason::Verify,
        };
        let row = sign(store, current, report.head.as_ref(), reason, now).await?;
        if report.covered_from.is_none() {
            report.covered_from = Some(row.clone());
        }
        report.written = Some(row);
    }
    Ok(report)
}

/// Rotates the key: verifies, signs the head with the old key, stores `keys` rotated to a new
/// key through `save`, then signs the same head with the new key. Both checkpoints stay; the
/// old key stays in the ring, retired, so checkpoints it signed still check. Returns the
/// report and the new ring; nothing is rotated when the chain is broken.
///
/// # Errors
/// As [`verify_signed`], and whatever `save` returns.
pub async fn rotate<F, Fut>(
    store: &Store,
    keys: &AuditKeys,
    save: F,
    now: DateTime<Utc>,
) -> Result<(SignedReport, Option<AuditKeys>)>
where
    F: FnOnce(AuditKeys) -> Fut,
    Fut: std::future::Future<Output = std::result::Result<AuditKeys, AuditKeyError>>,
{
    let Checked { mut report, .. } = check(store, keys).await?;
    if !report.is_intact() {
        return Ok((report, None));
    }
    let sealed = sign(
        store,
        keys.current(),
        report.head.as_ref(),
        Reason::RotateOld,
        now,
    )
    .await?;
    // A rotation before any checkpoint is also the chain's adoption.
    report.covered_from.get_or_insert(sealed);
    let rotated = save(keys.rotated(AuditKey::generate()?)).await?;
    let row = sign(
        store,
        rotated.current(),
        report.head.as_ref(),
        Reason::RotateNew,
        now,
    )
    .await?;
    report.key_id = rotated.current().id().to_owned();
    report.written = Some(row);
    Ok((report, Some(rotated)))
}

/// Signs the head when [`EVERY`] entries or more came after the newest checkpoint, having
/// checked those entries link and hash from its head (cheap: at most the entries since). Never
/// adopts, and signs nothing when that check fails or the newest checkpoint does not check:
/// `mizan audit verify` reports those. Returns the checkpoint written, if any.
///
/// # Errors
/// Store errors.
pub async fn checkpoint_if_due(
    store: &Store,
    keys: &AuditKeys,
    now: DateTime<Utc>,
) -> Result<Option<CheckpointRow>> {
    let Some(last) = audit_checkpoints::last(store).await? else {
        return Ok(None);
    };
    if !keys.by_id(&last.key_id).is_some_and(|k| is_valid(k, &last)) {
        return Ok(None);
    }
    let Some(newest) = chain_store::last(store).await? else {
        return Ok(None);
    };
    if newest.seq - last.seq < EVERY {
        return Ok(None);
    }
    let mut prev_hash = last.head_hash.clone();
    let mut after = last.seq.max(1) - 1;
    let mut expected = if last.seq == 0 { 1 } else { last.seq };
    let mut head = None;
    loop {
        let page = chain_store::list_chain(store, 500, after).await?;
        let Some(tail) = page.last() else { break };
        after = tail.seq;
        for e in &page {
            let ok = e.seq == expected
                && entry_hash(e) == e.hash
                && if e.seq == last.seq {
                    e.hash == last.head_hash
                } else {
                    e.prev_hash == prev_hash
                };
            if !ok {
                return Ok(None);
            }
            prev_hash.clone_from(&e.hash);
            expected += 1;
            head = Some(ChainHead {
                seq: e.seq,
                hash: e.hash.clone(),
            });
        }
    }
    match head {
        Some(h) if h.seq > last.seq => Ok(Some(
            sign(store, keys.current(), Some(&h), Reason::Periodic, now).await?,
        )),
        _ => Ok(None),
    }
}

/// Every stored checkpoint, oldest first, as stored (for export; MACs are not secret).
///
/// # Errors
/// Store errors.
pub async fn list(store: &Store) -> Result<Vec<CheckpointRow>> {
    Ok(audit_checkpoints::list(store).await?)
}

-- 0005: signed checkpoints of the audit chain (issue 20).
--
-- Never edit this file once merged: sqlx checksums applied migrations. Add 0006_… instead.

-- Each row vouches for the chain's head at one moment: `seq` and `head_hash` of the newest
-- entry, `entry_count` entries behind it, MACed (HMAC-SHA256, hex) with a key the database
-- does not hold; `key_id` names that key (a fingerprint derived from it, never the key).
-- `seq` 0 with the genesis hash is the checkpoint of an empty chain. Verification trusts the
-- MAC, not this table's shape, so no trigger guards it.
CREATE TABLE audit_checkpoints (
    id          INTEGER PRIMARY KEY,
    seq         INTEGER NOT NULL CHECK (seq >= 0),
    head_hash   TEXT NOT NULL,
    entry_count INTEGER NOT NULL,
    at          TEXT NOT NULL,
    reason      TEXT NOT NULL,
    key_id      TEXT NOT NULL,
    mac         TEXT NOT NULL
);
CREATE INDEX audit_checkpoints_by_seq ON audit_checkpoints (seq);

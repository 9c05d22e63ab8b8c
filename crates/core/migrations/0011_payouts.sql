-- 0011: payouts — Tamara's bank deposits — and the statements each one settles
-- (crates/core/src/statements/payouts.rs).
--
-- Never edit this file once merged: sqlx checksums applied migrations. Add the next number.

-- One row per deposit. `paid_on` is the bank's value date (YYYY-MM-DD); amounts are exact text
-- at the currency's precision. A bank file row is stored once: (environment, bank_digest,
-- bank_row) is unique, so importing the same file again adds nothing, and a reference the
-- bank gave is unique too, so an overlapping export of the account adds nothing either.
-- `fee_allowance` is the payout fee the match allowed (statements' net minus the deposit).
CREATE TABLE payouts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    environment    TEXT NOT NULL CHECK (environment IN ('sandbox', 'production')),
    paid_on        TEXT NOT NULL,
    currency       TEXT NOT NULL,
    amount         TEXT NOT NULL,
    bank_reference TEXT,
    description    TEXT,
    source         TEXT NOT NULL CHECK (source IN ('manual', 'bank_csv')),
    bank_digest    TEXT,
    bank_row       INTEGER,
    fee_allowance  TEXT NOT NULL,
    note           TEXT,
    created_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    CHECK ((source = 'bank_csv') = (bank_digest IS NOT NULL AND bank_row IS NOT NULL)),
    UNIQUE (environment, bank_reference),
    UNIQUE (environment, bank_digest, bank_row)
);
CREATE INDEX payouts_by_day ON payouts (environment, paid_on);

-- Which statements a payout settles. Keyed by Tamara's statement id, not one revision's row: a
-- statement (every revision of it) is settled by at most one payout. `statement` is the
-- revision that was newest when the link was made.
CREATE TABLE payout_statements (
    environment  TEXT NOT NULL CHECK (environment IN ('sandbox', 'production')),
    statement_id TEXT NOT NULL,
    payout       INTEGER NOT NULL REFERENCES payouts (id),
    statement    INTEGER NOT NULL REFERENCES statements (id),
    PRIMARY KEY (environment, statement_id)
);
CREATE INDEX payout_statements_by_payout ON payout_statements (payout);

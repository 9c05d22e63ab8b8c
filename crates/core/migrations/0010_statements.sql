-- 0010: Tamara's settlement statements as imported (crates/core/src/settlement/).
--
-- Never edit this file once merged: sqlx checksums applied migrations. Add the next number.

-- One row per imported file. The same file again (same digest) is the same import; another
-- file with the same statement id is the next revision of it, never merged into the first.
-- `statement_id` is Tamara's, or `file-<digest prefix>` when the file names none. Period bounds
-- are calendar days (YYYY-MM-DD, inclusive) in `time_zone`, the statement's own.
CREATE TABLE statements (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    environment    TEXT NOT NULL CHECK (environment IN ('sandbox', 'production')),
    statement_id   TEXT NOT NULL,
    revision       INTEGER NOT NULL CHECK (revision >= 1),
    digest         TEXT NOT NULL,
    merchant_id    TEXT,
    statement_date TEXT,
    period_start   TEXT NOT NULL,
    period_end     TEXT NOT NULL,
    time_zone      TEXT NOT NULL,
    vat_percent    TEXT NOT NULL,
    file_name      TEXT NOT NULL,
    line_count     INTEGER NOT NULL,
    imported_at    TEXT NOT NULL,
    imported_by    TEXT NOT NULL,
    UNIQUE (environment, digest),
    UNIQUE (environment, statement_id, revision)
);

-- The statement's detail table, one row per line, amounts as exact text at the currency's
-- precision (refund lines negative, as the statement gives them).
CREATE TABLE statement_lines (
    statement            INTEGER NOT NULL REFERENCES statements (id),
    row_no               INTEGER NOT NULL,
    transaction_date     TEXT NOT NULL,
    tamara_order_id      TEXT NOT NULL,
    merchant_order_id    TEXT,
    event                TEXT NOT NULL CHECK (event IN ('captured', 'refunded')),
    currency             TEXT NOT NULL,
    amount               TEXT NOT NULL,
    fixed_fees           TEXT NOT NULL,
    variable_fee_percent TEXT,
    variable_fees        TEXT NOT NULL,
    total_fees           TEXT NOT NULL,
    vat                  TEXT NOT NULL,
    payable              TEXT NOT NULL,
    instalments          INTEGER,
    PRIMARY KEY (statement, row_no)
);
CREATE INDEX statement_lines_by_order ON statement_lines (tamara_order_id, statement);

-- Mizan store, initial schema.
--
-- Rules for every table (docs: crates/core/src/store/mod.rs):
--   * `environment` names sandbox or production on every row and is part of every key that
--     identifies a gateway object, so the two never mix.
--   * Money is exact decimal TEXT at the currency's precision next to a `currency` TEXT column;
--     never REAL.
--   * Times are RFC 3339 UTC TEXT with a fixed nine-digit fraction
--     (2024-05-31T09:12:40.000000000Z), so text order is time order.
--   * Ids are TEXT (gateway UUIDs) except local surrogate keys (INTEGER).
--   * Types and constraints stay portable to PostgreSQL where cheap.
--
-- Never edit this file once merged: sqlx checksums applied migrations. Add 0002_… instead.

-- The projection of each gateway order: the last known state, repaired by webhooks and polls.
CREATE TABLE orders (
    environment        TEXT NOT NULL CHECK (environment IN ('sandbox', 'production')),
    order_id           TEXT NOT NULL,
    order_reference_id TEXT NOT NULL,
    order_number       TEXT,
    status             TEXT NOT NULL,
    payment_type       TEXT,
    instalments        INTEGER,
    currency           TEXT NOT NULL,
    total_amount       TEXT NOT NULL,
    authorised_amount  TEXT NOT NULL,
    captured_amount    TEXT NOT NULL,
    refunded_amount    TEXT NOT NULL,
    canceled_amount    TEXT NOT NULL,
    paid_amount        TEXT NOT NULL,
    customer_name      TEXT,
    customer_phone     TEXT,
    customer_email     TEXT,
    country_code       TEXT,
    settlement_status  TEXT,
    settlement_date    TEXT,
    description        TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    last_synced_at     TEXT,
    raw_json           TEXT,
    PRIMARY KEY (environment, order_id)
);
-- The order list pages by (created_at, order_id) descending, filtered by status or reference.
CREATE INDEX orders_by_status ON orders (environment, status, created_at, order_id);
CREATE INDEX orders_by_created ON orders (environment, created_at, order_id);
CREATE INDEX orders_by_reference ON orders (environment, order_reference_id);

-- Line items as the gateway last reported them; replaced wholesale on each sync.
CREATE TABLE order_items (
    environment     TEXT NOT NULL CHECK (environment IN ('sandbox', 'production')),
    order_id        TEXT NOT NULL,
    position        INTEGER NOT NULL,
    reference_id    TEXT,
    sku             TEXT,
    name            TEXT,
    item_type       TEXT,
    quantity        INTEGER NOT NULL,
    currency        TEXT NOT NULL,
    unit_price      TEXT,
    tax_amount      TEXT,
    discount_amount TEXT,
    total_amount    TEXT NOT NULL,
    image_url       TEXT,
    item_url        TEXT,
    PRIMARY KEY (environment, order_id, position),
    FOREIGN KEY (environment, order_id) REFERENCES orders (environment, order_id)
        ON DELETE CASCADE
);

-- Every authorise / capture / refund / cancel, ours (api, written pending BEFORE the request)
-- or observed (webhook, poll). One row per gateway transaction.
CREATE TABLE ledger_entries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    environment     TEXT NOT NULL CHECK (environment IN ('sandbox', 'production')),
    order_id        TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('authorise', 'capture', 'refund', 'cancel')),
    gateway_id      TEXT,
    currency        TEXT NOT NULL,
    amount          TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed', 'unknown')),
    source          TEXT NOT NULL CHECK (source IN ('api', 'webhook', 'poll')),
    idempotency_ref TEXT,
    actor           TEXT NOT NULL,
    comment         TEXT,
    occurred_at     TEXT NOT NULL,
    recorded_at     TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    request_summary TEXT,
    error           TEXT,
    -- NULLs are distinct in both SQLite and PostgreSQL, so rows without a ref or a gateway id
    -- yet do not collide.
    UNIQUE (environment, idempotency_ref),
    UNIQUE (environment, kind, gateway_id),
    FOREIGN KEY (environment, order_id) REFERENCES orders (environment, order_id)
);
CREATE INDEX ledger_by_order ON ledger_entries (environment, order_id, occurred_at, id);
-- Settlement exports stream a time window in order.
CREATE INDEX ledger_by_time ON ledger_entries (environment, occurred_at, id);
-- The reconciler looks for pending / unknown moves.
CREATE INDEX ledger_by_state ON ledger_entries (environment, state, id);

-- The raw webhook inbox: written durably before the receiver answers.
CREATE TABLE webhook_deliveries (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    environment       TEXT NOT NULL CHECK (environment IN ('sandbox', 'production')),
    received_at       TEXT NOT NULL,
    method            TEXT NOT NULL,
    path              TEXT NOT NULL,
    query             TEXT,
    headers_json      TEXT NOT NULL,
    body              TEXT NOT NULL,
    verdict           TEXT NOT NULL CHECK (verdict IN ('verified', 'rejected', 'invalid_body')),
    reason            TEXT,
    http_status       INTEGER NOT NULL,
    order_id          TEXT,
    event_type        TEXT,
    processing_state  TEXT NOT NULL
        CHECK (processing_state IN ('pending', 'processed', 'failed', 'skipped')),
    processing_result TEXT,
    attempts          INTEGER NOT NULL DEFAULT 0,
    processed_at      TEXT
);
CREATE INDEX webhook_deliveries_queue ON webhook_deliveries (processing_state, environment, id);
CREATE INDEX webhook_deliveries_by_order ON webhook_deliveries (environment, order_id, id);

-- Event identities already processed: (order_id, event_type, capture/refund/cancel id or '').
CREATE TABLE processed_events (
    environment TEXT NOT NULL CHECK (environment IN ('sandbox', 'production')),
    order_id    TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    sub_id      TEXT NOT NULL DEFAULT '',
    delivery_id INTEGER REFERENCES webhook_deliveries (id),
    claimed_at  TEXT NOT NULL,
    PRIMARY KEY (environment, order_id, event_type, sub_id)
);

-- Webhook endpoints registered with the gateway (header values masked, never secrets).
CREATE TABLE webhook_registrations (
    environment  TEXT NOT NULL CHECK (environment IN ('sandbox', 'production')),
    webhook_id   TEXT NOT NULL,
    url          TEXT NOT NULL,
    events_json  TEXT NOT NULL,
    headers_json TEXT NOT NULL,
    webhook_type TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    confirmed_at TEXT,
    confirmed_by TEXT CHECK (confirmed_by IN ('listing', 'get')),
    deleted_at   TEXT,
    PRIMARY KEY (environment, webhook_id)
);

-- Append-only, hash-chained log of every action. `seq` is one chain across environments.
CREATE TABLE audit_log (
    seq             INTEGER PRIMARY KEY,
    environment     TEXT NOT NULL CHECK (environment IN ('sandbox', 'production')),
    at              TEXT NOT NULL,
    os_user         TEXT NOT NULL,
    operator        TEXT NOT NULL,
    action          TEXT NOT NULL,
    subject         TEXT NOT NULL,
    request_summary TEXT,
    result          TEXT NOT NULL,
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_log_by_environment ON audit_log (environment, seq);
-- The store has no update or delete path; these make the database refuse one too.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- Non-secret preferences. `scope` is 'global' or an environment; secrets live in the keychain.
CREATE TABLE settings (
    scope      TEXT NOT NULL CHECK (scope IN ('global', 'sandbox', 'production')),
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (scope, key)
);

-- 0007: disputes (reference §5.11, §6.5) and the dispute notifications received.
--
-- Never edit this file once merged: sqlx checksums applied migrations. Add the next number.

-- One row per dispute Tamara told us about, by notification or by the (third-party-sourced)
-- list. `dispute_id` is text: the list's ids are integers, a notification's may be anything.
-- `status` is an open string; `awaiting_since` is when it last began waiting for the
-- merchant (the days left to respond count from it).
CREATE TABLE disputes (
    environment        TEXT NOT NULL CHECK (environment IN ('sandbox', 'production')),
    dispute_id         TEXT NOT NULL,
    order_id           TEXT,
    order_reference_id TEXT,
    status             TEXT NOT NULL,
    amount             TEXT,
    currency           TEXT,
    opened_at          TEXT,
    closed_at          TEXT,
    awaiting_since     TEXT,
    last_event         TEXT,
    source             TEXT NOT NULL CHECK (source IN ('notification', 'list')),
    raw_json           TEXT,
    updated_at         TEXT NOT NULL,
    PRIMARY KEY (environment, dispute_id)
);
CREATE INDEX disputes_by_order ON disputes (environment, order_id);

-- Every verified dispute notification, its body verbatim, whether or not its shape was
-- understood (`recognised` = it named an order and a dispute). One row per delivery.
CREATE TABLE dispute_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    environment  TEXT NOT NULL CHECK (environment IN ('sandbox', 'production')),
    delivery_id  INTEGER REFERENCES webhook_deliveries (id),
    event_type   TEXT NOT NULL,
    order_id     TEXT,
    dispute_id   TEXT,
    status       TEXT,
    recognised   INTEGER NOT NULL CHECK (recognised IN (0, 1)),
    received_at  TEXT NOT NULL,
    body         TEXT NOT NULL,
    UNIQUE (environment, delivery_id)
);
CREATE INDEX dispute_events_by_order ON dispute_events (environment, order_id, id);
CREATE INDEX dispute_events_by_dispute ON dispute_events (environment, dispute_id, id);

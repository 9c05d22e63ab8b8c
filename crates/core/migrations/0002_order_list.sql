-- 0002: the desktop order list at a million orders (crates/core/src/store/order_list.rs).
--
-- Never edit this file once merged: sqlx checksums applied migrations. Add 0003_… instead.

-- Filter by currency, newest first.
CREATE INDEX orders_by_currency ON orders (environment, currency, created_at, order_id);
-- Amount ranges. The cast is a filter key only, never money arithmetic: stored amounts have at
-- most 3 decimals and stay far below 10^12, so each maps to a distinct, order-preserving REAL.
CREATE INDEX orders_by_total ON orders (environment, CAST(total_amount AS REAL));
-- An order's audit trail on the order screen.
CREATE INDEX audit_log_by_subject ON audit_log (environment, subject, seq);
-- The app's change feed: orders updated since the last look.
CREATE INDEX orders_by_updated ON orders (environment, updated_at);

-- Free-text search: a trigram index over what people type (reference, customer name, email,
-- phone), so "contains" is answered from the index instead of a scan. External content: the
-- text lives in `orders` only; the triggers below keep the index in step, and
-- `INSERT INTO orders_text(orders_text) VALUES ('rebuild')` rebuilds it from `orders` (needed
-- only after a VACUUM, which may renumber rowids; the store never runs one).
-- SQLite-only; on PostgreSQL the same role is a pg_trgm GIN index.
CREATE VIRTUAL TABLE orders_text USING fts5(
    order_reference_id, customer_name, customer_email, customer_phone,
    content = 'orders', content_rowid = 'rowid', tokenize = 'trigram case_sensitive 0'
);
INSERT INTO orders_text (orders_text) VALUES ('rebuild');

CREATE TRIGGER orders_text_insert AFTER INSERT ON orders
BEGIN
    INSERT INTO orders_text (rowid, order_reference_id, customer_name, customer_email,
                             customer_phone)
    VALUES (new.rowid, new.order_reference_id, new.customer_name, new.customer_email,
            new.customer_phone);
END;

CREATE TRIGGER orders_text_delete AFTER DELETE ON orders
BEGIN
    INSERT INTO orders_text (orders_text, rowid, order_reference_id, customer_name,
                             customer_email, customer_phone)
    VALUES ('delete', old.rowid, old.order_reference_id, old.customer_name, old.customer_email,
            old.customer_phone);
END;

-- Every upsert rewrites every column, so only a change of a searched field touches the index.
CREATE TRIGGER orders_text_update AFTER UPDATE ON orders
WHEN old.order_reference_id IS NOT new.order_reference_id
  OR old.customer_name IS NOT new.customer_name
  OR old.customer_email IS NOT new.customer_email
  OR old.customer_phone IS NOT new.customer_phone
BEGIN
    INSERT INTO orders_text (orders_text, rowid, order_reference_id, customer_name,
                             customer_email, customer_phone)
    VALUES ('delete', old.rowid, old.order_reference_id, old.customer_name, old.customer_email,
            old.customer_phone);
    INSERT INTO orders_text (rowid, order_reference_id, customer_name, customer_email,
                             customer_phone)
    VALUES (new.rowid, new.order_reference_id, new.customer_name, new.customer_email,
            new.customer_phone);
END;

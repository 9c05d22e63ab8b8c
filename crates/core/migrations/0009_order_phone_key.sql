-- 0009: phones found the way people type them (crates/core/src/phone.rs).
--
-- Never edit this file once merged: sqlx checksums applied migrations.
--
-- The national number of each order's customer phone, written by the store on every upsert
-- with `phone::key` (the one rule; it is not repeated in SQL). Orders cached before this
-- migration have NULL here and are filled once by `Store::open` (`orders::backfill_phone_keys`),
-- which the partial index below finds without a scan. A phone with no key (not a number) is
-- stored as ''.
ALTER TABLE orders ADD COLUMN customer_phone_key TEXT;
CREATE INDEX orders_by_phone_key ON orders (environment, customer_phone_key);
CREATE INDEX orders_phone_key_missing ON orders (environment)
    WHERE customer_phone IS NOT NULL AND customer_phone_key IS NULL;

-- 0003: the order list's arrival mark on PostgreSQL (crates/core/src/store/order_list.rs).
--
-- SQLite's mark is the rowid, which an upsert keeps; PostgreSQL has no such column, so this one
-- stands in for it: numbered on insert, never touched by an update. The one column SQLite does
-- not have (the schema test says so).
--
-- Never edit this file once merged: sqlx checksums applied migrations. Add the next number.
ALTER TABLE orders ADD COLUMN arrival BIGINT GENERATED ALWAYS AS IDENTITY;
CREATE INDEX orders_by_arrival ON orders (arrival);

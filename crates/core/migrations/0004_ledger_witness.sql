-- 0004: what identifies our own request among an order's transactions when its answer is lost.
--
-- Never edit this file once merged: sqlx checksums applied migrations. Add 0005_… instead.

-- A capture's shipping details as we sent them (JSON), which Tamara echoes on the order's
-- captures; NULL for other moves and for rows written before this column existed.
ALTER TABLE ledger_entries ADD COLUMN witness TEXT;

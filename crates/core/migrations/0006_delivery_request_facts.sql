-- 0006: what the receiver knows of a request besides its stored sample.
--
-- Never edit this file once merged: sqlx checksums applied migrations. Add 0007_… instead.

-- A refused delivery keeps a bounded sample of its body, headers and query (a stranger's
-- request is evidence, not a payload); these say how big the request really was and who sent
-- it. NULL for rows written before this migration.
ALTER TABLE webhook_deliveries ADD COLUMN sender TEXT;
ALTER TABLE webhook_deliveries ADD COLUMN body_bytes INTEGER;
ALTER TABLE webhook_deliveries ADD COLUMN headers_bytes INTEGER;
ALTER TABLE webhook_deliveries ADD COLUMN query_bytes INTEGER;

-- 0012: a statement's own totals, as its summary table states them (JSON: one object per
-- currency with sales, refunds, fees, vat and net); NULL when the file has no summary.
--
-- Never edit this file once merged: sqlx checksums applied migrations. Add the next number.
ALTER TABLE statements ADD COLUMN stated_totals TEXT;

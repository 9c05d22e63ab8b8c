-- Fills the orders cache of a freshly migrated store with @n sandbox orders in one transaction,
-- the way crates/bench-export fills its ledger: INSERT … SELECT over a recursive counter, far
-- faster than @n prepared inserts and the same rows. Run by scripts/bench-app with the sqlite3
-- shell: sqlite3 mizan.db ".parameter set @n 1000000" ".read e2e/bench/seed.sql".
--
-- The rows are shaped for the list's filters: every status Tamara has (the share of each as in
-- a busy merchant's cache: mostly captured), SAR/AED at 2 decimals and KWD at 3, references
-- REF-0000000 … in creation order (one every 30 s from 2024-01-01, so the newest first is
-- reference @n-1, and row index i of the unfiltered list is REF-(@n-1-i)), customer names in
-- Arabic and English.
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
BEGIN;
WITH RECURSIVE n(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM n WHERE j + 1 < @n),
shaped AS (
  SELECT j,
    CASE j % 20
      WHEN 0 THEN 'new' WHEN 1 THEN 'declined' WHEN 2 THEN 'expired'
      WHEN 3 THEN 'approved' WHEN 4 THEN 'authorised' WHEN 5 THEN 'authorised'
      WHEN 6 THEN 'partially_captured' WHEN 7 THEN 'partially_refunded'
      WHEN 8 THEN 'fully_refunded' WHEN 9 THEN 'canceled'
      ELSE 'fully_captured' END AS status,
    CASE (j / 20) % 10 WHEN 0 THEN 'KWD' WHEN 1 THEN 'AED' ELSE 'SAR' END AS currency,
    (50 + j % 1950) AS whole,
    CASE (j / 20) % 10 WHEN 0 THEN printf('%03d', j % 1000) ELSE printf('%02d', j % 100) END AS frac,
    CASE (j / 20) % 10 WHEN 0 THEN '0.000' ELSE '0.00' END AS zero
  FROM n
),
amounts AS (
  SELECT *, whole || '.' || frac AS total,
    CASE WHEN status IN ('new', 'declined', 'expired', 'approved', 'canceled') THEN 0 ELSE 1 END AS is_authorised,
    CASE WHEN status IN ('fully_captured', 'partially_refunded', 'fully_refunded') THEN 2
         WHEN status = 'partially_captured' THEN 1 ELSE 0 END AS capture_state
  FROM shaped
)
INSERT INTO orders (environment, order_id, order_reference_id, order_number, status,
    payment_type, instalments, currency, total_amount, authorised_amount, captured_amount,
    refunded_amount, canceled_amount, paid_amount, customer_name, customer_phone,
    customer_email, country_code, settlement_status, settlement_date, description,
    created_at, updated_at, last_synced_at)
SELECT 'sandbox',
  printf('%08x-0000-4000-8000-%012x', j, j),
  printf('REF-%07d', j),
  printf('%d', 100000000 + j),
  status,
  CASE j % 7 WHEN 0 THEN 'PAY_NOW' ELSE 'PAY_BY_INSTALMENTS' END,
  CASE j % 7 WHEN 0 THEN 1 ELSE 3 + (j % 2) END,
  currency,
  total,
  CASE is_authorised WHEN 1 THEN total ELSE zero END,
  CASE capture_state WHEN 2 THEN total WHEN 1 THEN (whole / 2) || '.' || frac ELSE zero END,
  CASE status WHEN 'fully_refunded' THEN total WHEN 'partially_refunded' THEN '10.' || frac ELSE zero END,
  CASE status WHEN 'canceled' THEN total ELSE zero END,
  zero,
  CASE j % 6
    WHEN 0 THEN 'سارة خالد' WHEN 1 THEN 'Omar Al-Farsi' WHEN 2 THEN 'نورة العتيبي'
    WHEN 3 THEN 'Layla Haddad' WHEN 4 THEN 'محمد القحطاني' ELSE 'Fatima Noor' END,
  printf('5%08d', j % 100000000),
  printf('customer%d@example.com', j),
  CASE currency WHEN 'KWD' THEN 'KW' WHEN 'AED' THEN 'AE' ELSE 'SA' END,
  CASE WHEN capture_state = 2 AND j % 3 = 0 THEN 'settled' ELSE 'pending' END,
  CASE WHEN capture_state = 2 AND j % 3 = 0 THEN '2025-01-15' END,
  'Bench order ' || j,
  strftime('%Y-%m-%dT%H:%M:%S', '2024-01-01T00:00:00', '+' || (j * 30) || ' seconds') || '.000000000Z',
  strftime('%Y-%m-%dT%H:%M:%S', '2024-01-01T00:00:00', '+' || (j * 30) || ' seconds') || '.000000000Z',
  strftime('%Y-%m-%dT%H:%M:%S', '2024-01-01T00:00:00', '+' || (j * 30) || ' seconds') || '.000000000Z'
FROM amounts;
COMMIT;
PRAGMA synchronous = FULL;

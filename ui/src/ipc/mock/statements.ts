// Answers of the reconciliation commands in the shell's shapes, for the component tests and the
// browser-only mock mode.
import type { ImportAnswer, ReconRowView, StatementHeader, StatementListRow, StatementView } from "..";

export const HEADER: StatementHeader = {
  id: 7,
  statement_id: "ST-2026-49",
  revision: 1,
  merchant_id: "m-42",
  period_start: "2026-12-01",
  period_end: "2026-12-07",
  time_zone: "Asia/Riyadh",
  line_count: 5,
  file_name: "statement.xlsx",
  imported_at: "2026-12-08T09:00:00.000Z",
  imported_by: "Noura",
};

export const LIST: StatementListRow[] = [
  { statement: HEADER, balanced: false, differences: 3 },
  { statement: { ...HEADER, id: 3, statement_id: "ST-2026-48", period_start: "2026-11-24", period_end: "2026-11-30" }, balanced: true, differences: 0 },
];

const base: Omit<ReconRowView, "outcome" | "row" | "order_id"> = {
  transaction_date: "2026-12-02",
  order_reference_id: null,
  event: "captured",
  currency: "SAR",
  statement_amount: "460.00",
  ledger_amount: "460.00",
  total_fees: "10.20",
  vat: "1.53",
  payable: "448.27",
  fee_problems: [],
  order_cached: true,
  gateway_id: "cap-1",
  occurred_at: "2026-12-02T10:00:00.000Z",
};

export const ROWS: ReconRowView[] = [
  { ...base, outcome: "matched", row: 7, order_id: "o-1", order_reference_id: "R-o-1" },
  { ...base, outcome: "amount_differs", row: 8, order_id: "o-3", statement_amount: "210.00", ledger_amount: "200.00" },
  { ...base, outcome: "fees_inconsistent", row: 9, order_id: "o-5", fee_problems: [{ field: "vat", expected: "1.35", found: "1.05" }] },
  { ...base, outcome: "not_in_mizan", row: 10, order_id: "o-9", ledger_amount: null, order_cached: false, gateway_id: null, occurred_at: null },
  { ...base, outcome: "matched", row: 11, order_id: "o-7" },
];

export function view(rows: ReconRowView[] = ROWS): StatementView {
  const counts = (["matched", "net_zero", "amount_differs", "not_in_mizan", "not_in_statement", "duplicate_line", "fees_inconsistent"] as const).map((outcome) => ({
    outcome,
    count: rows.filter((r) => r.outcome === outcome).length,
    difference: outcome !== "matched" && outcome !== "net_zero",
  }));
  const balanced = counts.every((c) => !c.difference || c.count === 0);
  return {
    statement: HEADER,
    vat_percent: "15",
    balanced,
    counts,
    totals: { currency: "SAR", captured: "1450.00", refunded: "-100.00", fees: "40.10", vat: "6.02", payable: "1303.88" },
    totals_differences: [],
    rows,
  };
}

export function answer(kind: ImportAnswer["kind"], changes = 0): ImportAnswer {
  return {
    kind,
    statement: { ...HEADER, revision: kind === "revision" ? 2 : 1 },
    previous_revision: kind === "revision" ? 1 : null,
    changes: Array.from({ length: changes }, (_, i) => ({ order_id: `o-${i}`, event: "captured", change: "changed", fields: ["amount"], before: "1.00", after: "2.00", currency: "SAR" })),
  };
}

// Answers of the payouts and month commands in the shell's shapes, for the component tests and
// the browser-only mock mode.
import type { BankImportAnswer, MonthFiguresView, MonthSummary, PayoutRow, PayoutsView, StatementDueView } from "..";

export const DUE_49: StatementDueView = { id: 7, statement_id: "ST-2026-49", revision: 1, period_start: "2026-12-01", period_end: "2026-12-07", currency: "SAR", net_payable: "448.27" };
export const DUE_50: StatementDueView = { id: 8, statement_id: "ST-2026-50", revision: 2, period_start: "2026-12-08", period_end: "2026-12-14", currency: "SAR", net_payable: "97.70" };

const base: PayoutRow = {
  id: 1,
  paid_on: "2026-12-10",
  currency: "SAR",
  amount: "446.27",
  reference: "BANK-1",
  description: null,
  source: "manual",
  bank_row: null,
  note: null,
  created_at: "2026-12-10T09:00:00.000Z",
  created_by: "Noura",
  fee_allowance: "5.00",
  statements: [DUE_49],
  statements_net: "448.27",
  difference: "2.00",
  explanation: "payout_fee",
};

export const PAYOUTS: PayoutsView = {
  payouts: [
    base,
    { ...base, id: 2, paid_on: "2026-12-20", amount: "55.00", reference: "BANK-4", description: "Customer transfer", source: "bank_csv", bank_row: 3, fee_allowance: "0.00", statements: [], statements_net: "0.00", difference: "-55.00", explanation: "unexplained" },
  ],
  open_items: [DUE_50],
};

export function payout(over: Partial<PayoutRow> = {}): PayoutRow {
  return { ...base, ...over };
}

export function bankAnswer(imported = 1): BankImportAnswer {
  return { imported: Array.from({ length: imported }, (_, i) => payout({ id: 10 + i, source: "bank_csv", bank_row: 2 + i })), already_recorded: 1, skipped_rows: 2 };
}

export const FIGURES: MonthFiguresView = {
  currency: "SAR",
  captured: "560.00",
  refunded: "0.00",
  fees: "13.20",
  vat: "1.98",
  fees_and_vat: "15.18",
  net_payable: "544.82",
  paid: "501.27",
  difference: "43.55",
  open_items: "97.70",
  paid_for_other_months: "0.00",
  payout_fees: "2.00",
  unexplained: "-56.15",
  statements: ["ST-2026-49", "ST-2026-50"],
  payouts: [1, 2],
};

/** Month `month` with `figures` (none: a month with nothing in it). */
export function monthSummary(month: string, figures: MonthFiguresView[] = [FIGURES]): MonthSummary {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { month, first_day: `${month}-01`, last_day: `${month}-${String(last).padStart(2, "0")}`, currencies: figures };
}

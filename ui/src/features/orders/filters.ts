// The orders screen's filter state (what the inputs hold) and its translation to the shell's
// `OrdersQuery`. Amounts stay strings end to end; days become RFC 3339 UTC bounds.
import type { OrdersQuery } from "../../ipc";
import { isAmountInput, normalizeAmountInput } from "../../lib/money";
import { dayEndUtc, dayStartUtc } from "../../lib/time";

export const ORDER_STATUSES = [
  "new",
  "approved",
  "authorised",
  "updated",
  "partially_captured",
  "fully_captured",
  "partially_refunded",
  "fully_refunded",
  "canceled",
  "declined",
  "expired",
  "on_hold",
] as const;

/** What the query sends apart from the window (offset/limit): every field always present. */
export type OrdersFilter = {
  statuses: string[];
  currency: string | null;
  reference: string | null;
  text: string | null;
  created_from: string | null;
  created_to: string | null;
  amount_min: string | null;
  amount_max: string | null;
  /** `false`: rehearsal orders hidden (the default); `null`: shown with the others. */
  rehearsal: boolean | null;
  /** The list's pin (useHeldList), never typed by the operator. */
  arrived_upto?: number;
  arrived_after?: number;
};

export type FilterInputs = {
  statuses: string[];
  currency: string;
  reference: string;
  text: string;
  from: string; // local day, YYYY-MM-DD
  to: string; // local day, inclusive
  amountMin: string;
  amountMax: string;
  /** Show the go-live rehearsal's orders too. */
  rehearsals?: boolean;
};

export const EMPTY_INPUTS: FilterInputs = {
  statuses: [],
  currency: "",
  reference: "",
  text: "",
  from: "",
  to: "",
  amountMin: "",
  amountMax: "",
};

const orNull = (s: string): string | null => (s.trim() === "" ? null : s.trim());

/** An amount bound as the shell wants it, or `null` when empty or not a plain decimal. */
export function amountBound(raw: string): string | null {
  const s = normalizeAmountInput(raw);
  return s !== "" && isAmountInput(s) ? s : null;
}

export function badAmountBound(raw: string): boolean {
  const s = normalizeAmountInput(raw);
  return s !== "" && !isAmountInput(s);
}

export function toFilter(f: FilterInputs): OrdersFilter {
  return {
    statuses: [...f.statuses],
    currency: orNull(f.currency),
    reference: orNull(f.reference),
    text: orNull(f.text),
    created_from: f.from ? dayStartUtc(f.from) : null,
    created_to: f.to ? dayEndUtc(f.to) : null,
    amount_min: amountBound(f.amountMin),
    amount_max: amountBound(f.amountMax),
    rehearsal: f.rehearsals ? null : false,
  };
}

/** A UTC bound back to the local day the inputs show (for saved views). */
function dayOf(iso: string | null | undefined, end: boolean): string {
  if (!iso) return "";
  const plainDay = /^\d{4}-\d{2}-\d{2}$/.test(iso);
  const d = plainDay ? new Date(`${iso}T00:00:00`) : new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  if (end) d.setDate(d.getDate() - 1);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A saved view's query back into the inputs (the shell may leave any field out). */
export function fromFilter(q: OrdersQuery): FilterInputs {
  return {
    statuses: [...(q.statuses ?? [])],
    currency: q.currency ?? "",
    reference: q.reference ?? "",
    text: q.text ?? "",
    from: dayOf(q.created_from, false),
    to: dayOf(q.created_to, true),
    amountMin: q.amount_min ?? "",
    amountMax: q.amount_max ?? "",
    // A view saved before rehearsal orders were marked hides them, as the list does.
    rehearsals: q.rehearsal === null,
  };
}

export function isFiltered(f: FilterInputs): boolean {
  const { rehearsals, ...rest } = f;
  return Boolean(rehearsals) || JSON.stringify({ ...EMPTY_INPUTS, ...rest }) !== JSON.stringify(EMPTY_INPUTS);
}

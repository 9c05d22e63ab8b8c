// The move dialog's pure part: what the form holds and the `MoveInput` it becomes. Range checks
// (more than refundable, nothing left) are the core's job and come back as refusals with their
// code; here only what cannot be sent at all is caught.
import type { Amounts, ItemRow, MoveInput, MoveKind } from "../../ipc";
import { isAmountInput, normalizeAmountInput } from "../../lib/money";

export const MOVE_KINDS: MoveKind[] = ["authorise", "capture", "refund", "cancel"];

export type MoveForm = {
  mode: "amount" | "items";
  amount: string;
  comment: string;
  /** reference_id → units chosen. */
  quantities: Record<string, number>;
  /** A capture's carrier and tracking number (the core defaults the carrier). */
  shippingCompany: string;
  trackingNumber: string;
};

/** What is left to move for this kind (the field's default and its hint). */
export function remainingFor(kind: MoveKind, amounts: Amounts): string | null {
  switch (kind) {
    case "capture":
      return amounts.capturable;
    case "refund":
      return amounts.refundable;
    case "cancel":
      return amounts.cancelable;
    default:
      return null;
  }
}

/** Capture is the one move the core takes item lines for. */
export function supportsItems(kind: MoveKind): boolean {
  return kind === "capture";
}

export function initialForm(kind: MoveKind, amounts: Amounts): MoveForm {
  return { mode: "amount", amount: remainingFor(kind, amounts) ?? "", comment: "", quantities: {}, shippingCompany: "", trackingNumber: "" };
}

/** Lines a capture by items can name: the core matches them by `reference_id`. */
export function selectableItems(items: ItemRow[]): (ItemRow & { reference_id: string })[] {
  return items.filter((it): it is ItemRow & { reference_id: string } => !!it.reference_id);
}

/** Input that cannot be sent at all; everything else goes to the core, whose refusal is shown. */
export type LocalProblem = { code: "amount_format" | "items_required" };

export function buildMoveInput(
  kind: MoveKind,
  orderId: string,
  form: MoveForm,
  items: ItemRow[],
): { input: MoveInput } | { problem: LocalProblem } {
  const text = (s: string) => (s.trim() === "" ? null : s.trim());
  const comment = text(form.comment);
  const base: MoveInput = { kind, order_id: orderId, amount: null, items: null, comment };
  if (kind === "capture") {
    base.shipping_company = text(form.shippingCompany);
    base.tracking_number = text(form.trackingNumber);
  }
  if (kind === "authorise") return { input: base };
  if (form.mode === "items" && supportsItems(kind)) {
    const chosen = selectableItems(items)
      .map((it) => ({ reference_id: it.reference_id, quantity: form.quantities[it.reference_id] ?? 0 }))
      .filter((it) => it.quantity > 0);
    if (chosen.length === 0) return { problem: { code: "items_required" } };
    return { input: { ...base, items: chosen } };
  }
  const amount = normalizeAmountInput(form.amount);
  if (amount === "") return { input: base };
  if (!isAmountInput(amount)) return { problem: { code: "amount_format" } };
  return { input: { ...base, amount } };
}

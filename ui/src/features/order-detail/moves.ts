// The move dialog's pure part: what the form holds and the `MoveInput` it becomes. Range checks
// (more than refundable, nothing left) are the core's job and come back as refusals with their
// code; here only what cannot be sent at all is caught.
import type { MoveInput, MoveKind, OrderAmounts, OrderItem } from "../../ipc";
import { isAmountInput, normalizeAmountInput } from "../../lib/money";

export const MOVE_KINDS: MoveKind[] = ["authorise", "capture", "refund", "cancel"];

export type MoveForm = {
  mode: "amount" | "items";
  amount: string;
  comment: string;
  /** reference_id → units chosen. */
  quantities: Record<string, number>;
};

/** What is left to move for this kind (the field's default and its hint). */
export function remainingFor(kind: MoveKind, amounts: OrderAmounts): string | null {
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

export function initialForm(kind: MoveKind, amounts: OrderAmounts): MoveForm {
  return { mode: "amount", amount: remainingFor(kind, amounts) ?? "", comment: "", quantities: {} };
}

/** Input that cannot be sent at all; everything else goes to the core, whose refusal is shown. */
export type LocalProblem = { code: "amount_format" | "items_required" };

export function buildMoveInput(
  kind: MoveKind,
  orderId: string,
  form: MoveForm,
  items: OrderItem[],
): { input: MoveInput } | { problem: LocalProblem } {
  const comment = form.comment.trim() === "" ? null : form.comment.trim();
  if (kind === "authorise") return { input: { kind, order_id: orderId, amount: null, items: null, comment } };
  if (form.mode === "items" && supportsItems(kind)) {
    const chosen = items
      .map((it) => ({ reference_id: it.reference_id, quantity: form.quantities[it.reference_id] ?? 0 }))
      .filter((it) => it.quantity > 0);
    if (chosen.length === 0) return { problem: { code: "items_required" } };
    return { input: { kind, order_id: orderId, amount: null, items: chosen, comment } };
  }
  const amount = normalizeAmountInput(form.amount);
  if (amount === "") return { input: { kind, order_id: orderId, amount: null, items: null, comment } };
  if (!isAmountInput(amount)) return { problem: { code: "amount_format" } };
  return { input: { kind, order_id: orderId, amount, items: null, comment } };
}

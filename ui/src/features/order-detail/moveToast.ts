// The toast a money move leaves behind, so the operator sees what happened even after closing
// the dialog: "Captured 120.00 SAR on DEMO-000046", a refusal's translated hint, or a summary of
// a bulk move. Amounts come exact from the shell (decimal strings), grouped like elsewhere.
import type { TFunction } from "i18next";
import { toast } from "sonner";
import { toIpcError, type MoveKind, type MoveResult, type OrderDetail } from "../../ipc";
import { decimalPlaces, groupThousands, toScaled } from "../../lib/money";

/** `after − before` as a decimal string, exactly (the larger scale of the two). */
export function difference(after: string, before: string): string {
  const scale = Math.max(decimalPlaces(after), decimalPlaces(before));
  const d = toScaled(after, scale) - toScaled(before, scale);
  const negative = d < 0n;
  const digits = (negative ? -d : d).toString().padStart(scale + 1, "0");
  const body = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return (negative ? "-" : "") + body;
}

const MOVED_FIELD = { capture: "captured", refund: "refunded", cancel: "canceled" } as const;

/** What the move took: the change in the order's amounts, else what was asked for. */
export function amountMoved(kind: MoveKind, before: OrderDetail, after: OrderDetail, asked: string | null | undefined): string {
  if (kind === "authorise") return before.order.total;
  const field = MOVED_FIELD[kind];
  try {
    const d = difference(after.amounts[field], before.amounts[field]);
    if (!d.startsWith("-") && /[1-9]/.test(d)) return d;
  } catch {
    // Amounts the shell did not send as decimals: fall back to what was asked for.
  }
  return asked ?? before.amounts[kind === "capture" ? "capturable" : kind === "refund" ? "refundable" : "cancelable"];
}

/** An amount for a sentence, kept left-to-right inside Arabic text. */
export function moneyText(amount: string, currency: string, lang: string): string {
  const text = `${groupThousands(amount)} ${currency}`;
  return lang === "ar" ? `\u2066${text}\u2069` : text;
}

export function toastMoveResult(t: TFunction, lang: string, kind: MoveKind, reference: string, amount: string, currency: string, result: MoveResult): void {
  const vars = { reference, amount: moneyText(amount, currency, lang) };
  if (result.outcome === "succeeded") toast.success(t(`toast.moved.${kind}`, vars));
  else if (result.outcome === "already_recorded") toast.info(t("toast.already", vars));
  else if (result.outcome === "failed") toast.error(t(`toast.failed.${kind}`, vars), { description: result.detail || undefined });
  else toast.warning(t("toast.unknown", vars));
}

export function toastMoveError(t: TFunction, kind: MoveKind, reference: string, error: unknown): void {
  const e = toIpcError(error);
  toast.error(t(`toast.failed.${kind}`, { reference }), { description: t(`errors.${e.code}`, { defaultValue: e.message }) });
}

/** One summary for a bulk move: how many moved, and how many did not with the first reason. */
export function toastBulk(t: TFunction, kind: "capture" | "cancel", moved: number, failed: { code: string; message: string }[]): void {
  if (moved > 0) toast.success(t(`toast.bulkMoved.${kind}`, { n: moved }));
  const first = failed[0];
  if (first) toast.error(t("toast.bulkFailed", { n: failed.length }), { description: t(`errors.${first.code}`, { defaultValue: first.message }) });
}

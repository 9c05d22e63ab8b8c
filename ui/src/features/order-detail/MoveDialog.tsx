// Authorise / capture / refund / cancel. The dialog asks the core for the exact request
// (move_preview) as the operator types, shows it, and only a request that was previewed for the
// current input can be sent. In production the operator also types the order reference.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ipc, toIpcError, type MoveKind, type MoveResult, type OrderDetail } from "../../ipc";
import { qk } from "../../app/queryKeys";
import { Amount } from "../../components/Amount";
import { Dialog } from "../../components/Dialog";
import { guiMessage } from "../../lib/guiMessage";
import { useDebounced } from "../../lib/useDebounced";
import { buildMoveInput, initialForm, remainingFor, selectableItems, supportsItems, type MoveForm } from "./moves";
import { MoveItemsPicker } from "./MoveItemsPicker";
import { MoveProblem, MovePreviewBlock } from "./MovePreviewBlock";
import { amountMoved, toastMoveError, toastMoveResult } from "./moveToast";

const PREVIEW_PAUSE_MS = 300;
/** Moves that take money back or end the order: their Send is styled as dangerous. */
const DESTRUCTIVE: MoveKind[] = ["refund", "cancel"];

export function MoveDialog({ kind, detail, onClose }: { kind: MoveKind; detail: OrderDetail; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const order = detail.order;
  const [form, setForm] = useState<MoveForm>(() => initialForm(kind, detail.amounts));
  const [confirmText, setConfirmText] = useState("");
  const [done, setDone] = useState<MoveResult | null>(null);
  // Problems show once the operator has tried (edited the form or pressed Send), never on open.
  const [tried, setTried] = useState(false);

  const built = buildMoveInput(kind, order.order_id, form, detail.items);
  const input = "input" in built ? built.input : null;
  const inputKey = input ? JSON.stringify(input) : "";
  const [settledKey] = useDebounced(inputKey, PREVIEW_PAUSE_MS, inputKey);
  const preview = useQuery({
    queryKey: ["move-preview", settledKey],
    queryFn: () => ipc.movePreview(JSON.parse(settledKey)),
    enabled: settledKey !== "" && settledKey === inputKey && !done,
    retry: false,
    staleTime: 0,
    gcTime: 0,
  });
  const current = settledKey === inputKey && preview.isSuccess ? preview.data : null;
  const needsConfirmation = current?.needs_confirmation ?? false;
  const confirmed = !needsConfirmation || confirmText.trim() === order.reference;

  const execute = useMutation({
    mutationFn: () => ipc.moveExecute(JSON.parse(inputKey), needsConfirmation ? confirmText.trim() : null),
    onSuccess: (result) => {
      client.setQueryData(qk.order(order.order_id), result.order);
      void client.invalidateQueries({ queryKey: qk.orders });
      void client.invalidateQueries({ queryKey: qk.attention });
      setDone(result);
      toastMoveResult(t, i18n.language, kind, order.reference, amountMoved(kind, detail, result.order, input?.amount), order.currency, result);
    },
    onError: (e) => toastMoveError(t, kind, order.reference, e),
  });

  // Any edit makes an earlier send's refusal history: the new input gets its own preview.
  const set = (patch: Partial<MoveForm>) => {
    execute.reset();
    setTried(true);
    setForm((f) => ({ ...f, ...patch }));
  };

  const remaining = remainingFor(kind, detail.amounts);
  const title = t(`move.title.${kind}`, { reference: order.reference });

  if (done) {
    return (
      <Dialog title={title} onClose={onClose} testId="move-dialog">
        <div className="move-done" data-testid="move-done" data-outcome={done.outcome} role="status">
          <strong>{t(`move.outcome.${done.outcome}`, { defaultValue: done.outcome })}</strong>
          {guiMessage(done.detail) && <p dir="auto">{guiMessage(done.detail)}</p>}
        </div>
        <footer className="dialog-footer">
          <button type="button" onClick={onClose} autoFocus>
            {t("common.close")}
          </button>
        </footer>
      </Dialog>
    );
  }

  const problem = "problem" in built ? built.problem : null;
  const refusal = execute.error ?? (settledKey === inputKey ? preview.error : null);
  const canSubmit = !!current && confirmed && !execute.isPending;
  return (
    <Dialog title={title} onClose={onClose} testId="move-dialog" wide>
      <form
        className="move-form"
        onSubmit={(e) => {
          e.preventDefault();
          setTried(true);
          if (canSubmit) execute.mutate();
        }}
      >
        {remaining !== null && (
          <p className="muted">
            {t(`move.remaining.${kind}`)} <Amount value={remaining} currency={order.currency} />
          </p>
        )}
        {kind === "authorise" && <p>{t("move.authoriseExplain")}</p>}
        {supportsItems(kind) && selectableItems(detail.items).length > 0 && (
          <div className="segmented" role="radiogroup" aria-label={t("move.mode")}>
            {(["amount", "items"] as const).map((m) => (
              <button key={m} type="button" role="radio" aria-checked={form.mode === m} onClick={() => set({ mode: m })}>
                {t(`move.by.${m}`)}
              </button>
            ))}
          </div>
        )}
        {kind !== "authorise" && form.mode === "amount" && (
          <label>
            <span>{t("move.amount", { currency: order.currency })}</span>
            <span className="amount-field">
              <input
                data-testid="move-amount"
                dir="ltr"
                inputMode="decimal"
                className="amount-input"
                value={form.amount}
                aria-invalid={problem?.code === "amount_format"}
                onChange={(e) => set({ amount: e.target.value })}
              />
              <span className="currency">{order.currency}</span>
              {remaining && (
                <button type="button" className="ghost" onClick={() => set({ amount: remaining })}>
                  {t("move.all")}
                </button>
              )}
            </span>
          </label>
        )}
        {kind !== "authorise" && form.mode === "items" && (
          <MoveItemsPicker items={detail.items} currency={order.currency} quantities={form.quantities} onChange={(q) => set({ quantities: q })} />
        )}
        {kind === "capture" && (
          <div className="form-row">
            <label className="grow">
              <span>{t("move.carrier")}</span>
              <input value={form.shippingCompany} placeholder={t("move.carrierPlaceholder")} onChange={(e) => set({ shippingCompany: e.target.value })} data-testid="move-carrier" />
            </label>
            <label className="grow">
              <span>{t("move.tracking")}</span>
              <input dir="ltr" value={form.trackingNumber} onChange={(e) => set({ trackingNumber: e.target.value })} data-testid="move-tracking" />
            </label>
          </div>
        )}
        <label>
          <span>{kind === "refund" ? t("move.commentRequired") : t("move.comment")}</span>
          <textarea data-testid="move-comment" rows={2} value={form.comment} onChange={(e) => set({ comment: e.target.value })} />
        </label>

        <MovePreviewBlock preview={current} loading={!!input && !current && !refusal && !problem} />
        {tried && problem && <MoveProblem code={problem.code} message={t(`move.problem.${problem.code}`)} />}
        {tried && !problem && refusal && <MoveProblem code={toIpcError(refusal).code} message={toIpcError(refusal).message} />}

        {needsConfirmation && (
          <label className="confirm-field">
            <span>{t("move.confirmLabel", { reference: order.reference })}</span>
            <input
              data-testid="move-confirm-text"
              autoComplete="off"
              spellCheck={false}
              dir="ltr"
              value={confirmText}
              placeholder={current?.confirm_hint || order.reference}
              onChange={(e) => setConfirmText(e.target.value)}
            />
          </label>
        )}
        <footer className="dialog-footer">
          <button type="button" className="ghost" onClick={onClose} data-testid="move-close">
            {kind === "cancel" ? t("move.keepOrder") : t("common.close")}
          </button>
          <button type="submit" className={needsConfirmation || DESTRUCTIVE.includes(kind) ? "danger" : "primary"} data-testid="move-submit" disabled={!canSubmit && tried}>
            {execute.isPending ? t("move.sending") : t(`move.submit.${kind}`)}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}

// Capture or cancel several selected orders: one confirmation listing each order with the exact
// amount that will be sent (what is left to capture or cancel, read fresh), then one guarded
// move per order through the same `move_execute` path as the order screen; the core re-checks
// each (status, amount) and refuses what is no longer possible. Each outcome is shown on its
// line. Not offered in production, where every move needs its own order reference typed.
import { useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ipc, toIpcError, type OrderDetail } from "../../ipc";
import { qk } from "../../app/queryKeys";
import { Amount } from "../../components/Amount";
import { Dialog } from "../../components/Dialog";
import { toastBulk } from "../order-detail/moveToast";

export type BulkKind = "capture" | "cancel";
type Outcome = { ok: true } | { ok: false; code: string; message: string };

const amountFor = (kind: BulkKind, d: OrderDetail) => (kind === "capture" ? d.amounts.capturable : d.amounts.cancelable);

export function BulkMoveDialog({ kind, orderIds, onClose }: { kind: BulkKind; orderIds: string[]; onClose: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const info = useQuery({ queryKey: qk.appInfo, queryFn: () => ipc.appInfo() });
  const details = useQueries({ queries: orderIds.map((id) => ({ queryKey: qk.order(id), queryFn: () => ipc.orderDetail(id) })) });
  const [outcomes, setOutcomes] = useState<Record<string, Outcome>>({});
  const [running, setRunning] = useState(false);
  const loaded = details.every((d) => d.data);
  const production = info.data?.environment === "production";
  const movable = details.flatMap((d) => (d.data && d.data.allowed[kind] ? [d.data] : []));
  const started = Object.keys(outcomes).length > 0;

  const run = async () => {
    setRunning(true);
    let moved = 0;
    const failed: { code: string; message: string }[] = [];
    for (const d of movable) {
      try {
        const r = await ipc.moveExecute({ kind, order_id: d.order.order_id, amount: amountFor(kind, d) }, null);
        client.setQueryData(qk.order(d.order.order_id), r.order);
        setOutcomes((o) => ({ ...o, [d.order.order_id]: { ok: true } }));
        if (r.outcome === "succeeded" || r.outcome === "already_recorded") moved += 1;
        else failed.push({ code: r.outcome === "failed" ? "move_rejected" : "move_outcome_unknown", message: r.detail });
      } catch (e) {
        const err = toIpcError(e);
        setOutcomes((o) => ({ ...o, [d.order.order_id]: { ok: false, code: err.code, message: err.message } }));
        failed.push({ code: err.code, message: err.message });
      }
    }
    toastBulk(t, kind, moved, failed);
    void client.invalidateQueries({ queryKey: qk.orders });
    void client.invalidateQueries({ queryKey: qk.attention });
    setRunning(false);
  };

  return (
    <Dialog title={t(`orders.bulk.title.${kind}`, { n: orderIds.length })} onClose={onClose} testId="bulk-dialog" wide>
      {production && <p className="notice warn-text">{t("orders.bulk.production")}</p>}
      <table className="bulk-list">
        <tbody>
          {details.map((q, i) => {
            const d = q.data;
            const id = orderIds[i] ?? "";
            const outcome = outcomes[id];
            return (
              <tr key={id} data-testid="bulk-line" data-order-id={id}>
                <td className="mono">{d?.order.reference ?? id}</td>
                <td dir="auto">{d?.order.customer ?? ""}</td>
                <td className="end">{d && (d.allowed[kind] ? <Amount value={amountFor(kind, d)} currency={d.order.currency} testId="bulk-amount" /> : t("orders.bulk.skipped", { status: t(`status.${d.order.status}`, { defaultValue: d.order.status }) }))}</td>
                <td data-testid="bulk-outcome">
                  {outcome && (outcome.ok ? t("orders.bulk.done") : <span className="warn-text" title={outcome.message}>{t(`errors.${outcome.code}`, { defaultValue: outcome.message })}</span>)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <footer className="dialog-footer">
        <button type="button" className="ghost" onClick={onClose}>
          {started ? t("common.close") : t("common.cancel")}
        </button>
        {!started && (
          <button type="button" className={kind === "cancel" ? "danger" : "primary"} data-testid="bulk-confirm" disabled={!loaded || production || running || movable.length === 0} onClick={() => void run()}>
            {t(`orders.bulk.confirm.${kind}`, { n: movable.length })}
          </button>
        )}
      </footer>
    </Dialog>
  );
}

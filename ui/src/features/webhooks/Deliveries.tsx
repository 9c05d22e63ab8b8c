// Every notification the receiver got, newest first: its verdict (verified / rejected / invalid
// body), what processing did, and the raw request. New deliveries arrive by event.
import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ipc, type DeliveriesFilter, type DeliveryRow } from "../../ipc";
import { qk } from "../../app/queryKeys";
import { navigate } from "../../app/router";
import { Empty, ErrorState, Loading } from "../../components/States";
import { formatDateTime } from "../../lib/time";
import { useDebounced } from "../../lib/useDebounced";
import { DeliveryDetailDialog } from "./DeliveryDetailDialog";

const LIMIT = 50;
const VERDICTS = ["verified", "rejected", "invalid_body"];

export function verdictTone(v: string): string {
  return v === "verified" ? "ok" : v === "rejected" ? "bad" : "warn";
}

export function processingTone(s: string): string {
  return s === "processed" ? "ok" : s === "failed" ? "bad" : s === "pending" ? "info" : "muted";
}

export function Deliveries() {
  const { t, i18n } = useTranslation();
  const [orderId, setOrderId] = useState("");
  const [verdict, setVerdict] = useState("");
  const [settledOrder] = useDebounced(orderId.trim(), 250);
  const filter: DeliveriesFilter = { order_id: settledOrder || null, verdict: verdict || null, before_id: null, limit: LIMIT };
  const q = useInfiniteQuery({
    queryKey: qk.deliveriesPage(filter),
    queryFn: ({ pageParam }) => ipc.deliveriesPage({ ...filter, before_id: pageParam }),
    initialPageParam: null as number | null,
    getNextPageParam: (last: DeliveryRow[]) => (last.length < LIMIT ? undefined : (last[last.length - 1]?.id ?? undefined)),
  });
  const [open, setOpen] = useState<number | null>(null);
  const rows = q.data?.pages.flat() ?? [];
  return (
    <div className="panel">
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          <span>{t("webhooks.del.orderId")}</span>
          <input dir="ltr" value={orderId} onChange={(e) => setOrderId(e.target.value)} data-testid="delivery-filter-order" />
        </label>
        <label>
          <span>{t("webhooks.del.verdict")}</span>
          <select value={verdict} onChange={(e) => setVerdict(e.target.value)} data-testid="delivery-filter-verdict">
            <option value="">{t("webhooks.del.allVerdicts")}</option>
            {VERDICTS.map((v) => (
              <option key={v} value={v}>
                {t(`verdict.${v}`)}
              </option>
            ))}
          </select>
        </label>
      </form>
      {q.isPending ? (
        <Loading />
      ) : q.error ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : rows.length === 0 ? (
        <Empty title={t("webhooks.del.emptyTitle")} hint={t(settledOrder || verdict ? "webhooks.del.emptyFiltered" : "webhooks.del.emptyHint")} />
      ) : (
        <>
          <table className="data-table clickable" data-testid="delivery-list">
            <thead>
              <tr>
                <th>#</th>
                <th>{t("webhooks.del.received")}</th>
                <th>{t("webhooks.del.event")}</th>
                <th>{t("webhooks.del.order")}</th>
                <th>{t("webhooks.del.verdict")}</th>
                <th>{t("webhooks.del.processing")}</th>
                <th>{t("webhooks.del.reason")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} data-testid="delivery-row" data-verdict={r.verdict} tabIndex={0} onClick={() => setOpen(r.id)} onKeyDown={(e) => e.key === "Enter" && setOpen(r.id)}>
                  <td className="mono">{r.id}</td>
                  <td>{formatDateTime(r.received_at, i18n.language)}</td>
                  <td className="mono">{r.event_type ?? "—"}</td>
                  <td>
                    {r.order_id ? (
                      <button
                        type="button"
                        className="link mono"
                        onClick={(e) => {
                          e.stopPropagation();
                          navigate({ screen: "orders", orderId: r.order_id ?? "" });
                        }}
                      >
                        <bdi dir="ltr">{r.order_id.slice(0, 8)}…</bdi>
                      </button>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td>
                    <span className={`badge tone-${verdictTone(r.verdict)}`}>{t(`verdict.${r.verdict}`, { defaultValue: r.verdict })}</span>
                  </td>
                  <td>
                    <span className={`badge tone-${processingTone(r.processing_state)}`}>
                      {t(`processing.${r.processing_state}`, { defaultValue: r.processing_state })}
                    </span>
                  </td>
                  <td className="muted" dir="auto">
                    {r.reason ?? r.processing_result ?? ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {q.hasNextPage && (
            <button type="button" className="ghost" onClick={() => void q.fetchNextPage()} disabled={q.isFetchingNextPage}>
              {t("webhooks.del.older")}
            </button>
          )}
        </>
      )}
      {open !== null && <DeliveryDetailDialog id={open} onClose={() => setOpen(null)} />}
    </div>
  );
}

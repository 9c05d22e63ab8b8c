// One order: status, amounts, the actions its state allows, items, the merged timeline (with the
// statements that settled it) and the raw order as the gateway sent it.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { ipc, type MoveKind } from "../../ipc";
import { qk } from "../../app/queryKeys";
import { useMarkReady } from "../../app/ready";
import { hrefFor } from "../../app/router";
import { isTyping } from "../../app/shortcuts";
import { JsonViewer } from "../../components/JsonViewer";
import { PrintStatement } from "./PrintStatement";
import { StatusBadge } from "../../components/StatusBadge";
import { ErrorState, Loading } from "../../components/States";
import { formatDateTime } from "../../lib/time";
import { AmountsPanel } from "./AmountsPanel";
import { Contact } from "./Contact";
import { ItemsTable } from "./ItemsTable";
import { MoveDialog } from "./MoveDialog";
import { MOVE_KINDS } from "./moves";
import { Settlements } from "./Settlements";
import { Timeline } from "./Timeline";
import { useMoveRequests } from "./moveRequests";
import { RehearsalMark } from "../orders/RehearsalMark";

const SHORTCUT: Record<string, MoveKind> = { a: "authorise", c: "capture", r: "refund", x: "cancel" };
const KEY_OF: Record<MoveKind, string> = { authorise: "A", capture: "C", refund: "R", cancel: "X" };

export function OrderDetailScreen({ orderId }: { orderId: string }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const q = useQuery({ queryKey: qk.order(orderId), queryFn: () => ipc.orderDetail(orderId) });
  const refresh = useMutation({
    mutationFn: () => ipc.orderRefresh(orderId),
    onSuccess: (d) => client.setQueryData(qk.order(orderId), d),
  });
  const [move, setMove] = useState<MoveKind | null>(null);
  useMarkReady(!q.isPending);

  const allowed = q.data?.allowed;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (move || isTyping(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      const kind = SHORTCUT[e.key.toLowerCase()];
      if (kind && allowed?.[kind]) {
        e.preventDefault();
        setMove(kind);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [allowed, move]);

  useMoveRequests(
    useCallback((kind: MoveKind) => {
      if (allowed?.[kind]) setMove(kind);
    }, [allowed]),
  );

  if (q.isPending) return <Loading label={t("detail.loading")} />;
  if (q.error) {
    return (
      <section className="screen">
        <a className="back" href={hrefFor({ screen: "orders" })}>
          {t("detail.back")}
        </a>
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      </section>
    );
  }
  const d = q.data;
  const o = d.order;
  return (
    <section className="screen order-detail" data-testid="order-detail" data-order-id={o.order_id} aria-labelledby="detail-title">
      <a className="back" href={hrefFor({ screen: "orders" })}>
        {t("detail.back")}
      </a>
      <header className="screen-header">
        <h1 id="detail-title" className="mono">
          {o.reference}
        </h1>
        {o.rehearsal && <RehearsalMark />}
        <StatusBadge status={o.status} testId="order-status" />
        <span className="muted mono small">{o.order_id}</span>
        <span className="spacer" />
        <PrintStatement orderId={o.order_id} />
        <button type="button" className="ghost" onClick={() => refresh.mutate()} disabled={refresh.isPending} data-testid="order-refresh">
          {refresh.isPending ? t("detail.refreshing") : t("detail.refresh")}
        </button>
      </header>
      {refresh.error && <ErrorState error={refresh.error} compact />}
      <p className="muted">
        {t("detail.created", { at: formatDateTime(o.created_at, i18n.language) })}
        {" · "}
        {d.last_synced_at ? t("detail.synced", { at: formatDateTime(d.last_synced_at, i18n.language) }) : t("detail.neverSynced")}
      </p>

      <Contact order={o} />

      {d.unreadable_fields.length > 0 && (
        <p className="notice warn-text" data-testid="unreadable-fields">
          {t("detail.unreadable", { fields: d.unreadable_fields.join(", ") })}
        </p>
      )}
      <AmountsPanel amounts={d.amounts} currency={o.currency} />

      <div className="actions" role="group" aria-label={t("detail.actions")}>
        {MOVE_KINDS.map((k) => (
          <button
            key={k}
            type="button"
            className={k === "refund" || k === "cancel" ? "secondary" : "primary"}
            data-testid={`action-${k}`}
            disabled={!d.allowed[k]}
            title={d.allowed[k] ? t("detail.shortcut", { key: KEY_OF[k] }) : t("detail.notAllowed", { status: t(`status.${o.status}`, { defaultValue: o.status }) })}
            onClick={() => setMove(k)}
          >
            {t(`actions.${k}`)}
            <kbd aria-hidden="true">{KEY_OF[k]}</kbd>
          </button>
        ))}
      </div>

      <div className="detail-grid">
        <section className="panel">
          <h2>{t("detail.timeline")}</h2>
          <Timeline entries={d.timeline} />
          <Settlements lines={d.settlements} />
        </section>
        <section className="panel">
          <h2>{t("detail.items")}</h2>
          <ItemsTable items={d.items} currency={o.currency} />
          <h2>{t("detail.raw")}</h2>
          {d.raw_order ? <JsonViewer text={d.raw_order} testId="raw-order" /> : <p className="muted">{t("detail.noRaw")}</p>}
        </section>
      </div>
      {move && <MoveDialog kind={move} detail={d} onClose={() => setMove(null)} />}
    </section>
  );
}

// Disputes: every dispute Tamara told this console about (by its events, or by the dispute list
// where one is configured), with its status and the days left to respond; a comment on an open
// one where the list is configured; and the dispute events whose shape named no dispute, kept as
// sent. Outside text is rendered as text, never as markup.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ipc, type DisputeListRow } from "../../ipc";
import { qk } from "../../app/queryKeys";
import { hrefFor } from "../../app/router";
import { Amount } from "../../components/Amount";
import { Empty, ErrorState, Loading } from "../../components/States";
import { formatDateTime } from "../../lib/time";
import { CommentDialog } from "./CommentDialog";

function DaysLeft({ row }: { row: DisputeListRow }) {
  const { t } = useTranslation();
  if (row.days_left === null) return <span className="muted">—</span>;
  const tone = row.days_left < 0 ? "bad" : row.days_left <= 2 ? "warn" : "ok";
  const text = row.days_left < 0 ? t("disputes.overdue", { n: -row.days_left }) : t("disputes.daysLeft", { n: row.days_left });
  return (
    <span className={`badge tone-${tone}`} data-testid="dispute-days" data-days={row.days_left}>
      {text}
    </span>
  );
}

export function DisputesScreen() {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const [openOnly, setOpenOnly] = useState(false);
  const [commenting, setCommenting] = useState<string | null>(null);
  const list = useQuery({ queryKey: qk.disputes(openOnly), queryFn: () => ipc.disputesList(openOnly) });
  const refresh = useMutation({
    mutationFn: () => ipc.disputesRefresh(),
    onSuccess: () => void client.invalidateQueries({ queryKey: qk.disputesAll }),
  });

  return (
    <section className="screen" aria-labelledby="disputes-title">
      <header className="screen-header">
        <h1 id="disputes-title">{t("disputes.title")}</h1>
      </header>
      <div className="panel">
        <div className="toolbar">
          <p className="muted grow">{list.data ? t("disputes.explain", { days: list.data.response_days }) : null}</p>
          <label className="inline">
            <input type="checkbox" checked={openOnly} onChange={(e) => setOpenOnly(e.target.checked)} data-testid="disputes-open-only" />{" "}
            {t("disputes.openOnly")}
          </label>
          {list.data?.api_configured && (
            <button type="button" className="primary" onClick={() => refresh.mutate()} disabled={refresh.isPending} data-testid="disputes-refresh">
              {t("disputes.refresh")}
            </button>
          )}
        </div>
        {refresh.error && <ErrorState error={refresh.error} compact />}
        {refresh.isSuccess && (
          <p className="muted" role="status" data-testid="disputes-refreshed">
            {t("disputes.refreshed", { n: refresh.data })}
          </p>
        )}
        {list.isPending ? (
          <Loading />
        ) : list.error ? (
          <ErrorState error={list.error} onRetry={() => void list.refetch()} />
        ) : list.data.disputes.length === 0 ? (
          <Empty title={t("disputes.emptyTitle")} hint={t("disputes.emptyHint")} />
        ) : (
          <table className="data-table" data-testid="dispute-list">
            <thead>
              <tr>
                <th>{t("disputes.col.id")}</th>
                <th>{t("disputes.col.order")}</th>
                <th>{t("disputes.col.status")}</th>
                <th>{t("disputes.col.amount")}</th>
                <th>{t("disputes.col.daysLeft")}</th>
                <th>{t("disputes.col.opened")}</th>
                <th>{t("disputes.col.lastEvent")}</th>
                {list.data.api_configured && <th />}
              </tr>
            </thead>
            <tbody>
              {list.data.disputes.map((d) => (
                <tr key={d.dispute_id} data-testid="dispute-row" data-open={d.open}>
                  <td className="mono">{d.dispute_id}</td>
                  <td className="mono small" dir="ltr">
                    {d.order_id ? <a href={hrefFor({ screen: "orders", orderId: d.order_id })}>{d.order_reference_id ?? d.order_id}</a> : "—"}
                  </td>
                  <td>
                    <span className={`badge tone-${d.open ? "warn" : "neutral"}`} dir="ltr">
                      {d.status}
                    </span>
                  </td>
                  <td>{d.amount ? <Amount value={d.amount} currency={d.currency ?? undefined} /> : "—"}</td>
                  <td>
                    <DaysLeft row={d} />
                  </td>
                  <td className="small">{formatDateTime(d.opened_at, i18n.language)}</td>
                  <td className="mono small" dir="ltr">
                    {d.last_event ?? "—"}
                  </td>
                  {list.data.api_configured && (
                    <td className="row-actions">
                      {d.open && /^\d+$/.test(d.dispute_id) && (
                        <button type="button" className="ghost" onClick={() => setCommenting(d.dispute_id)} data-testid="dispute-comment">
                          {t("disputes.comment")}
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {list.data && list.data.unmatched.length > 0 && (
        <div className="panel" data-testid="dispute-unmatched">
          <h2>{t("disputes.unmatchedTitle", { n: list.data.unmatched.length })}</h2>
          <p className="muted">{t("disputes.unmatchedHint")}</p>
          <ul className="plain">
            {list.data.unmatched.map((e, i) => (
              <li key={`${e.delivery_id ?? "x"}-${i}`} data-testid="dispute-unmatched-event">
                <span className="mono small" dir="ltr">
                  {e.event_type}
                </span>{" "}
                <span className="muted small">{formatDateTime(e.received_at, i18n.language)}</span>
                <pre className="mono small" dir="ltr">
                  {e.body}
                </pre>
              </li>
            ))}
          </ul>
        </div>
      )}
      {commenting && <CommentDialog disputeId={commenting} onClose={() => setCommenting(null)} />}
    </section>
  );
}

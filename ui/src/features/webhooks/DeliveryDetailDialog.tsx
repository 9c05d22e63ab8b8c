import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ipc, type DeliveryRow } from "../../ipc";
import { qk } from "../../app/queryKeys";
import { Dialog } from "../../components/Dialog";
import { JsonViewer } from "../../components/JsonViewer";
import { ErrorState, Loading } from "../../components/States";
import { formatDateTime } from "../../lib/time";
import { processingTone, verdictTone } from "./Deliveries";

function Facts({ row }: { row: DeliveryRow }) {
  const { t, i18n } = useTranslation();
  return (
    <>
      <dt>{t("webhooks.del.received")}</dt>
      <dd>{formatDateTime(row.received_at, i18n.language)}</dd>
      <dt>{t("webhooks.del.verdict")}</dt>
      <dd>
        <span className={`badge tone-${verdictTone(row.verdict)}`}>{t(`verdict.${row.verdict}`, { defaultValue: row.verdict })}</span>{" "}
        <span dir="auto">{row.reason}</span>
      </dd>
      <dt>{t("webhooks.del.processing")}</dt>
      <dd data-testid="delivery-processing" data-state={row.processing_state}>
        <span className={`badge tone-${processingTone(row.processing_state)}`}>
          {t(`processing.${row.processing_state}`, { defaultValue: row.processing_state })}
        </span>{" "}
        <span dir="auto">{row.processing_result}</span> {t("webhooks.del.attempts", { n: row.attempts })}
      </dd>
    </>
  );
}

/** One delivery as received (headers and query with secrets masked by the core) and replay. */
export function DeliveryDetailDialog({ id, onClose }: { id: number; onClose: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const q = useQuery({ queryKey: qk.delivery(id), queryFn: () => ipc.deliveryDetail(id) });
  const replay = useMutation({
    mutationFn: () => ipc.deliveryReplay(id),
    onSuccess: (d) => client.setQueryData(qk.delivery(id), d),
    onSettled: () => void client.invalidateQueries({ queryKey: qk.deliveries }),
  });
  return (
    <Dialog title={t("webhooks.del.detailTitle", { id })} onClose={onClose} wide testId="delivery-detail">
      {q.isPending ? (
        <Loading />
      ) : q.error ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <div className="delivery-detail">
          <dl className="facts">
            <dt>{t("webhooks.del.request")}</dt>
            <dd className="mono" dir="ltr">
              {q.data.method} {q.data.path}
              {q.data.query ? `?${q.data.query}` : ""} → {q.data.delivery.http_status}
            </dd>
            <Facts row={q.data.delivery} />
          </dl>
          <h3>{t("webhooks.del.headers")}</h3>
          <JsonViewer text={q.data.headers} />
          <h3>{t("webhooks.del.body")}</h3>
          <JsonViewer text={q.data.body} />
          {replay.error && <ErrorState error={replay.error} compact />}
          {replay.isSuccess && (
            <p className="notice" role="status" data-testid="replay-done">
              {t("webhooks.del.replayed")}
            </p>
          )}
          <footer className="dialog-footer">
            <span className="muted small grow">{t("webhooks.del.replayExplain")}</span>
            <button
              type="button"
              className="primary"
              onClick={() => replay.mutate()}
              disabled={replay.isPending || q.data.delivery.verdict !== "verified"}
              title={q.data.delivery.verdict !== "verified" ? t("errors.delivery_not_replayable") : undefined}
              data-testid="delivery-replay"
            >
              {t("webhooks.del.replay")}
            </button>
          </footer>
        </div>
      )}
    </Dialog>
  );
}

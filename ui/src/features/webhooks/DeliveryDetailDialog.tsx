import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ipc } from "../../ipc";
import { qk } from "../../app/queryKeys";
import { Dialog } from "../../components/Dialog";
import { JsonViewer } from "../../components/JsonViewer";
import { ErrorState, Loading } from "../../components/States";
import { formatDateTime } from "../../lib/time";
import { processingTone, verdictTone } from "./Deliveries";

/** One delivery as received (headers and query with secrets masked by the core) and replay. */
export function DeliveryDetailDialog({ id, onClose }: { id: number; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const q = useQuery({ queryKey: qk.delivery(id), queryFn: () => ipc.deliveryDetail(id) });
  const replay = useMutation({
    mutationFn: () => ipc.deliveryReplay(id),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: qk.delivery(id) });
      void client.invalidateQueries({ queryKey: qk.deliveries });
    },
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
            <dt>{t("webhooks.del.received")}</dt>
            <dd>{formatDateTime(q.data.row.received_at, i18n.language)}</dd>
            <dt>{t("webhooks.del.request")}</dt>
            <dd className="mono" dir="ltr">
              {q.data.method} {q.data.path}
              {q.data.query ? `?${q.data.query}` : ""} → {q.data.row.http_status}
            </dd>
            <dt>{t("webhooks.del.verdict")}</dt>
            <dd>
              <span className={`badge tone-${verdictTone(q.data.row.verdict)}`}>{t(`verdict.${q.data.row.verdict}`, { defaultValue: q.data.row.verdict })}</span>{" "}
              {q.data.row.reason}
            </dd>
            <dt>{t("webhooks.del.processing")}</dt>
            <dd>
              <span className={`badge tone-${processingTone(q.data.row.processing_state)}`}>
                {t(`processing.${q.data.row.processing_state}`, { defaultValue: q.data.row.processing_state })}
              </span>{" "}
              {q.data.processing_result} {t("webhooks.del.attempts", { n: q.data.attempts })}
            </dd>
          </dl>
          <h3>{t("webhooks.del.headers")}</h3>
          <JsonViewer text={q.data.headers_json} />
          <h3>{t("webhooks.del.body")}</h3>
          <JsonViewer text={q.data.body} />
          {replay.error && <ErrorState error={replay.error} compact />}
          {replay.data && (
            <p className="notice" role="status" data-testid="replay-done">
              {replay.data.outcome}: {replay.data.detail}
            </p>
          )}
          <footer className="dialog-footer">
            <span className="muted small grow">{t("webhooks.del.replayExplain")}</span>
            <button type="button" className="primary" onClick={() => replay.mutate()} disabled={replay.isPending} data-testid="delivery-replay">
              {t("webhooks.del.replay")}
            </button>
          </footer>
        </div>
      )}
    </Dialog>
  );
}

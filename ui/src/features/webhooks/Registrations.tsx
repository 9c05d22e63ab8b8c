// Webhook registrations at Tamara: list (which is also how a registration is confirmed),
// register, edit URL and events, delete.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ipc, type WebhookRow } from "../../ipc";
import { qk } from "../../app/queryKeys";
import { Dialog } from "../../components/Dialog";
import { Empty, ErrorState, Loading } from "../../components/States";
import { RegistrationForm } from "./RegistrationForm";

export function Registrations() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const list = useQuery({ queryKey: qk.webhooks, queryFn: () => ipc.webhooksList() });
  const [editing, setEditing] = useState<WebhookRow | "new" | null>(null);
  const [deleting, setDeleting] = useState<WebhookRow | null>(null);
  const done = () => {
    setEditing(null);
    setDeleting(null);
    void client.invalidateQueries({ queryKey: qk.webhooks });
  };
  const remove = useMutation({ mutationFn: (id: string) => ipc.webhookDelete(id), onSuccess: done });

  return (
    <div className="panel">
      <div className="toolbar">
        <p className="muted grow">{t("webhooks.reg.explain")}</p>
        <button type="button" className="primary" onClick={() => setEditing("new")} data-testid="webhook-register">
          {t("webhooks.reg.register")}
        </button>
      </div>
      {list.isPending ? (
        <Loading />
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.length === 0 ? (
        <Empty title={t("webhooks.reg.emptyTitle")} hint={t("webhooks.reg.emptyHint")} />
      ) : (
        <table className="data-table" data-testid="webhook-list">
          <thead>
            <tr>
              <th>{t("webhooks.reg.id")}</th>
              <th>{t("webhooks.reg.url")}</th>
              <th>{t("webhooks.reg.events")}</th>
              <th>{t("webhooks.reg.headers")}</th>
              <th>{t("webhooks.reg.status")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.map((w) => (
              <tr key={w.webhook_id} data-testid="webhook-row" data-known={w.known_to_tamara}>
                <td className="mono small">{w.webhook_id}</td>
                <td className="mono" dir="ltr">
                  {w.url}
                </td>
                <td className="mono small">{w.events.length ? w.events.join(", ") : t("webhooks.reg.allEvents")}</td>
                <td className="mono small">{w.headers.join(", ") || "—"}</td>
                <td>
                  <span className={`badge tone-${w.known_to_tamara ? "ok" : "bad"}`}>
                    {w.known_to_tamara ? t("webhooks.reg.confirmed") : t("webhooks.reg.notListed")}
                  </span>{" "}
                  {w.registered_here && <span className="badge tone-neutral">{t("webhooks.reg.here")}</span>}
                </td>
                <td className="row-actions">
                  <button type="button" className="ghost" onClick={() => setEditing(w)}>
                    {t("common.edit")}
                  </button>
                  <button type="button" className="ghost danger-text" onClick={() => setDeleting(w)}>
                    {t("common.delete")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editing && (
        <Dialog title={editing === "new" ? t("webhooks.reg.register") : t("webhooks.reg.edit")} onClose={() => setEditing(null)} wide>
          <RegistrationForm existing={editing === "new" ? null : editing} onDone={done} />
        </Dialog>
      )}
      {deleting && (
        <Dialog title={t("webhooks.reg.deleteTitle")} onClose={() => setDeleting(null)}>
          <p>{t("webhooks.reg.deleteConfirm", { url: deleting.url })}</p>
          {remove.error && <ErrorState error={remove.error} compact />}
          <footer className="dialog-footer">
            <button type="button" className="ghost" onClick={() => setDeleting(null)}>
              {t("common.close")}
            </button>
            <button type="button" className="danger" disabled={remove.isPending} onClick={() => remove.mutate(deleting.webhook_id)}>
              {t("common.delete")}
            </button>
          </footer>
        </Dialog>
      )}
    </div>
  );
}

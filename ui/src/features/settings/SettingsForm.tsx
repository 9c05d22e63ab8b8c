import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { ipc, type Settings } from "../../ipc";
import { qk } from "../../app/queryKeys";
import { ErrorState, Loading } from "../../components/States";

/** Receiver port and public URL, auto-authorise, reconciler interval, operator name. */
export function SettingsForm() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const q = useQuery({ queryKey: qk.settings, queryFn: () => ipc.settings() });
  const [draft, setDraft] = useState<Settings | null>(null);
  useEffect(() => {
    if (q.data) setDraft(q.data);
  }, [q.data]);
  const save = useMutation({
    mutationFn: (s: Settings) => ipc.settingsSave(s),
    onSuccess: (s) => {
      client.setQueryData(qk.settings, s ?? draft);
      void client.invalidateQueries({ queryKey: qk.appInfo });
    },
  });
  if (q.isPending) return <Loading />;
  if (q.error) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  if (!draft) return null;
  const set = (patch: Partial<Settings>) => {
    save.reset();
    setDraft({ ...draft, ...patch });
  };
  const portOk = Number.isInteger(draft.receiver_port) && draft.receiver_port > 0 && draft.receiver_port < 65536;
  const everyOk = Number.isInteger(draft.reconcile_every_secs) && draft.reconcile_every_secs >= 10;
  const dayOk = (d: number) => Number.isInteger(d) && d >= 1 && d <= 3650;
  const daysOk = dayOk(draft.retention_rejected_days) && dayOk(draft.retention_processed_days);
  const alertOk = Number.isInteger(draft.rejection_alert_per_10_min) && draft.rejection_alert_per_10_min >= 1;
  const ok = portOk && everyOk && daysOk && alertOk;
  return (
    <section className="panel" aria-labelledby="settings-form-title">
      <h2 id="settings-form-title">{t("settings.form.title")}</h2>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          if (ok) save.mutate(draft);
        }}
      >
        <div className="form-row">
          <label>
            <span>{t("settings.form.port")}</span>
            <input type="number" min={1} max={65535} value={draft.receiver_port} aria-invalid={!portOk} onChange={(e) => set({ receiver_port: Number(e.target.value) })} />
          </label>
          <label className="grow">
            <span>{t("settings.form.publicUrl")}</span>
            <input dir="ltr" value={draft.public_url ?? ""} placeholder="https://" onChange={(e) => set({ public_url: e.target.value.trim() || null })} />
          </label>
        </div>
        <p className="muted small">{t("settings.form.publicUrlExplain")}</p>
        <label className="check">
          <input type="checkbox" checked={draft.auto_authorise} onChange={(e) => set({ auto_authorise: e.target.checked })} />
          {t("settings.form.autoAuthorise")}
        </label>
        <div className="form-row">
          <label>
            <span>{t("settings.form.reconcileEvery")}</span>
            <input type="number" min={10} value={draft.reconcile_every_secs} aria-invalid={!everyOk} onChange={(e) => set({ reconcile_every_secs: Number(e.target.value) })} />
          </label>
          <label className="grow">
            <span>{t("settings.form.operator")}</span>
            <input value={draft.operator} onChange={(e) => set({ operator: e.target.value })} />
          </label>
        </div>
        <fieldset className="form-row">
          <legend>{t("settings.form.inbox")}</legend>
          <label>
            <span>{t("settings.form.keepRejected")}</span>
            <input type="number" min={1} max={3650} value={draft.retention_rejected_days} aria-invalid={!dayOk(draft.retention_rejected_days)} onChange={(e) => set({ retention_rejected_days: Number(e.target.value) })} />
          </label>
          <label>
            <span>{t("settings.form.keepProcessed")}</span>
            <input type="number" min={1} max={3650} value={draft.retention_processed_days} aria-invalid={!dayOk(draft.retention_processed_days)} onChange={(e) => set({ retention_processed_days: Number(e.target.value) })} />
          </label>
          <label>
            <span>{t("settings.form.rejectionAlert")}</span>
            <input type="number" min={1} value={draft.rejection_alert_per_10_min} aria-invalid={!alertOk} onChange={(e) => set({ rejection_alert_per_10_min: Number(e.target.value) })} />
          </label>
        </fieldset>
        <p className="muted small">{t("settings.form.inboxExplain")}</p>
        {!portOk && <p className="field-error">{t("settings.form.badPort")}</p>}
        {!everyOk && <p className="field-error">{t("settings.form.badEvery")}</p>}
        {!daysOk && <p className="field-error">{t("settings.form.badDays")}</p>}
        {!alertOk && <p className="field-error">{t("settings.form.badAlert")}</p>}
        {save.error && <ErrorState error={save.error} compact />}
        {save.isSuccess && (
          <p className="notice ok-text" role="status">
            {t("settings.form.saved")}
          </p>
        )}
        <div>
          <button type="submit" className="primary" disabled={!ok || save.isPending}>
            {t("common.save")}
          </button>
        </div>
      </form>
    </section>
  );
}

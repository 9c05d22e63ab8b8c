import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ipc, type WebhookRow } from "../../ipc";
import { ErrorState } from "../../components/States";

type Header = { name: string; value: string };

/** Register a new webhook (URL, events, extra headers) or change an existing one's URL/events. */
export function RegistrationForm({ existing, onDone }: { existing: WebhookRow | null; onDone: () => void }) {
  const { t } = useTranslation();
  const [url, setUrl] = useState(existing?.url ?? "");
  // The event names come from the core; until the operator picks, a new webhook gets them all.
  const known = useQuery({ queryKey: ["webhook-events"], queryFn: () => ipc.webhookEvents(), staleTime: Infinity });
  const [picked, setEvents] = useState<string[] | null>(existing?.events.length ? existing.events : null);
  const events = picked ?? known.data ?? [];
  const [headers, setHeaders] = useState<Header[]>([]);
  const save = useMutation({
    mutationFn: () => {
      if (existing) return ipc.webhookUpdate(existing.webhook_id, url.trim(), events);
      const map = Object.fromEntries(headers.filter((h) => h.name.trim()).map((h) => [h.name.trim(), h.value]));
      return ipc.webhookRegister(url.trim(), events, map);
    },
    onSuccess: onDone,
  });
  const urlProblem = url.trim() === "" ? null : !/^https:\/\//i.test(url.trim()) ? "https" : url.trim().length > 255 ? "long" : null;
  return (
    <form
      className="form"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <label>
        <span>{t("webhooks.reg.url")}</span>
        <input dir="ltr" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://" aria-invalid={urlProblem === "long"} data-testid="webhook-url" />
        {/* Tamara wants HTTPS; the built-in simulator takes plain HTTP, so that is a warning only. */}
        {urlProblem && <span className={urlProblem === "long" ? "field-error" : "field-warning"}>{t(`webhooks.reg.urlProblem.${urlProblem}`)}</span>}
      </label>
      <fieldset>
        <legend>{t("webhooks.reg.events")}</legend>
        <div className="check-grid">
          {(known.data ?? []).map((ev) => (
            <label key={ev} className="check">
              <input
                type="checkbox"
                checked={events.includes(ev)}
                onChange={(e) => setEvents(e.target.checked ? [...events, ev] : events.filter((x) => x !== ev))}
              />
              <span className="mono">{ev}</span>
            </label>
          ))}
        </div>
      </fieldset>
      {!existing && (
        <fieldset>
          <legend>{t("webhooks.reg.headers")}</legend>
          {headers.map((h, i) => (
            <div key={i} className="inline-form">
              <input dir="ltr" aria-label={t("webhooks.reg.headerName")} value={h.name} onChange={(e) => setHeaders(headers.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)))} />
              <input dir="ltr" aria-label={t("webhooks.reg.headerValue")} value={h.value} onChange={(e) => setHeaders(headers.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))} />
              <button type="button" className="ghost" onClick={() => setHeaders(headers.filter((_, j) => j !== i))}>
                {t("common.remove")}
              </button>
            </div>
          ))}
          <button type="button" className="ghost" onClick={() => setHeaders([...headers, { name: "", value: "" }])}>
            {t("webhooks.reg.addHeader")}
          </button>
        </fieldset>
      )}
      {save.error && <ErrorState error={save.error} compact />}
      <footer className="dialog-footer">
        <button type="submit" className="primary" disabled={!url.trim() || urlProblem === "long" || events.length === 0 || save.isPending}>
          {existing ? t("common.save") : t("webhooks.reg.register")}
        </button>
      </footer>
    </form>
  );
}

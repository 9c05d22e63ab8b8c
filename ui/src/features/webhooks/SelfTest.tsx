// The end-to-end self-test: is the receiver reachable at its public URL, does a signed test
// notification verify and get processed.
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ipc, type SelfTestReport } from "../../ipc";
import { guiMessage } from "../../lib/guiMessage";
import { ErrorState } from "../../components/States";
import { CheckList } from "./CheckList";

/** The headline follows the findings: "works end to end" only when Tamara could deliver too. */
export function headline(r: SelfTestReport): "ok" | "localOnly" | "failed" {
  if (!r.ok || r.findings.some((f) => !f.ok)) return "failed";
  return r.reachable_by_tamara ? "ok" : "localOnly";
}

export function SelfTest() {
  const { t } = useTranslation();
  const [url, setUrl] = useState("");
  const run = useMutation({ mutationFn: () => ipc.webhookSelfTest(url.trim() || null) });
  return (
    <div className="panel">
      <p className="muted">{t("webhooks.self.explain")}</p>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          run.mutate();
        }}
      >
        <input dir="ltr" className="grow" value={url} onChange={(e) => setUrl(e.target.value)} placeholder={t("webhooks.self.urlPlaceholder")} aria-label={t("webhooks.self.url")} />
        <button type="submit" className="primary" disabled={run.isPending} data-testid="self-test-run">
          {run.isPending ? t("webhooks.self.running") : t("webhooks.self.run")}
        </button>
      </form>
      {run.error && <ErrorState error={run.error} compact />}
      {run.data && (
        <div data-testid="self-test-result" data-ok={run.data.ok && run.data.reachable_by_tamara}>
          <p className={headline(run.data) === "ok" ? "ok-text" : headline(run.data) === "failed" ? "bad-text" : "warn-text"}>
            <strong data-testid="self-test-headline">{t(`webhooks.self.${headline(run.data)}`)}</strong>
          </p>
          <p className="muted small mono" dir="ltr">
            {run.data.url}
          </p>
          <CheckList items={run.data.findings.map((f) => ({ key: f.code, ok: f.ok, detail: f.detail }))} />
          {run.data.hints.length > 0 && (
            <ul className="hints">
              {run.data.hints.map(guiMessage).filter(Boolean).map((h) => (
                <li key={h} dir="auto">
                  {h}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

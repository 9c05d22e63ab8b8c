// "Rehearse against the sandbox": the shell runs the go-live scenario and pushes each step.
import { useMutation } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { ipc, onEvent, type RehearsalProgress } from "../../ipc";
import { ErrorState } from "../../components/States";
import { CheckList } from "../webhooks/CheckList";

export function Rehearsal({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const [steps, setSteps] = useState<RehearsalProgress[]>([]);
  const running = useRef(false);
  useEffect(() => onEvent("rehearsalProgress", (p) => running.current && setSteps((s) => [...s, p])), []);
  const run = useMutation({
    mutationFn: () => ipc.checklistRehearse(),
    onMutate: () => {
      running.current = true;
      setSteps([]);
    },
    onSettled: () => {
      running.current = false;
      onDone();
    },
  });
  // The final report is the truth; the live steps are what was seen while it ran.
  const shown = run.data?.steps ?? steps;
  return (
    <section className="panel">
      <h2>{t("checklist.rehearse.title")}</h2>
      <p className="muted">{t("checklist.rehearse.explain")}</p>
      <button type="button" className="primary" onClick={() => run.mutate()} disabled={run.isPending} data-testid="rehearse-run">
        {run.isPending ? t("checklist.rehearse.running") : t("checklist.rehearse.run")}
      </button>
      {run.error && <ErrorState error={run.error} compact />}
      {shown.length > 0 && <CheckList items={shown.map((s) => ({ key: s.step, ok: s.ok, detail: s.detail }))} />}
      {run.data && (
        <p className={run.data.ok ? "ok-text" : "bad-text"} data-testid="rehearse-result" data-ok={run.data.ok}>
          {run.data.ok ? t("checklist.rehearse.ok") : t("checklist.rehearse.failed")}
        </p>
      )}
    </section>
  );
}

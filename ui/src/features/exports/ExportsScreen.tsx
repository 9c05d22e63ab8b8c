// Settlement, audit and orders CSVs: a window of whole days in a chosen time zone (typed as ISO
// days or picked from quick ranges), a target file (typed or picked in the native save dialog)
// and live progress pushed by the shell. Files that exist are replaced only after the operator
// confirms, naming them; the form remembers its values (exportForm.ts).
import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { chooseSavePath, ipc, onEvent, toIpcError, type ExportKind, type ExportProgress } from "../../ipc";
import { qk } from "../../app/queryKeys";
import { useMarkReady } from "../../app/ready";
import { ErrorState } from "../../components/States";
import { DayInput } from "../../components/DayInput";
import { QUICK_RANGES, formatCount, quickRange } from "../../lib/time";
import { suggestedName, switchKind, useExportForm, windowProblem } from "./exportForm";
import { ReplaceDialog } from "./ReplaceDialog";

export { suggestedName } from "./exportForm";

const KINDS: ExportKind[] = ["settlement", "orders", "audit"];
export const ZONES = ["Asia/Riyadh", "UTC", "Asia/Dubai", "Asia/Kuwait", "Asia/Bahrain", "Asia/Qatar", "Asia/Muscat"];

export function ExportsScreen() {
  const { t, i18n } = useTranslation();
  const info = useQuery({ queryKey: qk.appInfo, queryFn: () => ipc.appInfo() });
  const [form, setForm] = useExportForm();
  const { kind, from, to, zone, path } = form;
  const set = (patch: Partial<typeof form>) => setForm({ ...form, ...patch });
  const [progress, setProgress] = useState<ExportProgress | null>(null);
  const [pickError, setPickError] = useState<unknown>(null);
  const [replacing, setReplacing] = useState<string[] | null>(null);
  const env = info.data?.demo ? "demo" : (info.data?.environment ?? "sandbox");
  useMarkReady(true);

  // Listening from mount (not from the click) so the first events of a fast export are not
  // missed while the listener attaches. They carry no total (the export streams), so the bar
  // counts rows until `done`.
  const running = useRef(false);
  useEffect(() => onEvent("exportProgress", (p) => running.current && setProgress(p)), []);
  const run = useMutation({
    mutationFn: (overwrite: boolean) => ipc.exportRun(kind, path.trim(), from || null, to || null, zone.trim() || "UTC", overwrite, null),
    onMutate: () => {
      running.current = true;
      setProgress(null);
    },
    onSettled: () => {
      running.current = false;
    },
    onError: (e) => {
      // Another program made the file between the check and the export: ask then.
      if (toIpcError(e).code === "export_file_exists") void ask();
    },
  });
  const ask = async () => {
    const existing = await ipc.exportExisting(kind, path.trim()).catch(() => []);
    if (existing.length > 0) setReplacing(existing);
    return existing.length > 0;
  };
  const start = async () => {
    run.reset();
    if (!(await ask())) run.mutate(false);
  };

  const choose = async () => {
    setPickError(null);
    try {
      const picked = await chooseSavePath(path || suggestedName(kind, env, from, to), { name: "CSV", extensions: ["csv"] });
      if (picked) set({ path: picked });
    } catch (e) {
      setPickError(e);
    }
  };
  const problem = windowProblem(form);
  const rows = run.data?.rows ?? progress?.rows ?? 0;
  const finished = !!run.data || (progress?.done ?? false);
  const shownError = run.error && toIpcError(run.error).code !== "export_file_exists" ? run.error : null;
  const dayField = (field: "from" | "to", label: string) => (
    <label>
      <span>{label}</span>
      <DayInput testId={`export-${field}`} value={form[field]} onChange={(day) => set(field === "from" ? { from: day } : { to: day })} invalid={problem !== null} />
      {form[field] === "" && <span className="muted small">{t("exports.dayHint")}</span>}
    </label>
  );

  return (
    <section className="screen" aria-labelledby="exports-title">
      <header className="screen-header">
        <h1 id="exports-title">{t("exports.title")}</h1>
      </header>
      <form
        className="form panel"
        onSubmit={(e) => {
          e.preventDefault();
          if (!problem && path.trim() && !run.isPending) void start();
        }}
      >
        <label>
          <span>{t("exports.kind")}</span>
          <select data-testid="export-kind" value={kind} onChange={(e) => setForm(switchKind(form, e.target.value as ExportKind, env))}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`exports.kinds.${k}`)}
              </option>
            ))}
          </select>
          <span className="muted small">{t(`exports.explain.${kind}`)}</span>
        </label>
        <div className="inline-form" role="group" aria-label={t("exports.quick")}>
          <span className="muted small">{t("exports.quick")}</span>
          {QUICK_RANGES.map((r) => (
            <button key={r} type="button" className="ghost" data-testid={`export-range-${r}`} onClick={() => set(quickRange(r, zone.trim() || "UTC", new Date()))}>
              {t(`exports.ranges.${r}`)}
            </button>
          ))}
        </div>
        <div className="form-row">
          {dayField("from", t("exports.from"))}
          {dayField("to", t("exports.to"))}
          <label>
            <span>{t("exports.timezone")}</span>
            <input dir="ltr" list="export-zones" value={zone} onChange={(e) => set({ zone: e.target.value })} data-testid="export-timezone" />
            <datalist id="export-zones">
              {ZONES.map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
          </label>
        </div>
        {problem && <p className="field-error">{t(`exports.${problem}`)}</p>}
        <p className="muted small">{t("exports.windowExplain")}</p>
        <label>
          <span>{t("exports.path")}</span>
          <span className="inline-form">
            <input dir="ltr" className="grow mono" value={path} onChange={(e) => set({ path: e.target.value })} data-testid="export-path" placeholder={t("exports.pathPlaceholder")} />
            <button type="button" className="ghost" onClick={() => void choose()} data-testid="export-choose">
              {t("exports.choose")}
            </button>
          </span>
        </label>
        {pickError !== null && <ErrorState error={pickError} compact />}
        <div>
          <button type="submit" className="primary" data-testid="export-run" disabled={!path.trim() || problem !== null || run.isPending}>
            {run.isPending ? t("exports.running") : t("exports.run")}
          </button>
        </div>
        {(run.isPending || finished) && (
          <div className="export-progress">
            <progress data-testid="export-progress" max={1} value={finished ? 1 : undefined} data-rows={rows} aria-label={t("exports.progress")} />
            <span>{t("exports.rows", { n: formatCount(rows, i18n.language) })}</span>
          </div>
        )}
        {run.data && (
          <p className="notice ok-text" role="status" data-testid="export-done" data-rows={run.data.rows}>
            {t("exports.done", { n: formatCount(run.data.rows, i18n.language), path: run.data.path })}
            {run.data.extra_paths.map((p) => (
              <span key={p} className="mono small">
                {" "}
                + {p}
              </span>
            ))}
          </p>
        )}
        {shownError && <ErrorState error={toIpcError(shownError)} compact />}
      </form>
      {replacing && (
        <ReplaceDialog
          paths={replacing}
          onKeep={() => setReplacing(null)}
          onReplace={() => {
            setReplacing(null);
            run.mutate(true);
          }}
        />
      )}
    </section>
  );
}

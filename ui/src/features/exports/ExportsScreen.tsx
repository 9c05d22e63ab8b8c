// Settlement, audit and orders CSVs: a window of whole days in a chosen time zone, a target file
// (typed or picked in the native save dialog) and live progress pushed by the shell.
import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { chooseSavePath, ipc, onEvent, toIpcError, type ExportKind, type ExportProgress } from "../../ipc";
import { qk } from "../../app/queryKeys";
import { useMarkReady } from "../../app/ready";
import { ErrorState } from "../../components/States";
import { formatCount, localTimeZone } from "../../lib/time";

const KINDS: ExportKind[] = ["settlement", "orders", "audit"];
export const ZONES = ["UTC", "Asia/Riyadh", "Asia/Dubai", "Asia/Kuwait", "Asia/Bahrain", "Asia/Qatar", "Asia/Muscat"];

export function suggestedName(kind: ExportKind, environment: string, from: string, to: string): string {
  const window = from || to ? `-${from || "start"}_${to || "now"}` : "";
  return `mizan-${kind}-${environment}${window}.csv`;
}

export function ExportsScreen() {
  const { t, i18n } = useTranslation();
  const info = useQuery({ queryKey: qk.appInfo, queryFn: () => ipc.appInfo() });
  const [kind, setKind] = useState<ExportKind>("settlement");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [zone, setZone] = useState(() => localTimeZone());
  const [path, setPath] = useState("");
  const [progress, setProgress] = useState<ExportProgress | null>(null);
  const [pickError, setPickError] = useState<unknown>(null);
  useMarkReady(true);

  // Listening from mount (not from the click) so the first events of a fast export are not
  // missed while the listener attaches. They carry no total (the export streams), so the bar
  // counts rows until `done`.
  const running = useRef(false);
  useEffect(() => onEvent("exportProgress", (p) => running.current && setProgress(p)), []);
  const run = useMutation({
    mutationFn: () => ipc.exportRun(kind, path.trim(), from || null, to || null, zone.trim() || "UTC"),
    onMutate: () => {
      running.current = true;
      setProgress(null);
    },
    onSettled: () => {
      running.current = false;
    },
  });

  const choose = async () => {
    setPickError(null);
    try {
      const env = info.data?.demo ? "demo" : (info.data?.environment ?? "sandbox");
      const picked = await chooseSavePath(path || suggestedName(kind, env, from, to), { name: "CSV", extensions: ["csv"] });
      if (picked) setPath(picked);
    } catch (e) {
      setPickError(e);
    }
  };
  const badWindow = from !== "" && to !== "" && to < from;
  const rows = run.data?.rows ?? progress?.rows ?? 0;
  const finished = !!run.data || (progress?.done ?? false);

  return (
    <section className="screen" aria-labelledby="exports-title">
      <header className="screen-header">
        <h1 id="exports-title">{t("exports.title")}</h1>
      </header>
      <form
        className="form panel"
        onSubmit={(e) => {
          e.preventDefault();
          if (!badWindow && path.trim()) run.mutate();
        }}
      >
        <label>
          <span>{t("exports.kind")}</span>
          <select data-testid="export-kind" value={kind} onChange={(e) => setKind(e.target.value as ExportKind)}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`exports.kinds.${k}`)}
              </option>
            ))}
          </select>
          <span className="muted small">{t(`exports.explain.${kind}`)}</span>
        </label>
        <div className="form-row">
          <label>
            <span>{t("exports.from")}</span>
            <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="export-from" />
          </label>
          <label>
            <span>{t("exports.to")}</span>
            <input type="date" value={to} onChange={(e) => setTo(e.target.value)} data-testid="export-to" aria-invalid={badWindow} />
          </label>
          <label>
            <span>{t("exports.timezone")}</span>
            <input dir="ltr" list="export-zones" value={zone} onChange={(e) => setZone(e.target.value)} data-testid="export-timezone" />
            <datalist id="export-zones">
              {ZONES.map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
          </label>
        </div>
        {badWindow && <p className="field-error">{t("exports.badWindow")}</p>}
        <p className="muted small">{t("exports.windowExplain")}</p>
        <label>
          <span>{t("exports.path")}</span>
          <span className="inline-form">
            <input dir="ltr" className="grow mono" value={path} onChange={(e) => setPath(e.target.value)} data-testid="export-path" placeholder={t("exports.pathPlaceholder")} />
            <button type="button" className="ghost" onClick={() => void choose()} data-testid="export-choose">
              {t("exports.choose")}
            </button>
          </span>
        </label>
        {pickError !== null && <ErrorState error={pickError} compact />}
        <div>
          <button type="submit" className="primary" data-testid="export-run" disabled={!path.trim() || badWindow || run.isPending}>
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
        {run.error && <ErrorState error={toIpcError(run.error)} compact />}
      </form>
    </section>
  );
}

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { chooseSavePath, ipc, type ReportFormat } from "../../ipc";
import { ErrorState } from "../../components/States";

/** Writes the checklist with its evidence as a Markdown or HTML sign-off report. */
export function SignOffReport() {
  const { t } = useTranslation();
  const [format, setFormat] = useState<ReportFormat>("html");
  const [path, setPath] = useState("");
  const [pickError, setPickError] = useState<unknown>(null);
  const write = useMutation({ mutationFn: () => ipc.checklistReport(path.trim(), format) });
  const choose = async () => {
    setPickError(null);
    try {
      const picked = await chooseSavePath(path || `mizan-go-live.${format}`, { name: format.toUpperCase(), extensions: [format] });
      if (picked) setPath(picked);
    } catch (e) {
      setPickError(e);
    }
  };
  return (
    <section className="panel">
      <h2>{t("checklist.report.title")}</h2>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          write.mutate();
        }}
      >
        <label>
          <span>{t("checklist.report.format")}</span>
          <select value={format} onChange={(e) => setFormat(e.target.value as ReportFormat)}>
            <option value="html">HTML</option>
            <option value="md">Markdown</option>
          </select>
        </label>
        <label>
          <span>{t("exports.path")}</span>
          <span className="inline-form">
            <input dir="ltr" className="grow mono" value={path} onChange={(e) => setPath(e.target.value)} />
            <button type="button" className="ghost" onClick={() => void choose()}>
              {t("exports.choose")}
            </button>
          </span>
        </label>
        {pickError !== null && <ErrorState error={pickError} compact />}
        <div>
          <button type="submit" className="primary" disabled={!path.trim() || write.isPending}>
            {t("checklist.report.write")}
          </button>
        </div>
        {write.error && <ErrorState error={write.error} compact />}
        {write.isSuccess && (
          <p className="notice ok-text" role="status">
            {t("checklist.report.written", { path: write.data || path })}
          </p>
        )}
      </form>
    </section>
  );
}

import { useTranslation } from "react-i18next";
import type { IpcErrorCode, MovePreview } from "../../ipc";
import { guiMessage } from "../../lib/guiMessage";
import type { LocalProblem } from "./moves";

/** The exact HTTP request the core will send, as the core planned it. */
export function MovePreviewBlock({ preview, loading }: { preview: MovePreview | null; loading: boolean }) {
  const { t } = useTranslation();
  return (
    <section className="move-preview" aria-live="polite">
      <h3>
        {t("move.previewTitle")}
        {preview && (
          <span className={`badge ${preview.environment === "production" ? "tone-bad" : "tone-info"}`}>
            {preview.environment.toUpperCase()}
          </span>
        )}
      </h3>
      {preview ? (
        <>
          <pre data-testid="move-preview" dir="ltr">
            {`${preview.method} ${preview.url}\n\n${preview.body}`}
          </pre>
          {preview.warnings.length > 0 && (
            <ul className="move-warnings" data-testid="move-warnings">
              {preview.warnings.map((w) => (
                <li key={w} dir="auto">
                  {w}
                </li>
              ))}
            </ul>
          )}
        </>
      ) : (
        <p className="muted">{loading ? t("move.previewLoading") : t("move.previewNone")}</p>
      )}
    </section>
  );
}

/** A refusal (from the core, or input that cannot be sent), with its stable code. */
export function MoveProblem({ code, message }: { code: IpcErrorCode | LocalProblem["code"]; message: string }) {
  const { t, i18n } = useTranslation();
  const hintKey = `errors.${code}`;
  const hint = i18n.exists(hintKey) ? t(hintKey) : "";
  // The core's words, unless they are CLI help; the translation always.
  const shown = guiMessage(message);
  return (
    <div className="move-error" role="alert" data-testid="move-error" data-code={code}>
      <strong dir="auto">{shown || hint || code}</strong>
      {shown && hint && <p>{hint}</p>}
      <code className="code">{code}</code>
    </div>
  );
}

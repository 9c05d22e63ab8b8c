// Loading, empty and error states. Each says what is happening and what the operator can do.
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { toIpcError } from "../ipc";
import { guiMessage } from "../lib/guiMessage";

export function Loading({ label }: { label?: string }) {
  const { t } = useTranslation();
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label ?? t("common.loading")}
    </div>
  );
}

export function Empty({ title, hint, action }: { title: string; hint?: string; action?: ReactNode }) {
  return (
    <div className="state state-empty" data-testid="empty-state">
      <strong>{title}</strong>
      {hint && <p>{hint}</p>}
      {action}
    </div>
  );
}

/** An error with its stable code and a hint per code (falls back to a generic one). */
export function ErrorState({ error, onRetry, compact }: { error: unknown; onRetry?: () => void; compact?: boolean }) {
  const { t, i18n } = useTranslation();
  const e = toIpcError(error);
  const hintKey = `errors.${e.code}`;
  const hint = i18n.exists(hintKey) ? t(hintKey) : t("errors.default");
  return (
    <div className={compact ? "state state-error compact" : "state state-error"} role="alert" data-testid="error-state" data-code={e.code}>
      <strong dir="auto">{guiMessage(e.message) || hint}</strong>
      <p>
        {guiMessage(e.message) ? hint : null} <code className="code">{e.code}</code>
      </p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t("common.retry")}
        </button>
      )}
    </div>
  );
}
